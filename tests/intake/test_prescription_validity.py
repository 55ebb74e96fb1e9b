"""A prescription is valid on calendar days of the clinic's zone: one already over when it is
written is refused, and pages say what each one is today."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from intake import services
from intake.models import Prescription
from tests.intake.factories import PrescriptionFactory

# The clinic is in New York: 03:00 UTC on 1 Dec is still 30 Nov there, 06:00 UTC is 1 Dec.
EVENING_OF_30_NOV_IN_NEW_YORK = datetime.datetime(2026, 12, 1, 3, tzinfo=datetime.UTC)
EARLY_ON_1_DEC_IN_NEW_YORK = datetime.datetime(2026, 12, 1, 6, tzinfo=datetime.UTC)
NOV_30 = datetime.date(2026, 11, 30)


def write(cast, *, valid_until: datetime.date) -> Prescription:
    return services.prescription_create(
        partner=cast.partner_a,
        prescriber=cast.prescriber,
        route=Prescription.Route.SUBLINGUAL,
        single_dose_mg=Decimal("100"),
        valid_from=valid_until - datetime.timedelta(days=10),
        valid_until=valid_until,
    )


@time_machine.travel(EVENING_OF_30_NOV_IN_NEW_YORK, tick=False)
def test_a_prescription_ending_today_in_the_clinics_zone_is_accepted(cast):
    rx = write(cast, valid_until=NOV_30)
    assert rx.display_status(NOV_30) == "Active"


@time_machine.travel(EARLY_ON_1_DEC_IN_NEW_YORK, tick=False)
def test_a_prescription_already_over_in_the_clinics_zone_is_refused_next_to_its_field(cast):
    with pytest.raises(services.FieldError, match="already have expired") as refusal:
        write(cast, valid_until=NOV_30)
    assert refusal.value.field == "valid_until"
    assert not Prescription.objects.exists()


@time_machine.travel(EARLY_ON_1_DEC_IN_NEW_YORK, tick=False)
def test_the_form_shows_the_expiry_error_beside_the_field_and_keeps_what_was_typed(
    cast, client_for
):
    url = reverse("intake:prescription_create", kwargs={"partner_id": cast.partner_a.pk})
    data = {
        "route": "intranasal",
        "single_dose_mg": "87.5",
        "valid_from": "2026-11-01",
        "valid_until": "2026-11-30",
        "instructions": "Two sprays.",
    }
    response = client_for(cast.prescriber).post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "would already have expired" in page
    # crispy renders a field's errors inside the field's own wrapper
    wrapper = page[page.index('id="div_id_valid_until"') :][:1500]
    assert "would already have expired" in wrapper
    assert 'value="2026-11-30"' in page and 'value="87.5"' in page and "Two sprays." in page
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    "status,valid_from,valid_until,on,label",
    [
        ("active", "2026-11-01", "2026-12-31", "2026-11-30", "Active"),
        ("active", "2026-11-01", "2026-11-30", "2026-11-30", "Active"),
        ("active", "2026-11-01", "2026-11-29", "2026-11-30", "Expired"),
        ("active", "2026-12-03", "2027-03-01", "2026-11-30", "Starts on 3 Dec 2026"),
        ("expired", "2026-11-01", "2026-12-31", "2026-11-30", "Expired"),
        ("cancelled", "2026-11-01", "2026-12-31", "2026-11-30", "Cancelled"),
        ("cancelled", "2026-12-03", "2027-03-01", "2026-11-30", "Cancelled"),
    ],
)
def test_display_status_says_what_a_prescription_is_on_a_day(
    status, valid_from, valid_until, on, label
):
    rx = Prescription(
        status=status,
        valid_from=datetime.date.fromisoformat(valid_from),
        valid_until=datetime.date.fromisoformat(valid_until),
    )
    assert rx.display_status(datetime.date.fromisoformat(on)) == label


def screening_page(cast, client_for) -> str:
    url = reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_a.pk})
    return client_for(cast.user("partner_a")).get(url).content.decode()


def test_the_partners_page_labels_each_prescription_for_today(cast, client_for):
    with time_machine.travel(EVENING_OF_30_NOV_IN_NEW_YORK, tick=False):
        for valid_from, valid_until, status in [
            (datetime.date(2026, 11, 1), datetime.date(2026, 11, 29), "active"),
            (datetime.date(2026, 12, 3), datetime.date(2027, 3, 1), "active"),
            (datetime.date(2026, 11, 1), datetime.date(2026, 12, 31), "cancelled"),
        ]:
            PrescriptionFactory(
                partner=cast.partner_a,
                prescriber=cast.prescriber,
                valid_from=valid_from,
                valid_until=valid_until,
                status=status,
            )
        page = screening_page(cast, client_for)
    assert "Expired" in page and "Starts on 3 Dec 2026" in page and "Cancelled" in page
    assert ">Active<" not in page


def test_the_page_decides_active_or_expired_on_the_clinics_day(cast, client_for):
    PrescriptionFactory(
        partner=cast.partner_a,
        prescriber=cast.prescriber,
        valid_from=datetime.date(2026, 11, 1),
        valid_until=NOV_30,
    )
    with time_machine.travel(EVENING_OF_30_NOV_IN_NEW_YORK, tick=False):
        assert ">Active<" in screening_page(cast, client_for)
    with time_machine.travel(EARLY_ON_1_DEC_IN_NEW_YORK, tick=False):
        assert ">Expired<" in screening_page(cast, client_for)
