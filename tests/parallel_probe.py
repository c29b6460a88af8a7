"""Run only by tests/test_parallel_run.py, in a pytest of its own with two xdist workers (the
file name keeps it out of the suite): one test stores a BSN, the other logs it, and each
counts a contract request."""

import logging

from pgb_admin.core import bsn_crypto

from .api.fuzz_tally import CASES

BSN = "111222333"  # passes the 11-proef


def test_stores_a_bsn(db):
    bsn_crypto.hash_bsn(BSN)
    CASES["holder", 200] += 1


def test_logs_it(db):
    logging.getLogger("pgb_admin").warning("a number: %s", BSN)
    CASES["holder", 404] += 1
