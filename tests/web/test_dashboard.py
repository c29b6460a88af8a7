"""The holder's dashboard and the holder switcher."""

from django.urls import reverse

import pytest

from ..factories import BudgetFactory


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("holder", 200),
        ("representative", 200),
        ("bureau", 200),
        ("family", 200),
        ("auditor_same", 200),
        ("auditor_other", 404),
        ("expired", 404),
        ("stranger", 404),
        ("staff", 200),
    ],
)
def test_dashboard_per_persona(login, api_world, persona, status):
    response = login(persona).get(reverse("budgets:dashboard", args=[api_world.mine.pk]))
    assert response.status_code == status


def test_dashboard_shows_grants_and_what_is_due(login, api_world):
    html = login("holder").get(reverse("budgets:dashboard", args=[api_world.mine.pk])).content
    html = html.decode()
    assert 'class="budget-bar"' in html
    assert reverse("declarations:detail", args=[api_world.draft.pk]) in html  # August, not sent


def test_dashboard_for_an_auditor_masks_the_bsn_and_is_logged(login, api_world):
    from pgb_admin.audit.models import AccessEvent

    reads = AccessEvent.objects.filter(
        holder_pk=api_world.mine.pk, username="auditor_same", what="page:dashboard"
    )
    before = reads.count()
    html = login("auditor_same").get(reverse("budgets:dashboard", args=[api_world.mine.pk]))
    html = html.content.decode()
    assert api_world.mine.bsn not in html
    assert api_world.mine.masked_bsn in html
    assert reads.count() == before + 1


def test_switcher_goes_to_the_chosen_holder(login, api_world):
    client = login("representative")
    response = client.get(reverse("budgets:switch"), {"holder": api_world.sibling.pk})
    assert response["Location"] == reverse("budgets:dashboard", args=[api_world.sibling.pk])
    assert client.get(reverse("budgets:switch"), {"holder": "x"}).status_code == 404
    page = client.get(reverse("budgets:dashboard", args=[api_world.mine.pk])).content.decode()
    # the header's menu switches in one step: a link per holder
    assert f'{reverse("budgets:switch")}?holder={api_world.sibling.pk}"' in page


def test_dashboard_queries_do_not_grow_with_grants(login, api_world, django_assert_max_num_queries):
    client = login("holder")
    url = reverse("budgets:dashboard", args=[api_world.mine.pk])
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for _ in range(6):
        BudgetFactory(holder=api_world.mine, funder=api_world.the_hague)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
