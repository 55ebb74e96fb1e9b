from django.urls import path

from athome import views

app_name = "athome"

urlpatterns = [
    path("home-sessions/<int:session_id>/", views.home_session, name="home_session"),
    path("home-sessions/<int:session_id>/reading/", views.home_reading, name="home_reading"),
    path("home-sessions/<int:session_id>/dose/", views.home_dose, name="home_dose"),
    path("home-sessions/<int:session_id>/check/", views.home_check, name="home_check"),
    path("chaperone/<str:token>/", views.chaperone_link, name="chaperone_link"),
    path("medicine-sessions/<int:session_id>/at-home/", views.team_view, name="team_view"),
    path(
        "medicine-sessions/<int:session_id>/at-home/chaperone/",
        views.chaperone_setup,
        name="chaperone_setup",
    ),
    path(
        "medicine-sessions/<int:session_id>/at-home/chaperone/send-again/",
        views.chaperone_link_resend,
        name="chaperone_link_resend",
    ),
]
