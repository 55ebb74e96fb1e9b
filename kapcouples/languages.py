"""The language a partner reads their pages in (staff pages stay in English)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kapcouples import policy
from kapcouples.forms import LanguageForm
from kapcouples.models import Role
from kapcouples.services import DomainError


@transaction.atomic
def partner_language_set(*, user, partner, language: str) -> None:
    """Stores `partner`'s page language; the partner history keeps the earlier choice."""
    policy.ensure(policy.can_choose_language, user, partner, to="choose this language")
    partner.language = language
    try:
        partner.full_clean()
    except ValidationError as error:
        raise DomainError(_("That language is not offered here.")) from error
    partner.save(update_fields=["language"])


def language_switch(request) -> dict:
    """Context processor: the footer's language switch, on partner and signed-out pages."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and policy.role_of(user) != Role.PARTNER:
        return {"language_switch": None}
    initial = {"language": get_language(), "next": request.get_full_path()}
    return {"language_switch": LanguageForm(initial=initial)}
