"""Preparing together: only the couple's partners write, only while the session is ahead,
and every change keeps its history."""

import datetime

import pytest
from django.utils import timezone

from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from sessions.medicine import InvalidFields
from sessions.models import Appointment, Approach, MedicineSession, TreatmentPlan
from sessions.preparation import selectors, services
from sessions.preparation.models import ChecklistTick, CoupleAgendaItem, RideHomeConfirmation
from tests.sessions.factories import make_plan
from tests.sessions.preparation_helpers import ESCORT, checklist, upcoming_session


def _confirm(session, partner, **changes):
    values = {"will_not_drive": True, **ESCORT, **changes}
    return services.ride_home_confirm(session=session, by=partner.user, **values)


# --- The setting checklist ------------------------------------------------------------------
def test_a_partner_ticks_items_and_the_row_says_who_and_when(cast):
    session = upcoming_session(cast)
    first, second, *_ = checklist(cast)
    services.checklist_save(
        session=session, tick={first, second}, untick=set(), by=cast.partner_a.user
    )
    ticks = {t.item: t for t in ChecklistTick.objects.filter(medicine_session=session)}
    assert set(ticks) == {first, second}
    assert ticks[first].done and ticks[first].partner == cast.partner_a
    assert ticks[first].changed_at <= timezone.now()


def test_unticking_keeps_the_earlier_tick_in_history(cast):
    session = upcoming_session(cast)
    item = checklist(cast)[0]
    services.checklist_save(session=session, tick={item}, untick=set(), by=cast.partner_a.user)
    services.checklist_save(session=session, tick=set(), untick={item}, by=cast.partner_b.user)
    row = ChecklistTick.objects.get(medicine_session=session, item=item)
    assert not row.done and row.partner == cast.partner_b
    states = [(h.done, h.partner_id) for h in row.history.order_by("history_id")]
    assert states == [(True, cast.partner_a.pk), (False, cast.partner_b.pk)]


def test_a_page_drawn_earlier_does_not_undo_the_other_partners_tick(cast):
    session = upcoming_session(cast)
    first, second, *_ = checklist(cast)
    services.checklist_save(session=session, tick={first}, untick=set(), by=cast.partner_a.user)
    # Partner B's page was drawn before A's tick: B ticks the second item only.
    services.checklist_save(session=session, tick={second}, untick=set(), by=cast.partner_b.user)
    rows = selectors.session_preparation(
        session, cast.partner_b.user, timezone.now(), items=checklist(cast)
    ).checklist
    assert {row.item for row in rows if row.done} == {first, second}


def test_an_item_not_on_the_clinics_list_is_refused(cast):
    session = upcoming_session(cast)
    with pytest.raises(DomainError, match="checklist has changed"):
        services.checklist_save(
            session=session, tick={"Snorkel"}, untick=set(), by=cast.partner_a.user
        )
    assert not ChecklistTick.objects.exists()


@pytest.mark.parametrize(
    "who", ["other_partner", "clinician", "prescriber", "front_desk", "clinic_admin"]
)
def test_only_the_couples_partners_tick(who, cast):
    session = upcoming_session(cast)
    with pytest.raises(NotAllowed, match="can_prepare_together"):
        services.checklist_save(
            session=session, tick={checklist(cast)[0]}, untick=set(), by=cast.user(who)
        )
    assert not ChecklistTick.objects.exists()


def _cancel(session):
    Appointment.objects.filter(pk=session.appointment_id).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Ill"
    )


def _hold(session):
    MedicineSession.objects.filter(pk=session.pk).update(status=MedicineSession.Status.IN_PROGRESS)


def _pass(session):
    start = timezone.now() - datetime.timedelta(hours=1)
    Appointment.objects.filter(pk=session.appointment_id).update(
        start=start, end=start + datetime.timedelta(hours=4)
    )


@pytest.mark.parametrize(
    "close,message",
    [(_cancel, "was cancelled"), (_hold, "already been held"), (_pass, "time of this")],
)
def test_a_cancelled_held_or_past_session_takes_no_tick_and_no_confirmation(close, message, cast):
    session = upcoming_session(cast)
    close(session)
    session.refresh_from_db()
    with pytest.raises(DomainError, match=message):
        services.checklist_save(
            session=session, tick={checklist(cast)[0]}, untick=set(), by=cast.partner_a.user
        )
    with pytest.raises(DomainError, match=message):
        _confirm(session, cast.partner_a)
    assert not ChecklistTick.objects.exists()
    assert not RideHomeConfirmation.objects.exists()


# --- The ride home ----------------------------------------------------------------------------
def test_a_dosing_partner_confirms_and_changing_it_keeps_history(cast):
    session = upcoming_session(cast)
    first = _confirm(session, cast.partner_a)
    assert first.confirmed_by == cast.partner_a.user and first.will_not_drive
    _confirm(session, cast.partner_a, escort_name="Kim Lee", escort_relationship="sister")
    row = RideHomeConfirmation.objects.get(medicine_session=session, partner=cast.partner_a)
    assert row.escort_name == "Kim Lee"
    assert [h.escort_name for h in row.history.order_by("history_id")] == ["Robin Okoro", "Kim Lee"]


def test_not_promising_to_stay_off_the_road_is_refused_next_to_the_box(cast):
    session = upcoming_session(cast)
    with pytest.raises(InvalidFields) as refused:
        _confirm(session, cast.partner_a, will_not_drive=False)
    assert "will_not_drive" in refused.value.errors
    assert not RideHomeConfirmation.objects.exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"escort_name": "  "}, "escort_name"),
        ({"escort_name": "myself"}, "escort_name"),
        ({"escort_name": "Robin"}, "escort_name"),
        ({"escort_phone": "12"}, "escort_phone"),
        ({"escort_relationship": ""}, "escort_relationship"),
    ],
)
def test_an_unusable_ride_home_is_refused_next_to_its_field(changes, field, cast):
    session = upcoming_session(cast)
    with pytest.raises(InvalidFields) as refused:
        _confirm(session, cast.partner_a, **changes)
    assert field in refused.value.errors


def test_in_a_dual_session_the_other_partner_who_doses_cannot_drive_anyone_home(cast):
    session = upcoming_session(cast, Approach.DUAL_HALF)
    partner_b = cast.partner_b
    with pytest.raises(InvalidFields) as refused:
        _confirm(
            session, cast.partner_a, escort_name=f"{partner_b.first_name} {partner_b.last_name}"
        )
    assert partner_b.first_name in refused.value.errors["escort_name"]


def test_in_a_solo_session_the_sitter_may_take_the_dosing_partner_home(cast):
    session = upcoming_session(cast, Approach.SOLO)
    partner_b = cast.partner_b
    name = f"{partner_b.first_name} {partner_b.last_name}"
    assert _confirm(session, cast.partner_a, escort_name=name).escort_name == name


def test_the_partner_who_does_not_dose_has_no_ride_to_confirm(cast):
    session = upcoming_session(cast, Approach.SOLO)
    with pytest.raises(DomainError, match="do not take the medicine"):
        _confirm(session, cast.partner_b)


@pytest.mark.parametrize("who", ["other_partner", "clinician", "front_desk"])
def test_only_the_couples_partners_confirm(who, cast):
    session = upcoming_session(cast)
    with pytest.raises(NotAllowed):
        services.ride_home_confirm(
            session=session, by=cast.user(who), will_not_drive=True, **ESCORT
        )
    assert not RideHomeConfirmation.objects.exists()


# --- The couple's own agenda -------------------------------------------------------------
def test_a_partner_adds_to_an_extended_discussion_agenda_and_withdraws_it(cast):
    make_plan(cast, Approach.EXTENDED)
    item = services.agenda_item_add(
        couple=cast.couple, text=" Money worries ", by=cast.partner_a.user
    )
    assert item.text == "Money worries" and item.partner == cast.partner_a
    services.agenda_item_withdraw(item=item, by=cast.partner_a.user)
    item.refresh_from_db()
    assert item.withdrawn_at is not None
    assert CoupleAgendaItem.objects.filter(pk=item.pk).exists()  # kept, never deleted
    assert [h.withdrawn_at is None for h in item.history.order_by("history_id")] == [True, False]


def test_only_the_partner_who_added_an_item_withdraws_it(cast):
    make_plan(cast, Approach.EXTENDED)
    item = services.agenda_item_add(couple=cast.couple, text="Holidays", by=cast.partner_a.user)
    for who in ("partner_b", "clinician", "other_partner"):
        with pytest.raises(NotAllowed, match="can_withdraw_agenda_item"):
            services.agenda_item_withdraw(item=item, by=cast.user(who))
    item.refresh_from_db()
    assert item.withdrawn_at is None


@pytest.mark.parametrize("who", ["other_partner", "clinician", "front_desk"])
def test_only_the_couples_partners_add_agenda_items(who, cast):
    make_plan(cast, Approach.EXTENDED)
    with pytest.raises(NotAllowed):
        services.agenda_item_add(couple=cast.couple, text="Holidays", by=cast.user(who))
    assert not CoupleAgendaItem.objects.exists()


def test_agenda_items_need_an_approved_extended_discussion_plan(cast):
    make_plan(cast, Approach.DUAL_FULL)
    with pytest.raises(DomainError, match="extended-discussion"):
        services.agenda_item_add(couple=cast.couple, text="Holidays", by=cast.partner_a.user)
    make_plan(cast, Approach.EXTENDED, approved=False)
    with pytest.raises(DomainError, match="extended-discussion"):
        services.agenda_item_add(couple=cast.couple, text="Holidays", by=cast.partner_a.user)


def test_an_empty_agenda_item_is_refused_next_to_the_field(cast):
    make_plan(cast, Approach.EXTENDED)
    with pytest.raises(InvalidFields) as refused:
        services.agenda_item_add(couple=cast.couple, text="   ", by=cast.partner_a.user)
    assert "text" in refused.value.errors


# --- What the couple is shown of the plan -------------------------------------------------
def test_the_couple_sees_the_plan_as_last_approved_while_it_is_revised(cast):
    make_plan(cast, Approach.EXTENDED, discussion_topics="Approved topics")
    make_plan(cast, Approach.EXTENDED, approved=False, discussion_topics="DRAFT NOTES")
    assert TreatmentPlan.objects.get(couple=cast.couple).status == TreatmentPlan.Status.DRAFT
    assert selectors.approved_plan(cast.couple).discussion_topics == "Approved topics"


def test_a_plan_never_approved_is_not_shown(cast):
    make_plan(cast, Approach.EXTENDED, approved=False)
    assert selectors.approved_plan(cast.couple) is None


# --- The portal's next step ---------------------------------------------------------------
def test_pending_preparation_lists_the_checklist_and_the_ride_home_within_seven_days(cast):
    session = upcoming_session(cast, days=3)
    now = timezone.now()
    kinds = [step.kind for step in selectors.pending_preparation(cast.partner_a, now)]
    assert kinds == ["checklist", "ride_home"]
    services.checklist_save(
        session=session, tick=set(checklist(cast)), untick=set(), by=cast.partner_b.user
    )
    _confirm(session, cast.partner_a)
    assert selectors.pending_preparation(cast.partner_a, now) == []
    # Partner B doses too and has not confirmed.
    assert [s.kind for s in selectors.pending_preparation(cast.partner_b, now)] == ["ride_home"]


def test_pending_preparation_ignores_sessions_further_than_seven_days(cast):
    upcoming_session(cast, days=9)
    assert selectors.pending_preparation(cast.partner_a, timezone.now()) == []


def test_pending_preparation_asks_no_ride_of_the_sitter(cast):
    upcoming_session(cast, Approach.SOLO)
    kinds = [s.kind for s in selectors.pending_preparation(cast.partner_b, timezone.now())]
    assert kinds == ["checklist"]
