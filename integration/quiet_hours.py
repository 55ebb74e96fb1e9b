"""Quiet hours in the recipient's own time zone (pure: no database)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


def is_quiet(local: time, start: time, end: time) -> bool:
    """Whether a local wall-clock time falls in [start, end), which may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def window_for(partner, *, clinic_start: time, clinic_end: time) -> tuple[time, time]:
    """The quiet hours that apply to `partner`: their own when they chose some, else the
    clinic's."""
    if partner.quiet_start is not None and partner.quiet_end is not None:
        return partner.quiet_start, partner.quiet_end
    return clinic_start, clinic_end


def _wall_clock(day, at: time, zone: ZoneInfo) -> datetime:
    # A wall-clock time inside a spring-forward gap does not exist; the UTC round
    # trip turns it into the real instant just after the gap.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone)


def move_out_of_quiet_hours(due_at: datetime, *, zone_name: str, start: time, end: time):
    """`due_at` if it is outside quiet hours, else the moment quiet hours end (DST-correct)."""
    zone = ZoneInfo(zone_name)
    local = due_at.astimezone(zone)
    if not is_quiet(local.time(), start, end):
        return due_at
    end_day = local.date()
    if start > end and local.time() >= start:
        end_day += timedelta(days=1)  # quiet hours that began this evening end tomorrow
    return _wall_clock(end_day, end, zone).astimezone(UTC)
