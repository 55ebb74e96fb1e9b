"""What a booking request reads: the confirmation comes from what the booking read."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Appointment, MedicineSession
from tests.sessions.factories import local, make_ready, room, tomorrow


def _medicine_booking(cast, when) -> dict:
    return {
        "kind": Appointment.Kind.MEDICINE,
        "date": when.date().isoformat(),
        "start_time": f"{when:%H:%M}",
        "duration": "240",
        "room": str(room(cast).pk),
        "clinicians": [str(cast.clinician.pk)],
    }


def test_the_booking_post_reads_nothing_after_its_transaction(cast, client_for):
    when = local(cast, tomorrow(cast) + datetime.timedelta(days=7), 10)
    make_ready(cast, when)
    client = client_for(cast.front_desk)
    url = reverse("clinic_sessions:appointment_new", kwargs={"couple_id": cast.couple.pk})
    client.get(url)  # the session and content types settle, as on a running server
    with CaptureQueriesContext(connection) as statements:
        response = client.post(url, _medicine_booking(cast, when))
    assert response.status_code == 302
    sql = [q["sql"] for q in statements.captured_queries]
    # Under the test's transaction the booking's own is a savepoint.
    end = max(i for i, s in enumerate(sql) if s.startswith("RELEASE SAVEPOINT"))
    assert sql[end + 1 :] == []  # the "Booked: …" message needs no clinic or partner read
    session = MedicineSession.objects.get()
    assert set(session.appointment.clinicians.all()) == {cast.clinician}
    shown = [str(m) for m in client.get(response.url).context["messages"]]
    assert any(m.startswith("Booked: Medicine") for m in shown)
