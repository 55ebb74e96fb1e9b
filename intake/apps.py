from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Couples, partners and their screening."""

    name = "intake"
