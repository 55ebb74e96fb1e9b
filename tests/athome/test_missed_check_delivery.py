"""A missed chaperone check through the real outbox: the watch row, due when the check's
grace runs out, raises one urgent alert whose emails go to the care team, and is itself
never sent."""

import time_machine
from django.core import mail

from integration import services
from integration.models import Alert, Reminder
from tests.athome.helpers import check, dosed_at_home, minutes


def test_a_missed_40_minute_check_emails_the_care_team_once_when_its_grace_ends(cast):
    _session, given = dosed_at_home(cast)
    mail.outbox.clear()
    with time_machine.travel(given + minutes(49), tick=False):
        services.reminders_deliver_due()
    assert not Alert.objects.filter(kind=Alert.Kind.HOME_CHECK_MISSED).exists()
    with time_machine.travel(given + minutes(51), tick=False):
        services.reminders_deliver_due()
        services.reminders_deliver_due()
    alert = Alert.objects.get(kind=Alert.Kind.HOME_CHECK_MISSED)
    assert alert.urgency == Alert.Urgency.URGENT
    urgent = [m for m in mail.outbox if "urgent alert" in m.subject]
    assert sorted(m.to[0] for m in urgent) == sorted([cast.clinician.email, cast.prescriber.email])
    watch = Reminder.objects.get(kind=Reminder.Kind.CHAPERONE_WATCH, event_at=given + minutes(40))
    assert watch.status == Reminder.Status.CANCELLED  # the urgent emails were the message


def test_a_check_reported_in_time_sends_nothing(cast):
    session, given = dosed_at_home(cast)
    check(cast, session, "check_40", given + minutes(41))
    with time_machine.travel(given + minutes(51), tick=False):
        services.reminders_deliver_due()
    assert not Alert.objects.filter(kind=Alert.Kind.HOME_CHECK_MISSED).exists()
