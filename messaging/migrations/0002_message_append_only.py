# A message is a record of what was said to or by a patient: its rows are never rewritten
# or removed, whoever asks (the application refuses too; see MessageQuerySet).

from django.db import migrations

from kapcouples.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [append_only("messaging_message")]
