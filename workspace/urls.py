from django.urls import path

from workspace.views import access, chart, monitoring, outcomes, summary

app_name = "workspace"

urlpatterns = [
    path("couples/<int:couple_id>/chart/", chart.couple_chart, name="chart"),
    path("couples/<int:couple_id>/access/", access.couple_access, name="couple_access"),
    path("couples/<int:couple_id>/outcomes/", outcomes.couple_outcomes, name="outcomes"),
    path("couples/<int:couple_id>/summary/", summary.treatment_summary, name="summary"),
    path("couples/<int:couple_id>/summary.pdf", summary.treatment_summary_pdf, name="summary_pdf"),
    path(
        "medicine-sessions/<int:session_id>/monitoring-record/",
        monitoring.monitoring_record,
        name="monitoring_record",
    ),
    path(
        "medicine-sessions/<int:session_id>/monitoring-record.pdf",
        monitoring.monitoring_record_pdf,
        name="monitoring_record_pdf",
    ),
]
