"""Where each role lands, the clinic admin's page and the audit log."""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kapcouples import audit, audit_csv, policy, selectors
from kapcouples.forms import AuditFilterForm
from kapcouples.models import AccessLog, Role, StaffMembership
from kapcouples.selectors import AuditFilters

LANDING_BY_ROLE = {
    Role.CLINICIAN: "care_dashboard",
    Role.PRESCRIBER: "care_dashboard",
    Role.FRONT_DESK: "desk_dashboard",
    Role.CLINIC_ADMIN: "admin_dashboard",
    Role.PARTNER: "portal",
    Role.OUTSIDE_PRESCRIBER: "outside:home",
}


@policy.authenticated
def home(request: HttpRequest) -> HttpResponse:
    role = policy.role_of(request.user)
    if role in LANDING_BY_ROLE:
        return redirect(LANDING_BY_ROLE[role])
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)


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


def _audit_filters(request: HttpRequest, clinic) -> tuple[AuditFilterForm, AuditFilters | None]:
    """The filter form and, when its input is valid (or absent), the filters it means."""
    form = AuditFilterForm(
        request.GET or None,
        people=selectors.clinic_staff_users(clinic.pk),
        actions=AccessLog.Action.choices,
    )
    if form.is_bound and not form.is_valid():
        return form, None
    values = form.cleaned_data if form.is_bound else {}
    return form, selectors.audit_filters(values, zone=clinic.zone)


def _audit_page(request: HttpRequest, form, page, clinic, filters) -> HttpResponse:
    people = selectors.clinic_staff_users(clinic.pk).values_list("pk", "full_name")
    context = {
        "form": form,
        "people": list(people),
        "chosen_person": _chosen_person(form),
        "page": page,
        "zone": clinic.zone,
        "query": _query_without(request, "after"),
        "couple_id": filters.couple_id if filters else None,
    }
    return render(request, "dashboards/audit_log.html", context, status=200 if filters else 400)


def _chosen_person(form) -> int | None:
    """The person the filter names, as typed (kept selected even when the form is invalid)."""
    value = str(form["person"].value() or "")
    return int(value) if value.isdigit() else None


@policy.allow(*policy.CLINIC_ADMINS)
def audit_log(request: HttpRequest) -> HttpResponse:
    clinic = request.user.membership.clinic
    form, filters = _audit_filters(request, clinic)
    page = None
    if filters is not None:
        after = selectors.Cursor.parse(request.GET.get("after"))
        page = selectors.access_log_page(clinic.pk, filters, after=after)
    return _audit_page(request, form, page, clinic, filters)


@policy.allow(*policy.CLINIC_ADMINS)
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV, streamed; the export is itself an audit entry."""
    clinic = request.user.membership.clinic
    form, filters = _audit_filters(request, clinic)
    if filters is None:
        return _audit_page(request, form, None, clinic, filters)
    audit.record_export(request, clinic_id=clinic.pk, query=_query_without(request, "after"))
    rows = audit_csv.rows(selectors.access_log_filtered(clinic.pk, filters), zone=clinic.zone)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone=clinic.zone)
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp:%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _query_without(request: HttpRequest, name: str) -> str:
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()
