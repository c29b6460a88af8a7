"""Two-factor authentication in the browser: a bureau employee without an app sets one up
after the password (types the key into the app, confirms a code, keeps the backup codes),
later logs in with a backup code; an auditor who types wrong codes sees the lockout."""

import re

import pytest

from pgb_admin.accounts.two_factor import two_factor_reset

from ..two_factor import code_for_key

SETUP_PATH = "/accounts/two-factor/setup/"
VERIFY_PATH = "/accounts/two-factor/verify/"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_bureau_sets_up_an_app_and_later_logs_in_with_a_backup_code(
    e2e_world, open_browser, language
):
    bureau = e2e_world.users["bureau"]
    two_factor_reset(bureau)  # no app yet
    tab = open_browser(language, phone=True)
    page = tab.page
    tab.login("bureau")
    assert page.url.startswith(tab.base + SETUP_PATH)
    assert e2e_world.mine.surname not in page.content()  # nothing of the holders before it
    assert page.locator("main img[src^='data:image/svg+xml']").is_visible()  # the QR code
    secret = page.locator("#two-factor-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)
    assert page.locator("#two-factor-uri").get_attribute("href").startswith("otpauth://totp/")

    tab.give_code("12345")  # not six digits
    assert page.locator("#id_code[aria-invalid=true]").count() == 1
    assert page.locator("#id_code_errors").is_visible()
    tab.give_code(code_for_key(secret))
    codes = page.locator("#backup-codes li code").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    page.locator("main a.button").click()
    page.wait_for_load_state()
    tab.check()
    assert page.url == tab.base + "/"

    page.locator("header .pgb-menu__toggle").click()  # log out sits in the header's menu
    page.locator("header form[action$='/logout/'] button").click()
    page.wait_for_load_state()
    tab.login("bureau", code=False)
    assert page.url.startswith(tab.base + VERIFY_PATH)
    tab.give_code(codes[0].upper())
    assert page.url == tab.base + "/"
    assert page.locator(".messages .message").count() == 1  # the backup code is used up
    tab.go("/bureau/")
    assert page.url == tab.base + "/bureau/"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_wrong_codes_lock_out_with_a_clear_message(e2e_world, open_browser, language, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # the second try comes within the first wait
    tab = open_browser(language)
    page = tab.page
    tab.login("auditor_same", code=False)
    assert page.url.startswith(tab.base + VERIFY_PATH)
    tab.give_code("000000")
    assert page.locator("#id_code_errors").is_visible()
    tab.give_code("000001")
    alert = page.locator("#two-factor-locked[role=alert]")
    assert alert.is_visible()
    assert re.search(r"\d+", alert.inner_text())  # how long to wait
    tab.go("/audit/")
    assert page.url.startswith(tab.base + VERIFY_PATH)
