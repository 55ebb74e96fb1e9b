from django.apps import AppConfig


class KapCouplesConfig(AppConfig):
    """The core app: users, clinics, the access policy and the audit trail."""

    name = "kapcouples"
    verbose_name = "KAP Couples core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kapcouples import audit  # noqa: F401  (connects the lock-out receiver)
        from kapcouples.history import cache_history_managers
        from kapcouples.session_lifetime import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="kapcouples.stamp_login")
        cache_history_managers()
