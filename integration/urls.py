from django.urls import path

from integration import sms_webhooks, views, views_reflection

app_name = "integration"

urlpatterns = [
    path("messages/outbox/", views.outbox, name="outbox"),
    path("messages/outbox/<int:reminder_id>/retry/", views.outbox_retry, name="outbox_retry"),
    path("check-ins/<int:checkin_id>/", views.checkin_answer, name="checkin_answer"),
    path(
        "appointments/<int:integration_appointment_id>/integration-note/",
        views.note_edit,
        name="note_edit",
    ),
    path("integration-notes/<int:note_id>/", views.note_detail, name="note_detail"),
    path("integration-notes/<int:note_id>/sign/", views.note_sign, name="note_sign"),
    path("integration-notes/<int:note_id>/amend/", views.note_amend, name="note_amend"),
    path(
        "clinic-admin/settings/messages/",
        views.messaging_settings_edit,
        name="messaging_settings_edit",
    ),
    path("alerts/", views.alerts_inbox, name="alerts_inbox"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:alert_id>/resolve/", views.alert_resolve, name="alert_resolve"),
    # The SMS provider's signed webhooks (public: see integration.sms_webhooks).
    path("sms/twilio/status/<int:reminder_id>/", sms_webhooks.sms_status, name="sms_status"),
    path("sms/twilio/inbound/", sms_webhooks.sms_inbound, name="sms_inbound"),
    path(
        "reflections/<int:reflection_id>/",
        views_reflection.reflection_detail,
        name="reflection_detail",
    ),
    path(
        "reflections/<int:reflection_id>/share/",
        views_reflection.reflection_share,
        name="reflection_share",
    ),
]
