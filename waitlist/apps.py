from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    """Couples waiting for a kind of appointment, and the cancelled slots offered to them:
    the first couple to accept books the slot through the booking service."""

    name = "waitlist"
    label = "waitlist"

    def ready(self) -> None:
        from integration.models import Reminder
        from integration.rendering import register_about_words
        from kapcouples.context_processors import NAVIGATION
        from kapcouples.models import Role
        from waitlist.selectors import offer_kind_words

        register_about_words(Reminder.Kind.WAITLIST_OFFER, offer_kind_words)

        if "waitlist:mine" not in {name for name, _label in NAVIGATION[Role.PARTNER]}:
            NAVIGATION[Role.PARTNER] += [("waitlist:mine", _("Waiting list"))]
        # Staff reach the list per kind from their navigation; partners from their portal.
        for role in (Role.FRONT_DESK, Role.CLINICIAN, Role.PRESCRIBER):
            if "waitlist:entry_list" not in {name for name, _label in NAVIGATION[role]}:
                NAVIGATION[role] += [("waitlist:entry_list", "Waitlist")]
