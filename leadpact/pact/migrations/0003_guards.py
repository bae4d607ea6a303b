"""The agreement's record cannot be rewritten: versions and signatures are never deleted, a version's every stored
field is fixed, and its start is written once, only after both sides signed, in the order of the version numbers."""

from django.db import migrations

from leadpact.dbguards import changed, forbid_delete, refuse

START_SET = "OLD.in_force_from IS NULL AND NEW.in_force_from IS NOT NULL"
BOTH_SIGNED = ("(SELECT COUNT(DISTINCT s.side) FROM pact_pactsignature s WHERE s.version_id = NEW.id "
               "AND s.sha256 = NEW.sha256 AND s.side IN ('marketing', 'sales')) = 2")
OUT_OF_ORDER = ("EXISTS (SELECT 1 FROM pact_pactversion o WHERE o.id <> NEW.id AND o.in_force_from IS NOT NULL AND "
                "((o.version < NEW.version AND o.in_force_from >= NEW.in_force_from) OR "
                "(o.version > NEW.version AND o.in_force_from <= NEW.in_force_from)))")
NOT_SIGNED = "a version is in force only once marketing and sales both signed its text"


class Migration(migrations.Migration):
    dependencies = [("pact", "0002_immutable")]

    operations = [
        forbid_delete("pact_pactversion", "a pact version is never deleted: it is the record of what was agreed"),
        forbid_delete("pact_pactsignature", "a signature is never deleted"),
        refuse("UPDATE", "pact_pactversion", "pact_pactversion_record",
               "a pact version never changes: propose a new version",
               columns=("id", "summary", "proposed_by_id", "proposed_at"),
               when=changed("id", "summary", "proposed_by_id", "proposed_at")),
        refuse("UPDATE", "pact_pactversion", "pact_pactversion_start_once",
               "a signed version's start never changes: propose a new version",
               columns=("in_force_from",), when=f"OLD.in_force_from IS NOT NULL AND ({changed('in_force_from')})"),
        refuse("UPDATE", "pact_pactversion", "pact_pactversion_start_signed", NOT_SIGNED,
               columns=("in_force_from",), when=f"{START_SET} AND NOT ({BOTH_SIGNED})"),
        refuse("UPDATE", "pact_pactversion", "pact_pactversion_start_order",
               "signed versions start in the order of their numbers: a newer version starts after the older ones",
               columns=("in_force_from",), when=f"{START_SET} AND {OUT_OF_ORDER}"),
        refuse("INSERT", "pact_pactversion", "pact_pactversion_start_unsigned", NOT_SIGNED,
               when="NEW.in_force_from IS NOT NULL"),
    ]
