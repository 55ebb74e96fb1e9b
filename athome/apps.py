from django.apps import AppConfig


class AtHomeConfig(AppConfig):
    """At-home medicine sessions: the dosing partner measures and doses at home, a
    chaperone (the other partner or a named adult) confirms presence and checks on them,
    and the care team watches the record live."""

    name = "athome"
    label = "athome"
    verbose_name = "At-home sessions"

    def ready(self) -> None:
        from athome.services import chaperone_contact, chaperone_link_path, chaperone_link_wanted
        from athome.watch import chaperone_watch_fires
        from integration.chaperones import register_chaperone_hooks
        from integration.checks import CHECKS, Check
        from integration.models import Reminder

        # integration never imports this app: the watch's still-wanted check is registered
        # here, as the sessions app registers its lookups.
        CHECKS[Reminder.Kind.CHAPERONE_WATCH] = Check(
            lambda reminder, _: chaperone_watch_fires(reminder), writes=True
        )
        # The named adult's link: how to reach them, a link minted at delivery, and whether
        # the message still goes out then.
        register_chaperone_hooks(contact=chaperone_contact, fresh_link=chaperone_link_path)
        CHECKS[Reminder.Kind.CHAPERONE_LINK] = Check(
            lambda reminder, _: chaperone_link_wanted(reminder)
        )
