"""Input only: the services check again and decide."""

from django import forms

from kapcouples.forms import submit_helper
from sessions.models import Appointment, Weekday
from waitlist.models import TimeOfDay


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label="Waiting for", choices=Appointment.Kind.choices)
    weekdays = forms.TypedMultipleChoiceField(
        label="Days that suit them",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one weekday."},
    )
    times_of_day = forms.TypedMultipleChoiceField(
        label="Times that suit them (clinic time)",
        choices=TimeOfDay.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one time of day."},
    )
    earliest_date = forms.DateField(
        label="Not before", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        help_text="For the front desk, e.g. “needs an hour's notice”. Not clinical detail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Put on the waitlist")


class OfferForm(forms.Form):
    """The waiting couples (entries) chosen to be offered the time."""

    entries = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": "Choose at least one couple to offer the time to."},
    )

    def __init__(self, *args, matches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(m.entry.pk, str(m.entry.pk)) for m in matches]
