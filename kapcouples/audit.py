"""Audit of reads and refusals (who, what, when, from where).

Changes to records are kept separately by django-simple-history. The log is append-only
(database triggers refuse UPDATE and DELETE), so repeated reads are folded by not writing
them rather than by counting them on an earlier row.
"""

import datetime
import logging
from dataclasses import dataclass

from axes.signals import user_locked_out
from django.conf import settings
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

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


# Reads of the same page by the same person within this window are one entry.
FOLD_WINDOW = datetime.timedelta(seconds=60)
# The first of these an object has is the date its name carries ("…, 30 Nov").
_DATE_FIELDS = ("start", "started_at", "completed_at", "submitted_at", "signed_at", "raised_at")


@dataclass(frozen=True)
class Subject:
    """What a log row is about, named when it is written (initials only, so the log itself
    discloses little) and filed under its couple and partner for filtering."""

    couple_id: int | None
    partner_id: int | None
    label: str


def _is(obj, label: str) -> bool:
    return obj is not None and obj._meta.label == label


def _has_field(obj, name: str) -> bool:
    return any(field.name == name for field in obj._meta.concrete_fields)


def _cached(obj, name: str):
    """A related object already loaded on `obj`, or None (without a query)."""
    return obj._state.fields_cache.get(name) if _has_field(obj, name) else None


def initials(partner) -> str:
    return f"{partner.first_name[:1]}.{partner.last_name[:1]}."


def _partner_of(obj):
    if _is(obj, "intake.Partner"):
        return obj
    return getattr(obj, "partner", None) if _has_field(obj, "partner") else None


def _couple_id_of(obj, partner) -> int | None:
    if _is(obj, "intake.Couple"):
        return obj.pk
    if _has_field(obj, "couple"):
        return obj.couple_id
    return partner.couple_id if partner is not None else None


def _couple_of(obj):
    """The couple whose initials name `obj` (only asked when no one partner is named)."""
    if _is(obj, "intake.Couple"):
        return obj
    return obj.couple if _has_field(obj, "couple") else None


def _couple_initials(couple) -> str:
    names = [initials(p) for p in couple.partners.all()]
    return " & ".join(names) or f"couple {couple.pk}"


def _kind_name(obj) -> str:
    """`PHQ-9`, `Medicine session` (a code or kind choice) before the model's own name."""
    for name in ("code", "kind"):
        if _has_field(obj, name) and obj._meta.get_field(name).choices:
            return str(getattr(obj, f"get_{name}_display")())
    return str(obj._meta.verbose_name).capitalize()


def _date_of(obj, couple) -> str:
    appointment = _cached(obj, "appointment")
    found = getattr(appointment, "start", None) or next(
        (getattr(obj, f) for f in _DATE_FIELDS if _has_field(obj, f) and getattr(obj, f)), None
    )
    if not isinstance(found, datetime.datetime):
        return ""
    clinic = couple._state.fields_cache.get("clinic") if couple is not None else None
    local = timezone.localtime(found, clinic.zone if clinic is not None else None)
    return f"{local.day} {local:%b}"


def describe(obj) -> Subject:
    """Name `obj` for the log: "Medicine session of A.R. & S.R., 30 Nov", "Partner A.R."."""
    partner = _partner_of(obj)
    couple = _couple_of(obj) if partner is None else _cached(partner, "couple")
    who = initials(partner) if partner is not None else couple and _couple_initials(couple)
    if _is(obj, "intake.Couple") or _is(obj, "intake.Partner"):
        label = f"{_kind_name(obj)} {who}"
    else:
        named = f"{_kind_name(obj)} of {who}" if who else _kind_name(obj)
        label = ", ".join(filter(None, [named, _date_of(obj, couple)]))
    return Subject(
        couple_id=_couple_id_of(obj, partner),
        partner_id=partner.pk if partner is not None else None,
        label=label[:200],
    )


def object_fields(obj) -> dict:
    if obj is None:
        return {}
    subject = describe(obj)
    return {
        "object_type": obj._meta.label,
        "object_id": str(obj.pk),
        "couple_id": subject.couple_id,
        "partner_id": subject.partner_id,
        "subject": subject.label,
    }


def _loggable_path(request: HttpRequest) -> str:
    # A refused path may hold a NUL, which PostgreSQL cannot store.
    return request.path.replace("\x00", "\ufffd")[:500]


def _user_or_none(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _insert_unless_read_just_now(values: dict) -> None:
    """Insert the read, in one statement, unless the same person read the same page within
    the fold window (the look-up is served by the clinic-user-time index). One statement
    whether it folds or not, so a page costs the same number of queries on every visit."""
    fields = [AccessLog._meta.get_field(name) for name in values]
    table = AccessLog._meta.db_table
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    # PostgreSQL types the bare parameters of an INSERT … SELECT as text: cast each one.
    cast = connection.vendor == "postgresql"
    placeholders = ", ".join(
        f"CAST(%s AS {field.db_type(connection)})" if cast else "%s" for field in fields
    )
    since = "CAST(%s AS timestamp with time zone)" if cast else "%s"
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {placeholders} WHERE NOT EXISTS ("
        f"SELECT 1 FROM {table} WHERE clinic_id = %s AND user_id = %s AND action = %s"
        f" AND path = %s AND at >= {since})"
    )
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    at_field = AccessLog._meta.get_field("at")
    window_start = at_field.get_db_prep_save(values["at"] - FOLD_WINDOW, connection)
    params += [values["clinic"], values["user"], values["action"], values["path"], window_start]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record_read(
    request: HttpRequest,
    obj,
    *,
    clinic_id: int,
    user=None,
    path: str | None = None,
    subject: str = "",
) -> None:
    """Record that a person opened a partner-private or clinical page about `obj`.

    `user` names the reader where the request has none signed in (a calendar feed read by
    its token); `path` replaces a request path that holds a secret. A second read of the
    same page by the same person within a minute writes nothing (the log is append-only,
    so the first row stands for both).
    """
    fields = {
        "object_type": "",
        "object_id": "",
        "couple_id": None,
        "partner_id": None,
        "subject": subject[:200],
        **object_fields(obj),
    }
    _insert_unless_read_just_now(
        {
            "at": timezone.now(),
            "user": (user or request.user).pk,
            "clinic": clinic_id,
            "action": AccessLog.Action.READ,
            "path": (path or _loggable_path(request))[:500],
            "ip_address": client_ip(request),
            "detail": "",
            **fields,
        }
    )


def record_export(request: HttpRequest, *, clinic_id: int, query: str) -> None:
    """Record that the signed-in user downloaded the audit log, with the filters used."""
    AccessLog.objects.create(
        user=request.user,
        clinic_id=clinic_id,
        action=AccessLog.Action.EXPORT,
        path=_loggable_path(request),
        ip_address=client_ip(request),
        subject="Audit log (CSV)",
        detail=(f"filters: {query}" if query else "filters: none")[:500],
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
        **object_fields(obj),
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
        **object_fields(obj),
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
