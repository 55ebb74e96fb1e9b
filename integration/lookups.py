"""What integration asks the sessions app, registered by sessions when Django starts.

sessions' services call integration's hooks inside their own transactions, so
integration never imports sessions back: that would be an import cycle, and it would
tie the outbox to booking code. `sessions/apps.py` registers these in `ready()`.
"""

from collections.abc import Callable

_registered: dict[str, Callable] = {}


def register_sessions_lookups(
    *,
    hold_in_force: Callable[[int], bool],
    integration_window_hours: Callable[[int], int],
) -> None:
    """Called once by the sessions app: the answers only it can give.

    `hold_in_force(vitals_id)`: whether a blood-pressure hold reading still stands.
    `integration_window_hours(clinic_id)`: the clinic's integration window.
    """
    _registered.update(
        hold_in_force=hold_in_force, integration_window_hours=integration_window_hours
    )


def hold_in_force(vitals_id: int) -> bool:
    return _lookup("hold_in_force")(vitals_id)


def integration_window_hours(clinic_id: int) -> int:
    return _lookup("integration_window_hours")(clinic_id)


def _lookup(name: str) -> Callable:
    if name not in _registered:
        raise LookupError(f"The sessions app has not registered {name!r} (SessionsConfig.ready).")
    return _registered[name]
