from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Secure messages between a partner and the care team: conversations of one couple,
    private to one partner or addressed to both, read inside the app (the e-mail or text
    only says that a message is waiting)."""

    name = "messaging"
    label = "messaging"

    def ready(self) -> None:
        from kapcouples.context_processors import NAVIGATION, register_nav_count
        from kapcouples.models import Role
        from messaging.selectors import unread_count

        # The care team's inbox and the partners' list, each with its unread count.
        entries = {
            Role.CLINICIAN: "messaging:inbox",
            Role.PRESCRIBER: "messaging:inbox",
            Role.PARTNER: "messaging:conversation_list",
        }
        for role, url_name in entries.items():
            if url_name not in {name for name, _label in NAVIGATION[role]}:
                NAVIGATION[role] += [(url_name, _("Messages"))]
        register_nav_count("messaging:inbox", unread_count, spoken=_("unread"))
        register_nav_count("messaging:conversation_list", unread_count, spoken=_("unread"))
