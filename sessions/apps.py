from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Treatment plans, booking and medicine sessions.

    The label is not "sessions": django.contrib.sessions owns that one.
    """

    name = "sessions"
    label = "clinic_sessions"
    verbose_name = "Treatment sessions"
