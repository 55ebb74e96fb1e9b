"""Input only: cleaning and typing values; the services decide and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from integration.models import QUESTIONNAIRE_EVENTS, IntegrationNote, MessagingSettings, Reminder
from integration.reflection import PROMPTS
from kapcouples.forms import submit_helper


class CheckInForm(forms.Form):
    came_up = forms.CharField(
        label=_("What came up for you since the session?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    share_came_up = forms.BooleanField(label=_("Share this answer with my partner"), required=False)
    practice = forms.CharField(
        label=_("What do you want to practise?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    share_practice = forms.BooleanField(
        label=_("Share this answer with my partner"), required=False
    )
    connection = forms.IntegerField(
        label=_("How connected do you feel to your partner right now? (0 = not at all, 10 = very)"),
        required=False,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": _("Choose a number from 0 to 10."),
            "max_value": _("Choose a number from 0 to 10."),
            "invalid": _("Choose a whole number from 0 to 10."),
        },
    )
    share_connection = forms.BooleanField(
        label=_("Share this answer with my partner"), required=False
    )
    contact_requested = forms.BooleanField(
        label=_("I'd like someone from the care team to contact me"),
        help_text=_("Only your care team sees this. They get in touch during clinic hours."),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Save my check-in"))

    def clean(self):
        data = super().clean()
        if not self.errors and not (
            data.get("came_up")
            or data.get("practice")
            or data.get("connection") is not None
            or data.get("contact_requested")
        ):
            raise forms.ValidationError(
                _("Answer at least one of the three questions, or ask to be contacted.")
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


class MessagingSettingsForm(forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = [
            "appointment_reminder_hours",
            "preparation_instructions_hours",
            "checkin_days",
            "intake_nudge_days",
            "intake_overdue_alert_days",
            "expiry_alert_days",
            "quiet_start",
            "quiet_end",
            "preparation_guidance",
            "sms_enabled",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "preparation_guidance": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save the message settings")
        self.helper.inputs = []  # one Save button, after the questionnaire schedule


# The schedule grid: a row per instrument and moment (the stored shape is a JSON list).
SCHEDULE_INSTRUMENTS = ("PHQ-9", "GAD-7", "PCL-5", "C-SSRS", "CSI-4")


def _slug(code: str, event: str) -> str:
    return f"{code.replace('-', '').lower()}_{event}"


class QuestionnaireScheduleForm(forms.Form):
    """Which questionnaire is sent at which moment, and how many days after it."""

    def __init__(self, *args, schedule: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for code in SCHEDULE_INSTRUMENTS:
            for event, label in QUESTIONNAIRE_EVENTS.items():
                days = [
                    e.get("days", 0) for e in schedule if e == {**e, "code": code, "event": event}
                ]
                self._add_row(_slug(code, event), f"{code} {label}", days)

    def _add_row(self, slug: str, label: str, days: list[int]) -> None:
        self.fields[f"{slug}_on"] = forms.BooleanField(
            label=label, required=False, initial=bool(days)
        )
        self.fields[f"{slug}_days"] = forms.CharField(
            label=f"{label}: days after",
            required=False,
            max_length=40,
            initial=", ".join(str(day) for day in days if day),
        )

    def rows(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (code, label, self[f"{_slug(code, event)}_on"], self[f"{_slug(code, event)}_days"])
            for code in SCHEDULE_INSTRUMENTS
            for event, label in QUESTIONNAIRE_EVENTS.items()
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        schedule = []
        for code in SCHEDULE_INSTRUMENTS:
            for event in QUESTIONNAIRE_EVENTS:
                slug = _slug(code, event)
                days = self._days(f"{slug}_days", cleaned.get(f"{slug}_days", ""))
                if cleaned.get(f"{slug}_on"):
                    schedule += [_entry(code, event, day) for day in days or [0]]
        cleaned["schedule"] = schedule
        return cleaned

    def _days(self, name: str, text: str) -> list[int]:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not all(part.isdigit() and int(part) <= 90 for part in parts):
            self.add_error(name, "Whole days from 0 to 90, separated by commas, e.g. 7 or 7, 30.")
            return []
        return sorted({int(part) for part in parts})


def _entry(code: str, event: str, day: int) -> dict:
    return {"code": code, "event": event, "days": day} if day else {"code": code, "event": event}


class ReflectionEntryForm(forms.Form):
    """A partner's own part of the couple's shared reflection (labels are the prompts)."""

    noticed = forms.CharField(
        label=PROMPTS["noticed"],
        help_text=_("In the session or since: a moment, a look, something said."),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    agreement = forms.CharField(
        label=PROMPTS["agreement"],
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    practise = forms.CharField(
        label=PROMPTS["practise"],
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].error_messages["max_length"] = _(
                "Keep this to %(limit_value)d characters (it has %(show_value)d)."
            )
        self.helper = submit_helper(_("Save my part"))

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in self.fields):
            raise forms.ValidationError(_("Write something for at least one of the prompts."))
        return data
