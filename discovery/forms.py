"""Input forms: they clean and type values; the services decide and save."""

from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from discovery.models import NAME_MAX_CHARS, REASON_MAX_CHARS, TIMES_MAX_CHARS, DiscoveryRequest
from kapcouples.forms import submit_helper
from sessions.forms import local_datetime

CONSENT_WORDING = _(
    "We agree that the clinic may contact us by the email or phone number above about a free "
    "call. The clinic keeps this request only for a limited time and deletes it if we do not "
    "start with them."
)
# Bots fill every field they find; people and screen readers never see this one.
HONEYPOT_FIELD = "website"


class DiscoveryRequestForm(forms.Form):
    """A prospective couple's request for a free call: contact details only, no health."""

    first_name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_CHARS,
        help_text=_("A first name is enough, or however you wish to be called."),
        error_messages={"required": _("Tell us what to call you.")},
    )
    second_name = forms.CharField(
        label=_("Your partner's name"),
        max_length=NAME_MAX_CHARS,
        error_messages={"required": _("Tell us what to call your partner.")},
    )
    email = forms.EmailField(
        label=_("Email"),
        error_messages={
            "required": _("We need an email address to reply to."),
            "invalid": _("Enter a valid email address, e.g. name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=DiscoveryRequest.Contact.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how we should contact you.")},
    )
    preferred_times = forms.CharField(
        label=_("When suits you for a call?"),
        max_length=TIMES_MAX_CHARS,
        help_text=_("For example: weekday evenings after 6, or Saturday mornings."),
        error_messages={"required": _("Tell us when we may call, even roughly.")},
    )
    reason = forms.CharField(
        label=_("What brings you to us?"),
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A few words are enough. Please don't include medical details: we will talk "
            "about your health later, privately."
        ),
        error_messages={"required": _("Write a few words about what brings you to us.")},
    )
    consent_to_contact = forms.BooleanField(
        label=CONSENT_WORDING,
        error_messages={"required": _("Tick this box so that we may contact you.")},
    )
    website = forms.CharField(
        required=False,
        label="Website",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.helper = submit_helper(_("Ask for a call"))
        visible = [name for name in self.fields if name != HONEYPOT_FIELD]
        self.helper.layout = Layout(
            *visible,
            Div(
                Field(HONEYPOT_FIELD),
                css_class="visually-hidden",
                aria_hidden="true",
            ),
        )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and sum(ch.isdigit() for ch in phone) < 6:
            raise forms.ValidationError(_("Enter a phone number with its area code."))
        return phone

    def clean(self):
        cleaned = super().clean()
        wants_phone = cleaned.get("preferred_contact") in ("phone", "text")
        if wants_phone and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error(
                "phone", _("Give a phone number, or choose email as the way to contact you.")
            )
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "website"}


class CallBookForm(forms.Form):
    """The time the clinic will call, in the clinic's time zone."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 300}))

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.helper = submit_helper("Book the call")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            try:
                cleaned["call_at"] = local_datetime(cleaned["date"], cleaned["time"], self.zone)
            except forms.ValidationError as error:
                self.add_error("time", error)
        return cleaned


class DiscoverySettingsForm(forms.Form):
    retention_days = forms.IntegerField(
        label="Delete requests of couples who never enrol after (days)",
        min_value=7,
        max_value=730,
        help_text="Counted from the request, or from its booked call if later. Requests of "
        "enrolled couples are kept with the couple.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save")
