"""A bureau validates 20 holders at once and follows the progress bar; an auditor opens the
municipal report, drills down to a declaration, downloads its evidence pack, and cannot reach
another municipality."""

import zipfile
from datetime import date

import pytest

from declarations.models import Declaration
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services

from ..conftest import _agreement
from ..factories import BudgetFactory, BudgetHolderFactory, HolderProviderFactory, MandateFactory

OCTOBER = date(2026, 10, 1)
CLEAN_WEEK = {0: "4", 3: "4"}


def _bureau_with_holders(world, count: int):
    bureau = world.users["bureau"]
    agreements = [world.mine_wmo_agreement]
    for number in range(count - 1):
        holder = BudgetHolderFactory(surname=f"Bureauklant{number:02d}")
        budget = BudgetFactory(holder=holder, funder=world.the_hague)
        link = HolderProviderFactory(holder=holder)
        MandateFactory(user=bureau, holder=holder, role="bureau")
        agreements.append(_agreement(holder, link.provider, budget))
    for agreement in agreements:
        hour_services.time_entries_fill_month(
            actor=bureau, agreement_id=agreement.pk, month=OCTOBER, pattern=CLEAN_WEEK
        )
    return agreements


@pytest.mark.parametrize("language", ["nl", "en"])
def test_bureau_validates_20_holders_with_a_progress_bar(e2e_world, open_browser, language):
    agreements = _bureau_with_holders(e2e_world, 20)
    tab = open_browser(language)
    page = tab.page
    tab.login("bureau")
    tab.go("/bureau/?month=2026-10")
    assert page.locator("input[name=holders]").count() == 20
    page.locator("button[value=validate_all]").click()
    page.wait_for_load_state()
    bar = page.locator("#task-progress-bar")
    bar.wait_for()
    page.wait_for_function(
        "() => { const bar = document.querySelector('#task-progress-bar');"
        " return bar && bar.max > 0 && bar.value >= bar.max; }"
    )
    tab.check()
    validated = Declaration.objects.filter(
        agreement__in=agreements, month=OCTOBER, validated_at__isnull=False
    )
    assert validated.count() == 20


@pytest.mark.parametrize("language", ["nl", "en"])
def test_auditor_drills_down_and_downloads_an_evidence_pack(e2e_world, open_browser, language):
    actor = e2e_world.users["representative"]
    agreement = e2e_world.mine_wmo_agreement
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern=CLEAN_WEEK
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])

    tab = open_browser(language)
    page = tab.page
    tab.login("auditor_same")
    tab.go("/audit/")
    page.locator(f"main a[href*='/audit/{e2e_world.the_hague.code}/']").first.click()
    page.wait_for_load_state()
    tab.check()
    assert e2e_world.mine.bsn not in page.content()

    tab.go(f"/holders/{e2e_world.mine.pk}/")
    assert e2e_world.mine.bsn not in page.content()
    assert e2e_world.mine.masked_bsn in page.content()
    tab.go(f"/holders/{e2e_world.mine.pk}/declarations/")
    page.locator(f"a[href='/declarations/{declaration.pk}/']").first.click()
    page.wait_for_load_state()
    tab.check()
    assert page.locator("main form[method=post]").count() == 0  # nothing to write for an auditor
    with page.expect_download() as download:
        page.locator(f"a[href='/declarations/{declaration.pk}/evidence/']").click()
    path = download.value.path()
    with zipfile.ZipFile(path) as pack:
        names = pack.namelist()
        assert "manifest.json" in names
        assert all(e2e_world.mine.bsn.encode() not in pack.read(name) for name in names)

    other = tab.go(f"/audit/{e2e_world.assen.code}/")
    assert other.status == 404
    assert tab.go(f"/holders/{e2e_world.theirs.pk}/").status == 404
