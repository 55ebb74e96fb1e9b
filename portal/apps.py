from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The partner's side: their home with the next step, what is due, their appointments
    and history, the "what happens next" page every partner form ends on, and their profile.

    It reads intake, sessions and integration; what is due is `integration.due`'s answer.
    It owns no model: the profile writes the partner's own row (intake)."""

    name = "portal"
    label = "portal"
