from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    """After the medicine session, and every message the clinic sends."""

    name = "integration"

    def ready(self) -> None:
        from integration.models import MessagingSettings
        from kapcouples.models import create_with_each_clinic

        create_with_each_clinic(MessagingSettings)
