from django.db import migrations

from leadpact.dbguards import forbid_update


class Migration(migrations.Migration):
    dependencies = [("pact", "0001_initial")]

    operations = [
        forbid_update("pact_pactversion", "a pact version never changes: propose a new version",
                      columns=("name", "version", "text", "sha256", "effective", "timezone"),
                      when="OLD.text <> NEW.text OR OLD.sha256 <> NEW.sha256 OR OLD.version <> NEW.version "
                           "OR OLD.effective <> NEW.effective OR OLD.name <> NEW.name OR OLD.timezone <> NEW.timezone"),
        forbid_update("pact_pactsignature", "a signature never changes"),
    ]
