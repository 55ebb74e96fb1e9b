"""Input only: the services check again and decide."""

import datetime

from django import forms
from django.db.models import Q

from groups.models import MAX_GROUP_COUPLES, NOTE_MAX_CHARS, GroupProgram, GroupSession
from intake.models import Couple
from kapcouples import policy
from kapcouples.forms import submit_helper
from kapcouples.models import Room, StaffMembership, User

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})


def _open_rooms(clinic_id: int):
    return Room.objects.filter(clinic_id=clinic_id, is_active=True).order_by("name")


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=GroupProgram.Kind.choices)
    starts_on = forms.DateField(label="First day", widget=DATE)
    ends_on = forms.DateField(label="Last day", widget=DATE)
    room = forms.ModelChoiceField(queryset=Room.objects.none(), help_text="Where it usually meets.")
    capacity = forms.IntegerField(
        label="Couples at most", min_value=2, max_value=MAX_GROUP_COUPLES, initial=6
    )
    facilitators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You are a facilitator too. Facilitators join each enrolled couple's care team.",
    )
    share_first_names = forms.BooleanField(
        label="Show partners the other participants' first names",
        required=False,
        help_text="Off: partners see times and the room only, never who else attends.",
    )

    def __init__(self, *args, clinic_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = _open_rooms(clinic_id)
        clinical = StaffMembership.objects.filter(
            clinic_id=clinic_id, role__in=policy.CLINICAL_ROLES, is_active=True
        )
        self.fields["facilitators"].queryset = User.objects.filter(
            pk__in=clinical.values("user_id")
        ).order_by("full_name")
        self.helper = submit_helper("Start the program")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The last day must be on or after the first day.")
        return data


class EnrolForm(forms.Form):
    couple = forms.ModelChoiceField(
        queryset=Couple.objects.none(),
        help_text="Couples of your care team not in an open program.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["couple"].queryset = _enrollable(user)
        self.helper = submit_helper("Enrol")


def _enrollable(user: User):
    return (
        Couple.objects.filter(clinic_id=policy.staff_clinic_id(user))
        .filter(Q(primary_clinician=user) | Q(care_team=user))
        .exclude(group_enrolments__status="enrolled")
        .prefetch_related("partners")
        .distinct()
        .order_by("pk")
    )


class GroupSessionForm(forms.Form):
    kind = forms.ChoiceField(choices=GroupSession.Kind.choices)
    day = forms.DateField(widget=DATE)
    starts_at = forms.TimeField(label="Starts", widget=TIME)
    ends_at = forms.TimeField(label="Ends", widget=TIME)
    room = forms.ModelChoiceField(queryset=Room.objects.none())
    outside_hours_reason = forms.CharField(
        label="Reason, if outside opening hours",
        max_length=300,
        required=False,
        help_text="A retreat may run into the evening: say why, and it is kept with each seat.",
    )

    def __init__(self, *args, program: GroupProgram, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = _open_rooms(program.clinic_id)
        self.fields["room"].initial = program.room_id
        self.zone = program.clinic.zone
        self.helper = submit_helper("Book for every couple")

    def clean(self):
        data = super().clean()
        if not all(data.get(k) for k in ("day", "starts_at", "ends_at")):
            return data
        data["start"] = datetime.datetime.combine(data["day"], data["starts_at"], tzinfo=self.zone)
        data["end"] = datetime.datetime.combine(data["day"], data["ends_at"], tzinfo=self.zone)
        if data["end"] <= data["start"]:
            self.add_error("ends_at", "The session must end after it starts.")
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Group note",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="About the group only: name no participant. What concerns one couple goes "
        "in that couple's integration note.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.pop("maxlength", None)
        self.helper = submit_helper("Add the note")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(label)


class RoomSeatsForm(forms.Form):
    capacity = forms.IntegerField(label="Couples seated at once", min_value=1, max_value=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper("Save")
