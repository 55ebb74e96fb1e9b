from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Couples, partners and their screening."""

    name = "intake"

    def ready(self) -> None:
        from intake.models import ScreeningSettings
        from intake.selectors import has_active_break_glass
        from intake.staff_handover import couples_hand_over, couples_of_staff
        from kapcouples import clinic_admin, policy
        from kapcouples.models import create_with_each_clinic

        policy.register_break_glass_check(has_active_break_glass)
        create_with_each_clinic(ScreeningSettings)
        clinic_admin.register_caseload(couples_of=couples_of_staff, hand_over=couples_hand_over)
