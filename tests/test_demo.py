"""The demo world: believable, complete, deterministic and idempotent."""

from io import StringIO

from django.core.management import call_command

import pytest
from stdnum.nl import bsn as stdnum_bsn

from contracts.constants import AgreementType
from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import Mandate, User
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.core.demo import DEMO_PASSWORD, LOGINS


def _load(**options) -> str:
    out = StringIO()
    call_command("loaddemo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    _load()


def _fingerprint():
    return (
        list(BudgetHolder.objects.order_by("pk").values_list("bsn", "surname", "date_of_birth")),
        list(Budget.objects.order_by("pk").values_list("decision_reference", "amount")),
        list(
            AgreementVersion.objects.order_by("pk").values_list(
                "rate", "valid_from", "approval_status"
            )
        ),
        list(Provider.objects.order_by("pk").values_list("name", "iban")),
    )


def test_the_world_has_what_the_issue_asks_for(demo):
    assert BudgetHolder.objects.count() == 30
    assert set(Budget.objects.values_list("scheme", flat=True)) == set(Scheme.values)
    assert set(CareAgreement.objects.values_list("agreement_type", flat=True)) == set(
        AgreementType.values
    )
    relations = set(HolderProvider.objects.values_list("relation", flat=True))
    assert {"none", "partner", "parent", "child"} <= relations
    carer_classes = {link.carer_class for link in HolderProvider.objects.select_related("provider")}
    assert carer_classes == {"formal", "informal"}
    assert Mandate.objects.filter(user__username="vertegenwoordiger").count() == 3
    assert Mandate.objects.filter(user__username="bureau", role=MandateRole.BUREAU).count() == 20
    assert {m.user.username for m in Mandate.objects.filter(role=MandateRole.FAMILY_READONLY)} == {
        "familie"
    }
    assert User.objects.filter(is_superuser=True).count() == 1
    assert AgreementVersion.objects.count() > CareAgreement.objects.count()  # rate changes
    assert all(
        stdnum_bsn.is_valid(bsn) for bsn in BudgetHolder.objects.values_list("bsn", flat=True)
    )
    assert all(
        bsn.startswith("99999") for bsn in BudgetHolder.objects.values_list("bsn", flat=True)
    )


def test_every_demo_login_works_with_the_documented_password(demo, client):
    for login in LOGINS:
        assert client.login(username=login.username, password=DEMO_PASSWORD), login.username


def test_personas_see_what_their_description_says(demo):
    def visible(username):
        return BudgetHolder.objects.visible_to(User.objects.get(username=username)).count()

    assert visible("jansen") == 1
    assert visible("vertegenwoordiger") == 3
    assert visible("bureau") == 20
    assert visible("familie") == 1
    assert visible("oud.vertegenwoordiger") == 0
    assert visible("beheer") == 30
    the_hague, assen = visible("controleur.denhaag"), visible("controleur.assen")
    assert the_hague > 0
    assert assen > 0
    assert the_hague + assen == 30


def test_loading_twice_changes_nothing(demo):
    before = _fingerprint()
    assert "already loaded" in _load()
    assert _fingerprint() == before


def test_the_world_is_the_same_every_time(demo):
    first = _fingerprint()
    for model in (AgreementVersion, CareAgreement, HolderProvider, Provider, Budget, Mandate):
        model.objects.all().delete()
    BudgetHolder.objects.all().delete()
    User.objects.all().delete()
    _load()
    assert _fingerprint() == first


def test_if_empty_leaves_a_database_with_real_holders_alone(db, settings, world):
    settings.DEBUG = True
    assert "already holds budget holders" in _load(if_empty=True)
    assert not User.objects.filter(username="beheer").exists()


def test_refuses_to_load_published_passwords_when_debug_is_off(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        _load()
    assert not User.objects.exists()


def test_demo_logins_are_printed(demo):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert all(login.username in text for login in LOGINS)
