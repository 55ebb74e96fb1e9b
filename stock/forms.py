"""Input forms of the stock pages: they clean and type values; the services decide."""

import datetime

from django import forms
from django.utils import timezone

from kapcouples.forms import submit_helper
from sessions.models import Route
from stock import selectors
from stock.models import Lot, StockEntry
from stock.selectors import LOG_MAX_DAYS

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}
MG = {"min_value": 0.01, "max_digits": 9, "decimal_places": 2}


def _lot_label(lot: Lot) -> str:
    return f"{lot.lot_number} · {lot.strength} · {lot.balance_mg} mg left"


def _staff_choice(field: forms.ModelChoiceField, clinic_id: int, user) -> None:
    field.queryset = selectors.witnesses(clinic_id).exclude(pk=user.pk)
    field.label_from_instance = lambda staff: staff.get_full_name()


class LotReceiveForm(forms.Form):
    lot_number = forms.CharField(max_length=50, help_text="As printed on the package.")
    form = forms.ChoiceField(choices=Lot.Form.choices)
    route = forms.ChoiceField(choices=Route.choices)
    strength = forms.CharField(max_length=60, help_text="As on the label, e.g. 100 mg/troche.")
    mg = forms.DecimalField(label="Quantity received (mg of ketamine)", **MG)
    supplier = forms.CharField(max_length=200)
    invoice_reference = forms.CharField(max_length=100, required=False)
    expires_on = forms.DateField(label="Expires on", **DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Record the lot received")

    def clean_lot_number(self) -> str:
        return self.cleaned_data["lot_number"].strip().upper()


class WasteForm(forms.Form):
    lot = forms.ModelChoiceField(queryset=None, empty_label="Choose the lot")
    mg = forms.DecimalField(label="Quantity wasted (mg)", **MG)
    witness = forms.ModelChoiceField(queryset=None, empty_label="Who watched it wasted")
    reason = forms.CharField(
        max_length=500, help_text="For example: the rest of a troche after a 150 mg dose."
    )

    def __init__(self, *args, clinic_id: int, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = selectors.lots_with_balance(clinic_id)
        self.fields["lot"].label_from_instance = _lot_label
        _staff_choice(self.fields["witness"], clinic_id, user)
        self.helper = submit_helper("Record waste")


class CorrectionForm(forms.Form):
    lot = forms.ModelChoiceField(queryset=None, empty_label="Choose the lot")
    kind = forms.ChoiceField(
        label="Correction",
        choices=[
            (StockEntry.Kind.CORRECTION_OUT, "Remove from the balance (less was counted)"),
            (StockEntry.Kind.CORRECTION_IN, "Add to the balance (more was counted)"),
        ],
    )
    mg = forms.DecimalField(label="Quantity (mg)", **MG)
    witness = forms.ModelChoiceField(queryset=None, empty_label="Who counted with you")
    reason = forms.CharField(max_length=500, help_text="What the count found, and why.")

    def __init__(self, *args, clinic_id: int, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = selectors.lots_for_clinic(clinic_id)
        self.fields["lot"].label_from_instance = _lot_label
        _staff_choice(self.fields["witness"], clinic_id, user)
        self.helper = submit_helper("Record correction")


class LogRangeForm(forms.Form):
    """The log's dates, read from ?from=YYYY-MM-DD&to=YYYY-MM-DD (both days included)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(label="From", **DATE)
        self.fields["to"] = forms.DateField(label="To (included)", **DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", "The end date is before the start date.")
        elif start and end and (end - start).days >= LOG_MAX_DAYS:
            self.add_error("to", f"Choose at most {LOG_MAX_DAYS} days; print a year at a time.")
        return data


def default_log_range(zone) -> dict[str, datetime.date]:
    """From the first of this month to today, in the clinic's zone."""
    today = timezone.localdate(timezone=zone)
    return {"from": today.replace(day=1), "to": today}
