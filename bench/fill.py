"""Fill a benchmark database to the design scale (DESIGN.md §8) or a fraction of it.

    .venv/bin/python bench/fill.py --scale 1      # kapcouples_bench_full
    .venv/bin/python bench/fill.py --scale 0.1    # kapcouples_bench_tenth
    .venv/bin/python bench/fill.py --scale 0.02 --database kapcouples_bench_dev

At scale 1: 100 clinics in seven time zones, 2,000 staff, 50,000 couples in every phase,
1,000,000 appointments over two years in every status, intake forms, questionnaires,
reviews, prescriptions, plans, medicine sessions with vitals, doses and discharges,
check-ins, integration notes, 5,000,000 reminders in every state and 1,000,000
access-log rows. Rows are generated in Python and streamed into PostgreSQL with COPY;
secondary indexes and foreign keys are dropped for the load and rebuilt after it.

A fraction keeps the shapes and shrinks the counts; clinics shrink with the square root
of the scale, so each clinic also holds fewer couples and appointments (a page that grows
with its clinic's data shows it between the scales).

The database is created if missing and migrated. A filled database records its scale in
the table `bench_fill`; a second run at the same scale does nothing unless `--refill`,
which drops and recreates the database. `bench_pool` lists what the page benchmark signs
in as and writes to (couples awaiting a medicine booking, sessions in progress, ...).
Historical tables (django-simple-history) stay empty.
"""

import argparse
import datetime
import json
import math
import os
import random
import sys
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DESIGN = {
    "clinics": 100,
    "staff": 2000,
    "couples": 50_000,
    "appointments": 1_000_000,
    "reminders": 5_000_000,
    "access_log": 1_000_000,
}
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
]
PAST_DAYS, FUTURE_DAYS = 540, 190  # two years of appointments around the fill date
ROOMS_PER_CLINIC = 6
HOURS = 10  # bookable hours a day, from 08:00 local
DURATION = {"assessment": 2, "preparation": 1, "medicine": 3, "integration": 1, "other": 1}
PHASES = [  # (phase, share, appointment weight)
    ("enrolling", 0.10, 1),
    ("assessment", 0.15, 3),
    ("active", 0.45, 26),
    ("completed", 0.22, 30),
    ("withdrawn", 0.08, 8),
]
# Maintenance plans of completed couples, by the couple's index modulo 10.
MAINTENANCE = {0: "approved", 1: "approved", 2: "approved", 3: "draft", 4: "ended"}
APPROACHES = [("dual_full", 0.55), ("dual_half", 0.15), ("solo", 0.25), ("extended", 0.05)]
SHARE = {"dual_full": 100, "dual_half": 50, "solo": 100, "extended": 25}
ROUTES = [("sublingual", 0.7), ("intranasal", 0.2), ("intramuscular", 0.1)]
FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Maria",
    "Ana",
    "Luis",
    "Chen",
    "Wei",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Lena",
    "Jonas",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Sofia",
    "Mateo",
    "Aisha",
    "Yuki",
    "Hana",
    "Kofi",
    "Amara",
    "Lucas",
    "Chloe",
    "Ethan",
    "Grace",
    "Daniel",
    "Ruth",
    "Samuel",
    "Ines",
]
LAST = [
    "Smith",
    "Johnson",
    "Garcia",
    "Nguyen",
    "Patel",
    "Kim",
    "Müller",
    "Rossi",
    "Dubois",
    "Silva",
    "Cohen",
    "Okafor",
    "Tanaka",
    "Haddad",
    "Novak",
    "Larsen",
    "Kowalski",
    "Murphy",
    "Walsh",
    "Schmidt",
    "Lopez",
    "Martin",
    "Brown",
    "Wilson",
    "Anderson",
    "Thomas",
    "Moore",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Young",
    "Hall",
    "Allen",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "Torres",
    "Parker",
    "Collins",
    "Edwards",
    "Stewart",
    "Flores",
    "Morris",
    "Murray",
    "Rivera",
    "Cook",
    "Rogers",
    "Morgan",
    "Peterson",
    "Cooper",
    "Reed",
    "Bailey",
    "Bell",
    "Gomez",
    "Kelly",
    "Howard",
    "Ward",
    "Cox",
    "Diaz",
    "Richardson",
    "Wood",
    "Watson",
    "Brooks",
    "Bennett",
    "Gray",
    "James",
    "Reyes",
    "Cruz",
    "Hughes",
    "Price",
    "Myers",
    "Long",
    "Foster",
    "Sanders",
    "Ross",
    "Morales",
    "Powell",
    "Sullivan",
]
ROOM_NAMES = ["Willow", "Cedar", "Juniper", "Aspen", "Linden", "Maple", "Rowan", "Hazel"]
PASSWORD_HASH = "pbkdf2_sha256$1000000$benchsalt$" + "A" * 43 + "="  # never matches a login


def scaled(scale: float) -> dict[str, int]:
    counts = {name: max(1, round(value * scale)) for name, value in DESIGN.items()}
    counts["clinics"] = max(2, round(DESIGN["clinics"] * math.sqrt(min(scale, 1.0))))
    counts["staff"] = max(counts["staff"], counts["clinics"] * 6)
    return counts


def database_name(scale: float) -> str:
    return {1.0: "kapcouples_bench_full", 0.1: "kapcouples_bench_tenth"}.get(
        scale, f"kapcouples_bench_{str(scale).replace('.', '_')}"
    )


# --- CSV ----------------------------------------------------------------------------------
def q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def js(value) -> str:
    return q(json.dumps(value, separators=(",", ":")))


def ts(epoch: float | None) -> str:
    if epoch is None:
        return ""
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat()


def day_str(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).date().isoformat()


def b(flag: bool) -> str:
    return "t" if flag else "f"


def n(value) -> str:
    return "" if value is None else str(value)


def fmt_default(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return b(value)
    if isinstance(value, (dict, list)):
        return js(value)
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (datetime.time, datetime.date, datetime.datetime)):
        return value.isoformat()
    return q(str(value))


class Table:
    """A model's table: the columns the generator writes, then every other column filled
    with the field's default (so a field added later does not break the fill)."""

    def __init__(self, model, columns: list[str]):
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise SystemExit(f"{model._meta.db_table}: no column {unknown}")
        extra = [
            f
            for c, f in fields.items()
            if c not in columns
            and not (f.primary_key and f.get_internal_type().endswith("AutoField"))
        ]
        parts = []
        for field in extra:
            default = field.get_default()
            if default is None and not field.null:
                raise SystemExit(f"{model._meta.db_table}.{field.column}: no value, no default")
            parts.append(fmt_default(default))
        self.name = model._meta.db_table
        self.columns = columns + [f.column for f in extra]
        self.suffix = ("," + ",".join(parts) if parts else "") + "\n"
        self.rows = 0


class Reader:
    """A file-like object over an iterator of CSV lines, read by COPY in large chunks."""

    def __init__(self, lines, suffix: str):
        self.lines, self.suffix, self.count = iter(lines), suffix, 0

    def read(self, size: int = -1) -> str:
        chunk = []
        for line in self.lines:
            chunk.append(line)
            if len(chunk) >= 2000:
                break
        self.count += len(chunk)
        return self.suffix.join(chunk) + self.suffix if chunk else ""

    readline = read


def copy(cursor, table: Table, lines) -> int:
    reader = Reader(lines, table.suffix)
    columns = ", ".join(f'"{c}"' for c in table.columns)
    sql = f"COPY {table.name} ({columns}) FROM STDIN WITH (FORMAT csv)"
    cursor.copy_expert(sql, reader, size=1 << 20)
    table.rows += reader.count
    return reader.count


# --- Time ---------------------------------------------------------------------------------
class Calendar:
    """Day indexes 0..days-1 from `base`; each clinic zone's 08:00 of each day in UTC."""

    def __init__(self, now: datetime.datetime):
        self.now = now.timestamp()
        self.base = now.date() - datetime.timedelta(days=PAST_DAYS)
        self.days = PAST_DAYS + FUTURE_DAYS
        self.today = PAST_DAYS
        self.day_zero = self.today  # the last weekday up to today: sessions in progress
        while not self.weekday(self.day_zero):
            self.day_zero -= 1
        self._opening: dict[str, list[float]] = {}

    def weekday(self, day: int) -> bool:
        return (self.base + datetime.timedelta(days=day)).weekday() < 5

    def opening(self, zone: str) -> list[float]:
        if zone not in self._opening:
            tz = zoneinfo.ZoneInfo(zone)
            self._opening[zone] = [
                datetime.datetime.combine(
                    self.base + datetime.timedelta(days=d), datetime.time(8), tzinfo=tz
                ).timestamp()
                for d in range(self.days + 14)
            ]
        return self._opening[zone]

    def midnight(self, day: int) -> float:
        date = self.base + datetime.timedelta(days=day)
        return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC).timestamp()


class Ids:
    def __init__(self):
        self.values: dict[str, int] = {}

    def next(self, name: str) -> int:
        self.values[name] = self.values.get(name, 0) + 1
        return self.values[name]


def pick(rng: random.Random, weighted) -> str:
    x, total = rng.random(), 0.0
    for value, share in weighted:
        total += share
        if x < total:
            return value
    return weighted[-1][0]


# --- Generation -----------------------------------------------------------------------------
class Fill:
    def __init__(self, scale: float, cursor, models, now: datetime.datetime):
        self.scale, self.cur, self.m = scale, cursor, models
        self.counts = scaled(scale)
        self.cal = Calendar(now)
        self.ids = Ids()
        self.done: dict[str, int] = {}
        self.clinics: list[dict] = []
        self.couples: list[dict] = []
        self.appointments: list[list] = []
        self.pool: list[tuple] = []
        self.content_types = models["content_types"]

    def table(self, model, columns: str) -> Table:
        return Table(model, [c.strip() for c in columns.split(",")])

    def load(self, model, columns: str, lines) -> None:
        table = self.table(model, columns)
        started = time.monotonic()
        count = copy(self.cur, table, lines)
        self.done[table.name] = self.done.get(table.name, 0) + count
        print(f"  {table.name:<45} {count:>10,} rows {time.monotonic() - started:6.1f} s")

    def run(self) -> None:
        self.make_clinics()
        self.make_staff()
        self.make_couples()
        self.make_partners()
        self.make_screening()
        self.make_plans()
        self.make_maintenance_plans()
        self.make_appointments()
        self.make_sessions()
        self.make_questionnaires()
        self.make_followups()
        self.make_reminders()
        self.make_access_log()
        self.make_pool()

    # --- clinics and staff ---
    def make_clinics(self) -> None:
        m, cal = self.m, self.cal
        created = cal.midnight(0) - 90 * 86400
        for index in range(self.counts["clinics"]):
            clinic_id = self.ids.next("clinic")
            zone = ZONES[index % len(ZONES)]
            rooms = [self.ids.next("room") for _ in range(ROOMS_PER_CLINIC)]
            self.clinics.append(
                {"id": clinic_id, "index": index, "zone": zone, "rooms": rooms, "created": created}
            )
        self.load(
            m["Clinic"],
            "id, name, slug, timezone, created_at",
            (
                f"{c['id']},{q('Clinic ' + str(c['index'] + 1))},bench-clinic-{c['index'] + 1},"
                f"{c['zone']},{ts(c['created'])}"
                for c in self.clinics
            ),
        )
        self.load(
            m["Room"],
            "id, clinic_id, name, is_active",
            (
                f"{room},{c['id']},{q(ROOM_NAMES[i])},t"
                for c in self.clinics
                for i, room in enumerate(c["rooms"])
            ),
        )
        for model in ("ProtocolSettings", "ScreeningSettings", "MessagingSettings"):
            self.load(m[model], "id, clinic_id", (f"{c['id']},{c['id']}" for c in self.clinics))

    def make_staff(self) -> None:
        per_clinic = self.counts["staff"] // len(self.clinics)
        users, memberships = [], []
        for c in self.clinics:
            rng = random.Random(c["index"])
            desks = max(1, per_clinic // 10)
            prescribers = max(1, round(per_clinic * 0.15))
            roles = ["clinic_admin"] + ["front_desk"] * desks + ["prescriber"] * prescribers
            roles += ["clinician"] * (per_clinic - len(roles))
            c["staff"] = {"clinic_admin": [], "front_desk": [], "prescriber": [], "clinician": []}
            for role in roles:
                user = self.ids.next("user")
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first}.{last}.{user}@clinic{c['index'] + 1}.example.org".lower()
                users.append((user, email, f"{first} {last}", c["created"]))
                memberships.append((user, c["id"], role))
                c["staff"][role].append(user)
            c["clinical"] = c["staff"]["clinician"] + c["staff"]["prescriber"]
        self.load_users(users)
        self.load(
            self.m["StaffMembership"],
            "id, user_id, clinic_id, role, is_active",
            (f"{u},{u},{clinic},{role},t" for u, clinic, role in memberships),
        )
        consent_rows = []
        for c in self.clinics:
            admin = c["staff"]["clinic_admin"][0]
            versions = 2 if c["index"] % 3 == 0 else 1
            c["consent"] = []
            for version in range(1, versions + 1):
                text_id = self.ids.next("consenttext")
                at = c["created"] + (version - 1) * 200 * 86400
                c["consent"].append((text_id, at))
                consent_rows.append(
                    f"{text_id},{c['id']},{version},{q('Consent to ketamine-assisted therapy')},"
                    f"{q(CONSENT_BODY)},{admin},{ts(at)}"
                )
        self.load(
            self.m["ConsentText"],
            "id, clinic_id, version, title, body, created_by_id, created_at",
            consent_rows,
        )

    def load_users(self, users) -> None:
        self.load(
            self.m["User"],
            "id, password, email, full_name, is_active, is_staff, is_superuser, date_joined, "
            "session_generation",
            (
                f"{u},{PASSWORD_HASH},{q(email)},{q(name)},t,f,f,{ts(joined)},0"
                for u, email, name, joined in users
            ),
        )

    # --- couples and partners ---
    def make_couples(self) -> None:
        counts = self.counts
        mean = sum(share * weight for _, share, weight in PHASES)
        factor = counts["appointments"] / counts["couples"] / mean
        per_clinic = [counts["couples"] // len(self.clinics)] * len(self.clinics)
        for i in range(counts["couples"] - sum(per_clinic)):
            per_clinic[i] += 1
        for c, total in zip(self.clinics, per_clinic, strict=True):
            for index in range(total):
                rng = random.Random(c["index"] * 1_000_003 + index)
                phase = pick(rng, [(p, s) for p, s, _ in PHASES])
                weight = {p: w for p, _, w in PHASES}[phase]
                quota = max(1, round(weight * factor * rng.uniform(0.75, 1.25)))
                couple = self.new_couple(c, index, phase, quota, rng)
                self.couples.append(couple)
        self.load(
            self.m["Couple"],
            "id, clinic_id, status, primary_clinician_id, created_at",
            (
                f"{k['id']},{k['clinic']['id']},{k['status']},{k['clinician']},{ts(k['created'])}"
                for k in self.couples
            ),
        )
        self.load(
            self.m["CareTeam"],
            "id, couple_id, user_id",
            (
                f"{k['id']},{k['id']},{k['prescriber']}"
                for k in self.couples
                if k["prescriber"] != k["clinician"]
            ),
        )

    def new_couple(self, clinic, index, phase, quota, rng) -> dict:
        cal = self.cal
        length = quota * 7
        if phase == "completed":
            start = rng.randint(0, max(0, cal.today - length - 14))
        elif phase == "withdrawn":
            start = rng.randint(0, max(0, cal.today - 90))
        elif phase == "active":
            start = max(0, cal.today - rng.randint(int(length * 0.3), int(length * 0.8) + 1))
        elif phase == "assessment":
            start = cal.today - rng.randint(0, 14)
        else:
            start = cal.today + rng.randint(3, 30)
        status = {"enrolling": "enrolling", "assessment": "assessment", "active": "active"}.get(
            phase, phase
        )
        clinical = clinic["clinical"]
        prescribers = clinic["staff"]["prescriber"]
        return {
            "id": self.ids.next("couple"),
            "index": index,
            "clinic": clinic,
            "phase": phase,
            "status": status,
            "quota": quota,
            "start": start,
            "clinician": clinical[index % len(clinical)],
            "prescriber": prescribers[index % len(prescribers)],
            "created": cal.midnight(start) - 14 * 86400 + rng.randint(8, 17) * 3600,
            "approach": pick(rng, APPROACHES),
            "route": pick(rng, ROUTES),
            "planned": rng.randint(3, 6),
            "pool": phase == "active" and index % 4 == 0,
            "seed": clinic["index"] * 1_000_003 + index,
        }

    def make_partners(self) -> None:
        users, partners = [], []
        for k in self.couples:
            rng = random.Random(k["seed"] + 7)
            k["partners"], k["users"] = [], []
            for slot in (1, 2):
                pid = self.ids.next("partner")
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first}.{last}.{pid}@example.net".lower()
                accepted = k["phase"] != "enrolling" or rng.random() < 0.6
                user = self.ids.next("user") if accepted else None
                if user:
                    users.append((user, email, f"{first} {last}", k["created"] + 86400))
                sms = rng.random() < 0.2
                partners.append((pid, k, slot, user, first, last, email, sms))
                k["partners"].append(pid)
                k["users"].append(user)
                k.setdefault("names", []).append((first, last))
        self.load_users(users)
        self.load(
            self.m["Partner"],
            "id, couple_id, slot, user_id, first_name, last_name, email, phone, "
            "preferred_channel, timezone",
            (
                f"{pid},{k['id']},{slot},{n(user)},{q(first)},{q(last)},{q(email)},"
                f"{q(f'+1 555 {pid % 10_000_000:07d}' if sms else '')},"
                f"{'sms' if sms else 'email'},{k['clinic']['zone']}"
                for pid, k, slot, user, first, last, email, sms in partners
            ),
        )
        self.load(
            self.m["Invitation"],
            "id, partner_id, token_hash, sent_to, created_by_id, created_at, expires_at, used_at",
            self.invitation_rows(partners),
        )

    def invitation_rows(self, partners):
        for pid, k, _slot, user, _first, _last, email, _sms in partners:
            sent = k["created"] + 3600
            desk = k["clinic"]["staff"]["front_desk"][0]
            used = ts(sent + 86400) if user else ""
            yield (
                f"{pid},{pid},{pid:064d},{q(email)},{desk},{ts(sent)},{ts(sent + 7 * 86400)},{used}"
            )

    # --- screening: intake, consent, reviews, prescriptions ---
    def make_screening(self) -> None:
        intakes, consents, reviews, prescriptions = [], [], [], []
        for k in self.couples:
            rng = random.Random(k["seed"] + 11)
            assessed = k["phase"] != "enrolling"
            k["intake"] = {}
            for slot, (pid, user) in enumerate(zip(k["partners"], k["users"], strict=True)):
                if user is None:
                    continue
                began = k["created"] + 2 * 86400
                if not assessed:
                    steps = INTAKE_SLUGS[: rng.randint(1, len(INTAKE_SLUGS))]
                    intakes.append((self.ids.next("intake"), pid, 1, "draft", steps, began, None))
                    k["intake"][pid] = None
                    continue
                version = 1
                if rng.random() < 0.05:  # amended once: v1 superseded
                    intakes.append(
                        (self.ids.next("intake"), pid, 1, "superseded", INTAKE_SLUGS, began, began)
                    )
                    version = 2
                submitted_id = self.ids.next("intake")
                intakes.append(
                    (submitted_id, pid, version, "submitted", INTAKE_SLUGS, began, began + 86400)
                )
                k["intake"][pid] = submitted_id
                if rng.random() < 0.03:  # an open amendment
                    intakes.append(
                        (
                            self.ids.next("intake"),
                            pid,
                            version + 1,
                            "draft",
                            INTAKE_SLUGS[:3],
                            began + 5 * 86400,
                            None,
                        )
                    )
                text_id, text_at = k["clinic"]["consent"][-1]
                consents.append(
                    (self.ids.next("consent"), pid, text_id, max(began, text_at) + 3600, slot)
                )
            if k["phase"] in ("active", "completed", "withdrawn"):
                self.screening_for_program(k, rng, reviews, prescriptions)
        self.load(
            self.m["IntakeForm"],
            "id, partner_id, version, status, answers, steps_saved, created_at, updated_at, "
            "submitted_at, withdrawn_at",
            (
                f"{i},{pid},{v},{status},{answers_csv(steps)},{js(steps)},"
                f"{ts(created)},{ts(submitted or created)},{ts(submitted)},"
                for i, pid, v, status, steps, created, submitted in intakes
            ),
        )
        self.load(
            self.m["Consent"],
            "id, partner_id, consent_text_id, typed_name, signed_at, ip_address",
            (
                f"{i},{pid},{text},{q('Signed')},{ts(at)},10.0.0.{slot + 1}"
                for i, pid, text, at, slot in consents
            ),
        )
        self.load(
            self.m["ContraindicationReview"],
            "id, partner_id, intake_id, findings, systolic, diastolic, heart_rate, weight_kg, "
            "decision, reason, conditions, reviewer_id, signed_at, expires_on",
            reviews,
        )
        self.load(
            self.m["Prescription"],
            "id, partner_id, prescriber_id, medication, route, single_dose_mg, valid_from, "
            "valid_until, status, instructions, created_at",
            prescriptions,
        )

    def screening_for_program(self, k, rng, reviews, prescriptions) -> None:
        cal = self.cal
        program = cal.midnight(k["start"])
        dosing = self.dosing_partners(k)
        k["rx"] = {}
        for pid in k["partners"]:
            intake = k["intake"].get(pid)
            if intake is None:
                continue
            signings = [program - 5 * 86400]
            if k["phase"] == "active":  # re-reviewed within the last two months
                signings.append(cal.now - rng.randint(1, 60) * 86400)
            for signed in signings:
                reviews.append(
                    f"{self.ids.next('review')},{pid},{intake},{FINDINGS_CSV},"
                    f"{rng.randint(105, 135)},{rng.randint(65, 85)},{rng.randint(55, 90)},"
                    f"{rng.randint(550, 1100) / 10},cleared,{q('No contraindication found.')},"
                    f'"",{k["prescriber"]},{ts(signed)},{day_str(signed + 180 * 86400)}'
                )
            if pid not in dosing:
                continue
            rx = self.ids.next("prescription")
            mg = rng.choice([100, 150, 200, 250, 300])
            until = cal.now + 200 * 86400 if k["phase"] == "active" else program + 300 * 86400
            status = "active" if until > cal.now else "expired"
            k["rx"][pid] = (rx, mg)
            prescriptions.append(
                f"{rx},{pid},{k['prescriber']},ketamine,{k['route']},{mg},"
                f"{day_str(program - 3 * 86400)},{day_str(until)},{status},"
                f"{q('Take as directed in session.')},{ts(program - 3 * 86400)}"
            )

    def dosing_partners(self, k) -> list[int]:
        return k["partners"][:1] if k["approach"] == "solo" else list(k["partners"])

    def make_plans(self) -> None:
        rows = []
        for k in self.couples:
            status = {"active": "active", "completed": "completed", "withdrawn": "discontinued"}
            if k["phase"] in status:
                plan_status = status[k["phase"]]
            elif k["phase"] == "assessment" and k["index"] % 2 == 0:
                plan_status = "draft"
            else:
                continue
            solo = k["approach"] == "solo"
            approved = k["prescriber"] if plan_status != "draft" else None
            at = self.cal.midnight(k["start"]) + 10 * 3600
            rows.append(
                f"{k['id']},{k['id']},{q(PLAN_GOALS)},{k['approach']},"
                f"{k['partners'][0] if solo else ''},{'sitter' if solo else q('')},"
                f"{b(solo)},{k['route']},{k['planned']},{q('To listen without defending.')},"
                f"{q('Trust; repair after conflict.')},"
                f"{q('Topics agreed' if k['approach'] == 'extended' else '')},"
                f"{q('')},{q('')},{plan_status},{n(approved)},{ts(at) if approved else ''},"
                f"{k['clinician']},{ts(at - 86400)}"
            )
        self.load(
            self.m["TreatmentPlan"],
            "id, couple_id, goals, approach, dosing_partner_id, support_role, "
            "support_role_agreed, route, planned_medicine_sessions, relational_intention, "
            "themes, discussion_topics, discussion_questions, opening_reflection, status, "
            "approved_by_id, approved_at, created_by_id, created_at",
            rows,
        )

    def make_maintenance_plans(self) -> None:
        """Half the completed couples come back for boosters: an approved plan for three in
        ten (their first booster due from four weeks after the program), a draft for one in
        ten, and an ended plan for one in ten."""
        rows = []
        for k in self.couples:
            status = MAINTENANCE.get(k["index"] % 10) if k["phase"] == "completed" else None
            if status is None:
                continue
            end = min(self.cal.today, k["start"] + k["quota"] * 7)
            created = self.cal.midnight(end) + 11 * 3600
            starts = self.cal.midnight(end + 28)
            approved = status != "draft"
            ended = status == "ended"
            solo = k["approach"] == "solo"
            rows.append(
                f"{self.ids.next('maintenanceplan')},{k['id']},{k['approach']},"
                f"{k['partners'][0] if solo else ''},{'sitter' if solo else q('')},{k['route']},"
                f"{8 + 4 * (k['index'] % 2)},2,{day_str(starts)},"
                f"{day_str(starts + 182 * 86400)},{q('')},{status},"
                f"{k['prescriber'] if approved else ''},{ts(created) if approved else ''},"
                f"{ts(created + 120 * 86400) if ended else ''},"
                f"{q('Couple chose to stop boosters.' if ended else '')},"
                f"{k['clinician']},{ts(created - 3600)}"
            )
        self.load(
            self.m["MaintenancePlan"],
            "id, couple_id, approach, dosing_partner_id, support_role, route, interval_weeks, "
            "boosters_per_review, starts_on, review_on, notes, status, approved_by_id, "
            "approved_at, ended_at, ended_reason, created_by_id, created_at",
            rows,
        )

    # --- appointments ---
    def program(self, k) -> list[tuple[str, int]]:
        """(kind, desired day) for each appointment of the couple's program."""
        rng = random.Random(k["seed"] + 13)
        quota, phase = k["quota"], k["phase"]
        kinds = ["assessment"]
        if phase in ("active", "completed", "withdrawn"):
            cycles = min(k["planned"], max(1, (quota - 1) // 4))
            others = max(0, quota - 1 - 4 * cycles)
            per_gap = others / cycles
            carry = 0.0
            for _ in range(cycles):
                carry += per_gap
                kinds += ["other"] * int(carry)
                carry -= int(carry)
                kinds += ["preparation", "preparation", "medicine", "integration"]
            kinds += ["other"] * (quota - len(kinds))
        else:
            kinds += ["other"] * (quota - 1)
        plan, day = [], k["start"]
        for kind in kinds:
            plan.append((kind, day))
            day += 1 if kind == "medicine" else rng.randint(5, 9)
        if k["pool"]:
            plan = self.awaiting_booking(k, plan)
        return plan

    def awaiting_booking(self, k, plan):
        """Drop the next medicine session and what follows: the couple is ready to book it
        (two preparations booked, the previous integration held)."""
        zero = self.cal.day_zero
        future = [i for i, (kind, d) in enumerate(plan) if kind == "medicine" and d >= zero]
        previous = [d for kind, d in plan[: future[0]] if kind == "integration"] if future else []
        if not future or (previous and previous[-1] >= zero - 14):
            k["pool"] = False
            return plan
        k["awaiting_after"] = plan[future[0] - 1][1]
        return plan[: future[0]]

    def make_appointments(self) -> None:
        started = time.monotonic()
        by_clinic: dict[int, list] = {}
        for k in self.couples:
            by_clinic.setdefault(k["clinic"]["id"], []).append(k)
        for c in self.clinics:
            self.allocate_clinic(c, by_clinic.get(c["id"], []))
        self.top_up()
        print(
            f"  laid out {len(self.appointments):,} appointments in "
            f"{time.monotonic() - started:.1f} s"
        )
        self.load(
            self.m["Appointment"],
            "id, clinic_id, couple_id, kind, start, end, room_id, status, cancel_reason, "
            "medicine_session_id, booked_by_id, created_at",
            self.appointment_rows(),
        )
        self.load(
            self.m["AppointmentClinician"],
            "id, appointment_id, clinician_id, start, end, is_active",
            self.appointment_clinician_rows(),
        )

    def allocate_clinic(self, clinic, couples) -> None:
        cal = self.cal
        opening = cal.opening(clinic["zone"])
        rooms = clinic["rooms"]
        room_busy: dict[tuple[int, int], int] = {}
        people_busy: dict[tuple[int, int], int] = {}
        couple_days: set[tuple[int, int]] = set()
        rng = random.Random(clinic["index"] + 99)
        self.busy = clinic["busy"] = (room_busy, people_busy, couple_days)
        for k in couples:
            k["appointments"] = []
            last = -1
            for kind, day in self.program(k):
                # never before the couple's previous appointment: the program keeps its order
                placed = self.place(k, kind, max(day, last + 1), opening, rooms, rng)
                last = placed if placed is not None else last

    def place(self, k, kind, day, opening, rooms, rng) -> int | None:
        room_busy, people_busy, couple_days = self.busy
        cal = self.cal
        hours = DURATION[kind]
        people = [k["clinician"]] + ([k["prescriber"]] if kind == "medicine" else [])
        people = list(dict.fromkeys(people))
        mask0 = (1 << hours) - 1
        for d in range(day, min(day + 12, cal.days)):
            if not cal.weekday(d) or (k["id"], d) in couple_days:
                continue
            first = rng.randrange(HOURS)
            for step in range(HOURS - hours + 1):
                h = (first + step) % (HOURS - hours + 1)
                mask = mask0 << h
                if any(people_busy.get((p, d), 0) & mask for p in people):
                    continue
                for r in range(len(rooms)):
                    room = rooms[(r + h) % len(rooms)]
                    if room_busy.get((room, d), 0) & mask:
                        continue
                    room_busy[(room, d)] = room_busy.get((room, d), 0) | mask
                    for p in people:
                        people_busy[(p, d)] = people_busy.get((p, d), 0) | mask
                    couple_days.add((k["id"], d))
                    start = opening[d] + h * 3600
                    self.add_appointment(k, kind, d, start, start + hours * 3600, room, people)
                    return d
        return None

    def add_appointment(self, k, kind, day, start, end, room, people) -> None:
        if len(self.appointments) >= self.counts["appointments"]:
            return
        rng = random.Random(k["seed"] * 31 + len(k["appointments"]))
        status, reason = self.status_of(k, kind, day, start, end, rng)
        appointment = [
            self.ids.next("appointment"),
            k,
            kind,
            start,
            end,
            room,
            status,
            reason,
            None,
            people,
            day,
        ]
        self.appointments.append(appointment)
        k["appointments"].append(appointment)

    def status_of(self, k, kind, day, start, end, rng) -> tuple[str, str]:
        now = self.cal.now
        if k["phase"] == "withdrawn" and day > k["start"] + k["quota"] * 4:
            return "cancelled", "The couple withdrew from the program."
        if day == self.cal.day_zero and kind == "medicine" and k["phase"] == "active":
            return "checked_in", ""
        if start <= now < end:
            return "checked_in", ""
        if end <= now:
            if kind != "other":
                return "completed", ""
            x = rng.random()
            if x < 0.08:
                return "cancelled", rng.choice(CANCEL_REASONS)
            return ("no_show", "") if x < 0.14 else ("completed", "")
        if kind == "other" and rng.random() < 0.06:
            return "cancelled", rng.choice(CANCEL_REASONS)
        return "booked", ""

    def top_up(self) -> None:
        """Extra follow-up appointments of completed couples until the target is met."""
        completed = [k for k in self.couples if k["phase"] == "completed"] or self.couples
        by_clinic = {c["id"]: c for c in self.clinics}
        rng, rounds = random.Random(5), 0
        while len(self.appointments) < self.counts["appointments"] and rounds < 50:
            rounds += 1
            for k in completed:
                if len(self.appointments) >= self.counts["appointments"]:
                    break
                clinic = by_clinic[k["clinic"]["id"]]
                self.busy = clinic["busy"]
                day = rng.randrange(0, self.cal.today)
                self.place(k, "other", day, self.cal.opening(clinic["zone"]), clinic["rooms"], rng)

    def appointment_rows(self):
        for a in self.appointments:
            aid, k, kind, start, end, room, status, reason, session, _people, _day = a
            desk = k["clinic"]["staff"]["front_desk"][aid % len(k["clinic"]["staff"]["front_desk"])]
            booked = min(start - 14 * 86400, max(k["created"], start - 60 * 86400))
            yield (
                f"{aid},{k['clinic']['id']},{k['id']},{kind},{ts(start)},{ts(end)},{room},"
                f"{status},{q(reason)},{n(session)},{desk},{ts(booked)}"
            )

    def appointment_clinician_rows(self):
        active = ("booked", "checked_in", "completed")
        for a in self.appointments:
            for person in a[9]:
                yield (
                    f"{self.ids.next('apptclin')},{a[0]},{person},{ts(a[3])},{ts(a[4])},"
                    f"{b(a[6] in active)}"
                )

    # --- medicine sessions ---
    def make_sessions(self) -> None:
        sessions, vitals, doses, discharges = [], [], [], []
        for k in self.couples:
            current = None
            for a in k.get("appointments", []):
                if a[2] == "medicine":
                    current = self.new_session(k, a, sessions, vitals, doses, discharges)
                    for prior in k["appointments"]:
                        if prior[2] == "preparation" and prior[8] is None and prior[3] < a[3]:
                            prior[8] = current
                elif a[2] == "integration" and current is not None:
                    a[8] = current
        # the sessions are written first so the appointments' links can be rewritten after
        self.load(
            self.m["MedicineSession"],
            "id, appointment_id, couple_id, approach, dosing_partner_id, support_role, route, "
            "status, started_at, started_by_id, completed_at, ended_early_reason, "
            "dissociation_rating",
            sessions,
        )
        self.link_sessions()
        self.load(
            self.m["VitalSigns"],
            "id, medicine_session_id, partner_id, moment, taken_at, systolic, diastolic, "
            "heart_rate, spo2, sedation, dissociation, respiratory_depression, level, "
            "recorded_by_id, acknowledged_by_id, acknowledged_at, override_reason",
            vitals,
        )
        self.load(
            self.m["DoseAdministration"],
            "id, medicine_session_id, partner_id, route, mg, given_at, given_by_id, "
            "prescription_id_snapshot, prescribed_single_dose_mg, share_percent",
            doses,
        )
        self.load(
            self.m["Discharge"],
            "id, medicine_session_id, partner_id, discharged_at, escort_name, escort_partner_id, "
            "escort_phone, escort_relationship, monitored_minutes, min_monitoring_minutes, "
            "last_systolic, last_diastolic, recorded_by_id",
            discharges,
        )

    def link_sessions(self) -> None:
        rows = [(a[0], a[8]) for a in self.appointments if a[8] is not None]
        self.cur.execute("CREATE TEMP TABLE bench_links (id bigint, session bigint)")
        copy(
            self.cur,
            type(
                "T",
                (),
                {"name": "bench_links", "columns": ["id", "session"], "suffix": "\n", "rows": 0},
            )(),
            (f"{i},{s}" for i, s in rows),
        )
        self.cur.execute(
            f"UPDATE {self.m['Appointment']._meta.db_table} a SET medicine_session_id = l.session "
            "FROM bench_links l WHERE a.id = l.id"
        )
        self.cur.execute("DROP TABLE bench_links")
        print(f"  linked {len(rows):,} preparation/integration appointments to their sessions")

    def new_session(self, k, a, sessions, vitals, doses, discharges) -> int:
        sid = self.ids.next("session")
        aid, start, status = a[0], a[3], a[6]
        self.session_by_appointment[aid] = sid
        rng = random.Random(sid)
        session_status = {"completed": "completed", "checked_in": "in_progress"}.get(
            status, "planned"
        )
        early = session_status == "completed" and rng.random() < 0.04
        solo = k["approach"] == "solo"
        started = start + 600 if session_status != "planned" else None
        completed = start + 175 * 60 if session_status == "completed" else None
        sessions.append(
            f"{sid},{aid},{k['id']},{k['approach']},{k['partners'][0] if solo else ''},"
            f"{'sitter' if solo else q('')},{k['route']},"
            f"{'ended_early' if early else session_status},{ts(started)},"
            f"{k['clinician'] if started else ''},{ts(completed)},"
            f"{q('Nausea; the couple chose to stop.' if early else '')},"
            f"{rng.randint(2, 7) if completed else ''}"
        )
        if session_status == "planned":
            return sid
        for pid in self.dosing_partners(k):
            self.session_record(k, sid, pid, start, session_status, rng, vitals, doses, discharges)
        if session_status == "in_progress":
            self.pool.append(("session", k["clinic"]["id"], k["id"], None, sid, k["clinician"]))
        return sid

    def session_record(self, k, sid, pid, start, status, rng, vitals, doses, discharges):
        rx = k.get("rx", {}).get(pid)
        nurse = k["clinician"]
        moments = [("pre_dose", 10)]
        if status == "completed":
            moments += [("post_dose_40", 60), ("pre_discharge", 150)]
        for moment, minutes in moments:
            systolic = rng.randint(108, 138)
            caution = rng.random() < 0.05
            if caution:
                systolic = rng.randint(141, 155)
            ack = k["prescriber"] if caution else None
            vitals.append(
                f"{self.ids.next('vitals')},{sid},{pid},{moment},{ts(start + minutes * 60)},"
                f"{systolic},{rng.randint(65, 88)},{rng.randint(55, 95)},{rng.randint(95, 100)},"
                f"f,{b(moment == 'post_dose_40')},f,{'caution' if caution else 'normal'},{nurse},"
                f"{n(ack)},{ts(start + (minutes + 3) * 60) if ack else ''},{q('')}"
            )
        if status != "completed" or rx is None:
            return
        share = SHARE[k["approach"]]
        mg = Decimal(rx[1] * share) / 100 * Decimal("0.8")
        given = start + 20 * 60
        doses.append(
            f"{self.ids.next('dose')},{sid},{pid},{k['route']},{mg:.2f},{ts(given)},{nurse},"
            f"{rx[0]},{rx[1]},{share}"
        )
        other = next(p for p in k["partners"] if p != pid)
        escort_partner = other if k["approach"] == "solo" else ""
        name = " ".join(k["names"][1]) if escort_partner else "Robin Escort"
        discharges.append(
            f"{self.ids.next('discharge')},{sid},{pid},{ts(start + 165 * 60)},{q(name)},"
            f"{escort_partner},{q('' if escort_partner else '+1 555 0100200')},"
            f"{q('' if escort_partner else 'friend')},145,120,{rng.randint(110, 135)},"
            f"{rng.randint(65, 85)},{nurse}"
        )

    # --- questionnaires, check-ins, notes, alerts, questionnaires due ---
    def make_questionnaires(self) -> None:
        self.load(
            self.m["QuestionnaireResponse"],
            "id, partner_id, code, answers, total, band, flags, completed_at, completed_by_id, "
            "acknowledged_by_id, acknowledged_at",
            self.questionnaire_rows(),
        )

    def questionnaire_rows(self):
        now = self.cal.now
        for k in self.couples:
            if k["phase"] == "enrolling":
                continue
            rng = random.Random(k["seed"] + 17)
            moments = []
            assessment = k["appointments"][0] if k.get("appointments") else None
            if assessment is not None:
                moments += [(code, assessment[3] - 2 * 86400) for code in ASSESSMENT_SET]
            for a in k.get("appointments", []):
                if a[2] == "medicine" and a[6] != "cancelled":
                    moments += [(code, a[3] - 2 * 86400) for code in ("PHQ-9", "GAD-7", "C-SSRS")]
                    moments.append(("PHQ-9", a[3] + 7 * 86400))
            for pid, user in zip(k["partners"], k["users"], strict=True):
                if user is None:
                    continue
                for code, at in moments:
                    if at > now:
                        continue
                    answers, total, band, flags = rng.choice(QUESTIONNAIRES[code])
                    review = code == "C-SSRS" or flags != "[]"
                    ack = k["clinician"] if review and at + 86400 < now else None
                    yield (
                        f"{self.ids.next('questionnaire')},{pid},{code},{answers},{total},"
                        f"{band},{q(flags)},{ts(at + rng.randint(0, 36000))},{user},{n(ack)},"
                        f"{ts(at + 86400) if ack else ''}"
                    )

    def make_followups(self) -> None:
        checkins, notes, alerts, due = [], [], [], []
        now = self.cal.now
        for k in self.couples:
            for a in k.get("appointments", []):
                if a[2] == "medicine" and a[6] == "completed":
                    for pid in k["partners"]:
                        for day in (1, 7):
                            at = a[3] + day * 86400
                            answered = at < now and (pid + day) % 5 != 0
                            checkins.append(
                                f"{self.ids.next('checkin')},{pid},{k['id']},{self.session_of(a)},"
                                f"{day},{ts(at)},{q('We talked for an hour.' if answered else '')},"
                                f"{q('Pausing before answering.' if answered else '')},"
                                f"{7 if answered else ''},{b(answered)},f,{b(answered)},"
                                f"{ts(at + 7200) if answered else ''}"
                            )
                if a[2] == "integration" and a[6] == "completed":
                    notes.append(
                        f"{self.ids.next('note')},{a[0]},{k['id']},{q(NOTE)},{q('Repair')},"
                        f"{q('Weekly walk')},{q('Next prep session')},signed,{k['clinician']},"
                        f"{k['clinician']},{ts(a[4] + 3600)},1,{q('')},{ts(a[4] + 3600)}"
                    )
            if k["phase"] == "active" and k["index"] % 9 == 1:
                alerts.append(self.alert_row(k, now))
            if k["phase"] == "active":
                for pid in k["partners"]:
                    for code in ("PHQ-9", "GAD-7", "C-SSRS"):
                        key = f"bench:{pid}:{code}:next"
                        due.append(
                            f"{self.ids.next('qdue')},{pid},{code},{q('Before your next session')},"
                            f"{ts(now - 3 * 86400)},{ts(now + 7 * 86400)},{q(key)},"
                        )
        self.load(
            self.m["CheckIn"],
            "id, partner_id, couple_id, medicine_session_id, day, due_at, came_up, practice, "
            "connection, share_came_up, share_practice, share_connection, answered_at",
            checkins,
        )
        self.load(
            self.m["IntegrationNote"],
            "id, appointment_id, couple_id, insights, relational_themes, agreements, "
            "next_steps, status, author_id, signed_by_id, signed_at, version, amendment_reason, "
            "updated_at",
            notes,
        )
        self.load(
            self.m["Alert"],
            "id, clinic_id, couple_id, partner_id, kind, urgency, message, dedupe_key, "
            "raised_at, acknowledged_by_id, acknowledged_at",
            alerts,
        )
        self.load(
            self.m["QuestionnaireDue"],
            "id, partner_id, code, reason, opens_at, due_at, key, cancelled_at",
            due,
        )

    def session_of(self, appointment) -> int:
        return self.session_by_appointment[appointment[0]]

    def alert_row(self, k, now) -> str:
        aid = self.ids.next("alert")
        acknowledged = aid % 3 != 0
        return (
            f"{aid},{k['clinic']['id']},{k['id']},{k['partners'][0]},ptsd_pattern,routine,"
            f"{q('PCL-5 above the cut-off: review the response.')},bench-alert-{aid},"
            f"{ts(now - (aid % 30) * 86400)},{k['clinician'] if acknowledged else ''},"
            f"{ts(now - (aid % 30) * 86400 + 3600) if acknowledged else ''}"
        )

    # --- the outbox ---
    def make_reminders(self) -> None:
        self.load(
            self.m["Reminder"],
            "id, clinic_id, partner_id, staff_user_id, channel, kind, about_type_id, about_id, "
            "event_at, link_path, due_at, next_attempt_at, status, attempts, last_error, "
            "sent_at, idempotency_key, created_at",
            self.reminder_rows(),
        )

    def reminder_rows(self):
        target = self.counts["reminders"]
        total = len(self.appointments)
        emitted = 0
        for index, a in enumerate(self.appointments):
            budget = target * (index + 1) / total - emitted
            for row in self.reminders_for(a, budget):
                emitted += 1
                yield row
        k_index = 0
        while emitted < target:  # intake nudges until the target count
            k = self.couples[k_index % len(self.couples)]
            pid = k["partners"][k_index // len(self.couples) % 2]
            due = k["created"] + (3 + k_index // (2 * len(self.couples))) * 86400
            emitted += 1
            k_index += 1
            yield self.reminder(k, pid, None, "intake_nudge", None, due, f"nudge:{pid}:{k_index}")

    def reminders_for(self, a, budget: float):
        aid, k, kind, start, _end, _room, status, _reason, _s, _people, _day = a
        cancelled = status in ("cancelled", "no_show")
        rows = []
        for pid in k["partners"]:
            rows.append(("appointment_confirmation", pid, start - 14 * 86400, False))
            rows.append(("appointment_reminder", pid, start - 86400, cancelled))
            if kind == "medicine":
                rows.append(("preparation_instructions", pid, start - 2 * 86400, cancelled))
        if kind == "medicine" and status == "completed":
            for day in (1, 3, 7, 14):
                for pid in k["partners"]:
                    rows.append(("checkin_prompt", pid, start + day * 86400, False))
        if kind == "integration" and status == "completed" and aid % 50 == 0:
            rows.append(("missing_integration", None, start - 86400, False))
        for kind_name, pid, due, cancel in rows[: max(0, math.ceil(budget))]:
            key = f"{kind_name}:{aid}:{pid or 'staff'}:{int(due)}"
            yield self.reminder(k, pid, aid, kind_name, start, due, key, cancel)

    def reminder(self, k, pid, aid, kind, event, due, key, cancel=False) -> str:
        now = self.cal.now
        rid = self.ids.next("reminder")
        if cancel:
            status, attempts, sent, error = "cancelled", 0, None, ""
        elif due > now:
            status, attempts, sent, error = "pending", 0, None, ""
        elif rid % 97 == 0:
            status, attempts, sent, error = "failed", 5, None, "SMTP 550: mailbox unavailable"
        elif rid % 211 == 0:  # waiting for its retry
            status, attempts, sent, error = "pending", 2, None, "Connection timed out"
        else:
            status, attempts, sent, error = "sent", 1, due + 30, ""
        staff = k["clinician"] if pid is None else None
        channel = "sms" if pid is not None and rid % 5 == 0 else "email"
        about = self.content_types["appointment"] if aid else ""
        link = f"/appointments/{aid}/" if aid else "/portal/"
        retry = due + (attempts * 60 if status == "pending" else 0)
        return (
            f"{rid},{k['clinic']['id']},{n(pid)},{n(staff)},{channel},{kind},{about},{n(aid)},"
            f"{ts(event)},{link},{ts(due)},{ts(retry)},{status},{attempts},{q(error)},{ts(sent)},"
            f"{q(key)},{ts(min(due, now) - 86400)}"
        )

    # --- the audit log ---
    def make_access_log(self) -> None:
        self.load(
            self.m["AccessLog"],
            "at, user_id, clinic_id, action, object_type, object_id, path, ip_address, detail,"
            " couple_id, subject",
            self.access_rows(),
        )

    def access_rows(self):
        rng = random.Random(3)
        cal = self.cal
        span = (cal.today + 1) * 86400
        first = cal.midnight(0)
        per_clinic = self.counts["access_log"] // len(self.clinics)
        couples_by_clinic: dict[int, list] = {}
        for k in self.couples:
            couples_by_clinic.setdefault(k["clinic"]["id"], []).append(k["id"])
        for index, c in enumerate(self.clinics):
            count = per_clinic + (1 if index < self.counts["access_log"] % len(self.clinics) else 0)
            staff = c["clinical"] + c["staff"]["front_desk"]
            couples = couples_by_clinic.get(c["id"], [0])
            for _ in range(count):
                at = first + rng.random() * span
                action = pick(rng, ACCESS_ACTIONS)
                couple = rng.choice(couples)
                yield (
                    f"{ts(min(at, cal.now))},{rng.choice(staff)},{c['id']},{action},couple,"
                    f"{couple},/couples/{couple}/,10.1.{index % 250}.{rng.randrange(1, 250)},"
                    f"{q('break the glass: on call' if action == 'break_glass' else '')},"
                    f"{couple},{q(f'Couple {couple}')}"
                )

    # --- what the page benchmark uses ---
    def make_pool(self) -> None:
        for k in self.couples:
            clinic = k["clinic"]["id"]
            if k["pool"] and k.get("awaiting_after") is not None and _ready_as_placed(k):
                after = self.cal.midnight(k["awaiting_after"])
                self.pool.append(("booking", clinic, k["id"], None, None, k["clinician"], after))
            if k["phase"] == "enrolling":
                for pid, user in zip(k["partners"], k["users"], strict=True):
                    if user is not None:
                        self.pool.append(("intake", clinic, k["id"], pid, None, user))
            if k["phase"] == "active" and not k["pool"]:
                for pid, user in zip(k["partners"], k["users"], strict=True):
                    self.pool.append(("questionnaire", clinic, k["id"], pid, None, user))
        self.cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_pool (kind text, clinic_id bigint, couple_id bigint,"
            " partner_id bigint, session_id bigint, user_id bigint, not_before timestamptz)"
        )
        self.cur.execute("TRUNCATE bench_pool")
        pool_table = type(
            "T",
            (),
            {
                "name": "bench_pool",
                "suffix": "\n",
                "rows": 0,
                "columns": [
                    "kind",
                    "clinic_id",
                    "couple_id",
                    "partner_id",
                    "session_id",
                    "user_id",
                    "not_before",
                ],
            },
        )()
        copy(
            self.cur,
            pool_table,
            (
                ",".join([p[0]] + [n(x) for x in p[1:6]] + [ts(p[6]) if len(p) > 6 else ""])
                for p in self.pool
            ),
        )
        kinds = {}
        for p in self.pool:
            kinds[p[0]] = kinds.get(p[0], 0) + 1
        print(f"  bench_pool: {kinds}")


# --- Static content ---------------------------------------------------------------------------
INTAKE_SLUGS = [
    "about",
    "emergency",
    "medical",
    "medications",
    "experience",
    "mental_health",
    "goals",
    "transport",
]
CONSENT_BODY = (
    "I understand that ketamine-assisted therapy involves a medicine given in the clinic, "
    "that I will be monitored until I am discharged, and that I must not drive until the "
    "next day. " * 6
)
PLAN_GOALS = "Rebuild trust after a difficult year; communicate without escalation."
NOTE = "Both partners described feeling closer; they want to keep the weekly check-in."
CANCEL_REASONS = ["Illness", "Work conflict", "Couple asked to move it", "Childcare"]
ACCESS_ACTIONS = [("read", 0.9), ("denied", 0.06), ("lockout", 0.01), ("break_glass", 0.03)]
ASSESSMENT_SET = ("PHQ-9", "GAD-7", "PCL-5", "CSI-4", "C-SSRS")
INTAKE_ANSWERS: dict = {}
INTAKE_ANSWERS_CSV = ""
FINDINGS_CSV = ""
QUESTIONNAIRES: dict[str, list] = {}


def answers_csv(steps: list[str]) -> str:
    if len(steps) == len(INTAKE_SLUGS):
        return INTAKE_ANSWERS_CSV
    return js({step: INTAKE_ANSWERS[step] for step in steps})


def prepare_static() -> None:
    """Answers and scores built from the app's own instruments and contraindication list."""
    global INTAKE_ANSWERS_CSV, FINDINGS_CSV
    from intake import contraindications, instruments

    medical = {item.key: False for item in contraindications.ITEMS}
    INTAKE_ANSWERS.update(
        {
            "about": {
                "date_of_birth": "1984-05-17",
                "pronouns": "",
                "phone": "+1 555 0100100",
                "address": "12 Harbour Street",
                "occupation": "Teacher",
            },
            "emergency": {
                "emergency_contact_name": "Sam Rivera",
                "emergency_contact_relationship": "sister",
                "emergency_contact_phone": "+1 555 0100101",
            },
            "medical": {**medical, "other_conditions": "", "allergies": "None known"},
            "medications": {"medications": [], "none": True},
            "experience": {"prior_ketamine": "never", "prior_psychedelics": "once", "details": ""},
            "mental_health": {
                "diagnoses": "Mild anxiety",
                "current_treatment": "",
                "hospitalisations": "no",
                "details": "",
            },
            "goals": {"goals": "To understand each other again."},
            "transport": {
                "transport_mode": "driven",
                "driver_name": "Sam Rivera",
                "driver_phone": "+1 555 0100101",
            },
        }
    )
    INTAKE_ANSWERS_CSV = js(INTAKE_ANSWERS)
    FINDINGS_CSV = js(medical)
    rng = random.Random(1)
    for code, instrument in instruments.INSTRUMENTS.items():
        patterns = []
        for attempt in range(200):
            answers = []
            for item in instrument.items:
                values = [o.value for o in item.options]
                low = values[: max(1, len(values) // 2)] if code != "CSI-4" else values[-2:]
                answers.append(rng.choice(low) if attempt % 7 else rng.choice(values))
            if code == "C-SSRS":
                answers = [0, 0, None, None, None, 0]  # 3-5 not asked after a no to 2
                if attempt % 5 == 0:
                    answers[0] = 1
            try:
                score = instruments.score(code, answers)
            except ValueError:
                continue
            flags = sorted(score.flags)
            if flags and attempt % 10:
                continue
            patterns.append((js(answers), score.total, q(score.band), json.dumps(flags)))
            if len(patterns) >= 12:
                break
        QUESTIONNAIRES[code] = patterns


# --- Database ------------------------------------------------------------------------------------
BIG_TABLES_EXCLUDED = ("django_", "auth_", "axes_", "otp_", "bench_")


def admin_connection(url: str):
    import psycopg2

    base = url.rsplit("/", 1)[0]
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    return conn


def recreate_database(url: str, name: str) -> None:
    conn = admin_connection(url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            [name],
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def database_exists(url: str, name: str) -> bool:
    conn = admin_connection(url)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cur.fetchone() is not None
    conn.close()
    return found


def filled_scale(url: str) -> tuple[float, float] | None:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('bench_fill')")
            if cur.fetchone()[0] is None:
                return None
            cur.execute("SELECT scale, seconds FROM bench_fill WHERE finished_at IS NOT NULL")
            row = cur.fetchone()
            return (float(row[0]), float(row[1])) if row else None
    finally:
        conn.close()


def _ready_as_placed(k) -> bool:
    """The booking gate's items 1, 4 and 5 on the appointments as placed, not as planned:
    an assessment completed (not a no-show), two preparation sessions since the couple's
    last medicine session, and the integration after it held. Placing moves an
    appointment, and those after it, to the next free slot, or drops it when none is
    free."""
    held = [a for a in k["appointments"] if a[6] != "cancelled"]
    if not any(a[2] == "assessment" and a[6] == "completed" for a in held):
        return False
    medicine = [i for i, a in enumerate(held) if a[2] == "medicine"]
    since = held[medicine[-1] + 1 :] if medicine else held
    preparations = sum(a[2] == "preparation" for a in since)
    integration_held = not medicine or any(
        a[2] == "integration" and a[6] == "completed" for a in since
    )
    return preparations >= 2 and integration_held


def strip_tables(cur, tables: list[str]) -> list[str]:
    """Drop foreign keys, unique and exclusion constraints and secondary indexes of
    `tables`; return the statements that put them back."""
    restore_indexes, restore_constraints = [], []
    for table in tables:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'x')",
            [table],
        )
        constraints = cur.fetchall()
        for name, definition, _ in constraints:
            restore_constraints.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT "
            "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        for name, definition in cur.fetchall():
            restore_indexes.append(definition)
            cur.execute(f'DROP INDEX "{name}"')
    return restore_indexes + restore_constraints


def models_by_name() -> dict:
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from intake.models import Couple
    from sessions.models import Appointment

    wanted = {
        "kapcouples": ["User", "Clinic", "Room", "StaffMembership", "AccessLog"],
        "intake": [
            "Couple",
            "Partner",
            "ScreeningSettings",
            "Invitation",
            "IntakeForm",
            "QuestionnaireResponse",
            "ContraindicationReview",
            "Prescription",
            "ConsentText",
            "Consent",
        ],
        "clinic_sessions": [
            "ProtocolSettings",
            "TreatmentPlan",
            "Appointment",
            "AppointmentClinician",
            "MedicineSession",
            "VitalSigns",
            "DoseAdministration",
            "Discharge",
        ],
        "integration": [
            "Alert",
            "MessagingSettings",
            "Reminder",
            "CheckIn",
            "IntegrationNote",
            "QuestionnaireDue",
        ],
        "maintenance": ["MaintenancePlan"],
    }
    found = {name: apps.get_model(app, name) for app, names in wanted.items() for name in names}
    found["CareTeam"] = Couple.care_team.through
    found["content_types"] = {"appointment": ContentType.objects.get_for_model(Appointment).pk}
    return found


def fill(scale: float, url: str) -> float:
    from django.db import connection

    models = models_by_name()
    prepare_static()
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = True
    started = time.monotonic()
    with raw.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        tables = sorted({m._meta.db_table for k, m in models.items() if k != "content_types"})
        restore = strip_tables(cur, tables)
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        generator = Fill(scale, cur, models, now)
        generator.session_by_appointment = {}
        generator.run()
        print(
            f"  generated and copied in {time.monotonic() - started:.0f} s; rebuilding "
            f"{len(restore)} indexes and constraints"
        )
        step = time.monotonic()
        for statement in restore:
            cur.execute(statement)
        print(f"  indexes and constraints rebuilt in {time.monotonic() - step:.0f} s")
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        step = time.monotonic()
        cur.execute("VACUUM (ANALYZE)")
        print(f"  vacuum analyze in {time.monotonic() - step:.0f} s")
        seconds = time.monotonic() - started
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_fill (scale numeric, started_at timestamptz, "
            "finished_at timestamptz, seconds numeric, counts jsonb)"
        )
        cur.execute(
            "INSERT INTO bench_fill VALUES (%s, %s, now(), %s, %s)",
            [scale, now, round(seconds, 1), json.dumps(generator.done)],
        )
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", help="default: kapcouples_bench_full / _tenth / _<scale>")
    parser.add_argument("--refill", action="store_true", help="drop and fill again")
    args = parser.parse_args(argv)
    name = args.database or database_name(args.scale)
    if not name.startswith("kapcouples_bench"):
        parser.error("the benchmark only writes to databases named kapcouples_bench*")
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    url = f"{server}/{name}"
    if database_exists(url, name) and not args.refill:
        done = filled_scale(url)
        if done and done[0] == args.scale:
            print(
                f"{name} is already filled at scale {args.scale} ({done[1]:.0f} s); "
                "--refill to fill again"
            )
            return 0
        if done:
            parser.error(f"{name} holds scale {done[0]}; pass --refill to replace it")
    recreate_database(url, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapcouples.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(
        f"{name}: migrated in {time.monotonic() - started:.0f} s; filling at scale "
        f"{args.scale} {scaled(args.scale)}"
    )
    seconds = fill(args.scale, url)
    print(f"{name}: filled at scale {args.scale} in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
