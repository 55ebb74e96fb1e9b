"""Walks every URL pattern: each view declares its audience and refuses everyone else."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kapcouples import policy
from kapcouples.models import AccessLog, Role
from tests.conftest import sign_in
from tests.discovery import url_walk as discovery_walk
from tests.factories import RoomFactory
from tests.groups import url_walk as groups_walk
from tests.intake import url_walk as intake_walk
from tests.integration import url_walk as integration_walk
from tests.messaging import url_walk as messaging_walk
from tests.outside import url_walk as outside_walk
from tests.sessions import url_walk as sessions_walk
from tests.waitlist import url_walk as waitlist_walk

# The only pages anyone may open without signing in. Adding one is a decision: say why.
PUBLIC_URL_NAMES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "health",
    "intake:invitation_accept",  # the partner has no password until the invitation sets one
    "staff_invitation_accept",  # likewise a newly invited staff member
    # A clinician's iCalendar feed: calendar apps cannot sign in. The secret, revocable token
    # in the URL is the credential; the feed shows only kind, couple initials and room.
    "clinic_sessions:feed",
    # The SMS provider's delivery reports and partners' texts (STOP): it cannot sign in; a
    # request without its signature over the address and fields is refused with a 403.
    "integration:sms_status",
    "integration:sms_inbound",
    # The language switch of the signed-out pages (login, password reset, invitation).
    "language_choose",
    # A prospective couple asks for a free call before they have any account; the page asks
    # no clinical questions, and a honeypot and a per-address rate limit keep bots out.
    "discovery:request_call",
    "discovery:request_thanks",
    # An at-home session's chaperone who is not a partner has no account: their single-use,
    # expiring link (stored as a digest, claimed by the first browser) is the credential; the
    # page shows only their name, the dosing partner's first name and the checks.
    "athome:chaperone_link",
}

USER_FOR_ROLE = {
    Role.CLINICIAN: "clinician",
    Role.PRESCRIBER: "prescriber",
    Role.FRONT_DESK: "front_desk",
    Role.CLINIC_ADMIN: "clinic_admin",
    Role.PARTNER: "partner_a",
}


def url_kwargs(cast) -> dict:
    """A real object for every URL parameter, so refusals are not just missing objects.

    Each app's tests name theirs in tests/<app>/url_walk.py.
    """
    kwargs = {
        "uidb64": "MQ",
        "token": "set-password",
        "membership_id": cast.clinician.membership.pk,
        "room_id": _room_of(cast).pk,
        "version": 1,
    }
    for module in (
        intake_walk,
        sessions_walk,
        integration_walk,
        messaging_walk,
        discovery_walk,
        groups_walk,
        outside_walk,
        waitlist_walk,
    ):
        kwargs.update(module.url_kwargs(cast))
    return kwargs


def _room_of(cast):
    if not hasattr(cast, "_admin_walk_room"):
        cast._admin_walk_room = RoomFactory(clinic=cast.clinic)
    return cast._admin_walk_room


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def app_patterns():
    patterns = walk(get_resolver().url_patterns)
    return [(name, p) for name, p in patterns if not name.startswith("admin:")]


def pattern_id(value) -> str:
    return value if isinstance(value, str) else ""


def build_url(name: str, pattern: URLPattern, cast) -> str:
    known = url_kwargs(cast)
    params = list(pattern.pattern.converters)
    missing = [p for p in params if p not in known]
    assert not missing, f"{name}: add {missing} to url_kwargs() so the walk can test it"
    return reverse(name, kwargs={p: known[p] for p in params})


def is_redirect_to_login(response) -> bool:
    return response.status_code == 302 and "/login/" in response["Location"]


def test_it_finds_the_url_patterns():
    names = {name for name, _ in app_patterns()}
    assert {"home", "login", "health", "intake:partner_detail"} <= names


@pytest.mark.parametrize("name,pattern", app_patterns(), ids=pattern_id)
def test_every_view_declares_its_audience(name, pattern):
    access = getattr(pattern.callback, "access_roles", None)
    assert access is not None, f"{name} has no @public/@authenticated/@allow declaration"
    assert (access == policy.PUBLIC) == (name in PUBLIC_URL_NAMES), f"{name}: public list mismatch"


@pytest.mark.parametrize("name,pattern", app_patterns(), ids=pattern_id)
def test_anonymous_users_are_sent_to_login_or_refused(name, pattern, cast, client):
    if name in PUBLIC_URL_NAMES:
        return
    for method in (client.get, client.post):
        response = method(build_url(name, pattern, cast))
        assert is_redirect_to_login(response) or response.status_code in (403, 404), (
            f"{name} answered {response.status_code} to an anonymous {method.__name__}"
        )


@pytest.mark.parametrize("name,pattern", app_patterns(), ids=pattern_id)
def test_users_of_a_wrong_role_are_refused_and_logged(name, pattern, cast):
    allowed = pattern.callback.access_roles
    if allowed in (policy.PUBLIC, policy.AUTHENTICATED):
        return
    for role in set(USER_FOR_ROLE) - set(allowed):
        user = cast.user(USER_FOR_ROLE[role])
        client = sign_in(Client(), user)
        before = AccessLog.objects.filter(action=AccessLog.Action.DENIED, user=user).count()
        response = client.get(build_url(name, pattern, cast))
        status = response.status_code
        assert status in (403, 404), f"{name} let a {role} in ({status})"
        after = AccessLog.objects.filter(action=AccessLog.Action.DENIED, user=user).count()
        assert after == before + 1, f"{name}: refusal of a {role} was not logged"


@pytest.mark.parametrize("user_name", [None, "clinician", "partner_a", "clinic_admin"])
def test_the_operators_admin_site_is_closed_to_everyone_but_operators(user_name, cast, client):
    if user_name:
        sign_in(client, cast.user(user_name))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
