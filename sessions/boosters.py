"""Boosters: the medicine sessions after a completed program, whose rules another app owns.

The readiness gate (`sessions.readiness`, `sessions.medicine`, the record and the caseload)
judges a booster against the couple's maintenance plan with the maintenance app's rules.
That app builds on this one, so it registers its rules at start-up
(MaintenanceConfig.ready) and the dependency runs one way: maintenance → sessions.
"""

import datetime
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from intake.models import Couple


def is_booster_couple(couple: Couple) -> bool:
    """A medicine session of this couple is a booster: their program is completed."""
    return couple.status == Couple.Status.COMPLETED


class BoosterSettings(Protocol):
    """The clinic's booster settings the gate reads."""

    rescreen_within_days: int
    preparation_sessions: int


class BoosterRules(Protocol):
    """What the gate asks of the app that owns maintenance plans (`maintenance.gate`).
    A plan is that app's row; the gate reads the treatment plan's attributes of it
    (approach, dosing partner, route, approval)."""

    def open_plan(self, couple: Couple) -> Any: ...

    def open_plans(self, couple_ids: set[int]) -> dict[int, Any]: ...

    def settings_for(self, clinic_id: int) -> BoosterSettings: ...

    def plan_problems(self, plan: Any, on: datetime.date) -> list[str]: ...

    def rescreen_window(
        self, on: datetime.date, days: int
    ) -> tuple[datetime.date, datetime.date]: ...

    def rescreen_problems(self, name: str, responses, window, zone) -> list[str]: ...

    def count_problems(self, plan: Any, history, zone) -> list[str]: ...


_registered: dict[str, BoosterRules] = {}


def register_booster_rules(rules: BoosterRules) -> None:
    _registered["rules"] = rules


def booster_rules() -> BoosterRules:
    """The registered rules. None registered would let a booster pass unjudged, so it fails."""
    try:
        return _registered["rules"]
    except KeyError:
        raise ImproperlyConfigured(
            "No booster rules are registered: the maintenance app registers them in its "
            "AppConfig.ready() and must be in INSTALLED_APPS."
        ) from None
