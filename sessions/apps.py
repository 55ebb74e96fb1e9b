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
        from django.db.models.signals import post_save

        from integration import services as integration
        from kapcouples import clinic_admin
        from kapcouples.models import Clinic, create_with_each_clinic
        from sessions.hours import on_clinic_created
        from sessions.medicine import hold_in_force
        from sessions.models import ProtocolSettings
        from sessions.protocol import protocol_for
        from sessions.selectors.rooms import future_bookings_of_room

        create_with_each_clinic(ProtocolSettings)
        clinic_admin.register_room_bookings(future_bookings_of_room)
        # Seven rows, not one: create_with_each_clinic makes a single row per clinic.
        post_save.connect(
            on_clinic_created, sender=Clinic, weak=False, dispatch_uid="opening-hours"
        )
        integration.register_sessions_lookups(
            hold_in_force=hold_in_force,
            integration_window_hours=lambda clinic_id: (
                protocol_for(clinic_id).integration_within_hours
            ),
        )
