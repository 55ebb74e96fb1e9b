"""The demo's reflections: one written by one partner and kept, one shared with the care team."""

from django.core.management import call_command

from integration.models import Reminder, SharedReflection


def reflection_of(email: str) -> SharedReflection:
    return SharedReflection.objects.get(couple__partners__email=email)


def test_the_demo_has_a_reflection_kept_by_the_couple_and_one_shared_and_runs_twice(db):
    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")
    brooks = reflection_of("jamie.brooks@demo.kap")
    assert [e.partner.email for e in brooks.entries.all()] == ["jamie.brooks@demo.kap"]
    assert not brooks.shared_with_care_team
    prompts = Reminder.objects.about(brooks).filter(kind=Reminder.Kind.REFLECTION_PROMPT)
    assert {(r.partner.first_name, r.status) for r in prompts} == {
        ("Jamie", Reminder.Status.CANCELLED),  # written: not prompted
        ("Quinn", Reminder.Status.PENDING),
    }
    nguyen = reflection_of("taylor.nguyen@demo.kap")
    assert nguyen.entries.count() == 2
    assert nguyen.shared_with_care_team
    assert nguyen.sharing_changed_by.email == "taylor.nguyen@demo.kap"
