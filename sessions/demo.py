"""This app's part of `manage.py seed_demo` (must be safe to run twice)."""

from intake.models import Couple
from kapcouples.models import Clinic, User


def seed(*, clinic: Clinic, staff: dict[str, User], couples: list[Couple]) -> None:
    """Nothing yet."""
