"""What the SMS provider reports back: a text's delivery status, and replies of STOP or START.

Both arrive as the provider's signed webhooks (`integration.sms_webhooks`) with nobody
signed in: the signature proves the provider sent them, and a STOP is the word of
whoever holds the phone. So these services take no acting user and ask no policy
predicate; the partner's opt-out keeps its history all the same.
"""

import logging

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.utils import timezone

from intake.models import Partner
from integration import sms
from integration.models import DeliveryStatus, Reminder

logger = logging.getLogger(__name__)

# The provider's own keywords (it answers them itself with its compliance reply).
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})

# The provider's many message statuses, as the five the outbox shows.
PROVIDER_STATUSES = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
# A status only moves forward; the last three are final.
RANK = {
    "": 0,
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.DELIVERED: 3,
    DeliveryStatus.UNDELIVERED: 3,
    DeliveryStatus.FAILED: 3,
}


def delivery_status_of(provider_status: str) -> str:
    """The outbox's status for the provider's, or "" for one it does not track."""
    return PROVIDER_STATUSES.get((provider_status or "").strip().lower(), "")


@transaction.atomic
def reminder_delivery_report(*, reminder_id: int, provider_id: str, provider_status: str) -> bool:
    """Record the provider's news of the text this outbox row sent; True if it changed.

    Idempotent and monotonic: a repeat, or a late "sent" after "delivered", changes
    nothing; news of another text (an earlier try's) is ignored. The row lock waits
    for a delivery batch still holding the row: the provider may report a text before
    the batch that sent it has committed its id.
    """
    status = delivery_status_of(provider_status)
    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
    if not status or reminder is None or not provider_id:
        return False
    if reminder.provider_message_id != provider_id:
        return False
    if RANK[status] <= RANK[reminder.delivery_status]:
        return False
    reminder.delivery_status, reminder.delivery_updated_at = status, timezone.now()
    reminder.save(update_fields=["delivery_status", "delivery_updated_at"])
    return True


def sms_reply_receive(*, number: str, body: str) -> None:
    """A text a partner sent to the clinic's number: STOP and its kind opt the number
    out of texts, START and UNSTOP back in; anything else is not kept (it may hold
    things the clinic should hear by phone, not in a log)."""
    word = (body or "").strip().upper()
    if word in OPT_OUT_WORDS:
        partners = partners_sms_opt_out(number=number, why="Texted STOP to the clinic's number")
    elif word in OPT_IN_WORDS:
        partners = partners_sms_opt_in(number=number)
    else:
        return
    logger.info("SMS keyword %s applied to partners %s", word, [p.pk for p in partners])


@transaction.atomic
def partners_sms_opt_out(*, number: str, why: str) -> list[Partner]:
    """Stop texts to every partner with this number (email from now on); returns them."""
    return _set_opt_out(_partners_with_number(number), at=timezone.now(), why=why)


@transaction.atomic
def partners_sms_opt_in(*, number: str) -> list[Partner]:
    """Texts again for every partner with this number who had stopped them."""
    return _set_opt_out(_partners_with_number(number), at=None, why="Texted START")


@transaction.atomic
def partner_sms_opt_out(*, partner: Partner, why: str) -> None:
    """Stop texts to one partner (the provider refused a text: the number opted out there)."""
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    _set_opt_out([locked], at=timezone.now(), why=why)


def _set_opt_out(partners, *, at, why: str) -> list[Partner]:
    changed = [p for p in partners if (p.sms_opted_out_at is None) != (at is None)]
    for partner in changed:
        partner.sms_opted_out_at = at
        partner._change_reason = why[:100]  # the history row says why
        partner.save(update_fields=["sms_opted_out_at"])
    return changed


def _partners_with_number(number: str) -> list[Partner]:
    """The partners whose typed phone number is this one (in the provider's +digits form).

    Narrowed in SQL by the number's digits as it may have been typed, then confirmed by
    reading each candidate's number the way the SMS backend does."""
    e164 = sms.to_e164(number) if (number or "").strip().startswith("+") else ""
    if not e164:
        return []
    digits_only = F("phone")
    for mark in (" ", "-", "(", ")", ".", "+"):
        digits_only = Replace(digits_only, Value(mark), Value(""))
    candidates = Partner.objects.annotate(typed=digits_only).filter(typed__in=sms.typed_forms(e164))
    return [p for p in candidates.select_for_update() if sms.to_e164(p.phone) == e164]
