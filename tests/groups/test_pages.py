"""Group pages: who may open them, what each reader sees, and that one couple's private
data never reaches a partner of another couple."""

import datetime

import pytest
from django.urls import reverse

from groups.models import GroupSession
from intake.models import Couple
from tests.groups.helpers import book_group, group_couple, make_group_ready, make_program
from tests.sessions.factories import local, make_plan, tomorrow

PREP = GroupSession.Kind.PREPARATION


@pytest.fixture
def group(cast):
    """Two couples in one program with a preparation session booked."""
    ana = group_couple(cast, "Anabel", "Bertram", last="Quixley")
    cleo = group_couple(cast, "Cleopatra", "Desmond", last="Zanetti")
    program = make_program(cast, [ana.couple, cleo.couple])
    start = local(cast, tomorrow(cast) + datetime.timedelta(days=3), 10)
    session = book_group(cast, program, PREP, start)
    return program, session, ana, cleo


def _group_urls(program, session) -> list[str]:
    return [
        reverse("groups:program_list"),
        reverse("groups:program_detail", kwargs={"program_id": program.pk}),
        reverse("groups:session_book", kwargs={"program_id": program.pk}),
        reverse("groups:session_detail", kwargs={"group_session_id": session.pk}),
        reverse("groups:session_cancel", kwargs={"group_session_id": session.pk}),
        reverse("groups:partner_sessions"),
    ]


def test_a_partner_never_sees_another_couples_data_on_any_group_page(cast, group, client_for):
    program, session, ana, cleo = group
    client = client_for(ana.partner_a.user)
    loaded = []
    for url in _group_urls(program, session):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        if response.status_code == 200:
            loaded.append(url)
            page = response.content.decode()
            for secret in ("Cleopatra", "Desmond", "Zanetti", cleo.partner_a.email):
                assert secret not in page, (url, secret)
    assert loaded == [reverse("groups:partner_sessions")]


def test_a_partner_sees_the_times_and_room_of_their_group_sessions(cast, group, client_for):
    program, _session, ana, _cleo = group
    page = client_for(ana.partner_b.user).get(reverse("groups:partner_sessions"))
    assert page.status_code == 200
    assert program.room.name in page.content.decode()
    assert len(page.context["rows"]) == 1 and page.context["rows"][0].own_seat is not None


def test_first_names_only_and_only_when_the_clinic_shares_them(cast, group, client_for):
    program, _session, ana, _cleo = group
    program.share_first_names = True
    program.save()
    page = client_for(ana.partner_a.user).get(reverse("groups:partner_sessions")).content.decode()
    assert "Cleopatra" in page and "Desmond" in page
    assert "Zanetti" not in page


def test_a_partner_of_a_couple_outside_the_program_sees_no_group_session(cast, group, client_for):
    page = client_for(cast.partner_a.user).get(reverse("groups:partner_sessions"))
    assert page.context["rows"] == []


def test_the_care_team_sees_each_couples_unmet_items_and_front_desk_only_their_titles(
    cast, group, client_for
):
    program, _session, ana, _cleo = group
    make_plan(ana)  # it names who doses: the screening items then name the partners
    url = reverse("groups:program_detail", kwargs={"program_id": program.pk})
    clinical = client_for(cast.clinician).get(url).content.decode()
    desk = client_for(cast.front_desk).get(url).content.decode()
    assert "Anabel has not submitted the intake form" in clinical
    assert "Screening complete for every dosing partner" in desk
    assert "has not submitted the intake form" not in desk
    assert "Anabel &amp; Bertram" in desk  # front desk: names and statuses


def test_a_clinician_of_one_enrolled_couple_does_not_see_the_other_couples(cast, group, client_for):
    program, _session, ana, _cleo = group
    ana.couple.care_team.add(cast.clinician_outside)
    url = reverse("groups:program_detail", kwargs={"program_id": program.pk})
    page = client_for(cast.clinician_outside).get(url).content.decode()
    assert "Anabel" in page
    assert "Cleopatra" not in page and "Another couple of the group" in page


def test_staff_of_another_clinic_and_clinicians_off_the_group_get_nothing(cast, group, client_for):
    program, _session, _ana, _cleo = group
    url = reverse("groups:program_detail", kwargs={"program_id": program.pk})
    assert client_for(cast.other_clinic_clinician).get(url).status_code == 404
    assert client_for(cast.clinician_outside).get(url).status_code == 403
    listed = client_for(cast.clinician_outside).get(reverse("groups:program_list"))
    assert list(listed.context["programs"]) == []


def test_booking_a_medicine_session_names_each_couple_not_ready(cast, group, client_for):
    program, _session, ana, _cleo = group
    day = tomorrow(cast) + datetime.timedelta(days=25)
    make_group_ready(ana, local(cast, day, 9))
    make_plan(_cleo)
    response = client_for(cast.clinician).post(
        reverse("groups:session_book", kwargs={"program_id": program.pk}),
        {
            "kind": "medicine",
            "day": day.isoformat(),
            "starts_at": "09:00",
            "ends_at": "13:00",
            "room": program.room_id,
            "outside_hours_reason": "",
        },
    )
    assert response.status_code == 200
    rows = response.context["not_ready"]
    assert [row.couple.pk for row in rows] == [_cleo.couple.pk]
    assert "Cleopatra has not submitted the intake form" in response.content.decode()
    assert not GroupSession.objects.filter(kind="medicine").exists()


def test_a_group_note_naming_a_participant_is_refused_next_to_the_field_and_kept(
    cast, group, client_for
):
    _program, session, _ana, _cleo = group
    url = reverse("groups:note_add", kwargs={"group_session_id": session.pk})
    text = "Anabel cried during the check-in."
    response = client_for(cast.clinician).post(url, {"text": text})
    assert response.status_code == 400
    assert response.context["note_form"].errors["text"]
    assert text in response.content.decode()
    ok = client_for(cast.clinician).post(url, {"text": "A warm, settled circle."})
    assert ok.status_code == 302
    page = client_for(cast.prescriber).get(
        reverse("groups:session_detail", kwargs={"group_session_id": session.pk})
    )
    assert "A warm, settled circle." in page.content.decode()
    desk = client_for(cast.front_desk).get(
        reverse("groups:session_detail", kwargs={"group_session_id": session.pk})
    )
    assert "A warm, settled circle." not in desk.content.decode()


def test_the_program_list_makes_a_bounded_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.front_desk)
    client.get(reverse("groups:program_list"))
    for n in range(6):
        couples = [group_couple(cast, f"Xa{n}", f"Xb{n}").couple]
        make_program(cast, couples, name=f"Group {n}")
    assert Couple.objects.count() > 6
    with django_assert_max_num_queries(12):
        response = client.get(reverse("groups:program_list"))
    assert len(response.context["programs"]) == 6


def test_the_clinic_admin_sets_a_rooms_seats_but_not_below_a_group_to_come(cast, group, client_for):
    program, _session, _ana, _cleo = group
    url = reverse("groups:room_seats", kwargs={"room_id": program.room_id})
    admin = client_for(cast.clinic_admin)
    refused = admin.post(url, {"capacity": "1"})
    assert "needs at least 2 seats" in refused.context["form"].errors["capacity"][0]
    assert admin.post(url, {"capacity": "8"}).status_code == 302
    program.room.refresh_from_db()
    assert program.room.capacity == 8
    assert "Seats: 8" in admin.get(reverse("clinic_admin:room_list")).content.decode()


def test_with_no_medicine_session_booked_the_roster_counts_the_group_preparations_booked(
    cast, group, client_for
):
    program, session, _ana, _cleo = group
    book_group(cast, program, PREP, session.start + datetime.timedelta(days=1))
    url = reverse("groups:program_detail", kwargs={"program_id": program.pk})
    rows = client_for(cast.clinician).get(url).context["sheet"].roster
    unmet = {item.number for item in rows[0].readiness.unmet}
    assert 4 not in unmet and 1 in unmet
