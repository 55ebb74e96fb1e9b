from django.conf import settings
from django.http import HttpRequest

from kapcouples import policy, sessions
from kapcouples.models import Role

# (url name, label) per role; the access policy still guards each page.
NAVIGATION = {
    Role.CLINICIAN: [("care_dashboard", "My couples")],
    Role.PRESCRIBER: [("care_dashboard", "My couples")],
    Role.FRONT_DESK: [("desk_dashboard", "Couples")],
    Role.CLINIC_ADMIN: [("admin_dashboard", "Clinic"), ("audit_log", "Audit log")],
    Role.PARTNER: [("portal", "My portal")],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    role = policy.role_of(user)
    return {
        "nav_items": NAVIGATION.get(role, []),
        "user_role": role,
        "user_role_label": Role(role).label if role else "Operator",
        "idle_seconds": int(sessions.idle_limit(user).total_seconds()),
        "demo_mode": settings.DEBUG,
    }
