"""Care providers as users (issue 19): a provider accepts an invitation, enters a month per
week, adds the invoice file (on a phone) and submits it; the holder sends it back once, then
approves it; the month validates and appears in the PGB Portaal entry aid, and the invoice is
behind its declaration. A second provider of the same holder sees nothing of the first."""

import os
import re
import tempfile
from pathlib import Path

from django.core import mail

from declarations.models import Declaration, Document, ProviderMonth

from ..declarations.hostile_documents import pdf
from ..factories import (
    AgreementVersionFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
)

OCTOBER = "2026-10"
NEW_PASSWORD = "een lang wachtwoord 2026!"


def _invite(tab, agreement) -> str:
    mail.outbox.clear()
    tab.go(f"/agreements/{agreement.pk}/invitations/")
    tab.page.locator("#id_email").fill("zorg@example.test")
    tab.page.locator("main form:has(#id_email) button[type=submit]").click()
    tab.page.wait_for_load_state()
    tab.check()
    (message,) = mail.outbox
    return re.search(r"(/invitation/[^/]+/)", message.body).group(1)


def _accept(tab, link: str, username: str) -> None:
    tab.go(link)
    tab.page.locator("#id_username").fill(username)
    tab.page.locator("#id_password").fill(NEW_PASSWORD)
    tab.page.locator("#id_password_again").fill(NEW_PASSWORD)
    tab.page.locator("main form:has(#id_username) button[type=submit]").click()
    tab.page.wait_for_load_state()
    tab.check()
    assert tab.page.url.endswith("/provider/"), tab.page.url


def _click(tab, selector: str) -> None:
    tab.page.locator(selector).click()
    tab.page.wait_for_load_state()
    tab.check()


def test_provider_enters_a_month_the_holder_sends_it_back_then_approves_it(e2e_world, open_browser):
    world = e2e_world
    agreement = world.mine_wmo_agreement
    holder = open_browser("nl")
    holder.login("holder")
    link = _invite(holder, agreement)

    provider = open_browser("nl", phone=True)
    _accept(provider, link, "zorgverlener")
    page = provider.page
    assert f"{world.mine.initials} {world.mine.surname}" in page.content()
    assert world.mine.bsn not in page.content()
    _click(provider, f"a[href$='/provider/agreements/{agreement.pk}/{OCTOBER}/']")
    page.locator("#day-2026-10-05").fill("4")
    page.locator("#day-2026-10-06").fill("5")
    _click(provider, "main button[name=action][value=save]")
    page.locator("#id_file").set_input_files(
        files=[{"name": "factuur-oktober.pdf", "mimeType": "application/pdf", "buffer": pdf()}]
    )
    _click(provider, "main form[enctype='multipart/form-data'] button[type=submit]")
    assert page.locator("[data-testid=invoice-file]").is_visible()
    page.screenshot(
        path=Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))
        / "provider-month-phone.png",
        full_page=True,
    )
    _click(provider, "main button[name=action][value=submit]")
    assert ProviderMonth.objects.get().status == "submitted"
    assert not Declaration.objects.filter(agreement=agreement).exists()

    # the holder sends it back once, with a reason
    holder.go(f"/holders/{world.mine.pk}/provider-months/")
    _click(holder, f"main a[href$='/provider-months/{ProviderMonth.objects.get().pk}/']")
    assert holder.page.locator("[data-testid=preview-findings]").is_visible()
    assert "factuur" in holder.page.locator("[data-testid=invoice-file]").inner_text().lower()
    holder.page.locator("#id_reason").fill("Op 6 oktober was het 3,5 uur")
    _click(holder, "main form:has(#id_reason) button[type=submit]")
    assert ProviderMonth.objects.get().status == "returned"

    # the provider sees why, corrects and submits again
    provider.go(f"/provider/agreements/{agreement.pk}/{OCTOBER}/")
    assert (
        "Op 6 oktober was het 3,5 uur" in page.locator("[data-testid=return-reason]").inner_text()
    )
    page.locator("#day-2026-10-06").fill("3,5")
    _click(provider, "main button[name=action][value=save]")
    _click(provider, "main button[name=action][value=submit]")

    # the holder approves: the month is now the holder's entry, drafted
    holder.go(f"/provider-months/{ProviderMonth.objects.get().pk}/")
    _click(holder, "main button[name=action][value=approve]")
    assert ProviderMonth.objects.get().status == "approved"
    declaration = Declaration.objects.get(agreement=agreement, month="2026-10-01")
    holder.go(f"/declarations/{declaration.pk}/")
    _click(holder, "form[action$='/validate/'] button")
    declaration.refresh_from_db()
    assert declaration.status == "validated", list(declaration.findings.values("rule_code"))
    assert Document.objects.get(declarations=declaration).provider_month.agreement == agreement

    # ... and appears in the PGB Portaal entry aid, 7.5 hours in week 41
    holder.go(f"/holders/{world.mine.pk}/weekly-totals/{OCTOBER}/")
    aid = holder.page.locator("main").inner_text()
    assert world.mine_provider.name in aid
    assert "7,5" in aid

    # a second provider of the same holder sees nothing of the first
    other = ProviderFactory()
    HolderProviderFactory(holder=world.mine, provider=other)
    other_agreement = CareAgreementFactory(holder=world.mine, provider=other)
    AgreementVersionFactory(
        agreement=other_agreement,
        budget=world.mine_wmo_budget,
        product=world.mine_wmo_budget.products.first(),
    )
    second = open_browser("nl")
    _accept(second, _invite(holder, other_agreement), "tweede")
    content = second.page.content()
    assert world.mine_provider.name not in content
    assert f"/provider/agreements/{agreement.pk}/" not in content
    response = second.page.goto(second.base + f"/provider/agreements/{agreement.pk}/{OCTOBER}/")
    assert response.status == 404
    response = second.page.goto(
        second.base + f"/provider-months/{ProviderMonth.objects.get(agreement=agreement).pk}/"
    )
    assert response.status == 404
    response = second.page.goto(second.base + f"/holders/{world.mine.pk}/")
    assert response.status == 404
