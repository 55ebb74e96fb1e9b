"""The couple's shared reflection: both partners write and read it; the care team reads it
only while the couple shares it with them (see `integration.reflection`)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integration import reflection as reflections
from integration.forms import ReflectionEntryForm
from integration.models import SharedReflection
from kapcouples import audit, policy
from kapcouples.services import DomainError


def _get_reflection(request: HttpRequest, reflection_id: int) -> SharedReflection:
    """The reflection, if this user may know it exists (its partners and care team); else 404."""
    found = get_object_or_404(
        SharedReflection.objects.select_related("couple", "medicine_session__appointment"),
        pk=reflection_id,
    )
    if not policy.can_see_reflection_exists(request.user, found):
        policy.deny(request, reason="reflection of another couple", obj=found.couple, hide=True)
    return found


def _onward(reflection: SharedReflection) -> HttpResponse:
    """Where a partner goes after saving their part: what happens next."""
    return redirect(f"{reverse('portal:next')}?done=reflection")


@policy.allow(*policy.PARTNER_AND_CARE)
def reflection_detail(request: HttpRequest, reflection_id: int) -> HttpResponse:
    reflection = _get_reflection(request, reflection_id)
    sheet = reflections.reflection_sheet(request.user, reflection)
    if request.method == "POST" and not sheet.may_write:
        policy.deny(request, reason="only the couple writes its reflection", obj=reflection.couple)
    if sheet.readable:
        audit.record_read(request, reflection, clinic_id=reflection.couple.clinic_id)
    form = ReflectionEntryForm(request.POST or None, initial=sheet.own_values)
    if request.method == "POST" and form.is_valid():
        try:
            reflections.reflection_entry_save(
                reflection=reflection, by=request.user, values=form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return _onward(reflection)
    context = {"sheet": sheet, "reflection": reflection, "form": form if sheet.may_write else None}
    return render(request, "integration/reflection_detail.html", context)


@policy.allow(*policy.PARTNERS)
@require_POST
def reflection_share(request: HttpRequest, reflection_id: int) -> HttpResponse:
    reflection = _get_reflection(request, reflection_id)
    choice = request.POST.get("share")
    if choice not in ("yes", "no"):
        messages.error(request, _("Choose whether to share the reflection or stop sharing it."))
        return redirect("integration:reflection_detail", reflection_id=reflection.pk)
    share = choice == "yes"
    try:
        reflections.reflection_sharing_set(reflection=reflection, by=request.user, share=share)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your care team can now read this reflection.")
            if share
            else _("Your care team no longer sees this reflection."),
        )
    return redirect("integration:reflection_detail", reflection_id=reflection.pk)
