"""The alerts inbox: every open alert of a clinician's couples, urgent first; resolving
needs a note of what was done, and the database refuses a resolution without one."""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from integration import alerts, services
from integration.models import Alert
from kapcouples.models import AccessLog
from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from tests.factories import CoupleFactory, PartnerFactory

INBOX = reverse("integration:alerts_inbox")


def raise_alert(couple, key: str, *, urgent: bool = False, partner=None) -> Alert:
    return services.alert_raise(
        couple=couple,
        partner=partner,
        kind=Alert.Kind.SUICIDE_RISK if urgent else Alert.Kind.MISSING_INTEGRATION,
        message=f"Alert {key}",
        dedupe_key=key,
        urgent=urgent,
    )


def _resolve_url(alert) -> str:
    return reverse("integration:alert_resolve", kwargs={"alert_id": alert.pk})


def _order(page: str) -> list[str]:
    return re.findall(r"<p class=\"mb-1\">Alert ([\w-]+)</p>", page)


def test_the_inbox_lists_my_couples_open_alerts_urgent_first(cast, client_for):
    raise_alert(cast.couple, "routine-old")
    raise_alert(cast.couple, "urgent", urgent=True, partner=cast.partner_a)
    raise_alert(cast.couple, "routine-new")
    raise_alert(cast.other_couple, "other-couple")  # also Casey's: primary clinician
    done = raise_alert(cast.couple, "resolved")
    alerts.alert_resolve(alert=done, by=cast.clinician, note="Called them, all is well.")
    stranger = CoupleFactory(clinic=cast.clinic)  # another clinician's couple
    raise_alert(stranger, "not-mine")
    raise_alert(CoupleFactory(clinic=cast.other_clinic), "other-clinic")

    page = client_for(cast.clinician).get(INBOX).content.decode()

    assert _order(page) == ["urgent", "other-couple", "routine-new", "routine-old"]
    # the prescriber on this couple's care team sees its alerts, not the other couple's
    page = client_for(cast.prescriber).get(INBOX).content.decode()
    assert _order(page) == ["urgent", "routine-new", "routine-old"]


def test_the_inbox_read_is_logged_and_only_the_care_team_may_open_it(cast, client_for):
    assert client_for(cast.clinician).get(INBOX).status_code == 200
    assert AccessLog.objects.filter(user=cast.clinician, action="read", path=INBOX).exists()
    for name in ("front_desk", "clinic_admin", "partner_a"):
        assert client_for(cast.user(name)).get(INBOX).status_code in (403, 404), name


def test_resolving_needs_a_note_shown_next_to_the_field_with_the_typing_kept(cast, client_for):
    alert = raise_alert(cast.couple, "urgent", urgent=True)
    client = client_for(cast.clinician)
    field = f"alert-{alert.pk}-note"

    response = client.post(_resolve_url(alert), {field: "", "back": "inbox"})
    assert response.status_code == 400
    assert "Say what was done before resolving the alert." in response.content.decode()

    response = client.post(_resolve_url(alert), {field: "Called.", "back": "inbox"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "a note of at least 10 characters" in page
    assert ">\nCalled.</textarea>" in page
    alert.refresh_from_db()
    assert alert.resolved_at is None

    note = "Called Alexa; safety plan reviewed, crisis line given."
    response = client.post(_resolve_url(alert), {field: note, "back": "inbox"})
    assert response.status_code == 302 and response.url == INBOX
    alert.refresh_from_db()
    assert alert.resolution_note == note
    assert alert.resolved_by == alert.acknowledged_by == cast.clinician
    assert _order(client.get(INBOX).content.decode()) == []


def test_an_alert_is_resolved_once_by_the_care_team_and_its_history_is_kept(cast):
    alert = raise_alert(cast.couple, "routine")
    alerts.alert_acknowledge(alert=alert, by=cast.prescriber)
    for outsider in (cast.clinician_outside, cast.front_desk, cast.other_clinic_clinician):
        with pytest.raises(NotAllowed, match="rule: can_acknowledge_alert"):
            alerts.alert_resolve(alert=alert, by=outsider, note="Done by someone else.")
    alerts.alert_resolve(alert=alert, by=cast.clinician, note="Integration booked for Tuesday.")
    with pytest.raises(DomainError, match="already resolved"):
        alerts.alert_resolve(alert=alert, by=cast.prescriber, note="Resolved again, twice.")
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.prescriber  # the first to acknowledge stays
    assert alert.resolved_by == cast.clinician
    assert alert.history.count() == 3  # raised, acknowledged, resolved


@pytest.mark.parametrize(
    "assignments",
    [
        "resolved_at = now(), resolved_by_id = {user}, resolution_note = ''",
        "resolved_at = now(), resolution_note = 'Called them back.'",
        "resolved_at = now(), resolved_by_id = {user}, resolution_note = 'Called.',"
        " acknowledged_at = NULL, acknowledged_by_id = NULL",
        "resolution_note = 'A note without a resolution.'",
    ],
)
def test_the_database_refuses_a_resolution_without_its_parts(cast, assignments):
    alert = raise_alert(cast.couple, "routine")
    alerts.alert_acknowledge(alert=alert, by=cast.clinician)
    sql = f"UPDATE integration_alert SET {assignments} WHERE id = %s"
    refused = pytest.raises(IntegrityError, match="alert_resolved_with_a_note")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(user=cast.clinician.pk), [alert.pk])


def test_the_navigation_counts_my_open_alerts(cast, client_for):
    raise_alert(cast.couple, "one", urgent=True)
    raise_alert(cast.couple, "two")
    page = client_for(cast.clinician).get(reverse("care_dashboard")).content.decode()
    assert re.search(r'data-testid="nav-count">2<', page)
    other = PartnerFactory(couple=CoupleFactory(clinic=cast.clinic), slot=1)
    raise_alert(other.couple, "someone-elses")
    page = client_for(cast.clinician).get(reverse("care_dashboard")).content.decode()
    assert re.search(r'data-testid="nav-count">2<', page)
    desk = client_for(cast.front_desk).get(reverse("desk_dashboard")).content.decode()
    assert "nav-count" not in desk and "Alerts" not in desk


def test_a_refused_resolution_on_a_later_page_is_shown_first_with_the_typing_kept(cast, client_for):
    oldest = raise_alert(cast.couple, "oldest")
    for n in range(25):  # newer alerts fill the first page
        raise_alert(cast.couple, f"newer-{n}")
    response = client_for(cast.clinician).post(
        _resolve_url(oldest), {f"alert-{oldest.pk}-note": "Rang.", "back": "inbox"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert _order(page)[0] == "oldest"
    assert ">\nRang.</textarea>" in page


def test_the_inbox_reads_as_many_queries_for_many_couples_as_for_two(cast, client_for):
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.clinician)

    def queries_with(couples: int) -> int:
        for n in range(couples):
            couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
            PartnerFactory(couple=couple, slot=1)
            raise_alert(couple, f"{couples}-{n}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INBOX).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(6)


def test_an_alert_is_resolved_from_the_couple_page_too(cast, client_for):
    alert = raise_alert(cast.couple, "routine")
    client = client_for(cast.clinician)
    couple_page = reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})
    assert _resolve_url(alert) in client.get(couple_page).content.decode()
    note = {f"alert-{alert.pk}-note": "Integration booked for Tuesday.", "back": "couple"}
    response = client.post(_resolve_url(alert), note)
    assert response.status_code == 302 and response.url == couple_page
    alert.refresh_from_db()
    assert alert.resolved_by == cast.clinician
