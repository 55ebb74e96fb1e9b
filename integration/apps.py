from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    """After the medicine session, and every message the clinic sends."""

    name = "integration"
