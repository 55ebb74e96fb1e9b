"""Writes to discovery-call requests: the public submission, the front desk's answers, the
enrolment that turns a request into a couple, the clinic's retention setting and the purge."""

import datetime
import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discovery.models import DiscoveryRequest, DiscoverySettings, SubmissionMark
from intake import services as intake_services
from intake.models import Couple
from kapcouples import audit, policy
from kapcouples.models import Clinic, User
from kapcouples.services import DomainError

logger = logging.getLogger(__name__)

# Accepted submissions from one address to one clinic within the window.
RATE_LIMIT = 5
RATE_WINDOW = datetime.timedelta(hours=1)
# Marks are only needed for the window; the purge removes older ones.
MARK_KEPT_FOR = datetime.timedelta(days=1)

SUBMITTED_FIELDS = (
    "first_name",
    "second_name",
    "email",
    "phone",
    "preferred_contact",
    "preferred_times",
    "reason",
)


class RateLimited(DomainError):
    """Too many requests from one address: the message says when to try again."""


class FieldError(intake_services.FieldError):
    """A refusal about one input, shown beside that field."""


# --- The public request ------------------------------------------------------------------
def source_of(ip: str | None, clinic: Clinic) -> str:
    """A keyed hash of the caller's address for one clinic: enough to count, not to trace."""
    message = f"{clinic.pk}:{ip or 'unknown'}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _ensure_under_rate_limit(clinic: Clinic, source: str, now: datetime.datetime) -> None:
    # Submissions to one clinic queue on its settings row, so two at once cannot both pass
    # the count at the limit.
    DiscoverySettings.objects.select_for_update().get(pk=DiscoverySettings.for_clinic(clinic.pk).pk)
    recent = SubmissionMark.objects.filter(clinic=clinic, source=source, at__gt=now - RATE_WINDOW)
    if recent.count() >= RATE_LIMIT:
        raise RateLimited(
            _(
                "We have already received %(count)d requests from this connection in the last "
                "hour. Please try again in an hour, or call the clinic."
            )
            % {"count": RATE_LIMIT}
        )


@transaction.atomic
def discovery_request_submit(
    *, clinic: Clinic, source: str, values: dict, consent_wording: str, language: str
) -> DiscoveryRequest:
    """Store a prospective couple's request (anyone may send one: the public page).

    Refuses with RateLimited after RATE_LIMIT requests from one source within an hour.
    """
    now = timezone.now()
    _ensure_under_rate_limit(clinic, source, now)
    found = DiscoveryRequest(
        clinic=clinic,
        consent_to_contact=True,
        consent_wording=consent_wording,
        language=language,
        created_at=now,
        **{name: values[name] for name in SUBMITTED_FIELDS},
    )
    found.full_clean()
    found.save()
    SubmissionMark.objects.create(clinic=clinic, source=source, at=now)
    return found


@transaction.atomic
def discovery_spam_caught(*, clinic: Clinic, source: str) -> None:
    """A bot filled the hidden field: store nothing of what it sent, but count it."""
    now = timezone.now()
    try:
        _ensure_under_rate_limit(clinic, source, now)
    except RateLimited:
        return
    SubmissionMark.objects.create(clinic=clinic, source=source, at=now)


# --- The front desk's answers --------------------------------------------------------------
def _locked(discovery_request: DiscoveryRequest) -> DiscoveryRequest:
    """The row as it is now, held until the transaction ends (another desk may act too)."""
    return DiscoveryRequest.objects.select_for_update().get(pk=discovery_request.pk)


def _ensure_open(found: DiscoveryRequest) -> None:
    if found.status == DiscoveryRequest.Status.ENROLLED:
        raise DomainError(
            "This couple is already enrolled from this request; open the couple's page instead."
        )


def _record(by: User, found: DiscoveryRequest, detail: str, where: dict | None) -> None:
    audit.record_change(by=by, clinic_id=found.clinic_id, obj=found, detail=detail, where=where)


@transaction.atomic
def discovery_call_book(
    *,
    discovery_request: DiscoveryRequest,
    by: User,
    call_at: datetime.datetime,
    where: dict | None = None,
) -> DiscoveryRequest:
    """Record the time the clinic will call the couple (a booked call can be moved)."""
    policy.ensure(
        policy.can_handle_discovery_request, by, discovery_request, to="book a discovery call"
    )
    found = _locked(discovery_request)
    _ensure_open(found)
    if call_at <= timezone.now():
        raise FieldError("Choose a time still to come for the call.", field="call_at")
    found.status, found.call_at, found.handled_by = DiscoveryRequest.Status.CALL_BOOKED, call_at, by
    found.full_clean()
    found.save(update_fields=["status", "call_at", "handled_by"])
    _record(by, found, "discovery call booked", where)
    return found


@transaction.atomic
def discovery_request_decline(
    *, discovery_request: DiscoveryRequest, by: User, where: dict | None = None
) -> DiscoveryRequest:
    """Close a request the couple declined or never answered; the purge deletes it later."""
    policy.ensure(
        policy.can_handle_discovery_request, by, discovery_request, to="close a discovery request"
    )
    found = _locked(discovery_request)
    _ensure_open(found)
    found.status, found.handled_by = DiscoveryRequest.Status.DECLINED, by
    found.save(update_fields=["status", "handled_by"])
    _record(by, found, "discovery request declined or unanswered", where)
    return found


@transaction.atomic
def discovery_request_enrol(
    *,
    discovery_request: DiscoveryRequest,
    by: User,
    primary_clinician: User,
    partners: list[dict],
    care_team=(),
    where: dict | None = None,
) -> Couple:
    """Enrol the couple of a request (the enrolment form, pre-filled from it) and link the
    request to the new couple, so the purge keeps it."""
    policy.ensure(
        policy.can_enrol_from_discovery_request, by, discovery_request, to="enrol this couple"
    )
    found = _locked(discovery_request)
    _ensure_open(found)
    couple = intake_services.couple_enrol(
        clinic=found.clinic,
        primary_clinician=primary_clinician,
        partners=partners,
        care_team=care_team,
    )
    found.status, found.couple, found.handled_by = DiscoveryRequest.Status.ENROLLED, couple, by
    found.save(update_fields=["status", "couple", "handled_by"])
    _record(by, found, "couple enrolled from a discovery request", where)
    return couple


# --- Retention -------------------------------------------------------------------------------
@transaction.atomic
def discovery_settings_update(
    *, by: User, clinic_id: int, retention_days: int, where: dict | None = None
) -> DiscoverySettings:
    """Change how long requests of couples who never enrol are kept (history keeps the old)."""
    policy.ensure(policy.can_manage_clinic, by, clinic_id, to="change the discovery settings")
    found = DiscoverySettings.objects.select_for_update().get(
        pk=DiscoverySettings.for_clinic(clinic_id).pk
    )
    found.retention_days = retention_days
    found.full_clean()
    found.save()
    audit.record_change(
        by=by, clinic_id=clinic_id, obj=found, detail="discovery retention days", where=where
    )
    return found


def _expired(clinic_id: int, retention_days: int, now: datetime.datetime):
    cutoff = now - datetime.timedelta(days=retention_days)
    never_enrolled = DiscoveryRequest.objects.filter(clinic_id=clinic_id, couple__isnull=True)
    return never_enrolled.filter(created_at__lt=cutoff).exclude(call_at__gte=cutoff)


@transaction.atomic
def discovery_requests_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the requests of couples who never enrolled, once older than their clinic's
    retention period (counted from the request, or from a later booked call), and the rate
    limit's old marks. Logs counts only. Safe to run twice."""
    now = now or timezone.now()
    kept_for = dict(DiscoverySettings.objects.values_list("clinic_id", "retention_days"))
    deleted = 0
    for clinic_id in Clinic.objects.values_list("pk", flat=True):
        days = kept_for.get(clinic_id, DiscoverySettings._meta.get_field("retention_days").default)
        count, _by_model = _expired(clinic_id, days, now).delete()
        deleted += count
    SubmissionMark.objects.filter(at__lt=now - MARK_KEPT_FOR).delete()
    logger.info("Deleted %d expired discovery-call requests", deleted)
    return deleted
