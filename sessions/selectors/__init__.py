"""Reads for calendars, the couple page and the session record, scoped to the viewer.

One module per page family; the names most callers use are re-exported here.
"""

from sessions.selectors.calendar import (
    CalendarChip,
    CalendarColumn,
    CalendarGrid,
    appointments_between,
    calendar_grid,
    clinic_clinicians,
    clinic_rooms,
    day_bounds,
    slot_summary,
)
from sessions.selectors.couples import (
    Phase,
    appointments_for_clinician,
    appointments_for_couple,
    couple_phase,
)
from sessions.selectors.record import (
    AppointmentActions,
    PartnerSheet,
    ReadingRow,
    SessionSheet,
    appointment_actions,
    medicine_session_for_record,
    session_sheet,
)
from sessions.selectors.slots import CLOSING_HOUR, OPENING_HOUR, next_free_slot

__all__ = [
    "CLOSING_HOUR",
    "OPENING_HOUR",
    "AppointmentActions",
    "CalendarChip",
    "CalendarColumn",
    "CalendarGrid",
    "PartnerSheet",
    "Phase",
    "ReadingRow",
    "SessionSheet",
    "appointment_actions",
    "appointments_between",
    "appointments_for_clinician",
    "appointments_for_couple",
    "calendar_grid",
    "clinic_clinicians",
    "clinic_rooms",
    "couple_phase",
    "day_bounds",
    "medicine_session_for_record",
    "next_free_slot",
    "session_sheet",
    "slot_summary",
]
