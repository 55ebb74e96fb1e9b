from django.urls import path

from messaging import views

app_name = "messaging"

# Under /conversations/: integration owns /messages/ (the outbox).
urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation_list"),
    path("conversations/new/", views.conversation_start, name="conversation_start"),
    path("conversations/inbox/", views.inbox, name="inbox"),
    path("conversations/<int:conversation_id>/", views.conversation, name="conversation"),
    path(
        "couples/<int:couple_id>/conversations/new/",
        views.care_team_start,
        name="care_team_start",
    ),
]
