"""Intake pages. Each object is fetched through a helper in `common` that applies the policy."""

from intake.views.clinic_settings import screening_settings_edit
from intake.views.clinical import (
    partner_screening,
    prescription_cancel,
    prescription_create,
    review_create,
    review_detail,
)
from intake.views.consent import (
    break_glass,
    consent_sign,
    consent_text_edit,
    consent_text_version,
    intentions_edit,
)
from intake.views.couples import (
    couple_detail,
    couple_enrol,
    invitation_accept,
    invitation_revoke,
    invitation_send,
    partner_contact_edit,
    partner_detail,
)
from intake.views.intake_form import (
    intake_amend,
    intake_overview,
    intake_step,
    intake_submit,
    intake_version,
    intake_withdraw_draft,
)
from intake.views.questionnaires import (
    questionnaire_acknowledge,
    questionnaire_detail,
    questionnaire_fill,
)

__all__ = [
    "break_glass",
    "consent_sign",
    "consent_text_edit",
    "consent_text_version",
    "couple_detail",
    "couple_enrol",
    "intake_amend",
    "intake_overview",
    "intake_step",
    "intake_submit",
    "intake_version",
    "intake_withdraw_draft",
    "intentions_edit",
    "invitation_accept",
    "invitation_revoke",
    "invitation_send",
    "partner_contact_edit",
    "partner_detail",
    "partner_screening",
    "prescription_cancel",
    "prescription_create",
    "questionnaire_acknowledge",
    "questionnaire_detail",
    "questionnaire_fill",
    "review_create",
    "review_detail",
    "screening_settings_edit",
]
