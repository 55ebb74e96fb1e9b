from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Treatment plans, booking and medicine sessions.

    The label is not "sessions": django.contrib.sessions owns that one.
    """

    name = "sessions"
    label = "clinic_sessions"
    verbose_name = "Treatment sessions"

    def ready(self) -> None:
        # integration never imports this app (this app calls its hooks): tell it, once,
        # what only this app knows.
        from integration import services as integration
        from kapcouples.models import create_with_each_clinic
        from sessions.medicine import hold_in_force
        from sessions.models import ProtocolSettings
        from sessions.protocol import protocol_for

        create_with_each_clinic(ProtocolSettings)
        integration.register_sessions_lookups(
            hold_in_force=hold_in_force,
            integration_window_hours=lambda clinic_id: (
                protocol_for(clinic_id).integration_within_hours
            ),
        )
