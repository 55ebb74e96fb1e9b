from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from kapcouples.prepared import PreparedRows

ROLE_RECORDS = ("membership__clinic", "partner_profile__couple__clinic")

# Every signed-in request reads its user: the SQL is built once per process
# (kapcouples.prepared).
_USER_WITH_ROLE = PreparedRows(
    lambda _shape, user_id: (
        get_user_model()._default_manager.select_related(*ROLE_RECORDS).filter(pk=user_id)
    )
)


class KapModelBackend(ModelBackend):
    """Django's backend, loading the user's role records with the user in one query: the
    staff membership and its clinic, or the partner record, its couple and clinic."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):  # not an id: no such user
            return None
        found = _USER_WITH_ROLE.rows(None, user_id=pk)
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None
