"""Demo maintenance plans: each couple of the demo clinic whose program is completed gets
an approved plan (every 8 weeks from their last session, so the first booster is due
about now and shows on the dashboard). Safe to run repeatedly."""

import datetime

from django.utils import timezone

from intake.models import Couple
from kapcouples.demo import DemoSeed
from kapcouples.models import Role
from maintenance.models import MaintenancePlan, MaintenanceSettings
from sessions.models import Approach


def seed(demo: DemoSeed) -> None:
    MaintenanceSettings.for_clinic(demo.clinic.pk)
    prescriber = demo.staff[Role.PRESCRIBER]
    today = timezone.localdate(timezone=demo.clinic.zone)
    completed = Couple.objects.filter(clinic=demo.clinic, status=Couple.Status.COMPLETED)
    for couple in completed.exclude(maintenance_plans__isnull=False):
        MaintenancePlan.objects.create(
            couple=couple,
            interval_weeks=8,
            boosters_per_review=2,
            approach=Approach.DUAL_HALF,
            starts_on=today - datetime.timedelta(days=50),
            review_on=today + datetime.timedelta(days=120),
            notes="One booster every two months; review after the second.",
            status=MaintenancePlan.Status.APPROVED,
            approved_by=prescriber,
            approved_at=timezone.now(),
            created_by=demo.staff[Role.CLINICIAN],
        )
