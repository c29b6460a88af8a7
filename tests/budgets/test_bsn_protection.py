"""The BSN at rest: encrypted (randomised), unique and found through its keyed hash; keys from
the settings, rotated by ``rotate_bsn_keys``; missing or wrong keys are a system check error."""

import hashlib
import hmac
from datetime import date

from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

import pytest
from cryptography.fernet import Fernet, InvalidToken

from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.core import bsn_crypto
from pgb_admin.core.checks import check_bsn_keys, check_stored_bsns_decrypt

from ..factories import BudgetHolderFactory, bsn_from
from ..test_settings_and_tasks import deploy_check

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
OLD_HASH_KEY = "an-old-hash-key-of-at-least-thirty-two-characters"
NEW_HASH_KEY = "a-new-hash-key-of-at-least-thirty-two-characters!"


def _stored(holder) -> tuple[str, str]:
    """The row as the database holds it: the token and the hash."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bsn_encrypted, bsn_hash FROM budgets_budgetholder WHERE id = %s", [holder.pk]
        )
        return cursor.fetchone()


def _hmac(key: str, bsn: str) -> str:
    return hmac.new(key.encode(), bsn.encode(), hashlib.sha256).hexdigest()


def test_the_database_holds_a_randomised_token_not_the_bsn(db):
    first = BudgetHolderFactory(bsn="999996708")
    token, digest = _stored(first)
    assert "999996708" not in token + digest
    assert token.startswith("gAAAAA")  # a Fernet token
    assert bsn_crypto.decrypt(token) == "999996708"
    # the same BSN never encrypts to the same text: saving again gives a new token
    first.save()
    assert _stored(first)[0] != token
    assert bsn_crypto.encrypt("999996708") != bsn_crypto.encrypt("999996708")
    second = BudgetHolderFactory(bsn="999996630")
    assert _stored(second)[0] != _stored(first)[0]
    assert BudgetHolder.objects.get(pk=first.pk).bsn == "999996708"


def test_the_hash_is_an_hmac_under_the_hash_key_and_finds_the_holder(db, settings):
    holder = BudgetHolderFactory(bsn="999996708")
    assert _stored(holder)[1] == _hmac(settings.BSN_HASH_KEY, "999996708")
    for typed in ("999996708", "9999 96 708", "9999.96.708"):
        assert list(BudgetHolder.objects.with_bsn(typed)) == [holder]
    assert not BudgetHolder.objects.with_bsn("999996630").exists()
    assert not BudgetHolder.objects.with_bsn("").exists()


def test_a_search_on_the_encrypted_column_is_refused(db):
    with pytest.raises(FieldError):
        list(BudgetHolder.objects.filter(bsn="999996708"))
    with pytest.raises(FieldError):
        list(BudgetHolder.objects.filter(bsn__startswith="9999"))
    assert not BudgetHolder.objects.filter(bsn__isnull=True).exists()


def test_the_database_refuses_a_bsn_twice_even_past_validation(db):
    BudgetHolderFactory(bsn="999996708")
    twin = BudgetHolder(
        initials="T.", surname="Wee", bsn="999996708", date_of_birth=date(2000, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetHolder.objects.bulk_create([twin])


def test_changing_the_bsn_with_update_fields_changes_its_hash(db, settings):
    holder = BudgetHolderFactory(bsn="999996708")
    holder.bsn = "999996630"
    holder.save(update_fields=["bsn"])
    assert _stored(holder)[1] == _hmac(settings.BSN_HASH_KEY, "999996630")
    assert BudgetHolder.objects.with_bsn("999996630").get() == holder


def test_rotation_re_encrypts_with_the_new_key_and_old_data_stays_readable(db):
    with override_settings(BSN_ENCRYPTION_KEYS=[OLD_KEY], BSN_HASH_KEY=OLD_HASH_KEY):
        holders = [BudgetHolderFactory(bsn=bsn_from(40_000_000 + n * 7)) for n in range(5)]
    bsns = {holder.pk: holder.bsn for holder in holders}
    old_tokens = {holder.pk: _stored(holder)[0] for holder in holders}

    # the new keys in front, the old ones behind them: everything still reads and is found
    with override_settings(
        BSN_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY],
        BSN_HASH_KEY=NEW_HASH_KEY,
        BSN_HASH_KEY_FALLBACKS=[OLD_HASH_KEY],
    ):
        assert {h.pk: h.bsn for h in BudgetHolder.objects.filter(pk__in=bsns)} == bsns
        assert BudgetHolder.objects.with_bsn(holders[0].bsn).get() == holders[0]
        call_command("rotate_bsn_keys", batch_size=2, stdout=(out := _Output()))
        assert "5 budget holders" in out.text  # nothing else counted: no other holders exist

    for holder in holders:
        token, digest = _stored(holder)
        assert token != old_tokens[holder.pk]
        assert Fernet(NEW_KEY).decrypt(token.encode()).decode() == holder.bsn
        with pytest.raises(InvalidToken):
            Fernet(OLD_KEY).decrypt(token.encode())
        assert digest == _hmac(NEW_HASH_KEY, holder.bsn)

    # after the rotation the old keys can go
    with override_settings(BSN_ENCRYPTION_KEYS=[NEW_KEY], BSN_HASH_KEY=NEW_HASH_KEY):
        assert {h.pk: h.bsn for h in BudgetHolder.objects.filter(pk__in=bsns)} == bsns
        assert BudgetHolder.objects.with_bsn(holders[3].bsn).get() == holders[3]
        assert check_stored_bsns_decrypt(None, databases=["default"]) == []


def test_rotation_refuses_unusable_keys_and_changes_nothing(db):
    holder = BudgetHolderFactory()
    token = _stored(holder)[0]
    with (
        override_settings(BSN_ENCRYPTION_KEYS=["not-a-key"]),
        pytest.raises(Exception, match="Fernet"),
    ):
        call_command("rotate_bsn_keys", stdout=_Output())
    assert _stored(holder)[0] == token


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text, *args, **kwargs):
        self.text += text


def _ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {error.id for error in check_bsn_keys(None)}


def test_missing_keys_with_debug_off_are_check_errors():
    assert _ids(DEBUG=False, BSN_ENCRYPTION_KEYS=[], BSN_HASH_KEY="") == {
        "pgb_admin.E002",
        "pgb_admin.E004",
    }


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"BSN_ENCRYPTION_KEYS": ["too-short"]}, "pgb_admin.E003"),
        ({"BSN_ENCRYPTION_KEYS": [NEW_KEY, "x" * 44]}, "pgb_admin.E003"),
        ({"BSN_HASH_KEY": "short"}, "pgb_admin.E004"),
        ({"BSN_HASH_KEY_FALLBACKS": ["short"]}, "pgb_admin.E004"),
        ({"BSN_ENCRYPTION_KEYS": [NEW_KEY], "BSN_HASH_KEY": NEW_KEY}, "pgb_admin.E005"),
        (
            {
                "BSN_HASH_KEY": "a-secret-key-that-is-also-the-hash-key",
                "SECRET_KEY": "a-secret-key-that-is-also-the-hash-key",
            },
            "pgb_admin.E005",
        ),
    ],
)
def test_wrong_keys_are_check_errors(overrides, check_id):
    assert _ids(DEBUG=False, **overrides) == {check_id}


def test_the_deploy_check_fails_without_the_bsn_keys(tmp_path):
    result = deploy_check(tmp_path, without=("BSN_ENCRYPTION_KEYS", "BSN_HASH_KEY"))
    assert result.returncode != 0
    assert "pgb_admin.E002" in result.stderr
    assert "pgb_admin.E004" in result.stderr


def test_the_test_settings_pass_the_checks_and_debug_derives_stable_keys():
    assert _ids() == set()
    derived = {"DEBUG": True, "BSN_ENCRYPTION_KEYS": [], "BSN_HASH_KEY": ""}
    assert _ids(**derived) == set()
    with override_settings(**derived):
        token, digest = bsn_crypto.encrypt("999996708"), bsn_crypto.hash_bsn("999996708")
    with override_settings(**derived):  # the same secret key: the same keys
        assert bsn_crypto.decrypt(token) == "999996708"
        assert bsn_crypto.hash_bsn("999996708") == digest
    with override_settings(**derived, SECRET_KEY="another-secret-key-gives-other-bsn-keys"):
        assert bsn_crypto.hash_bsn("999996708") != digest


def test_a_key_that_does_not_decrypt_the_stored_bsns_is_a_database_check_error(db, settings):
    BudgetHolderFactory()
    assert check_stored_bsns_decrypt(None, databases=["default"]) == []
    assert check_stored_bsns_decrypt(None, databases=None) == []  # only with --database
    with override_settings(BSN_ENCRYPTION_KEYS=[NEW_KEY]):
        assert [e.id for e in check_stored_bsns_decrypt(None, databases=["default"])] == [
            "pgb_admin.E006"
        ]
    with override_settings(BSN_HASH_KEY=NEW_HASH_KEY):
        assert [e.id for e in check_stored_bsns_decrypt(None, databases=["default"])] == [
            "pgb_admin.E007"
        ]
    # during a rotation the old hash key is a fallback: no error
    with override_settings(
        BSN_HASH_KEY=NEW_HASH_KEY, BSN_HASH_KEY_FALLBACKS=[settings.BSN_HASH_KEY]
    ):
        assert check_stored_bsns_decrypt(None, databases=["default"]) == []


def test_a_stored_bsn_that_no_key_decrypts_is_an_error_not_a_wrong_number(db):
    holder = BudgetHolderFactory()
    with override_settings(BSN_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(bsn_crypto.BSNKeyError):
        BudgetHolder.objects.get(pk=holder.pk)
