"""One clock: every time a person reads is in their own zone, never the stored UTC.

The clinic is in Pacific/Kiritimati (UTC+14) and its partners in Pacific/Pago_Pago
(UTC−11). Time stands still at 13:17:05 UTC while the data is made and every page of
the URL walk is opened as each role that may open it, so every time derived from "now"
has minute 17: shown in UTC it reads 13:17 (or 14:17, 17:17 … for an hour or a few
later), shown to staff it reads 03:17 the next day, shown to a partner 02:17.
"""

import datetime
import re
import zoneinfo
from collections import defaultdict

import pytest
import time_machine
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from intake.models import Invitation
from kapcouples import policy
from kapcouples.middleware import ReaderTimezoneMiddleware
from kapcouples.models import Role
from tests.conftest import sign_in
from tests.kapcouples.test_hostile_input import visitors
from tests.kapcouples.test_url_access import app_patterns, build_url

NOW = datetime.datetime(2026, 12, 1, 13, 17, 5, tzinfo=datetime.UTC)
CLINIC_ZONE = "Pacific/Kiritimati"  # UTC+14: 13:17 UTC is 03:17 on 2 December
PARTNER_ZONE = "Pacific/Pago_Pago"  # UTC−11: 13:17 UTC is 02:17 on 1 December
LOCAL_NOW = {"staff": "03:17", "partner": "02:17"}
# The walk's data lies from days before to hours after "now", always at minute 17. Shown
# in UTC such a time reads 13:17 to 22:17; in either zone it never does (03–12, 02–11).
UTC_TIME = re.compile(r"(?<![\d:])(?:1[3-9]|2[0-2]):17(?![\d])")
# Anonymous readers have no zone; the calendar feed is UTC by iCalendar's own rules.
NOT_READ_IN_A_ZONE = {"clinic_sessions:feed"}
USER_NAME = {Role.CLINICIAN: "clinician", Role.CLINIC_ADMIN: "clinic_admin"}


@pytest.fixture
def far_cast(request, db):
    """The standard cast, in far zones, with a time on every kind of page, at NOW."""
    with time_machine.travel(NOW, tick=False):
        cast = request.getfixturevalue("cast")
        cast.clinic.timezone = CLINIC_ZONE
        cast.clinic.save(update_fields=["timezone"])
        for partner in (cast.partner_a, cast.partner_b, cast.other_partner):
            partner.timezone = PARTNER_ZONE
            partner.save(update_fields=["timezone"])
        _stock_received(cast)
        yield cast


def _stock_received(cast) -> None:
    from tests.stock.helpers import receive

    receive(cast, lot_number="CLOCK-1")


def extra_pages(cast) -> list[tuple[str, str]]:
    """Pages whose times show only with a query the bare walk does not send."""
    today = timezone.localdate(timezone=cast.clinic.zone).isoformat()
    stock_log = f"{reverse('stock:log')}?from={today}&to={today}"
    return [(Role.CLINICIAN, stock_log), (Role.CLINIC_ADMIN, stock_log)]


def pages(cast):
    """(who, url, client) for every page of the walk, as each role that may open it."""
    for name, pattern in app_patterns():
        if pattern.callback.access_roles == policy.PUBLIC or name in NOT_READ_IN_A_ZONE:
            continue
        url = build_url(name, pattern, cast)
        for who, client in visitors(pattern, cast):
            yield who, url, client
    for who, url in extra_pages(cast):
        client = sign_in(Client(), cast.user(USER_NAME[who]))
        yield who, url, client


def readable_text(response) -> str | None:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/"):
        return None
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode(errors="replace")


def times_in_utc(text: str) -> list[str]:
    return [
        " ".join(text[max(0, m.start() - 70) : m.end() + 30].split())
        for m in UTC_TIME.finditer(text)
    ]


def test_every_page_shows_times_in_the_readers_zone_and_none_in_utc(far_cast):
    failures, converted, opened = [], defaultdict(int), 0
    with time_machine.travel(NOW, tick=False):
        # A read before the walk, so the audit pages have an entry at NOW to show.
        sign_in(Client(), far_cast.clinician).get(
            reverse("intake:couple_detail", args=[far_cast.couple.pk])
        )
        for who, url, client in pages(far_cast):
            text = readable_text(client.get(url))
            if text is None:
                continue
            opened += 1
            failures += [f"{who} {url}: …{found}…" for found in times_in_utc(text)]
            audience = "partner" if who == Role.PARTNER else "staff"
            converted[who] += LOCAL_NOW[audience] in text
    assert opened > 50, f"only {opened} pages opened: the walk is not what this test expects"
    assert not failures, "Times shown in UTC:\n" + "\n".join(failures)
    roles = [Role.CLINICIAN, Role.PRESCRIBER, Role.FRONT_DESK, Role.CLINIC_ADMIN, Role.PARTNER]
    assert [r for r in roles if not converted[r]] == [], "no page showed these their local time"


def middleware_zone(user) -> str:
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    request = RequestFactory().get("/")
    request.user = user
    ReaderTimezoneMiddleware(view)(request)
    return seen["zone"]


def test_staff_read_times_in_their_clinics_zone(far_cast):
    assert middleware_zone(far_cast.front_desk) == CLINIC_ZONE
    assert middleware_zone(far_cast.clinic_admin) == CLINIC_ZONE


def test_a_partner_reads_times_in_their_own_zone(far_cast):
    assert middleware_zone(far_cast.partner_a.user) == PARTNER_ZONE


def test_signed_out_the_zone_stays_utc_and_is_reset_after_each_request(far_cast):
    from django.contrib.auth.models import AnonymousUser

    assert middleware_zone(AnonymousUser()) == "UTC"
    middleware_zone(far_cast.clinician)
    assert timezone.get_current_timezone() == zoneinfo.ZoneInfo("UTC")


def test_an_invitation_gives_its_expiry_in_the_partners_zone_and_tells_the_desk_in_the_clinics(
    far_cast, client_for, django_capture_on_commit_callbacks
):
    partner = far_cast.partner_a
    partner.user.set_unusable_password()
    partner.user.save()
    url = reverse("intake:invitation_send", kwargs={"partner_id": partner.pk})
    desk = client_for(far_cast.front_desk)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        page = desk.post(url, follow=True).content.decode()
    expires = Invitation.objects.get(partner=partner).expires_at
    for_partner = timezone.localtime(expires, zoneinfo.ZoneInfo(PARTNER_ZONE))
    said = f"until {for_partner:%Y-%m-%d %H:%M} {PARTNER_ZONE} time"
    email = mail.outbox[-1]
    assert said in email.body and said in email.alternatives[0][0]
    assert f"until {timezone.localtime(expires, far_cast.clinic.zone):%Y-%m-%d %H:%M}." in page
    assert f"{expires:%H:%M}" not in page + email.body
