from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    """After the medicine session, and every message the clinic sends."""

    name = "integration"

    def ready(self) -> None:
        from integration.models import MessagingSettings
        from integration.selectors import open_alert_count
        from kapcouples.context_processors import register_nav_count
        from kapcouples.models import create_with_each_clinic

        create_with_each_clinic(MessagingSettings)
        register_nav_count("integration:alerts_inbox", open_alert_count)
