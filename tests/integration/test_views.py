from datetime import timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from integration import followups
from integration.models import CheckIn, IntegrationNote, Reminder
from kapcouples.models import AccessLog
from tests.factories import CoupleFactory, PartnerFactory
from tests.integration.helpers import completed_medicine_session, due_reminder, past_appointment

PRIVATE = "I felt a long-buried grief come up"


def checkin_for(cast, partner, *, day=1):
    session = completed_medicine_session(cast, days_ago=day + 1)
    return CheckIn.objects.create(
        partner=partner,
        couple=cast.couple,
        medicine_session=session,
        day=day,
        due_at=timezone.now() - timedelta(hours=1),
    )


def answer(client, checkin, **extra):
    data = {"came_up": PRIVATE, "practice": "Listening", "connection": "6", **extra}
    return client.post(reverse("integration:checkin_answer", args=[checkin.pk]), data)


def test_a_partner_answers_their_check_in_privately_by_default(cast, client_for):
    checkin = checkin_for(cast, cast.partner_a)
    response = answer(client_for(cast.partner_a.user), checkin)
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.came_up == PRIVATE and checkin.connection == 6
    assert not (checkin.share_came_up or checkin.share_practice or checkin.share_connection)


def test_a_private_answer_is_invisible_to_the_other_partner_until_shared(cast, client_for):
    checkin = checkin_for(cast, cast.partner_a)
    answer(client_for(cast.partner_a.user), checkin)
    other = client_for(cast.partner_b.user)
    assert PRIVATE not in other.get(reverse("portal:history")).content.decode()
    answer(client_for(cast.partner_a.user), checkin, share_came_up="on")
    page = other.get(reverse("portal:history")).content.decode()
    assert PRIVATE in page
    assert "Listening" not in page  # the answer not shared stays private


def test_the_care_team_sees_every_answer_on_the_couple_page(cast, client_for):
    checkin = checkin_for(cast, cast.partner_a)
    answer(client_for(cast.partner_a.user), checkin)
    page = client_for(cast.clinician).get(reverse("intake:couple_detail", args=[cast.couple.pk]))
    assert PRIVATE in page.content.decode()
    desk = client_for(cast.front_desk).get(reverse("intake:couple_detail", args=[cast.couple.pk]))
    assert PRIVATE not in desk.content.decode()


def test_the_other_partner_cannot_open_or_answer_a_check_in_and_the_refusal_is_logged(
    cast, client_for
):
    checkin = checkin_for(cast, cast.partner_a)
    other = client_for(cast.partner_b.user)
    assert other.get(reverse("integration:checkin_answer", args=[checkin.pk])).status_code == 404
    assert answer(other, checkin).status_code == 404
    checkin.refresh_from_db()
    assert checkin.answered_at is None and checkin.came_up == ""
    denials = AccessLog.objects.filter(user=cast.partner_b.user, action=AccessLog.Action.DENIED)
    assert denials.count() == 2


def test_a_connection_rating_out_of_range_is_refused_next_to_the_field(cast, client_for):
    checkin = checkin_for(cast, cast.partner_a)
    response = answer(client_for(cast.partner_a.user), checkin, connection="11")
    assert response.status_code == 200
    assert "Choose a number from 0 to 10." in response.content.decode()
    assert PRIVATE in response.content.decode()  # what was typed is kept
    checkin.refresh_from_db()
    assert checkin.answered_at is None


def test_a_check_in_of_another_clinic_couple_is_not_found_for_staff(cast, client_for):
    checkin = checkin_for(cast, cast.partner_a)
    response = client_for(cast.other_clinic_clinician).get(
        reverse("integration:checkin_answer", args=[checkin.pk])
    )
    assert response.status_code == 403  # partners only: staff are refused by role


def test_a_clinician_writes_signs_and_amends_an_integration_note_with_history(cast, client_for):
    appointment = past_appointment(cast, "integration")
    client = client_for(cast.clinician)
    fields = {
        "insights": "Felt safe",
        "relational_themes": "Trust",
        "agreements": "",
        "next_steps": "",
    }
    client.post(reverse("integration:note_edit", args=[appointment.pk]), fields)
    note = IntegrationNote.objects.get(appointment=appointment)
    client.post(reverse("integration:note_sign", args=[note.pk]))
    note.refresh_from_db()
    assert note.status == IntegrationNote.Status.SIGNED and note.signed_by == cast.clinician
    # Signed: the draft form no longer edits it.
    client.post(
        reverse("integration:note_edit", args=[appointment.pk]), {**fields, "insights": "X"}
    )
    note.refresh_from_db()
    assert note.insights == "Felt safe"
    no_reason = client.post(reverse("integration:note_amend", args=[note.pk]), fields)
    assert "This field is required" in no_reason.content.decode()
    amended = {**fields, "insights": "Felt safe; grief surfaced", "reason": "Left out a theme"}
    client.post(reverse("integration:note_amend", args=[note.pk]), amended)
    note.refresh_from_db()
    assert (note.version, note.status) == (2, IntegrationNote.Status.AMENDED)
    assert note.amendment_reason == "Left out a theme"
    assert "Felt safe" in {v.insights for v in note.history.all()}
    page = client.get(reverse("integration:note_detail", args=[note.pk])).content.decode()
    assert "grief surfaced" in page and "v1" in page


def test_amending_needs_a_real_change(cast):
    appointment = past_appointment(cast, "integration")
    values = {"insights": "Same"}
    note = followups.integration_note_save(
        appointment=appointment, author=cast.clinician, values=values
    )
    followups.integration_note_sign(note=note, by=cast.clinician)
    try:
        followups.integration_note_amend(note=note, by=cast.clinician, values=values, reason="x")
    except Exception as error:  # DomainError
        assert "Nothing was changed" in str(error)
    else:
        raise AssertionError("an amendment without a change was accepted")


def test_a_clinician_outside_the_care_team_cannot_write_a_note(cast, client_for):
    appointment = past_appointment(cast, "integration")
    response = client_for(cast.clinician_outside).post(
        reverse("integration:note_edit", args=[appointment.pk]), {"insights": "Nope"}
    )
    assert response.status_code == 403
    assert not IntegrationNote.objects.exists()
    other = client_for(cast.other_clinic_clinician).get(
        reverse("integration:note_edit", args=[appointment.pk])
    )
    assert other.status_code == 404


def test_staff_see_the_outbox_of_their_clinic_without_message_content(cast, client_for):
    mine = due_reminder(cast.partner_a, key="mine")
    other_couple = CoupleFactory(clinic=cast.other_clinic)
    due_reminder(PartnerFactory(couple=other_couple, first_name="Zelda"), key="theirs")
    page = client_for(cast.front_desk).get(reverse("integration:outbox")).content.decode()
    assert "Alexa" in page and "Zelda" not in page
    assert mine.get_kind_display() in page and "Hello" not in page
    sent_only = client_for(cast.front_desk).get(reverse("integration:outbox") + "?status=sent")
    assert "Alexa" not in sent_only.content.decode()


def test_an_outbox_row_says_what_happened_in_the_readers_time_and_escapes_errors(cast, client_for):
    asked = timezone.now() - timedelta(hours=3)
    moved = due_reminder(cast.partner_a, key="moved", due_at=asked)
    Reminder.objects.filter(pk=moved.pk).update(next_attempt_at=asked + timedelta(hours=1))
    failed = due_reminder(cast.partner_b, key="failed")
    Reminder.objects.filter(pk=failed.pk).update(
        status=Reminder.Status.FAILED, attempts=5, last_error="<b>SMTP said no</b>"
    )
    client = client_for(cast.front_desk)
    page = client.get(reverse("integration:outbox")).content.decode()
    rows = {r.split('data-label="To">')[1].split()[0]: r for r in page.split("<tr>")[2:]}
    zone = ZoneInfo(page.split("Times are ")[1].split(" time.")[0])  # the reader's zone
    local = asked.astimezone(zone)
    assert f"(asked {local:%H:%M})" in rows[cast.partner_a.first_name]
    assert f"{local + timedelta(hours=1):%Y-%m-%d %H:%M} <span" in rows[cast.partner_a.first_name]
    failed_row = rows[cast.partner_b.first_name]
    assert "&lt;b&gt;SMTP said no&lt;/b&gt;" in failed_row and "<b>SMTP" not in page
    assert '<td data-label="Tries">5</td>' in failed_row
    assert 'name="csrfmiddlewaretoken"' in failed_row
    couple_url = reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})
    assert f'href="{couple_url}">Couple</a>' in failed_row
    retry = reverse("integration:outbox_retry", kwargs={"reminder_id": failed.pk})
    assert f'action="{retry}"' in failed_row
    assert "Retry" not in rows[cast.partner_a.first_name]
    assert client.post(retry).status_code == 302  # the row's form, with its token, works
    assert Reminder.objects.get(pk=failed.pk).status == Reminder.Status.PENDING


def test_partners_cannot_open_the_outbox(cast, client_for):
    response = client_for(cast.partner_a.user).get(reverse("integration:outbox"))
    assert response.status_code == 403
    assert Reminder.objects.count() == 0


def test_the_outbox_page_makes_the_same_number_of_queries_for_many_rows(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.front_desk)
    due_reminder(cast.partner_a, key="one")
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("integration:outbox"))
    for number in range(30):
        due_reminder(cast.partner_b, key=f"many-{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("integration:outbox"))


def test_the_care_team_acknowledges_an_alert_and_front_desk_cannot(cast, client_for):
    from integration.models import Alert
    from integration.services import alert_raise

    alert = alert_raise(
        couple=cast.couple, kind=Alert.Kind.MISSING_INTEGRATION, message="m", dedupe_key="a1"
    )
    url = reverse("integration:alert_acknowledge", args=[alert.pk])
    assert client_for(cast.front_desk).post(url).status_code == 403
    assert client_for(cast.clinician_outside).post(url).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    client_for(cast.clinician).post(url)
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.clinician
