from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """Discovery-call requests: a prospective couple asks a clinic for a free call on a public
    page; the front desk books the call and later enrols the couple with what they gave.
    Requests of couples who never enrol are deleted after the clinic's retention period."""

    name = "discovery"
    label = "discovery"
    verbose_name = "Discovery calls"

    def ready(self) -> None:
        from discovery.selectors import new_request_count
        from kapcouples.context_processors import NAVIGATION, register_nav_count
        from kapcouples.models import Role

        for role in (Role.FRONT_DESK, Role.CLINIC_ADMIN):
            if "discovery:inbox" not in {name for name, _label in NAVIGATION[role]}:
                NAVIGATION[role] += [("discovery:inbox", "Discovery calls")]
        register_nav_count("discovery:inbox", new_request_count, spoken="new")
