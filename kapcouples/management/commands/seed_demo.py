"""Demo data: one clinic, one user per staff role, two couples at different stages.

Each app adds its part through its `demo.py`. Safe to run repeatedly: every part
finds what it made before instead of making it again.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from kapcouples.demo import DemoSeed
from kapcouples.models import Clinic, Role, Room, StaffMembership, User

DEMO_PASSWORD = "demo-pass-2026"
STAFF = [
    ("clinician@demo.kap", "Casey Morgan", Role.CLINICIAN),
    ("prescriber@demo.kap", "Dr. Priya Shah", Role.PRESCRIBER),
    ("frontdesk@demo.kap", "Frankie Lee", Role.FRONT_DESK),
    ("admin@demo.kap", "Avery Quinn", Role.CLINIC_ADMIN),
]
ROOMS = ["Cedar room", "Willow room"]


class Command(BaseCommand):
    help = "Create the demo clinic, staff and couples (all passwords: demo-pass-2026)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo makes accounts with published passwords, so it refuses to run with "
                "DEBUG off. Use --force only on a throwaway database."
            )
        with transaction.atomic():
            clinic = self._clinic()
            staff = {
                role: self._staff_user(clinic, email, name, role) for email, name, role in STAFF
            }
            demo = DemoSeed(clinic=clinic, staff=staff, make_user=demo_user)
            demo.logins += [email for email, _, _ in STAFF]
            for seed in _app_seeders():
                seed(demo)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password demo-pass-2026):"))
        for email in demo.logins:
            self.stdout.write(f"  {email}")

    def _clinic(self) -> Clinic:
        clinic, _ = Clinic.objects.get_or_create(
            slug="demo",
            defaults={"name": "Harbor KAP Clinic (demo)", "timezone": "America/Los_Angeles"},
        )
        for name in ROOMS:
            Room.objects.get_or_create(clinic=clinic, name=name)
        return clinic

    def _staff_user(self, clinic: Clinic, email: str, full_name: str, role: str) -> User:
        user = demo_user(email, full_name)
        StaffMembership.objects.get_or_create(user=user, defaults={"clinic": clinic, "role": role})
        return user


def demo_user(email: str, full_name: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    return user or User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)


def _app_seeders():
    """Each installed app's `demo.seed`, in INSTALLED_APPS order (an app seeds after the
    apps it builds on), found by name so this core app imports no domain app."""
    for config in apps.get_app_configs():
        if config.name != "kapcouples" and module_has_submodule(config.module, "demo"):
            yield import_module(f"{config.name}.demo").seed
