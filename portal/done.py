"""What the "what happens next" page says after each partner form (`?done=<key>`).

Only these keys are shown; any other value is ignored, so the page never echoes input.
A form of another app points at `portal:next` with its key: see `next_url`.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Done:
    received: str
    then: str


DONE = {
    "intake": Done(
        _("Thank you: your intake form is submitted."),
        _(
            "Your care team reads it before your assessment, and gets in touch if anything "
            "needs a word with you. You can read it again, or amend it, from your portal."
        ),
    ),
    "questionnaire": Done(
        _("Thank you: your questionnaire is saved."),
        _("Your care team sees your answers and talks them through with you in your sessions."),
    ),
    "consent": Done(
        _("Thank you: your consent is signed."),
        _("A copy stays on your record; your care team can now plan your treatment with you."),
    ),
    "checkin": Done(
        _("Thank you: your check-in is saved."),
        _(
            "Your care team reads it before your integration session. Answers you chose to "
            "share are shown to your partner too."
        ),
    ),
    "intentions": Done(
        _("Your shared intentions are saved."),
        _("Your partner sees them as well; you will work with them in your sessions."),
    ),
    "profile": Done(
        _("Your details are saved."),
        _("Reminders from now on use your new details, time zone and quiet hours."),
    ),
    "preparation": Done(
        _("Your preparation is saved."),
        _("Your care team checks it with you before your medicine session."),
    ),
    "ride_home": Done(
        _("Your ride home is confirmed."),
        _("The care team will hand you over to this person after your medicine session."),
    ),
    "reflection": Done(
        _("Your reflection is saved."),
        _("You and your partner will talk it through in your next integration session."),
    ),
    "message": Done(
        _("Your message is sent."),
        _("Your care team answers during the clinic's opening hours."),
    ),
}


def done_for(key: str | None) -> Done | None:
    return DONE.get(key or "")


def next_url(key: str) -> str:
    """Where a partner form sends the partner once it has saved: `portal:next?done=<key>`."""
    if key not in DONE:
        raise KeyError(f"{key!r} is not a known form: add it to portal.done.DONE")
    return f"{reverse('portal:next')}?{urlencode({'done': key})}"
