"""The front desk's inbox: staff of the request's clinic read it (audited), the front desk and
the clinic admin book the call or close it, the front desk enrols the couple from it; other
clinics do not learn a request exists and partners are refused."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from discovery import services
from discovery.models import DiscoveryRequest
from intake.models import Couple
from kapcouples import policy
from kapcouples.models import AccessLog
from tests.discovery.helpers import make_request

pytestmark = pytest.mark.django_db


def url(name: str, found) -> str:
    return reverse(f"discovery:{name}", kwargs={"discovery_request_id": found.pk})


def call_slot(clinic, days: int = 2) -> tuple[datetime.datetime, dict]:
    """A whole-hour time `days` ahead, and the form fields naming it in the clinic's zone."""
    local = timezone.localtime(timezone.now() + datetime.timedelta(days=days), clinic.zone)
    local = local.replace(minute=0, second=0, microsecond=0)
    return local, {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}


def test_the_inbox_lists_only_the_own_clinics_requests_open_ones_first(cast, client_for):
    closed = make_request(cast.clinic, first_name="Closed", status="declined")
    new = make_request(cast.clinic, first_name="Newest")
    make_request(cast.other_clinic, first_name="Elsewhere")
    response = client_for(cast.front_desk).get(reverse("discovery:inbox"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["requests"]] == [new.pk, closed.pk]
    assert "Elsewhere" not in response.text


def test_the_inbox_filters_by_status(cast, client_for):
    make_request(cast.clinic, first_name="Open")
    declined = make_request(cast.clinic, first_name="Closed", status="declined")
    response = client_for(cast.clinic_admin).get(reverse("discovery:inbox") + "?status=declined")
    assert [r.pk for r in response.context["requests"]] == [declined.pk]


def _add_requests(cast, count: int) -> None:
    for n in range(count):
        found = make_request(cast.clinic, first_name=f"Person {n}")
        if n % 3 == 0:
            services.discovery_request_decline(discovery_request=found, by=cast.front_desk)


def test_the_inbox_lists_many_requests_in_a_bounded_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.front_desk)
    client.get(reverse("discovery:inbox"))  # the session and settings rows settle
    _add_requests(cast, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("discovery:inbox"))
    _add_requests(cast, 30)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("discovery:inbox"))
    assert len(response.context["requests"]) == 33
    assert len(few) <= 12


def test_the_nav_counts_new_requests_for_the_front_desk(cast, client_for):
    make_request(cast.clinic)
    make_request(cast.clinic)
    make_request(cast.clinic, status="declined")
    make_request(cast.other_clinic)  # another clinic's request is not ours to answer
    response = client_for(cast.front_desk).get(reverse("discovery:inbox"))
    item = [i for i in response.context["nav_items"] if i[0] == "discovery:inbox"]
    assert item and item[0][2] == 2


def test_a_staff_read_of_a_request_is_audited(cast, client_for):
    found = make_request(cast.clinic)
    response = client_for(cast.clinician).get(url("detail", found))
    assert response.status_code == 200
    assert "robin.kai@example.com" in response.text
    assert "Book the call" not in response.text  # the care team reads; it does not answer
    assert AccessLog.objects.filter(
        action=AccessLog.Action.READ, user=cast.clinician, object_id=str(found.pk)
    ).exists()


@pytest.mark.parametrize("page", ["detail", "enrol"])
def test_another_clinics_staff_get_a_logged_404(cast, client_for, page):
    found = make_request(cast.clinic)
    other_desk_user = cast.other_clinic_clinician
    response = client_for(other_desk_user).get(url(page, found))
    if page == "enrol":  # the clinician's role is refused before the object is looked up
        assert response.status_code == 403
        return
    assert response.status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.DENIED, user=other_desk_user).exists()


def test_another_clinics_front_desk_cannot_book_nor_enrol(cast, client_for):
    from tests.factories import StaffFactory

    other_desk = StaffFactory(clinic=cast.other_clinic, role="front_desk")
    found = make_request(cast.clinic)
    client = client_for(other_desk)
    _local, fields = call_slot(cast.clinic)
    assert client.post(url("book_call", found), fields).status_code == 404
    assert client.get(url("enrol", found)).status_code == 404
    found.refresh_from_db()
    assert found.status == DiscoveryRequest.Status.NEW


def test_partners_are_refused(cast, client_for):
    found = make_request(cast.clinic)
    client = client_for(cast.partner_a.user)
    assert client.get(reverse("discovery:inbox")).status_code == 403
    assert client.get(url("detail", found)).status_code == 403


def test_the_front_desk_books_the_call_in_the_clinics_time_zone(cast, client_for):
    found = make_request(cast.clinic)
    local, fields = call_slot(cast.clinic)
    response = client_for(cast.front_desk).post(url("book_call", found), fields)
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == DiscoveryRequest.Status.CALL_BOOKED
    assert found.call_at == local and found.handled_by == cast.front_desk
    assert AccessLog.objects.filter(action=AccessLog.Action.CHANGE, user=cast.front_desk).exists()


def test_a_call_in_the_past_is_refused_beside_the_date(cast, client_for):
    found = make_request(cast.clinic)
    _local, fields = call_slot(cast.clinic, days=-1)
    response = client_for(cast.clinic_admin).post(url("book_call", found), fields)
    assert response.status_code == 400
    assert response.context["book_form"].errors["date"] == [
        "Choose a time still to come for the call."
    ]
    found.refresh_from_db()
    assert found.status == DiscoveryRequest.Status.NEW


def test_a_clinician_may_not_book_the_call_even_through_the_service(cast):
    found = make_request(cast.clinic)
    with pytest.raises(policy.NotAllowed, match="can_handle_discovery_request"):
        services.discovery_call_book(
            discovery_request=found,
            by=cast.clinician,
            call_at=timezone.now() + datetime.timedelta(days=1),
        )


def test_the_front_desk_marks_a_request_declined(cast, client_for):
    found = make_request(cast.clinic)
    client_for(cast.front_desk).post(url("decline", found))
    found.refresh_from_db()
    assert found.status == DiscoveryRequest.Status.DECLINED


ENROL_POST = {
    "p1_first_name": "Robin",
    "p1_last_name": "Ames",
    "p1_email": "robin.kai@example.com",
    "p2_first_name": "Kai",
    "p2_last_name": "Ames",
    "p2_email": "kai@example.com",
}


def test_enrol_opens_the_enrolment_form_pre_filled_from_the_request(cast, client_for):
    found = make_request(cast.clinic)
    response = client_for(cast.front_desk).get(url("enrol", found))
    form = response.context["form"]
    assert form["p1_first_name"].value() == "Robin"
    assert form["p1_email"].value() == "robin.kai@example.com"
    assert form["p2_first_name"].value() == "Kai"
    assert 'value="robin.kai@example.com"' in response.text


def test_enrolling_makes_the_couple_and_links_the_request(cast, client_for):
    found = make_request(cast.clinic)
    data = {**ENROL_POST, "primary_clinician": cast.clinician.pk}
    response = client_for(cast.front_desk).post(url("enrol", found), data)
    found.refresh_from_db()
    assert found.status == DiscoveryRequest.Status.ENROLLED
    couple = found.couple
    assert response["Location"] == reverse("intake:couple_detail", kwargs={"couple_id": couple.pk})
    assert couple.clinic == cast.clinic and couple.primary_clinician == cast.clinician
    assert sorted(p.email for p in couple.partners.all()) == [
        "kai@example.com",
        ENROL_POST["p1_email"],
    ]
    # A second enrolment from the same request is refused: no second couple.
    again = client_for(cast.front_desk).post(url("enrol", found), data)
    assert "already enrolled" in again.text
    assert Couple.objects.filter(clinic=cast.clinic).count() == 3  # the cast's two and this one


def test_a_refused_enrolment_keeps_the_request_open_and_what_was_typed(cast, client_for):
    found = make_request(cast.clinic, email=cast.partner_a.email)
    data = {**ENROL_POST, "p1_email": cast.partner_a.email, "primary_clinician": cast.clinician.pk}
    response = client_for(cast.front_desk).post(url("enrol", found), data)
    assert response.status_code == 200
    assert "already has an account here" in response.text
    assert 'value="Ames"' in response.text
    found.refresh_from_db()
    assert found.status == DiscoveryRequest.Status.NEW and found.couple is None


def test_the_clinic_admin_may_not_enrol(cast, client_for):
    found = make_request(cast.clinic)
    assert client_for(cast.clinic_admin).get(url("enrol", found)).status_code == 403
    with pytest.raises(policy.NotAllowed, match="can_enrol_from_discovery_request"):
        services.discovery_request_enrol(
            discovery_request=found,
            by=cast.clinic_admin,
            primary_clinician=cast.clinician,
            partners=[],
        )
