"""Shared fixtures: the standard cast of users every access test reuses."""

import contextlib
import datetime
import os
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import Couple, Partner
from kapcouples import policy
from kapcouples.celery import app as celery_app
from kapcouples.models import Clinic, Role, User
from tests.factories import ClinicFactory, CoupleFactory, PartnerFactory, StaffFactory


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request served by the test client leaves
    the language it activated (a Spanish partner's) on the thread, as Django does."""
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def clock_from_environment():
    """`KAP_TEST_CLOCK=2026-12-01T04:45:00+00:00` runs the suite from that moment on (the clock
    keeps ticking), to catch a test that holds only at some hours: a run just before and one
    just after the clinic's midnight (America/New_York in the factories) find them. Tests
    that need the real Celery worker's clock cannot run so."""
    moment = os.environ.get("KAP_TEST_CLOCK")
    if not moment:
        yield
        return
    with time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def empty_the_test_queue_afterwards():
    """Tasks published during the run (with no worker listening) must not pile up in Redis."""
    yield
    # Redis gone at the end of the run: nothing left to empty.
    with contextlib.suppress(Exception):
        celery_app.control.purge()


@dataclass
class Cast:
    clinic: Clinic
    other_clinic: Clinic
    couple: Couple
    partner_a: Partner
    partner_b: Partner
    other_couple: Couple
    other_partner: Partner
    clinician: User  # the couple's primary clinician
    prescriber: User  # on the couple's care team
    clinician_outside: User  # same clinic, not on the couple's care team
    front_desk: User
    clinic_admin: User
    other_clinic_clinician: User

    def user(self, name: str) -> User:
        value = getattr(self, name)
        return value.user if isinstance(value, Partner) else value


@pytest.fixture
def cast(db) -> Cast:
    clinic, other_clinic = ClinicFactory(), ClinicFactory()
    clinician = StaffFactory(clinic=clinic, role=Role.CLINICIAN, full_name="Casey Clinician")
    prescriber = StaffFactory(clinic=clinic, role=Role.PRESCRIBER)
    couple = CoupleFactory(clinic=clinic, primary_clinician=clinician)
    couple.care_team.add(prescriber)
    other_couple = CoupleFactory(clinic=clinic, primary_clinician=clinician)
    return Cast(
        clinic=clinic,
        other_clinic=other_clinic,
        couple=couple,
        # Surnames no page says otherwise: tests check a name is not shown (a random one,
        # such as "Lang", can be part of a word on the page, "Language").
        partner_a=PartnerFactory(couple=couple, slot=1, first_name="Alexa", last_name="Quillby"),
        partner_b=PartnerFactory(couple=couple, slot=2, first_name="Bobbie", last_name="Thistlow"),
        other_couple=other_couple,
        other_partner=PartnerFactory(couple=other_couple, slot=1),
        clinician=clinician,
        prescriber=prescriber,
        clinician_outside=StaffFactory(clinic=clinic, role=Role.CLINICIAN),
        front_desk=StaffFactory(clinic=clinic, role=Role.FRONT_DESK),
        clinic_admin=StaffFactory(clinic=clinic, role=Role.CLINIC_ADMIN),
        other_clinic_clinician=StaffFactory(clinic=other_clinic, role=Role.CLINICIAN),
    )


def sign_in(client: Client, user: User) -> Client:
    """Log `user` in; staff also get a verified second factor, as after a real TOTP check."""
    client.force_login(user)
    if policy.needs_second_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": "test"})
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(db):
    """client_for(user) -> a fresh test client signed in as that user."""

    def make(user: User) -> Client:
        return sign_in(Client(), user)

    return make
