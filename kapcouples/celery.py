"""The Celery application. Configuration lives in settings (CELERY_*), beat schedule included."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapcouples.settings")

app = Celery("kapcouples")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
