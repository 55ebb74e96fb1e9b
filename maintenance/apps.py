from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    """Maintenance (booster) sessions after a completed program: the maintenance plan, the
    readiness gate's booster rules, who is due for a booster, and the re-screening reminder."""

    name = "maintenance"
    label = "maintenance"
    verbose_name = "Maintenance sessions"

    def ready(self) -> None:
        from kapcouples.models import create_with_each_clinic
        from maintenance import gate
        from maintenance.models import MaintenanceSettings
        from sessions import boosters

        boosters.register_booster_rules(gate)
        create_with_each_clinic(MaintenanceSettings)
