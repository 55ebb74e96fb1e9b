"""The partner's profile: their own details and reminder preferences, kept in history."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from intake.models import Partner
from integration import services as integration_services
from integration.models import Reminder
from kapcouples import policy
from portal import services

URL = reverse("portal:profile")
FORM = {
    "phone": "+1 555 0100",
    "emergency_contact_name": "Robin Example",
    "emergency_contact_phone": "555 0100 300",
    "preferred_channel": "email",
    "timezone": "America/New_York",
    "quiet_start": "",
    "quiet_end": "",
    "language": "en",
}


def test_the_partner_corrects_their_details_and_lands_on_what_happens_next(cast, client_for):
    client = client_for(cast.partner_a.user)
    page = client.get(URL).content.decode()
    assert cast.partner_a.email in page  # shown, not editable
    response = client.post(URL, {**FORM, "quiet_start": "22:00", "quiet_end": "07:30"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:next") + "?done=profile"
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    assert (partner.phone, partner.emergency_contact_name) == ("+1 555 0100", "Robin Example")
    assert (partner.quiet_start, partner.quiet_end) == (time(22, 0), time(7, 30))
    latest = partner.history.latest()
    assert latest.history_user == cast.partner_a.user and latest.quiet_start == time(22, 0)
    done = client.get(response["Location"]).content.decode()
    assert "Your details are saved." in done


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"quiet_start": "22:00"}, "quiet_end", "Say until when, or empty both times."),
        ({"quiet_end": "07:00"}, "quiet_start", "Say from when, or empty both times."),
        ({"quiet_start": "07:00", "quiet_end": "07:00"}, "quiet_end", "different from the start"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start", "a time such as 21:30"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose your time zone from the list."),
        ({"preferred_channel": "sms", "phone": ""}, "phone", "Add a mobile number"),
        ({"language": "fr"}, "language", "Choose a language from the list."),
    ],
)
def test_bad_input_is_named_next_to_its_field_and_nothing_typed_is_lost(
    changes, field, message, cast, client_for
):
    typed = {**FORM, "emergency_contact_name": "Typed Name 5521", **changes}
    response = client_for(cast.partner_a.user).post(URL, typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert "Typed Name 5521" in response.content.decode()
    assert Partner.objects.get(pk=cast.partner_a.pk).emergency_contact_name == ""


def test_the_partner_chooses_spanish_here_and_the_next_pages_are_in_spanish(cast, client_for):
    client = client_for(cast.partner_a.user)
    response = client.post(URL, {**FORM, "language": "es"})
    assert response.status_code == 302
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    assert partner.language == "es"
    assert partner.history.latest().history_user == cast.partner_a.user
    done = client.get(response["Location"]).content.decode()
    assert '<html lang="es"' in done and "Sus datos están guardados." in done
    profile = client.get(URL).content.decode()
    assert '<option value="es" selected>' in profile
    assert "Idioma de mis páginas, correos electrónicos y mensajes de texto" in profile


def test_the_language_chosen_on_the_profile_keeps_the_earlier_one_in_history(cast, client_for):
    client = client_for(cast.partner_a.user)
    client.post(URL, {**FORM, "language": "es"})
    client.post(URL, {**FORM, "language": "en"})
    kept = cast.partner_a.history.order_by("history_date").values_list("language", flat=True)
    assert list(kept)[-2:] == ["es", "en"]
    assert '<html lang="en"' in client.get(reverse("portal")).content.decode()


def test_the_service_refuses_anyone_but_the_partner_and_writes_nothing(cast):
    for someone in (cast.partner_b.user, cast.clinician, cast.front_desk):
        with pytest.raises(policy.NotAllowed, match="can_edit_own_profile"):
            services.partner_profile_update(
                partner=cast.partner_a, by=someone, changes={"phone": "555 0100 999"}
            )
    assert Partner.objects.get(pk=cast.partner_a.pk).phone == ""


def test_the_service_refuses_fields_that_are_not_the_partners_to_change(cast):
    with pytest.raises(services.DomainError, match="email"):
        services.partner_profile_update(
            partner=cast.partner_a, by=cast.partner_a.user, changes={"email": "x@example.test"}
        )


def test_the_database_refuses_quiet_hours_with_one_end_only(cast):
    refused = pytest.raises(IntegrityError, match="partner_quiet_hours_both_or_neither")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_partner SET quiet_start = '22:00', quiet_end = NULL WHERE id = %s",
            [cast.partner_a.pk],
        )


# --- Quiet hours: the partner's own win over the clinic's ------------------------------------
def schedule(partner, due_at, key):
    return integration_services.reminder_schedule(
        clinic_id=partner.couple.clinic_id,
        partner=partner,
        kind=Reminder.Kind.APPOINTMENT_REMINDER,
        due_at=due_at,
        idempotency_key=key,
    )


def test_a_partners_own_quiet_hours_replace_the_clinics(cast):
    cast.partner_a.quiet_start, cast.partner_a.quiet_end = time(13, 0), time(15, 0)
    cast.partner_a.save()
    one_pm = datetime(2026, 6, 1, 17, 30, tzinfo=UTC)  # 13:30 in New York
    ten_pm = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)  # 22:00 in New York
    assert schedule(cast.partner_a, one_pm, "a").next_attempt_at == datetime(
        2026, 6, 1, 19, 0, tzinfo=UTC
    )  # 15:00
    assert schedule(cast.partner_a, ten_pm, "b").next_attempt_at == ten_pm  # not quiet for A
    assert schedule(cast.partner_b, ten_pm, "c").next_attempt_at == ten_pm + timedelta(hours=10)


def test_changing_the_profile_moves_the_pending_reminders(cast):
    late = datetime(2030, 6, 2, 2, 0, tzinfo=UTC)  # 22:00 in New York: the clinic's quiet hours
    pending = schedule(cast.partner_a, late, "late")
    assert pending.next_attempt_at == late + timedelta(hours=10)
    services.partner_profile_update(
        partner=cast.partner_a,
        by=cast.partner_a.user,
        changes={"quiet_start": time(23, 0), "quiet_end": time(6, 0)},
    )
    pending.refresh_from_db()
    assert pending.next_attempt_at == late and pending.due_at == late
