"""A count whose SQL the ORM builds once counts what its queryset counts, for any values."""

import pytest

from intake.models import Couple
from kapcouples.prepared import PreparedCount


def _couples(shape, *, clinic_id, member_id):
    couples = Couple.objects.of_clinic(clinic_id).with_care_team_member(member_id)
    return couples.filter(status=Couple.Status.ACTIVE) if shape == "active" else couples


@pytest.mark.parametrize("shape", ["any", "active"])
def test_each_call_counts_with_its_own_values(cast, shape):
    counted = PreparedCount(_couples)
    Couple.objects.filter(pk=cast.couple.pk).update(primary_clinician=cast.clinician)
    seen = []
    for clinic, member in [
        (cast.clinic, cast.clinician),
        (cast.other_clinic, cast.other_clinic_clinician),
        (cast.clinic, cast.front_desk),
        (cast.other_clinic, cast.clinician),
    ]:
        ids = {"clinic_id": clinic.pk, "member_id": member.pk}
        seen.append(counted.count(shape, **ids))
        assert seen[-1] == _couples(shape, **ids).count()
    assert seen[0] >= (1 if shape == "any" else 0) and seen[2:] == [0, 0]


def test_a_value_the_sql_never_uses_is_refused():
    counted = PreparedCount(lambda shape, **ids: Couple.objects.filter(clinic_id=ids["clinic_id"]))
    with pytest.raises(ValueError, match="member_id"):
        counted.count("any", clinic_id=1, member_id=2)
