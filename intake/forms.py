from django import forms

from intake.models import Partner
from kapcouples.forms import submit_helper


class PartnerContactForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "phone",
            "emergency_contact_name",
            "emergency_contact_phone",
            "preferred_channel",
            "timezone",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "emergency_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {"timezone": "Your time zone, e.g. America/Chicago. Reminders respect it."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save")

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"], "your phone number")

    def clean_emergency_contact_phone(self) -> str:
        return _clean_phone(
            self.cleaned_data["emergency_contact_phone"], "the emergency contact's number"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_channel") == Partner.Channel.SMS and not cleaned.get("phone"):
            self.add_error(
                "phone", "Add a mobile number to receive text messages, or choose email."
            )
        return cleaned


def _clean_phone(value: str, what: str) -> str:
    value = value.strip()
    digits = [c for c in value if c.isdigit()]
    if value and (len(digits) < 7 or len(digits) > 15 or set(value) - set("0123456789+-() .")):
        raise forms.ValidationError(
            f"Enter {what} with 7 to 15 digits; only digits, spaces, +, -, ( and ) are allowed."
        )
    return value
