from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from kapcouples.models import STAFF_ROLE_CHOICES, Role, User

# RFC 5321's limit for an address, and the length of User.email and of axes' username column.
EMAIL_MAX_LENGTH = 254


def submit_helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # templates write the <form> so they can add hidden fields
    helper.disable_csrf = True  # ...and its {% csrf_token %}
    helper.add_input(Submit("submit", label, css_class="w-100 w-sm-auto"))
    return helper


class EmailLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is switched off. Please contact your clinic."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email")
        # AuthenticationForm sets max_length after the field is built, so nothing checks it:
        # an over-long email would reach axes' lock-out table (a database error) unchecked.
        self.fields["username"].validators.append(
            MaxLengthValidator(
                EMAIL_MAX_LENGTH,
                message=_(
                    "An email address has at most %(limit_value)d characters "
                    "(this one has %(show_value)d). Check what you typed."
                ),
            )
        )
        self.fields["username"].widget.attrs.update(autocomplete="username", inputmode="email")
        self.helper = submit_helper(_("Sign in"))


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Change password"))


class StyledSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Set my password"))


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Verify")

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is 6 digits, numbers only.")
        return token


# --- Clinic administration ----------------------------------------------------------------
# An outside prescriber is invited with the couples they may see (outside app), never here.
CLINIC_ROLE_CHOICES = [c for c in STAFF_ROLE_CHOICES if c[0] != Role.OUTSIDE_PRESCRIBER]


class StaffInviteForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email", help_text="The invitation link is sent here.")
    role = forms.ChoiceField(label="Role", choices=CLINIC_ROLE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Send the invitation")


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=CLINIC_ROLE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("role") == Role.OUTSIDE_PRESCRIBER:
            # Shown as it is (the service refuses changing it, whichever role is chosen).
            self.fields["role"].choices = STAFF_ROLE_CHOICES
        self.helper = submit_helper("Change the role")


class HandOverForm(forms.Form):
    """Who takes over a staff member's couples; required only while they have any."""

    hand_over_to = forms.ModelChoiceField(
        queryset=None, label="Hand their couples to", required=False, empty_label="Choose…"
    )

    def __init__(self, *args, candidates, required: bool, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["hand_over_to"]
        field.queryset = User.objects.filter(pk__in=candidates.values("user_id")).order_by(
            "full_name"
        )
        field.required = required
        field.error_messages["required"] = "Choose the clinician who takes over their couples."
        self.helper = submit_helper(label)


class RoomForm(forms.Form):
    name = forms.CharField(label="Room name", max_length=100)

    def __init__(self, *args, submit_label: str = "Add the room", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(submit_label)


class AuditFilterForm(forms.Form):
    """The audit log's filters (a GET form): who, about which couple or partner, what kind,
    between which days of the clinic's calendar. Written out in
    templates/dashboards/_audit_filters.html rather than by crispy (a hot page)."""

    person = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    couple = forms.IntegerField(label="Couple number", required=False, min_value=1)
    partner = forms.IntegerField(label="Partner number", required=False, min_value=1)
    action = forms.ChoiceField(label="Kind of event", required=False)
    date_from = forms.DateField(
        label="From (day)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To (day, included)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, people, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["action"].choices = [("", "All events"), *actions]

    def clean_date_to(self):
        day = self.cleaned_data.get("date_to")
        if day is not None and day.year > 9998:  # the day after it must still be a date
            raise forms.ValidationError("Choose a day before the year 9999.")
        return day

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", f"The last day is before the first ({start:%d %b %Y}).")
        return cleaned


class LanguageForm(forms.Form):
    """The language switch in the page footer."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
