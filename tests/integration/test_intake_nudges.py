from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail

from intake.models import IntakeForm, Invitation
from integration import services
from integration.models import Reminder

INVITED = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


def invite(cast, partner):
    return Invitation.objects.create(
        partner=partner,
        token_hash=f"hash-{partner.pk}",
        sent_to=partner.email,
        created_by=cast.front_desk,
        expires_at=INVITED + timedelta(days=14),
    )


def test_a_partner_without_a_submitted_intake_is_nudged_3_days_after_the_invitation(cast):
    with time_machine.travel(INVITED, tick=False) as clock:
        invite(cast, cast.partner_a)
        clock.shift(timedelta(days=2, hours=23))
        assert services.intake_nudges_schedule() == 0
        clock.shift(timedelta(hours=2))
        services.intake_nudges_schedule()
        services.intake_nudges_schedule()
        nudges = Reminder.objects.filter(kind=Reminder.Kind.INTAKE_NUDGE)
        assert [r.partner for r in nudges] == [cast.partner_a]
        assert nudges.get().due_at == INVITED + timedelta(days=3)
        services.reminders_deliver_due()
    assert [m.subject for m in mail.outbox] == ["Your intake form is waiting"]


def test_no_nudge_goes_out_once_the_intake_is_submitted(cast):
    with time_machine.travel(INVITED, tick=False) as clock:
        invite(cast, cast.partner_b)
        clock.shift(timedelta(days=3, hours=1))
        services.intake_nudges_schedule()
        IntakeForm.objects.create(
            partner=cast.partner_b, status="submitted", submitted_at=INVITED + timedelta(days=3)
        )
        services.reminders_deliver_due()
        assert services.intake_nudges_schedule() == 0
    nudge = Reminder.objects.get(kind=Reminder.Kind.INTAKE_NUDGE)
    assert nudge.status == Reminder.Status.CANCELLED
    assert mail.outbox == []
