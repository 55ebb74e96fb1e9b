from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("groups/", views.program_list, name="program_list"),
    path("groups/new/", views.program_create, name="program_create"),
    path("groups/<int:program_id>/", views.program_detail, name="program_detail"),
    path("groups/<int:program_id>/enrol/", views.enrolment_add, name="enrolment_add"),
    path("groups/<int:program_id>/book/", views.group_session_book, name="session_book"),
    path(
        "groups/enrolments/<int:enrolment_id>/withdraw/",
        views.enrolment_withdraw,
        name="enrolment_withdraw",
    ),
    path("groups/sessions/<int:group_session_id>/", views.session_detail, name="session_detail"),
    path("groups/sessions/<int:group_session_id>/notes/", views.note_add, name="note_add"),
    path(
        "groups/sessions/<int:group_session_id>/cancel/",
        views.session_cancel,
        name="session_cancel",
    ),
    path("groups/rooms/<int:room_id>/seats/", views.room_seats, name="room_seats"),
    # The partner's own group sessions (times and room), in the partner's language.
    path("portal/groups/", views.partner_sessions, name="partner_sessions"),
]
