"""Hours, costs, declarations and their exports: the writes, a module per job (``hours`` with the
checks of ``hour_checks``, ``declarations``, ``findings``, ``batches``, ``retention``; ``common``
is what they share). Every change is one transaction, scoped to the actor."""
