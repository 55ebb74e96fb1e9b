from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    """Retreats and group programs: several couples share preparation, medicine and sharing
    sessions booked once for everyone, while each couple keeps its own screening,
    readiness, prescriptions, session record and privacy."""

    name = "groups"
    label = "groups"
    verbose_name = "Retreats and groups"

    def ready(self) -> None:
        from kapcouples.context_processors import NAVIGATION
        from kapcouples.models import Role

        entries = {
            Role.CLINICIAN: "groups:program_list",
            Role.PRESCRIBER: "groups:program_list",
            Role.FRONT_DESK: "groups:program_list",
            Role.PARTNER: "groups:partner_sessions",
        }
        for role, url_name in entries.items():
            if url_name not in {name for name, _label in NAVIGATION[role]}:
                NAVIGATION[role] += [(url_name, _("Groups"))]
