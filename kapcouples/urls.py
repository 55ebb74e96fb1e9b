from django.contrib import admin
from django.urls import include, path

from intake.views import dashboards as intake_dashboards
from kapcouples.views import account, dashboards, health
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
    path("clinic-admin/audit/export.csv", dashboards.audit_log_export, name="audit_log_export"),
    path("portal/", intake_dashboards.portal, name="portal"),
    path("", include("intake.urls")),
    path("", include("sessions.urls")),
    path("", include("integration.urls")),
    path("", include("stock.urls")),
    path("", include("workspace.urls")),
    path("operators/", admin.site.urls),
]
