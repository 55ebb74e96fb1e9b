"""The contraindication-relevant medical history items (DESIGN.md section 3) and their weight.

Absolute: the partner cannot be cleared at all. Relative: only a prescriber may clear,
with a reason (and usually conditions). The classification follows the ketamine and
esketamine labels' contraindications and warnings (aneurysmal vascular disease and
arteriovenous malformation, intracerebral haemorrhage, blood-pressure hazards) and
common KAP practice of excluding active psychosis/mania and pregnancy.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_noop

ABSOLUTE = "absolute"
RELATIVE = "relative"


@dataclass(frozen=True)
class ContraindicationItem:
    key: str
    label: str  # English; the partner's intake form shows it translated
    weight: str  # ABSOLUTE or RELATIVE


ITEMS: tuple[ContraindicationItem, ...] = (
    ContraindicationItem(
        "cardiovascular_disease",
        gettext_noop(
            "Cardiovascular disease (e.g. aneurysm, arteriovenous malformation, heart attack, "
            "stroke or brain bleed)"
        ),
        ABSOLUTE,
    ),
    ContraindicationItem(
        "hypertension", gettext_noop("High blood pressure (hypertension)"), RELATIVE
    ),
    ContraindicationItem(
        "psychosis_or_mania", gettext_noop("Psychosis or mania (now or in the past)"), ABSOLUTE
    ),
    ContraindicationItem(
        "substance_use",
        gettext_noop("Substance use problems, including ketamine or PCP (phencyclidine)"),
        RELATIVE,
    ),
    ContraindicationItem(
        "pregnancy_or_breastfeeding",
        gettext_noop("Pregnant, possibly pregnant, or breastfeeding"),
        ABSOLUTE,
    ),
    ContraindicationItem("liver_disease", gettext_noop("Liver disease"), RELATIVE),
    ContraindicationItem(
        "raised_intracranial_or_intraocular_pressure",
        gettext_noop("Raised pressure in the head or eyes (e.g. glaucoma, head injury)"),
        RELATIVE,
    ),
    ContraindicationItem(
        "hyperthyroidism", gettext_noop("Overactive thyroid (hyperthyroidism)"), RELATIVE
    ),
    ContraindicationItem("seizures", gettext_noop("Seizures or epilepsy"), RELATIVE),
)
ITEMS_BY_KEY = {item.key: item for item in ITEMS}
KEYS = tuple(ITEMS_BY_KEY)


def present(findings: dict, weight: str) -> list[ContraindicationItem]:
    """The items of `weight` marked present in `findings` ({key: bool})."""
    return [item for item in ITEMS if item.weight == weight and findings.get(item.key)]
