"""The dashboard in words: a grant's period, its run-out in one sentence, the alerts beside it."""

from datetime import date

from django.utils import translation

import pytest

from pgb_admin.core.dates import format_period
from reports.dashboard.cards import alerts, run_out_sentence
from reports.dashboard.words import grant_title

SUMMER = date(2026, 6, 1)


def _grant(run_out=None, balance="3102.00", *, agreed=None, months=5, granted="12000.00"):
    return {
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "granted": granted,
        "burn_rate": {"months": months},
        "projection": {
            "trend": {"run_out": run_out, "balance_at_end": balance},
            "agreed": {"run_out": agreed, "balance_at_end": balance},
        },
        "alerts": [],
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "Wmo 2015 · 's-Gravenhage (Den Haag) · 1 januari – 31 december 2026"),
        ("en", "Wmo 2015 · 's-Gravenhage (Den Haag) · 1 January – 31 December 2026"),
    ],
)
def test_a_grant_in_words(language, expected):
    with translation.override(language):
        title = grant_title("wmo", "'s-Gravenhage (Den Haag)", "2026-01-01", date(2026, 12, 31))
    assert title == expected


def test_a_period_across_years_names_both_years():
    with translation.override("nl"):
        assert format_period(date(2026, 7, 1), date(2027, 6, 30)) == "1 juli 2026 – 30 juni 2027"
        assert format_period(date(2026, 7, 1), None) == "1 juli 2026"


@pytest.mark.parametrize(
    ("grant", "today", "nl", "en"),
    [
        (
            _grant("2026-10-14", "-900.00"),
            SUMMER,
            "In het huidige tempo is het budget op 14 oktober 2026 op, 11 weken voor het einde "
            "van de toekenning.",
            "At the current pace the budget runs out on 14 October 2026, 11 weeks before the "
            "grant ends.",
        ),
        (
            _grant(),
            SUMMER,
            "In het huidige tempo houdt u €\u00a03.102,00 over aan het einde van de toekenning.",
            "At the current pace you keep €\u00a03,102.00 at the end of the grant.",
        ),
        (
            _grant("2026-12-25", "-10.00"),
            SUMMER,
            "In het huidige tempo is het budget op 25 december 2026 op, 6 dagen voor het einde "
            "van de toekenning.",
            "At the current pace the budget runs out on 25 December 2026, 6 days before the "
            "grant ends.",
        ),
        (
            _grant("2026-12-31", "-1.00"),
            SUMMER,
            "In het huidige tempo is het budget op 31 december 2026 op, de laatste dag van de "
            "toekenning.",
            "At the current pace the budget runs out on 31 December 2026, the last day of the "
            "grant.",
        ),
        (
            _grant("2026-05-02", "-4000.00"),
            SUMMER,
            "Het budget is op sinds 2 mei 2026.",
            "The budget is used up since 2 May 2026.",
        ),
        (
            _grant(),
            date(2025, 12, 1),
            "De toekenning begint op 1 januari 2026.",
            "The grant starts on 1 January 2026.",
        ),
        (
            _grant(),
            date(2027, 2, 1),
            "De toekenning is afgelopen met €\u00a03.102,00 over.",
            "The grant has ended with €\u00a03,102.00 left.",
        ),
        (
            _grant(balance="12000.00", months=0),
            date(2026, 1, 15),
            "Er is nog niets besteed: een prognose volgt als de eerste maand voorbij is.",
            "Nothing is spent yet: a forecast follows once the first month is over.",
        ),
        (_grant(granted="0.00"), SUMMER, "", ""),
    ],
)
def test_the_run_out_in_one_sentence(grant, today, nl, en):
    for language, expected in (("nl", nl), ("en", en)):
        with translation.override(language):
            assert run_out_sentence(grant, today) == expected


def test_the_care_agreements_run_out_sooner_than_the_pace():
    with translation.override("nl"):
        sooner = alerts(_grant("2026-11-30", "-5.00", agreed="2026-09-01"), SUMMER)
        later = alerts(_grant("2026-09-01", "-5.00", agreed="2026-11-30"), SUMMER)
    assert sooner == ["Volgens de zorgovereenkomsten is het budget eerder op: op 1 september 2026."]
    assert later == []
