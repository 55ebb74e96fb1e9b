from django.urls import path

from workspace.views import chart

app_name = "workspace"

urlpatterns = [
    path("couples/<int:couple_id>/chart/", chart.couple_chart, name="chart"),
]
