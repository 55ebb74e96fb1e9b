from django.conf import settings
from django.db import migrations, models

ASKED_AFTER_YES_TO_2 = (2, 3, 4)  # questions 3-5, by index


def skipped_questions_not_asked(apps, schema_editor):
    """Earlier screeners stored questions 3-5 as "No" (0) after a no to question 2; they
    were never asked, so they become null. A yes to 3-5 after a no to 2 is a partner's
    own answer about suicide risk: it is never rewritten here, and the migration stops
    naming the responses so that a clinician decides about them."""
    Response = apps.get_model("intake", "QuestionnaireResponse")
    contradicting = []
    for response in Response.objects.filter(code="C-SSRS").only("pk", "answers"):
        answers = list(response.answers)
        if len(answers) != 6 or answers[1] != 0:
            continue
        if any(answers[index] for index in ASKED_AFTER_YES_TO_2):
            contradicting.append(response.pk)
            continue
        for index in ASKED_AFTER_YES_TO_2:
            answers[index] = None
        Response.objects.filter(pk=response.pk).update(answers=answers)
    if contradicting:
        raise RuntimeError(
            "C-SSRS responses with a yes to question 3, 4 or 5 after a no to question 2 "
            f"need a clinician's decision before this migration: ids {contradicting}."
        )


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0007_partner_sms_opt_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(skipped_questions_not_asked, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='questionnaireresponse',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('code', 'C-SSRS'), _negated=True), models.Q(('answers__1', 0), ('answers__2', None), ('answers__3', None), ('answers__4', None)), models.Q(('answers__1', 1), ('answers__2__in', [0, 1]), ('answers__3__in', [0, 1]), ('answers__4__in', [0, 1])), _connector='OR'), name='questionnaire_cssrs_skip_after_no_to_2'),
        ),
    ]
