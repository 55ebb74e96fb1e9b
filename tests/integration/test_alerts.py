from integration.models import Alert
from integration.services import alert_raise


def test_raising_the_same_alert_twice_keeps_one(cast):
    first = alert_raise(
        couple=cast.couple,
        partner=cast.partner_a,
        kind=Alert.Kind.SUICIDE_RISK,
        message="PHQ-9 item 9 answered above 0",
        dedupe_key="phq9:1",
        urgent=True,
    )
    again = alert_raise(
        couple=cast.couple, kind=Alert.Kind.SUICIDE_RISK, message="again", dedupe_key="phq9:1"
    )
    assert again.pk == first.pk
    assert Alert.objects.count() == 1
    assert first.urgency == Alert.Urgency.URGENT
    assert first.clinic == cast.clinic
