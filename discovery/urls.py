from django.urls import path

from discovery import views

app_name = "discovery"

urlpatterns = [
    # The public page a clinic links to from its own website.
    path("c/<slug:clinic_slug>/discovery-call/", views.request_call, name="request_call"),
    path(
        "c/<slug:clinic_slug>/discovery-call/thanks/",
        views.request_thanks,
        name="request_thanks",
    ),
    path("discovery/", views.inbox, name="inbox"),
    path("discovery/<int:discovery_request_id>/", views.detail, name="detail"),
    path("discovery/<int:discovery_request_id>/book-call/", views.book_call, name="book_call"),
    path("discovery/<int:discovery_request_id>/decline/", views.decline, name="decline"),
    path("discovery/<int:discovery_request_id>/enrol/", views.enrol, name="enrol"),
    path("clinic-admin/settings/discovery/", views.settings_edit, name="settings_edit"),
]
