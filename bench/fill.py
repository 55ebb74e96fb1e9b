"""Bulk data for the benchmarks: one clinic per size, found again on later runs."""

from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import Couple, Partner
from kapcouples.models import AccessLog, Clinic, Role, StaffMembership, User

# page name -> (role signed in, url)
PAGES = {
    "front desk couples": (Role.FRONT_DESK, "/desk/"),
    "front desk search": (Role.FRONT_DESK, "/desk/?q=Partner"),
    "clinician couples": (Role.CLINICIAN, "/care/"),
    "clinic admin": (Role.CLINIC_ADMIN, "/clinic-admin/"),
    "audit log": (Role.CLINIC_ADMIN, "/clinic-admin/audit/"),
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
            _couples(clinic, staff[Role.CLINICIAN], couples)
            _access_log(clinic, staff[Role.CLINICIAN], couples * 4)
    staff = {m.role: m.user for m in StaffMembership.objects.filter(clinic=clinic)}
    return BenchClinic(clinic, staff)


def _staff(clinic: Clinic) -> dict[str, User]:
    staff = {}
    for role in (Role.CLINICIAN, Role.FRONT_DESK, Role.CLINIC_ADMIN):
        user = User.objects.create_user(f"{role}@{clinic.slug}.bench", None, full_name=role)
        StaffMembership.objects.create(user=user, clinic=clinic, role=role)
        staff[role] = user
    return staff


def _couples(clinic: Clinic, clinician: User, count: int) -> None:
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
