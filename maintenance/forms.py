"""Input forms of the maintenance plan: they clean and type values; the services decide."""

from django import forms

from kapcouples.forms import submit_helper
from maintenance.models import MaintenancePlan, MaintenanceSettings
from sessions.models import Approach, Route, SupportRole


class MaintenancePlanForm(forms.ModelForm):
    class Meta:
        model = MaintenancePlan
        fields = [
            "interval_weeks",
            "boosters_per_review",
            "approach",
            "dosing_partner",
            "support_role",
            "route",
            "starts_on",
            "review_on",
            "notes",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "review_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, couple, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.couple = couple
        self.fields["dosing_partner"].queryset = couple.partners.all()
        self.fields["dosing_partner"].label_from_instance = lambda p: p.full_name
        self.fields["approach"].choices = Approach.choices
        self.fields["route"].choices = Route.choices
        self.fields["support_role"].choices = [("", "—"), *SupportRole.choices]
        self.helper = submit_helper("Save maintenance plan")

    def clean(self):
        data = super().clean()
        if data.get("approach") == Approach.SOLO:
            if not data.get("dosing_partner"):
                self.add_error("dosing_partner", "A solo plan names the partner who doses.")
            if not data.get("support_role"):
                self.add_error("support_role", "Sitter or chaperone?")
        return data


class EndPlanForm(forms.Form):
    reason = forms.CharField(label="Why does the plan end?", min_length=3, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("End the plan")


class MaintenanceSettingsForm(forms.ModelForm):
    class Meta:
        model = MaintenanceSettings
        fields = ["rescreen_within_days", "preparation_sessions", "reminder_days_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save booster rules")
