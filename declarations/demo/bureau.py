"""Many holders for one bureau, made set-based (``bulk_create``, a statement per table and
batch, never a save per row): the demo variant ``manage.py loaddemo --bureau-holders 500``,
the console benchmark (bench/bench_console.py) and the browser test of a bureau with 500
holders all build them here.

Each holder gets a Wmo grant for the year, a home help employed by the hour (8 hours a week,
approved), the bureau's mandate and, in the months asked for, the agreed hours (4 on Mondays
and Thursdays). No signals, no audit rows: the rows are what a bureau would have typed in.
"""

import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
from declarations.models import TimeEntry
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import Mandate, User
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder, CareProduct, Funder
from pgb_admin.core.periods import month_end, month_start, previous_month
from pgb_admin.figures.constants import RateUnit

from .plan import (
    ASSEN,
    FIRST_NAMES,
    SEED,
    SURNAMES,
    THE_HAGUE,
    YEAR,
    YEAR_END,
    demo_bsns,
    demo_iban,
)

BATCH = 1000
PRODUCT = "huishoudelijke_hulp"
RATE = Decimal("18.25")
HOURS_PER_WEEK = Decimal("8")
CARE_DAYS = {0: Decimal("4"), 3: Decimal("4")}  # Monday and Thursday
#: the provider accounts of these holders: apart from the demo world's (plan.demo_iban)
FIRST_ACCOUNT = 5_000_000_000


@dataclass(frozen=True)
class BureauHolders:
    holder_ids: list[int]
    agreement_ids: list[int]
    time_entries: int


def bureau_holders_create(
    *,
    user: User,
    count: int,
    bsns: Iterator[str],
    funders: list[Funder],
    months: Iterable[date] = (),
    year: int = 2026,
    seed: int = 500,
    product: CareProduct | None = None,
) -> BureauHolders:
    """``count`` holders the ``user`` acts for as a bureau from 1 January of ``year``, each
    with a grant of one of ``funders`` (in turn) and an hourly agreement, and hours in
    ``months``. ``bsns`` gives each holder a BSN (numbers from a test range). Names come from
    the demo's lists, seeded: the same arguments give the same holders."""
    if count <= 0:
        return BureauHolders([], [], 0)
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not secrets)
    product = product or CareProduct.objects.get(code=PRODUCT)
    start = date(year, 1, 1)
    first = (BudgetHolder.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    numbers = range(first, first + count)
    holders = _saved(
        BudgetHolder,
        [
            BudgetHolder(
                initials=f"{first_name[0]}.",
                first_name=first_name,
                surname=rng.choice(SURNAMES),
                bsn=next(bsns),
                date_of_birth=date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28)),
                svb_client_number=f"{60_000_000 + number:08d}",
            )
            for number, first_name in zip(
                numbers, (rng.choice(FIRST_NAMES) for _ in numbers), strict=True
            )
        ],
    )
    funder_of = {h.pk: funders[i % len(funders)] for i, h in enumerate(holders)}
    BudgetHolder.funders.through.objects.bulk_create(
        [
            BudgetHolder.funders.through(budgetholder_id=h.pk, funder_id=funder_of[h.pk].pk)
            for h in holders
        ],
        batch_size=BATCH,
    )
    budgets = _saved(
        Budget,
        [
            Budget(
                holder=h,
                funder=funder_of[h.pk],
                scheme=Scheme.WMO,
                start_date=start,
                end_date=date(year, 12, 31),
                amount=Decimal(rng.randrange(6_000, 18_000, 250)),
                decision_date=start - timedelta(days=31),
                decision_reference=f"{funder_of[h.pk].code}-{year}-B{number:06d}",
            )
            for number, h in zip(numbers, holders, strict=True)
        ],
    )
    Budget.products.through.objects.bulk_create(
        [Budget.products.through(budget_id=b.pk, careproduct_id=product.pk) for b in budgets],
        batch_size=BATCH,
    )
    providers = _saved(
        Provider,
        [
            Provider(
                kind=ProviderKind.PERSON,
                name=f"{rng.choice(FIRST_NAMES)[0]}. {rng.choice(SURNAMES)}",
                date_of_birth=date(rng.randint(1960, 2000), rng.randint(1, 12), 14),
                iban=demo_iban(FIRST_ACCOUNT + number),
            )
            for number in numbers
        ],
    )
    HolderProvider.objects.bulk_create(
        [
            HolderProvider(holder=h, provider=p, relation=Relation.NONE)
            for h, p in zip(holders, providers, strict=True)
        ],
        batch_size=BATCH,
    )
    agreements = _saved(
        CareAgreement,
        [
            CareAgreement(
                holder=h,
                provider=p,
                agreement_type=AgreementType.EMPLOYMENT_HOURLY,
                svb_agreement_number=f"ZO-{year}-B{number:06d}",
            )
            for number, h, p in zip(numbers, holders, providers, strict=True)
        ],
    )
    AgreementVersion.objects.bulk_create(
        [
            AgreementVersion(
                agreement=a,
                budget=b,
                product=product,
                valid_from=start,
                rate=RATE,
                unit=RateUnit.HOUR,
                hours_per_week=HOURS_PER_WEEK,
                rate_includes_holiday_pay=True,
                approval_status=ApprovalStatus.APPROVED,
                approval_date=start - timedelta(days=10),
            )
            for a, b in zip(agreements, budgets, strict=True)
        ],
        batch_size=BATCH,
    )
    Mandate.objects.bulk_create(
        [Mandate(user=user, holder=h, role=MandateRole.BUREAU, valid_from=start) for h in holders],
        batch_size=BATCH,
    )
    days = [day for month in months for day in _care_days(month)]
    TimeEntry.objects.bulk_create(
        [
            TimeEntry(agreement=a, care_date=day, quantity=CARE_DAYS[day.weekday()])
            for a in agreements
            for day in days
        ],
        batch_size=BATCH,
    )
    return BureauHolders(
        holder_ids=[h.pk for h in holders],
        agreement_ids=[a.pk for a in agreements],
        time_entries=len(agreements) * len(days),
    )


def _care_days(month: date) -> list[date]:
    last = month_end(month)
    return [
        month + timedelta(days=offset)
        for offset in range((last - month).days + 1)
        if (month + timedelta(days=offset)).weekday() in CARE_DAYS
    ]


def _saved(model, objects: list):
    """``bulk_create`` that gives every object its id, also on a backend that does not return
    the ids of a bulk insert (ids are then read back in order of insertion)."""
    created = model.objects.bulk_create(objects, batch_size=BATCH)
    if created and created[0].pk is None:  # pragma: no cover  (SQLite and PostgreSQL return them)
        ids = model.objects.order_by("-pk").values_list("pk", flat=True)[: len(created)]
        for obj, pk in zip(created, reversed(list(ids)), strict=True):
            obj.pk = pk
    return created


def free_demo_bsns(candidates: Iterable[str]) -> Iterator[str]:
    """The ``candidates`` no holder has yet, in order: one query for all of them (by their
    keyed hashes, with the current key and each fallback)."""
    from pgb_admin.core import bsn_crypto

    candidates = list(candidates)
    hashes = {bsn: bsn_crypto.lookup_hashes(bsn) for bsn in candidates}
    taken = set(
        BudgetHolder.objects.filter(
            bsn_hash__in=[h for found in hashes.values() for h in found]
        ).values_list("bsn_hash", flat=True)
    )
    return (bsn for bsn in candidates if not taken.intersection(hashes[bsn]))


# --- the demo variant (manage.py loaddemo --bureau-holders N) ------------------------------------

BUREAU_LOGIN = "bureau"
#: the test range of the demo's BSNs (99999xxxx) has about 900 valid numbers; the demo world
#: takes 30 of them
MOST_BUREAU_HOLDERS = 800


@transaction.atomic
def bureau_top_up(wanted: int) -> tuple[int, int]:
    """Make the demo's bureau login act for ``wanted`` holders: the holders missing are made
    here, with last month's hours (the month the console opens on). Returns how many were
    added and how many the bureau acts for now."""
    user = User.objects.get(username=BUREAU_LOGIN)
    today = timezone.localdate()
    current = Mandate.objects.valid_on(today).filter(user=user, role=MandateRole.BUREAU).count()
    missing = wanted - current
    if missing <= 0:
        return 0, current
    free = list(itertools.islice(free_demo_bsns(demo_bsns()), missing))
    if len(free) < missing:
        raise ValueError(f"the demo's BSN range has only {len(free)} numbers left")
    funders = list(Funder.objects.filter(code__in=[THE_HAGUE, ASSEN]).order_by("code"))
    made = bureau_holders_create(
        user=user,
        count=missing,
        bsns=iter(free),
        funders=funders,
        months=[previous_month(month_start(min(today, YEAR_END)))],
        year=YEAR,
        seed=SEED + current,
    )
    return len(made.holder_ids), current + len(made.holder_ids)
