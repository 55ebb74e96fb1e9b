"""No double booking, held by PostgreSQL: exclusion constraints on the half-open time
ranges of active appointments per room and per couple, and of active clinician bookings.

PostgreSQL only: the embedded SQLite default has no GiST, so there the transactional
check in sessions.booking is what holds (SQLite serialises writers anyway). The
constraints live here rather than in Meta.constraints so SQLite can still migrate.
"""

from django.db import migrations

ACTIVE = "('booked', 'checked_in', 'completed')"
CONSTRAINTS = [
    (
        "clinic_sessions_appointment",
        "appt_no_room_overlap",
        f"room_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE (status IN {ACTIVE}",
    ),
    (
        "clinic_sessions_appointment",
        "appt_no_couple_overlap",
        f"couple_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE (status IN {ACTIVE}",
    ),
    (
        "clinic_sessions_appointmentclinician",
        "appt_no_clinician_overlap",
        "clinician_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) WHERE (is_active",
    ),
]


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, name, body in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist ({body})")


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, _ in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clinic_sessions", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, drop_constraints, elidable=False)]
