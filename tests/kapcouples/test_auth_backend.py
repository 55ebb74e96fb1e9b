"""The session's user is read with their role records, by a SQL built once per process."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kapcouples.auth_backends import KapModelBackend


def test_each_session_gets_its_own_user_with_role_records_in_one_query(cast):
    backend = KapModelBackend()
    staff = [cast.clinician, cast.front_desk, cast.other_clinic_clinician]
    for user in [*staff, cast.partner_a.user, cast.clinician]:
        with CaptureQueriesContext(connection) as queries:
            found = backend.get_user(str(user.pk))
            assert found == user
            if user in staff:
                assert found.membership.clinic == user.membership.clinic
            else:
                assert found.partner_profile.couple.clinic == cast.clinic
        assert len(queries) == 1


def test_an_unknown_or_inactive_user_or_a_malformed_id_is_nobody(cast):
    backend = KapModelBackend()
    assert backend.get_user("999999999") is None
    assert backend.get_user("not an id") is None
    assert backend.get_user(None) is None
    cast.front_desk.is_active = False
    cast.front_desk.save(update_fields=["is_active"])
    assert backend.get_user(str(cast.front_desk.pk)) is None
