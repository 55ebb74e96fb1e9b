from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


def submit_helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # templates write the <form> so they can add hidden fields
    helper.disable_csrf = True  # ...and its {% csrf_token %}
    helper.add_input(Submit("submit", label, css_class="w-100 w-sm-auto"))
    return helper


class EmailLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": "This account is switched off. Please contact your clinic.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update(autocomplete="username", inputmode="email")
        self.helper = submit_helper("Sign in")


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Change password")


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


class AuditFilterForm(forms.Form):
    """The audit log's filters (a GET form): who, about which couple or partner, what kind,
    between which days of the clinic's calendar."""

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
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.form_class = "row g-2 mb-3 align-items-end"
        self.helper.field_class = ""
        self.helper.wrapper_class = "col-12 col-sm-6 col-lg-4"
        self.helper.add_input(Submit("filter", "Filter", css_class="w-100 w-sm-auto"))

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
