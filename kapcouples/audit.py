"""Audit of reads and refusals (who, what, when, from where).

Changes to records are kept separately by django-simple-history.
"""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest

from kapcouples.models import AccessLog, User

logger = logging.getLogger("kapcouples.access")


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address, trusting X-Forwarded-For only as far as our own proxies."""
    proxies = settings.KAP_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def client_ip_for_axes(request: HttpRequest) -> str | None:
    return client_ip(request)


def clinic_id_of(user) -> int | None:
    """The clinic a user belongs to (staff membership or partner's couple), for filing logs."""
    if user is None:
        return None
    membership = getattr(user, "membership", None)
    if membership is not None:
        return membership.clinic_id
    partner = getattr(user, "partner_profile", None)
    return partner.couple.clinic_id if partner is not None else None


def _object_fields(obj) -> dict:
    if obj is None:
        return {}
    return {"object_type": obj._meta.label, "object_id": str(obj.pk)}


def _loggable_path(request: HttpRequest) -> str:
    # A refused path may hold a NUL, which PostgreSQL cannot store.
    return request.path.replace("\x00", "\ufffd")[:500]


def _user_or_none(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record_read(request: HttpRequest, obj, *, clinic_id: int) -> None:
    """Record that the signed-in user opened a partner-private or clinical page about `obj`."""
    AccessLog.objects.create(
        user=request.user,
        clinic_id=clinic_id,
        action=AccessLog.Action.READ,
        path=_loggable_path(request),
        ip_address=client_ip(request),
        **_object_fields(obj),
    )


def record_change(
    *, by: User, clinic_id: int, obj, detail: str, where: dict | None = None
) -> AccessLog:
    """Record that `by` changed `obj` (a clinic admin's action); `where` is path and IP."""
    return AccessLog.objects.create(
        user=by,
        clinic_id=clinic_id,
        action=AccessLog.Action.CHANGE,
        detail=detail[:500],
        **_object_fields(obj),
        **(where or {}),
    )


def where_from(request: HttpRequest) -> dict:
    """The path and address of a request, for `record_change`."""
    return {"path": request.path[:500], "ip_address": client_ip(request)}


def record_denial(request: HttpRequest, *, reason: str, obj=None) -> None:
    user = _user_or_none(request)
    logger.warning(
        "access denied: user=%s path=%s reason=%s", user and user.pk, request.path, reason
    )
    AccessLog.objects.create(
        user=user,
        clinic_id=getattr(obj, "clinic_id", None) or clinic_id_of(user),
        action=AccessLog.Action.DENIED,
        path=_loggable_path(request),
        ip_address=client_ip(request),
        detail=reason[:500],
        **_object_fields(obj),
    )


@receiver(user_locked_out)
def record_lockout(sender, request: HttpRequest, username: str, ip_address: str, **kwargs) -> None:
    logger.warning(
        "account locked out after failed logins: username=%s ip=%s", username, ip_address
    )
    account = User.objects.filter(email__iexact=username or "").first()
    AccessLog.objects.create(
        action=AccessLog.Action.LOCKOUT,
        user=account,
        clinic_id=clinic_id_of(account),
        path=request.path[:500] if request else "",
        ip_address=ip_address or None,
        detail=f"username {username}"[:500],
    )
