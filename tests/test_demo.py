"""The demo world: believable, complete, deterministic and idempotent. Loading it takes some
seconds, so each test here loads it at most once or twice."""

from io import StringIO

from django.core.management import call_command
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.nl import bsn as stdnum_bsn

from contracts.constants import EMPLOYMENT_TYPES, AgreementType
from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
from declarations.demo.plan import DEMO_BACKUP_CODES, DEMO_PASSWORD, LOGINS
from declarations.models import Batch, Declaration, Expense, Finding, TimeEntry
from declarations.selectors.batches import channel_q, with_channel
from declarations.validation.registry import catalogue
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import Mandate, User
from pgb_admin.accounts.two_factor import code_check, requires_two_factor
from pgb_admin.budgets.constants import Channel, Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder


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
        list(TimeEntry.objects.order_by("pk").values_list("care_date", "quantity")),
        list(Declaration.objects.order_by("pk").values_list("month", "status", "total_amount")),
        sorted(Finding.objects.values_list("rule_code", "care_date")),
    )


def _visible(username):
    return BudgetHolder.objects.visible_to(User.objects.get(username=username)).count()


def test_the_world_has_what_the_issues_ask_for(demo, client):
    assert BudgetHolder.objects.count() == 30
    assert set(Budget.objects.values_list("scheme", flat=True)) == set(Scheme.values)
    assert set(CareAgreement.objects.values_list("agreement_type", flat=True)) == set(
        AgreementType.values
    )
    relations = set(HolderProvider.objects.values_list("relation", flat=True))
    assert {"none", "partner", "parent", "child"} <= relations
    links = HolderProvider.objects.select_related("provider")
    assert {link.carer_class for link in links} == {"formal", "self_employed", "informal"}
    assert Mandate.objects.filter(user__username="vertegenwoordiger").count() == 3
    assert Mandate.objects.filter(user__username="bureau", role=MandateRole.BUREAU).count() == 20
    family = Mandate.objects.filter(role=MandateRole.FAMILY_READONLY)
    assert {mandate.user.username for mandate in family} == {"familie"}
    assert User.objects.filter(is_superuser=True).count() == 1
    assert AgreementVersion.objects.count() > CareAgreement.objects.count()  # rate changes
    bsns = list(BudgetHolder.objects.values_list("bsn", flat=True))
    assert all(stdnum_bsn.is_valid(bsn) and bsn.startswith("99999") for bsn in bsns)

    # a year of care, with every rule of the catalogue shown (May holds the mistakes), but
    # for two the demo must not show: the services refuse a second declaration for an
    # exported month when it is made (declaration.second_for_month is only a backstop), and
    # the demo year has every minimum-wage figure (issue 16: no "minimum wage not checked")
    not_shown = {"declaration.second_for_month", "wage.minimum_unknown"}
    assert not_shown <= set(catalogue())
    shown = set(Finding.objects.values_list("rule_code", flat=True))
    assert shown == set(catalogue()) - not_shown
    assert not Finding.objects.filter(rule_code__in=not_shown).exists()
    # the Working Hours Act binds employees only (issue 16)
    atw = Finding.objects.filter(rule_code__startswith="atw.")
    assert atw.exists()
    assert not atw.exclude(declaration__agreement__agreement_type__in=EMPLOYMENT_TYPES).exists()
    # an SVB export holds no declaration of a Zvw pgb: those go to the insurer
    assert Batch.objects.filter(channel=Channel.INSURER).exists()
    exported = with_channel(Declaration.objects.filter(batch__isnull=False))
    assert not exported.filter(batch__channel=Channel.SVB, channel=Channel.INSURER).exists()
    assert not exported.exclude(channel=F("batch__channel")).exists()
    assert exported.filter(batch__channel=Channel.SVB).filter(channel_q(Channel.SVB)).exists()
    assert {month.month for month in Declaration.objects.values_list("month", flat=True)} >= set(
        range(1, 12)
    )
    assert Declaration.objects.filter(status="paid").exists()
    assert Declaration.objects.filter(status="validated", month__month=10).exists()
    assert Batch.objects.exists()
    assert all(batch.files.count() == 2 for batch in Batch.objects.all())
    _assert_decisions_of_others_have_provenance()

    for login in LOGINS:
        # django-axes checks every login against its request
        assert client.login(
            request=HttpRequest(), username=login.username, password=DEMO_PASSWORD
        ), login.username
    assert _visible("jansen") == 1
    assert _visible("vertegenwoordiger") == 3
    assert _visible("bureau") == 20
    assert _visible("familie") == 1
    assert _visible("oud.vertegenwoordiger") == 0
    assert _visible("beheer") == 30
    the_hague, assen = _visible("controleur.denhaag"), _visible("controleur.assen")
    assert the_hague > 0
    assert assen > 0
    # an auditor sees the holders with a grant of their municipality, not those whose only
    # grants are a care office's or an insurer's (issue 14, finding 9)
    with_a_municipal_grant = Budget.objects.filter(funder__code__in=["GM0518", "GM0106"])
    assert the_hague + assen == with_a_municipal_grant.values("holder").distinct().count() < 30

    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert DEMO_PASSWORD in out.getvalue()
    assert all(login.username in out.getvalue() for login in LOGINS)
    _assert_demo_two_factor(client)


def _assert_decisions_of_others_have_provenance():
    """Issue 14, finding 11: the funder's approvals and the SVB's payments are recorded by
    whoever acts for the holder, with a reference to where they saw them."""
    decided = AgreementVersion.objects.exclude(approval_status="pending")
    assert not decided.filter(approval_evidence="").exists()
    assert not decided.filter(approval_recorded_by=None).exists()
    assert set(decided.values_list("approval_recorded_role", flat=True)) == {
        "holder", "representative", "bureau", "staff",
    }  # fmt: skip
    settled = Declaration.objects.filter(status__in=["paid", "rejected"])
    assert not settled.filter(settled_evidence="").exists()
    assert {"holder", "representative", "bureau"} <= set(
        settled.values_list("settled_recorded_role", flat=True)
    )


def _assert_demo_two_factor(client):
    """The demo logins that need two-factor authentication have published backup codes,
    shown by demo_logins while unused, and a login with one of them works."""
    needing = {user.username for user in User.objects.all() if requires_two_factor(user)}
    assert needing == {"beheer", "bureau", "controleur.denhaag", "controleur.assen"}
    for username in needing:
        assert code_check(User.objects.get(username=username), DEMO_BACKUP_CODES[0]).ok
    assert not TOTPDevice.objects.exists()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if "demo-00" in line}
    assert set(lines) == needing
    assert all("demo-0001" not in line and "demo-0010" in line for line in lines.values())

    call_command("demo_logins", "--renew-backup-codes", stdout=StringIO())
    bureau = User.objects.get(username="bureau")
    assert StaticToken.objects.filter(device__user=bureau).count() == len(DEMO_BACKUP_CODES)
    assert (
        client.post(reverse("login"), {"username": "bureau", "password": DEMO_PASSWORD}).status_code
        == 302
    )
    verified = client.post(reverse("two_factor:verify"), {"code": "DEMO-0002", "next": "/"})
    assert verified["Location"] == "/"
    assert client.get("/").status_code == 200


def test_loading_twice_changes_nothing_and_loading_anew_gives_the_same_world(demo):
    first = _fingerprint()
    assert "already loaded" in _load()
    assert _fingerprint() == first

    Declaration.objects.update(batch=None, status="draft", corrects=None)
    for model in (Finding, Declaration, TimeEntry, Expense):
        model.objects.all().delete()
    for batch in Batch.objects.all():
        batch.files.all().delete()
        batch.delete()
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


def test_the_hagues_report_shows_every_signal_enforcement_uses(demo):
    from reports import selectors
    from reports.signals import ALARM, SIGNALS

    auditor = User.objects.get(username="controleur.denhaag")
    report = selectors.municipality_report(user=auditor, code="GM0518", year=2026)
    signals = report.as_dict()["signals"]
    codes = {signal["code"] for signal in signals}
    assert {
        "hours_above_indication",
        "care_during_admission",
        "care_after_death",
        "representative_is_provider",
        "holders_per_representative",  # The Hague's own threshold (5) wins over the default
        "same_address",
        "account_name_mismatch",
        "identical_months",
        "family_company_formal_rate",
        "carer_day_over_limit",
    } <= codes
    levels = [signal["level"] for signal in signals]
    assert levels == sorted(levels, key=lambda level: level != ALARM)  # alarms first
    assert SIGNALS["informal_rate_at_maximum"].level != ALARM
    same = next(signal for signal in signals if signal["code"] == "same_address")
    assert same["evidence"]["postcode"] == "2514 **"
    assert same["links"]


def test_the_demo_year_fits_2026(demo):
    """Issue 16, item 7: no Wlz and Wmo grant for the same need, grants that last the year
    (but the scenario that exceeds its grant in May), and tariff tables that cover the care of
    the municipalities (only the Wlz and Zvw maxima of 2026 are not known)."""
    from datetime import date

    from django.db.models import Sum

    from declarations.demo.care import EXCEEDS_GRANT

    for holder in BudgetHolder.objects.all():
        products = {
            scheme: set(
                Budget.objects.filter(holder=holder, scheme=scheme).values_list(
                    "products__code", flat=True
                )
            )
            for scheme in (Scheme.WLZ, Scheme.WMO)
        }
        assert not products[Scheme.WLZ] & products[Scheme.WMO], holder
    holders = list(BudgetHolder.objects.order_by("pk"))
    for budget in Budget.objects.exclude(holder=holders[EXCEEDS_GRANT]):
        declared = Declaration.objects.filter(
            budget=budget, month__lte=date(2026, 9, 1), corrects__isnull=True
        ).aggregate(total=Sum("total_amount"))["total"]
        assert (declared or 0) < budget.amount, budget
    unknown = Finding.objects.filter(rule_code="rate.maximum_unknown")
    assert set(unknown.values_list("declaration__budget__scheme", flat=True)) <= {
        Scheme.WLZ,
        Scheme.ZVW,
    }
    assert unknown.exists()  # the 2026 Wlz maxima are not invented
    zzp = HolderProvider.objects.filter(
        holder__agreements__agreement_type=AgreementType.ASSIGNMENT,
        holder__agreements__provider=F("provider"),
        relation="none",
    ).distinct()
    assert {link.carer_class for link in zzp} == {"self_employed"}
