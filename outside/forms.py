"""Input for the clinic admin's outside-prescriber pages; the services decide and save."""

from django import forms

from kapcouples.forms import submit_helper

REASON_HELP = "Kept with the grant and shown in the audit log, e.g. “Referring psychiatrist”."


class CoupleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, couple) -> str:
        return f"{couple} (couple {couple.pk})"


class OutsideInviteForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email", help_text="The invitation link is sent here.")
    couples = CoupleChoiceField(
        queryset=None,
        label="Couples they may prescribe for",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one couple they will prescribe for."},
    )
    reason = forms.CharField(label="Reason", max_length=300, help_text=REASON_HELP)

    def __init__(self, *args, couples, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["couples"].queryset = couples
        self.helper = submit_helper("Send the invitation")


class GrantAddForm(forms.Form):
    prescriber = forms.ModelChoiceField(
        queryset=None, label="Outside prescriber", empty_label="Choose…"
    )
    couple = forms.ModelChoiceField(queryset=None, label="Couple", empty_label="Choose…")
    reason = forms.CharField(label="Reason", max_length=300, help_text=REASON_HELP)

    def __init__(self, *args, prescribers, couples, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prescriber"].queryset = prescribers
        self.fields["couple"].queryset = couples
        self.fields["couple"].label_from_instance = lambda c: f"{c} (couple {c.pk})"
        self.helper = submit_helper("Grant access")


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is this access ending?",
        max_length=300,
        help_text="E.g. “Care handed back to the clinic's prescriber”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Revoke access now")
