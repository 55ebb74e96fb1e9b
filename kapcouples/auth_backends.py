from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class KapModelBackend(ModelBackend):
    """Django's backend, loading the user's role records with the user in one query."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("membership", "partner_profile").get(
                pk=user_id
            )
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
