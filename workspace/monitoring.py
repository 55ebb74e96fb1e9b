"""The monitoring record of one medicine session, in the shape of a REMS monitoring form:
each partner's readings with times and observations, doses with route (and lot, where the
clinic keeps stock), adverse events, discharge and the criteria it met."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from intake.models import Partner
from sessions.models import AdverseEvent, Discharge, DoseAdministration, MedicineSession, VitalSigns

OBSERVATIONS = (
    ("sedation", "sedation"),
    ("dissociation", "dissociation"),
    ("respiratory_depression", "respiratory depression"),
)


@dataclass(frozen=True)
class PartnerMonitoring:
    partner: Partner
    readings: list[VitalSigns]
    doses: list[DoseAdministration]
    adverse_events: list[AdverseEvent]
    discharge: Discharge | None

    @property
    def dosed(self) -> bool:
        return bool(self.doses)

    @property
    def post_dose_reading(self) -> VitalSigns | None:
        return next((r for r in self.readings if r.moment == VitalSigns.Moment.POST_DOSE_40), None)

    @property
    def criteria(self) -> list[tuple[str, bool]]:
        """The discharge criteria, each with whether it was met (empty before discharge)."""
        d = self.discharge
        if d is None:
            return []
        bp_within = d.bp_signed_off_by_id is None
        return [
            (
                f"Monitored {d.monitored_minutes} min (at least {d.min_monitoring_minutes})",
                d.monitored_minutes >= d.min_monitoring_minutes,
            ),
            (
                "Reading about 40 minutes after the dose",
                self.post_dose_reading is not None or not self.dosed,
            ),
            (
                f"Last blood pressure {d.last_systolic}/{d.last_diastolic} mmHg"
                + (
                    " under the caution threshold"
                    if bp_within
                    else f", signed off by {d.bp_signed_off_by.get_full_name()}: "
                    f"{d.bp_sign_off_reason}"
                ),
                True,
            ),
            (f"Taken home by {_escort(d)}", bool(d.escort_name.strip())),
        ]


def _escort(discharge: Discharge) -> str:
    details = [d for d in (discharge.escort_relationship, discharge.escort_phone) if d]
    return discharge.escort_name + (f" ({', '.join(details)})" if details else "")


def stock_entry_of(dose: DoseAdministration):
    """The stock draw a dose was recorded with, if the clinic kept stock then."""
    try:
        return dose.stock_entry
    except ObjectDoesNotExist:
        return None


def observations(reading: VitalSigns) -> str:
    seen = [label for field, label in OBSERVATIONS if getattr(reading, field)]
    return ", ".join(seen) or "none"


def session_monitoring(session: MedicineSession) -> list[PartnerMonitoring]:
    """Each partner's part of the session, from four queries."""
    readings = list(
        VitalSigns.objects.filter(medicine_session=session)
        .select_related("recorded_by", "acknowledged_by")
        .order_by("taken_at")
    )
    doses = list(
        DoseAdministration.objects.filter(medicine_session=session)
        .select_related("given_by", "stock_entry__lot", "stock_entry__witness")
        .order_by("given_at")
    )
    events = list(AdverseEvent.objects.filter(medicine_session=session).order_by("occurred_at"))
    discharges = {
        d.partner_id: d
        for d in Discharge.objects.filter(medicine_session=session).select_related(
            "bp_signed_off_by", "recorded_by"
        )
    }
    return [
        PartnerMonitoring(
            partner=partner,
            readings=[r for r in readings if r.partner_id == partner.pk],
            doses=[d for d in doses if d.partner_id == partner.pk],
            adverse_events=[e for e in events if e.partner_id == partner.pk],
            discharge=discharges.get(partner.pk),
        )
        for partner in session.couple.partners.all()
    ]
