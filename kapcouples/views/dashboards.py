"""Where each role lands, the clinic admin's page and the audit log."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kapcouples import policy, selectors
from kapcouples.models import AccessLog, Role, StaffMembership

LANDING_BY_ROLE = {
    Role.CLINICIAN: "care_dashboard",
    Role.PRESCRIBER: "care_dashboard",
    Role.FRONT_DESK: "desk_dashboard",
    Role.CLINIC_ADMIN: "admin_dashboard",
    Role.PARTNER: "portal",
}
PAGE_SIZE = 25


@policy.authenticated
def home(request: HttpRequest) -> HttpResponse:
    role = policy.role_of(request.user)
    if role in LANDING_BY_ROLE:
        return redirect(LANDING_BY_ROLE[role])
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)


def _page(request: HttpRequest, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@policy.allow(*policy.CLINIC_ADMINS)
def admin_dashboard(request: HttpRequest) -> HttpResponse:
    clinic = request.user.membership.clinic
    context = {
        "clinic": clinic,
        "memberships": StaffMembership.objects.filter(clinic=clinic).select_related("user"),
        "rooms": clinic.rooms.all(),
        "recent_access": selectors.access_log_for_clinic(clinic.pk)[:10],
        "break_glass": selectors.access_log_for_clinic(
            clinic.pk, action=AccessLog.Action.BREAK_GLASS
        )[:10],
    }
    return render(request, "dashboards/clinic_admin.html", context)


@policy.allow(*policy.CLINIC_ADMINS)
def audit_log(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    if action not in AccessLog.Action.values:
        action = ""
    entries = selectors.access_log_for_clinic(policy.staff_clinic_id(request.user), action=action)
    context = {
        "page": _page(request, entries),
        "action": action,
        "actions": AccessLog.Action.choices,
    }
    return render(request, "dashboards/audit_log.html", context)
