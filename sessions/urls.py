from django.urls import path

from sessions.views import booking, plans, preparation, record

app_name = "clinic_sessions"

urlpatterns = [
    # Front desk and calendars
    path("calendar/", booking.calendar_day, name="calendar_day"),
    path("calendar/week/", booking.calendar_week, name="calendar_week"),
    path("calendar/book/", booking.calendar_book, name="calendar_book"),
    path("calendar/next-free/", booking.next_free_slot, name="next_free_slot"),
    path("today/", booking.today, name="today"),
    path(
        "couples/<int:couple_id>/appointments/new/",
        booking.appointment_new,
        name="appointment_new",
    ),
    path(
        "appointments/<int:appointment_id>/", booking.appointment_detail, name="appointment_detail"
    ),
    path(
        "appointments/<int:appointment_id>/move/",
        booking.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "appointments/<int:appointment_id>/cancel/",
        booking.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "appointments/<int:appointment_id>/check-in/",
        booking.appointment_check_in,
        name="appointment_check_in",
    ),
    path(
        "appointments/<int:appointment_id>/no-show/",
        booking.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "appointments/<int:appointment_id>/complete/",
        booking.appointment_complete,
        name="appointment_complete",
    ),
    path(
        "appointments/<int:appointment_id>/calendar.ics",
        plans.appointment_ics,
        name="appointment_ics",
    ),
    # Plans, readiness, settings, feeds
    path("couples/<int:couple_id>/plan/", plans.plan_edit, name="plan_edit"),
    path("couples/<int:couple_id>/plan/approve/", plans.plan_approve, name="plan_approve"),
    path(
        "couples/<int:couple_id>/readiness/override/",
        plans.readiness_override,
        name="readiness_override",
    ),
    path("clinic-admin/protocol/", plans.protocol_edit, name="protocol_edit"),
    path("clinic-admin/opening-hours/", plans.opening_hours_edit, name="opening_hours_edit"),
    path("calendar/feed/", plans.feed_manage, name="feed_manage"),
    path("calendar/feed/<str:feed_token>.ics", plans.feed, name="feed"),
    # The medicine-session record (care team)
    path("medicine-sessions/<int:session_id>/", record.session_record, name="session_record"),
    path("medicine-sessions/<int:session_id>/start/", record.session_start, name="session_start"),
    path("medicine-sessions/<int:session_id>/roles/", record.session_roles, name="session_roles"),
    path("medicine-sessions/<int:session_id>/vitals/", record.vitals_add, name="vitals_add"),
    path(
        "medicine-sessions/<int:session_id>/vitals/<int:vitals_id>/acknowledge/",
        record.vitals_acknowledge,
        name="vitals_acknowledge",
    ),
    path("medicine-sessions/<int:session_id>/doses/", record.dose_add, name="dose_add"),
    path(
        "medicine-sessions/<int:session_id>/adverse-events/",
        record.adverse_event_add,
        name="adverse_event_add",
    ),
    path(
        "medicine-sessions/<int:session_id>/discharge/",
        record.discharge_add,
        name="discharge_add",
    ),
    path(
        "medicine-sessions/<int:session_id>/complete/",
        record.session_complete,
        name="session_complete",
    ),
    path(
        "medicine-sessions/<int:session_id>/end-early/",
        record.session_end_early,
        name="session_end_early",
    ),
    # Preparing together (both partners write, the care team reads)
    path("couples/<int:couple_id>/preparation/", preparation.preparation, name="preparation"),
    path(
        "couples/<int:couple_id>/preparation/agenda/",
        preparation.agenda_item_add,
        name="agenda_item_add",
    ),
    path(
        "preparation/agenda/<int:agenda_item_id>/withdraw/",
        preparation.agenda_item_withdraw,
        name="agenda_item_withdraw",
    ),
    path(
        "medicine-sessions/<int:session_id>/preparation/",
        preparation.preparation_session,
        name="preparation_session",
    ),
    path(
        "medicine-sessions/<int:session_id>/preparation/checklist/",
        preparation.checklist_save,
        name="checklist_save",
    ),
    path(
        "medicine-sessions/<int:session_id>/preparation/ride-home/",
        preparation.ride_home_confirm,
        name="ride_home_confirm",
    ),
]
