"""The staff partner page shows what the submitted intake holds (birth date, phone,
emergency contact): submitting copies them to the partner's record, with history."""

import datetime
import importlib

from django.apps import apps
from django.urls import reverse

from intake import services
from intake.models import Partner
from tests.intake.factories import IntakeFormFactory, complete_answers
from tests.portal import helpers


def test_submitting_the_intake_fills_the_partners_record_with_history(cast):
    helpers.submit_intake(cast.partner_a)
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    assert partner.date_of_birth == datetime.date(1985, 4, 30)
    assert partner.phone == "555 0100 100"
    assert (partner.emergency_contact_name, partner.emergency_contact_phone) == (
        "Pat Example",
        "555 0100 200",
    )
    assert partner.history.latest().phone == "555 0100 100"


def test_an_amendment_updates_the_record_and_keeps_the_earlier_value_in_history(cast):
    helpers.submit_intake(cast.partner_a)
    services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    about = {**complete_answers()["about"], "phone": "555 0199 999"}
    services.intake_save_step(
        partner=cast.partner_a, by=cast.partner_a.user, step="about", answers=about
    )
    services.intake_submit(
        partner=cast.partner_a, by=cast.partner_a.user, required_steps=list(complete_answers())
    )
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    assert partner.phone == "555 0199 999"
    phones = list(partner.history.order_by("history_date").values_list("phone", flat=True))
    assert "555 0100 100" in phones and phones[-1] == "555 0199 999"


def test_the_staff_partner_page_shows_the_birth_date_and_phone_the_intake_holds(cast, client_for):
    helpers.submit_intake(cast.partner_a)
    page = client_for(cast.clinician).get(
        reverse("intake:partner_detail", args=[cast.partner_a.pk])
    )
    html = page.content.decode()
    assert "555 0100 100" in html and "1985" in html and "Pat Example" in html


def test_the_migration_fills_partners_whose_intake_was_submitted_before(cast):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)  # written without the service
    assert Partner.objects.get(pk=cast.partner_a.pk).phone == ""
    migration = importlib.import_module("intake.migrations.0011_partner_details_from_intake")
    migration.fill(apps, None)
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    assert partner.phone == "555 0100 100"
    assert partner.date_of_birth == datetime.date(1985, 4, 30)
    assert partner.history.latest().history_change_reason == "Filled from the submitted intake"
