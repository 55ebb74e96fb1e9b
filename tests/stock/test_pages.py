"""The stock pages: who may open them, what they show, errors next to their fields, and a
fixed number of queries whatever the clinic's size."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kapcouples.models import AccessLog
from sessions import medicine
from stock import services
from stock.models import Lot, StockEntry
from tests.sessions.factories import started_session
from tests.sessions.record_helpers import vitals
from tests.stock.helpers import in_a_year, receive

LIST = reverse("stock:lot_list")
LOG = reverse("stock:log")
RECEIVE = reverse("stock:lot_receive")
WASTE = reverse("stock:waste_record")
CORRECT = reverse("stock:correction_record")


def denials(user) -> int:
    return AccessLog.objects.filter(user=user, action=AccessLog.Action.DENIED).count()


def waste(cast, lot, mg, at):
    return services.stock_waste(
        lot=lot,
        mg=Decimal(mg),
        witness=cast.prescriber,
        reason="Partial troche",
        by=cast.clinician,
        at=at,
    )


# --- The lots page ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["clinician", "prescriber", "clinic_admin"])
def test_the_clinics_clinical_staff_and_admin_see_its_lots_and_balances(cast, client_for, who):
    lot = receive(cast, "500", lot_number="K-OURS")
    waste(cast, lot, "20", None)
    receive(cast, clinic=cast.other_clinic, by=cast.other_clinic_clinician, lot_number="K-THEIRS")
    response = client_for(cast.user(who)).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "K-OURS" in page and "480.00 mg" in page
    assert "K-THEIRS" not in page
    assert AccessLog.objects.filter(user=cast.user(who), action="read", path=LIST).exists()


def test_the_lots_page_offers_each_action_only_to_who_may_take_it(cast, client_for):
    receive(cast)
    admin_page = client_for(cast.clinic_admin).get(LIST).content.decode()
    clinician_page = client_for(cast.clinician).get(LIST).content.decode()
    prescriber_page = client_for(cast.prescriber).get(LIST).content.decode()
    assert RECEIVE not in admin_page and WASTE not in admin_page
    assert RECEIVE in clinician_page and CORRECT not in clinician_page
    assert CORRECT in prescriber_page


@pytest.mark.parametrize("who", ["front_desk", "partner_a"])
@pytest.mark.parametrize("url", [LIST, LOG, RECEIVE, WASTE])
def test_front_desk_and_partners_are_refused_every_stock_page_and_logged(
    cast, client_for, who, url
):
    user = cast.user(who)
    before = denials(user)
    assert client_for(user).get(url).status_code == 403
    assert denials(user) == before + 1


def test_the_clinic_admin_reads_but_does_not_receive_or_waste(cast, client_for):
    client = client_for(cast.clinic_admin)
    assert client.get(RECEIVE).status_code == 403
    assert client.get(WASTE).status_code == 403
    assert client_for(cast.clinician).get(CORRECT).status_code == 403


@pytest.mark.parametrize("url", [LOG, WASTE])
def test_another_clinics_staff_get_a_logged_404_for_this_clinics_lot(cast, client_for, url):
    lot = receive(cast)
    user = cast.other_clinic_clinician
    before = denials(user)
    assert client_for(user).get(f"{url}?lot={lot.pk}").status_code == 404
    assert denials(user) == before + 1


# --- Receiving and waste through the pages ------------------------------------------------------
def receive_form(**changes) -> dict:
    return {
        "lot_number": "k-42",
        "form": "troche",
        "route": "sublingual",
        "strength": "100 mg/troche",
        "mg": "1000",
        "supplier": "Compounding Pharmacy Inc.",
        "invoice_reference": "INV-1",
        "expires_on": in_a_year().isoformat(),
    } | changes


def test_a_lot_received_on_the_page_lands_on_the_list(cast, client_for):
    response = client_for(cast.clinician).post(RECEIVE, receive_form())
    assert response.status_code == 302
    lot = Lot.objects.get()
    assert (lot.lot_number, lot.balance_mg, lot.clinic) == ("K-42", 1000, cast.clinic)


def test_bad_receipt_input_is_shown_next_to_each_field_and_kept(cast, client_for):
    response = client_for(cast.clinician).post(
        RECEIVE, receive_form(mg="0", expires_on="2025-02-30", supplier="")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"mg", "expires_on", "supplier"}
    assert form["lot_number"].value() == "k-42"
    assert not Lot.objects.exists()


def test_a_lot_number_received_twice_is_refused_next_to_the_field(cast, client_for):
    receive(cast, lot_number="K-42")
    response = client_for(cast.clinician).post(RECEIVE, receive_form())
    assert response.context["form"].errors["lot_number"] == ["Lot K-42 is already received here."]
    assert Lot.objects.count() == 1


def test_waste_above_the_balance_is_refused_next_to_the_quantity(cast, client_for):
    lot = receive(cast, "30", lot_number="K-3")
    client = client_for(cast.clinician)
    assert f'value="{lot.pk}" selected' in client.get(f"{WASTE}?lot={lot.pk}").content.decode()
    data = {"lot": lot.pk, "mg": "31", "witness": cast.prescriber.pk, "reason": "Dropped"}
    response = client.post(WASTE, data)
    assert response.status_code == 400
    assert "Lot K-3 holds only 30.00 mg" in response.context["form"].errors["mg"][0]
    assert StockEntry.objects.count() == 1


def test_the_waste_form_does_not_offer_the_recorder_as_witness(cast, client_for):
    receive(cast)
    form = client_for(cast.clinician).get(WASTE).context["form"]
    assert cast.clinician not in form.fields["witness"].queryset
    assert cast.prescriber in form.fields["witness"].queryset


def test_a_prescriber_corrects_a_balance_on_the_page(cast, client_for):
    lot = receive(cast, "30")
    data = {
        "lot": lot.pk,
        "kind": "correction_out",
        "mg": "2",
        "witness": cast.clinician.pk,
        "reason": "Count found 28 mg",
    }
    assert client_for(cast.prescriber).post(CORRECT, data).status_code == 302
    lot.refresh_from_db()
    assert lot.balance_mg == 28


# --- The printable log -------------------------------------------------------------------------
def day_at(cast, day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=cast.clinic.zone)


def log_url(start: datetime.date, end: datetime.date, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"from": start, "to": end, **extra}.items())
    return f"{LOG}?{query}"


def test_the_log_lists_the_entries_of_the_dates_with_running_balances(cast, client_for):
    monday = timezone.localdate(timezone=cast.clinic.zone) - datetime.timedelta(days=10)
    lot = receive(cast, "100", lot_number="K-LOG", at=day_at(cast, monday, 9))
    waste(cast, lot, "10", day_at(cast, monday + datetime.timedelta(days=1), 23))
    waste(cast, lot, "5", day_at(cast, monday + datetime.timedelta(days=2), 0))
    waste(cast, lot, "1", day_at(cast, monday + datetime.timedelta(days=3), 10))
    tuesday, wednesday = monday + datetime.timedelta(days=1), monday + datetime.timedelta(days=2)
    response = client_for(cast.clinic_admin).get(log_url(tuesday, wednesday))
    page = response.content.decode()
    rows = response.context["periods"][0].rows
    assert [(r.entry.signed_mg, r.entry.balance_after) for r in rows] == [(-10, 90), (-5, 85)]
    assert "Opening balance 100.00 mg" in page and "closing balance <strong>85.00 mg" in page
    assert page.count('data-testid="log-row"') == 2
    assert f"{tuesday:%d %b %Y} 23:00" in page  # clinic time, not UTC
    assert cast.prescriber.full_name in page  # the witness
    assert "stock/print.css" in page and 'media="print"' in page


def test_the_log_names_a_doses_session_and_partner_by_initials_only(cast, client_for):
    session = started_session(cast)
    lot = receive(cast, "500")
    vitals(cast, session, cast.partner_a)
    medicine.dose_record(
        session=session,
        partner=cast.partner_a,
        mg=Decimal("80"),
        by=cast.clinician,
        lot=lot,
        witness=cast.prescriber,
    )
    today = timezone.localdate(timezone=cast.clinic.zone)
    page = client_for(cast.clinician).get(log_url(today, today)).content.decode()
    partner = cast.partner_a
    initials = f"{partner.first_name[0]}{partner.last_name[0]}".upper()
    assert f"Session #{session.pk}, partner {initials}" in page
    assert partner.first_name not in page and partner.last_name not in page


def test_the_log_filtered_to_one_lot_shows_only_that_lot(cast, client_for):
    one = receive(cast, lot_number="K-ONE")
    receive(cast, lot_number="K-TWO")
    today = timezone.localdate(timezone=cast.clinic.zone)
    page = client_for(cast.clinician).get(log_url(today, today, lot=one.pk)).content.decode()
    assert "Lot K-ONE" in page and "Lot K-TWO" not in page


def test_another_clinics_staff_see_nothing_of_this_clinic_in_their_log(cast, client_for):
    receive(cast, lot_number="K-OURS")
    today = timezone.localdate(timezone=cast.clinic.zone)
    response = client_for(cast.other_clinic_clinician).get(log_url(today, today))
    assert response.context["periods"] == []
    assert "K-OURS" not in response.content.decode()


@pytest.mark.parametrize(
    "start,end,field,message",
    [
        ("2026-03-10", "2026-03-01", "to", "before the start date"),
        ("2024-01-01", "2026-01-01", "to", "at most 366 days"),
        ("2026-13-01", "2026-03-01", "from", "valid date"),
    ],
)
def test_a_bad_range_is_explained_next_to_its_field(cast, client_for, start, end, field, message):
    response = client_for(cast.clinician).get(f"{LOG}?from={start}&to={end}")
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert f'value="{start}"' in response.content.decode()


# --- A fixed number of queries ------------------------------------------------------------------
def _grow(cast, start: int, size: int) -> None:
    """`size` more lots, each with a witnessed waste and a correction, plus one dose drawn."""
    for n in range(start, start + size):
        lot = receive(cast, "100", lot_number=f"K-{n}")
        waste(cast, lot, "1", None)
        services.stock_adjust(
            lot=lot,
            kind="correction_in",
            mg=Decimal("1"),
            witness=cast.clinician,
            reason="Count",
            by=cast.prescriber,
        )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", ["lots", "log"])
def test_the_stock_pages_make_as_many_queries_on_a_bigger_clinic(
    cast, client_for, django_assert_max_num_queries, page
):
    today = timezone.localdate(timezone=cast.clinic.zone)
    url = LIST if page == "lots" else log_url(today, today)
    client = client_for(cast.clinician)
    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    _grow(cast, 0, 2)
    medicine.dose_record(
        session=session,
        partner=cast.partner_a,
        mg=Decimal("80"),
        by=cast.clinician,
        lot=Lot.objects.first(),
        witness=cast.prescriber,
    )
    client.get(url)  # first request: sessions and settings rows settle
    small = _count(client, url)
    _grow(cast, 2, 25)
    with django_assert_max_num_queries(12):
        large = _count(client, url)
    assert large == small


def test_the_session_record_asks_for_the_lot_in_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    """Two reads more than the record's own bound (17): the usable lots and the witnesses."""
    session = started_session(cast)
    url = reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})
    client = client_for(cast.clinician)
    _grow(cast, 0, 2)
    client.get(url)
    small = _count(client, url)
    _grow(cast, 2, 25)
    with django_assert_max_num_queries(20):  # with the navigation's unread-message count
        large = _count(client, url)
    assert large == small
    form = client.get(url).context["forms"]["dose"]
    assert len(form.fields["lot"].loaded) == 27
