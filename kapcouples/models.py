"""Core models: users, clinics, rooms, staff memberships, the access log, worker heartbeats."""

import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kapcouples.choices import QuickChoiceLabels


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone, e.g. Europe/London.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: clinic staff, partners, and platform operators (superusers).

    What a user may do comes from their StaffMembership (staff) or Partner
    profile (partners), never from Django's is_staff, which only opens the
    operators' admin site.
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "operator (Django admin)", default=False, help_text="Opens the operators' admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped at logout: every session hashed with the old value stops being valid.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login", "session_generation"])

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django's hash covers the password only; adding the generation lets a
        # logout end the user's sessions on every other device too.
        key_salt = "kapcouples.User.session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA name."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Room(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    # How many couples it seats at once: only the seats of one group session share a room.
    capacity = models.PositiveSmallIntegerField("couples seated at once", default=1, db_default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="room_name_unique_per_clinic"),
            models.CheckConstraint(
                condition=models.Q(capacity__range=(1, 50)), name="room_capacity_1_to_50"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    PRESCRIBER = "prescriber", "Prescriber"
    FRONT_DESK = "front_desk", "Front desk"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    # A physician of another practice, granted named couples only (outside app).
    OUTSIDE_PRESCRIBER = "outside_prescriber", "Outside prescriber"
    PARTNER = "partner", _("Partner")  # shown in a partner's own navigation


STAFF_ROLE_CHOICES = [choice for choice in Role.choices if choice[0] != Role.PARTNER]


class StaffMembership(models.Model):
    """A staff user's role at their clinic (one clinic per staff account).

    Roles live here rather than in Django groups because a role only means
    something at one clinic; a group would be global.
    """

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="membership")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=STAFF_ROLE_CHOICES)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[value for value, _ in STAFF_ROLE_CHOICES]),
                name="membership_role_is_a_staff_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.clinic}"


class AccessLog(QuickChoiceLabels, models.Model):
    """Who read, changed or was refused what, when and from where.

    Append-only: database triggers refuse UPDATE and DELETE (migration 0003). Each row
    names its subject at write time (`subject`, initials only) and files it under the
    couple and partner it concerns, so the log reads and filters without joining the
    domain tables. Edits' before and after values are kept by django-simple-history on
    each model; a CHANGE entry records that a clinic admin acted (invited, deactivated,
    retired...).
    """

    class Action(models.TextChoices):
        READ = "read", "Read"
        DENIED = "denied", "Denied"
        LOCKOUT = "lockout", "Locked out"
        BREAK_GLASS = "break_glass", "Break the glass"
        CHANGE = "change", "Change"
        EXPORT = "export", "Exported the audit log"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Plain ids, not foreign keys: the core app knows no domain model, and a log row must
    # outlive any change to what it names.
    couple_id = models.BigIntegerField(null=True, blank=True)
    partner_id = models.BigIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "-at"], name="accesslog_clinic_recent"),
            models.Index(fields=["object_type", "object_id"], name="accesslog_object"),
            models.Index(fields=["clinic", "user", "-at"], name="accesslog_clinic_user"),
            models.Index(fields=["clinic", "couple_id", "-at"], name="accesslog_clinic_couple"),
            models.Index(fields=["clinic", "partner_id", "-at"], name="accesslog_clinic_partner"),
            models.Index(fields=["clinic", "action", "-at"], name="accesslog_clinic_action"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}"

    @property
    def record_label(self) -> str:
        """What the entry is about, for people; rows written before subjects were kept
        show their type and id."""
        return self.subject or f"{self.object_type} {self.object_id}".strip()


class WorkerHeartbeat(models.Model):
    """Last time a Celery worker ran the heartbeat task (one row per name)."""

    name = models.CharField(max_length=50, unique=True)
    last_beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_beat_at:%Y-%m-%d %H:%M:%S}"


def create_with_each_clinic(settings_model: type[models.Model]) -> None:
    """Make `settings_model`'s row (its field defaults) whenever a clinic is created.

    Each domain app keeps per-clinic settings in a one-row-per-clinic model; creating the
    row with the clinic keeps first reads from writing. Reads still fall back to creating
    it, for clinics made before the app was installed.
    """

    def create(sender, instance: Clinic, created: bool, raw: bool = False, **kwargs) -> None:
        if created and not raw:
            settings_model.objects.get_or_create(clinic=instance)

    models.signals.post_save.connect(
        create, sender=Clinic, weak=False, dispatch_uid=f"settings:{settings_model._meta.label}"
    )
