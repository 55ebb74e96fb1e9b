"""Starting conversations and posting messages: who may, what is written, who is told
(and that they are told nothing of what was said), and the urgent alert."""

import pytest

from intake import services as intake_services
from intake.models import Partner
from integration.models import Alert, MessagingSettings, Reminder
from integration.rendering import render_reminder
from kapcouples.policy import NotAllowed
from messaging import services
from messaging.models import Conversation, Message
from messaging.services import InvalidMessage
from tests.messaging.helpers import private_of_a, to_both

MARKER = "BODY-MARKER-8812"


def notices(**filters):
    return Reminder.objects.filter(kind=Reminder.Kind.CONVERSATION_MESSAGE, **filters)


def grant_break_glass(cast):
    intake_services.break_glass_grant(
        user=cast.clinician_outside,
        couple=cast.couple,
        reason="On call tonight, the primary clinician is away",
        path="/",
        ip_address=None,
    )


def test_a_partner_opens_a_private_conversation_with_its_first_message(cast):
    conversation = private_of_a(cast, body=MARKER)
    assert conversation.audience == Conversation.Audience.PRIVATE
    assert conversation.partner == cast.partner_a
    assert conversation.started_by == cast.partner_a.user
    assert [m.body for m in conversation.messages.all()] == [MARKER]
    assert conversation.history.count() == 1


def test_a_private_message_tells_the_care_team_and_never_the_other_partner(cast):
    private_of_a(cast)
    assert set(notices().values_list("staff_user", flat=True)) == {
        cast.clinician.pk,
        cast.prescriber.pk,
    }
    assert not notices(partner__isnull=False).exists()
    assert set(notices().values_list("channel", flat=True)) == {Reminder.Channel.EMAIL}


def test_a_message_to_both_tells_the_other_partner_and_the_care_team(cast):
    to_both(cast)
    assert list(notices(partner__isnull=False).values_list("partner", flat=True)) == [
        cast.partner_a.pk
    ]
    assert notices(staff_user__isnull=False).count() == 2


def test_a_reply_of_the_care_team_tells_the_partner_by_their_chosen_channel(cast):
    MessagingSettings.objects.filter(clinic=cast.clinic).update(sms_enabled=True)
    Partner.objects.filter(pk=cast.partner_a.pk).update(preferred_channel="sms", phone="+15550101")
    cast.partner_a.refresh_from_db()
    conversation = private_of_a(cast)
    services.message_post(conversation=conversation, by=cast.clinician, body="We hear you")
    told = notices(partner=cast.partner_a).get()
    assert told.channel == Reminder.Channel.SMS
    assert told.link_path == f"/conversations/{conversation.pk}/"
    # The author is never told of their own message: the clinician's one notice is A's.
    assert notices(staff_user=cast.clinician).count() == 1


def test_the_notice_says_only_that_a_message_waits_never_what_it_says(cast):
    conversation = to_both(cast, body=f"{MARKER} and our private plans")
    services.message_post(conversation=conversation, by=cast.clinician, body=f"Re: {MARKER}")
    assert notices().count() == 4  # A and the care team, then B
    for reminder in notices().select_related("partner", "staff_user", "clinic"):
        rendered = render_reminder(reminder)
        for part in (rendered.subject, rendered.text, rendered.html):
            assert MARKER not in part and conversation.subject not in part
        assert "You have a new" in rendered.subject + rendered.text
        assert f"/conversations/{conversation.pk}/" in rendered.text


def test_unread_messages_share_one_notice_until_the_reader_reads(cast):
    conversation = private_of_a(cast)
    services.message_post(conversation=conversation, by=cast.partner_a.user, body="And another")
    services.message_post(conversation=conversation, by=cast.partner_a.user, body="And more")
    assert notices(staff_user=cast.clinician).count() == 1
    services.conversation_mark_read(conversation=conversation, by=cast.clinician)
    services.message_post(conversation=conversation, by=cast.partner_a.user, body="After reading")
    assert notices(staff_user=cast.clinician).count() == 2
    assert notices(staff_user=cast.prescriber).count() == 1  # the prescriber has not read


def test_the_care_team_may_write_privately_to_one_partner(cast):
    conversation, _ = services.conversation_start(
        couple=cast.couple, by=cast.prescriber, partner=cast.partner_b, subject="Dose", body="Hi"
    )
    assert conversation.partner == cast.partner_b
    assert list(notices(partner__isnull=False).values_list("partner", flat=True)) == [
        cast.partner_b.pk
    ]


def test_a_partner_cannot_open_a_private_conversation_for_the_other_partner(cast):
    with pytest.raises(services.DomainError, match="care team alone, or to both"):
        services.conversation_start(
            couple=cast.couple,
            by=cast.partner_a.user,
            partner=cast.partner_b,
            subject="x",
            body="y",
        )
    assert not Conversation.objects.exists()


def test_a_partner_of_another_couple_cannot_be_the_addressee(cast):
    with pytest.raises(services.DomainError, match="not a member of this couple"):
        services.conversation_start(
            couple=cast.couple, by=cast.clinician, partner=cast.other_partner, subject="x", body="y"
        )
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "who",
    ["other_partner", "front_desk", "clinic_admin", "clinician_outside", "other_clinic_clinician"],
)
def test_people_outside_the_couple_and_its_care_team_cannot_start_one(cast, who):
    with pytest.raises(NotAllowed, match="can_start_conversation"):
        services.conversation_start(
            couple=cast.couple, by=cast.user(who), partner=None, subject="Hello", body="Hi"
        )
    assert not Conversation.objects.exists()
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    "who", ["partner_b", "other_partner", "front_desk", "clinic_admin", "clinician_outside"]
)
def test_only_participants_post_to_a_private_conversation(cast, who):
    conversation = private_of_a(cast)
    with pytest.raises(NotAllowed, match="can_post_to"):
        services.message_post(conversation=conversation, by=cast.user(who), body="Let me in")
    assert conversation.messages.count() == 1


def test_break_the_glass_lets_a_clinician_off_the_team_read_and_reply(cast):
    conversation = private_of_a(cast)
    grant_break_glass(cast)
    services.message_post(conversation=conversation, by=cast.clinician_outside, body="On call")
    assert conversation.messages.count() == 2


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_a_blank_message_is_refused_next_to_its_field(cast, body):
    conversation = private_of_a(cast)
    with pytest.raises(InvalidMessage, match="Write something") as refused:
        services.message_post(conversation=conversation, by=cast.clinician, body=body)
    assert refused.value.field == "body"
    assert conversation.messages.count() == 1


def test_a_message_over_5000_characters_is_refused_and_nothing_is_written(cast):
    conversation = private_of_a(cast)
    with pytest.raises(InvalidMessage, match="5,000 characters; this has 5,001"):
        services.message_post(conversation=conversation, by=cast.clinician, body="x" * 5001)
    assert conversation.messages.count() == 1
    assert notices().count() == 2  # the first message's only


def test_a_blank_subject_is_refused_and_nothing_is_written(cast):
    with pytest.raises(InvalidMessage) as refused:
        services.conversation_start(
            couple=cast.couple, by=cast.partner_a.user, partner=None, subject=" ", body="Hi"
        )
    assert refused.value.field == "subject"
    assert not Conversation.objects.exists()


def test_urgent_words_of_a_partner_raise_an_urgent_alert_that_quotes_nothing(cast):
    conversation = private_of_a(cast)
    services.message_post(
        conversation=conversation,
        by=cast.partner_a.user,
        body=f"{MARKER} some nights I want to kill myself",
    )
    message = conversation.messages.last()
    assert message.urgent_words
    alert = Alert.objects.get()
    assert (alert.kind, alert.urgency) == (Alert.Kind.MESSAGE_CRISIS_WORDS, Alert.Urgency.URGENT)
    assert alert.partner == cast.partner_a
    assert MARKER not in alert.message and "kill" not in alert.message
    emailed = Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT)
    assert set(emailed.values_list("staff_user", flat=True)) == {
        cast.clinician.pk,
        cast.prescriber.pk,
    }


def test_a_care_team_message_with_the_same_words_raises_nothing(cast):
    conversation = private_of_a(cast)
    services.message_post(
        conversation=conversation,
        by=cast.clinician,
        body="If you ever think of suicide, call us at once.",
    )
    assert not Message.objects.filter(urgent_words=True).exists()
    assert not Alert.objects.exists()


def test_an_ordinary_message_raises_no_alert(cast):
    private_of_a(cast, body="We slept well after the session")
    assert not Alert.objects.exists()


def test_the_delivered_email_links_to_the_conversation_and_holds_none_of_it(cast, mailoutbox):
    from integration.delivery import reminders_deliver_due

    conversation = private_of_a(cast, body=MARKER, subject="SUBJECT-IN-NO-EMAIL")
    assert reminders_deliver_due() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [cast.clinician.email, cast.prescriber.email]
    )
    for email in mailoutbox:
        everything = email.subject + email.body + email.alternatives[0][0]
        assert MARKER not in everything and "SUBJECT-IN-NO-EMAIL" not in everything
        assert f"/conversations/{conversation.pk}/" in email.body
