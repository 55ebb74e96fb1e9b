from django.apps import AppConfig


class AtHomeConfig(AppConfig):
    """At-home medicine sessions: the dosing partner measures and doses at home, a
    chaperone (the other partner or a named adult) confirms presence and checks on them,
    and the care team watches the record live."""

    name = "athome"
    label = "athome"
    verbose_name = "At-home sessions"

    def ready(self) -> None:
        from athome.watch import chaperone_watch_fires
        from integration.checks import CHECKS, Check
        from integration.models import Reminder

        # integration never imports this app: the watch's still-wanted check is registered
        # here, as the sessions app registers its lookups.
        CHECKS[Reminder.Kind.CHAPERONE_WATCH] = Check(
            lambda reminder, _: chaperone_watch_fires(reminder), writes=True
        )
