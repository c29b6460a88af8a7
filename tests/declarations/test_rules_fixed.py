"""Issue 16, "Rules fixed": what each changed rule must catch and what it must leave alone, the
refusal of a second declaration for an exported month, and the catalogue in the page's language.
The cases are built through the services as in :mod:`tests.declarations.test_rules`."""

from datetime import date, time

from django.core.management import call_command

import pytest

from contracts.constants import AgreementType, Relation
from contracts.models import AgreementVersion, HolderProvider, Provider
from declarations.constants import DeclarationStatus, Severity
from declarations.models import Declaration
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from pgb_admin.core.errors import Conflict

from ..api.conftest import token_client
from . import test_rules as base
from .test_rules import CHECKED, MARCH, MON_2, MON_9, findings_of, rendered, today_is

# the fixtures that build cases through the services
actor, build = base.actor, base.build


def codes(declaration) -> set[str]:
    return {f.rule_code for f in findings_of(declaration)}


# --- 1. the Working Hours Act: employees only ---------------------------------------------------


@pytest.mark.parametrize(
    ("agreement_type", "fires"),
    [
        (AgreementType.EMPLOYMENT_HOURLY, True),
        (AgreementType.ASSIGNMENT, False),  # self-employed: not an employee
    ],
)
def test_atw_day_only_for_an_employment_agreement(build, agreement_type, fires):
    options = {"agreement_type": agreement_type}
    if agreement_type == AgreementType.ASSIGNMENT:
        options.update(kvk_number="", entrepreneur=True, hours_per_week=None)
    case = build(**options)
    case.fill()
    case.change(MON_2, quantity="13")
    assert ("atw.day_over_12" in codes(case.declare())) == fires


def test_atw_counts_only_the_employees_employment_hours(build):
    """4 hours employed with one holder and 9 self-employed with another: 13 hours that day, but
    only 4 under an employment agreement, so the Working Hours Act is not exceeded."""
    case = build()
    case.fill()
    other = build(
        provider=case.provider,
        agreement_type=AgreementType.ASSIGNMENT,
        entrepreneur=True,
        hours_per_week=None,
    )
    other.add(MON_2, quantity="9")
    assert "atw.day_over_12" not in codes(case.declare())
    # 9 employed hours with the other holder: 13 employed hours, over 12
    employed = build(provider=case.provider)
    employed.add(MON_2, quantity="9")
    assert "atw.day_over_12" in codes(case.declare())


# --- 2. the carer over 24 hours: a warning without the others' hours -----------------------------


def test_the_carers_day_over_24_with_another_holder_only_warns(build):
    case = build()
    case.fill()
    other = build(provider=case.provider)
    other.add(MON_2, quantity="21")  # 4 + 21 = 25 hours that day
    declaration = case.declare()
    finding = next(f for f in findings_of(declaration) if f.rule_code.startswith("hours."))
    assert finding.rule_code == "hours.provider_day_over_24"
    assert finding.severity == Severity.WARNING
    assert "hours" not in finding.params  # the other holder's hours are not stored
    for language in ("en", "nl"):
        text = rendered(finding, language)
        assert "25" not in text, text
        assert "21" not in text, text
    assert declaration.status == DeclarationStatus.VALIDATED  # a warning does not block


def test_the_holders_own_agreements_over_24_are_an_error(build):
    """Two agreements of one holder with one carer, 20 + 5 hours on a day: hours.day_over_24."""
    case = build()
    case.fill()
    case.change(MON_2, quantity="20")
    second = build(holder_id=case.holder_id, budget=case.budget, provider=case.provider)
    second.add(MON_2, quantity="5")
    findings = findings_of(case.declare())
    over = [f for f in findings if f.rule_code == "hours.day_over_24"]
    assert len(over) == 1
    assert over[0].severity == Severity.ERROR
    assert over[0].params["hours"] == "25.00"
    assert "hours.provider_day_over_24" not in {f.rule_code for f in findings}


# --- 3. several entries a day are normal; an exact duplicate warns ------------------------------


@pytest.mark.parametrize(
    ("first", "second", "fires"),
    [
        ({"quantity": "2"}, {"quantity": "2"}, True),  # the same untimed entry twice
        ({"quantity": "2"}, {"quantity": "3"}, False),  # two visits of different length
        ({"start": time(9), "end": time(11)}, {"start": time(13), "end": time(15)}, False),
    ],
)
def test_only_an_exact_duplicate_entry_warns(build, first, second, fires):
    case = build(hours_per_week="40")
    case.fill()
    if "quantity" in first:
        case.change(MON_9, quantity=first["quantity"])
    else:
        case.change(MON_9, start_time=first["start"], end_time=first["end"])
    case.add(MON_9, **second)
    findings = [f for f in findings_of(case.declare()) if f.rule_code == "entry.duplicate"]
    assert bool(findings) == fires
    if fires:
        assert findings[0].severity == Severity.WARNING


# --- 5. the agreement's period in the message --------------------------------------------------


def test_outside_period_names_an_open_ended_agreement(build):
    """Care before the agreement's start: the message names the start and 'open-ended'."""
    case = build()
    case.fill()
    # an agreement from 10 March without end, as an older registration left it
    AgreementVersion.objects.filter(agreement=case.agreement).update(valid_from=date(2026, 3, 10))
    finding = next(
        f for f in findings_of(case.declare()) if f.rule_code == "agreement.outside_period"
    )
    assert finding.params["start"] == "2026-03-10"
    assert finding.params["end"] == ""
    assert "open-ended" in rendered(finding, "en")
    assert "onbepaalde tijd" in rendered(finding, "nl")


# --- 7. no second declaration for an exported month ---------------------------------------------


def _exported(build):
    case = build()
    case.fill()
    first = case.declare()
    with today_is(CHECKED):
        batch_services.batch_export(actor=case.actor, month=MARCH, holder_id=case.holder_id)
    return case, first


def test_a_second_declaration_for_an_exported_month_is_refused(build):
    case, first = _exported(build)
    with pytest.raises(Conflict) as refused:
        case.draft()
    assert refused.value.error_dict["month"][0].code == "month_already_declared"
    assert Declaration.objects.filter(agreement=case.agreement, month=MARCH).count() == 1
    # a correction is the way, and drafting it again is allowed
    correction = declaration_services.declaration_correct(actor=case.actor, declaration_id=first.pk)
    assert case.draft().pk == correction.pk


def test_the_api_answers_409_for_a_second_declaration(build):
    case, _first = _exported(build)
    answer = token_client(case.actor).post(
        "/api/v1/declarations/", {"agreement": case.agreement.pk, "month": "2026-03"}, format="json"
    )
    assert answer.status_code == 409, answer.content
    body = answer.json()
    assert body["invalid_params"][0]["code"] == "month_already_declared"
    assert "correction" in body["detail"]


# --- 8. formal care needs its registrations; informal is the whole social network -------------


@pytest.mark.parametrize(
    "relation", [Relation.HOUSEHOLD, Relation.NETWORK, Relation.PARTNER, Relation.NONE]
)
def test_a_registered_carer_of_the_social_network_gives_informal_care(build, relation):
    """With a relation (household, friend, family) care is informal whatever the registration,
    so the formal rules stay quiet; without one a BIG-registered nurse is formal."""
    case = build()
    case.fill()
    HolderProvider.objects.filter(holder_id=case.holder_id, provider=case.provider).update(
        relation=relation
    )
    Provider.objects.filter(pk=case.provider.pk).update(big_number="19012345601")
    fires = "provider.formal_without_registration" in codes(case.declare())
    assert fires == (relation == Relation.NONE)


# --- 9. the catalogue in the page's language ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("nl", ["altijd achteraf", "geldig vanaf"], ["always afterwards"]),
        ("en", ["always afterwards", "valid from"], ["altijd achteraf"]),
    ],
)
def test_the_rule_page_shows_sources_in_its_language(client, db, language, expected, absent):
    """The site has no language prefix in its URLs (pgb_admin/urls.py): the language comes
    from the browser (Accept-Language) through LocaleMiddleware."""
    page = client.get("/rules/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in expected:
        assert text in page
    for text in absent:
        assert text not in page
    assert "budget.nearly_exhausted" not in page
    assert "entry.duplicate" in page


def test_the_rules_command_shows_sources_in_its_language(db, capsys):
    call_command("rules", language="nl")
    dutch = capsys.readouterr().out
    call_command("rules", language="en")
    english = capsys.readouterr().out
    assert "altijd achteraf" in dutch
    assert "geldig vanaf 1-1-2015" in dutch
    assert "always afterwards" in english
    assert "valid from" in english
    assert "Regeling dienstverlening aan huis" in english
    assert "36744" in english


def test_no_finding_for_a_nearly_used_grant(build):
    """Nearly used up is the dashboard's alert, not a finding: 90 % of the grant is used."""
    case = build(amount="740.00")
    case.fill()
    declaration = case.declare()
    assert not {c for c in codes(declaration) if c.startswith("budget.")}
