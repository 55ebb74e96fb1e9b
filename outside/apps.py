from django.apps import AppConfig


class OutsideConfig(AppConfig):
    """Outside prescribers: physicians of another practice whom a clinic grants named couples
    only (their screening, reviews, prescriptions and medicine-session sign-offs)."""

    name = "outside"

    def ready(self) -> None:
        from kapcouples import policy
        from outside.selectors import has_active_grant

        policy.register_outside_grant_check(has_active_grant)
