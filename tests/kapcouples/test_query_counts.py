"""The number of SQL queries a hot page (or the booking service) makes does not grow with
the data: each is measured on a clinic at two sizes and must stay under its bound."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration.models import Reminder
from kapcouples.models import AccessLog
from sessions.models import Appointment
from tests.factories import CoupleFactory, PartnerFactory
from tests.intake.factories import QuestionnaireResponseFactory
from tests.sessions.factories import book, held, local, make_ready, started_session, tomorrow


def _grow(cast, size: int) -> None:
    """`size` more couples seen today (each with an appointment, a reminder and an audit
    row), and `size` more records of the cast's own couple."""
    midnight = local(cast, timezone.localdate(timezone=cast.clinic.zone), 0)
    done = Appointment.objects.filter(couple__clinic=cast.clinic).count()
    for n in range(done, done + size):
        couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
        # Sorted after the cast's couple, which stays on the caseload's first page: its rows
        # (a session, screening, a plan) are what make the page read the most.
        partner = PartnerFactory(couple=couple, slot=1, last_name=f"Zz grown {n:03}")
        PartnerFactory(couple=couple, slot=2, last_name=f"Zz grown {n:03}")
        start = midnight + datetime.timedelta(minutes=20 * n)
        held(cast, Appointment.Kind.PREPARATION, start, minutes=15, couple=couple)
        Reminder.objects.create(
            clinic=cast.clinic,
            partner=partner,
            kind=Reminder.Kind.APPOINTMENT_REMINDER,
            due_at=start,
            next_attempt_at=start,
            idempotency_key=f"grow:{n}",
        )
        AccessLog.objects.create(
            user=cast.clinician, clinic=cast.clinic, action="read", object_type="x"
        )
        QuestionnaireResponseFactory(partner=cast.partner_a)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES = {
    # name: (who, url maker, bound); a care-team page includes the navigation's alert count
    "alerts inbox": ("clinician", lambda cast, s: reverse("integration:alerts_inbox"), 12),
    # The caseload: scores, readiness of each row (screening read once for the page), audit,
    # and the maintenance card (couples due for a booster, plans to review).
    "clinician dashboard": ("clinician", lambda cast, s: reverse("care_dashboard"), 22),
    # ... and the prescriber's "waiting for you" lists (readiness of the next 14 days' sessions).
    "prescriber dashboard": ("prescriber", lambda cast, s: reverse("care_dashboard"), 36),
    "clinic admin couples": ("clinic_admin", lambda cast, s: reverse("care_dashboard"), 8),
    "front desk couples": ("front_desk", lambda cast, s: reverse("desk_dashboard"), 12),
    "couple search": ("front_desk", lambda cast, s: reverse("desk_dashboard") + "?q=a", 12),
    "day calendar": ("front_desk", lambda cast, s: reverse("clinic_sessions:calendar_day"), 12),
    "week calendar": ("front_desk", lambda cast, s: reverse("clinic_sessions:calendar_week"), 12),
    "week calendar by clinician": (
        "front_desk",
        lambda cast, s: reverse("clinic_sessions:calendar_week") + "?by=clinician",
        13,
    ),
    "clinician today": ("clinician", lambda cast, s: reverse("clinic_sessions:today"), 12),
    "couple page": (
        "clinician",
        lambda cast, s: reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk}),
        25,  # 22 + the navigation's unread-message count + the couple's conversations
        # + the couple's shared reflections (the sessions panel reads the appointments once,
        # and hands them to its readiness checklist)
    ),
    "outbox": ("front_desk", lambda cast, s: reverse("integration:outbox"), 12),
    "audit log": ("clinic_admin", lambda cast, s: reverse("audit_log"), 12),
    # The next step, the due list (each kind once), appointments, the navigation's
    # unread-message count, the shared reflection and what is left to prepare for a
    # medicine session of the next days, the times offered from the waitlist, an at-home
    # session of today.
    "partner portal": ("partner_a", lambda cast, s: reverse("portal"), 18),
    # What the partner sent (each kind once), past appointments, check-ins, scores.
    "partner history": ("partner_a", lambda cast, s: reverse("portal:history"), 10),
    "session record": (
        "clinician",
        lambda cast, s: reverse("clinic_sessions:session_record", kwargs={"session_id": s.pk}),
        18,  # 17 + the navigation's unread-message count
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_hot_page_makes_as_many_queries_on_a_bigger_clinic(
    cast, client_for, django_assert_max_num_queries, page
):
    who, url_of, bound = PAGES[page]
    session = started_session(cast)
    client = client_for(cast.user(who))
    url = url_of(cast, session)
    client.get(url)  # first request: sessions and settings rows settle
    _grow(cast, 2)
    small = _count(client, url)
    _grow(cast, 25)
    with django_assert_max_num_queries(bound):
        large = _count(client, url)
    assert large == small


def _book_medicine(cast, when):
    with CaptureQueriesContext(connection) as statements:
        book(cast, Appointment.Kind.MEDICINE, when, minutes=240)
    return len(statements)


def test_booking_a_medicine_session_takes_at_most_26_statements_at_any_size(
    cast, django_assert_max_num_queries
):
    from sessions import services

    first = local(cast, tomorrow(cast) + datetime.timedelta(days=7), 10)
    make_ready(cast, first)
    # Warm up as a running server is: the room exists, content types are cached.
    book(cast, Appointment.Kind.ASSESSMENT, first - datetime.timedelta(hours=3))
    small = _book_medicine(cast, first)
    services.appointment_cancel(
        appointment=Appointment.objects.get(kind=Appointment.Kind.MEDICINE),
        reason="Moved",
        by=cast.front_desk,
    )
    _grow(cast, 25)
    for days in range(22, 40, 5):  # more history for the couple
        held(cast, Appointment.Kind.PREPARATION, first - datetime.timedelta(days=days))
    # 26: the clinicians' slots are written with their history rows (one statement more);
    # the clinic's settings are read in one statement, the new questionnaires' keys not
    # looked up.
    with django_assert_max_num_queries(26):
        large = _book_medicine(cast, first + datetime.timedelta(days=1))
    assert large == small
