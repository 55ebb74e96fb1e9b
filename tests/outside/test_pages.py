"""The outside prescriber's pages and the clinic admin's grant pages, through the client."""

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Couple
from kapcouples.models import Role
from outside.models import OutsidePrescriberGrant
from tests.factories import CoupleFactory, PartnerFactory, StaffFactory
from tests.intake.factories import IntakeFormFactory
from tests.outside.helpers import grant, outside_prescriber


@pytest.fixture
def granted(cast):
    return outside_prescriber(cast, cast.couple)


def test_an_outside_prescriber_lands_on_their_couples(cast, granted, client_for):
    response = client_for(granted).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("outside:home")


def test_their_home_lists_granted_couples_only_with_what_waits_there(cast, granted, client_for):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)  # a review to sign
    IntakeFormFactory(partner=cast.other_partner, submitted=True)  # not theirs
    response = client_for(granted).get(reverse("outside:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alexa" in page and "Bobbie" in page
    assert cast.other_partner.full_name not in page
    reviews = response.context["waiting"].reviews
    assert [item.label for item in reviews] == [cast.partner_a.full_name]
    assert reverse("intake:review_create", kwargs={"partner_id": cast.partner_a.pk}) in page


def test_their_navigation_holds_their_couples_and_nothing_of_the_clinic(granted, client_for):
    response = client_for(granted).get(reverse("outside:home"))
    assert [item[0] for item in response.context["nav_items"]] == ["outside:home"]


def test_their_home_reads_in_a_bounded_number_of_queries(
    cast, granted, client_for, django_assert_max_num_queries
):
    client = client_for(granted)
    client.get(reverse("outside:home"))  # warm the session and caches
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("outside:home"))
    for _ in range(4):
        couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
        for slot in (1, 2):
            IntakeFormFactory(partner=PartnerFactory(couple=couple, slot=slot), submitted=True)
        grant(cast, granted, couple)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("outside:home"))
    assert len(response.context["couples"]) == 5


def test_without_a_second_factor_they_are_sent_to_enrol_one(granted):
    client = Client()
    client.force_login(granted)
    response = client.get(reverse("outside:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_a_revoked_couple_disappears_from_their_home_and_its_pages_answer_404(
    cast, granted, client_for
):
    client = client_for(granted)
    screening = reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_a.pk})
    assert client.get(screening).status_code == 200
    admin = client_for(cast.clinic_admin)
    made = granted.outside_grants.get()
    url = reverse("outside:grant_revoke", kwargs={"grant_id": made.pk})
    assert admin.post(url, {"reason": "Care handed back"}).status_code == 302
    assert client.get(screening).status_code == 404
    assert client.get(reverse("outside:home")).context["couples"] == []


# --- The clinic admin's pages ------------------------------------------------------------------
def test_the_admin_invites_an_outside_prescriber_for_named_couples(cast, client_for):
    response = client_for(cast.clinic_admin).post(
        reverse("outside:invite"),
        {
            "full_name": "Dr. Far Away",
            "email": "far@elsewhere.example",
            "couples": [cast.couple.pk],
            "reason": "Referring psychiatrist",
        },
    )
    assert response.status_code == 302
    made = OutsidePrescriberGrant.objects.get()
    assert made.prescriber.membership.role == Role.OUTSIDE_PRESCRIBER
    assert made.couple == cast.couple and made.granted_by == cast.clinic_admin


def test_an_invitation_without_a_couple_says_so_beside_the_field_and_keeps_the_rest(
    cast, client_for
):
    response = client_for(cast.clinic_admin).post(
        reverse("outside:invite"),
        {"full_name": "Dr. Far Away", "email": "far@elsewhere.example", "reason": "Referral"},
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["couples"] == ["Choose at least one couple they will prescribe for."]
    page = response.content.decode()
    assert 'value="Dr. Far Away"' in page and 'value="far@elsewhere.example"' in page


def test_the_admin_grants_another_couple_and_sees_every_grant(cast, granted, client_for):
    admin = client_for(cast.clinic_admin)
    response = admin.post(
        reverse("outside:grant_add"),
        {"prescriber": granted.pk, "couple": cast.other_couple.pk, "reason": "Second referral"},
    )
    assert response.status_code == 302
    assert set(granted.outside_grants.active().values_list("couple", flat=True)) == {
        cast.couple.pk,
        cast.other_couple.pk,
    }
    page = admin.get(reverse("outside:grant_list")).content.decode()
    assert page.count('data-testid="grant"') == 2 and "Second referral" in page


def test_granting_a_couple_twice_is_shown_beside_the_couple(cast, granted, client_for):
    response = client_for(cast.clinic_admin).post(
        reverse("outside:grant_add"),
        {"prescriber": granted.pk, "couple": cast.couple.pk, "reason": "Again"},
    )
    assert response.status_code == 200
    assert "already has access" in response.context["form"].errors["couple"][0]


def test_the_grant_list_reads_in_a_bounded_number_of_queries(
    cast, granted, client_for, django_assert_max_num_queries
):
    admin = client_for(cast.clinic_admin)
    admin.get(reverse("outside:grant_list"))
    with django_assert_max_num_queries(30) as few:
        admin.get(reverse("outside:grant_list"))
    for name in ("Ann", "Ben", "Cy"):
        other = outside_prescriber(cast, cast.other_couple, name=f"Dr. {name}")
        grant(cast, other, CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician))
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get(reverse("outside:grant_list"))


def test_another_clinics_admin_gets_404_for_a_grant(cast, granted, client_for):
    stranger = StaffFactory(clinic=cast.other_clinic, role=Role.CLINIC_ADMIN)
    url = reverse("outside:grant_revoke", kwargs={"grant_id": granted.outside_grants.get().pk})
    assert client_for(stranger).post(url, {"reason": "x"}).status_code == 404
    assert OutsidePrescriberGrant.objects.get().is_active


def test_the_general_staff_invitation_does_not_offer_the_outside_role(cast, client_for):
    response = client_for(cast.clinic_admin).get(reverse("clinic_admin:staff_invite"))
    roles = dict(response.context["form"].fields["role"].choices)
    assert Role.OUTSIDE_PRESCRIBER not in roles and Role.PRESCRIBER in roles


def test_the_couples_offered_are_the_clinics_own_in_care(cast, client_for):
    CoupleFactory(clinic=cast.other_clinic)
    done = CoupleFactory(
        clinic=cast.clinic, primary_clinician=cast.clinician, status=Couple.Status.COMPLETED
    )
    response = client_for(cast.clinic_admin).get(reverse("outside:invite"))
    offered = set(response.context["form"].fields["couples"].queryset)
    assert offered == {cast.couple, cast.other_couple} and done not in offered


def test_the_session_record_offers_them_the_sign_off_but_not_the_plans_therapy_content(
    cast, granted, client_for
):
    from tests.outside.helpers import session_under_way
    from tests.sessions.record_helpers import vitals

    session = session_under_way(cast)
    session.couple.treatment_plan.relational_intention = "Curiosity over defence"
    session.couple.treatment_plan.save()
    reading = vitals(cast, session, cast.partner_a, 145, 85)
    url = reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})
    page = client_for(granted).get(url).content.decode()
    sign_off = reverse(
        "clinic_sessions:vitals_acknowledge",
        kwargs={"session_id": session.pk, "vitals_id": reading.pk},
    )
    assert sign_off in page
    assert "Curiosity over defence" not in page and "Prepared beforehand" not in page
    assert "Curiosity over defence" in client_for(cast.clinician).get(url).content.decode()
    response = client_for(granted).post(sign_off, {"reason": ""})
    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.acknowledged_by == granted


def test_the_screening_page_shows_them_reviews_and_the_prescription_button(
    cast, granted, client_for
):
    from tests.intake.factories import ReviewFactory

    review = ReviewFactory(partner=cast.partner_a, reviewer=cast.prescriber)
    url = reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_a.pk})
    page = client_for(granted).get(url).content.decode()
    assert reverse("intake:review_detail", kwargs={"review_id": review.pk}) in page
    assert reverse("intake:prescription_create", kwargs={"partner_id": cast.partner_a.pk}) in page


def test_their_staff_page_shows_their_role_and_refuses_changing_it(cast, granted, client_for):
    url = reverse("clinic_admin:staff_detail", kwargs={"membership_id": granted.membership.pk})
    admin = client_for(cast.clinic_admin)
    assert admin.get(url).context["form"]["role"].value() == Role.OUTSIDE_PRESCRIBER
    response = admin.post(url, {"role": Role.PRESCRIBER})
    assert "stays one" in response.context["form"].errors["role"][0]
    granted.membership.refresh_from_db()
    assert granted.membership.role == Role.OUTSIDE_PRESCRIBER
