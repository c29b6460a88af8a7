"""Re-encrypt every stored BSN with the first of BSN_ENCRYPTION_KEYS and recompute every keyed
hash with BSN_HASH_KEY, in batches, in one transaction (all rows or none).

Rotation (SECURITY.md, "BSN"): put the new Fernet key in front of BSN_ENCRYPTION_KEYS (keep the
old one behind it), and/or set the new BSN_HASH_KEY with the old one in BSN_HASH_KEY_FALLBACKS;
deploy; run this command; then remove the old keys. The old hash key is only needed for lookups
until the command ran: the hashes are recomputed from the decrypted BSNs.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.core import bsn_crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every BSN with the first BSN_ENCRYPTION_KEYS key and recompute its hash "
        "with BSN_HASH_KEY (one transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per UPDATE")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.", returncode=2)
        errors = bsn_crypto.configuration_errors()
        if errors:
            raise CommandError(" ".join(message for _, message in errors))
        with transaction.atomic():
            rotated = sum(len(batch) for batch in _rotated_batches(batch_size))
        self.stdout.write(
            f"{rotated} budget holders: BSN re-encrypted with the first key and its hash "
            "recomputed with BSN_HASH_KEY."
        )


def _rotated_batches(batch_size: int):
    """Each batch read (locked) in primary-key order, decrypted with any key, then written
    back encrypted with the first key, with its hash under the current hash key."""
    last_pk = 0
    while True:
        batch = list(
            BudgetHolder.objects.select_for_update()
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "bsn", "bsn_hash")[:batch_size]
        )
        if not batch:
            return
        for holder in batch:
            holder.bsn_hash = bsn_crypto.hash_bsn(holder.bsn)
        # bulk_update writes ``bsn`` through the field, so it is encrypted with the first key
        BudgetHolder.objects.bulk_update(batch, ["bsn", "bsn_hash"])
        last_pk = batch[-1].pk
        yield batch
