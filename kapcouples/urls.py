from django.contrib import admin
from django.urls import include, path

from intake.views import dashboards as intake_dashboards
from kapcouples.views import account, clinic_admin, dashboards, health
from portal import views as portal_views
from workspace.views import caseload

account_patterns = [
    path("login/", account.login_view, name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("keepalive/", account.keepalive, name="keepalive"),
    path("password/change/", account.password_change_view, name="password_change"),
    path("password/change/done/", account.password_change_done_view, name="password_change_done"),
    path("password/reset/", account.password_reset_view, name="password_reset"),
    path("password/reset/sent/", account.password_reset_done_view, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", account.password_reset_complete_view, name="password_reset_complete"
    ),
    path("two-factor/setup/", account.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", account.two_factor_verify, name="two_factor_verify"),
    path(
        "invitation/<uidb64>/<token>/",
        clinic_admin.staff_invitation_accept,
        name="staff_invitation_accept",
    ),
    path("language/", account.language_choose, name="language_choose"),
]

clinic_admin_patterns = [
    path("staff/", clinic_admin.staff_list, name="staff_list"),
    path("staff/invite/", clinic_admin.staff_invite, name="staff_invite"),
    path("staff/<int:membership_id>/", clinic_admin.staff_detail, name="staff_detail"),
    path(
        "staff/<int:membership_id>/deactivate/",
        clinic_admin.staff_deactivate,
        name="staff_deactivate",
    ),
    path(
        "staff/<int:membership_id>/hand-over/", clinic_admin.staff_hand_over, name="staff_hand_over"
    ),
    path("rooms/", clinic_admin.room_list, name="room_list"),
    path("rooms/<int:room_id>/rename/", clinic_admin.room_rename, name="room_rename"),
    path("rooms/<int:room_id>/retire/", clinic_admin.room_retire, name="room_retire"),
    path("settings/", clinic_admin.settings_index, name="settings"),
]

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("account/", include(account_patterns)),
    path("health/", health.health, name="health"),
    # The per-role landing pages keep global names; the care team's caseload is workspace's.
    path("care/", caseload.caseload_dashboard, name="care_dashboard"),
    path("desk/", intake_dashboards.desk_dashboard, name="desk_dashboard"),
    path("clinic-admin/", dashboards.admin_dashboard, name="admin_dashboard"),
    path("clinic-admin/audit/", dashboards.audit_log, name="audit_log"),
    path("clinic-admin/", include((clinic_admin_patterns, "clinic_admin"))),
    path("clinic-admin/audit/export.csv", dashboards.audit_log_export, name="audit_log_export"),
    path("portal/", portal_views.home, name="portal"),
    path("", include("intake.urls")),
    path("", include("sessions.urls")),
    path("", include("integration.urls")),
    path("", include("stock.urls")),
    path("", include("workspace.urls")),
    path("", include("messaging.urls")),
    path("", include("discovery.urls")),
    path("", include("groups.urls")),
    path("", include("maintenance.urls")),
    path("", include("athome.urls")),
    path("waitlist/", include("waitlist.urls")),
    path("operators/", admin.site.urls),
    path("portal/", include("portal.urls")),
    path("", include("outside.urls")),
]
