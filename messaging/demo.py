"""This app's part of `manage.py seed_demo` (safe to run twice): Alex's private question
to the care team with the clinician's reply, and a message from Sam to both partners that
the clinician has not read yet."""

from intake.models import Partner
from kapcouples.demo import DemoSeed
from kapcouples.models import Role
from messaging import services
from messaging.models import Conversation

ALEX_ASKS = (
    "I have been sleeping badly since the last session and wake up around 4 every night. "
    "Is that something to worry about, or should I just mention it next time?"
)
CLINICIAN_REPLIES = (
    "Thank you for telling us, Alex. Broken sleep for a few nights after a session is common "
    "and usually settles within a week. Keep a short note of it, and we will talk it through "
    "at your integration session. If it goes on longer, write again."
)
SAM_WRITES = (
    "Could we move our next preparation session to a later time? We both work until five "
    "on Thursdays."
)


def seed(demo: DemoSeed) -> None:
    clinician = demo.staff.get(Role.CLINICIAN)
    alex = Partner.objects.filter(email="alex@demo.kap").select_related("couple", "user").first()
    sam = Partner.objects.filter(email="sam@demo.kap").select_related("couple", "user").first()
    if clinician is None or alex is None or sam is None:
        return
    if Conversation.objects.filter(couple=alex.couple).exists():
        return
    private, _first = services.conversation_start(
        couple=alex.couple,
        by=alex.user,
        partner=alex,
        subject="Sleep since the session",
        body=ALEX_ASKS,
    )
    services.message_post(conversation=private, by=clinician, body=CLINICIAN_REPLIES)
    services.conversation_start(
        couple=sam.couple, by=sam.user, partner=None, subject="Thursday times", body=SAM_WRITES
    )
