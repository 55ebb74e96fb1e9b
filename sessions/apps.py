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
        from kapcouples import clinic_admin
        from kapcouples.models import create_with_each_clinic
        from sessions.medicine import hold_in_force
        from sessions.models import ProtocolSettings
        from sessions.protocol import protocol_for
        from sessions.selectors.rooms import future_bookings_of_room

        create_with_each_clinic(ProtocolSettings)
        clinic_admin.register_room_bookings(future_bookings_of_room)
        integration.register_sessions_lookups(
            hold_in_force=hold_in_force,
            integration_window_hours=lambda clinic_id: (
                protocol_for(clinic_id).integration_within_hours
            ),
        )
