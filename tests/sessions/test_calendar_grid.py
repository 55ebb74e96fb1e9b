"""The calendar's time grid: appointments placed by clinic time, empty slots that book,
one column on a phone, and the reschedule answers the drag-and-drop script relies on."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sessions import services
from sessions.models import Appointment
from sessions.selectors.calendar import GRID_ROWS, grid_place
from tests.factories import CoupleFactory, PartnerFactory, RoomFactory
from tests.sessions.factories import book, local, room, tomorrow

PREP = Appointment.Kind.PREPARATION
# UTC+14: a clinic's morning is the previous day in UTC, so a slip to UTC shows at once.
FAR_ZONE = "Pacific/Kiritimati"


def _far_from_utc(cast):
    cast.clinic.timezone = FAR_ZONE
    cast.clinic.save()


def _column(page: str, resource_id: int, n: int = 0) -> str:
    """The HTML of the n-th column of a room (or clinician) on the page."""
    columns = re.findall(
        rf'<section class="cal-col[^"]*" data-resource="{resource_id}".*?</section>', page, re.S
    )
    return columns[n]


def _at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, 2, hour, minute)


@pytest.mark.parametrize(
    ("start", "end", "placed"),
    [
        (_at(7), _at(7, 30), (1, 1)),
        (_at(9, 30), _at(10, 30), (6, 2)),
        (_at(9, 10), _at(9, 50), (5, 2)),  # touches the 09:00 and 09:30 rows
        (_at(9), _at(13), (5, 8)),
        (_at(6), _at(8), (1, 2)),  # clipped at the top
        (_at(20, 30), _at(22), (28, 1)),  # clipped at the bottom
        (_at(6), _at(7), (0, 1)),  # wholly before: listed under the column
        (_at(23, 30), _at(23, 59), (0, 1)),
    ],
)
def test_an_appointment_is_placed_on_the_rows_its_local_times_touch(start, end, placed):
    assert grid_place(start, end) == placed


def test_the_stylesheet_has_a_position_and_a_span_for_every_grid_row():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "calendar.css").read_text()
    for n in range(1, GRID_ROWS + 1):
        assert f".cal-r-{n} {{ grid-row-start: {n}; }}" in css
        assert f".cal-span-{n} {{ grid-row-end: span {n}; }}" in css
    assert f"repeat({GRID_ROWS}, " in css
    assert f".cal-r-{GRID_ROWS + 1} " not in css


def test_the_day_grid_places_an_appointment_in_its_room_at_clinic_time(cast, client_for):
    _far_from_utc(cast)
    day, cedar, elm = tomorrow(cast), room(cast), room(cast, "Elm")
    appointment = book(cast, PREP, local(cast, day, 9, 30), where=elm)
    url = reverse("clinic_sessions:calendar_day") + f"?date={day.isoformat()}"
    page = client_for(cast.front_desk).get(url).content.decode()
    chip = (
        'class="cal-chip cal-r-6 cal-span-2" draggable="true" '
        f'data-move-url="/appointments/{appointment.pk}/move/" '
        f'data-testid="appointment-{appointment.pk}"'
    )
    assert chip in _column(page, elm.pk)
    assert f"appointment-{appointment.pk}" not in _column(page, cedar.pk)
    assert "09:30–10:30" in page


def test_the_week_grid_puts_an_appointment_under_its_own_day(cast, client_for):
    _far_from_utc(cast)
    day, cedar = tomorrow(cast), room(cast)
    appointment = book(cast, PREP, local(cast, day, 7), minutes=90)
    url = reverse("clinic_sessions:calendar_week") + f"?date={day.isoformat()}"
    page = client_for(cast.front_desk).get(url).content.decode()
    column = _column(page, cedar.pk, day.weekday())
    assert 'cal-chip cal-r-1 cal-span-3" draggable="true"' in column
    assert f"appointment-{appointment.pk}" in column
    assert page.count(f'data-testid="appointment-{appointment.pk}"') == 1


def test_a_cancelled_appointment_stays_visible_but_cannot_be_dragged(cast, client_for):
    day = tomorrow(cast)
    appointment = book(cast, PREP, local(cast, day, 10))
    services.appointment_cancel(appointment=appointment, reason="Unwell", by=cast.front_desk)
    url = reverse("clinic_sessions:calendar_day") + f"?date={day.isoformat()}"
    page = client_for(cast.front_desk).get(url).content.decode()
    assert 'cal-chip-inactive" draggable="false" data-move-url=""' in page
    assert f'href="/appointments/{appointment.pk}/move/"' not in page


def test_an_empty_slot_books_the_chosen_couple_in_its_room_day_and_time(cast, client_for):
    _far_from_utc(cast)
    day, cedar = tomorrow(cast), room(cast)
    client = client_for(cast.front_desk)
    url = reverse("clinic_sessions:calendar_day")
    page = client.get(f"{url}?date={day.isoformat()}&couple={cast.couple.pk}").content.decode()
    new = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    link = f'href="{new}?date={day.isoformat()}&amp;start_time=14:30&amp;room={cedar.pk}"'
    assert link in _column(page, cedar.pk)
    assert "Booking for" in page
    form = client.get(f"{new}?date={day.isoformat()}&start_time=14:30&room={cedar.pk}")
    assert form.context["form"]["start_time"].value() == "14:30"
    assert form.context["form"]["date"].value() == day.isoformat()
    assert str(form.context["form"]["room"].value()) == str(cedar.pk)


def test_an_empty_slot_by_clinician_prefills_the_clinician(cast, client_for):
    day = tomorrow(cast)
    room(cast)
    client = client_for(cast.front_desk)
    url = reverse("clinic_sessions:calendar_day") + f"?date={day.isoformat()}&by=clinician"
    page = client.get(f"{url}&couple={cast.couple.pk}").content.decode()
    query = f"date={day.isoformat()}&start_time=08:00&clinician={cast.prescriber.pk}"
    assert query.replace("&", "&amp;") in _column(page, cast.prescriber.pk)
    new = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    form = client.get(f"{new}?{query}").content.decode()
    checked = re.search(rf'<input[^>]*value="{cast.prescriber.pk}"[^>]*>', form).group(0)
    assert "checked" in checked


def test_without_a_couple_an_empty_slot_asks_which_couple_then_books_it(cast, client_for):
    day, cedar = tomorrow(cast), room(cast)
    client = client_for(cast.front_desk)
    page = client.get(reverse("clinic_sessions:calendar_day") + f"?date={day}").content.decode()
    pick = reverse("clinic_sessions:calendar_book")
    query = f"date={day.isoformat()}&start_time=09:00&room={cedar.pk}"
    assert f'href="{pick}?{query.replace("&", "&amp;")}"' in page
    response = client.get(f"{pick}?{query}&q=Alexa")
    shown = response.content.decode()
    new = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    assert f'href="{new}?{query.replace("&", "&amp;")}"' in shown
    assert f"{day:%a %-d %b %Y}, 09:00 · Cedar" in shown
    other = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.other_couple.pk})
    assert other not in shown


def test_the_couple_search_for_a_slot_stays_in_the_clinic(cast, client_for):

    stranger = PartnerFactory(couple=CoupleFactory(clinic=cast.other_clinic), first_name="Alexa")
    url = reverse("clinic_sessions:calendar_book") + "?q=Alexa"
    page = client_for(cast.front_desk).get(url).content.decode()
    assert f"/couples/{stranger.couple.pk}/" not in page
    assert f"/couples/{cast.couple.pk}/" in page


def test_booking_for_another_clinics_couple_from_the_calendar_is_refused(cast, client_for):

    stranger = CoupleFactory(clinic=cast.other_clinic)
    url = reverse("clinic_sessions:calendar_day") + f"?couple={stranger.pk}"
    assert client_for(cast.front_desk).get(url).status_code in (403, 404)


def test_a_phone_shows_the_room_it_picked_and_hides_the_others(cast, client_for):
    day, cedar, elm = tomorrow(cast), room(cast), room(cast, "Elm")
    client = client_for(cast.front_desk)
    url = reverse("clinic_sessions:calendar_day") + f"?date={day.isoformat()}"
    page = client.get(f"{url}&room={elm.pk}").content.decode()
    assert f'<section class="cal-col" data-resource="{elm.pk}"' in page
    assert f'<section class="cal-col cal-col-other" data-resource="{cedar.pk}"' in page
    assert f'<option value="{elm.pk}" selected>Elm</option>' in page
    unknown = client.get(f"{url}&room=999999").content.decode()
    assert f'<section class="cal-col" data-resource="{cedar.pk}"' in unknown  # the first


def test_the_drags_move_is_the_reschedule_form_refusing_a_conflict_in_its_alert(cast, client_for):
    day, cedar = tomorrow(cast), room(cast)
    moving = book(cast, PREP, local(cast, day, 9))
    taken = book(
        cast, PREP, local(cast, day, 11), couple=cast.other_couple, clinicians=[cast.prescriber]
    )
    url = reverse("clinic_sessions:appointment_reschedule", args=[moving.pk])
    data = {
        "date": day.isoformat(),
        "start_time": "11:00",
        "duration": "60",
        "room": str(cedar.pk),
        "clinicians": [str(cast.clinician.pk)],
    }
    response = client_for(cast.front_desk).post(url, data)
    assert response.status_code == 200
    alert = re.search(r'class="alert[^"]*alert-danger.*?</div>', response.content.decode(), re.S)
    assert f"#{taken.pk}" in alert.group(0)
    moving.refresh_from_db()
    assert moving.start == local(cast, day, 9)
    data["start_time"] = "13:00"
    assert client_for(cast.front_desk).post(url, data).status_code == 302
    moving.refresh_from_db()
    assert moving.start == local(cast, day, 13)


@pytest.mark.parametrize("by", ["room", "clinician"])
@pytest.mark.parametrize("name", ["calendar_day", "calendar_week"])
def test_the_grid_makes_as_many_queries_for_many_appointments_as_for_one(
    cast, client_for, django_assert_max_num_queries, by, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    day = tomorrow(cast)
    rooms = [room(cast)] + [RoomFactory(clinic=cast.clinic, name=f"Room {n}") for n in range(3)]
    book(cast, PREP, local(cast, day, 8))
    client = client_for(cast.front_desk)
    url = reverse(f"clinic_sessions:{name}") + f"?date={day.isoformat()}&by={by}"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n, hour in enumerate(range(9, 19)):
        who = [cast.clinician] if n % 2 else [cast.prescriber]
        couple = cast.couple if n % 2 else cast.other_couple
        book(cast, PREP, local(cast, day, hour), where=rooms[n % 4], clinicians=who, couple=couple)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_an_empty_slot_escapes_the_room_name_and_carries_its_time():
    import datetime as dt
    from types import SimpleNamespace

    from sessions.templatetags.calendar_chips import calendar_slots

    column = SimpleNamespace(
        day=dt.date(2026, 12, 2), resource_id=7, resource='<b>"Cedar" & co</b>'
    )
    html = calendar_slots(column, [dt.time(9, 30)], "room", "/couples/3/appointments/new/")

    assert "<b>" not in html and "&lt;b&gt;&quot;Cedar&quot; &amp; co&lt;/b&gt;" in html
    assert (
        'href="/couples/3/appointments/new/?date=2026-12-02&amp;start_time=09:30&amp;room=7"'
        in html
    )
    assert 'class="cal-slot cal-r-1"' in html and 'data-testid="slot-2026-12-02-0930-7"' in html


def test_braces_in_a_room_name_or_the_booking_address_stay_text():
    import datetime as dt
    from types import SimpleNamespace

    from sessions.templatetags.calendar_chips import calendar_slots

    column = SimpleNamespace(day=dt.date(2026, 12, 2), resource_id=7, resource="Cedar {0} {room}")
    times = [dt.time(9, 30), dt.time(10, 0)]
    html = calendar_slots(column, times, "room", "/book/{x}/")

    assert html.count('aria-label="Book Cedar {0} {room} Wed 2 Dec ') == 2
    assert 'href="/book/{x}/?date=2026-12-02&amp;start_time=10:00&amp;room=7"' in html
    assert 'class="cal-slot cal-r-2"' in html and 'data-testid="slot-2026-12-02-1000-7"' in html


def test_a_days_label_is_the_date_filters_in_the_reader_language():
    import datetime as dt

    from django.template.defaultfilters import date
    from django.utils import translation

    from sessions.templatetags.calendar_chips import day_label

    day = dt.date(2026, 12, 2)
    for language, expected in (("en", "Wednesday 2 December"), ("es", "miércoles 2 diciembre")):
        with translation.override(language):
            assert day_label(day, "l j F") == date(day, "l j F") == expected


def test_a_week_column_is_headed_by_its_day_and_escaped_room_and_lists_what_lies_outside():
    import datetime as dt
    from types import SimpleNamespace

    from sessions.selectors.calendar import CalendarColumn
    from sessions.templatetags.calendar_chips import calendar_columns, calendar_times

    early = SimpleNamespace(
        row=0, id=5, is_active=True, url="/appointments/5/", times="06:00–06:45",
        kind="Preparation", names="A & B", badge="primary", status="Booked",
    )  # fmt: skip
    column = CalendarColumn(
        day=dt.date(2026, 12, 2), resource_id=7, resource='<b>"Cedar"</b>', chips=[early]
    )
    grid = SimpleNamespace(columns=[column], times=[dt.time(9, 0), dt.time(9, 30)])
    week = calendar_columns(grid, focus=8, view="week", by="room", book_url="/book/")

    assert week.startswith('<section class="cal-col cal-col-other" data-resource="7" ')
    assert 'aria-label="&lt;b&gt;&quot;Cedar&quot;&lt;/b&gt;, Wednesday 2 December"' in week
    assert '<h2 class="cal-head">Wed 2<br><span class="d-none d-md-inline">&lt;b&gt;' in week
    assert "<b>" not in week
    outside = re.search(r'<div class="cal-outside">(.*?)</div></section>', week, re.S).group(1)
    assert 'data-testid="appointment-5"' in outside and "A &amp; B" in outside
    day = calendar_columns(grid, focus=7, view="day", by="room", book_url="/book/")
    assert '<section class="cal-col" data-resource="7"' in day
    assert '<h2 class="cal-head">&lt;b&gt;&quot;Cedar&quot;&lt;/b&gt;</h2>' in day
    assert calendar_times(grid.times) == (
        '<div class="cal-time cal-r-1">09:00</div><div class="cal-time cal-r-2"></div>'
    )
