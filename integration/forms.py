"""Input only: cleaning and typing values; the services decide and save."""

from django import forms

from integration.models import IntegrationNote, Reminder
from kapcouples.forms import submit_helper


class CheckInForm(forms.Form):
    came_up = forms.CharField(
        label="What came up for you since the session?",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    share_came_up = forms.BooleanField(label="Share this answer with my partner", required=False)
    practice = forms.CharField(
        label="What do you want to practise?",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    share_practice = forms.BooleanField(label="Share this answer with my partner", required=False)
    connection = forms.IntegerField(
        label="How connected do you feel to your partner right now? (0 = not at all, 10 = very)",
        required=False,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Choose a number from 0 to 10.",
            "max_value": "Choose a number from 0 to 10.",
            "invalid": "Choose a whole number from 0 to 10.",
        },
    )
    share_connection = forms.BooleanField(label="Share this answer with my partner", required=False)
    contact_requested = forms.BooleanField(
        label="I'd like someone from the care team to contact me",
        help_text="Only your care team sees this. They get in touch during clinic hours.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save my check-in")

    def clean(self):
        data = super().clean()
        if not self.errors and not (
            data.get("came_up")
            or data.get("practice")
            or data.get("connection") is not None
            or data.get("contact_requested")
        ):
            raise forms.ValidationError(
                "Answer at least one of the three questions, or ask to be contacted."
            )
        return data


class IntegrationNoteForm(forms.ModelForm):
    class Meta:
        model = IntegrationNote
        fields = ["insights", "relational_themes", "agreements", "next_steps"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}
        labels = {"relational_themes": "Relational themes", "next_steps": "Next steps"}

    def __init__(self, *args, label: str = "Save draft", **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.helper = submit_helper(label)


class AmendmentForm(IntegrationNoteForm):
    reason = forms.CharField(label="Reason for the amendment", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label="Sign the amendment", **kwargs)
        self.fields["reason"].required = True


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Reminder.Status.choices], required=False
    )
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Reminder.Kind.choices], required=False)


class AlertResolveForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the alert: the call made, the new reading, the decision.",
        error_messages={"required": "Say what was done before resolving the alert."},
    )

    def __init__(self, *args, alert_id: int, **kwargs):
        super().__init__(*args, prefix=f"alert-{alert_id}", **kwargs)
