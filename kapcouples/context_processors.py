from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kapcouples import policy, session_lifetime
from kapcouples.models import Role

# (url name, label) per role; the access policy still guards each page.
NAVIGATION = {
    Role.CLINICIAN: [("care_dashboard", "My couples")],
    Role.PRESCRIBER: [("care_dashboard", "My couples")],
    Role.FRONT_DESK: [("desk_dashboard", "Couples")],
    Role.CLINIC_ADMIN: [
        ("admin_dashboard", "Clinic"),
        ("care_dashboard", "Couples"),
        ("audit_log", "Audit log"),
        ("clinic_admin:staff_list", "Staff"),
        ("clinic_admin:room_list", "Rooms"),
        # Consent text, protocol, opening hours and each app's settings: on the Settings page.
        ("clinic_admin:settings", "Settings"),
    ],
    Role.PARTNER: [("portal", _("My portal"))],
}
# Screening (intake app).
_INTAKE_CARE_NAV = [("intake:couple_enrol", "Enrol"), ("intake:break_glass", "Emergency access")]
NAVIGATION[Role.CLINICIAN] += _INTAKE_CARE_NAV
NAVIGATION[Role.PRESCRIBER] += _INTAKE_CARE_NAV
NAVIGATION[Role.FRONT_DESK] += [("intake:couple_enrol", "Enrol a couple")]
# Booking and sessions (sessions app).
NAVIGATION[Role.CLINICIAN] += [("clinic_sessions:today", "Today")]
NAVIGATION[Role.PRESCRIBER] += [("clinic_sessions:today", "Today")]
NAVIGATION[Role.FRONT_DESK] += [("clinic_sessions:calendar_day", "Calendar")]
# Alerts and messages (integration app): the care team's alerts, every staff role's outbox.
NAVIGATION[Role.CLINICIAN] += [("integration:alerts_inbox", "Alerts")]
NAVIGATION[Role.PRESCRIBER] += [("integration:alerts_inbox", "Alerts")]
for _role in (Role.CLINICIAN, Role.PRESCRIBER, Role.FRONT_DESK, Role.CLINIC_ADMIN):
    NAVIGATION[_role] += [("integration:outbox", "Outbox")]
for _role in (Role.CLINICIAN, Role.PRESCRIBER, Role.CLINIC_ADMIN):
    NAVIGATION[_role] += [("stock:lot_list", "Stock")]
# Outside prescribers (outside app): their granted couples only; the admin manages grants.
NAVIGATION[Role.OUTSIDE_PRESCRIBER] = [("outside:home", "My couples")]
NAVIGATION[Role.CLINIC_ADMIN] += [("outside:grant_list", "Outside prescribers")]


# A count shown beside a navigation item, registered by the app that owns its page (this
# core app imports no domain app): url name -> (counter(user), what a screen reader hears
# after the number, e.g. "open" or "unread").
_NAV_COUNTS: dict[str, tuple[Callable, str]] = {}


def register_nav_count(url_name: str, counter: Callable, *, spoken: str = "open") -> None:
    _NAV_COUNTS[url_name] = (counter, spoken)


def _nav_item(url_name: str, label: str, user) -> tuple[str, str, int | None, str]:
    if url_name not in _NAV_COUNTS:
        return url_name, label, None, ""
    counter, spoken = _NAV_COUNTS[url_name]
    return url_name, label, counter(user), spoken


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    role = policy.role_of(user)
    return {
        "nav_items": [
            _nav_item(url_name, label, user) for url_name, label in NAVIGATION.get(role, [])
        ],
        "user_role": role,
        "user_role_label": Role(role).label if role else "Operator",
        "idle_seconds": int(session_lifetime.idle_limit(user).total_seconds()),
        "demo_mode": settings.DEBUG,
    }
