"""At-home pages: the partner's (dosing or chaperone), the named adult's link, and the
care team's (naming the chaperone, the live record)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from athome import selectors, services
from athome.forms import ChaperoneCheckForm, ChaperoneNameForm, HomeDoseForm, HomeReadingForm
from athome.models import HomeChaperone
from kapcouples import audit, policy
from kapcouples.services import DomainError
from sessions.medicine import InvalidFields
from sessions.models import MedicineSession
from sessions.views.common import get_session_for_care

# The named adults' links this browser holds (a link opens in one browser only).
HELD_LINKS = "athome_links"


def _session_for_partner(request: HttpRequest, session_id: int) -> tuple[MedicineSession, str]:
    """The session and the partner's role in it; anyone else: a logged 404."""
    session = get_object_or_404(
        MedicineSession.objects.select_related(
            "appointment", "couple__clinic", "home_chaperone__partner"
        ),
        pk=session_id,
    )
    if policy.can_self_report_at_home(request.user, session):
        return session, "dosing"
    if policy.can_chaperone(request.user, session):
        return session, "chaperone"
    policy.deny(request, reason="not this at-home session's partner", obj=session, hide=True)


def _add_errors(form, error: DomainError) -> None:
    if isinstance(error, InvalidFields):
        for name, text in error.errors.items():
            form.add_error(name if name in form.fields else None, text)
    else:
        form.add_error(None, str(error))


def _check_form(sheet, data=None) -> ChaperoneCheckForm | None:
    row = sheet.next_check
    if row is None or not row.may_report:
        return None
    name = sheet.session.dosing_partner.first_name if sheet.session.dosing_partner else ""
    return ChaperoneCheckForm(data, kind=row.check.kind, name=name)


def _render(request, sheet, *, bound: dict | None = None, status=200, template="") -> HttpResponse:
    forms = {
        "reading": HomeReadingForm(),
        "dose": HomeDoseForm(initial={"mg": sheet.remaining_mg}),
        "check": _check_form(sheet),
    } | (bound or {})
    context = {"sheet": sheet, "forms": forms, "zone": _zone(request, sheet.session)}
    return render(request, template or "athome/home_session.html", context, status=status)


def _zone(request: HttpRequest, session: MedicineSession) -> str:
    profile = getattr(request.user, "partner_profile", None)
    return profile.timezone if profile is not None else session.couple.clinic.timezone


@policy.allow(*policy.PARTNERS)
def home_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session, role = _session_for_partner(request, session_id)
    return _render(request, selectors.home_sheet(session, role, timezone.now()))


def _back(session: MedicineSession) -> HttpResponse:
    return redirect("athome:home_session", session_id=session.pk)


@policy.allow(*policy.PARTNERS)
@require_POST
def home_reading(request: HttpRequest, session_id: int) -> HttpResponse:
    session, role = _session_for_partner(request, session_id)
    form = HomeReadingForm(request.POST)
    if form.is_valid():
        try:
            services.home_vitals_record(session=session, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _add_errors(form, error)
        else:
            return _back(session)
    sheet = selectors.home_sheet(session, role, timezone.now())
    return _render(request, sheet, bound={"reading": form}, status=400)


@policy.allow(*policy.PARTNERS)
@require_POST
def home_dose(request: HttpRequest, session_id: int) -> HttpResponse:
    session, role = _session_for_partner(request, session_id)
    form = HomeDoseForm(request.POST)
    if form.is_valid():
        try:
            services.home_dose_record(session=session, mg=form.cleaned_data["mg"], by=request.user)
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Recorded. Rest now; your chaperone stays with you."))
            return _back(session)
    sheet = selectors.home_sheet(session, role, timezone.now())
    return _render(request, sheet, bound={"dose": form}, status=400)


@policy.allow(*policy.PARTNERS)
@require_POST
def home_check(request: HttpRequest, session_id: int) -> HttpResponse:
    session, role = _session_for_partner(request, session_id)
    sheet = selectors.home_sheet(session, role, timezone.now())
    form = _check_form(sheet, request.POST)
    if form is None:
        messages.info(request, _("There is no check to send right now."))
        return _back(session)
    if _report(form, session, by=request.user):
        return _back(session)
    return _render(request, sheet, bound={"check": form}, status=400)


def _report(form, session, *, by=None, link_chaperone=None) -> bool:
    if not form.is_valid():
        return False
    try:
        services.chaperone_check_record(
            session=session,
            kind=form.cleaned_data["kind"],
            by=by,
            link_chaperone=link_chaperone,
            **form.answers(),
        )
    except DomainError as error:
        _add_errors(form, error)
        return False
    return True


# --- The named adult's link -------------------------------------------------------------------
def _link_chaperone(request: HttpRequest, token: str) -> HomeChaperone:
    """The link's chaperone, claimed by this browser on first opening; an unknown, expired
    or already claimed link answers a logged 404."""
    chaperone = services.chaperone_by_link(token)
    if chaperone is None:
        policy.deny(request, reason="unknown or expired chaperone link", hide=True)
    held = request.session.get(HELD_LINKS, [])
    if chaperone.pk not in held:
        if not services.chaperone_link_claim(chaperone=chaperone):
            policy.deny(request, reason="chaperone link opened elsewhere", obj=chaperone, hide=True)
        request.session[HELD_LINKS] = [*held, chaperone.pk]
    return chaperone


@policy.public
def chaperone_link(request: HttpRequest, token: str) -> HttpResponse:
    chaperone = _link_chaperone(request, token)
    session = chaperone.medicine_session
    sheet = selectors.home_sheet(session, "chaperone", timezone.now())
    if request.method == "POST":
        form = _check_form(sheet, request.POST)
        if form is not None and _report(form, session, link_chaperone=chaperone):
            return redirect(request.path)
        if form is not None:
            return _render(request, sheet, bound={"check": form}, status=400)
    return _render(request, sheet, template="athome/chaperone_link.html")


# --- The care team ----------------------------------------------------------------------------
def _team_page(request: HttpRequest, session: MedicineSession, form=None, *, status=200):
    chaperone = HomeChaperone.objects.filter(medicine_session=session).first()
    context = {
        "session": session,
        "chaperone": chaperone,
        "link_message": selectors.link_message(chaperone),
        "rows": selectors.team_rows(session),
        "checks": selectors.checks_of(session, timezone.now()),
        "form": form or ChaperoneNameForm(partners=session.couple.partners.all()),
    }
    return render(request, "athome/team_view.html", context, status=status)


@policy.allow(*policy.CARE_TEAM)
def team_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_care(request, session_id)
    audit.record_read(request, session, clinic_id=session.couple.clinic_id)
    return _team_page(request, session)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def chaperone_setup(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_care(request, session_id)
    form = ChaperoneNameForm(request.POST, partners=session.couple.partners.all())
    if form.is_valid():
        try:
            services.chaperone_name(session=session, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _add_errors(form, error)
        else:
            return redirect("athome:team_view", session_id=session.pk)
    return _team_page(request, session, form, status=400)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def chaperone_link_resend(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_care(request, session_id)
    try:
        services.chaperone_link_resend(session=session, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "A new link is on its way; the earlier one no longer opens.")
    return redirect("athome:team_view", session_id=session.pk)
