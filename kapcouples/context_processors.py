from django.conf import settings
from django.http import HttpRequest

from kapcouples import policy, session_lifetime
from kapcouples.models import Role

# (url name, label) per role; the access policy still guards each page.
NAVIGATION = {
    Role.CLINICIAN: [("care_dashboard", "My couples")],
    Role.PRESCRIBER: [("care_dashboard", "My couples")],
    Role.FRONT_DESK: [("desk_dashboard", "Couples")],
    Role.CLINIC_ADMIN: [("admin_dashboard", "Clinic"), ("audit_log", "Audit log")],
    Role.PARTNER: [("portal", "My portal")],
}
# Screening (intake app).
_INTAKE_CARE_NAV = [("intake:couple_enrol", "Enrol"), ("intake:break_glass", "Emergency access")]
NAVIGATION[Role.CLINICIAN] += _INTAKE_CARE_NAV
NAVIGATION[Role.PRESCRIBER] += _INTAKE_CARE_NAV
NAVIGATION[Role.FRONT_DESK] += [("intake:couple_enrol", "Enrol a couple")]
NAVIGATION[Role.CLINIC_ADMIN] += [("intake:consent_text_edit", "Consent text")]
# Booking and sessions (sessions app).
NAVIGATION[Role.CLINICIAN] += [("clinic_sessions:today", "Today")]
NAVIGATION[Role.PRESCRIBER] += [("clinic_sessions:today", "Today")]
NAVIGATION[Role.FRONT_DESK] += [("clinic_sessions:calendar_day", "Calendar")]
NAVIGATION[Role.CLINIC_ADMIN] += [("clinic_sessions:protocol_edit", "Protocol")]
# Messages (integration app): the outbox, for every staff role.
for _role in (Role.CLINICIAN, Role.PRESCRIBER, Role.FRONT_DESK, Role.CLINIC_ADMIN):
    NAVIGATION[_role] += [("integration:outbox", "Outbox")]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    role = policy.role_of(user)
    return {
        "nav_items": NAVIGATION.get(role, []),
        "user_role": role,
        "user_role_label": Role(role).label if role else "Operator",
        "idle_seconds": int(session_lifetime.idle_limit(user).total_seconds()),
        "demo_mode": settings.DEBUG,
    }
