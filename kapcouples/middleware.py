import zoneinfo
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapcouples import audit, policy, session_lifetime
from kapcouples.models import Role, StaffMembership, User


class SessionTimeoutMiddleware:
    """Ends idle and over-long sessions, keeping a form posted just too late."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            reason = session_lifetime.expiry_reason(request.session, request.user, now)
            if reason:
                return self._end_session(request, reason)
            session_lifetime.touch(request.session, now)
        return self.get_response(request)

    def _end_session(self, request: HttpRequest, reason: str) -> HttpResponse:
        user_id = request.user.pk
        logout(request)
        if request.method == "POST" and session_lifetime.keep_posted_form(request, user_id):
            reason += " What you typed has been kept: sign in again to continue."
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"signed_out": True, "message": reason}, status=401)
        messages.warning(request, reason)
        next_path = request.get_full_path() if request.method == "GET" else request.path
        return redirect_to_login(next_path)


class ReaderTimezoneMiddleware:
    """Shows every time in the reader's zone: their clinic's (staff) or their own (partner).

    Times are stored in UTC; activating the zone for the request makes every template
    `date` filter, `{% now %}` and form field convert without each page remembering to.
    Signed out, and for operators without a clinic, times stay in UTC.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = reader_zone(request.user)
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def reader_zone(user) -> zoneinfo.ZoneInfo | None:
    """The zone `user` reads times in, or None for the default (UTC)."""
    if user.is_authenticated:
        _load_membership_with_clinic(user)
    role = policy.role_of(user)
    if role in policy.STAFF_ROLES or role in policy.OUTSIDE_ROLES:
        return user.membership.clinic.zone
    if role == Role.PARTNER:
        return zoneinfo.ZoneInfo(user.partner_profile.timezone)
    return None


def _load_membership_with_clinic(user) -> None:
    """Reads the membership (or its absence) with its clinic in the one query the access
    policy would make anyway, and caches it where `user.membership` finds it."""
    relation = User._meta.get_field("membership")
    if not relation.is_cached(user):
        found = StaffMembership.objects.select_related("clinic").filter(user_id=user.pk)
        membership = found.first()
        relation.set_cached_value(user, membership)


class StaffTwoFactorMiddleware:
    """Sends staff without a verified TOTP device to enrol or verify one first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.KAP_REQUIRE_STAFF_2FA or not request.user.is_authenticated:
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        if getattr(view_func, "access_roles", None) == policy.PUBLIC:
            return None
        if request.user.is_verified() or not policy.needs_second_factor(request.user):
            return None
        has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        target = reverse("two_factor_verify" if has_device else "two_factor_setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class MalformedInputMiddleware:
    """Answers 400 to input no browser sends: NUL in the path or query, bytes that are not UTF-8.

    Django would pass a NUL on to PostgreSQL, which refuses it (a 500), and would quietly
    turn undecodable bytes into U+FFFD, which could end up in a clinical record. A NUL in
    a form field is left to the form, whose field error keeps what was typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""):
            # A forged session cookie the database cannot look up: go on as if none was
            # sent (signed out); the session middleware then deletes the cookie.
            audit.logger.warning("NUL character in the session cookie: path=%s", request.path)
            request.session = request.session.__class__()
        problem = malformed_input(request)
        if problem:
            audit.record_denial(request, reason=f"malformed request: {problem}")
            return render(request, "400.html", status=400)
        return self.get_response(request)


def malformed_input(request: HttpRequest) -> str | None:
    """What makes this request unreadable, in words for the log, or None."""
    if "\x00" in request.path:
        return "NUL character in the path"
    query = _percent_decoded(_raw_query(request))
    if b"\x00" in query:
        return "NUL character in the query string"
    if not _is_utf8(query):
        return "query string is not UTF-8"
    is_form = request.content_type == "application/x-www-form-urlencoded"
    if is_form and not _is_utf8(_percent_decoded(request.body)):
        return "form body is not UTF-8"
    return None


def _raw_query(request: HttpRequest) -> bytes:
    query = request.META.get("QUERY_STRING", "")
    try:
        return query.encode("iso-8859-1")  # WSGI hands the bytes over as Latin-1 text
    except UnicodeEncodeError:
        return query.encode("utf-8")  # ASGI hands over text already decoded


def _percent_decoded(raw: bytes) -> bytes:
    return unquote_to_bytes(raw.replace(b"+", b" "))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class ReaderLanguageMiddleware:
    """Shows a partner's pages in the language they chose, and staff pages in English.

    Runs after the user is known; signed out, LocaleMiddleware's choice stands (the
    language switch's cookie, else the browser's Accept-Language).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = reader_language(request.user)
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def reader_language(user) -> str | None:
    """The language `user` reads pages in, or None to follow the request (signed out)."""
    if not user.is_authenticated:
        return None
    if policy.role_of(user) == Role.PARTNER:
        return user.partner_profile.language
    return settings.LANGUAGE_CODE
