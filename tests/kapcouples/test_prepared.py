"""A read whose SQL the ORM builds once reads what its queryset reads, for any values."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from intake.models import Couple, Partner
from kapcouples import prepared
from kapcouples.prepared import (
    PreparedCount,
    PreparedRows,
    PreparedSetting,
    PreparedUpdate,
    hold_as_prefetched,
)


def _couples(shape, *, clinic_id, member_id):
    couples = Couple.objects.of_clinic(clinic_id).with_care_team_member(member_id)
    return couples.filter(status=Couple.Status.ACTIVE) if shape == "active" else couples


@pytest.mark.parametrize("shape", ["any", "active"])
def test_each_call_counts_with_its_own_values(cast, shape):
    counted = PreparedCount(_couples)
    Couple.objects.filter(pk=cast.couple.pk).update(primary_clinician=cast.clinician)
    seen = []
    for clinic, member in [
        (cast.clinic, cast.clinician),
        (cast.other_clinic, cast.other_clinic_clinician),
        (cast.clinic, cast.front_desk),
        (cast.other_clinic, cast.clinician),
    ]:
        ids = {"clinic_id": clinic.pk, "member_id": member.pk}
        seen.append(counted.count(shape, **ids))
        assert seen[-1] == _couples(shape, **ids).count()
    assert seen[0] >= (1 if shape == "any" else 0) and seen[2:] == [0, 0]


def test_a_value_the_sql_never_uses_is_refused():
    counted = PreparedCount(lambda shape, **ids: Couple.objects.filter(clinic_id=ids["clinic_id"]))
    with pytest.raises(ValueError, match="member_id"):
        counted.count("any", clinic_id=1, member_id=2)


def test_a_count_that_would_freeze_a_moment_is_refused(cast):
    counted = PreparedCount(
        lambda shape, **ids: Couple.objects.filter(
            clinic_id=ids["clinic_id"], created_at__lte=now()
        )
    )
    with pytest.raises(ValueError, match="frozen"):
        counted.count("any", clinic_id=cast.clinic.pk)


def _couples_created(shape, *, clinic_id, by):
    return Couple.objects.filter(clinic_id=clinic_id, created_at__lte=by).order_by("pk")


def test_a_moment_is_a_value_like_an_id(cast):
    prepared = PreparedRows(_couples_created)
    counted = PreparedCount(_couples_created)
    for by in [now() - timedelta(days=1), now(), now() + timedelta(days=1), now() - timedelta(1)]:
        expected = list(_couples_created(None, clinic_id=cast.clinic.pk, by=by))
        assert prepared.rows(None, clinic_id=cast.clinic.pk, by=by) == expected
        assert counted.count(None, clinic_id=cast.clinic.pk, by=by) == len(expected)
    assert prepared.rows(None, clinic_id=cast.clinic.pk, by=now()) != []
    assert prepared.rows(None, clinic_id=cast.clinic.pk, by=now() - timedelta(days=1)) == []


def test_a_moment_the_builder_works_out_itself_is_refused(cast):
    prepared = PreparedRows(
        lambda shape, clinic_id, by: _couples_created(shape, clinic_id=clinic_id, by=by).filter(
            created_at__gte=by - timedelta(hours=6)
        )
    )
    with pytest.raises(ValueError, match="frozen"):
        prepared.rows(None, clinic_id=cast.clinic.pk, by=now())


def _partners(shape, *, couple_id):
    partners = Partner.objects.filter(couple_id=couple_id).select_related("couple__clinic")
    partners = partners.annotate(clinic_rooms=Count("couple__clinic__rooms"))
    return partners.values_list("pk", flat=True) if shape == "ids" else partners.order_by("slot")


def test_each_read_returns_the_rows_its_queryset_returns_for_its_own_values(cast):
    prepared = PreparedRows(_partners)
    for couple in [cast.couple, cast.other_couple, cast.couple]:
        expected = list(_partners("rows", couple_id=couple.pk))
        with CaptureQueriesContext(connection) as queries:
            found = prepared.rows("rows", couple_id=couple.pk)
        assert len(queries) == 1
        assert found == expected and found
        for row, twin in zip(found, expected, strict=True):
            assert row.first_name == twin.first_name
            assert row.clinic_rooms == twin.clinic_rooms
            # the related rows came with the row: reading them asks nothing more
            with CaptureQueriesContext(connection) as more:
                assert row.couple.clinic.name == twin.couple.clinic.name
            assert len(more) == 0
    ids = prepared.rows("ids", couple_id=cast.other_couple.pk)
    assert sorted(ids) == sorted(p.pk for p in cast.other_couple.partners.all())


def test_a_prepared_read_follows_the_rows_as_they_change(cast):
    prepared = PreparedRows(_partners)
    before = prepared.rows("rows", couple_id=cast.couple.pk)
    Partner.objects.filter(pk=before[0].pk).update(first_name="Renamed")
    after = prepared.rows("rows", couple_id=cast.couple.pk)
    assert after[0].first_name == "Renamed" and before[0].first_name != "Renamed"


def test_a_related_managers_queryset_is_refused(cast):
    prepared = PreparedRows(lambda shape, **ids: cast.couple.partners.filter(pk__gt=ids["low"]))
    with pytest.raises(ValueError, match="related manager"):
        prepared.rows("any", low=0)


def test_only_ids_are_prepared(cast):
    prepared = PreparedRows(lambda shape, **values: Partner.objects.filter(**values))
    with pytest.raises(TypeError, match="'Ana' is neither an id, a list of ids nor a moment"):
        prepared.rows("any", first_name="Ana")


def _of_partners(shape, *, partner_ids, couple_id):
    return Partner.objects.filter(pk__in=partner_ids, couple_id=couple_id).order_by("pk")


def test_a_list_of_ids_is_read_at_each_length_with_its_own_ids(cast):
    prepared = PreparedRows(_of_partners)
    mine = sorted(p.pk for p in cast.couple.partners.all())
    theirs = [cast.other_partner.pk]
    for ids, couple in [
        (mine, cast.couple),
        (theirs, cast.other_couple),
        (mine[::-1], cast.couple),
        (theirs + mine, cast.couple),
        (mine + mine, cast.couple),
        (mine, cast.other_couple),
    ]:
        found = prepared.rows(None, partner_ids=ids, couple_id=couple.pk)
        assert found == list(_of_partners(None, partner_ids=ids, couple_id=couple.pk))
    assert [p.pk for p in prepared.rows(None, partner_ids=mine, couple_id=cast.couple.pk)] == mine


def test_an_empty_list_reads_nothing_without_sql(cast):
    prepared = PreparedRows(_of_partners)
    with CaptureQueriesContext(connection) as queries:
        assert prepared.rows(None, partner_ids=[], couple_id=cast.couple.pk) == []
    assert len(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_a_read_prepared_in_one_thread_runs_on_each_threads_own_connection(cast):
    prepared = PreparedRows(_partners)
    assert len(prepared.rows("rows", couple_id=cast.couple.pk)) == 2
    found = []

    def read():
        try:
            found.append(len(prepared.rows("rows", couple_id=cast.couple.pk)))
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert found == [2]


def test_past_the_most_shapes_the_compiled_ones_are_forgotten_and_reads_stay_right(
    cast, monkeypatch
):
    monkeypatch.setattr(prepared, "MOST_SHAPES", 2)
    reads = PreparedRows(lambda shape, couple_id: _partners("rows", couple_id=couple_id)[:shape])
    for limit in [1, 2, 3, 1, 2]:
        found = reads.rows(limit, couple_id=cast.couple.pk)
        assert found == list(_partners("rows", couple_id=cast.couple.pk)[:limit])
        assert len(reads._compiled) <= 2


def test_a_clinic_setting_is_each_clinics_own_row_read_fresh_in_one_query(cast):
    from intake.models import ScreeningSettings

    setting = PreparedSetting(ScreeningSettings)
    assert setting(cast.clinic.pk).clinic_id == cast.clinic.pk
    assert setting(cast.other_clinic.pk).clinic_id == cast.other_clinic.pk
    ScreeningSettings.objects.filter(clinic=cast.clinic).update(cssrs_valid_days=3)
    with CaptureQueriesContext(connection) as queries:
        assert setting(cast.clinic.pk).cssrs_valid_days == 3
    assert len(queries) == 1


def test_a_clinic_without_its_setting_row_gets_one_with_the_defaults(cast):
    from intake.models import ScreeningSettings

    with connection.cursor() as cursor:  # a clinic made before the settings model existed
        cursor.execute(
            "DELETE FROM intake_screeningsettings WHERE clinic_id = %s", [cast.other_clinic.pk]
        )
    made = PreparedSetting(ScreeningSettings)(cast.other_clinic.pk)
    default = ScreeningSettings._meta.get_field("cssrs_valid_days").default
    assert made.pk is not None and made.cssrs_valid_days == default
    assert ScreeningSettings.objects.filter(clinic=cast.other_clinic).count() == 1


def _statements_on_this_connection() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_a_read_is_prepared_on_the_server_once_per_connection_and_run_by_execute(cast):
    prepared = PreparedRows(_partners)
    first = prepared.rows("rows", couple_id=cast.couple.pk)
    (compiled,) = prepared._compiled.values()
    assert compiled.name in _statements_on_this_connection()
    with CaptureQueriesContext(connection) as queries:
        again = prepared.rows("rows", couple_id=cast.other_couple.pk)
    assert [q["sql"].split("(")[0] for q in queries] == [f"EXECUTE {compiled.name}"]
    assert [p.pk for p in first] == [p.pk for p in _partners("rows", couple_id=cast.couple.pk)]
    assert [p.pk for p in again] == [
        p.pk for p in _partners("rows", couple_id=cast.other_couple.pk)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_read_again(cast):
    counted = PreparedCount(_couples)
    ids = {"clinic_id": cast.clinic.pk, "member_id": cast.clinician.pk}
    expected = _couples("any", **ids).count()
    assert counted.count("any", **ids) == expected
    (compiled,) = counted._compiled.values()
    connection.close()  # e.g. past CONN_MAX_AGE
    assert compiled.name not in _statements_on_this_connection()
    assert counted.count("any", **ids) == expected
    assert counted.count("any", **ids) == expected
    assert compiled.name in _statements_on_this_connection()


def test_a_statement_prepared_in_a_rolled_back_transaction_is_still_there(cast):
    from django.db import transaction

    prepared = PreparedRows(_partners)
    with pytest.raises(RuntimeError), transaction.atomic():
        prepared.rows("rows", couple_id=cast.couple.pk)
        raise RuntimeError("rolled back")
    (compiled,) = prepared._compiled.values()
    assert compiled.name in _statements_on_this_connection()
    assert len(prepared.rows("rows", couple_id=cast.couple.pk)) == cast.couple.partners.count()


def test_without_server_side_statements_the_sql_runs_as_it_is(cast, settings):
    settings.KAP_SERVER_PREPARED_STATEMENTS = False
    prepared = PreparedRows(_partners)
    with CaptureQueriesContext(connection) as queries:
        found = prepared.rows("rows", couple_id=cast.couple.pk)
    assert queries[0]["sql"].startswith("SELECT") and len(found) == 2


def test_rows_held_as_prefetched_answer_all_without_sql_and_narrower_reads_with_it(cast):
    couple = Couple.objects.get(pk=cast.couple.pk)
    rows = list(Partner.objects.filter(couple=couple))
    hold_as_prefetched(couple, "partners", rows)
    with CaptureQueriesContext(connection) as read:
        held = list(couple.partners.all())
        assert all(partner.couple is couple for partner in held)
    assert held == rows and len(read) == 0
    with CaptureQueriesContext(connection) as read:
        assert list(couple.partners.filter(slot=2)) == [cast.partner_b]
    assert len(read) == 1


def _rename(shape, *, couple_id, partner_id=None, phone):
    partners = Partner.objects.filter(couple_id=couple_id)
    if shape == "one":
        partners = partners.filter(pk=partner_id)
    return partners, {"phone": str(phone)}


def test_a_prepared_update_changes_the_rows_its_queryset_picks_for_its_own_values(cast):
    with pytest.raises(TypeError):  # a text is no id: the phone number cannot be a value
        PreparedUpdate(_rename).update("all", couple_id=cast.couple.pk, phone="+1 555 0100")
    renumber = PreparedUpdate(
        lambda shape, couple_id, partner_id=None: _rename(
            shape, couple_id=couple_id, partner_id=partner_id, phone="+1 555 0100"
        )
    )
    history_before = Partner.history.count()
    others = Partner.objects.filter(couple=cast.other_couple).count()
    with CaptureQueriesContext(connection) as queries:
        assert renumber.update("one", couple_id=cast.couple.pk, partner_id=cast.partner_b.pk) == 1
        assert renumber.update("all", couple_id=cast.other_couple.pk) == others >= 1
        assert (
            renumber.update("one", couple_id=cast.other_couple.pk, partner_id=cast.partner_a.pk)
            == 0
        )
    assert len(queries) == 3
    phones = dict(Partner.objects.values_list("pk", "phone"))
    assert phones[cast.partner_b.pk] == "+1 555 0100"
    assert phones[cast.partner_a.pk] != "+1 555 0100"
    assert all(phones[p.pk] == "+1 555 0100" for p in cast.other_couple.partners.all())
    assert Partner.history.count() == history_before  # as `update()`: no history rows


def test_a_reads_constants_are_written_into_its_statement_and_its_values_are_parameters(cast):
    """The server's plan knows the query's own constants (so it can keep one plan); a
    constant holding a quote and a percent sign is quoted as in any query."""
    odd = "O'Hara 100%"
    Partner.objects.filter(pk=cast.partner_a.pk).update(last_name=odd)
    prepared = PreparedRows(
        lambda _shape, couple_id: Partner.objects.filter(couple_id=couple_id, last_name=odd)
    )
    assert [p.pk for p in prepared.rows(None, couple_id=cast.couple.pk)] == [cast.partner_a.pk]
    assert prepared.rows(None, couple_id=cast.other_couple.pk) == []
    (compiled,) = prepared._compiled.values()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, parameter_types::text[] FROM pg_prepared_statements WHERE name = %s",
            [compiled.name],
        )
        statement, types = cursor.fetchone()
    assert types == ["bigint"]
    assert "= 'O''Hara 100%'" in statement
