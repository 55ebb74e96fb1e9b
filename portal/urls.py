from django.urls import path

from portal import views

app_name = "portal"

# The portal's home keeps its global name `portal` (kapcouples/urls.py): others reverse it.
urlpatterns = [
    path("next/", views.next_page, name="next"),
    path("profile/", views.profile, name="profile"),
    path("history/", views.history, name="history"),
]
