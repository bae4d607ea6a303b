from django.db import migrations

from leadpact.dbguards import forbid_delete


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_submission_key_per_sender")]

    operations = [forbid_delete("leads_leadevent", "lead history is append-only: events are never deleted")]
