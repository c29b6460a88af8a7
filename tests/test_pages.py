"""The pages that exist in the foundation: login, the holder overview, health, admin."""

import html
from datetime import date

from django.contrib import admin
from django.urls import reverse

import pytest

from .factories import BudgetFactory, BudgetHolderFactory, MandateFactory
from .two_factor import verified_login


def test_home_needs_a_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("language", "text"), [("nl", "Inloggen"), ("en", "Log in")])
def test_login_page_in_both_languages(client, db, language, text):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_dutch_is_the_default_language(client, db):
    assert 'lang="nl"' in client.get(reverse("login")).content.decode()


def test_holder_sees_the_full_bsn_auditor_a_masked_one(client, world):
    # the list masks it for everyone; the holder's dashboard shows it in full
    verified_login(client, world.users["bureau"])
    page = client.get(reverse("home")).content.decode()
    assert world.mine.bsn not in page
    assert world.mine.masked_bsn in page
    assert world.theirs.display_name not in page
    verified_login(client, world.users["holder"])
    dashboard = reverse("budgets:dashboard", args=[world.mine.pk])
    assert world.mine.bsn in client.get(dashboard).content.decode()

    verified_login(client, world.users["auditor_same"])
    page = html.unescape(client.get(reverse("home")).content.decode())
    assert world.mine.bsn not in page
    assert world.mine.masked_bsn in page
    # the auditor of the municipality does not see the care office's grant, and is told so
    assert "Wlz" not in page
    assert (
        "Wmo 2015 · 's-Gravenhage (Den Haag) · 1 januari – 31 december 2026 · €\u00a012.000,00"
        in page
    )
    assert "Als controleur ziet u alleen de toekenningen van 's-Gravenhage (Den Haag)." in page
    assert "Geen toekenningen geregistreerd" not in page


def test_who_acts_for_one_holder_goes_straight_to_the_dashboard(client, world):
    verified_login(client, world.users["holder"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:dashboard", args=[world.mine.pk])
    # a bureau starts from its overview and console, an auditor from the workspace
    for persona in ("bureau", "auditor_same", "staff"):
        verified_login(client, world.users[persona])
        assert client.get(reverse("home")).status_code == 200, persona


def test_expired_mandate_sees_no_holder(client, world):
    verified_login(client, world.users["expired"])
    page = client.get(reverse("home")).content.decode()
    assert world.mine.display_name not in page


def test_overview_queries_do_not_grow_with_the_number_of_holders(
    client, world, django_assert_max_num_queries
):
    bureau = world.users["bureau"]
    verified_login(client, bureau)
    # 19: the two-factor device of the session, the access log (roles and rows), the
    # log-manager permission of the menu and whether the user reads at a bureau's rate (then
    # remembered for a minute)
    with django_assert_max_num_queries(19) as few:
        client.get(reverse("home"))
    for _ in range(15):
        holder = BudgetHolderFactory()
        BudgetFactory(holder=holder)
        MandateFactory(user=bureau, holder=holder, role="bureau")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    assert response.context["page"].paginator.count == 16


def test_health(client, db):
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_security_headers(client, db):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "bestaat niet" in response.content.decode()


@pytest.mark.parametrize(
    "model",
    sorted(admin.site._registry, key=lambda model: model._meta.label),
    ids=lambda model: model._meta.label,
)
def test_every_admin_list_renders_with_bounded_queries(
    admin_client, world, model, django_assert_max_num_queries
):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_admin_lists_mask_the_bsn(admin_client, world):
    page = admin_client.get(reverse("admin:budgets_budgetholder_changelist")).content.decode()
    assert world.mine.masked_bsn in page
    assert world.mine.bsn not in page


def test_login_is_throttled_after_failed_attempts(client, db, settings):
    from .factories import UserFactory

    user = UserFactory(username="tries")
    user.set_password("the-right-password-123")
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "tries", "password": "wrong"})
        assert response.status_code == 200
    last_try = client.post(reverse("login"), {"username": "tries", "password": "wrong"})
    assert last_try.status_code == 429
    locked = client.post(
        reverse("login"), {"username": "tries", "password": "the-right-password-123"}
    )
    assert locked.status_code == 429
    assert "Te veel pogingen" in locked.content.decode() or "Too many" in locked.content.decode()


def test_pages_send_a_content_security_policy(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_forbidden_is_a_friendly_403(client, world):
    verified_login(client, world.users["auditor_same"])
    url = reverse("declarations:hours", args=[world.mine_wmo_agreement.pk, date(2026, 11, 1)])
    response = client.post(url, {"day_02": "4"})
    assert response.status_code == 403
    assert "Niet toegestaan" in response.content.decode()
