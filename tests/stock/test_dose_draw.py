"""Where the clinic keeps stock, each dose is drawn from a lot with a witness, in the dose's
own transaction; where it keeps none, a dose is recorded exactly as before."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from kapcouples.models import Role
from sessions import medicine
from sessions.forms import DoseForm
from sessions.models import DoseAdministration
from stock.models import StockEntry
from tests.factories import StaffFactory
from tests.sessions.factories import started_session
from tests.sessions.record_helpers import vitals
from tests.stock.helpers import expire_yesterday, receive, stock_state


@pytest.fixture
def session(cast):
    """A dual full-dose sublingual session in progress; Alexa has a fresh reading."""
    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    return session


def dose(cast, session, mg="80", **stock):
    return medicine.dose_record(
        session=session, partner=cast.partner_a, mg=Decimal(mg), by=cast.clinician, **stock
    )


def refused_on(field: str, match: str, call) -> None:
    """`call()` is refused with a message for `field`; no dose and no stock row written."""
    before = stock_state(), DoseAdministration.objects.count()
    with pytest.raises(medicine.InvalidFields) as error:
        call()
    assert match in error.value.errors[field]
    assert (stock_state(), DoseAdministration.objects.count()) == before


def test_a_clinic_keeping_no_stock_records_a_dose_as_before(cast, session):
    given = dose(cast, session)
    assert given.mg == 80
    assert not StockEntry.objects.exists()
    assert {"lot", "witness"}.isdisjoint(DoseForm(session=session).fields)


def test_a_dose_is_drawn_from_the_lot_chosen_with_its_witness(cast, session):
    lot = receive(cast, "500", lot_number="K-1")
    given = dose(cast, session, lot=lot, witness=cast.prescriber)
    lot.refresh_from_db()
    assert lot.balance_mg == 420
    entry = given.stock_entry
    assert (entry.kind, entry.mg, entry.balance_after) == ("dispensed", 80, 420)
    assert (entry.recorded_by, entry.witness, entry.occurred_at) == (
        cast.clinician,
        cast.prescriber,
        given.given_at,
    )


def test_once_the_clinic_keeps_stock_a_dose_needs_a_lot(cast, session):
    receive(cast)
    refused_on("lot", "Choose the lot", lambda: dose(cast, session, witness=cast.prescriber))


def test_a_dose_from_stock_needs_a_witness_other_than_the_recorder(cast, session):
    lot = receive(cast)
    refused_on("witness", "Name the clinician", lambda: dose(cast, session, lot=lot))
    refused_on(
        "witness",
        "someone other than you",
        lambda: dose(cast, session, lot=lot, witness=cast.clinician),
    )


def test_a_lot_with_too_little_left_is_refused_naming_the_lot_and_its_balance(cast, session):
    lot = receive(cast, "50", lot_number="K-5")
    refused_on(
        "lot",
        "Lot K-5 holds only 50.00 mg: 80 mg cannot be taken",
        lambda: dose(cast, session, lot=lot, witness=cast.prescriber),
    )


def test_an_expired_lot_is_refused(cast, session):
    lot = receive(cast, lot_number="K-6")
    expire_yesterday(cast, lot)
    refused_on(
        "lot", "Lot K-6 expired on", lambda: dose(cast, session, lot=lot, witness=cast.prescriber)
    )


def test_another_clinics_lot_is_refused_without_naming_it(cast, session):
    receive(cast)
    theirs = receive(cast, clinic=cast.other_clinic, by=cast.other_clinic_clinician, lot_number="X")
    refused_on(
        "lot",
        "not one of this clinic's",
        lambda: dose(cast, session, lot=theirs, witness=cast.prescriber),
    )


def test_a_lot_for_another_route_is_refused(cast, session):
    vial = receive(cast, route="intramuscular", lot_number="IM-1")
    refused_on(
        "lot",
        "is for intramuscular use",
        lambda: dose(cast, session, lot=vial, witness=cast.prescriber),
    )


def test_the_dose_path_never_takes_a_lot_below_zero(cast, session):
    lot = receive(cast, "100", lot_number="K-8")
    dose(cast, session, "80", lot=lot, witness=cast.prescriber)
    vitals(cast, session, cast.partner_b)
    refused_on(
        "lot",
        "Lot K-8 holds only 20.00 mg",
        lambda: medicine.dose_record(
            session=session,
            partner=cast.partner_b,
            mg=Decimal("80"),
            by=cast.clinician,
            lot=lot,
            witness=cast.prescriber,
        ),
    )
    lot.refresh_from_db()
    assert lot.balance_mg == 20


def test_a_drawn_entry_without_its_witness_is_refused_by_the_database(cast, session):
    dose(cast, session, lot=receive(cast), witness=cast.prescriber)
    entry = StockEntry.objects.get(kind="dispensed")
    with (
        pytest.raises(IntegrityError, match="stock_entry_witness_when_required"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Rows are never updated (a trigger refuses it): write the draw again, unwitnessed.
        table = StockEntry._meta.db_table
        columns = "lot_id, kind, mg, balance_after, occurred_at, recorded_at, recorded_by_id"
        cursor.execute(
            f"INSERT INTO {table} ({columns}, witness_id, reason, dose_id) "
            f"SELECT {columns}, NULL, reason, dose_id FROM {table} WHERE id = %s",
            [entry.pk],
        )


# --- The dose form on the session record -------------------------------------------------------
def test_the_dose_form_offers_only_this_clinics_usable_lots_for_the_route(cast, session):
    usable = receive(cast, lot_number="K-OK")
    receive(cast, route="intramuscular", lot_number="IM-1")
    empty = receive(cast, "10", lot_number="K-EMPTY")
    medicine_waste_all(cast, empty)
    expired = receive(cast, lot_number="K-OLD")
    expire_yesterday(cast, expired)
    receive(cast, clinic=cast.other_clinic, by=cast.other_clinic_clinician, lot_number="THEIRS")
    form = DoseForm(session=session)
    assert [lot.lot_number for lot in form.fields["lot"].loaded] == [usable.lot_number]
    witnesses = {user.pk for user in form.fields["witness"].loaded}
    assert witnesses == {cast.clinician.pk, cast.prescriber.pk, cast.clinician_outside.pk}


def medicine_waste_all(cast, lot):
    from stock import services

    services.stock_waste(
        lot=lot, mg=lot.balance_mg, witness=cast.prescriber, reason="Damaged", by=cast.clinician
    )


def _post_dose(client, session, **fields):
    url = reverse("clinic_sessions:dose_add", kwargs={"session_id": session.pk})
    data = {f"dose-{name}": value for name, value in fields.items()}
    return client.post(url, data)


def test_the_page_shows_a_draw_refusal_next_to_the_lot_and_keeps_what_was_typed(
    cast, session, client_for
):
    lot = receive(cast, "50", lot_number="K-5")
    response = _post_dose(
        client_for(cast.clinician),
        session,
        partner=cast.partner_a.pk,
        mg="80",
        lot=lot.pk,
        witness=cast.prescriber.pk,
    )
    assert response.status_code == 400
    form = response.context["forms"]["dose"]
    assert "Lot K-5 holds only 50.00 mg" in form.errors["lot"][0]
    assert form["mg"].value() == "80"
    assert "Lot K-5 holds only 50.00 mg" in response.content.decode()
    assert not DoseAdministration.objects.exists()


def test_the_page_asks_for_the_lot_and_witness_when_they_are_missing(cast, session, client_for):
    receive(cast)
    response = _post_dose(client_for(cast.clinician), session, partner=cast.partner_a.pk, mg="80")
    form = response.context["forms"]["dose"]
    assert form.errors["lot"] == ["Choose the lot this dose is drawn from."]
    assert form.errors["witness"] == ["Name the clinician or prescriber who witnessed it."]


def test_an_expired_lot_posted_gets_its_own_message_not_a_bare_invalid_choice(
    cast, session, client_for
):
    lot = receive(cast, lot_number="K-OLD")
    expire_yesterday(cast, lot)
    response = _post_dose(
        client_for(cast.clinician),
        session,
        partner=cast.partner_a.pk,
        mg="80",
        lot=lot.pk,
        witness=cast.prescriber.pk,
    )
    assert "Lot K-OLD expired on" in response.context["forms"]["dose"].errors["lot"][0]


def test_the_page_records_a_dose_drawn_from_stock(cast, session, client_for):
    lot = receive(cast, "500")
    response = _post_dose(
        client_for(cast.clinician),
        session,
        partner=cast.partner_a.pk,
        mg="80",
        lot=lot.pk,
        witness=cast.prescriber.pk,
    )
    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.balance_mg == 420


def test_a_new_clinician_can_witness_at_once(cast, session):
    newcomer = StaffFactory(clinic=cast.clinic, role=Role.PRESCRIBER)
    given = dose(cast, session, lot=receive(cast), witness=newcomer)
    assert given.stock_entry.witness == newcomer
