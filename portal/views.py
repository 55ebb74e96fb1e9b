"""The partner's portal: home, "what happens next" and their profile."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.readiness import ScreeningFacts
from integration.outbox import messaging_settings_for
from kapcouples import audit, policy, session_lifetime
from portal import done, selectors, services
from portal.done import next_url
from portal.forms import ProfileForm
from portal.next_step import next_step


def _own_partner(request: HttpRequest):
    """The signed-in partner, with their couple and clinic (the policy let only partners in)."""
    return request.user.partner_profile


@policy.allow(*policy.PARTNERS)
def home(request: HttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    now = timezone.now()
    snapshot = selectors.portal_snapshot(partner, now=now)
    context = {"partner": partner, "snapshot": snapshot, "step": next_step(snapshot)}
    return render(request, "portal/home.html", context)


@policy.allow(*policy.PARTNERS)
def history(request: HttpRequest) -> HttpResponse:
    """What the partner sent, the couple's past appointments, the check-in answers they may
    read and their scores over time: a page of its own, so the home page a partner opens
    on every visit reads only what is to do next."""
    partner = _own_partner(request)
    screening = ScreeningFacts([partner])
    context = {
        "partner": partner,
        "past": selectors.past_appointments(partner, now=timezone.now()),
        "submissions": selectors.submissions_of(partner, screening),
        "screening": screening,
    }
    return render(request, "portal/history.html", context)


@policy.allow(*policy.PARTNERS)
def next_page(request: HttpRequest) -> HttpResponse:
    """Where every partner form ends: what was received, what happens next, the next step."""
    partner = _own_partner(request)
    snapshot = selectors.portal_snapshot(partner, now=timezone.now())
    context = {
        "partner": partner,
        "done": done.done_for(request.GET.get("done")),
        "step": next_step(snapshot),
        "snapshot": snapshot,
    }
    return render(request, "portal/next.html", context)


@policy.allow(*policy.PARTNERS)
def profile(request: HttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    audit.record_read(request, partner, clinic_id=partner.couple.clinic_id)
    kept = session_lifetime.pop_kept_form(request)
    if kept is not None:
        messages.info(request, _("We kept what you typed before you were signed out. Save it."))
    clinic = messaging_settings_for(partner.couple.clinic_id)
    form = ProfileForm(request.POST or kept, instance=partner, clinic_quiet=clinic)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.partner_profile_update(partner=partner, by=request.user, changes=changes)
        except services.DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect(next_url("profile"))
    return render(request, "portal/profile.html", {"partner": partner, "form": form})
