"""The clinic's protocol settings (DESIGN §4) and the pure rules computed from them."""

from decimal import ROUND_DOWN, Decimal

from kapcouples.models import Clinic
from kapcouples.prepared import PreparedSetting
from sessions.models import ProtocolSettings, VitalSigns


def protocol_for(clinic: Clinic | int) -> ProtocolSettings:
    """The clinic's protocol settings, created with the DESIGN §4 defaults on first use."""
    return _PROTOCOL(clinic if isinstance(clinic, int) else clinic.pk)


_PROTOCOL = PreparedSetting(ProtocolSettings)


def setting_row(clinic: Clinic, relation: str, make):
    """A one-row setting of `clinic` read with it (`select_related(relation)`), or `make`
    (its get-or-create) when the clinic has never used it."""
    found = getattr(clinic, relation, None)  # a missing reverse one-to-one reads as None
    return found if found is not None else make(clinic.pk)


def blood_pressure_level(protocol: ProtocolSettings, *, systolic: int, diastolic: int) -> str:
    """Hold at or above the hold threshold, caution at or above the caution one."""
    if systolic >= protocol.hold_systolic or diastolic >= protocol.hold_diastolic:
        return VitalSigns.Level.HOLD
    if systolic >= protocol.caution_systolic or diastolic >= protocol.caution_diastolic:
        return VitalSigns.Level.CAUTION
    return VitalSigns.Level.NORMAL


def dose_cap_mg(*, single_dose_mg: Decimal, share: int) -> Decimal:
    """The most one dosing partner may receive in a session: their own prescribed single
    dose times the share (solo and dual full 100 %, dual half 50 %, extended 25 %, or the
    plan's lower share). Rounded down, so the database's cap check always agrees."""
    return (single_dose_mg * Decimal(share) / Decimal(100)).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )
