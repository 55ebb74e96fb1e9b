"""The clinic admin's screening settings page (this app owns those settings)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from intake.clinic_settings import screening_settings_update
from intake.forms import ScreeningSettingsForm
from intake.models import ScreeningSettings
from kapcouples import audit, policy
from kapcouples.services import DomainError


@policy.allow(*policy.CLINIC_ADMINS)
def screening_settings_edit(request: HttpRequest) -> HttpResponse:
    clinic_id = policy.staff_clinic_id(request.user)
    form = ScreeningSettingsForm(
        request.POST or None, instance=ScreeningSettings.for_clinic(clinic_id)
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            screening_settings_update(
                by=request.user, clinic_id=clinic_id, values=values, where=audit.where_from(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Screening settings saved.")
            return redirect("intake:screening_settings_edit")
    return render(request, "intake/screening_settings_form.html", {"form": form})
