"""The database has the last word: rows that break a screening rule cannot be written,
even by raw SQL that skips every service."""

import pytest
from django.db import IntegrityError, connection, transaction

from intake import contraindications
from intake.models import ContraindicationReview, IntakeForm
from tests.intake.factories import IntakeFormFactory, ReviewFactory

REVIEWS = ContraindicationReview._meta.db_table
INTAKES = IntakeForm._meta.db_table


def execute(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def not_cleared_with(partner, **findings) -> ContraindicationReview:
    return ReviewFactory(
        partner=partner,
        decision=ContraindicationReview.Decision.NOT_CLEARED,
        findings={**{key: False for key in contraindications.KEYS}, **findings},
    )


@pytest.mark.parametrize(
    "absolute", ["cardiovascular_disease", "psychosis_or_mania", "pregnancy_or_breastfeeding"]
)
@pytest.mark.parametrize("decision", ["cleared", "cleared_with_conditions"])
def test_an_update_clearing_a_review_with_an_absolute_item_is_refused(absolute, decision, cast):
    review = not_cleared_with(cast.partner_a, **{absolute: True})
    with pytest.raises(IntegrityError, match="review_absolute_never_cleared"):
        execute(
            f"UPDATE {REVIEWS} SET decision = %s, conditions = 'Watch closely' WHERE id = %s",
            [decision, review.pk],
        )
    review.refresh_from_db()
    assert review.decision == "not_cleared"


def test_an_insert_of_a_cleared_review_with_an_absolute_item_is_refused(cast):
    review = not_cleared_with(cast.partner_a, psychosis_or_mania=True)
    columns = [f.column for f in ContraindicationReview._meta.concrete_fields if f.column != "id"]
    chosen = ["'cleared'" if column == "decision" else column for column in columns]
    with pytest.raises(IntegrityError, match="review_absolute_never_cleared"):
        execute(
            f"INSERT INTO {REVIEWS} ({', '.join(columns)}) "
            f"SELECT {', '.join(chosen)} FROM {REVIEWS} WHERE id = %s",
            [review.pk],
        )
    assert ContraindicationReview.objects.count() == 1


def test_the_database_still_takes_a_clearance_with_only_relative_items_or_none(cast):
    review = not_cleared_with(cast.partner_a, hypertension=True)
    execute(f"UPDATE {REVIEWS} SET decision = 'cleared' WHERE id = %s", [review.pk])
    review.refresh_from_db()
    assert review.decision == "cleared"


def test_a_withdrawn_intake_needs_its_withdrawal_time(cast):
    draft = IntakeFormFactory(partner=cast.partner_a)
    with pytest.raises(IntegrityError, match="intake_withdrawn_has_time"):
        execute(f"UPDATE {INTAKES} SET status = 'withdrawn' WHERE id = %s", [draft.pk])


def test_only_a_withdrawn_intake_has_a_withdrawal_time(cast):
    draft = IntakeFormFactory(partner=cast.partner_a)
    with pytest.raises(IntegrityError, match="intake_withdrawn_has_time"):
        execute(f"UPDATE {INTAKES} SET withdrawn_at = now() WHERE id = %s", [draft.pk])


def test_a_submitted_intake_still_needs_its_submission_time(cast):
    submitted = IntakeFormFactory(partner=cast.partner_a, submitted=True)
    with pytest.raises(IntegrityError, match="intake_submitted_has_time"):
        execute(f"UPDATE {INTAKES} SET submitted_at = NULL WHERE id = %s", [submitted.pk])
