"""Input of the at-home pages: phone-sized, one question per line, nothing typed lost."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from athome.models import ChaperoneCheck
from kapcouples.forms import submit_helper

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _number(low: int, high: int, label) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=low,
        max_value=high,
        label=label,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class HomeReadingForm(forms.Form):
    systolic = _number(50, 300, _("Blood pressure: upper number (systolic)"))
    diastolic = _number(20, 200, _("Blood pressure: lower number (diastolic)"))
    heart_rate = _number(20, 250, _("Pulse (beats a minute)"))
    spo2 = _number(50, 100, _("Oxygen (SpO₂ %) from the finger clip"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reading", **kwargs)
        self.helper = submit_helper(_("Save my reading"))

    def clean(self):
        data = super().clean()
        if data.get("systolic") and data.get("diastolic") and data["diastolic"] >= data["systolic"]:
            self.add_error(
                "diastolic", _("The lower number must be below the upper one: check the monitor.")
            )
        return data


class HomeDoseForm(forms.Form):
    mg = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        label=_("How much you took (mg), as on your prescription"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    taken = forms.BooleanField(label=_("I have taken the medicine now"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="dose", **kwargs)
        self.helper = submit_helper(_("Record that I took it"))


def _yes_no(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class ChaperoneCheckForm(forms.Form):
    """The chaperone's check: presence is one confirmation; the later checks ask how the
    partner is, and the end check whether the chaperone stays with them."""

    kind = forms.ChoiceField(choices=ChaperoneCheck.Kind.choices, widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, name: str, **kwargs):
        super().__init__(*args, prefix="check", initial={"kind": kind}, **kwargs)
        if kind == ChaperoneCheck.Kind.PRESENCE:
            self.fields["present"] = forms.BooleanField(
                label=_("I am with %(name)s now and will stay with them") % {"name": name}
            )
            label = _("Confirm I am here")
        else:
            self.fields["drowsy_hard_to_wake"] = _yes_no(
                _("Is %(name)s very drowsy or hard to wake?") % {"name": name}
            )
            self.fields["breathing_normal"] = _yes_no(_("Is their breathing normal?"))
            self.fields["feels_settled"] = _yes_no(_("Do they say they feel settled?"))
            label = _("Send the check")
        if kind == ChaperoneCheck.Kind.END:
            self.fields["stays_with_them"] = _yes_no(
                _("Will you stay with them for the rest of the day?")
            )
        self.helper = submit_helper(label)

    def answers(self) -> dict:
        names = ("drowsy_hard_to_wake", "breathing_normal", "feels_settled", "stays_with_them")
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class ChaperoneNameForm(forms.Form):
    """The care team names the chaperone: the other partner, or an adult with a phone."""

    partner = forms.ModelChoiceField(
        queryset=None, required=False, label="The other partner", empty_label="— another adult —"
    )
    name = forms.CharField(max_length=150, required=False, label="Adult's full name")
    phone = forms.CharField(max_length=30, required=False, label="Adult's mobile phone")
    email = forms.EmailField(
        required=False,
        label="Adult's email",
        help_text="Their link goes by text to the phone; by email when this clinic sends no "
        "texts (then the email is needed) or the number has stopped texts.",
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["partner"].label_from_instance = lambda p: p.full_name
        self.helper = submit_helper("Name the chaperone")
