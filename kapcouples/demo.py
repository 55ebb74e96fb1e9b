"""What the apps' demo seeders share: `seed_demo` hands one DemoSeed to each app's
`demo.seed` in turn; an app adds what later apps build on (intake adds the couples)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from kapcouples.models import Clinic, User


@dataclass
class DemoSeed:
    clinic: Clinic
    staff: dict[str, User]
    make_user: Callable[[str, str], User]  # (email, full name) -> a demo login
    couples: list = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
