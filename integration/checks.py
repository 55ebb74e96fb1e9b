"""Still-wanted checks: asked under the row lock just before a message goes out.

False cancels the message (the follow-up was done meanwhile). The checks of a batch
share one query per kind: `prefetch` reads what every row of that kind needs, then
`wanted` answers per row from it. Checks that write (they raise an alert and let the
alert's own emails be the message) run in a savepoint, so one that fails undoes only
its own writes and its row is retried like a failed send.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from integration import due, window
from integration.alerts import hold_watch_fires
from integration.models import Reminder


@dataclass(frozen=True)
class Check:
    wanted: Callable[[Reminder, Any], bool]
    prefetch: Callable[[list[Reminder]], Any] | None = None
    writes: bool = False


class StillWantedChecks:
    """The checks of one batch, with what they need read once per kind."""

    def __init__(self, prefetched: dict[str, Any]) -> None:
        self._prefetched = prefetched

    @classmethod
    def prefetch(cls, reminders: list[Reminder]) -> "StillWantedChecks":
        by_kind: dict[str, list[Reminder]] = defaultdict(list)
        for reminder in reminders:
            by_kind[reminder.kind].append(reminder)
        return cls(
            {
                kind: CHECKS[kind].prefetch(rows)
                for kind, rows in by_kind.items()
                if kind in CHECKS and CHECKS[kind].prefetch
            }
        )

    def wanted(self, reminder: Reminder) -> bool:
        check = CHECKS.get(reminder.kind)
        if check is None:
            return True
        if check.writes:
            with transaction.atomic():
                return check.wanted(reminder, None)
        return check.wanted(reminder, self._prefetched.get(reminder.kind))


# --- The checks, by kind -----------------------------------------------------------------
def _due_refs(reminders: list[Reminder]) -> dict[int, set[str]]:
    return due.due_refs_for_reminders(reminders, timezone.now())


def _task_still_due(reminder: Reminder, refs: dict[int, set[str]]) -> bool:
    """A reminder about a task goes out while the portal lists that task as due."""
    return due.is_reminder_due(reminder, refs)


def _missing_integration_wanted(reminder: Reminder, _: Any) -> bool:
    """An announcement of an alert goes out. A row about a medicine session was written
    as the window's check before checks had their own kind: it is now only a check."""
    about_type = (
        ContentType.objects.get_for_id(reminder.about_type_id) if reminder.about_type_id else None
    )
    if about_type is not None and about_type.model == "medicinesession":
        return window.integration_check_runs(reminder)
    return True


CHECKS: dict[str, Check] = {
    Reminder.Kind.MISSING_INTEGRATION: Check(_missing_integration_wanted, writes=True),
    Reminder.Kind.INTEGRATION_CHECK: Check(
        lambda reminder, _: window.integration_check_runs(reminder), writes=True
    ),
    Reminder.Kind.HOLD_WATCH: Check(lambda reminder, _: hold_watch_fires(reminder), writes=True),
    **{kind: Check(_task_still_due, _due_refs) for kind in due.KIND_OF_REMINDER},
}
