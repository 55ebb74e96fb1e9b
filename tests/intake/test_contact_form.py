"""The contact form: specific errors next to each field, and nothing typed is lost."""

import pytest
from django.urls import reverse


@pytest.fixture
def url(cast):
    return reverse("intake:partner_contact_edit", kwargs={"partner_id": cast.partner_a.pk})


def test_valid_details_are_saved(cast, client_for, url):
    client = client_for(cast.partner_a.user)
    response = client.post(
        url,
        {
            "phone": "+1 (555) 010-0200",
            "emergency_contact_name": "Jamie",
            "emergency_contact_phone": "555 010 0300",
            "preferred_channel": "sms",
            "timezone": "America/Chicago",
        },
    )
    assert response.status_code == 302
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.preferred_channel == "sms"
    assert cast.partner_a.timezone == "America/Chicago"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("phone", "call me maybe", "with 7 to 15 digits"),
        ("timezone", "Mars/Olympus", "is not a known time zone"),
        ("emergency_contact_name", "x" * 10_000, "at most 150 characters"),
        ("preferred_channel", "pigeon", "Select a valid choice"),
    ],
)
def test_bad_values_get_a_specific_error_and_keep_what_was_typed(
    field, value, message, cast, client_for, url
):
    data = {
        "phone": "555 010 0200",
        "emergency_contact_name": "Kept Name",
        "preferred_channel": "email",
        "timezone": "UTC",
        field: value,
    }
    response = client_for(cast.partner_a.user).post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "is-invalid" in page
    if field != "emergency_contact_name":
        assert "Kept Name" in page


def test_text_messages_need_a_phone_number(cast, client_for, url):
    response = client_for(cast.partner_a.user).post(
        url, {"phone": "", "preferred_channel": "sms", "timezone": "UTC"}
    )
    assert "Add a mobile number to receive text messages" in response.content.decode()


def test_markup_typed_by_a_partner_is_shown_escaped_to_the_clinician(cast, client_for, url):
    client_for(cast.partner_a.user).post(
        url,
        {
            "emergency_contact_name": "<script>alert(1)</script>",
            "preferred_channel": "email",
            "timezone": "UTC",
        },
    )
    page = client_for(cast.clinician).get(
        reverse("intake:partner_detail", kwargs={"partner_id": cast.partner_a.pk})
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert(1)</script>" not in page.content.decode()
