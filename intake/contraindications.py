"""The contraindication-relevant medical history items (DESIGN.md section 3) and their weight.

Absolute: the partner cannot be cleared at all. Relative: only a prescriber may clear,
with a reason (and usually conditions). The classification follows the ketamine and
esketamine labels' contraindications and warnings (aneurysmal vascular disease and
arteriovenous malformation, intracerebral haemorrhage, blood-pressure hazards) and
common KAP practice of excluding active psychosis/mania and pregnancy.
"""

from dataclasses import dataclass

ABSOLUTE = "absolute"
RELATIVE = "relative"


@dataclass(frozen=True)
class ContraindicationItem:
    key: str
    label: str
    weight: str  # ABSOLUTE or RELATIVE


ITEMS: tuple[ContraindicationItem, ...] = (
    ContraindicationItem(
        "cardiovascular_disease",
        "Cardiovascular disease (e.g. aneurysm, arteriovenous malformation, heart attack, "
        "stroke or brain bleed)",
        ABSOLUTE,
    ),
    ContraindicationItem("hypertension", "High blood pressure (hypertension)", RELATIVE),
    ContraindicationItem("psychosis_or_mania", "Psychosis or mania (now or in the past)", ABSOLUTE),
    ContraindicationItem(
        "substance_use",
        "Substance use problems, including ketamine or PCP (phencyclidine)",
        RELATIVE,
    ),
    ContraindicationItem(
        "pregnancy_or_breastfeeding", "Pregnant, possibly pregnant, or breastfeeding", ABSOLUTE
    ),
    ContraindicationItem("liver_disease", "Liver disease", RELATIVE),
    ContraindicationItem(
        "raised_intracranial_or_intraocular_pressure",
        "Raised pressure in the head or eyes (e.g. glaucoma, head injury)",
        RELATIVE,
    ),
    ContraindicationItem("hyperthyroidism", "Overactive thyroid (hyperthyroidism)", RELATIVE),
    ContraindicationItem("seizures", "Seizures or epilepsy", RELATIVE),
)
ITEMS_BY_KEY = {item.key: item for item in ITEMS}
KEYS = tuple(ITEMS_BY_KEY)


def present(findings: dict, weight: str) -> list[ContraindicationItem]:
    """The items of `weight` marked present in `findings` ({key: bool})."""
    return [item for item in ITEMS if item.weight == weight and findings.get(item.key)]
