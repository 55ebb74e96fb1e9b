"""Input forms: they clean and type values; the services decide."""

import datetime

from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kapcouples.forms import submit_helper
from sessions import selectors
from sessions.models import (
    MIN_CONFIRMATION_REASON,
    AdverseEvent,
    Appointment,
    Approach,
    ProtocolSettings,
    ReadinessOverride,
    Route,
    Setting,
    SupportRole,
    TreatmentPlan,
    VitalSigns,
    Weekday,
)
from stock import selectors as stock_reads
from stock.models import Lot

DURATIONS = [
    (m, f"{m} minutes" if m < 60 else f"{m // 60} h {m % 60:02d}")
    for m in (30, 45, 50, 60, 90, 120, 180, 240, 300, 360)
]


def local_datetime(day: datetime.date, at: datetime.time, zone) -> datetime.datetime:
    """`day` `at` in the clinic's zone; refuses a time the clocks skip (spring forward)."""
    naive = datetime.datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise forms.ValidationError(
            f"{at:%H:%M} does not exist on {day:%d %b %Y}: the clocks go forward. "
            "Choose another time."
        )
    return aware


class SlotForm(forms.Form):
    """Date, time, length, room and clinicians, in the clinic's time zone."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time", "step": 300})
    )
    duration = forms.TypedChoiceField(label="Length", choices=DURATIONS, coerce=int, initial=60)
    room = forms.ModelChoiceField(queryset=None, empty_label=None)
    clinicians = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, help_text="One or more."
    )

    # Shown only once the time needs them (see `ask_to_confirm`), or once ticked.
    confirm_outside_hours = forms.BooleanField(
        label="Yes, book it outside opening hours", required=False, widget=forms.HiddenInput
    )
    outside_hours_reason = forms.CharField(
        label="Why outside opening hours", max_length=300, required=False, widget=forms.HiddenInput
    )
    confirm_backdated = forms.BooleanField(
        label="Yes, record it with a start in the past (no messages are sent)",
        required=False,
        widget=forms.HiddenInput,
    )
    backdated_reason = forms.CharField(
        label="Why it is recorded afterwards",
        max_length=300,
        required=False,
        widget=forms.HiddenInput,
    )
    CONFIRMATIONS = (
        ("outside_hours", "confirm_outside_hours", "outside_hours_reason"),
        ("backdated", "confirm_backdated", "backdated_reason"),
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = clinic.zone
        self.fields["room"].queryset = selectors.clinic_rooms(clinic.pk)
        self.fields["clinicians"].queryset = selectors.clinic_clinicians(clinic.pk)
        self.fields["clinicians"].label_from_instance = lambda user: user.get_full_name()
        self.fields["date"].help_text = f"Times are {clinic.timezone} time."
        for _concern, confirm, reason in self.CONFIRMATIONS:
            if self.data.get(confirm) not in (None, "", "False", "false"):
                self._show(confirm, reason)

    def _show(self, confirm: str, reason: str) -> None:
        self.fields[confirm].widget = forms.CheckboxInput()
        self.fields[reason].widget = forms.TextInput()
        self.fields[
            reason
        ].help_text = f"At least {MIN_CONFIRMATION_REASON} characters; kept with the appointment."

    def ask_to_confirm(self, concerns) -> None:
        """Name each concern next to the start time and show its checkbox and reason."""
        for concern, confirm, reason in self.CONFIRMATIONS:
            message = getattr(concerns, concern)
            if message:
                self.add_error("start_time", message)
                self._show(confirm, reason)

    def clean(self):
        data = super().clean()
        self._clean_confirmations(data)
        if data.get("date") and data.get("start_time"):
            try:
                data["start"] = local_datetime(data["date"], data["start_time"], self.zone)
            except forms.ValidationError as error:
                self.add_error("start_time", error)
                return data
            data["end"] = data["start"] + datetime.timedelta(minutes=data.get("duration") or 60)
        return data

    def _clean_confirmations(self, data) -> None:
        for _concern, confirm, reason in self.CONFIRMATIONS:
            typed = (data.get(reason) or "").strip()
            if not data.get(confirm):
                data[reason] = ""
            elif len(typed) < MIN_CONFIRMATION_REASON:
                self.add_error(
                    reason,
                    f"Say why in at least {MIN_CONFIRMATION_REASON} characters; "
                    "it is kept with the appointment.",
                )
            else:
                data[reason] = typed


class OpeningHoursForm(forms.Form):
    """Each weekday's hours: `<n>_is_closed`, `<n>_opens`, `<n>_closes` (0 = Monday)."""

    def __init__(self, *args, hours: dict, **kwargs):
        initial = {
            f"{day}_{name}": getattr(row, name)
            for day, row in hours.items()
            for name in ("is_closed", "opens", "closes")
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.days = []
        for day in Weekday:
            time_widget = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
            self.fields[f"{day.value}_is_closed"] = forms.BooleanField(
                label="Closed", required=False
            )
            self.fields[f"{day.value}_opens"] = forms.TimeField(label="Opens", widget=time_widget)
            self.fields[f"{day.value}_closes"] = forms.TimeField(label="Closes", widget=time_widget)
            self.days.append(
                (day.label, [self[f"{day.value}_{n}"] for n in ("is_closed", "opens", "closes")])
            )

    def clean(self):
        data = super().clean()
        for day in Weekday:
            opens, closes = data.get(f"{day.value}_opens"), data.get(f"{day.value}_closes")
            if opens and closes and closes <= opens:
                self.add_error(f"{day.value}_closes", "The clinic must close after it opens.")
        return data

    def values(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            day.value: {n: data[f"{day.value}_{n}"] for n in ("is_closed", "opens", "closes")}
            for day in Weekday
        }


class BookingForm(SlotForm):
    kind = forms.ChoiceField(label="Kind", choices=Appointment.Kind.choices)
    field_order = ["kind", "date", "start_time", "duration", "room", "clinicians"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Book")
        check = Submit("check", "Check first")
        check.field_classes = "btn btn-outline-secondary w-100 w-sm-auto mt-2 mt-sm-0 ms-sm-2"
        self.helper.add_input(check)


class RescheduleForm(SlotForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Move appointment")


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.TextInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Cancel appointment")


class NextSlotForm(forms.Form):
    clinician = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any")
    room = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any")
    duration = forms.TypedChoiceField(label="Length", choices=DURATIONS, coerce=int, initial=60)
    after = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = selectors.clinic_rooms(clinic.pk)
        self.fields["clinician"].queryset = selectors.clinic_clinicians(clinic.pk)
        self.fields["clinician"].label_from_instance = lambda user: user.get_full_name()
        self.helper = submit_helper("Find the next free slot")
        self.helper.form_method = "get"

    def clean(self):
        data = super().clean()
        if not data.get("clinician") and not data.get("room"):
            raise forms.ValidationError("Choose a clinician, a room, or both.")
        return data


class PlanForm(forms.ModelForm):
    class Meta:
        model = TreatmentPlan
        fields = [
            "goals",
            "approach",
            "dosing_partner",
            "support_role",
            "support_role_agreed",
            "route",
            "setting",
            "planned_medicine_sessions",
            "relational_intention",
            "themes",
            "discussion_topics",
            "discussion_questions",
            "opening_reflection",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "goals",
                "relational_intention",
                "themes",
                "discussion_topics",
                "discussion_questions",
                "opening_reflection",
            )
        }

    def __init__(self, *args, couple, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dosing_partner"].queryset = couple.partners.all()
        self.fields["dosing_partner"].label_from_instance = lambda p: p.full_name
        self.fields["approach"].choices = Approach.choices
        self.fields["route"].choices = Route.choices
        self.fields["support_role"].choices = [("", "—"), *SupportRole.choices]
        self.fields["setting"].required = False  # in the clinic unless chosen
        self.helper = submit_helper("Save plan")

    def clean_setting(self):
        return self.cleaned_data.get("setting") or Setting.IN_CLINIC

    def clean(self):
        data = super().clean()
        if data.get("approach") == Approach.SOLO:
            if not data.get("dosing_partner"):
                self.add_error("dosing_partner", "A solo plan names the partner who doses.")
            if not data.get("support_role"):
                self.add_error("support_role", "Sitter or chaperone?")
        return data


class OverrideForm(forms.Form):
    item = forms.TypedChoiceField(choices=ReadinessOverride.Item.choices, coerce=int)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Record override")


class ProtocolForm(forms.ModelForm):
    class Meta:
        model = ProtocolSettings
        fields = [
            "preparation_sessions",
            "max_medicine_sessions",
            "integration_within_hours",
            "caution_systolic",
            "caution_diastolic",
            "hold_systolic",
            "hold_diastolic",
            "min_monitoring_minutes",
            "reading_valid_minutes",
            "hold_repeat_minutes",
            "spo2_floor",
            "post_dose_reading_from_minutes",
            "post_dose_reading_until_minutes",
            "override_valid_days",
            "setting_checklist",
            "allows_at_home",
        ]
        widgets = {"setting_checklist": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save protocol")


class RolesForm(forms.Form):
    approach = forms.ChoiceField(choices=Approach.choices)
    dosing_partner = forms.ModelChoiceField(queryset=None, required=False)
    support_role = forms.ChoiceField(choices=[("", "—"), *SupportRole.choices], required=False)
    route = forms.ChoiceField(choices=Route.choices)

    def __init__(self, *args, couple, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dosing_partner"].queryset = couple.partners.all()
        self.fields["dosing_partner"].label_from_instance = lambda p: p.full_name
        self.helper = submit_helper("Save approach and roles")


class _LoadedChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.loaded:
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self.field.loaded) + (self.field.empty_label is not None)


class LoadedChoiceField(forms.ModelChoiceField):
    """A choice among objects already loaded (`loaded`): rendering and validating it reads
    nothing, where a ModelChoiceField queries on every render (the session record shows
    four forms with such choices)."""

    iterator = _LoadedChoices

    def __init__(self, **kwargs):
        super().__init__(queryset=None, **kwargs)
        self.loaded: list = []
        self.widget.choices = self.choices

    def __deepcopy__(self, memo):
        # Each form gets its own copy of a declared field: its widget must offer the copy's
        # `loaded`, not the class's (ModelChoiceField rebinds only when it has a queryset).
        result = super().__deepcopy__(memo)
        result.loaded = list(self.loaded)
        result.widget.choices = result.choices
        return result

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for obj in self.loaded:
            if str(obj.pk) == str(value):
                return obj
        return self.not_loaded(value)

    def not_loaded(self, value):
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class PartnerField(LoadedChoiceField):
    """A choice among the partners loaded with the session."""


class LotField(LoadedChoiceField):
    """The lot a dose is drawn from, among the lots usable now. A lot no longer offered (used
    up, expired, another clinic's) is passed on for the stock service to say why not."""

    def not_loaded(self, value):
        lot = Lot.objects.filter(pk=value).first() if str(value).isdigit() else None
        return lot if lot is not None else super().not_loaded(value)


class PartnerChoiceMixin:
    def _partners(self, session, dosing_only: bool = False):
        partners = session.dosing_partners() if dosing_only else session.couple.partners.all()
        field = self.fields["partner"]
        field.loaded = list(partners)
        field.label_from_instance = lambda p: p.full_name


class VitalsForm(PartnerChoiceMixin, forms.Form):
    partner = PartnerField(empty_label=None)
    moment = forms.ChoiceField(choices=VitalSigns.Moment.choices)
    systolic = forms.IntegerField(min_value=50, max_value=300, label="Systolic (mmHg)")
    diastolic = forms.IntegerField(min_value=20, max_value=200, label="Diastolic (mmHg)")
    heart_rate = forms.IntegerField(min_value=20, max_value=250, label="Heart rate (/min)")
    spo2 = forms.IntegerField(min_value=50, max_value=100, label="SpO₂ (%)")
    sedation = forms.BooleanField(required=False)
    dissociation = forms.BooleanField(required=False)
    respiratory_depression = forms.BooleanField(required=False)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, prefix="vitals", **kwargs)
        self._partners(session)
        self.helper = submit_helper("Record vitals")

    def clean(self):
        data = super().clean()
        if data.get("systolic") and data.get("diastolic") and data["diastolic"] >= data["systolic"]:
            self.add_error("diastolic", "Diastolic must be lower than systolic.")
        return data


class DoseForm(PartnerChoiceMixin, forms.Form):
    partner = PartnerField(empty_label=None)
    mg = forms.DecimalField(label="Dose (mg)", min_value=0.01, max_digits=6, decimal_places=2)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, prefix="dose", **kwargs)
        self._partners(session, dosing_only=True)
        self._stock_fields(session)
        self.helper = submit_helper("Record dose")

    def _stock_fields(self, session) -> None:
        """Where the clinic keeps stock: the lot the dose is drawn from and its witness."""
        if getattr(session, "clinic_keeps_stock", None) is False:
            return  # known from the record's own query: nothing more to read
        clinic = session.couple.clinic
        day = timezone.localdate(timezone=clinic.zone)
        found = stock_reads.dose_stock(clinic.pk, session.route, day)
        if not found.keeps_stock:
            return
        lot = self.fields["lot"] = LotField(
            label="Lot drawn from",
            empty_label="Choose the lot",
            error_messages={"required": "Choose the lot this dose is drawn from."},
            help_text=f"Unexpired {session.get_route_display().lower()} lots with medicine left.",
        )
        lot.loaded = found.usable_lots
        lot.label_from_instance = lambda lot: (
            f"{lot.lot_number} · {lot.strength} · {lot.balance_mg} mg left · "
            f"expires {lot.expires_on:%d %b %Y}"
        )
        witness = self.fields["witness"] = LoadedChoiceField(
            label="Witness",
            empty_label="Who watched the dose drawn",
            error_messages={"required": "Name the clinician or prescriber who witnessed it."},
        )
        witness.loaded = list(stock_reads.witnesses(clinic.pk))
        witness.label_from_instance = lambda user: user.get_full_name()


class AcknowledgeForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, help_text="Required to override a hold."
    )


class AdverseEventForm(PartnerChoiceMixin, forms.Form):
    partner = PartnerField(empty_label=None)
    kind = forms.ChoiceField(choices=AdverseEvent.Kind.choices)
    severity = forms.ChoiceField(choices=AdverseEvent.Severity.choices)
    action = forms.CharField(
        label="Action taken", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, prefix="event", **kwargs)
        self._partners(session)
        self.helper = submit_helper("Record adverse event")


class DischargeForm(PartnerChoiceMixin, forms.Form):
    partner = PartnerField(empty_label=None)
    escort_partner = PartnerField(
        label="Who takes them home",
        required=False,
        empty_label="Another adult (details below)",
        help_text="Nobody drives themselves, and nobody who dosed today takes anyone home.",
    )
    escort_name = forms.CharField(label="Their full name", max_length=150, required=False)
    escort_phone = forms.CharField(label="Their phone number", max_length=30, required=False)
    escort_relationship = forms.CharField(
        label="Relationship (e.g. sister, friend)", max_length=100, required=False
    )
    bp_sign_off_reason = forms.CharField(
        label=(
            "Prescriber sign-off reason (only for blood pressure at the hold level or a "
            "post-dose reading missed in its window)"
        ),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, prefix="discharge", **kwargs)
        self._partners(session, dosing_only=True)
        escort = self.fields["escort_partner"]
        escort.loaded = list(session.couple.partners.all())
        escort.label_from_instance = lambda p: f"{p.full_name} (the other partner)"
        self.helper = submit_helper("Discharge")

    def clean(self):
        data = super().clean()
        if data.get("escort_partner") is not None:
            data["escort_name"] = data["escort_phone"] = data["escort_relationship"] = ""
        return data


class EndEarlyForm(forms.Form):
    reason = forms.CharField(
        label="Why the session ended early",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="early", **kwargs)
        self.helper = submit_helper("End session early")
        self.helper.inputs[0].field_classes = "btn btn-outline-danger w-100 w-sm-auto"


# --- Preparing together (partner pages: every label is translatable) ---------------------------
class ChecklistForm(forms.Form):
    """The setting checklist: `done` holds what is ticked now, `seen` what was ticked when the
    page was drawn, so only this partner's changes are saved."""

    done = forms.MultipleChoiceField(
        label=_("Ready for the day"), required=False, widget=forms.CheckboxSelectMultiple
    )
    seen = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, items: list[str], **kwargs):
        super().__init__(*args, prefix="checklist", **kwargs)
        choices = [(item, item) for item in items]
        self.fields["done"].choices = self.fields["seen"].choices = choices

    def changes(self) -> tuple[set[str], set[str]]:
        """(to tick, to untick): what this partner changed on the page."""
        done, seen = set(self.cleaned_data["done"]), set(self.cleaned_data["seen"])
        return done - seen, seen - done


class RideHomeForm(forms.Form):
    will_not_drive = forms.BooleanField(
        label=_("I will not drive today, nor until the next day after a night's sleep."),
        required=False,
    )
    escort_name = forms.CharField(
        label=_("Full name of the person taking you home"), max_length=150, required=False
    )
    escort_phone = forms.CharField(
        label=_("Their phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    escort_relationship = forms.CharField(
        label=_("How they are related to you (e.g. partner, sister, friend)"),
        max_length=100,
        required=False,
    )

    def __init__(self, *args, confirmed: bool = False, **kwargs):
        super().__init__(*args, prefix="ride", **kwargs)
        label = _("Change my ride home") if confirmed else _("Confirm my ride home")
        self.helper = submit_helper(label)


class AgendaItemForm(forms.Form):
    text = forms.CharField(
        label=_("A topic we would like to talk about"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="agenda", **kwargs)
        self.helper = submit_helper(_("Add to our agenda"))
