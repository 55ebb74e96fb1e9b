"""The partner's profile form (input only; `portal.services` saves)."""

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.forms import PartnerContactForm
from integration.models import MessagingSettings


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 21:30.")},
    )


class ProfileForm(PartnerContactForm):
    """Contact details, time zone, how and when reminders come. Email is shown, not edited."""

    timezone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=_zone_choices,
        help_text=_("Times on your portal and in reminders are shown in this zone."),
        error_messages={"invalid_choice": _("Choose your time zone from the list.")},
    )
    quiet_start = _time_field(_("Quiet hours: no reminders from"))
    quiet_end = _time_field(_("Quiet hours end at"))

    class Meta(PartnerContactForm.Meta):
        fields = [*PartnerContactForm.Meta.fields, "quiet_start", "quiet_end", "language"]
        labels = {
            "phone": _("Mobile phone"),
            "emergency_contact_name": _("Emergency contact's name"),
            "emergency_contact_phone": _("Emergency contact's phone"),
            "preferred_channel": _("Send reminders by"),
            "language": _("Language of my pages, emails and texts"),
        }
        error_messages = {"language": {"invalid_choice": _("Choose a language from the list.")}}

    def __init__(self, *args, clinic_quiet: MessagingSettings | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs[0].value = _("Save my details")
        if clinic_quiet is not None:
            self.fields["quiet_start"].help_text = _(
                "Leave both empty to use the clinic's quiet hours (%(start)s to %(end)s)."
            ) % {
                "start": clinic_quiet.quiet_start.strftime("%H:%M"),
                "end": clinic_quiet.quiet_end.strftime("%H:%M"),
            }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if "quiet_start" in self.errors or "quiet_end" in self.errors:
            return cleaned
        if start is not None and end is None:
            self.add_error("quiet_end", _("Say until when, or empty both times."))
        elif end is not None and start is None:
            self.add_error("quiet_start", _("Say from when, or empty both times."))
        elif start is not None and start == end:
            self.add_error(
                "quiet_end", _("Choose an end different from the start, or empty both times.")
            )
        return cleaned
