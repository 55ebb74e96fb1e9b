from django.urls import path  # noqa: F401

app_name = "clinic_sessions"

urlpatterns: list = []
