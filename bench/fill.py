"""Bulk data for the benchmarks: one clinic per size, found again on later runs."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import Couple, Partner
from integration.models import Reminder
from kapcouples.models import AccessLog, Clinic, Role, Room, StaffMembership, User
from sessions.models import Appointment, AppointmentClinician

APPOINTMENTS_PER_COUPLE = 4
REMINDERS_PER_APPOINTMENT = 2

# page name -> (role signed in, url)
PAGES = {
    "front desk couples": (Role.FRONT_DESK, "/desk/"),
    "front desk search": (Role.FRONT_DESK, "/desk/?q=Partner"),
    "clinician couples": (Role.CLINICIAN, "/care/"),
    "clinic admin": (Role.CLINIC_ADMIN, "/clinic-admin/"),
    "audit log": (Role.CLINIC_ADMIN, "/clinic-admin/audit/"),
    "front desk day calendar": (Role.FRONT_DESK, "/calendar/"),
    "front desk week calendar": (Role.FRONT_DESK, "/calendar/week/"),
    "clinician today": (Role.CLINICIAN, "/today/"),
    "outbox": (Role.FRONT_DESK, "/messages/outbox/"),
    "health": (None, "/health/?format=json"),
}


@dataclass
class BenchClinic:
    clinic: Clinic
    staff: dict[str, User]


def fill_clinic(couples: int) -> BenchClinic:
    slug = f"bench-{couples}"
    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None:
        with transaction.atomic():
            clinic = Clinic.objects.create(name=f"Bench {couples}", slug=slug)
            staff = _staff(clinic)
            made = _couples(clinic, staff[Role.CLINICIAN], couples)
            _appointments(clinic, staff, made)
            _access_log(clinic, staff[Role.CLINICIAN], couples * 4)
    memberships = StaffMembership.objects.filter(clinic=clinic).order_by("pk")
    staff = {}
    for membership in memberships:  # the first clinician is the one with the couples
        staff.setdefault(membership.role, membership.user)
    return BenchClinic(clinic, staff)


def _staff(clinic: Clinic) -> dict[str, User]:
    roles = (Role.CLINICIAN, Role.FRONT_DESK, Role.CLINIC_ADMIN)
    return {role: _staff_user(clinic, role, role) for role in roles}


def _staff_user(clinic: Clinic, role: str, name: str) -> User:
    user = User.objects.create_user(f"{name}@{clinic.slug}.bench", None, full_name=name)
    StaffMembership.objects.create(user=user, clinic=clinic, role=role)
    return user


def _couples(clinic: Clinic, clinician: User, count: int) -> list[Couple]:
    made = Couple.objects.bulk_create(
        Couple(clinic=clinic, primary_clinician=clinician, status=Couple.Status.ACTIVE)
        for _ in range(count)
    )
    Partner.objects.bulk_create(
        Partner(
            couple=couple,
            slot=slot,
            first_name=f"Partner{couple.pk}",
            last_name=f"Slot{slot}",
            email=f"p{couple.pk}-{slot}@{clinic.slug}.bench",
        )
        for couple in made
        for slot in (1, 2)
    )
    return made


def _appointments(clinic: Clinic, staff: dict[str, User], couples: list[Couple]) -> None:
    """Hour-long slots over 10 rooms, each with its own clinician, 10 hours a day from
    today on; a couple's appointments are len(couples) slots apart, so nothing overlaps."""
    rooms = [Room.objects.create(clinic=clinic, name=f"Room {n}") for n in range(10)]
    clinicians = [staff[Role.CLINICIAN]] + [
        _staff_user(clinic, Role.CLINICIAN, f"extra{n}") for n in range(1, 10)
    ]
    first = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
    total = len(couples) * APPOINTMENTS_PER_COUPLE
    starts = [first + datetime.timedelta(days=n // 100, hours=(n // 10) % 10) for n in range(total)]
    appointments = Appointment.objects.bulk_create(
        Appointment(
            clinic=clinic,
            couple=couples[n % len(couples)],
            kind=Appointment.Kind.PREPARATION,
            start=starts[n],
            end=starts[n] + datetime.timedelta(hours=1),
            room=rooms[n % 10],
            booked_by=staff[Role.FRONT_DESK],
        )
        for n in range(total)
    )
    AppointmentClinician.objects.bulk_create(
        AppointmentClinician(appointment=a, clinician=clinicians[n % 10], start=a.start, end=a.end)
        for n, a in enumerate(appointments)
    )
    _reminders(clinic, appointments)


def _reminders(clinic: Clinic, appointments: list[Appointment]) -> None:
    partners = {p.couple_id: p for p in Partner.objects.filter(couple__clinic=clinic, slot=1)}
    Reminder.objects.bulk_create(
        Reminder(
            clinic=clinic,
            partner=partners[a.couple_id],
            kind=Reminder.Kind.values[0],
            due_at=a.start - datetime.timedelta(hours=24 * n),
            next_attempt_at=a.start - datetime.timedelta(hours=24 * n),
            status=Reminder.Status.SENT if n else Reminder.Status.PENDING,
            sent_at=a.start - datetime.timedelta(hours=24 * n) if n else None,
            attempts=1 if n else 0,
            idempotency_key=f"bench:{a.pk}:{n}",
        )
        for a in appointments
        for n in range(REMINDERS_PER_APPOINTMENT)
    )


def _access_log(clinic: Clinic, user: User, count: int) -> None:
    AccessLog.objects.bulk_create(
        AccessLog(clinic=clinic, user=user, action=AccessLog.Action.READ, object_type="x")
        for _ in range(count)
    )


def signed_in_client(bench: BenchClinic, role: str | None) -> Client:
    client = Client()
    if role is None:
        return client
    user = bench.staff[role]
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": "bench"})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client
