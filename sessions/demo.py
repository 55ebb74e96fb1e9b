"""This app's part of `manage.py seed_demo` (safe to run twice).

Every phase and every dosing approach appears somewhere:
- couple 1 (Rivera): dual half dose, medicine session in progress now (medicine phase);
- couple 2 (Ellis/Park): draft dual-full-dose plan, assessment tomorrow (assessment phase);
- Chen: solo (Morgan doses, Lee sits), session yesterday done, integration booked;
- Okafor: dual full dose, assessment done, preparation booked (preparation phase);
- Nguyen: extended discussion, program completed;
- Brooks: dual full dose, three medicine sessions over five months with their preparation
  and integration, the fourth booked (the full history the chart and plots show) and half
  prepared: two setting-checklist items ticked, no ride home confirmed yet.
The history is written directly (as past bookings would have left it); on PostgreSQL the
exclusion constraints still check every row.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from intake import readiness as screening
from intake.models import Couple, Partner, Prescription
from kapcouples.demo import DemoSeed
from kapcouples.models import Role, Room
from sessions.models import (
    AdverseEvent,
    Appointment,
    AppointmentClinician,
    Approach,
    CalendarFeed,
    ChecklistTick,
    Discharge,
    DoseAdministration,
    MedicineSession,
    SupportRole,
    TreatmentPlan,
    VitalSigns,
)
from sessions.protocol import protocol_for

K, S = Appointment.Kind, Appointment.Status
# The couples intake's demo made for a history here, by their first partner's email.
HISTORY_COUPLES = [
    "morgan.chen@demo.kap",
    "dana.okafor@demo.kap",
    "taylor.nguyen@demo.kap",
    "jamie.brooks@demo.kap",
]
# Days from today of the Brooks couple's medicine sessions (the fourth is booked).
BROOKS_MEDICINE_DAYS = (-150, -90, -30, 20)


def seed(demo: DemoSeed) -> None:
    """Plans, appointments and session records for the demo couples (once)."""
    clinic, staff, couples = demo.clinic, demo.staff, demo.couples
    protocol_for(clinic)
    rooms = list(Room.objects.filter(clinic=clinic).order_by("name"))
    if not rooms:
        return
    chen, okafor, nguyen, brooks = (
        Partner.objects.get(email=email).couple for email in HISTORY_COUPLES
    )
    today = timezone.localdate(timezone=clinic.zone)
    demo = _Demo(clinic, staff, rooms, today)
    for couple, build in [
        (couples[0], demo.rivera),
        (couples[1], demo.ellis),
        (chen, demo.chen),
        (okafor, demo.okafor),
        (nguyen, demo.nguyen),
        (brooks, demo.brooks),
    ]:
        if not Appointment.objects.filter(couple=couple).exists():
            build(couple)
    CalendarFeed.objects.get_or_create(clinician=staff[Role.CLINICIAN], revoked_at=None)
    _half_prepared(brooks)


def _half_prepared(couple) -> None:
    """Brooks's booked medicine session, half prepared: Quinn ticked the first two items of
    the setting checklist; nobody has confirmed a ride home yet."""
    session = (
        MedicineSession.objects.filter(couple=couple, status=MedicineSession.Status.PLANNED)
        .order_by("appointment__start")
        .first()
    )
    if session is None:
        return
    quinn = couple.partners.order_by("slot").last()
    for item in protocol_for(couple.clinic_id).checklist_items[:2]:
        ChecklistTick.objects.get_or_create(
            medicine_session=session, item=item, defaults={"partner": quinn}
        )


class _Demo:
    def __init__(self, clinic, staff, rooms, today):
        self.clinic, self.staff, self.rooms, self.today = clinic, staff, rooms, today
        self.clinician, self.prescriber = staff[Role.CLINICIAN], staff[Role.PRESCRIBER]

    def at(self, days: int, hour: int, minute: int = 0) -> datetime.datetime:
        day = self.today + datetime.timedelta(days=days)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.clinic.zone)

    def appointment(self, couple, kind, start, minutes, *, room=0, status=S.COMPLETED):
        appointment = Appointment.objects.create(
            clinic=self.clinic,
            couple=couple,
            kind=kind,
            start=start,
            end=start + datetime.timedelta(minutes=minutes),
            room=self.rooms[room % len(self.rooms)],
            status=status,
            booked_by=self.staff[Role.FRONT_DESK],
        )
        clinicians = [self.prescriber] if kind == K.MEDICINE else [self.clinician]
        for clinician in clinicians:
            AppointmentClinician.objects.create(
                appointment=appointment,
                clinician=clinician,
                start=appointment.start,
                end=appointment.end,
                is_active=appointment.is_active,
            )
        return appointment

    def plan(self, couple, approach, *, status=TreatmentPlan.Status.ACTIVE, sessions=3, **extra):
        partners = list(couple.partners.all())
        values = {
            "goals": "Rebuild trust and communicate openly about needs.",
            "approach": approach,
            "planned_medicine_sessions": sessions,
            "relational_intention": "To meet each other with curiosity instead of defence.",
            "themes": "Trust; repair after conflict; closeness.",
            "status": status,
            "created_by": self.clinician,
        }
        if approach == Approach.SOLO:
            values |= {
                "dosing_partner": partners[0],
                "support_role": SupportRole.SITTER,
                "support_role_agreed": True,
            }
        if approach == Approach.EXTENDED:
            values |= {
                "discussion_topics": "What we avoid saying; how we ask for help.",
                "discussion_questions": "What do I want my partner to understand about me?",
                "opening_reflection": "A moment of gratitude for one thing the other did.",
            }
        if status != TreatmentPlan.Status.DRAFT:
            values |= {"approved_by": self.prescriber, "approved_at": timezone.now()}
        return TreatmentPlan.objects.create(couple=couple, **(values | extra))

    def medicine(self, couple, start, plan, *, status, room=0, appointment_status=S.COMPLETED):
        appointment = self.appointment(
            couple, K.MEDICINE, start, 240, room=room, status=appointment_status
        )
        return MedicineSession.objects.create(
            appointment=appointment,
            couple=couple,
            approach=plan.approach,
            dosing_partner=plan.dosing_partner,
            support_role=plan.support_role,
            route=plan.route,
            status=status,
            started_at=start if status != MedicineSession.Status.PLANNED else None,
            started_by=self.clinician if status != MedicineSession.Status.PLANNED else None,
        )

    def vitals(self, session, partner, moment, at, systolic, diastolic):
        level = "caution" if systolic >= 140 or diastolic >= 90 else "normal"
        return VitalSigns.objects.create(
            medicine_session=session,
            partner=partner,
            moment=moment,
            taken_at=at,
            systolic=systolic,
            diastolic=diastolic,
            heart_rate=72,
            spo2=98,
            level=level,
            recorded_by=self.clinician,
        )

    def prescription(self, session, partner) -> Prescription:
        """The partner's active prescription for the session (made if screening has none)."""
        day = session.appointment.start.astimezone(self.clinic.zone).date()
        rx = screening.active_prescription(partner, on=day, route=session.route)
        return rx or Prescription.objects.create(
            partner=partner,
            prescriber=self.prescriber,
            route=session.route,
            single_dose_mg=Decimal("100"),
            valid_from=day - datetime.timedelta(days=30),
            valid_until=day + datetime.timedelta(days=150),
        )

    def dose(self, session, partner, at, share: int) -> None:
        rx = self.prescription(session, partner)
        DoseAdministration.objects.create(
            medicine_session=session,
            partner=partner,
            route=session.route,
            mg=rx.single_dose_mg * share / 100,
            given_at=at,
            given_by=self.prescriber,
            prescription_id_snapshot=rx.pk,
            prescribed_single_dose_mg=rx.single_dose_mg,
            share_percent=share,
        )

    def in_progress_start(self) -> datetime.datetime:
        """An hour before now, on the quarter hour: the session is under way whenever the
        demo is seeded (a fixed 09:00 would lie ahead when seeded at 06:00)."""
        now = timezone.now().astimezone(self.clinic.zone).replace(second=0, microsecond=0)
        return now - datetime.timedelta(hours=1, minutes=now.minute % 15)

    def rivera(self, couple):
        """Dual half dose; the medicine session is under way now."""
        plan = self.plan(couple, Approach.DUAL_HALF)
        self.appointment(couple, K.ASSESSMENT, self.at(-30, 10), 90)
        self.appointment(couple, K.PREPARATION, self.at(-14, 10), 60)
        self.appointment(couple, K.PREPARATION, self.at(-7, 10), 60)
        start = self.in_progress_start()
        session = self.medicine(
            couple,
            start,
            plan,
            status=MedicineSession.Status.IN_PROGRESS,
            appointment_status=S.CHECKED_IN,
        )
        a, b = couple.partners.all()
        for partner in (a, b):
            self.prescription(session, partner)
        minutes = datetime.timedelta
        self.vitals(session, a, VitalSigns.Moment.PRE_DOSE, start + minutes(minutes=10), 128, 82)
        self.vitals(session, b, VitalSigns.Moment.PRE_DOSE, start + minutes(minutes=12), 142, 88)
        self.appointment(couple, K.INTEGRATION, self.at(1, 10), 60, status=S.BOOKED)

    def ellis(self, couple):
        """Still in assessment: a draft plan, the assessment booked for tomorrow."""
        self.plan(couple, Approach.DUAL_FULL, status=TreatmentPlan.Status.DRAFT)
        self.appointment(couple, K.ASSESSMENT, self.at(1, 14), 90, room=1, status=S.BOOKED)

    def chen(self, couple):
        """Solo: Morgan dosed yesterday with Lee as sitter; integration is next."""
        plan = self.plan(couple, Approach.SOLO)
        self.appointment(couple, K.ASSESSMENT, self.at(-40, 11), 90, room=1)
        self.appointment(couple, K.PREPARATION, self.at(-10, 11), 60, room=1)
        self.appointment(couple, K.PREPARATION, self.at(-5, 11), 60, room=1)
        start = self.at(-1, 9)
        session = self.medicine(
            couple, start, plan, status=MedicineSession.Status.COMPLETED, room=1
        )
        morgan = plan.dosing_partner
        minutes = datetime.timedelta
        self.vitals(
            session, morgan, VitalSigns.Moment.PRE_DOSE, start + minutes(minutes=10), 124, 80
        )
        self.dose(session, morgan, start + minutes(minutes=20), 100)
        self.vitals(
            session, morgan, VitalSigns.Moment.POST_DOSE_40, start + minutes(minutes=60), 136, 86
        )
        self.vitals(
            session, morgan, VitalSigns.Moment.PRE_DISCHARGE, start + minutes(minutes=150), 126, 82
        )
        Discharge.objects.create(
            medicine_session=session,
            partner=morgan,
            discharged_at=start + minutes(minutes=155),
            escort_name="Robin Chen",
            escort_phone="+1 415 555 0142",
            escort_relationship="sister",
            monitored_minutes=135,
            last_systolic=126,
            last_diastolic=82,
            recorded_by=self.clinician,
        )
        MedicineSession.objects.filter(pk=session.pk).update(
            completed_at=start + minutes(minutes=160)
        )
        integration = self.appointment(
            couple, K.INTEGRATION, self.at(1, 11), 60, room=1, status=S.BOOKED
        )
        Appointment.objects.filter(pk=integration.pk).update(medicine_session=session)

    def okafor(self, couple):
        """Dual full dose, in preparation: one preparation done, the next booked."""
        self.plan(couple, Approach.DUAL_FULL)
        self.appointment(couple, K.ASSESSMENT, self.at(-21, 15), 90)
        self.appointment(couple, K.PREPARATION, self.at(-3, 15), 60)
        self.appointment(couple, K.PREPARATION, self.at(2, 15), 60, status=S.BOOKED)

    def nguyen(self, couple):
        """Extended discussion: one medicine session and its integration, program done."""
        plan = self.plan(couple, Approach.EXTENDED, sessions=1)
        self.appointment(couple, K.ASSESSMENT, self.at(-90, 13), 90, room=1)
        self.appointment(couple, K.PREPARATION, self.at(-70, 13), 60, room=1)
        self.appointment(couple, K.PREPARATION, self.at(-65, 13), 60, room=1)
        start = self.at(-60, 9)
        session = self.medicine(
            couple, start, plan, status=MedicineSession.Status.COMPLETED, room=1
        )
        for partner in couple.partners.all():
            self.vitals(session, partner, VitalSigns.Moment.PRE_DOSE, start, 122, 78)
            self.dose(session, partner, start + datetime.timedelta(minutes=15), 25)
        MedicineSession.objects.filter(pk=session.pk).update(
            completed_at=start + datetime.timedelta(hours=3)
        )
        self.appointment(couple, K.INTEGRATION, self.at(-59, 13), 60, room=1)
        TreatmentPlan.objects.filter(pk=plan.pk).update(status=TreatmentPlan.Status.COMPLETED)
        Couple.objects.filter(pk=couple.pk).update(status=Couple.Status.COMPLETED)

    def brooks(self, couple):
        """Dual full dose: three medicine sessions held, each after two preparations and
        followed by an integration session the next day; the fourth is booked."""
        plan = self.plan(couple, Approach.DUAL_FULL, sessions=4)
        first, *held, booked = BROOKS_MEDICINE_DAYS
        self.appointment(couple, K.ASSESSMENT, self.at(first - 30, 10), 90, room=1)
        for number, day in enumerate([first, *held], start=1):
            for before in (14, 7):
                self.appointment(couple, K.PREPARATION, self.at(day - before, 10), 60, room=1)
            session = self._held_dual_session(couple, plan, day, nausea=number == 2)
            integration = self.appointment(couple, K.INTEGRATION, self.at(day + 1, 10), 60, room=1)
            Appointment.objects.filter(pk=integration.pk).update(medicine_session=session)
        for before in (14, 7):
            status = S.COMPLETED if booked - before < 0 else S.BOOKED
            self.appointment(
                couple, K.PREPARATION, self.at(booked - before, 10), 60, room=1, status=status
            )
        self.medicine(
            couple,
            self.at(booked, 8),
            plan,
            room=1,
            status=MedicineSession.Status.PLANNED,
            appointment_status=S.BOOKED,
        )

    def _held_dual_session(self, couple, plan, day, *, nausea: bool) -> MedicineSession:
        start = self.at(day, 8)
        session = self.medicine(
            couple, start, plan, status=MedicineSession.Status.COMPLETED, room=1
        )
        minutes = datetime.timedelta
        for offset, partner in enumerate(couple.partners.all()):
            moment = VitalSigns.Moment
            self.vitals(session, partner, moment.PRE_DOSE, start + minutes(minutes=10), 126, 80)
            self.dose(session, partner, start + minutes(minutes=20 + offset), 100)
            self.vitals(
                session,
                partner,
                moment.POST_DOSE_40,
                start + minutes(minutes=60),
                138 - offset * 6,
                86,
            )
            self.vitals(
                session, partner, moment.PRE_DISCHARGE, start + minutes(minutes=150), 124, 80
            )
            Discharge.objects.create(
                medicine_session=session,
                partner=partner,
                discharged_at=start + minutes(minutes=155),
                escort_name="Sam Brooks",
                escort_phone="+1 415 555 0188",
                escort_relationship="brother",
                monitored_minutes=135 - offset,
                last_systolic=124,
                last_diastolic=80,
                recorded_by=self.clinician,
            )
        if nausea:
            AdverseEvent.objects.create(
                medicine_session=session,
                partner=couple.partners.first(),
                kind=AdverseEvent.Kind.NAUSEA,
                severity=AdverseEvent.Severity.MILD,
                action="Ondansetron as prescribed; settled within 20 minutes.",
                occurred_at=start + minutes(minutes=50),
                recorded_by=self.clinician,
            )
        MedicineSession.objects.filter(pk=session.pk).update(
            completed_at=start + minutes(minutes=160)
        )
        return session
