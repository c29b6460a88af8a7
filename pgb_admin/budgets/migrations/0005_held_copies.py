# Held copies: a holder registered with the BSN of a holder the registrar does not act for
# (duplicate_of), awaiting the back office's review. The BSN and the SVB client number stay
# unique among registered holders; the keyed hash keeps a plain index for lookups.

import django.db.models.deletion
import pgb_admin.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0004_budgetholder_bsn_encrypted"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="budgetholder",
            name="budget_holder_unique_svb_client_number",
        ),
        migrations.AddField(
            model_name="budgetholder",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Registered with the BSN of this holder by someone who does not act for them: awaiting the back office's review, and outside every auditor's scope.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="held_copies",
                to="budgets.budgetholder",
                verbose_name="held copy of",
            ),
        ),
        migrations.AlterField(
            model_name="budgetholder",
            name="bsn_hash",
            field=pgb_admin.core.fields.BSNHashField(db_index=True),
        ),
        migrations.AddConstraint(
            model_name="budgetholder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("duplicate_of__isnull", True)),
                fields=("bsn_hash",),
                name="budget_holder_unique_bsn",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetholder",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("svb_client_number", ""), _negated=True),
                    ("duplicate_of__isnull", True),
                ),
                fields=("svb_client_number",),
                name="budget_holder_unique_svb_client_number",
            ),
        ),
    ]
