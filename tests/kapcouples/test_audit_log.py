"""The audit log answers questions (who, about whom, what, when), names what was read,
exports what it shows (and records the export), and cannot be quietly changed."""

import csv
import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from kapcouples import audit, selectors
from kapcouples.models import AccessLog
from sessions.models import Appointment, CalendarFeed
from tests.sessions.factories import book, local, started_session, tomorrow

PREP = Appointment.Kind.PREPARATION

ROOT = Path(__file__).resolve().parents[2]
LOG = AccessLog._meta.db_table


def chart_url(couple) -> str:
    return reverse("workspace:chart", kwargs={"couple_id": couple.pk})


def partner_url(partner) -> str:
    return reverse("intake:partner_detail", kwargs={"partner_id": partner.pk})


def initials(partner) -> str:
    return f"{partner.first_name[0]}.{partner.last_name[0]}."


def log_entry(cast, *, user=None, at=None, **fields) -> AccessLog:
    return AccessLog.objects.create(
        user=user or cast.clinician,
        clinic=cast.clinic,
        action=fields.pop("action", AccessLog.Action.READ),
        at=at or timezone.now(),
        **fields,
    )


def execute(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- Append-only -------------------------------------------------------------------------
def test_the_database_refuses_to_update_an_audit_row(cast):
    entry = log_entry(cast, detail="as it happened")
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
        execute(f"UPDATE {LOG} SET detail = 'rewritten', user_id = NULL WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert (entry.detail, entry.user) == ("as it happened", cast.clinician)


def test_the_database_refuses_to_delete_an_audit_row(cast):
    entry = log_entry(cast)
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
        execute(f"DELETE FROM {LOG} WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    assert AccessLog.objects.filter(pk=entry.pk).exists()


SQLITE_SCRIPT = """
from django.db import connection
from django.test import RequestFactory
from kapcouples import audit
from kapcouples.models import AccessLog, Clinic, User
clinic = Clinic.objects.create(name="Embedded", slug="embedded")
request = RequestFactory().get("/couples/1/chart/", REMOTE_ADDR="192.0.2.1")
request.user = User.objects.create_user("reader@example.org", "x", full_name="Reader")
for _ in range(2):
    audit.record_read(request, None, clinic_id=clinic.pk, subject="Chart")
read = AccessLog.objects.get()
print("READ:", read.user.email, read.subject, read.ip_address, read.at is not None)
AccessLog.objects.create(action="denied", detail="kept")
for sql in ("UPDATE kapcouples_accesslog SET detail = 'x'", "DELETE FROM kapcouples_accesslog"):
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    except Exception as error:
        print("REFUSED:", error)
print("LEFT:", AccessLog.objects.get(action="denied").detail)
"""


def test_the_embedded_sqlite_database_is_append_only_too(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "KAP_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kapcouples.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    result = subprocess.run(
        [*manage, "shell", "-c", SQLITE_SCRIPT], env=env, check=True, cwd=ROOT, capture_output=True
    )
    output = result.stdout.decode()
    assert "REFUSED: the access log is append-only: UPDATE refused" in output
    assert "REFUSED: the access log is append-only: DELETE refused" in output
    assert "LEFT: kept" in output
    assert "READ: reader@example.org Chart 192.0.2.1 True" in output  # folded to one row


# --- What a row says ---------------------------------------------------------------------
def test_a_read_names_the_couple_by_initials_and_files_it_under_the_couple(cast, client_for):
    assert client_for(cast.clinician).get(chart_url(cast.couple)).status_code == 200
    entry = AccessLog.objects.get(action=AccessLog.Action.READ)
    assert entry.subject == f"Couple {initials(cast.partner_a)} & {initials(cast.partner_b)}"
    assert (entry.couple_id, entry.partner_id) == (cast.couple.pk, None)
    assert cast.partner_a.last_name not in entry.subject


def test_a_read_of_a_partner_page_is_filed_under_the_partner_and_their_couple(cast, client_for):
    client_for(cast.clinician).get(partner_url(cast.partner_b))
    entry = AccessLog.objects.get(action=AccessLog.Action.READ)
    assert entry.subject == f"Partner {initials(cast.partner_b)}"
    assert (entry.couple_id, entry.partner_id) == (cast.couple.pk, cast.partner_b.pk)


def test_a_medicine_session_is_named_with_the_couple_and_its_day(cast):
    session = started_session(cast)
    subject = audit.describe(session)
    day = timezone.localtime(session.appointment.start, cast.clinic.zone)
    couple = f"{initials(cast.partner_a)} & {initials(cast.partner_b)}"
    assert subject.label == f"Medicine session of {couple}, {day.day} {day:%b}"
    assert subject.couple_id == cast.couple.pk


def test_rows_written_before_subjects_show_their_type_and_id(cast):
    entry = log_entry(cast, object_type="clinic_sessions.MedicineSession", object_id="7")
    assert entry.record_label == "clinic_sessions.MedicineSession 7"


# --- Folding -----------------------------------------------------------------------------
def test_the_same_page_read_again_within_a_minute_is_one_entry(cast, client_for):
    client = client_for(cast.clinician)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.get(chart_url(cast.couple))
        clock.shift(datetime.timedelta(seconds=59))
        client.get(chart_url(cast.couple))
        assert AccessLog.objects.filter(action=AccessLog.Action.READ).count() == 1
        clock.shift(datetime.timedelta(seconds=2))
        client.get(chart_url(cast.couple))
    assert AccessLog.objects.filter(action=AccessLog.Action.READ).count() == 2


def test_another_person_or_another_page_within_the_minute_is_its_own_entry(cast, client_for):
    client_for(cast.clinician).get(chart_url(cast.couple))
    client_for(cast.prescriber).get(chart_url(cast.couple))
    client_for(cast.clinician).get(partner_url(cast.partner_a))
    assert AccessLog.objects.filter(action=AccessLog.Action.READ).count() == 3


# --- Calendar files ----------------------------------------------------------------------
def test_downloading_an_appointment_ics_is_a_read(cast, client_for):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    url = reverse("clinic_sessions:appointment_ics", kwargs={"appointment_id": appointment.pk})
    assert client_for(cast.partner_a.user).get(url).status_code == 200
    entry = AccessLog.objects.get(action=AccessLog.Action.READ)
    assert entry.user == cast.partner_a.user
    assert entry.object_type == Appointment._meta.label
    assert entry.subject.startswith("Preparation of ")
    assert entry.couple_id == cast.couple.pk


def test_a_calendar_feed_read_is_logged_as_its_clinician_without_the_token(cast, client_for):
    book(cast, PREP, local(cast, tomorrow(cast), 9))
    client_for(cast.clinician).post(reverse("clinic_sessions:feed_manage"), {"action": "renew"})
    feed = CalendarFeed.objects.get(revoked_at__isnull=True)
    from django.test import Client

    url = reverse("clinic_sessions:feed", kwargs={"feed_token": feed.token})
    assert Client().get(url).status_code == 200
    entry = AccessLog.objects.get(action=AccessLog.Action.READ)
    assert (entry.user, entry.clinic) == (cast.clinician, cast.clinic)
    assert feed.token not in entry.path
    assert entry.subject == f"Calendar feed of {cast.clinician.full_name}"


# --- Filters and pages -------------------------------------------------------------------
def admin_page(cast, client_for, **query):
    return client_for(cast.clinic_admin).get(reverse("audit_log"), query)


def shown(response) -> list[AccessLog]:
    return response.context["page"].entries


def test_it_filters_by_person(cast, client_for):
    mine = log_entry(cast, user=cast.clinician)
    log_entry(cast, user=cast.prescriber)
    assert shown(admin_page(cast, client_for, person=cast.clinician.pk)) == [mine]


def test_it_filters_by_couple_and_by_partner(cast, client_for):
    couple = log_entry(cast, couple_id=cast.couple.pk)
    partner = log_entry(cast, couple_id=cast.couple.pk, partner_id=cast.partner_a.pk)
    log_entry(cast, couple_id=cast.other_couple.pk)
    by_couple = admin_page(cast, client_for, couple=cast.couple.pk)
    assert shown(by_couple) == [partner, couple]
    assert "Who opened couple" in by_couple.content.decode()
    assert shown(admin_page(cast, client_for, partner=cast.partner_a.pk)) == [partner]


def test_it_filters_by_kind(cast, client_for):
    log_entry(cast)
    denied = log_entry(cast, action=AccessLog.Action.DENIED)
    assert shown(admin_page(cast, client_for, action="denied")) == [denied]


def test_days_are_the_clinics_days_and_the_last_one_is_included(cast, client_for):
    cast.clinic.timezone = "America/Los_Angeles"
    cast.clinic.save()
    zone = cast.clinic.zone
    day = datetime.date(2026, 11, 30)
    late = log_entry(cast, at=datetime.datetime(2026, 11, 30, 23, 30, tzinfo=zone))
    log_entry(cast, at=datetime.datetime(2026, 12, 1, 0, 0, tzinfo=zone))
    log_entry(cast, at=datetime.datetime(2026, 11, 29, 23, 59, tzinfo=zone))
    response = admin_page(cast, client_for, date_from=day, date_to=day)
    assert shown(response) == [late]


def test_a_row_shows_the_clinics_time_and_escapes_what_came_from_outside(cast, client_for):
    cast.clinic.timezone = "America/Los_Angeles"
    cast.clinic.save()
    at = datetime.datetime(2026, 11, 30, 23, 30, 5, tzinfo=cast.clinic.zone)
    log_entry(
        cast,
        at=at,
        action=AccessLog.Action.DENIED,
        couple_id=cast.couple.pk,
        subject='<img src=x onerror="alert(1)">',
        detail="<script>alert('x')</script>",
        ip_address="203.0.113.9",
    )
    AccessLog.objects.create(  # a lockout of an unknown login names no user
        clinic=cast.clinic, action=AccessLog.Action.LOCKOUT, at=at - datetime.timedelta(minutes=1)
    )
    page = admin_page(cast, client_for).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1], re.S)
    first, second = (re.sub(r"\s+", " ", row) for row in rows[:2])
    assert '<td data-label="When">30 Nov 2026 23:30:05</td>' in first
    assert f'<a href="?person={cast.clinician.pk}">{cast.clinician.full_name}</a>' in first
    assert AccessLog.Action.DENIED.label in first
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in first
    assert f'href="?couple={cast.couple.pk}"' in first
    assert '<td data-label="From">203.0.113.9</td>' in first
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in first
    assert "<script>alert" not in page and "<img src=x" not in page
    assert '<td data-label="Who">—</td>' in second
    assert '<td data-label="From">—</td>' in second


def test_a_backwards_date_range_is_refused_next_to_the_field_keeping_the_input(cast, client_for):
    log_entry(cast)
    response = admin_page(cast, client_for, date_from="2026-11-30", date_to="2026-11-02")
    assert response.status_code == 400
    assert response.context["page"] is None
    form = response.context["form"]
    assert form.errors["date_to"] == ["The last day is before the first (30 Nov 2026)."]
    html = response.content.decode()
    assert 'value="2026-11-02"' in html and 'value="2026-11-30"' in html
    assert 'aria-describedby="id_date_to_error"' in html
    assert re.search(r'id="id_date_to_error">The last day is before the first', html)


def test_the_chosen_person_stays_chosen(cast, client_for):
    response = admin_page(cast, client_for, person=cast.clinician.pk)
    assert f'<option value="{cast.clinician.pk}" selected>' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "30/11/2026"}, "date_from"),
        ({"couple": "0"}, "couple"),
        ({"action": "erased"}, "action"),
    ],
)
def test_impossible_filters_are_named_next_to_their_field(cast, client_for, query, field):
    response = admin_page(cast, client_for, **query)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]


def test_a_person_of_another_clinic_is_not_a_choice(cast, client_for):
    response = admin_page(cast, client_for, person=cast.other_clinic_clinician.pk)
    assert response.status_code == 400
    assert "person" in response.context["form"].errors


def test_pages_go_back_in_time_by_keyset_without_gaps_or_repeats(cast, client_for, settings):
    start = timezone.now() - datetime.timedelta(hours=1)
    same_moment = start + datetime.timedelta(minutes=5)
    made = [log_entry(cast, at=start + datetime.timedelta(seconds=i)) for i in range(48)]
    made += [log_entry(cast, at=same_moment) for _ in range(4)]  # ties cross the page edge
    first = admin_page(cast, client_for)
    cursor = first.context["page"].next_cursor
    assert len(shown(first)) == selectors.AUDIT_PAGE_SIZE and cursor is not None
    second = admin_page(cast, client_for, after=str(cursor))
    seen = [e.pk for e in shown(first) + shown(second)]
    assert sorted(seen) == sorted(e.pk for e in made)
    assert second.context["page"].next_cursor is None


def test_a_clinic_admin_sees_only_their_clinics_entries(cast, client_for):
    AccessLog.objects.create(clinic=cast.other_clinic, action="read", subject="Elsewhere")
    mine = log_entry(cast)
    assert shown(admin_page(cast, client_for)) == [mine]


@pytest.mark.parametrize("rows", [5, 60])
def test_the_log_page_makes_the_same_queries_at_any_size(
    cast, client_for, django_assert_max_num_queries, rows
):
    for i in range(rows):
        log_entry(cast, couple_id=cast.couple.pk, subject=f"Couple {i}")
    client = client_for(cast.clinic_admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("audit_log"), {"couple": cast.couple.pk, "date_from": "2020-01-01"})


# --- Export ------------------------------------------------------------------------------
def test_the_export_is_the_filtered_rows_as_csv_and_is_itself_recorded(cast, client_for):
    log_entry(cast, user=cast.clinician, subject="=HYPERLINK(1)", couple_id=cast.couple.pk)
    log_entry(cast, user=cast.prescriber, subject="Not asked for")
    client = client_for(cast.clinic_admin)
    response = client.get(reverse("audit_log_export"), {"person": cast.clinician.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:4] == ["when", "person", "person email", "event"]
    assert [row[1] for row in lines[1:]] == [cast.clinician.full_name]
    assert lines[1][4] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    export = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (export.user, export.clinic) == (cast.clinic_admin, cast.clinic)
    assert export.detail == f"filters: person={cast.clinician.pk}"


def test_an_export_with_bad_filters_downloads_nothing_and_records_nothing(cast, client_for):
    client = client_for(cast.clinic_admin)
    response = client.get(reverse("audit_log_export"), {"couple": "abc"})
    assert response.status_code == 400
    assert "couple" in response.context["form"].errors
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


@pytest.mark.parametrize("who", ["clinician", "prescriber", "front_desk"])
def test_only_the_clinic_admin_reads_or_exports_the_log(cast, client_for, who):
    client = client_for(cast.user(who))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_log_export")).status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


# --- From the chart ----------------------------------------------------------------------
def render_link(user, couple) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load audit_links %}{% who_opened_link couple %}")
    return template.render(Context({"request": request, "couple": couple}))


def test_the_audit_log_link_is_for_the_clinic_admin_only(cast):
    link = render_link(cast.clinic_admin, cast.couple)
    assert f"{reverse('audit_log')}?couple={cast.couple.pk}" in link
    assert render_link(cast.clinician, cast.couple) == ""
    assert render_link(cast.other_clinic_clinician, cast.couple) == ""


def test_the_care_team_sees_no_audit_log_link_on_the_chart(cast, client_for):
    # They have the couple's own access page instead (tests/workspace/test_chart.py).
    page = client_for(cast.clinician).get(chart_url(cast.couple)).content.decode()
    assert reverse("audit_log") not in page
