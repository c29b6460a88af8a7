"""An auditor on a phone: from the audit page to the municipal report, from a signal to the
holder it concerns and to its declaration, and back to the report and the audit page by the
breadcrumbs; no page wider than the 390 px screen, axe on every page, in Dutch and English."""

from datetime import date
from decimal import Decimal

import pytest

from declarations.constants import DeclarationStatus
from declarations.models import Declaration, DeclarationLine
from pgb_admin.figures.constants import RateUnit

from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
)

PAGE_WIDTH = "() => document.documentElement.scrollWidth"
CRUMBS = "main nav.utrecht-breadcrumb-nav"


def _care_after_the_agreement_ended(world):
    """A holder of The Hague whose provider declared care after their agreement ended."""
    holder = BudgetHolderFactory(surname="Laatkomer", funders=[world.the_hague])
    budget = BudgetFactory(holder=holder, funder=world.the_hague)
    provider = ProviderFactory(name="E. Inde")
    HolderProviderFactory(holder=holder, provider=provider)
    agreement = CareAgreementFactory(holder=holder, provider=provider)
    AgreementVersionFactory(
        agreement=agreement,
        budget=budget,
        product=budget.products.first(),
        valid_to=date(2026, 6, 30),
    )
    declaration = Declaration.objects.create(
        agreement=agreement,
        budget=budget,
        month=date(2026, 7, 1),
        status=DeclarationStatus.PAID,
        total_amount=Decimal("10500.00"),
    )
    DeclarationLine.objects.create(
        declaration=declaration,
        care_date=date(2026, 7, 6),
        quantity=Decimal(4),
        unit=RateUnit.HOUR,
        rate=Decimal("18.50"),
        amount=Decimal("74.00"),
    )
    return holder, declaration


def _fits(tab) -> None:
    width = tab.page.evaluate(PAGE_WIDTH)
    assert width <= 390, f"{tab.page.url}: {width} px wide on a 390 px phone"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_auditor_from_a_signal_to_the_holder_and_back(e2e_world, open_browser, language):
    holder, declaration = _care_after_the_agreement_ended(e2e_world)
    code = e2e_world.the_hague.code
    tab = open_browser(language, phone=True)
    page = tab.page
    tab.login("auditor_same")

    tab.go("/audit/")
    _fits(tab)
    page.locator(f"main a[href*='/audit/{code}/']").first.click()
    page.wait_for_load_state()
    tab.check()
    _fits(tab)
    report_url = page.url
    amount = "10.500,00" if language == "nl" else "10,500.00"  # the thousands separator
    assert amount in page.locator("#spend-by-month + table").inner_text()

    # the signal, one group of its kind, links to the holder it concerns
    group = page.locator("section:has(#signal-care-after-agreement-end)")
    assert group.locator(f"a[href='/holders/{holder.pk}/']").count() == 1
    assert group.locator(f"a[href='/declarations/{declaration.pk}/']").count() == 1
    group.locator(f"a[href='/holders/{holder.pk}/']").click()
    page.wait_for_load_state()
    tab.check()
    _fits(tab)
    assert page.url.endswith(f"/holders/{holder.pk}/")
    crumbs = page.locator(CRUMBS)
    assert holder.display_name in crumbs.inner_text()
    assert holder.bsn not in page.content()

    # back to the report by the breadcrumb
    crumbs.locator(f"a[href*='/audit/{code}/']").click()
    page.wait_for_load_state()
    tab.check()
    assert page.url.startswith(report_url.split("?")[0])

    # the declaration the signal names, and from there back to the audit page
    page.locator(f"main a[href='/declarations/{declaration.pk}/']").first.click()
    page.wait_for_load_state()
    tab.check()
    _fits(tab)
    assert page.locator(f"{CRUMBS} a[href='/holders/{holder.pk}/']").count() == 1
    page.locator(f"{CRUMBS} a[href='/audit/']").click()
    page.wait_for_load_state()
    tab.check()
    assert page.url.endswith("/audit/")
