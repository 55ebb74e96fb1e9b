from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("couples/new/", views.couple_enrol, name="couple_enrol"),
    path("couples/<int:couple_id>/", views.couple_detail, name="couple_detail"),
    path("couples/<int:couple_id>/intentions/", views.intentions_edit, name="intentions_edit"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path(
        "partners/<int:partner_id>/contact/",
        views.partner_contact_edit,
        name="partner_contact_edit",
    ),
    path("partners/<int:partner_id>/invite/", views.invitation_send, name="invitation_send"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("partners/<int:partner_id>/intake/", views.intake_overview, name="intake_overview"),
    path(
        "partners/<int:partner_id>/intake/step/<slug:step>/",
        views.intake_step,
        name="intake_step",
    ),
    path("partners/<int:partner_id>/intake/submit/", views.intake_submit, name="intake_submit"),
    path("partners/<int:partner_id>/intake/amend/", views.intake_amend, name="intake_amend"),
    path(
        "partners/<int:partner_id>/intake/withdraw-amendment/",
        views.intake_withdraw_draft,
        name="intake_withdraw_draft",
    ),
    path("intake-versions/<int:intake_id>/", views.intake_version, name="intake_version"),
    path(
        "partners/<int:partner_id>/questionnaires/<slug:code>/",
        views.questionnaire_fill,
        name="questionnaire_fill",
    ),
    path(
        "questionnaires/<int:response_id>/",
        views.questionnaire_detail,
        name="questionnaire_detail",
    ),
    path(
        "questionnaires/<int:response_id>/acknowledge/",
        views.questionnaire_acknowledge,
        name="questionnaire_acknowledge",
    ),
    path("partners/<int:partner_id>/screening/", views.partner_screening, name="partner_screening"),
    path("partners/<int:partner_id>/review/", views.review_create, name="review_create"),
    path("reviews/<int:review_id>/", views.review_detail, name="review_detail"),
    path(
        "partners/<int:partner_id>/prescriptions/new/",
        views.prescription_create,
        name="prescription_create",
    ),
    path(
        "prescriptions/<int:prescription_id>/cancel/",
        views.prescription_cancel,
        name="prescription_cancel",
    ),
    path("partners/<int:partner_id>/consent/", views.consent_sign, name="consent_sign"),
    path("clinic-admin/consent/", views.consent_text_edit, name="consent_text_edit"),
    path(
        "clinic-admin/consent/versions/<int:version>/",
        views.consent_text_version,
        name="consent_text_version",
    ),
    path(
        "clinic-admin/settings/screening/",
        views.screening_settings_edit,
        name="screening_settings_edit",
    ),
    path("break-glass/", views.break_glass, name="break_glass"),
]
