"""Scores and medicine sessions at given clinic days, and the SVG of one plot on a page."""

import datetime
import re
import xml.etree.ElementTree as ET

from sessions.models import Appointment, MedicineSession
from tests.intake.factories import QuestionnaireResponseFactory
from tests.sessions.factories import held, local

SVG = "{http://www.w3.org/2000/svg}"


def score(cast, partner, code: str, day: datetime.date, total: int):
    return QuestionnaireResponseFactory(
        partner=partner, code=code, total=total, band="", completed_at=local(cast, day, 12)
    )


def medicine_session(cast, day: datetime.date, *, started: bool = True) -> MedicineSession:
    appointment = held(cast, Appointment.Kind.MEDICINE, local(cast, day, 9), minutes=240)
    return MedicineSession.objects.create(
        appointment=appointment,
        couple=cast.couple,
        approach="dual_full",
        route="sublingual",
        status="completed" if started else "planned",
        started_at=local(cast, day, 9, 30) if started else None,
    )


def figure(html: str, key: str) -> str:
    """The HTML of the plot whose figure has id `key`."""
    found = re.search(rf'<figure[^>]*id="{re.escape(key)}".*?</figure>', html, re.DOTALL)
    assert found, f"no plot {key} on the page"
    return found.group(0)


def svg_of(html: str, key: str) -> ET.Element:
    """The plot's SVG, parsed as XML (it must be well-formed to parse)."""
    found = re.search(r"<svg.*?</svg>", figure(html, key), re.DOTALL)
    assert found, f"plot {key} has no SVG"
    return ET.fromstring(found.group(0))


def table_rows(html: str, key: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", figure(html, key), re.DOTALL).group(1)
    return [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]
