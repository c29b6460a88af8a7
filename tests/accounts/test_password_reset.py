"""The login page says what pgb-admin is, and a forgotten password is replaced by e-mail: the
same answer whether or not an address has an account, a mail in the page's language without
a BSN, a link that works once and expires, a rate limit, and no way around two-factor
authentication (a reset logs no one in)."""

import re
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from pgb_admin.accounts.constants import MandateRole

from ..factories import BudgetHolderFactory, MandateFactory, UserFactory
from ..two_factor import authenticator

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-new-and-long-passphrase-2026"
LINK = re.compile(r"https?://testserver(/accounts/password-reset/[^\s/]+/[^\s/]+/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the rate limits count in the cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def holder_user(db):
    user = UserFactory(username="anna", email="anna@example.org")
    holder = BudgetHolderFactory(surname="Jansen")
    MandateFactory(user=user, holder=holder, role=MandateRole.HOLDER)
    return user


def _ask(client, email="anna@example.org", **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def _link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _choose(client, link: str, password: str = NEW_PASSWORD):
    """Follows the mail's link and sets ``password``; the responses of both steps."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened, None
    form_url = opened["Location"]
    return opened, client.post(form_url, {"new_password1": password, "new_password2": password})


# --- the login page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            [
                "Inloggen bij pgb-admin",
                "uw zorgovereenkomsten en uren zorg",
                "voordat u ze in het PGB Portaal van de SVB typt",
                "hoe lang uw budget nog meegaat",
                "pgb-admin is niet de SVB en niet het PGB Portaal",
                "budgethouders, hun vertegenwoordigers, pgb-bureaus en controleurs van een",
                "Wachtwoord vergeten?",
            ],
        ),
        (
            "en",
            [
                "Log in to pgb-admin",
                "your care agreements and hours of care",
                "before you type them into the PGB Portaal of the SVB",
                "how long your budget will last",
                "pgb-admin is not the SVB and not the PGB Portaal",
                "Budget holders, their representatives, pgb bureaus and auditors of a municipality",
                "Forgot your password?",
            ],
        ),
    ],
)
def test_the_login_page_says_what_pgb_admin_is(client, db, language, texts):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    for text in texts:
        assert text in html, text
    assert f'href="{reverse("password_reset")}"' in html


# --- asking for a link -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("nl", "Een nieuw wachtwoord voor pgb-admin", "Kies uw nieuwe wachtwoord met deze link"),
        ("en", "A new password for pgb-admin", "Choose your new password with this link"),
    ],
)
def test_the_mail_is_in_the_language_of_the_page_and_holds_no_bsn(
    holder_user, language, subject, greeting
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert "Content-Security-Policy" in page
    response = _ask(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["anna@example.org"]
    assert message.subject == subject
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert greeting in message.body
    assert "anna" in message.body  # the username, in case it was forgotten too
    holder = holder_user.mandates.get().holder
    for private in (holder.bsn, holder.masked_bsn, holder.display_name, "Jansen"):
        assert private not in message.body
        assert private not in message.subject
    assert _link(message)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(holder_user):
    client = Client()
    known = _ask(client)
    unknown = _ask(client, "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    sent_page = client.get(unknown["Location"]).content.decode()
    assert "nobody@example.org" not in sent_page
    assert "Als er een account met dit e-mailadres is" in sent_page


def test_an_inactive_account_or_one_without_a_password_gets_no_mail(holder_user):
    holder_user.is_active = False
    holder_user.save()
    without_password = UserFactory(username="nopass", email="nopass@example.org")
    without_password.set_unusable_password()
    without_password.save()
    client = Client()
    assert _ask(client).status_code == 302
    assert _ask(client, "nopass@example.org").status_code == 302
    assert mail.outbox == []


def test_requests_are_rate_limited_per_address_and_mailbox(holder_user, settings):
    settings.PASSWORD_RESET_RATE = "2/hour"
    settings.PASSWORD_RESET_ADDRESS_RATE = "6/hour"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert [_ask(client).status_code for _ in range(2)] == [302, 302]
    refused = _ask(client)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "too often" in refused.content.decode()
    assert len(mail.outbox) == 2
    # an unknown address is refused the same way, so the limit tells nothing either
    assert [_ask(client, "nobody@example.org").status_code for _ in range(2)] == [302, 302]
    assert _ask(client, "nobody@example.org").status_code == 429
    # the client address as a whole: six requests an hour (refused ones count), whatever the
    # mailbox
    assert _ask(client, "third@example.org").status_code == 429
    # another client address is not held back
    assert _ask(client, REMOTE_ADDR="192.0.2.80").status_code == 302
    assert len(mail.outbox) == 3
    # (the local clock: a destination in UTC would move Django's naive clock by the offset)
    with time_machine.travel(timezone.localtime() + timedelta(hours=1, minutes=1), tick=False):
        assert _ask(client).status_code == 302
    assert len(mail.outbox) == 4


# --- using the link --------------------------------------------------------------------------


def test_the_link_works_once_and_logs_no_one_in(holder_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(client)
    link = _link(mail.outbox[0])
    opened, saved = _choose(client, link)
    assert opened.status_code == 302
    assert link not in opened["Location"]  # the token leaves the address bar
    assert saved.status_code == 302
    assert saved["Location"] == reverse("password_reset_complete")
    assert "_auth_user_id" not in client.session
    assert "two-factor authentication" in client.get(saved["Location"]).content.decode()
    holder_user.refresh_from_db()
    assert holder_user.check_password(NEW_PASSWORD)
    assert not holder_user.check_password(OLD_PASSWORD)

    again, _ = _choose(Client(HTTP_ACCEPT_LANGUAGE="en"), link, "yet-another-long-passphrase")
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    holder_user.refresh_from_db()
    assert holder_user.check_password(NEW_PASSWORD)

    login = Client().post(reverse("login"), {"username": "anna", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_an_expired_link_says_so(holder_user):
    client = Client()
    _ask(client)
    link = _link(mail.outbox[0])
    later = timezone.localtime() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(link)
    assert response.status_code == 200
    assert "Deze link werkt niet meer" in response.content.decode()
    assert "werkt één keer en 60 minuten lang" in response.content.decode()


def test_a_weak_password_is_refused(holder_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _ask(client)
    _, refused = _choose(client, _link(mail.outbox[0]), "short")
    assert refused.status_code == 200
    assert 'aria-invalid="true"' in refused.content.decode()
    holder_user.refresh_from_db()
    assert holder_user.check_password(OLD_PASSWORD)


def test_two_factor_authentication_still_asks_for_its_code_after_a_reset(holder_user):
    authenticator(holder_user)
    client = Client()
    _ask(client)
    _, saved = _choose(client, _link(mail.outbox[0]))
    assert saved.status_code == 302
    login = client.post(reverse("login"), {"username": "anna", "password": NEW_PASSWORD})
    assert login.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("two_factor:verify"))


def test_a_session_waiting_for_its_code_reaches_the_reset_pages(holder_user):
    authenticator(holder_user)
    client = Client()
    client.post(reverse("login"), {"username": "anna", "password": OLD_PASSWORD})
    assert client.get(reverse("home")).status_code == 302  # waiting for the code
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.get(reverse("password_reset_done")).status_code == 200


def test_a_reset_ends_a_login_lockout_of_the_account(holder_user):
    client = Client()
    wrong = {"username": "anna", "password": "wrong"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), wrong)
    right = {"username": "anna", "password": OLD_PASSWORD}
    assert client.post(reverse("login"), right).status_code == 429
    _ask(client)
    _choose(client, _link(mail.outbox[0]))
    login = client.post(reverse("login"), {"username": "anna", "password": NEW_PASSWORD})
    assert login.status_code == 302
