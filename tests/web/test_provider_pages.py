"""The pages of care providers as users (issue 19), through the Django test client: the
invitation, the provider's agreements and month, the holder's review; what a provider may
not reach is a 404; the new list pages' query counts do not grow with their rows."""

import re
from datetime import date

from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from contracts.models import ProviderInvitation
from declarations.models import ProviderMonth, TimeEntry
from pgb_admin.accounts.models import ProviderAccess

from ..two_factor import verified_login

OCTOBER = date(2026, 10, 1)
PASSWORD = "een lang wachtwoord 2026!"


@pytest.fixture(autouse=True)
def _mail_on_commit(django_capture_on_commit_callbacks):
    """The invitation's e-mail goes once the transaction commits: run those hooks."""
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture = None


def _invite(client, agreement, email="zorg@example.test") -> str:
    mail.outbox.clear()
    with _capture(execute=True):
        response = client.post(
            reverse("contracts:invitations", args=[agreement.pk]),
            {"action": "invite", "email": email},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    (message,) = mail.outbox
    return re.search(r"/invitation/([^/]+)/", message.body).group(1)


def _accept(token, username) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    response = client.post(
        reverse("contracts:accept_invitation", args=[token]),
        {"username": username, "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("providers:home")
    return client


@pytest.fixture
def holder_client(world):
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="nl"), world.users["holder"])


def test_invite_accept_enter_submit_send_back_and_approve(world, holder_client):
    agreement = world.mine_wmo_agreement
    token = _invite(holder_client, agreement)
    provider = _accept(token, "zorgverlener")
    home = provider.get(reverse("home"), follow=True)
    page = home.content.decode()
    assert f"{world.mine.initials} {world.mine.surname}" in page
    assert world.mine.bsn not in page
    month_url = reverse("providers:month", args=[agreement.pk, OCTOBER])
    assert month_url in page
    assert provider.get(month_url).status_code == 200
    assert not ProviderMonth.objects.exists()  # a GET writes nothing
    response = provider.post(
        month_url,
        {"action": "save", "day-2026-10-05": "4", "day-2026-10-06": "3,5", "cost-count": "0"},
    )
    assert response.status_code == 302
    response = provider.post(month_url, {"action": "submit"})
    assert response.status_code == 302
    found = ProviderMonth.objects.get()
    assert found.status == "submitted"

    dashboard = holder_client.get(reverse("budgets:dashboard", args=[world.mine.pk]))
    assert reverse("providers:review", args=[found.pk]) in dashboard.content.decode()
    waiting = holder_client.get(reverse("providers:review_list", args=[world.mine.pk]))
    assert reverse("providers:review", args=[found.pk]) in waiting.content.decode()
    review_url = reverse("providers:review", args=[found.pk])
    review = holder_client.get(review_url)
    assert review.status_code == 200
    assert 'data-testid="preview-findings"' in review.content.decode()
    refused = holder_client.post(review_url, {"action": "send_back", "reason": ""})
    assert refused.status_code == 200
    assert ProviderMonth.objects.get().status == "submitted"
    holder_client.post(review_url, {"action": "send_back", "reason": "6 oktober klopt niet"})
    assert ProviderMonth.objects.get().status == "returned"
    assert "6 oktober klopt niet" in provider.get(month_url).content.decode()
    provider.post(month_url, {"action": "save", "day-2026-10-05": "4", "cost-count": "0"})
    provider.post(month_url, {"action": "submit"})
    assert not TimeEntry.objects.exists()
    holder_client.post(review_url, {"action": "approve"})
    assert ProviderMonth.objects.get().status == "approved"
    assert TimeEntry.objects.get(agreement=agreement).provider_month_id == found.pk


def test_a_provider_reaches_nothing_else_of_the_holder(world, holder_client):
    token = _invite(holder_client, world.mine_wmo_agreement)
    provider = _accept(token, "zorgverlener")
    holder = world.mine.pk
    for url in (
        reverse("budgets:dashboard", args=[holder]),
        reverse("budgets:holder_details", args=[holder]),
        reverse("contracts:providers", args=[holder]),
        reverse("contracts:agreement", args=[world.mine_wmo_agreement.pk]),
        reverse("contracts:invitations", args=[world.mine_wmo_agreement.pk]),
        reverse("declarations:hours", args=[world.mine_wmo_agreement.pk, OCTOBER]),
        reverse("declarations:list", args=[holder]),
        reverse("declarations:weekly_totals", args=[holder, OCTOBER]),
        reverse("providers:review_list", args=[holder]),
        reverse("providers:month", args=[world.mine_wlz_agreement.pk, OCTOBER]),
        reverse("providers:month", args=[world.mine_wmo_agreement.pk, date(2026, 12, 1)]),
    ):
        assert provider.get(url).status_code == 404, url
    for path in ("budget-holders", "budgets", "providers", "agreements", "time-entries"):
        api = provider.get(f"/api/v1/{path}/")
        assert api.status_code == 200, path
        assert api.json()["results"] == [], path


def test_a_second_provider_sees_nothing_of_the_first(world, holder_client):
    from ..factories import (
        AgreementVersionFactory,
        CareAgreementFactory,
        HolderProviderFactory,
        ProviderFactory,
    )

    first = _accept(_invite(holder_client, world.mine_wmo_agreement), "eerste")
    month_url = reverse("providers:month", args=[world.mine_wmo_agreement.pk, OCTOBER])
    first.post(month_url, {"action": "save", "day-2026-10-05": "4", "cost-count": "0"})
    found = ProviderMonth.objects.get()
    other = ProviderFactory()
    HolderProviderFactory(holder=world.mine, provider=other)
    agreement = CareAgreementFactory(holder=world.mine, provider=other)
    AgreementVersionFactory(
        agreement=agreement,
        budget=world.mine_wmo_budget,
        product=world.mine_wmo_budget.products.first(),
    )
    second = _accept(_invite(holder_client, agreement), "tweede")
    page = second.get(reverse("providers:home")).content.decode()
    assert world.mine_provider.name not in page
    assert second.get(month_url).status_code == 404
    assert second.post(month_url, {"action": "submit"}).status_code == 404
    assert second.get(reverse("providers:review", args=[found.pk])).status_code == 404


def test_used_and_revoked_links_are_refused_alike(world, holder_client):
    token = _invite(holder_client, world.mine_wmo_agreement)
    _accept(token, "eerste")
    url = reverse("contracts:accept_invitation", args=[token])
    assert Client().get(url).status_code == 404
    token = _invite(holder_client, world.mine_wmo_agreement)
    invitation = ProviderInvitation.objects.filter(accepted_at__isnull=True).get()
    holder_client.post(
        reverse("contracts:invitations", args=[world.mine_wmo_agreement.pk]),
        {"action": "revoke", "invitation": invitation.pk},
    )
    response = Client().post(
        reverse("contracts:accept_invitation", args=[token]),
        {"username": "x", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 404
    assert ProviderAccess.objects.count() == 1
    assert (
        Client().get(reverse("contracts:accept_invitation", args=["nonsense"])).status_code == 404
    )


def test_family_may_look_but_not_invite_or_review(world, holder_client):
    family = verified_login(Client(), world.users["family"])
    url = reverse("contracts:invitations", args=[world.mine_wmo_agreement.pk])
    assert family.get(url).status_code == 200
    assert family.post(url, {"action": "invite", "email": "a@example.test"}).status_code == 403
    assert Client().get(url).status_code == 302  # to the login


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_do_not_query_per_row(world, holder_client):
    from ..factories import AgreementVersionFactory, CareAgreementFactory

    provider = _accept(_invite(holder_client, world.mine_wmo_agreement), "zorgverlener")

    def submit(agreement, month):
        url = reverse("providers:month", args=[agreement.pk, month])
        day = f"day-{month:%Y-%m}-05"
        provider.post(url, {"action": "save", day: "2", "cost-count": "0"})
        provider.post(url, {"action": "submit"})

    submit(world.mine_wmo_agreement, OCTOBER)
    review_list = reverse("providers:review_list", args=[world.mine.pk])
    home = reverse("providers:home")
    _queries(holder_client, review_list), _queries(provider, home)  # warm the caches
    few_review, few_home = _queries(holder_client, review_list), _queries(provider, home)
    for month in (date(2026, 8, 1), date(2026, 9, 1)):
        submit(world.mine_wmo_agreement, month)
    agreement = CareAgreementFactory(holder=world.mine, provider=world.mine_provider)
    AgreementVersionFactory(
        agreement=agreement,
        budget=world.mine_wmo_budget,
        product=world.mine_wmo_budget.products.first(),
    )
    provider.get(reverse("contracts:accept_invitation", args=[_invite(holder_client, agreement)]))
    provider.post(reverse("contracts:accept_invitation", args=[_invite(holder_client, agreement)]))
    submit(agreement, OCTOBER)
    assert ProviderMonth.objects.filter(status="submitted").count() == 4
    assert _queries(holder_client, review_list) == few_review
    assert _queries(provider, home) == few_home


def test_a_providers_reads_are_in_the_access_log(world, holder_client):
    from pgb_admin.audit.models import AccessEvent

    provider = _accept(_invite(holder_client, world.mine_wmo_agreement), "zorgverlener")
    provider.get(reverse("providers:home"))
    provider.get(reverse("providers:month", args=[world.mine_wmo_agreement.pk, OCTOBER]))
    rows = AccessEvent.objects.filter(username="zorgverlener").order_by("pk")
    assert [(row.what, row.holder_pk, row.outcome, row.role, row.purpose) for row in rows] == [
        ("page:provider_home", world.mine.pk, "ok", "provider", "care_provided"),
        ("page:provider_month", world.mine.pk, "ok", "provider", "care_provided"),
    ]


def test_an_organisation_needs_two_factor_and_one_login_serves_several_holders(
    world, holder_client
):
    from contracts.constants import ProviderKind
    from contracts.models import Provider

    Provider.objects.filter(pk=world.mine_provider.pk).update(kind=ProviderKind.ORGANISATION)
    provider = _accept(_invite(holder_client, world.mine_wmo_agreement), "zorginstelling")
    response = provider.get(reverse("providers:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:setup"))
    # the same login accepts a second holder's invitation, logged in
    other_holder = verified_login(Client(), world.users["holder"])  # acts for "mine" only
    link = _invite(other_holder, world.mine_wlz_agreement)
    verified = verified_login(Client(), ProviderAccess.objects.first().user)
    assert verified.post(reverse("contracts:accept_invitation", args=[link])).status_code == 302
    assert ProviderAccess.objects.filter(user__username="zorginstelling").count() == 2
