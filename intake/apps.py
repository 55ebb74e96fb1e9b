from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Couples, partners and their screening."""

    name = "intake"

    def ready(self) -> None:
        from intake.models import ScreeningSettings
        from intake.selectors import has_active_break_glass
        from kapcouples import policy
        from kapcouples.models import create_with_each_clinic

        policy.register_break_glass_check(has_active_break_glass)
        create_with_each_clinic(ScreeningSettings)
