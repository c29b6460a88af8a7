# The BSN at rest: encrypted (Fernet) in a new column bsn_encrypted, found through a unique keyed
# hash (HMAC-SHA256) in bsn_hash; the plaintext column is dropped. Reversible: going back
# decrypts into a plaintext column again. Keys: BSN_ENCRYPTION_KEYS and BSN_HASH_KEY (SECURITY.md).

from django.db import migrations, models

import pgb_admin.core.fields

BATCH = 1000


def encrypt_bsns(apps, schema_editor):
    from pgb_admin.core import bsn_crypto

    BudgetHolder = apps.get_model("budgets", "BudgetHolder")
    holders = BudgetHolder.objects.using(schema_editor.connection.alias).order_by("pk")
    batch = []
    for holder in holders.only("pk", "bsn").iterator(chunk_size=BATCH):
        holder.bsn_ciphertext = bsn_crypto.encrypt(holder.bsn)
        holder.bsn_hash = bsn_crypto.hash_bsn(holder.bsn)
        batch.append(holder)
        if len(batch) == BATCH:
            BudgetHolder.objects.bulk_update(batch, ["bsn_ciphertext", "bsn_hash"])
            batch = []
    BudgetHolder.objects.bulk_update(batch, ["bsn_ciphertext", "bsn_hash"])


def decrypt_bsns(apps, schema_editor):
    from pgb_admin.core import bsn_crypto

    BudgetHolder = apps.get_model("budgets", "BudgetHolder")
    holders = BudgetHolder.objects.using(schema_editor.connection.alias).order_by("pk")
    batch = []
    for holder in holders.only("pk", "bsn_ciphertext").iterator(chunk_size=BATCH):
        holder.bsn = bsn_crypto.decrypt(holder.bsn_ciphertext)
        batch.append(holder)
        if len(batch) == BATCH:
            BudgetHolder.objects.bulk_update(batch, ["bsn"])
            batch = []
    BudgetHolder.objects.bulk_update(batch, ["bsn"])


class Migration(migrations.Migration):

    dependencies = [
        ("budgets", "0003_budget_declared"),
    ]

    operations = [
        # the plaintext column loses its unique index first (and may be empty on the way back)
        migrations.AlterField(
            model_name="budgetholder",
            name="bsn",
            field=pgb_admin.core.fields.BSNField(
                help_text="Burgerservicenummer; shown in full only to the holder and representatives.",
                null=True,
                verbose_name="BSN",
            ),
        ),
        migrations.AddField(
            model_name="budgetholder",
            name="bsn_ciphertext",
            field=models.TextField(db_column="bsn_encrypted", null=True),
        ),
        migrations.AddField(
            model_name="budgetholder",
            name="bsn_hash",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(encrypt_bsns, decrypt_bsns),
        migrations.RemoveField(
            model_name="budgetholder",
            name="bsn",
        ),
        migrations.RenameField(
            model_name="budgetholder",
            old_name="bsn_ciphertext",
            new_name="bsn",
        ),
        migrations.AlterField(
            model_name="budgetholder",
            name="bsn",
            field=pgb_admin.core.fields.EncryptedBSNField(
                db_column="bsn_encrypted",
                help_text="Burgerservicenummer; shown in full only to the holder and representatives.",
                verbose_name="BSN",
            ),
        ),
        migrations.AlterField(
            model_name="budgetholder",
            name="bsn_hash",
            field=pgb_admin.core.fields.BSNHashField(unique=True),
        ),
    ]
