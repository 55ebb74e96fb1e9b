"""Reads of private pages and refusals are recorded; changes are kept as history."""

from django.urls import reverse

from intake import services
from kapcouples.models import AccessLog


def partner_url(partner) -> str:
    return reverse("intake:partner_detail", kwargs={"partner_id": partner.pk})


def test_reading_a_partner_private_page_records_who_what_when_and_where(cast, client_for):
    client = client_for(cast.clinician)
    response = client.get(partner_url(cast.partner_a), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    entry = AccessLog.objects.get(action=AccessLog.Action.READ)
    assert entry.user == cast.clinician
    assert (entry.object_type, entry.object_id) == ("intake.Partner", str(cast.partner_a.pk))
    assert entry.clinic == cast.clinic
    assert entry.ip_address == "203.0.113.7"
    assert entry.at is not None


def test_the_client_address_comes_from_our_proxy_only_when_one_is_configured(
    cast, client_for, settings
):
    settings.KAP_TRUSTED_PROXY_COUNT = 1
    client = client_for(cast.partner_a.user)
    client.get(
        partner_url(cast.partner_a),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.44",
    )
    assert AccessLog.objects.get(action=AccessLog.Action.READ).ip_address == "192.0.2.44"


def test_a_refusal_is_recorded_with_the_reason(cast, client_for):
    client = client_for(cast.partner_b.user)
    assert client.get(partner_url(cast.partner_a)).status_code == 404
    entry = AccessLog.objects.get(action=AccessLog.Action.DENIED)
    assert entry.user == cast.partner_b.user
    assert entry.detail == "partner-private page"


def test_the_clinic_admin_sees_the_access_log_of_their_clinic_only(cast, client_for):
    client_for(cast.clinician).get(partner_url(cast.partner_a))
    client_for(cast.other_clinic_clinician).get(partner_url(cast.partner_a))
    page = client_for(cast.clinic_admin).get(reverse("audit_log")).content.decode()
    assert cast.clinician.full_name in page
    assert "Denied" in page  # the other clinic's attempt on our partner is filed here
    assert cast.clinic_admin.full_name not in page.split("<table")[1]


def test_a_change_to_a_partner_is_kept_in_history(cast):
    services.partner_update_contact(
        partner=cast.partner_a, by=cast.partner_a.user, changes={"phone": "+1 555 0199"}
    )
    history = cast.partner_a.history.order_by("history_date")
    assert history.count() == 2
    assert history.first().phone == ""
    assert history.last().phone == "+1 555 0199"
