"""Demo data: one clinic, one user per staff role, two couples at different stages.

Safe to run repeatedly: it finds what it made before instead of making it again.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.models import Couple, Partner
from kapcouples.models import Clinic, Role, Room, StaffMembership, User

DEMO_PASSWORD = "demo-pass-2026"
STAFF = [
    ("clinician@demo.kap", "Casey Morgan", Role.CLINICIAN),
    ("prescriber@demo.kap", "Dr. Priya Shah", Role.PRESCRIBER),
    ("frontdesk@demo.kap", "Frankie Lee", Role.FRONT_DESK),
    ("admin@demo.kap", "Avery Quinn", Role.CLINIC_ADMIN),
]
COUPLES = [
    # (status, [(email, first, last, date of birth)])
    (
        Couple.Status.ACTIVE,
        [
            ("alex@demo.kap", "Alex", "Rivera", "1986-04-12"),
            ("sam@demo.kap", "Sam", "Rivera", "1988-09-30"),
        ],
    ),
    (
        Couple.Status.ASSESSMENT,
        [
            ("jordan@demo.kap", "Jordan", "Ellis", "1979-01-22"),
            ("riley@demo.kap", "Riley", "Park", "1982-06-05"),
        ],
    ),
]
ROOMS = ["Cedar room", "Willow room"]
LOGINS = [email for email, _, _ in STAFF] + [p[0] for _, people in COUPLES for p in people]


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
            for status, people in COUPLES:
                self._couple(clinic, status, people, staff)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password demo-pass-2026):"))
        for email in LOGINS:
            self.stdout.write(f"  {email}")

    def _clinic(self) -> Clinic:
        clinic, _ = Clinic.objects.get_or_create(
            slug="demo",
            defaults={"name": "Harbor KAP Clinic (demo)", "timezone": "America/Los_Angeles"},
        )
        for name in ROOMS:
            Room.objects.get_or_create(clinic=clinic, name=name)
        return clinic

    def _user(self, email: str, full_name: str) -> User:
        user = User.objects.filter(email__iexact=email).first()
        return user or User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)

    def _staff_user(self, clinic: Clinic, email: str, full_name: str, role: str) -> User:
        user = self._user(email, full_name)
        StaffMembership.objects.get_or_create(user=user, defaults={"clinic": clinic, "role": role})
        return user

    def _couple(self, clinic: Clinic, status: str, people: list, staff: dict) -> Couple:
        existing = Partner.objects.filter(email=people[0][0]).select_related("couple").first()
        if existing:
            return existing.couple
        couple = Couple.objects.create(
            clinic=clinic, status=status, primary_clinician=staff[Role.CLINICIAN]
        )
        couple.care_team.add(staff[Role.PRESCRIBER])
        for slot, (email, first, last, born) in enumerate(people, start=1):
            Partner.objects.create(
                couple=couple,
                slot=slot,
                user=self._user(email, f"{first} {last}"),
                first_name=first,
                last_name=last,
                date_of_birth=born,
                email=email,
                timezone=clinic.timezone,
            )
        return couple
