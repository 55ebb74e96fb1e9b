"""The waitlist's pages: who may open them, offering a cancelled time, a partner answering."""

import re

import pytest
from django.urls import reverse

from kapcouples.models import AccessLog
from sessions.models import Appointment
from tests.waitlist.helpers import cancelled_slot, no_quiet_hours, second_couple, wait
from waitlist import services
from waitlist.models import OfferRecipient, SlotOffer, WaitlistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(cast):
    no_quiet_hours(cast)


def _offered(cast, *entries):
    slot = cancelled_slot(cast)
    return services.offer_send(appointment=slot, entries=list(entries), by=cast.front_desk)


def _offer_url(recipient) -> str:
    return reverse("waitlist:offer", kwargs={"recipient_id": recipient.pk})


def test_front_desk_puts_a_couple_on_the_waitlist_from_a_form(cast, client_for):
    client = client_for(cast.front_desk)
    url = reverse("waitlist:entry_add", kwargs={"couple_id": cast.couple.pk})
    data = {"kind": "preparation", "weekdays": ["1", "3"], "times_of_day": ["0"]}
    data["earliest_date"] = "2026-12-01"
    assert client.post(url, data).status_code == 302
    entry = WaitlistEntry.objects.get()
    assert entry.weekday_list == [1, 3] and entry.time_list == [0]


def test_a_form_without_days_says_so_next_to_the_field_and_keeps_the_rest(cast, client_for):
    client = client_for(cast.front_desk)
    url = reverse("waitlist:entry_add", kwargs={"couple_id": cast.couple.pk})
    data = {"kind": "preparation", "times_of_day": ["0"], "note": "Evenings are hard"}
    data["earliest_date"] = "2026-12-01"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose at least one weekday." in response.content.decode()
    assert "Evenings are hard" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_a_cancelled_appointment_shows_how_many_couples_match_and_offers_it(cast, client_for):
    slot = cancelled_slot(cast)
    entry = wait(cast)
    client = client_for(cast.front_desk)
    detail = client.get(
        reverse("clinic_sessions:appointment_detail", kwargs={"appointment_id": slot.pk})
    )
    assert "1 waitlisted couple matches this slot" in detail.content.decode()
    url = reverse("waitlist:slot", kwargs={"appointment_id": slot.pk})
    page = client.get(url).content.decode()
    assert "Alexa" in page and "waiting since" in page
    assert client.post(url, {"entries": [str(entry.pk)]}).status_code == 302
    assert SlotOffer.objects.get().recipients.get().entry == entry


def test_offering_with_no_couple_chosen_says_what_to_do(cast, client_for):
    slot = cancelled_slot(cast)
    wait(cast)
    url = reverse("waitlist:slot", kwargs={"appointment_id": slot.pk})
    response = client_for(cast.front_desk).post(url, {})
    assert "Choose at least one couple" in response.content.decode()
    assert not SlotOffer.objects.exists()


def test_a_partner_accepts_the_offered_time_from_their_portal(cast, client_for):
    entry = wait(cast)
    offer = _offered(cast, entry)
    client = client_for(cast.partner_a.user)
    home = client.get(reverse("portal")).content.decode()
    assert 'data-next-step="waitlist_offer"' in home
    recipient = offer.recipients.get()
    page = client.get(_offer_url(recipient)).content.decode()
    assert cast.clinic.name in page and "Accept this time" in page
    assert client.post(_offer_url(recipient), {"accept": "1"}).status_code == 302
    assert Appointment.objects.get(couple=cast.couple, start=offer.start).status == "booked"


def test_a_refused_acceptance_is_explained_on_the_offer_page(cast, client_for):
    entry = wait(cast, kind=Appointment.Kind.MEDICINE)
    slot = cancelled_slot(cast, Appointment.Kind.MEDICINE)
    offer = services.offer_send(appointment=slot, entries=[entry], by=cast.front_desk)
    client = client_for(cast.partner_a.user)
    response = client.post(_offer_url(offer.recipients.get()), {"accept": "1"})
    assert response.status_code == 200
    assert "medicine session can be booked only" in response.content.decode()
    assert OfferRecipient.objects.get().outcome == OfferRecipient.Outcome.PENDING


def test_another_couples_offer_is_not_found_and_the_attempt_is_logged(cast, client_for):
    offer = _offered(cast, wait(cast))
    intruder = cast.other_partner.user
    client = client_for(intruder)
    for method in (client.get, client.post):
        assert method(_offer_url(offer.recipients.get()), {"accept": "1"}).status_code == 404
    denied = AccessLog.objects.filter(action=AccessLog.Action.DENIED, user=intruder)
    assert denied.count() == 2
    assert SlotOffer.objects.get().status == SlotOffer.Status.OPEN


def test_a_partner_never_sees_who_else_was_offered_the_time(cast, client_for):
    rival = second_couple(cast)
    offer = _offered(cast, wait(cast), wait(cast, couple=rival))
    recipient = offer.recipients.get(entry__couple=cast.couple)
    page = client_for(cast.partner_a.user).get(_offer_url(recipient)).content.decode()
    for partner in rival.partners.all():  # as a word: a name such as "Lang" is in "Language"
        assert not re.search(rf"\b{re.escape(partner.last_name)}\b", page)
        assert partner.email not in page


def test_staff_and_partners_are_kept_to_their_own_pages(cast, client_for):
    offer = _offered(cast, wait(cast))
    staff_page = reverse("waitlist:slot", kwargs={"appointment_id": offer.cancelled_appointment_id})
    assert client_for(cast.partner_a.user).get(staff_page).status_code == 403
    assert client_for(cast.front_desk).get(_offer_url(offer.recipients.get())).status_code == 403
    other_clinic = client_for(cast.other_clinic_clinician).get(staff_page)
    assert other_clinic.status_code in (403, 404)


def test_a_partner_leaves_the_waitlist_and_another_couple_cannot(cast, client_for):
    entry = wait(cast)
    url = reverse("waitlist:entry_withdraw", kwargs={"entry_id": entry.pk})
    assert client_for(cast.other_partner.user).post(url).status_code == 404
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    mine = client_for(cast.partner_b.user)
    assert "Preparation session" in mine.get(reverse("waitlist:mine")).content.decode()
    assert mine.post(url).status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WITHDRAWN


def test_the_list_per_kind_takes_a_bounded_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    for _ in range(12):
        wait(cast, couple=second_couple(cast))
    client = client_for(cast.front_desk)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("waitlist:entry_list"), {"kind": "preparation"})
    assert response.content.decode().count('data-testid="entry-') == 12
