"""The privacy canary: a marker in partner A's private conversation reaches A and the care
team, and no page that partner B, another couple, front desk or the clinic admin can open."""

import pytest
from django.urls import reverse

from integration.models import Reminder
from integration.rendering import render_reminder
from messaging import services
from tests.messaging.helpers import private_of_a, to_both

MARKER = "PRIVATE-MESSAGE-MARKER-5521"
SUBJECT = "SUBJECT-MARKER-5522"


@pytest.fixture
def planted(cast):
    """A's private conversation holds the markers (subject, A's words, a reply); a shared
    conversation and one of the other couple are there too, so the pages have rows."""
    private = private_of_a(cast, body=f"{MARKER} from A", subject=SUBJECT)
    services.message_post(conversation=private, by=cast.clinician, body=f"{MARKER} reply")
    shared = to_both(cast)
    services.conversation_start(
        couple=cast.other_couple,
        by=cast.other_partner.user,
        partner=cast.other_partner,
        subject="Other couple",
        body="Hello",
    )
    cast.private, cast.shared = private, shared
    return cast


def pages_anyone_might_open(cast) -> list[str]:
    couple = {"couple_id": cast.couple.pk}
    return [
        reverse("home"),
        reverse("portal"),
        reverse("desk_dashboard"),
        reverse("care_dashboard"),
        reverse("admin_dashboard"),
        reverse("integration:outbox"),
        reverse("integration:alerts_inbox"),
        reverse("intake:couple_detail", kwargs=couple),
        reverse("workspace:chart", kwargs=couple),
        reverse("messaging:conversation_list"),
        reverse("messaging:inbox"),
        reverse("messaging:conversation_start"),
        reverse("messaging:care_team_start", kwargs=couple),
        reverse("messaging:conversation", kwargs={"conversation_id": cast.private.pk}),
        reverse("messaging:conversation", kwargs={"conversation_id": cast.shared.pk}),
    ]


@pytest.mark.parametrize("viewer", ["partner_a", "clinician", "prescriber"])
def test_the_partner_and_the_care_team_read_the_private_conversation(planted, client_for, viewer):
    url = reverse("messaging:conversation", kwargs={"conversation_id": planted.private.pk})
    page = client_for(planted.user(viewer)).get(url).content.decode()
    assert MARKER in page and SUBJECT in page


@pytest.mark.parametrize(
    "viewer",
    [
        "partner_b",
        "other_partner",
        "front_desk",
        "clinic_admin",
        "clinician_outside",
        "other_clinic_clinician",
    ],
)
def test_the_marker_appears_in_no_page_the_others_can_open(planted, client_for, viewer):
    client = client_for(planted.user(viewer))
    for url in pages_anyone_might_open(planted):
        page = client.get(url, follow=True).content.decode()
        assert MARKER not in page and SUBJECT not in page, url


def test_partner_b_reads_the_shared_conversation_but_not_a_word_of_the_private_one(
    planted, client_for
):
    client = client_for(planted.partner_b.user)
    shared = reverse("messaging:conversation", kwargs={"conversation_id": planted.shared.pk})
    assert client.get(shared).status_code == 200
    listing = client.get(reverse("messaging:conversation_list")).content.decode()
    assert "Times" in listing and SUBJECT not in listing


def test_no_message_sent_about_the_conversation_carries_its_words(planted):
    reminders = Reminder.objects.select_related("partner", "staff_user", "clinic")
    assert reminders.filter(kind=Reminder.Kind.CONVERSATION_MESSAGE).exists()
    for reminder in reminders:
        assert (
            reminder.partner_id != planted.partner_b.pk or reminder.about_id != planted.private.pk
        )
        rendered = render_reminder(reminder)
        for part in (rendered.subject, rendered.text, rendered.html):
            assert MARKER not in part and SUBJECT not in part
