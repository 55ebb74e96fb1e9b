"""The services decide who acts: a wrong actor gets the rule's name and nothing is written."""

import pytest

from integration import followups, services
from integration.models import Alert, IntegrationNote
from kapcouples import policy
from tests.integration.helpers import past_appointment

NOT_ON_THE_CARE_TEAM = ["front_desk", "clinician_outside", "clinic_admin", "partner_a"]
VALUES = {"insights": "Open.", "relational_themes": "", "agreements": "", "next_steps": ""}


@pytest.mark.parametrize("who", [*NOT_ON_THE_CARE_TEAM, "other_clinic_clinician"])
def test_only_the_care_team_acknowledges_an_alert(cast, who):
    alert = services.alert_raise(couple=cast.couple, kind="other", message="m", dedupe_key="a")
    with pytest.raises(policy.NotAllowed, match="can_acknowledge_alert"):
        services.alert_acknowledge(alert=alert, by=cast.user(who))
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None


def test_a_prescriber_on_the_care_team_acknowledges_an_alert(cast):
    alert = services.alert_raise(couple=cast.couple, kind="other", message="m", dedupe_key="a")
    assert services.alert_acknowledge(alert=alert, by=cast.prescriber).acknowledged_by == (
        cast.prescriber
    )


@pytest.mark.parametrize("who", NOT_ON_THE_CARE_TEAM)
def test_only_the_care_team_writes_an_integration_note(cast, who):
    appointment = past_appointment(cast, "integration")
    with pytest.raises(policy.NotAllowed, match="can_write_integration_note"):
        followups.integration_note_save(appointment=appointment, author=cast.user(who), values={})
    assert not IntegrationNote.objects.exists()


@pytest.mark.parametrize("who", NOT_ON_THE_CARE_TEAM)
def test_only_the_care_team_signs_and_amends_an_integration_note(cast, who):
    appointment = past_appointment(cast, "integration")
    note = followups.integration_note_save(
        appointment=appointment, author=cast.clinician, values=VALUES
    )
    with pytest.raises(policy.NotAllowed, match="can_write_integration_note"):
        followups.integration_note_sign(note=note, by=cast.user(who))
    assert not IntegrationNote.objects.get(pk=note.pk).is_signed
    followups.integration_note_sign(note=note, by=cast.clinician)
    with pytest.raises(policy.NotAllowed, match="can_write_integration_note"):
        followups.integration_note_amend(
            note=note, by=cast.user(who), values=VALUES | {"agreements": "x"}, reason="r"
        )
    note.refresh_from_db()
    assert (note.version, note.agreements) == (1, "")
