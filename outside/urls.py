from django.urls import path

from outside import views

app_name = "outside"

urlpatterns = [
    path("outside/", views.home, name="home"),
    path("clinic-admin/outside-prescribers/", views.grant_list, name="grant_list"),
    path("clinic-admin/outside-prescribers/invite/", views.invite, name="invite"),
    path("clinic-admin/outside-prescribers/grant/", views.grant_add, name="grant_add"),
    path(
        "clinic-admin/outside-prescribers/grants/<int:grant_id>/revoke/",
        views.grant_revoke,
        name="grant_revoke",
    ),
]
