"""Audited models keep their history with a manager class built once per model."""

from django.apps import apps
from simple_history.manager import HistoryDescriptor, HistoryManager

from intake import services
from intake.models import Couple, Partner
from kapcouples.history import CachedHistoryDescriptor


def history_descriptors():
    for model in apps.get_models():
        for name, attribute in vars(model).items():
            if isinstance(attribute, HistoryDescriptor):
                yield model, name, attribute


def test_every_audited_model_and_m2m_history_uses_the_cached_descriptor():
    found = list(history_descriptors())
    assert len(found) >= 40
    plain = [f"{m.__name__}.{n}" for m, n, d in found if type(d) is not CachedHistoryDescriptor]
    assert plain == []
    assert ("HistoricalCouple", "care_team") in [(m.__name__, n) for m, n, _ in found]


def test_reading_history_twice_reuses_one_manager_class(cast):
    first, second = cast.partner_a.history, cast.partner_a.history
    assert first is not second
    assert type(first) is type(second)
    assert isinstance(first, HistoryManager)
    assert type(Partner.history) is type(first)


def test_an_instances_history_holds_only_its_own_rows(cast):
    services.partner_update_contact(
        partner=cast.partner_a, by=cast.partner_a.user, changes={"phone": "+1 555 0199"}
    )
    assert [h.phone for h in cast.partner_a.history.order_by("history_date")] == [
        "",
        "+1 555 0199",
    ]
    assert {h.id for h in cast.partner_b.history.all()} == {cast.partner_b.pk}
    assert Partner.history.filter(id=cast.partner_a.pk).count() == 2
    assert cast.partner_a.history.latest().history_type == "~"


def test_a_care_team_change_is_kept_in_the_couples_m2m_history(cast):
    couple = Couple.objects.get(pk=cast.couple.pk)
    before = couple.history.count()
    couple.care_team.remove(cast.clinician)
    assert couple.history.count() > before
    latest = couple.history.latest()
    assert cast.clinician.pk not in [row.user_id for row in latest.care_team.all()]
