"""The audit log as CSV, a row at a time (an export can span millions of rows)."""

import csv
import datetime
from collections.abc import Iterable, Iterator

from kapcouples.models import AccessLog

HEADER = [
    "when",
    "person",
    "person email",
    "event",
    "record",
    "record type",
    "record id",
    "couple number",
    "partner number",
    "page",
    "from address",
    "detail",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _row(entry: AccessLog, zone: datetime.tzinfo) -> list[str]:
    user = entry.user
    values = [
        entry.at.astimezone(zone).isoformat(timespec="seconds"),
        user.full_name if user else "",
        user.email if user else "",
        entry.get_action_display(),
        entry.record_label,
        entry.object_type,
        entry.object_id,
        entry.couple_id,
        entry.partner_id,
        entry.path,
        entry.ip_address,
        entry.detail,
    ]
    return [_cell(value) for value in values]


def rows(entries: Iterable[AccessLog], *, zone: datetime.tzinfo) -> Iterator[str]:
    """CSV lines for `entries` (a queryset is read in chunks, not loaded whole)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    chunked = entries.iterator(chunk_size=2000) if hasattr(entries, "iterator") else entries
    for entry in chunked:
        yield writer.writerow(_row(entry, zone))
