"""Input only: the services check the text again and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kapcouples.forms import submit_helper
from messaging.models import BODY_MAX_CHARS, SUBJECT_MAX_CHARS

BOTH = "both"
ONLY_ME = "me"


def body_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your message"),
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Write your message before sending."),
            "max_length": _(
                "Keep your message to %(limit_value)s characters; this one has %(show_value)s. "
                "Nothing is lost: shorten it, or send the rest in a second message."
            ),
        },
    )


def subject_field() -> forms.CharField:
    return forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX_CHARS,
        help_text=_("A few words, e.g. “Question about next week”."),
        error_messages={
            "required": _("Give the conversation a subject."),
            "max_length": _("Keep the subject to %(limit_value)s characters."),
        },
    )


class _MessageForm(forms.Form):
    submit_label = _("Send")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(self.submit_label)
        for field in self.fields.values():
            # No browser limit: a pasted text cut short would be lost; the error says so.
            field.widget.attrs.pop("maxlength", None)


class ReplyForm(_MessageForm):
    body = body_field()

    submit_label = _("Send reply")


class PartnerStartForm(_MessageForm):
    audience = forms.ChoiceField(
        label=_("Who should read it?"),
        choices=[
            (ONLY_ME, _("Only me and my care team")),
            (BOTH, _("Both of us and our care team")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "“Only me” keeps it private: your partner never sees it. “Both of us” lets your "
            "partner read it and reply too. You cannot change this later."
        ),
        error_messages={"required": _("Choose who should read it.")},
    )
    subject = subject_field()
    body = body_field()

    submit_label = _("Send message")


class CareTeamStartForm(_MessageForm):
    """To one partner (private) or both; `partners` are the couple's partners."""

    to = forms.ChoiceField(
        label=_("To"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who should read it.")},
    )
    subject = subject_field()
    body = body_field()

    submit_label = _("Send message")

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = {str(p.pk): p for p in partners}
        self.fields["to"].choices = [
            *(
                (pk, _("Only %(name)s (private from their partner)") % {"name": p.first_name})
                for pk, p in self.partners.items()
            ),
            (BOTH, _("Both partners")),
        ]

    def addressee(self):
        """The partner chosen, or None for both."""
        return self.partners.get(self.cleaned_data["to"])
