"""The demo's messages: Alex's private question answered by the clinician, and a message
from Sam to both partners the clinician has not read; seeding twice adds nothing."""

from django.core.management import call_command

from intake.models import Partner
from kapcouples.models import User
from messaging import selectors
from messaging.models import Conversation


def test_the_demo_has_an_answered_private_question_and_an_unread_message(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    alex = Partner.objects.get(email="alex@demo.kap")
    clinician = User.objects.get(email="clinician@demo.kap")
    private = Conversation.objects.get(partner=alex)
    assert [m.author for m in private.messages.all()] == [alex.user, clinician]
    assert Conversation.objects.filter(couple=alex.couple).count() == 2
    assert selectors.unread_count(clinician) == 1
    sam = Partner.objects.get(email="sam@demo.kap")
    assert selectors.unread_count(sam.user) == 0  # Sam's own message; Alex's is private
    assert selectors.unread_count(alex.user) == 2  # the clinician's reply and Sam's message
