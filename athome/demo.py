"""This app's part of `manage.py seed_demo` (safe to run twice): the clinic allows at-home
sessions, and the Chen couple's plan is approved for home. Morgan's at-home session began
a quarter of an hour ago; Lee is the chaperone and has not yet confirmed being there, so
the demo walks through the whole flow: Morgan measures, Lee confirms, Morgan takes the dose.
(The session is written as started, as a past start would have left it.)"""

import datetime

from django.utils import timezone

from athome.models import ChaperoneCheck, HomeChaperone
from intake import services as intake_services
from intake.models import Partner, QuestionnaireResponse
from kapcouples.demo import DemoSeed
from kapcouples.models import Role, Room
from sessions.models import (
    Appointment,
    AppointmentClinician,
    MedicineSession,
    Setting,
    SupportRole,
    TreatmentPlan,
)
from sessions.protocol import protocol_for

SESSION_MINUTES = 240
NO_RISK_SCREENER = [0, 0, None, None, None, 0]


def seed(demo: DemoSeed) -> None:
    morgan = Partner.objects.filter(email="morgan.chen@demo.kap").select_related("couple").first()
    plan = TreatmentPlan.objects.filter(couple__partners=morgan).first() if morgan else None
    if plan is None or plan.dosing_partner_id != morgan.pk:
        return
    if MedicineSession.objects.filter(couple=plan.couple, setting=Setting.AT_HOME).exists():
        return
    protocol = protocol_for(demo.clinic)
    protocol.allows_at_home = True
    protocol.save()
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        setting=Setting.AT_HOME, support_role=SupportRole.CHAPERONE
    )
    start = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=15)
    appointment = _appointment(demo, plan.couple, start)
    if appointment is None:
        return
    session = MedicineSession.objects.create(
        appointment=appointment,
        couple=plan.couple,
        approach=plan.approach,
        dosing_partner=morgan,
        support_role=SupportRole.CHAPERONE,
        route=plan.route,
        setting=Setting.AT_HOME,
        status=MedicineSession.Status.IN_PROGRESS,
        started_at=start,
        started_by=morgan.user,
    )
    # The screener counts when taken in the days before the session: Morgan took it
    # yesterday.
    if not QuestionnaireResponse.objects.filter(partner=morgan, code="C-SSRS").exists():
        intake_services.questionnaire_submit(
            partner=morgan, user=morgan.user, code="C-SSRS", answers=NO_RISK_SCREENER
        )
    QuestionnaireResponse.objects.filter(partner=morgan, code="C-SSRS").update(
        completed_at=start - datetime.timedelta(days=1)
    )
    lee = plan.couple.partners.exclude(pk=morgan.pk).first()
    HomeChaperone.objects.create(
        medicine_session=session,
        partner=lee,
        name=lee.full_name,
        named_by=demo.staff[Role.CLINICIAN],
    )
    ChaperoneCheck.objects.create(
        medicine_session=session, kind=ChaperoneCheck.Kind.PRESENCE, due_at=start
    )


def _appointment(demo: DemoSeed, couple, start) -> Appointment | None:
    """The at-home session's appointment, in a room free then (the care team watches from
    it); none when every room is taken."""
    end = start + datetime.timedelta(minutes=SESSION_MINUTES)
    busy = Appointment.objects.active().overlapping(start, end).values_list("room_id", flat=True)
    room = Room.objects.filter(clinic=demo.clinic).exclude(pk__in=list(busy)).first()
    if room is None:
        return None
    appointment = Appointment.objects.create(
        clinic=demo.clinic,
        couple=couple,
        kind=Appointment.Kind.MEDICINE,
        start=start,
        end=end,
        room=room,
        status=Appointment.Status.CHECKED_IN,
        booked_by=demo.staff[Role.FRONT_DESK],
    )
    # The care team watches from wherever they are: whoever of them is free is on it.
    for role in (Role.CLINICIAN, Role.PRESCRIBER):
        busy = AppointmentClinician.objects.filter(
            clinician=demo.staff[role], is_active=True, start__lt=end, end__gt=start
        )
        if not busy.exists():
            AppointmentClinician.objects.create(
                appointment=appointment,
                clinician=demo.staff[role],
                start=start,
                end=end,
                is_active=True,
            )
            break
    return appointment
