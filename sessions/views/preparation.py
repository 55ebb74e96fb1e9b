"""Preparing together: the couple's preparation page and each medicine session's checklist
and ride home. Both partners write; the care team reads."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.models import Couple
from kapcouples import audit, policy
from kapcouples.services import DomainError
from sessions.forms import AgendaItemForm, ChecklistForm, RideHomeForm
from sessions.medicine import InvalidFields
from sessions.models import MedicineSession
from sessions.preparation import selectors, services
from sessions.preparation.models import CoupleAgendaItem
from sessions.protocol import protocol_for


def _onward(couple: Couple, *, done: str = "") -> HttpResponse:
    """Where a partner goes after a preparation form succeeds: what happens next for the
    checklist and the ride home, back to the couple's page for their agenda."""
    if done:
        return redirect(f"{reverse('portal:next')}?done={done}")
    return redirect("clinic_sessions:preparation", couple_id=couple.pk)


def _shared_or_deny(request: HttpRequest, couple: Couple, obj=None) -> None:
    """Both partners and the care team; another couple's partner or another clinic's staff
    must not learn the couple exists (404); staff of the clinic off the team get 403."""
    if policy.can_view_couple_shared(request.user, couple):
        return
    hide = policy.is_outsider_to_clinic(request.user, couple.clinic_id)
    policy.deny(request, reason="another couple's preparation", obj=obj or couple, hide=hide)


def _get_couple(request: HttpRequest, couple_id: int) -> Couple:
    couple = get_object_or_404(Couple.objects.select_related("clinic"), pk=couple_id)
    _shared_or_deny(request, couple)
    return couple


def _get_session(request: HttpRequest, session_id: int) -> MedicineSession:
    session = get_object_or_404(
        MedicineSession.objects.select_related("appointment__room", "couple__clinic"),
        pk=session_id,
    )
    _shared_or_deny(request, session.couple, session)
    return session


@policy.allow(*policy.PARTNER_AND_CARE)
def preparation(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = _get_couple(request, couple_id)
    return _render_couple(request, couple, AgendaItemForm())


def _render_couple(request, couple, agenda_form, status: int = 200) -> HttpResponse:
    sheet = selectors.preparation_sheet(couple, request.user, timezone.now())
    context = {"sheet": sheet, "agenda_form": agenda_form, "zone": _zone(request, couple)}
    return render(request, "sessions/preparation.html", context, status=status)


def _zone(request: HttpRequest, couple: Couple) -> str:
    """Partners read times in their own zone, staff in the clinic's."""
    profile = getattr(request.user, "partner_profile", None)
    return profile.timezone if profile is not None else couple.clinic.timezone


@policy.allow(*policy.PARTNERS)
@require_POST
def agenda_item_add(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = _get_couple(request, couple_id)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(couple=couple, text=form.cleaned_data["text"], by=request.user)
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Added to your agenda."))
            return _onward(couple)
    return _render_couple(request, couple, form, status=400)


@policy.allow(*policy.PARTNERS)
@require_POST
def agenda_item_withdraw(request: HttpRequest, agenda_item_id: int) -> HttpResponse:
    item = get_object_or_404(CoupleAgendaItem.objects.select_related("couple"), pk=agenda_item_id)
    _shared_or_deny(request, item.couple, item)
    try:
        services.agenda_item_withdraw(item=item, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The item is withdrawn from your agenda."))
    return _onward(item.couple)


@policy.allow(*policy.PARTNER_AND_CARE)
def preparation_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _get_session(request, session_id)
    if policy.can_view_clinical(request.user, session.couple):
        # The care team reads the partners' ride-home details here: logged as such reads are.
        audit.record_read(request, session, clinic_id=session.couple.clinic_id)
    return _render_session(request, session)


def _render_session(request, session, *, bound: dict | None = None, status=200) -> HttpResponse:
    items = protocol_for(session.couple.clinic_id).checklist_items
    prep = selectors.session_preparation(session, request.user, timezone.now(), items=items)
    seen = [row.item for row in prep.checklist if row.done]
    ride = _ride_initial(prep)
    forms = {
        "checklist": ChecklistForm(items=items, initial={"done": seen, "seen": seen}),
        "ride": RideHomeForm(initial=ride, confirmed=bool(ride)),
    } | (bound or {})
    context = {
        "prep": prep,
        "session": session,
        "forms": forms,
        "closed_reason": _closed_reason(session),
        "zone": _zone(request, session.couple),
    }
    return render(request, "sessions/preparation_session.html", context, status=status)


def _closed_reason(session: MedicineSession) -> str:
    return services.session_closed_reason(session, timezone.now())


def _ride_initial(prep) -> dict:
    mine = prep.my_ride
    if mine is None or mine.confirmation is None:
        return {}
    c = mine.confirmation
    return {
        "will_not_drive": True,
        "escort_name": c.escort_name,
        "escort_phone": c.escort_phone,
        "escort_relationship": c.escort_relationship,
    }


@policy.allow(*policy.PARTNERS)
@require_POST
def checklist_save(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _get_session(request, session_id)
    items = protocol_for(session.couple.clinic_id).checklist_items
    form = ChecklistForm(request.POST, items=items)
    if form.is_valid():
        tick, untick = form.changes()
        try:
            services.checklist_save(session=session, tick=tick, untick=untick, by=request.user)
        except DomainError as error:
            _add_errors(form, error)
        else:
            return _onward(session.couple, done="preparation")
    return _render_session(request, session, bound={"checklist": form}, status=400)


@policy.allow(*policy.PARTNERS)
@require_POST
def ride_home_confirm(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _get_session(request, session_id)
    form = RideHomeForm(request.POST)
    if form.is_valid():
        try:
            services.ride_home_confirm(session=session, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _add_errors(form, error)
        else:
            return _onward(session.couple, done="ride_home")
    return _render_session(request, session, bound={"ride": form}, status=400)


def _add_errors(form, error: DomainError) -> None:
    """A rule's message next to its field where it names one, else above the form."""
    if isinstance(error, InvalidFields):
        for name, text in error.errors.items():
            form.add_error(name if name in form.fields else None, text)
    else:
        form.add_error(None, str(error))
