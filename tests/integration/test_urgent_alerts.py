"""Urgent alerts reach people: one email per person, nothing clinical in it."""

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from integration import services
from integration.models import Alert, Reminder
from sessions import medicine

# Whole words where a staff member's generated name could contain them ("Alexandra").
CLINICAL = re.compile(
    r"ketamine|esketamine|spravato|c-ssrs|phq|gad-7|pcl-5|csi-4|score|suicid|diagnos|"
    r"blood pressure|\bhold\b|\b\d{2,3}/\d{2,3}\b|systolic|adverse|\balexa\b",
    re.I,
)


def raise_urgent(cast, key="cssrs:1"):
    return services.alert_raise(
        couple=cast.couple,
        partner=cast.partner_a,
        kind=Alert.Kind.SUICIDE_RISK,
        message="C-SSRS of Alexa: high (score 5), suicide ideation with intent.",
        dedupe_key=key,
        urgent=True,
    )


def test_an_urgent_alert_emails_the_primary_clinician_and_care_team_once_each(cast):
    raise_urgent(cast)
    raise_urgent(cast)  # the same event again
    services.reminders_deliver_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.clinician.email, cast.prescriber.email]
    )
    assert Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT).count() == 2


def test_an_urgent_email_says_nothing_clinical_and_links_to_the_couple_page(cast):
    raise_urgent(cast)
    services.reminders_deliver_due()
    couple_page = reverse("intake:couple_detail", args=[cast.couple.pk])
    for message in mail.outbox:
        html = message.alternatives[0][0]
        for part in (message.subject, message.body, html):
            assert not CLINICAL.search(part), part
        assert "An urgent alert needs your attention for one of your couples" in message.body
        assert couple_page in message.body and couple_page in html


def test_an_inactive_care_team_member_gets_no_urgent_email(cast):
    cast.prescriber.is_active = False
    cast.prescriber.save()
    raise_urgent(cast)
    services.reminders_deliver_due()
    assert [m.to[0] for m in mail.outbox] == [cast.clinician.email]


def test_a_routine_alert_sends_no_urgent_email(cast):
    services.alert_raise(
        couple=cast.couple, kind=Alert.Kind.OTHER, message="Routine", dedupe_key="r1"
    )
    assert not Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT).exists()


# --- The hold watch (sessions records the reading and calls hold_watch_schedule) ----------


def hold_reading(cast):
    from tests.sessions.factories import started_session

    session = started_session(cast)
    return session, medicine.vitals_record(
        session=session,
        partner=cast.partner_a,
        moment="pre_dose",
        systolic=172,
        diastolic=104,
        heart_rate=80,
        spo2=98,
        by=cast.clinician,
    )


def test_a_hold_still_in_force_after_30_minutes_raises_one_urgent_alert_and_one_email_each(cast):
    _session, vitals = hold_reading(cast)
    watch = Reminder.objects.get(kind=Reminder.Kind.HOLD_WATCH)
    assert watch.due_at == vitals.taken_at + timedelta(minutes=30)
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        services.reminders_deliver_due()
        services.reminders_deliver_due()
    alert = Alert.objects.get(kind=Alert.Kind.HOLD_READING)
    assert alert.urgency == Alert.Urgency.URGENT and alert.partner == cast.partner_a
    urgent = [m for m in mail.outbox if "urgent alert" in m.subject]
    assert sorted(m.to[0] for m in urgent) == sorted([cast.clinician.email, cast.prescriber.email])
    watch.refresh_from_db()
    assert watch.status == Reminder.Status.CANCELLED  # the urgent emails were the message


def test_a_hold_overridden_within_30_minutes_raises_nothing(cast):
    _session, vitals = hold_reading(cast)
    medicine.vitals_acknowledge(vitals=vitals, reason="Known hypertension", by=cast.prescriber)
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        services.reminders_deliver_due()
    assert not Alert.objects.filter(kind=Alert.Kind.HOLD_READING).exists()
    assert not Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT).exists()
