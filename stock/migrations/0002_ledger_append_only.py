# The controlled-substance ledger is a legal record: its rows are never rewritten or
# removed, whoever asks (a mistake is put right by a correction entry).

from django.db import migrations

from kapcouples.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("stock", "0001_initial")]

    operations = [append_only("stock_stockentry")]
