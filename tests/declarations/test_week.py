"""A week of care saved in one go (Monday to Sunday, across months, all agreements at once),
all or nothing; and filling weeks from a pattern: a preview that writes nothing, public
holidays skipped, never the future, never a day with care unless asked, and an undo that
removes exactly what the fill added."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

import pytest

from declarations.models import TimeEntry
from declarations.services import batches as batch_services
from declarations.services import hours as hour_services

from ..api.conftest import _month

CROSSING = date(2026, 9, 28)  # Monday 28 September to Sunday 4 October 2026
TODAY = date(2026, 11, 23)  # the tests' today, a Monday


def _rows(agreement, monday, quantities: dict[int, str], **extra) -> list[dict]:
    return [
        {
            "agreement_id": agreement.pk,
            "care_date": monday + timedelta(days=offset),
            "quantity": value,
            **extra,
        }
        for offset, value in quantities.items()
    ]


def _entries(agreement, first, last) -> dict[date, Decimal]:
    return dict(
        TimeEntry.objects.filter(agreement=agreement, care_date__range=(first, last))
        .order_by("care_date")
        .values_list("care_date", "quantity")
    )


def _codes(error: ValidationError) -> dict[str, list[str]]:
    return {key: [e.code for e in errors] for key, errors in error.error_dict.items()}


# --- the week ----------------------------------------------------------------------------------


def test_a_week_across_two_months_and_two_agreements_is_saved_in_one_go(world):
    actor = world.users["holder"]
    workdays = {day: "4" for day in range(5)}
    saved = hour_services.time_entries_save_week(
        actor=actor,
        holder_id=world.mine.pk,
        monday=CROSSING,
        entries=_rows(world.mine_wmo_agreement, CROSSING, workdays)
        + _rows(world.mine_wlz_agreement, CROSSING, {5: "2,5"}, note="zaterdag"),
    )
    assert (saved.days_changed, saved.entries_added, saved.entries_removed) == (6, 6, 0)
    sunday = CROSSING + timedelta(days=6)
    assert _entries(world.mine_wmo_agreement, CROSSING, sunday) == {
        date(2026, 9, 28): Decimal("4.00"),
        date(2026, 9, 29): Decimal("4.00"),
        date(2026, 9, 30): Decimal("4.00"),
        date(2026, 10, 1): Decimal("4.00"),
        date(2026, 10, 2): Decimal("4.00"),
    }
    saturday = TimeEntry.objects.get(agreement=world.mine_wlz_agreement)
    assert (saturday.care_date, saturday.quantity, saturday.note) == (
        date(2026, 10, 3),
        Decimal("2.50"),
        "zaterdag",
    )


def test_a_day_named_again_is_replaced_an_emptied_day_removed_the_others_left_alone(world):
    actor, agreement = world.users["holder"], world.mine_wmo_agreement
    save = hour_services.time_entries_save_week
    save(
        actor=actor,
        holder_id=world.mine.pk,
        monday=CROSSING,
        entries=_rows(agreement, CROSSING, {0: "4", 1: "4", 2: "4"}),
    )
    save(
        actor=actor,
        holder_id=world.mine.pk,
        monday=CROSSING,
        entries=_rows(agreement, CROSSING, {0: "6", 1: ""}),
    )
    assert _entries(agreement, CROSSING, CROSSING + timedelta(days=6)) == {
        date(2026, 9, 28): Decimal("6.00"),
        date(2026, 9, 30): Decimal("4.00"),
    }


def test_times_give_the_quantity(world):
    hour_services.time_entries_save_week(
        actor=world.users["holder"],
        holder_id=world.mine.pk,
        monday=CROSSING,
        entries=[
            {
                "agreement_id": world.mine_wmo_agreement.pk,
                "care_date": CROSSING,
                "start_time": time(22, 0),
                "end_time": time(1, 30),
            }
        ],
    )
    entry = TimeEntry.objects.get(agreement=world.mine_wmo_agreement)
    assert (entry.quantity, entry.start_time) == (Decimal("3.50"), time(22, 0))


def test_an_exported_month_is_refused_and_nothing_of_the_week_is_written(world):
    """31 August is open, September is declared and exported: the whole week is refused."""
    actor, agreement = world.users["representative"], world.mine_wmo_agreement
    _month(actor, agreement, date(2026, 9, 1))
    batch_services.batch_export(actor=actor, month=date(2026, 9, 1), holder_id=world.mine.pk)
    monday = date(2026, 8, 31)
    before = _entries(agreement, monday, monday + timedelta(days=6))
    with pytest.raises(ValidationError) as refused, translation.override("nl"):
        hour_services.time_entries_save_week(
            actor=actor,
            holder_id=world.mine.pk,
            monday=monday,
            entries=_rows(agreement, monday, {0: "6", 1: "6"}),
        )
    assert _codes(refused.value) == {"entries[1].care_date": ["month_declared"]}
    with translation.override("en"):
        assert "09-2026" in refused.value.error_dict["entries[1].care_date"][0].messages[0]
    assert _entries(agreement, monday, monday + timedelta(days=6)) == before


def test_a_day_in_the_future_is_refused_and_nothing_is_written(world):
    agreement = world.mine_wmo_agreement
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        hour_services.time_entries_save_week(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            monday=TODAY,
            entries=_rows(agreement, TODAY, {0: "4", 1: "4"}),
        )
    assert _codes(refused.value) == {"entries[1].care_date": ["future_day"]}
    with translation.override("en"):
        message = refused.value.error_dict["entries[1].care_date"][0].messages[0]
    assert message == "24 Nov 2026 is in the future: log care once it has been given."
    assert not TimeEntry.objects.filter(agreement=agreement).exists()


def test_a_day_outside_the_agreement_is_refused_and_nothing_is_written(world):
    """The agreement runs from 1 January 2026: Wednesday 31 December 2025 is outside it."""
    agreement, monday = world.mine_wmo_agreement, date(2025, 12, 29)
    with pytest.raises(ValidationError) as refused:
        hour_services.time_entries_save_week(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            monday=monday,
            entries=_rows(agreement, monday, {2: "4", 4: "4"}),
        )
    assert _codes(refused.value) == {"entries[0].care_date": ["outside_agreement"]}
    assert not TimeEntry.objects.filter(agreement=agreement).exists()


def test_every_wrong_row_is_named_at_once(world):
    agreement = world.mine_wmo_agreement
    rows = _rows(agreement, CROSSING, {0: "abc", 1: "4", 2: "25"})
    rows.append({"agreement_id": agreement.pk, "care_date": date(2026, 10, 5), "quantity": "4"})
    rows.append({"agreement_id": world.theirs_agreement.pk, "care_date": CROSSING, "quantity": "4"})
    with pytest.raises(ValidationError) as refused:
        hour_services.time_entries_save_week(
            actor=world.users["holder"], holder_id=world.mine.pk, monday=CROSSING, entries=rows
        )
    assert _codes(refused.value) == {
        "entries[0].quantity": ["not_a_number"],
        "entries[2].quantity": ["more_than_a_day"],
        "entries[3].care_date": ["date_outside_week"],
        "entries[4].agreement": ["unknown_agreement"],
    }
    assert not TimeEntry.objects.exists()


def test_who_may_only_look_cannot_save_a_week(world):
    with pytest.raises(PermissionDenied):
        hour_services.time_entries_save_week(
            actor=world.users["family"],
            holder_id=world.mine.pk,
            monday=CROSSING,
            entries=_rows(world.mine_wmo_agreement, CROSSING, {0: "4"}),
        )
    assert not TimeEntry.objects.exists()


def test_saving_a_week_takes_as_many_queries_for_two_rows_as_for_fourteen(
    world, django_assert_max_num_queries
):
    def save(monday, agreements):
        rows = [row for a in agreements for row in _rows(a, monday, dict.fromkeys(range(7), "2"))]
        with django_assert_max_num_queries(100) as queries:
            hour_services.time_entries_save_week(
                actor=world.users["holder"], holder_id=world.mine.pk, monday=monday, entries=rows
            )
        return len(queries.captured_queries)

    one = save(CROSSING, [world.mine_wmo_agreement])
    two = save(CROSSING + timedelta(days=7), [world.mine_wmo_agreement, world.mine_wlz_agreement])
    assert two == one


# --- filling weeks from a pattern ------------------------------------------------------------


def _plan(world, mondays, pattern, **options):
    return hour_services.time_entries_fill_plan(
        actor=world.users["holder"],
        agreement_id=world.mine_wmo_agreement.pk,
        mondays=mondays,
        pattern=pattern,
        **options,
    )


def _fill(world, mondays, pattern, **options):
    return hour_services.time_entries_fill_weeks(
        actor=world.users["holder"],
        agreement_id=world.mine_wmo_agreement.pk,
        mondays=mondays,
        pattern=pattern,
        **options,
    )


WORKDAYS = dict.fromkeys(range(5), "4")


def test_the_preview_writes_nothing_and_the_fill_writes_what_it_showed(world):
    plan = _plan(world, [CROSSING, CROSSING + timedelta(days=7)], WORKDAYS)
    assert not TimeEntry.objects.exists()
    assert len(plan.days) == 10
    assert plan.total == Decimal(40)
    done = _fill(world, [CROSSING, CROSSING + timedelta(days=7)], WORKDAYS)
    assert [d.day for d in done.plan.days] == [d.day for d in plan.days]
    assert sorted(
        TimeEntry.objects.filter(agreement=world.mine_wmo_agreement).values_list("pk", flat=True)
    ) == sorted(done.created_ids)


def test_public_holidays_are_skipped_when_asked(world):
    """Ascension Day: Thursday 14 May 2026."""
    week = [date(2026, 5, 11)]
    with translation.override("nl"):
        plan = _plan(world, week, WORKDAYS, skip_holidays=True)
    assert date(2026, 5, 14) not in [d.day for d in plan.days]
    assert [(s.day, s.code, s.reason) for s in plan.skipped] == [
        (date(2026, 5, 14), "public_holiday", "Hemelvaartsdag, een feestdag")
    ]
    plan = _plan(world, week, WORKDAYS, skip_holidays=False)
    assert date(2026, 5, 14) in [d.day for d in plan.days]


def test_the_future_is_never_filled(world):
    done = _fill(world, [date(2026, 11, 16), TODAY, TODAY + timedelta(days=7)], {0: "2", 3: "2"})
    assert [d.day for d in done.plan.days] == [date(2026, 11, 16), date(2026, 11, 19), TODAY]
    assert {s.code for s in done.plan.skipped} == {"future_day"}
    assert not TimeEntry.objects.filter(care_date__gt=TODAY).exists()


def test_days_with_care_are_kept_unless_overwriting_is_asked(world):
    agreement = world.mine_wmo_agreement
    hour_services.time_entry_add(
        actor=world.users["holder"], agreement_id=agreement.pk, care_date=CROSSING, quantity="1"
    )
    plan = _plan(world, [CROSSING], {0: "4", 1: "4"})
    assert [d.day for d in plan.days] == [CROSSING + timedelta(days=1)]
    assert [(s.day, s.code) for s in plan.skipped] == [(CROSSING, "day_taken")]
    plan = _plan(world, [CROSSING], {0: "4", 1: "4"}, replace=True)
    assert [(d.day, d.replaces) for d in plan.days] == [
        (CROSSING, Decimal("1.00")),
        (CROSSING + timedelta(days=1), None),
    ]


def test_a_quantity_the_agreement_cannot_take_names_its_weekday(world):
    with pytest.raises(ValidationError) as refused:
        _plan(world, [CROSSING], {1: "4", 4: "x"})
    assert _codes(refused.value) == {"pattern[4]": ["not_a_number"]}
    with pytest.raises(ValidationError) as refused:
        _plan(world, [CROSSING], {1: "4", 2: "1,3"})
    assert _codes(refused.value) == {"pattern[2]": ["not_in_quarter_hours"]}
    assert not TimeEntry.objects.exists()


def test_undo_removes_exactly_what_the_fill_added_and_puts_back_what_it_overwrote(world):
    actor, agreement = world.users["holder"], world.mine_wmo_agreement
    before = hour_services.time_entry_add(
        actor=actor, agreement_id=agreement.pk, care_date=CROSSING, quantity="1", note="kort"
    )
    elsewhere = hour_services.time_entry_add(
        actor=actor, agreement_id=agreement.pk, care_date=date(2026, 9, 1), quantity="3"
    )
    done = _fill(world, [CROSSING], WORKDAYS, replace=True)
    assert len(done.created_ids) == 5
    assert done.removed == [
        {
            "care_date": "2026-09-28",
            "quantity": "1.00",
            "start_time": "",
            "end_time": "",
            "note": "kort",
        }
    ]
    later = hour_services.time_entry_add(
        actor=actor, agreement_id=agreement.pk, care_date=date(2026, 10, 4), quantity="2"
    )
    removed = hour_services.time_entries_undo_fill(
        actor=actor, agreement_id=agreement.pk, created_ids=done.created_ids, removed=done.removed
    )
    assert removed == 5
    left = TimeEntry.objects.filter(agreement=agreement).order_by("care_date")
    assert [(e.care_date, e.quantity, e.note) for e in left] == [
        (date(2026, 9, 1), Decimal("3.00"), ""),
        (CROSSING, Decimal("1.00"), "kort"),
        (date(2026, 10, 4), Decimal("2.00"), ""),
    ]
    assert {elsewhere.pk, later.pk} <= set(left.values_list("pk", flat=True))
    assert before.pk not in done.created_ids


def test_an_empty_fill_writes_nothing(world):
    done = _fill(world, [TODAY], {6: "4"})
    assert done.plan.empty
    assert done.created_ids == []
    assert [s.code for s in done.plan.skipped] == ["future_day"]
    assert not TimeEntry.objects.exists()
