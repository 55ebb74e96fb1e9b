from django.urls import path

from maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("clinic-admin/boosters/", views.settings_edit, name="settings_edit"),
    path("couples/<int:couple_id>/maintenance/", views.plan_edit, name="plan_edit"),
    path("couples/<int:couple_id>/maintenance/approve/", views.plan_approve, name="plan_approve"),
    path("couples/<int:couple_id>/maintenance/end/", views.plan_end, name="plan_end"),
    path(
        "couples/<int:couple_id>/complete-program/",
        views.program_complete,
        name="program_complete",
    ),
]
