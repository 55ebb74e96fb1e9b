"""The URL walk for the outside prescriber: every URL pattern is either one of the pages
opened to them (for a couple they are granted) or refused and logged; with a couple they are
not granted, every opened page answers 404, as for a couple that does not exist."""

import pytest
from django.test import Client

from kapcouples import policy
from kapcouples.models import AccessLog, Role
from tests.conftest import sign_in
from tests.kapcouples.test_url_access import app_patterns, build_url, pattern_id
from tests.outside.url_walk import walkers

# The pages opened to an outside prescriber, each for the couples granted to them. Adding one
# is a decision: the issue opens screening, reviews, prescriptions and session sign-offs only.
OPENED = {
    "outside:home",  # their own couples and what waits for them there
    "intake:partner_screening",
    "intake:intake_overview",  # read-only for them: the partner fills it in
    "intake:intake_version",  # the intake a contraindication review is signed on
    "intake:questionnaire_detail",
    "intake:questionnaire_acknowledge",  # a C-SSRS or PHQ-9 flag is part of screening
    "intake:review_create",
    "intake:review_detail",
    "intake:prescription_create",
    "intake:prescription_cancel",
    "clinic_sessions:session_record",  # read-only for them: the readings they sign off
    "clinic_sessions:vitals_acknowledge",
    "clinic_sessions:readiness_override",
}
POST_ONLY = {"intake:questionnaire_acknowledge", "clinic_sessions:vitals_acknowledge"}
PATTERNS = app_patterns()


def opened_to_outside_prescribers() -> set[str]:
    return {
        name
        for name, pattern in PATTERNS
        if Role.OUTSIDE_PRESCRIBER in getattr(pattern.callback, "access_roles", ())
    }


def denials(user) -> int:
    return AccessLog.objects.filter(action=AccessLog.Action.DENIED, user=user).count()


def open_as(client, name: str, url: str):
    return client.post(url) if name in POST_ONLY else client.get(url)


def test_it_opens_exactly_the_listed_pages_to_outside_prescribers():
    assert opened_to_outside_prescribers() == OPENED


@pytest.mark.parametrize("name,pattern", PATTERNS, ids=pattern_id)
def test_a_granted_outside_prescriber_opens_only_the_listed_pages(name, pattern, cast):
    access = pattern.callback.access_roles
    if access in (policy.PUBLIC, policy.AUTHENTICATED):
        return
    user = walkers(cast)["granted"]
    client = sign_in(Client(), user)
    url = build_url(name, pattern, cast)
    before = denials(user)
    response = open_as(client, name, url)
    if name in OPENED:
        assert response.status_code in (200, 302), f"{name} answered {response.status_code}"
        assert denials(user) == before
    else:
        assert response.status_code in (403, 404), f"{name} let an outside prescriber in"
        assert denials(user) == before + 1, f"{name}: the refusal was not logged"


@pytest.mark.parametrize("name", sorted(OPENED - {"outside:home"}))
def test_an_opened_page_of_a_couple_not_granted_answers_404_and_is_logged(name, cast):
    pattern = dict(PATTERNS)[name]
    user = walkers(cast)["other"]  # granted the other couple, not the walk's
    client = sign_in(Client(), user)
    response = open_as(client, name, build_url(name, pattern, cast))
    assert response.status_code == 404, f"{name} answered {response.status_code}"
    assert denials(user) == 1


@pytest.mark.parametrize("name", sorted(OPENED - {"outside:home"}))
def test_an_opened_page_answers_404_once_the_grant_is_revoked(name, cast):
    user = walkers(cast)["granted"]
    client = sign_in(Client(), user)
    url = build_url(name, dict(PATTERNS)[name], cast)
    assert open_as(client, name, url).status_code in (200, 302)
    grant = user.outside_grants.get()
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = (
        grant.granted_at,
        cast.clinic_admin,
        "x",
    )
    grant.save()
    assert open_as(client, name, url).status_code == 404
