from django.urls import path

from workspace.views import chart, summary

app_name = "workspace"

urlpatterns = [
    path("couples/<int:couple_id>/chart/", chart.couple_chart, name="chart"),
    path("couples/<int:couple_id>/summary/", summary.treatment_summary, name="summary"),
    path("couples/<int:couple_id>/summary.pdf", summary.treatment_summary_pdf, name="summary_pdf"),
]
