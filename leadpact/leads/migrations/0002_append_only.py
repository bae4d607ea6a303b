from django.db import migrations

from leadpact.dbguards import forbid_update


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [forbid_update("leads_leadevent", "lead history is append-only: events are never changed")]
