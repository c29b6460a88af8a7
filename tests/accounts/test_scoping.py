"""Persona x model matrix: who sees and who may change which object.

``R`` readable only, ``W`` readable and changeable, ``-`` out of scope (a 404). The holder
``mine`` lives in The Hague and also has a Wlz grant from a care office: the municipality's
auditor sees the holder and the Wmo side, never the care office's grant.
"""

import pytest

from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
from pgb_admin.accounts.scoping import ReadOnlyAccess, get_editable, get_visible
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.core.errors import NotFound

from ..conftest import PERSONAS

W, R, N = "W", "R", "-"

# object -> (model, how to find it in the world)
OBJECTS = {
    "mine": (BudgetHolder, lambda w: w.mine),
    "mine_wmo_budget": (Budget, lambda w: w.mine_wmo_budget),
    "mine_wlz_budget": (Budget, lambda w: w.mine_wlz_budget),
    "mine_provider": (Provider, lambda w: w.mine_provider),
    "mine_link": (HolderProvider, lambda w: w.mine_link),
    "mine_wmo_agreement": (CareAgreement, lambda w: w.mine_wmo_agreement),
    "mine_wlz_agreement": (CareAgreement, lambda w: w.mine_wlz_agreement),
    "mine_wmo_version": (AgreementVersion, lambda w: w.mine_wmo_agreement.versions.get()),
    "mine_wlz_version": (AgreementVersion, lambda w: w.mine_wlz_agreement.versions.get()),
    "theirs": (BudgetHolder, lambda w: w.theirs),
    "theirs_budget": (Budget, lambda w: w.theirs_budget),
    "theirs_provider": (Provider, lambda w: w.theirs_provider),
    "theirs_agreement": (CareAgreement, lambda w: w.theirs_agreement),
}

# persona -> expected access, in the order of OBJECTS
MATRIX = {
    #                 mine  wmo  wlz  prov link wmoA wlzA wmoV wlzV  thr  thrB thrP thrA
    "holder":         [W,   W,   W,   W,   W,   W,   W,   W,   W,    N,   N,   N,   N],
    "representative": [W,   W,   W,   W,   W,   W,   W,   W,   W,    N,   N,   N,   N],
    "bureau":         [W,   W,   W,   W,   W,   W,   W,   W,   W,    N,   N,   N,   N],
    "family":         [R,   R,   R,   R,   R,   R,   R,   R,   R,    N,   N,   N,   N],
    "auditor_same":   [R,   R,   N,   R,   R,   R,   N,   R,   N,    N,   N,   N,   N],
    "auditor_other":  [N,   N,   N,   N,   N,   N,   N,   N,   N,    R,   R,   R,   R],
    "expired":        [N,   N,   N,   N,   N,   N,   N,   N,   N,    N,   N,   N,   N],
    "stranger":       [N,   N,   N,   N,   N,   N,   N,   N,   N,    N,   N,   N,   N],
    "staff":          [W,   W,   W,   W,   W,   W,   W,   W,   W,    W,   W,   W,   W],
}  # fmt: skip

CASES = [
    (persona, name, expected)
    for persona, row in MATRIX.items()
    for name, expected in zip(OBJECTS, row, strict=True)
]


def test_matrix_covers_every_persona():
    assert set(MATRIX) == set(PERSONAS)


@pytest.mark.parametrize(("persona", "name", "expected"), CASES)
def test_access(world, persona, name, expected):
    model, find = OBJECTS[name]
    obj = find(world)
    user = world.users[persona]

    visible = model.objects.visible_to(user).filter(pk=obj.pk).exists()
    editable = model.objects.editable_by(user).filter(pk=obj.pk).exists()
    assert (visible, editable) == {W: (True, True), R: (True, False), N: (False, False)}[expected]

    if expected == N:
        with pytest.raises(NotFound):
            get_visible(model.objects, user, pk=obj.pk)
        with pytest.raises(NotFound):
            get_editable(model.objects, user, pk=obj.pk)
    elif expected == R:
        assert get_visible(model.objects, user, pk=obj.pk) == obj
        with pytest.raises(ReadOnlyAccess):
            get_editable(model.objects, user, pk=obj.pk)
    else:
        assert get_editable(model.objects, user, pk=obj.pk) == obj


@pytest.mark.parametrize(
    ("persona", "sees_full_bsn"),
    [
        ("holder", True),
        ("representative", True),
        ("bureau", True),
        ("family", False),
        ("auditor_same", False),
        ("staff", False),
        ("expired", False),
    ],
)
def test_full_bsn_only_for_those_who_act_for_the_holder(world, persona, sees_full_bsn):
    user = world.users[persona]
    assert BudgetHolder.objects.with_full_bsn_for(user).filter(pk=world.mine.pk).exists() is (
        sees_full_bsn
    )


def test_lists_hold_no_duplicates(world):
    """Subquery scoping: a holder with two grants from audited funders is listed once."""
    auditor = world.users["auditor_same"]
    world.mine.funders.add(world.care_office)
    assert list(BudgetHolder.objects.visible_to(auditor)) == [world.mine]
    bureau = world.users["bureau"]
    assert Provider.objects.visible_to(bureau).count() == 1


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not BudgetHolder.objects.visible_to(AnonymousUser()).exists()
    holder_user = world.users["holder"]
    holder_user.is_active = False
    holder_user.save()
    assert not BudgetHolder.objects.visible_to(holder_user).exists()


def test_mandate_starting_tomorrow_gives_no_access_yet(world):
    from datetime import timedelta

    from ..conftest import TODAY
    from ..factories import MandateFactory, UserFactory

    future = UserFactory(username="future")
    MandateFactory(user=future, holder=world.mine, valid_from=TODAY + timedelta(days=1))
    assert not BudgetHolder.objects.visible_to(future).exists()
