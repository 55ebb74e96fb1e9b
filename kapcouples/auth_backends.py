from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

ROLE_RECORDS = ("membership__clinic", "partner_profile__couple__clinic")


class KapModelBackend(ModelBackend):
    """Django's backend, loading the user's role records with the user in one query: the
    staff membership and its clinic, or the partner record, its couple and clinic."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related(*ROLE_RECORDS).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
