from django.urls import path

from workspace import views

app_name = "workspace"

urlpatterns = [
    path("couples/<int:couple_id>/outcomes/", views.couple_outcomes, name="outcomes"),
]
