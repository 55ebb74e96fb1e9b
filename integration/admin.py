from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from integration.models import MessagingSettings


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["clinic", "appointment_reminder_hours", "quiet_start", "quiet_end"]
