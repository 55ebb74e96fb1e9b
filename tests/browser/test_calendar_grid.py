"""The calendar's time grid on a desktop and a phone: book from an empty slot, then drag
the appointment to another slot, as the front desk does."""

import datetime

import pytest
from django.utils import timezone

from intake.models import Couple, Partner
from kapcouples.models import Clinic, Room, User
from sessions import services
from sessions.models import Appointment
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


def _quiet_weekday(clinic: Clinic) -> datetime.date:
    """A Wednesday five weeks out: past the demo's bookings, inside any opening hours."""
    day = timezone.localdate(timezone=clinic.zone) + datetime.timedelta(days=35)
    return day + datetime.timedelta(days=(2 - day.weekday()) % 7)


def _local(appointment: Appointment) -> datetime.datetime:
    return appointment.start.astimezone(appointment.clinic.zone)


def _drag(page, source, target) -> None:
    """Drag with the mouse, as a person does: onto the slot's middle even where another
    appointment covers it (the script finds the slot beneath)."""
    source.evaluate("node => node.scrollIntoView({block: 'center', behavior: 'instant'})")
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def _book_another_couple(couple, where: Room, day: datetime.date, hour: int) -> Appointment:
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=couple.clinic.zone)
    return services.appointment_book(
        couple=Couple.objects.filter(clinic=couple.clinic).exclude(pk=couple.pk).first(),
        kind=Appointment.Kind.PREPARATION,
        start=start,
        end=start + datetime.timedelta(hours=1),
        room=where,
        clinicians=[User.objects.get(email="prescriber@demo.kap")],
        by=User.objects.get(email="frontdesk@demo.kap"),
    )


@pytest.mark.parametrize("screen", SCREENS)
def test_front_desk_books_from_an_empty_slot_and_drags_the_appointment(
    screen, demo_site, browser, screenshots_dir
):
    context, page = signed_in_page(browser, demo_site, "frontdesk@demo.kap", screen)
    couple = Partner.objects.get(email="jordan@demo.kap").couple
    day = _quiet_weekday(couple.clinic)
    first, second = Room.objects.filter(clinic=couple.clinic).order_by("name")[:2]
    before = set(Appointment.objects.filter(couple=couple).values_list("pk", flat=True))

    page.goto(f"{demo_site}/calendar/?date={day.isoformat()}&couple={couple.pk}")
    assert "Booking for" in page.get_by_test_id("booking-for").inner_text()
    assert_no_sideways_scroll(page, "day grid")
    page.screenshot(path=screenshots_dir / f"sessions-grid-day-{screen}.png", full_page=True)
    page.get_by_test_id(f"slot-{day.isoformat()}-1000-{first.pk}").click()
    page.wait_for_load_state()
    assert page.get_by_label("Date").input_value() == day.isoformat()
    assert page.get_by_label("Start time").input_value() == "10:00"
    assert page.get_by_label("Room").input_value() == str(first.pk)
    page.get_by_label("Kind").select_option("preparation")
    page.get_by_label("Casey Morgan").check()
    page.screenshot(path=screenshots_dir / f"sessions-grid-prefilled-{screen}.png", full_page=True)
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_load_state()
    booked = Appointment.objects.filter(couple=couple).exclude(pk__in=before).get()
    assert (_local(booked).date(), f"{_local(booked):%H:%M}") == (day, "10:00")

    # A desktop drags to the next room; a phone, showing one room, within it. Onto another
    # couple's appointment first: refused with the reason, and nothing moves.
    target = second if screen == "desktop" else first
    taken = _book_another_couple(couple, target, day, 11)
    page.goto(f"{demo_site}/calendar/?date={day.isoformat()}")
    chip = page.get_by_test_id(f"appointment-{booked.pk}")
    _drag(page, chip, page.get_by_test_id(f"slot-{day.isoformat()}-1100-{target.pk}"))
    refusal = page.get_by_test_id("calendar-message")
    refusal.wait_for(state="visible")
    assert f"#{taken.pk}" in refusal.inner_text()
    page.screenshot(path=screenshots_dir / f"sessions-grid-refused-{screen}.png", full_page=True)
    booked.refresh_from_db()
    assert f"{_local(booked):%H:%M}" == "10:00"
    with page.expect_navigation():
        _drag(page, chip, page.get_by_test_id(f"slot-{day.isoformat()}-1230-{target.pk}"))
    page.wait_for_load_state()
    assert "The appointment is moved." in page.content()
    booked.refresh_from_db()
    assert f"{_local(booked):%H:%M}" == "12:30"
    assert booked.room_id == target.pk
    assert_no_sideways_scroll(page, "day grid after the move")
    page.screenshot(path=screenshots_dir / f"sessions-grid-moved-{screen}.png", full_page=True)
    context.close()
