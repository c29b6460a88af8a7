"""The national world in PostgreSQL: the generator's holders, grants, providers and agreements
(``generate.generate``) and a year of their care as time entries, written with COPY into a
database of its own on the server of ``DATABASE_URL`` (default ``pgb_bench_national``; another
scale gets a name of its own), migrated with ``manage.py migrate``.

At scale 1.0: 150,000 holders with 172,000 grants (products, funders, indicated hours),
~100,000 providers, 200,000 agreements with their versions, ~12 million time entries from
January to November 2026 (October as generated, with its deliberate errors; the other months
repeat October's pattern within each agreement's period and grant), October's travel and other
costs and the sick reports. Two users may edit every holder: ``bench-staff`` (staff) and
``bench-bureau`` (a bureau mandate on every holder).

The process runs with settings of its own (:func:`bench_environment`): ``DEBUG`` off and fixed
benchmark BSN keys, so a later process (the month benchmark, its Celery workers) reads the BSNs
this one encrypted.
"""

import base64
import hashlib
import io
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from common import ROOT

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_NAME = "pgb_bench_national"
MARKER_TABLE = "bench_national_world"
FIRST_MONTH, LAST_MONTH = date(2026, 1, 1), date(2026, 11, 1)  # the year of care
CREATED = "2026-11-30 12:00:00+00"
STAFF_USER, BUREAU_USER = "bench-staff", "bench-bureau"
COPY_CHUNK = 250_000

FIRST_NAMES = np.array(
    ["Anna", "Bram", "Cor", "Daan", "Emma", "Fatima", "Gerrit", "Hanna", "Ilse", "Jan", "Kees",
     "Lotte", "Mohamed", "Noor", "Olga", "Piet", "Rik", "Sanne", "Tess", "Yusuf"],
    dtype=object,
)  # fmt: skip
SURNAMES = np.array(
    ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
     "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
     "van Leeuwen", "Dekker", "Brouwer", "Yilmaz", "El Amrani"],
    dtype=object,
)  # fmt: skip
# the generator's products (ids 1 to 6) as the app's care products
PRODUCT_CODES = {
    1: "huishoudelijke_hulp",
    2: "begeleiding_individueel",
    3: "begeleiding_groep",
    4: "kortdurend_verblijf",
    5: "persoonlijke_verzorging",
    6: "verpleging",
}


# --- which database, with which settings ----------------------------------------------------


def database_name(scale: float) -> str:
    """``pgb_bench_national`` at scale 1.0, ``pgb_bench_national_0_01`` at 0.01."""
    if scale == 1.0:
        return DEFAULT_NAME
    return f"{DEFAULT_NAME}_{format(scale, 'g').replace('.', '_').replace('-', '_')}"


def server_url() -> str:
    """The PostgreSQL server of ``DATABASE_URL`` (its maintenance database ``postgres``)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        url = DEFAULT_SERVER
    return urlsplit(url)._replace(scheme="postgres", path="/postgres").geturl()


def database_url(name: str) -> str:
    return urlsplit(server_url())._replace(path="/" + name).geturl()


def _key(label: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"pgb bench {label}".encode()).digest()).decode()


def bench_environment(name: str) -> dict[str, str]:
    """The settings of every process on the benchmark database: production-like (``DEBUG``
    off, so no query log), fixed benchmark keys, eager Celery unless a broker is added."""
    return {
        "DJANGO_SETTINGS_MODULE": "pgb_admin.settings.base",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": _key("secret key, never in production"),
        "BSN_ENCRYPTION_KEYS": _key("bsn encryption"),
        "BSN_HASH_KEY": _key("bsn hash"),
        "DATABASE_URL": database_url(name),
        "DJANGO_ALLOWED_HOSTS": "localhost",
    }


def setup(name: str) -> None:
    """Point this process's Django at the benchmark database ``name``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for key in [k for k in os.environ if k.startswith("CELERY_")]:
        del os.environ[key]  # eager unless the benchmark configures a broker itself
    os.environ.update(bench_environment(name))
    import django

    django.setup()


def _connect(url: str, **kwargs):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=parts.path.lstrip("/"),
        **kwargs,
    )


def database_exists(name: str) -> bool:
    with _connect(server_url(), autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def world_of(name: str) -> dict | None:
    """What :func:`build` stored about the world in ``name`` (None: no finished world)."""
    if not database_exists(name):
        return None
    with _connect(database_url(name), autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()
        if found is None or found[0] is None:
            return None
        row = conn.execute(f"SELECT info FROM {MARKER_TABLE}").fetchone()  # noqa: S608
    return row[0] if row else None


def recreate_database(name: str) -> None:
    from psycopg import sql

    with _connect(server_url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the world ---------------------------------------------------------------------------------


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def step(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.seconds[name] = round(now - started, 2)
        print(f"  {name:<34} {self.seconds[name]:>8.2f} s", flush=True)
        return now


def build(name: str, scale: float, seed: int) -> dict:
    """Create (or replace) database ``name``, migrate it and fill it; returns the sizes and
    timings (also stored in the database's table ``bench_national_world``)."""
    from generate import generate

    report = Report()
    started = time.perf_counter()
    recreate_database(name)
    setup(name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    step = report.step("create and migrate", started)
    inp = generate(scale, seed=seed)
    step = report.step("generate the month (numpy)", step)
    with _connect(database_url(name)) as conn:
        world = _World(conn, inp, seed, report)
        world.fill(step)
        conn.commit()
    step = time.perf_counter()
    with _connect(database_url(name), autocommit=True) as conn:
        # only the tables written: an empty one never analysed is "unknown" to the planner,
        # not "empty" (see bench_month.reset_month)
        for table in world.report.rows:
            conn.execute(f"VACUUM ANALYZE {table.split(' ')[0]}")
    step = report.step("vacuum analyze", step)
    info = {
        "scale": scale,
        "seed": seed,
        "rows": report.rows,
        "seconds": report.seconds,
        "total_seconds": round(time.perf_counter() - started, 1),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": name,
    }
    with _connect(database_url(name), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {MARKER_TABLE} (info jsonb NOT NULL)")
        conn.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s)", [json.dumps(info)])  # noqa: S608
    return info


class _World:
    """The generator's frames as rows of the app's tables, written with COPY."""

    def __init__(self, conn, inp, seed: int, report: Report) -> None:
        self.conn, self.inp, self.report = conn, inp, report
        self.rng = np.random.default_rng(seed + 18)
        self.cursor = conn.cursor()

    def fill(self, step: float) -> None:
        # foreign keys are checked by construction, not per row (superuser only)
        self.cursor.execute("SET session_replication_role = replica")
        self.funders = self._funders()
        self.products = self._products()
        step = self.report.step("funders, products", step)
        self._holders()
        step = self.report.step("holders (BSN encrypted, hashed)", step)
        self._providers()
        self._grants()
        self._agreements()
        step = self.report.step("providers, grants, agreements", step)
        self._users()
        step = self.report.step("users and mandates", step)
        self._time_entries()
        step = self.report.step("time entries (a year)", step)
        self._costs_and_sick_reports()
        step = self.report.step("costs, sick reports", step)
        self._sequences()
        self.cursor.execute("SET session_replication_role = DEFAULT")

    # --- COPY --------------------------------------------------------------------------------

    def copy(self, model, frame: pd.DataFrame) -> None:
        """COPY ``frame`` (columns named as the table's) into the table; empty text stays
        empty text (FORCE_NOT_NULL), an empty cell of another type is NULL."""
        from django.db import models

        meta = model._meta
        columns = list(frame.columns)
        text_columns = {
            f.column
            for f in meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.null
        }
        texts = [c for c in columns if c in text_columns]
        table = meta.db_table
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(texts)})" if texts else "")
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN ({options})"
        with self.cursor.copy(statement) as copy:
            for start in range(0, len(frame), COPY_CHUNK):
                buffer = io.StringIO()
                frame.iloc[start : start + COPY_CHUNK].to_csv(
                    buffer, header=False, index=False, date_format="%Y-%m-%d"
                )
                copy.write(buffer.getvalue())
        self.report.rows[table] = self.report.rows.get(table, 0) + len(frame)

    # --- reference data ------------------------------------------------------------------------

    def _funders(self) -> dict[int, int]:
        """The generator's funder ids as rows of ``budgets_funder``: the reference data's
        municipalities, care offices and insurers first, then made-up ones."""
        used = np.unique(self.inp.budgets["funder_id"].to_numpy())
        existing = {
            kind: [row[0] for row in rows]
            for kind, rows in (
                (kind, self.cursor.execute(
                    "SELECT id FROM budgets_funder WHERE kind = %s "
                    "ORDER BY code <> 'GM0518', code <> 'GM0106', code", [kind]
                ).fetchall())
                for kind in ("municipality", "care_office", "insurer")
            )
        }  # fmt: skip
        mapping: dict[int, int] = {}
        new_rows = []
        for synthetic in used.tolist():
            kind, number = _funder_kind(synthetic)
            if number < len(existing[kind]):
                mapping[synthetic] = existing[kind][number]
            else:
                code = {
                    "municipality": f"GM9{number:03d}",
                    "care_office": f"ZK-BENCH-{number:02d}",
                    "insurer": f"ZV-BENCH-{number:02d}",
                }[kind]
                new_rows.append((synthetic, code, f"Bench {kind.replace('_', ' ')} {number}", kind))
        for synthetic, code, name, kind in new_rows:
            self.cursor.execute(
                "INSERT INTO budgets_funder (code, name, kind, channel) VALUES (%s, %s, %s, '') "
                "RETURNING id",
                [code, name, kind],
            )
            mapping[synthetic] = self.cursor.fetchone()[0]
        self.report.rows["budgets_funder (added)"] = len(new_rows)
        return mapping

    def _products(self) -> np.ndarray:
        """The generator's product ids (1 to 6) as the app's care product ids (by index)."""
        rows = dict(self.cursor.execute("SELECT code, id FROM budgets_careproduct").fetchall())
        lookup = np.zeros(7, dtype=np.int64)
        for number, code in PRODUCT_CODES.items():
            lookup[number] = rows[code]
        return lookup

    # --- holders, providers, grants, agreements ------------------------------------------------

    def _holders(self) -> None:
        from pgb_admin.budgets.models import BudgetHolder
        from pgb_admin.core import bsn_crypto

        agreements = self.inp.agreements
        count = int(agreements["holder_id"].max())
        ids = np.arange(1, count + 1, dtype=np.int64)
        bsns = valid_bsns(count)
        first = FIRST_NAMES[self.rng.integers(0, len(FIRST_NAMES), count)]
        self.copy(
            BudgetHolder,
            pd.DataFrame(
                {
                    "id": ids,
                    "created_at": CREATED,
                    "updated_at": CREATED,
                    "initials": np.array([f"{name[0]}." for name in first], dtype=object),
                    "first_name": first,
                    "surname": SURNAMES[self.rng.integers(0, len(SURNAMES), count)],
                    "bsn_encrypted": np.array([bsn_crypto.encrypt(b) for b in bsns], dtype=object),
                    "bsn_hash": np.array([bsn_crypto.hash_bsn(b) for b in bsns], dtype=object),
                    "date_of_birth": _dates(
                        self.rng.integers(_day(date(1930, 1, 1)), _day(date(2020, 1, 1)), count)
                    ),
                    "svb_client_number": "",
                    "postcode": "",
                    "house_number": "",
                    "cak_exemption": "",
                }
            ),
        )
        self.holder_count = count

    def _providers(self) -> None:
        from contracts.models import Provider

        p = self.inp.providers
        ids = p["provider_id"].to_numpy(np.int64)
        person = p["provider_kind"].to_numpy() == "person"
        surname = SURNAMES[ids % len(SURNAMES)]
        self.copy(
            Provider,
            pd.DataFrame(
                {
                    "id": ids,
                    "created_at": CREATED,
                    "updated_at": CREATED,
                    "kind": p["provider_kind"].to_numpy(dtype=object),
                    "name": np.where(
                        person,
                        np.char.add("Z. ", surname.astype(str)).astype(object),
                        np.char.add("Zorg BV ", ids.astype(str)).astype(object),
                    ),
                    "date_of_birth": p["birth_date"].to_numpy(),
                    "iban": p["iban"].to_numpy(dtype=object),
                    "account_holder": "",
                    "agb_code": _numbers_where(p["has_agb"], 20_000_000 + ids),
                    "kvk_number": _numbers_where(p["has_kvk"], 30_000_000 + ids),
                    "big_number": _numbers_where(p["has_big"], 10_000_000_000 + ids),
                    # as the app stores it: normalised (no dot)
                    "sbi_code": p["sbi_code"].str.replace(".", "", regex=False).to_numpy(object),
                    "postcode": "",
                    "house_number": "",
                    "is_entrepreneur": p["entrepreneur"].to_numpy(),
                }
            ),
        )

    def _grants(self) -> None:
        from pgb_admin.budgets.models import Budget, BudgetHolder, Indication

        b = self.inp.budgets
        budget_ids = b["budget_id"].to_numpy(np.int64)
        versions, agreements = self.inp.versions, self.inp.agreements
        holder_of_agreement = pd.Series(
            agreements["holder_id"].to_numpy(), index=agreements["agreement_id"].to_numpy()
        )
        owner = (
            pd.Series(
                holder_of_agreement.loc[versions["agreement_id"].to_numpy()].to_numpy(),
                index=versions["budget_id"].to_numpy(),
            )
            .groupby(level=0)
            .first()
        )
        holder = owner.reindex(budget_ids).to_numpy()
        if np.isnan(holder.astype(float)).any():
            raise AssertionError("a grant without an agreement: its holder is unknown")
        funder = np.array([self.funders[f] for f in b["funder_id"].tolist()], dtype=np.int64)
        start = b["budget_start"].to_numpy()
        self.copy(
            Budget,
            pd.DataFrame(
                {
                    "id": budget_ids,
                    "created_at": CREATED,
                    "updated_at": CREATED,
                    "holder_id": holder.astype(np.int64),
                    "funder_id": funder,
                    "scheme": b["scheme"].to_numpy(dtype=object),
                    "start_date": start,
                    "end_date": b["budget_end"].to_numpy(),
                    "amount": cents_text(b["budget_cents"].to_numpy(np.int64)),
                    "decision_date": start - np.timedelta64(30, "D"),
                    "decision_reference": np.char.add("BENCH-", budget_ids.astype(str)).astype(
                        object
                    ),
                    "svb_payroll": False,
                    "declared": "0.00",
                }
            ),
        )
        bp = self.inp.budget_products
        self.copy(
            Budget.products.through,
            pd.DataFrame(
                {
                    "budget_id": bp["budget_id"].to_numpy(np.int64),
                    "careproduct_id": self.products[bp["product_id"].to_numpy(np.int64)],
                }
            ),
        )
        holder_funders = pd.DataFrame(
            {"budgetholder_id": holder.astype(np.int64), "funder_id": funder}
        ).drop_duplicates()
        self.copy(BudgetHolder.funders.through, holder_funders)
        ind = self.inp.indications
        ind = ind[ind["hours_c"] > 0]
        self.copy(
            Indication,
            pd.DataFrame(
                {
                    "valid_from": ind["valid_from"].to_numpy(),
                    "valid_to": ind["valid_to"].to_numpy(),
                    "budget_id": ind["budget_id"].to_numpy(np.int64),
                    "product_id": self.products[ind["product_id"].to_numpy(np.int64)],
                    "hours": cents_text(ind["hours_c"].to_numpy(np.int64)),
                    "per": ind["per"].to_numpy(dtype=object),
                }
            ),
        )
        self.budget_period = b.set_index("budget_id")[["budget_start", "budget_end"]]

    def _agreements(self) -> None:
        from contracts.models import AgreementVersion, CareAgreement, HolderProvider

        a = self.inp.agreements
        self.copy(
            HolderProvider,
            pd.DataFrame(
                {
                    "created_at": CREATED,
                    "updated_at": CREATED,
                    "holder_id": a["holder_id"].to_numpy(np.int64),
                    "provider_id": a["provider_id"].to_numpy(np.int64),
                    "relation": a["relation"].to_numpy(dtype=object),
                }
            ).drop_duplicates(["holder_id", "provider_id"]),
        )
        self.copy(
            CareAgreement,
            pd.DataFrame(
                {
                    "id": a["agreement_id"].to_numpy(np.int64),
                    "created_at": CREATED,
                    "updated_at": CREATED,
                    "holder_id": a["holder_id"].to_numpy(np.int64),
                    "provider_id": a["provider_id"].to_numpy(np.int64),
                    "agreement_type": a["agreement_type"].to_numpy(dtype=object),
                    "svb_agreement_number": "",
                }
            ),
        )
        v = self.inp.versions.sort_values(["agreement_id", "valid_from"], kind="stable")
        valid_from = v["valid_from"].to_numpy().copy()
        valid_to = v["valid_to"].to_numpy()
        # a first version from before its grant starts from the grant's first day (as the app
        # requires), unless that would put it after its own end
        grant_start = self.budget_period["budget_start"].reindex(v["budget_id"]).to_numpy()
        early = (valid_from < grant_start) & (np.isnat(valid_to) | (valid_to >= grant_start))
        valid_from[early] = grant_start[early]
        hours = v["hours_per_week_c"].to_numpy(np.int64)
        hours = np.where(hours > 0, np.minimum(hours, 16_800), -1)
        travel = v["travel_allowance_cents"].to_numpy(np.int64)
        second = v["agreement_id"].duplicated().to_numpy()
        self.copy(
            AgreementVersion,
            pd.DataFrame(
                {
                    "id": np.arange(1, len(v) + 1, dtype=np.int64),
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "agreement_id": v["agreement_id"].to_numpy(np.int64),
                    "budget_id": v["budget_id"].to_numpy(np.int64),
                    "product_id": self.products[v["product_id"].to_numpy(np.int64)],
                    "rate": cents_text(v["agreed_cents"].to_numpy(np.int64)),
                    "unit": v["version_unit"].to_numpy(dtype=object),
                    "hours_per_week": cents_text(hours),
                    "rate_includes_holiday_pay": v["holiday_pay"].to_numpy(),
                    "travel_allowance_per_km": cents_text(travel),
                    "approval_status": np.where(v["approved"], "approved", "pending").astype(
                        object
                    ),
                    "approval_recorded_role": "",
                    "approval_evidence": "",
                    "change_reason": np.where(second, "Rate change", "").astype(object),
                    "registered_at": CREATED,
                }
            ),
        )
        # per agreement: its first day and its grant's period, for the entries of the year
        first = pd.Series(valid_from, index=v["agreement_id"].to_numpy()).groupby(level=0).min()
        grant = pd.Series(v["budget_id"].to_numpy(), index=v["agreement_id"].to_numpy())
        grant = grant.groupby(level=0).first()
        period = self.budget_period.reindex(grant.to_numpy())
        self.agreement_span = pd.DataFrame(
            {
                "first": first.to_numpy(),
                "grant_start": period["budget_start"].to_numpy(),
                "grant_end": period["budget_end"].to_numpy(),
                "fixed": a.set_index("agreement_id")
                .loc[first.index, "agreement_type"]
                .eq("employment_fixed")
                .to_numpy(),
            },
            index=first.index,
        )

    def _users(self) -> None:
        from pgb_admin.accounts.models import Mandate, User

        ids = []
        for username, staff in ((STAFF_USER, True), (BUREAU_USER, False)):
            user = User(username=username, first_name="Bench", last_name=username, is_staff=staff)
            user.set_unusable_password()  # the benchmark never logs in
            user.save()
            ids.append(user.pk)
        self.copy(
            Mandate,
            pd.DataFrame(
                {
                    "valid_from": np.datetime64("2025-01-01"),
                    "created_at": CREATED,
                    "updated_at": CREATED,
                    "user_id": ids[1],
                    "holder_id": np.arange(1, self.holder_count + 1, dtype=np.int64),
                    "role": "bureau",
                    "representative_kind": "",
                }
            ),
        )

    # --- care ------------------------------------------------------------------------------------

    def _time_entries(self) -> None:
        """October as generated; every other month of the year repeats October's days of care
        (day 1 to the month's length) where the agreement and its grant run."""
        from declarations.models import TimeEntry

        e = self.inp.entries
        october = np.datetime64("2026-10-01")
        offset = (e["care_date"].to_numpy().astype("datetime64[D]") - october).astype(np.int64)
        e = e[(offset >= 0) & (offset < 31)]
        offset = offset[(offset >= 0) & (offset < 31)]
        span = self.agreement_span.reindex(e["agreement_id"].to_numpy())
        keep = ~span["fixed"].to_numpy(dtype=bool)
        e, offset, span = e[keep], offset[keep], span[keep]
        agreement = e["agreement_id"].to_numpy(np.int64)
        quantity = cents_text(e["quantity_c"].to_numpy(np.int64))
        start, end = clock_text(e["start_min"].to_numpy()), clock_text(e["end_min"].to_numpy())
        first = span["first"].to_numpy().astype("datetime64[D]")
        grant_start = span["grant_start"].to_numpy().astype("datetime64[D]")
        grant_end = span["grant_end"].to_numpy().astype("datetime64[D]")
        # the secondary indexes are built once after the load, not row by row during it
        indexes = self.cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
            "NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
            [TimeEntry._meta.db_table],
        ).fetchall()
        for index_name, _definition in indexes:
            self.cursor.execute(f'DROP INDEX "{index_name}"')
        next_id = 1
        month = FIRST_MONTH
        while month <= LAST_MONTH:
            first_day = np.datetime64(month, "D")
            length = int(
                (
                    (first_day.astype("datetime64[M]") + 1).astype("datetime64[D]") - first_day
                ).astype(int)
            )
            day = first_day + offset
            rows = offset < length
            if month != date(2026, 10, 1):
                rows &= (day >= first) & (day >= grant_start) & (day <= grant_end)
            count = int(rows.sum())
            self.copy(
                TimeEntry,
                pd.DataFrame(
                    {
                        "id": np.arange(next_id, next_id + count, dtype=np.int64),
                        "created_at": CREATED,
                        "updated_at": CREATED,
                        "agreement_id": agreement[rows],
                        "care_date": day[rows],
                        "quantity": quantity[rows],
                        "start_time": start[rows],
                        "end_time": end[rows],
                        "note": "",
                    }
                ),
            )
            next_id += count
            month = (month + timedelta(days=32)).replace(day=1)
        self.cursor.execute("SET maintenance_work_mem = '512MB'")
        for _index_name, definition in indexes:
            self.cursor.execute(definition)

    def _costs_and_sick_reports(self) -> None:
        from contracts.models import SickReport
        from declarations.models import Expense

        d = self.inp.declarations
        d = d[d["in_run"] & (d["month"] == pd.Timestamp(2026, 10, 1))].drop_duplicates(
            "agreement_id"
        )
        fixed = self.agreement_span["fixed"].reindex(d["agreement_id"].to_numpy()).to_numpy(bool)
        d = d[~fixed]
        travel = d[d["travel_km_c"] > 0]
        other = d[d["other_cents"] > 0]
        kilometres = travel["travel_km_c"].to_numpy(np.int64) // 10  # one decimal
        self.copy(
            Expense,
            pd.DataFrame(
                {
                    "created_at": CREATED,
                    "updated_at": CREATED,
                    "agreement_id": np.concatenate(
                        [
                            travel["agreement_id"].to_numpy(np.int64),
                            other["agreement_id"].to_numpy(np.int64),
                        ]
                    ),
                    "expense_date": np.datetime64("2026-10-15"),
                    "kind": np.array(
                        ["travel"] * len(travel) + ["other"] * len(other), dtype=object
                    ),
                    "kilometres": np.concatenate(
                        [cents_text(kilometres * 10), np.full(len(other), "", dtype=object)]
                    ),
                    "amount": np.concatenate(
                        [cents_text(travel["travel_cents"].to_numpy(np.int64)),
                         cents_text(other["other_cents"].to_numpy(np.int64))]
                    ),
                    "description": np.array(
                        [""] * len(travel) + ["Incontinence material"] * len(other), dtype=object
                    ),
                }
            ),
        )  # fmt: skip
        s = self.inp.sick_reports
        self.copy(
            SickReport,
            pd.DataFrame(
                {
                    "agreement_id": s["agreement_id"].to_numpy(np.int64),
                    "sick_from": s["sick_from"].to_numpy(),
                    "recovered_on": s["recovered_on"].to_numpy(),
                }
            ),
        )

    def _sequences(self) -> None:
        """Identity columns continue after the ids COPY wrote."""
        tables = [
            row[0]
            for row in self.cursor.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
                "AND is_identity = 'YES' AND table_schema = 'public'"
            ).fetchall()
        ]
        for table in tables:
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"GREATEST((SELECT max(id) FROM {table}), 1))"
            )


# --- vectorised values ---------------------------------------------------------------------------


def _funder_kind(synthetic: int) -> tuple[str, int]:
    """The generator's funder ids: 1-342 municipalities, 1001-1031 care offices, 2001-2010
    insurers; returns the kind and the number within it (from 0)."""
    if synthetic >= 2001:
        return "insurer", synthetic - 2001
    if synthetic >= 1001:
        return "care_office", synthetic - 1001
    return "municipality", synthetic - 1


def valid_bsns(count: int) -> list[str]:
    """``count`` distinct 9-digit BSNs passing the 11-proef (9·d1 + 8·d2 + … + 2·d8 - d9 is a
    multiple of 11): spread 8-digit prefixes, the check digit computed, those whose check digit
    would be 10 left out."""
    prefixes = 10_000_000 + np.arange(int(count * 1.2) + 20, dtype=np.int64) * 37
    weighted = sum(
        (9 - position) * (prefixes // 10 ** (7 - position) % 10) for position in range(8)
    )
    check = weighted % 11
    valid = check <= 9
    numbers = (prefixes[valid] * 10 + check[valid])[:count]
    if len(numbers) < count:
        raise AssertionError("not enough BSNs")
    return [f"{n:09d}" for n in numbers.tolist()]


def cents_text(cents: np.ndarray) -> np.ndarray:
    """Whole cents as decimal text for COPY (``1234`` → ``"12.34"``); negative: NULL. Exact
    (no float): each distinct value is formatted once."""
    values, inverse = np.unique(np.asarray(cents, dtype=np.int64), return_inverse=True)
    texts = np.array(
        [f"{v // 100}.{v % 100:02d}" if v >= 0 else None for v in values.tolist()], dtype=object
    )
    return texts[inverse.reshape(-1)]


def clock_text(minutes: np.ndarray) -> np.ndarray:
    """Minutes after midnight as ``HH:MM`` (negative: NULL)."""
    table = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)] + [None], dtype=object)
    minutes = np.asarray(minutes, dtype=np.int64)
    return table[np.where(minutes < 0, 24 * 60, minutes % (24 * 60))]


def _numbers_where(mask: pd.Series, numbers: np.ndarray) -> np.ndarray:
    return np.where(mask.to_numpy(bool), numbers.astype(str), "").astype(object)


def _day(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def _dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")
