"""Core services: account security and clinic set-up."""

import segno
from django.db import transaction
from django.db.models import F
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapcouples.models import User


class DomainError(Exception):
    """A rule refused the action; the message tells the user what would satisfy it."""


def user_end_all_sessions(*, user: User) -> None:
    """Invalidate every session of `user`, on every device (used at logout)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's pending authenticator enrolment, created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, device: TOTPDevice, token: str) -> None:
    """Confirm an enrolment with the first code the app shows."""
    if not device.verify_token(token):
        raise DomainError(
            "That code did not match. Check the time on your phone and try the newest code."
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def totp_qr_data_uri(device: TOTPDevice) -> str:
    # A data: URI keeps the QR code within the strict Content-Security-Policy.
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)
