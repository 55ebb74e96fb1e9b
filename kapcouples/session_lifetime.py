"""Session lifetime rules and keeping a partner's typed work across a timeout.

Staff sessions end after KAP_STAFF_IDLE_MINUTES without a request, partners'
after KAP_PARTNER_IDLE_MINUTES, everyone's after KAP_SESSION_MAX_HOURS. When a
form is posted into a session that has just timed out, what was typed is kept
in the new anonymous session and handed back to the same user after they sign
in again, so a long intake step is never lost.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from kapcouples import policy

LOGIN_AT = "kap_login_at"
LAST_SEEN = "kap_last_seen"
KEPT_FORM = "kap_kept_form"
KEPT_FORM_MAX_CHARS = 200_000


def idle_limit(user) -> timedelta:
    if policy.role_of(user) == policy.Role.PARTNER:
        return timedelta(minutes=settings.KAP_PARTNER_IDLE_MINUTES)
    return timedelta(minutes=settings.KAP_STAFF_IDLE_MINUTES)


def expiry_reason(session, user, now: datetime) -> str | None:
    """Why this session is over, in words for the user, or None while it is still valid."""
    login_at, last_seen = session.get(LOGIN_AT), session.get(LAST_SEEN)
    max_hours = settings.KAP_SESSION_MAX_HOURS
    if login_at is not None and now.timestamp() - login_at > max_hours * 3600:
        return f"You were signed out because sessions last at most {max_hours} hours."
    if last_seen is not None:
        limit = idle_limit(user)
        if now.timestamp() - last_seen > limit.total_seconds():
            minutes = int(limit.total_seconds() // 60)
            return f"You were signed out after {minutes} minutes without activity."
    return None


def stamp_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """Receiver of user_logged_in: the absolute limit counts from the moment of sign-in."""
    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


# Last-seen is rewritten at most this often: a session row written on every request
# would cost each page an UPDATE, and the idle limits are minutes long.
TOUCH_RESOLUTION_SECONDS = 30


def touch(session, now: datetime) -> None:
    if LOGIN_AT not in session:
        session[LOGIN_AT] = now.timestamp()
    last_seen = session.get(LAST_SEEN)
    if last_seen is None or now.timestamp() - last_seen >= TOUCH_RESOLUTION_SECONDS:
        session[LAST_SEEN] = now.timestamp()


def keep_posted_form(request: HttpRequest, user_id: int) -> bool:
    """Store the fields of a POST that arrived too late, for the same user to get back."""
    fields = {
        name: values
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken" and "password" not in name
    }
    if not fields or sum(len(v) for vals in fields.values() for v in vals) > KEPT_FORM_MAX_CHARS:
        return False
    request.session[KEPT_FORM] = {"user_id": user_id, "path": request.path, "fields": fields}
    return True


def pop_kept_form(request: HttpRequest) -> QueryDict | None:
    """The fields kept for this user and page at their last timeout, once; else None."""
    kept = request.session.get(KEPT_FORM)
    if not kept or kept["path"] != request.path or kept["user_id"] != request.user.pk:
        return None
    del request.session[KEPT_FORM]
    data = QueryDict(mutable=True)
    for name, values in kept["fields"].items():
        data.setlist(name, values)
    return data
