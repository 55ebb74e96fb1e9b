"""The conversation pages: a partner writes and reads on their own conversations, the care
team answers from the inbox or the couple page; bad input keeps what was typed."""

import pytest
from django.urls import reverse

from intake import services as intake_services
from intake.models import ScreeningSettings
from kapcouples.models import AccessLog
from messaging import services
from messaging.models import Conversation, Message
from tests.messaging.helpers import private_of_a, to_both


def conversation_url(conversation) -> str:
    return reverse("messaging:conversation", kwargs={"conversation_id": conversation.pk})


@pytest.fixture
def crisis_numbers(cast):
    ScreeningSettings.objects.filter(clinic=cast.clinic).update(
        clinic_phone="+1 555 0199", crisis_line="988 Lifeline"
    )


def test_a_partner_starts_a_private_conversation_and_lands_on_it(cast, client_for):
    client = client_for(cast.partner_a.user)
    page = client.get(reverse("messaging:conversation_start")).content.decode()
    assert "Only me and my care team" in page and "Both of us and our care team" in page
    assert "your partner never sees it" in page
    response = client.post(
        reverse("messaging:conversation_start"),
        {"audience": "me", "subject": "Sleep", "body": "I sleep badly since Tuesday"},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == conversation_url(conversation)
    assert conversation.partner == cast.partner_a
    assert "I sleep badly since Tuesday" in client.get(response["Location"]).content.decode()


def test_a_partner_writing_to_both_makes_a_shared_conversation(cast, client_for):
    client = client_for(cast.partner_a.user)
    client.post(
        reverse("messaging:conversation_start"),
        {"audience": "both", "subject": "Times", "body": "Can we move Thursday?"},
    )
    conversation = Conversation.objects.get()
    assert conversation.partner is None
    page = client_for(cast.partner_b.user).get(conversation_url(conversation))
    assert "Can we move Thursday?" in page.content.decode()


def test_a_blank_message_is_refused_next_to_its_field_keeping_the_subject(cast, client_for):
    client = client_for(cast.partner_a.user)
    response = client.post(
        reverse("messaging:conversation_start"),
        {"audience": "me", "subject": "Kept subject", "body": "   "},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Write your message before sending." in page and "Kept subject" in page
    assert not Conversation.objects.exists()


def test_a_message_too_long_is_refused_and_every_character_typed_is_kept(cast, client_for):
    conversation = private_of_a(cast)
    typed = "word " * 1000 + "THE-END"
    response = client_for(cast.partner_a.user).post(conversation_url(conversation), {"body": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Keep your message to 5000 characters; this one has 5007" in page
    assert "THE-END" in page and 'maxlength="5000"' not in page
    assert conversation.messages.count() == 1


def test_a_partner_who_writes_urgent_words_sees_the_crisis_line_at_once(
    cast, client_for, crisis_numbers
):
    conversation = private_of_a(cast)
    response = client_for(cast.partner_a.user).post(
        conversation_url(conversation), {"body": "I want to end my life"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == conversation_url(conversation)
    assert "Your care team has been alerted" in page
    assert "+1 555 0199" in page and "988 Lifeline" in page


def test_an_ordinary_message_shows_no_alarm_only_the_quiet_note(cast, client_for, crisis_numbers):
    conversation = private_of_a(cast)
    response = client_for(cast.partner_a.user).post(
        conversation_url(conversation), {"body": "Thank you"}, follow=True
    )
    page = response.content.decode()
    assert "Your care team has been alerted" not in page
    assert "Messages are read during clinic hours" in page and "988 Lifeline" in page


def test_the_other_partner_is_not_shown_the_alarm_of_a_shared_message(
    cast, client_for, crisis_numbers
):
    conversation = to_both(cast, by=cast.partner_a.user)
    client_for(cast.partner_a.user).post(conversation_url(conversation), {"body": "suicide"})
    page = client_for(cast.partner_b.user).get(conversation_url(conversation)).content.decode()
    assert "Your care team has been alerted" not in page
    assert "alert raised" not in page


def test_the_care_team_sees_that_urgent_words_raised_an_alert(cast, client_for):
    conversation = private_of_a(cast, body="I took an overdose")
    page = client_for(cast.clinician).get(conversation_url(conversation)).content.decode()
    assert "Urgent words: alert raised" in page


def test_the_clinician_replies_and_the_partner_reads_it(cast, client_for):
    conversation = private_of_a(cast)
    clinician = client_for(cast.clinician)
    response = clinician.post(conversation_url(conversation), {"body": "Let us talk on Friday"})
    assert response.status_code == 302
    page = client_for(cast.partner_a.user).get(conversation_url(conversation)).content.decode()
    assert "Let us talk on Friday" in page and "Casey Clinician, care team" in page


@pytest.mark.parametrize(
    "who,status",
    [
        ("partner_b", 404),
        ("other_partner", 404),
        ("front_desk", 403),
        ("clinic_admin", 403),
        ("clinician_outside", 404),
        ("other_clinic_clinician", 404),
    ],
)
def test_a_private_conversation_is_refused_to_everyone_else_and_logged(
    cast, client_for, who, status
):
    conversation = private_of_a(cast)
    client = client_for(cast.user(who))
    assert client.get(conversation_url(conversation)).status_code == status
    assert client.post(conversation_url(conversation), {"body": "hi"}).status_code == status
    assert conversation.messages.count() == 1
    assert AccessLog.objects.filter(action="denied", user=cast.user(who)).count() == 2


def test_break_the_glass_opens_the_conversation_to_a_clinician_off_the_team(cast, client_for):
    conversation = private_of_a(cast)
    intake_services.break_glass_grant(
        user=cast.clinician_outside,
        couple=cast.couple,
        reason="On call tonight, the primary clinician is away",
        path="/",
        ip_address=None,
    )
    response = client_for(cast.clinician_outside).get(conversation_url(conversation))
    assert response.status_code == 200


def test_a_staff_read_of_a_conversation_is_audited(cast, client_for):
    conversation = private_of_a(cast)
    client_for(cast.prescriber).get(conversation_url(conversation))
    read = AccessLog.objects.get(action="read", user=cast.prescriber)
    assert read.object_type == "messaging.Conversation"
    assert (read.couple_id, read.partner_id) == (cast.couple.pk, cast.partner_a.pk)


def test_the_care_team_writes_privately_to_one_partner_from_the_couple_page(cast, client_for):
    client = client_for(cast.clinician)
    url = reverse("messaging:care_team_start", kwargs={"couple_id": cast.couple.pk})
    page = client.get(url).content.decode()
    assert "Only Bobbie (private from their partner)" in page
    response = client.post(
        url, {"to": str(cast.partner_b.pk), "subject": "Your dose", "body": "A word about it"}
    )
    conversation = Conversation.objects.get()
    assert response["Location"] == conversation_url(conversation)
    assert conversation.partner == cast.partner_b
    assert client_for(cast.partner_a.user).get(conversation_url(conversation)).status_code == 404


def test_a_clinician_off_the_team_cannot_write_to_the_couple(cast, client_for):
    url = reverse("messaging:care_team_start", kwargs={"couple_id": cast.couple.pk})
    client = client_for(cast.clinician_outside)
    assert client.get(url).status_code == 404
    assert client.post(url, {"to": "both", "subject": "x", "body": "y"}).status_code == 404
    assert not Conversation.objects.exists()


def test_the_couple_page_lists_its_conversations_for_the_care_team_only(cast, client_for):
    private_of_a(cast, subject="Sleep since Tuesday")
    couple_url = reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})
    page = client_for(cast.clinician).get(couple_url).content.decode()
    assert "Sleep since Tuesday" in page and "Private to Alexa" in page
    desk = client_for(cast.front_desk).get(couple_url).content.decode()
    assert "Sleep since Tuesday" not in desk and "Secure messages" not in desk


def test_the_partner_list_shows_own_and_shared_conversations_with_new_counts(cast, client_for):
    private = private_of_a(cast, subject="Mine alone")
    services.message_post(conversation=private, by=cast.clinician, body="Reply")
    to_both(cast)
    page = client_for(cast.partner_a.user).get(reverse("messaging:conversation_list"))
    content = page.content.decode()
    assert "Mine alone" in content and "Times" in content and "1 new" in content
    other = client_for(cast.partner_b.user).get(reverse("messaging:conversation_list"))
    assert "Mine alone" not in other.content.decode()


def test_the_navigation_shows_the_unread_count(cast, client_for):
    private_of_a(cast)
    to_both(cast)
    page = client_for(cast.clinician).get(reverse("messaging:inbox")).content.decode()
    assert 'Messages <span class="badge text-bg-danger" data-testid="nav-count">2' in page


def test_reading_a_conversation_clears_its_unread_messages(cast, client_for):
    conversation = private_of_a(cast)
    client = client_for(cast.clinician)
    client.get(conversation_url(conversation))
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert 'data-testid="unread"' not in page and 'data-testid="nav-count"' not in page
    assert Message.objects.count() == 1
