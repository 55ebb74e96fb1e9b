import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from intake import contraindications, instruments
from intake.models import (
    ConsentText,
    ContraindicationReview,
    Partner,
    Prescription,
    ScreeningSettings,
)
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
        labels = {
            "phone": _("Phone"),
            "emergency_contact_name": _("Emergency contact name"),
            "emergency_contact_phone": _("Emergency contact phone"),
            "preferred_channel": _("Preferred channel"),
            "timezone": _("Time zone"),
        }
        help_texts = {
            "timezone": _("Your time zone, e.g. America/Chicago. Reminders respect it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Save"))

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"], YOUR_PHONE_INVALID)

    def clean_emergency_contact_phone(self) -> str:
        return _clean_phone(self.cleaned_data["emergency_contact_phone"], CONTACT_PHONE_INVALID)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_channel") == Partner.Channel.SMS and not cleaned.get("phone"):
            self.add_error(
                "phone", _("Add a mobile number to receive text messages, or choose email.")
            )
        return cleaned


# Whole sentences, one per field, so each translates as a sentence.
YOUR_PHONE_INVALID = _(
    "Enter your phone number with 7 to 15 digits; only digits, spaces, +, -, ( and ) are allowed."
)
CONTACT_PHONE_INVALID = _(
    "Enter the emergency contact's number with 7 to 15 digits; only digits, spaces, +, -, ( and ) "
    "are allowed."
)
THEIR_PHONE_INVALID = _(
    "Enter their phone number with 7 to 15 digits; only digits, spaces, +, -, ( and ) are allowed."
)


def _clean_phone(value: str, invalid: str) -> str:
    value = value.strip()
    digits = [c for c in value if c.isdigit()]
    if value and (len(digits) < 7 or len(digits) > 15 or set(value) - set("0123456789+-() .")):
        raise forms.ValidationError(invalid)
    return value


# --- Shared pieces --------------------------------------------------------------------------
LONG_TEXT = 2000
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def long_text(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=LONG_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": format_lazy(
                _(
                    "Keep this under {limit} characters (it has %(show_value)d); the care team "
                    "will ask for more if they need it."
                ),
                limit=f"{LONG_TEXT:,}",
            ),
            "required": _("Please answer this question."),
        },
    )


def yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Answer yes or no."),
            "invalid_choice": _("Answer yes or no."),
        },
    )


class StepForm(forms.Form):
    """One intake step. `answers()` gives JSON-ready values for the draft."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Save and continue"))

    def answers(self) -> dict:
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in self.cleaned_data.items()
        }

    @classmethod
    def initial_from(cls, saved: dict) -> dict:
        return dict(saved)


class AboutForm(StepForm):
    title = _("About you")
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _("Enter your date of birth as a date, e.g. 1985-04-30."),
        },
    )
    pronouns = forms.CharField(label=_("Pronouns (optional)"), required=False, max_length=40)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter a phone number we can reach you on.")},
    )
    address = long_text(_("Home address"), required=True)
    occupation = forms.CharField(label=_("Occupation (optional)"), required=False, max_length=100)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"], YOUR_PHONE_INVALID)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = datetime.date.today()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < 18:
            raise forms.ValidationError(_("The program is for adults: you must be 18 or older."))
        if age > 110:
            raise forms.ValidationError(_("Check the year: that date is more than 110 years ago."))
        return born


class EmergencyContactForm(StepForm):
    title = _("Emergency contact")
    emergency_contact_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        error_messages={"required": _("Enter the name of someone we can call in an emergency.")},
    )
    emergency_contact_relationship = forms.CharField(
        label=_("Relationship to you"),
        max_length=60,
        error_messages={"required": _("Say how this person is related to you, e.g. sister.")},
    )
    emergency_contact_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        error_messages={"required": _("Enter the emergency contact's phone number.")},
    )

    def clean_emergency_contact_phone(self) -> str:
        return _clean_phone(self.cleaned_data["emergency_contact_phone"], CONTACT_PHONE_INVALID)


class MedicalHistoryForm(StepForm):
    title = _("Medical history")
    other_conditions = long_text(_("Any other medical conditions or operations"))
    allergies = long_text(_("Allergies (medicines, foods, latex)"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        items = {
            item.key: yes_no(format_lazy(_("{condition}?"), condition=_(item.label)))
            for item in contraindications.ITEMS
        }
        self.fields = {**items, **self.fields}

    @classmethod
    def initial_from(cls, saved: dict) -> dict:
        def as_choice(value):
            return {True: "yes", False: "no"}.get(value, value)

        return {name: as_choice(value) for name, value in saved.items()}


class MedicationsForm(StepForm):
    title = _("Current medications")
    medications = forms.CharField(
        label=_("Medicines you take now, one per line (name, dose, how often)"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Include supplements and anything taken only when needed."),
    )
    none = forms.BooleanField(label=_("I take no medicines or supplements"), required=False)
    MAX_LINES = 40

    def clean_medications(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["medications"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > self.MAX_LINES:
            raise forms.ValidationError(
                _("List at most %(count)d medicines, one per line.") % {"count": self.MAX_LINES}
            )
        if any(len(line) > 200 for line in lines):
            raise forms.ValidationError(_("Keep each line under 200 characters."))
        return lines

    def clean(self):
        cleaned = super().clean()
        meds, none = cleaned.get("medications"), cleaned.get("none")
        if meds == [] and not none:
            self.add_error(
                "medications", _("List your medicines, or tick “I take no medicines” below.")
            )
        if meds and none:
            self.add_error("none", _("Untick this: you listed medicines above."))
        return cleaned

    @classmethod
    def initial_from(cls, saved: dict) -> dict:
        return {**saved, "medications": "\n".join(saved.get("medications", []))}


EXPERIENCE_CHOICES = [
    ("never", _("Never")),
    ("once", _("Once")),
    ("several", _("Several times")),
    ("regularly", _("Regularly")),
]


class ExperienceForm(StepForm):
    title = _("Prior experience")
    prior_ketamine = forms.ChoiceField(
        label=_("Have you taken ketamine before (medically or otherwise)?"),
        choices=EXPERIENCE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how often you have taken ketamine.")},
    )
    prior_psychedelics = forms.ChoiceField(
        label=_("Have you taken psychedelics (e.g. psilocybin, LSD, MDMA, ayahuasca)?"),
        choices=EXPERIENCE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how often you have taken psychedelics.")},
    )
    details = long_text(_("Anything we should know about those experiences"))


class MentalHealthForm(StepForm):
    title = _("Mental health")
    diagnoses = long_text(_("Mental-health diagnoses, now or in the past"))
    current_treatment = long_text(_("Current therapy or psychiatric care"))
    hospitalisations = forms.ChoiceField(
        label=_("Have you ever been admitted to hospital for your mental health?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )
    details = long_text(_("If yes, when and why"))


class GoalsForm(StepForm):
    title = _("Your goals")
    goals = long_text(_("What do you personally hope to get from this program?"), required=True)


TRANSPORT_CHOICES = [
    ("driven", _("Someone will drive me home")),
    ("accompanied", _("Someone will take me home by taxi or public transport")),
]


class TransportForm(StepForm):
    title = _("Getting home")
    transport_mode = forms.ChoiceField(
        label=_("How will you get home after a medicine session?"),
        choices=TRANSPORT_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("You may not drive yourself until the next day, and you must not leave alone."),
        error_messages={"required": _("Choose how you will get home.")},
    )
    driver_name = forms.CharField(
        label=_("Name of the person taking you home"),
        max_length=150,
        error_messages={"required": _("Name the person who will take you home.")},
    )
    driver_phone = forms.CharField(
        label=_("Their phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        error_messages={"required": _("Enter their phone number.")},
    )

    def clean_driver_phone(self) -> str:
        return _clean_phone(self.cleaned_data["driver_phone"], THEIR_PHONE_INVALID)


# Step slug -> form; the order is the order partners see.
INTAKE_STEPS: dict[str, type[StepForm]] = {
    "about": AboutForm,
    "emergency": EmergencyContactForm,
    "medical": MedicalHistoryForm,
    "medications": MedicationsForm,
    "experience": ExperienceForm,
    "mental_health": MentalHealthForm,
    "goals": GoalsForm,
    "transport": TransportForm,
}


# --- Staff and partner forms besides the intake steps -----------------------------------------
class EnrolCoupleForm(forms.Form):
    """A couple and its two partners; the primary clinician is one of the clinic's clinicians."""

    primary_clinician = forms.ModelChoiceField(
        queryset=None, error_messages={"required": "Choose the couple's primary clinician."}
    )
    care_team = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        help_text="Other clinicians or prescribers who will work with this couple.",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, clinicians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_clinician"].queryset = clinicians
        self.fields["care_team"].queryset = clinicians
        for slot in (1, 2):
            self.fields[f"p{slot}_first_name"] = forms.CharField(
                label=f"Partner {slot}: first name", max_length=100
            )
            self.fields[f"p{slot}_last_name"] = forms.CharField(
                label=f"Partner {slot}: last name", max_length=100
            )
            self.fields[f"p{slot}_email"] = forms.EmailField(
                label=f"Partner {slot}: email",
                error_messages={"invalid": "Enter a valid email address, e.g. name@example.com."},
            )
        self.helper = submit_helper("Enrol and continue")

    def partners(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {key: data[f"p{slot}_{key}"] for key in ("first_name", "last_name", "email")}
            for slot in (1, 2)
        ]


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Type it again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Set password and open my portal"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ; type the same one twice."))
        return cleaned


class IntentionsForm(forms.Form):
    intentions = long_text("Our intentions as a couple", required=True)
    themes = long_text("Themes we want to work on")
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save our intentions")


class QuestionnaireForm(forms.Form):
    """The items of one instrument, rendered from intake.instruments (texts verbatim).

    A question the skip logic leaves out (C-SSRS 3-5 after a no to 2) comes out of
    `answers()` as None, not asked, whatever was posted for it; once asked, it needs an
    answer like any other."""

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[question_field(item)] = forms.TypedChoiceField(
                label=item.text,
                help_text=item.hint,
                choices=[(o.value, o.label) for o in item.options],
                coerce=int,
                empty_value=None,
                required=item.asked_after_yes_to is None,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": _("Choose one answer for this question."),
                    "invalid_choice": _("Choose one of the answers shown."),
                },
            )

    def clean(self):
        cleaned = super().clean()
        answered = {item.number: cleaned.get(question_field(item)) for item in self.items}
        for item in self.items:
            name = question_field(item)
            if not instruments.is_asked(item, answered):
                cleaned[name] = None
                self.errors.pop(name, None)
            elif cleaned.get(name) is None and name not in self.errors:
                self.add_error(
                    name,
                    _("You answered yes to question %(number)s: please answer this one too.")
                    % {"number": item.asked_after_yes_to},
                )
        return cleaned

    @property
    def items(self) -> tuple[instruments.Item, ...]:
        return self.instrument.items

    def answers(self) -> list[int | None]:
        """The item values in item order, None for a question not asked."""
        return [self.cleaned_data[question_field(item)] for item in self.items]

    def questions(self) -> list[tuple[instruments.Item, forms.BoundField]]:
        """Each item with its bound field, for pages that lay the questions out."""
        return [(item, self[question_field(item)]) for item in self.items]


def question_field(item: instruments.Item) -> str:
    return f"item_{item.number}"


class ReviewForm(forms.Form):
    systolic = forms.IntegerField(
        label="Systolic blood pressure (mmHg)", min_value=50, max_value=300
    )
    diastolic = forms.IntegerField(
        label="Diastolic blood pressure (mmHg)", min_value=20, max_value=200
    )
    heart_rate = forms.IntegerField(
        label="Heart rate (beats per minute)", min_value=20, max_value=250
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)", min_value=20, max_value=400, max_digits=5, decimal_places=1
    )
    decision = forms.ChoiceField(
        choices=ContraindicationReview.Decision.choices, widget=forms.RadioSelect
    )
    reason = long_text("Reason for the decision", required=True)
    conditions = long_text(
        "Conditions (required for “cleared with conditions”)",
        help_text="E.g. blood pressure under 140/90 before each dose.",
    )

    def __init__(self, *args, prefill: dict, **kwargs):
        super().__init__(*args, **kwargs)
        items = {}
        for item in contraindications.ITEMS:
            reported = prefill.get(item.key, False)
            items[f"finding_{item.key}"] = forms.BooleanField(
                label=f"{item.label} — {item.weight}",
                required=False,
                initial=reported,
                disabled=reported,
                help_text="Reported in the intake." if reported else "",
            )
        self.fields = {**items, **self.fields}
        self.helper = submit_helper("Sign review")

    def clean(self):
        cleaned = super().clean()
        systolic, diastolic = cleaned.get("systolic"), cleaned.get("diastolic")
        if systolic and diastolic and diastolic >= systolic:
            self.add_error("diastolic", "Diastolic must be lower than systolic; check both.")
        decision = cleaned.get("decision")
        if decision == "cleared_with_conditions" and not cleaned.get("conditions"):
            self.add_error("conditions", "State the conditions of this clearance.")
        return cleaned

    def findings(self) -> dict:
        return {
            item.key: bool(self.cleaned_data.get(f"finding_{item.key}"))
            for item in contraindications.ITEMS
        }


class PrescriptionForm(forms.ModelForm):
    class Meta:
        model = Prescription
        fields = ["route", "single_dose_mg", "valid_from", "valid_until", "instructions"]
        labels = {"single_dose_mg": "Single dose (mg)"}
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["single_dose_mg"].min_value = Decimal("0.01")
        self.fields["single_dose_mg"].validators.append(MinValueValidator(Decimal("0.01")))
        self.fields["single_dose_mg"].validators.append(MaxValueValidator(Decimal("1000")))
        self.helper = submit_helper("Sign prescription")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "“Valid until” must be on or after “valid from”.")
        return cleaned


class CancelPrescriptionForm(forms.Form):
    reason = forms.CharField(label="Reason for cancelling", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Cancel prescription")


class ConsentSignForm(forms.Form):
    consent_text_id = forms.IntegerField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        error_messages={"required": _("Type your full name to sign.")},
    )
    agree = forms.BooleanField(
        label=_("I have read and understood this consent and agree to it."),
        error_messages={"required": _("Tick the box to confirm you agree.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Sign consent"))


class ConsentTextForm(forms.ModelForm):
    class Meta:
        model = ConsentText
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Preview")
        self.helper.inputs = []  # the page names the step each button posts


class BreakGlassForm(forms.Form):
    couple = forms.ModelChoiceField(queryset=None, label="Couple")
    reason = forms.CharField(
        label="Why do you need this chart now?",
        max_length=500,
        min_length=15,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"min_length": "Give a reason of at least 15 characters."},
    )

    def __init__(self, *args, couples, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["couple"].queryset = couples
        self.helper = submit_helper("Open the chart (logged)")


class ScreeningSettingsForm(forms.ModelForm):
    """The clinic's screening periods and what a partner in crisis is shown."""

    invitation_valid_days = forms.IntegerField(
        label="Partner invitation links work for (days)", min_value=1, max_value=30
    )
    review_valid_days = forms.IntegerField(
        label="A contraindication review is valid for (days)", min_value=1, max_value=365
    )
    cssrs_valid_days = forms.IntegerField(
        label="A C-SSRS screener is valid for (days before a medicine session)",
        min_value=1,
        max_value=90,
    )
    break_glass_minutes = forms.IntegerField(
        label="Emergency (break-the-glass) access lasts (minutes)", min_value=5, max_value=480
    )

    class Meta:
        model = ScreeningSettings
        fields = [
            "invitation_valid_days",
            "review_valid_days",
            "cssrs_valid_days",
            "break_glass_minutes",
            "clinic_phone",
            "crisis_line",
            "partners_see_their_scores",
        ]
        labels = {"crisis_line": "Crisis line shown to a partner who screens high"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save the screening settings")
