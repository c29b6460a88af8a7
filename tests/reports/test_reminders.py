"""Reminders (issue 19, part 4): every kind fires on its day, not the day before and never twice
(the job run twice, and the days after); preferences, the bureau digest, the unsubscribe link,
the language, and what an e-mail never says."""

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

import pytest

from contracts.constants import ApprovalStatus
from declarations.constants import DeclarationStatus, ProviderMonthStatus
from declarations.models import Declaration, ProviderMonth, TimeEntry
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.budgets.models import Budget
from reports.reminders.models import Channel, Notice, ReminderPreference, ReminderProfile
from reports.reminders.registry import KINDS, kinds
from reports.reminders.services import send_reminders
from reports.reminders.tokens import unsubscribe_token
from reports.tasks import send_reminders_task

from ..conftest import restore_reference_data
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    MandateFactory,
    UserFactory,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = date(2026, 1, 1)


@pytest.fixture
def people(db, reference_data):
    return _people(reference_data)


def _people(reference_data):
    restore_reference_data(reference_data)
    holder = BudgetHolderFactory(first_name="Anna", surname="Verborgen")
    anna = UserFactory(username="anna", email="anna@example.org")
    MandateFactory(user=anna, holder=holder, role=MandateRole.HOLDER, valid_from=START)
    family = UserFactory(username="family", email="family@example.org")
    MandateFactory(user=family, holder=holder, role=MandateRole.FAMILY_READONLY, valid_from=START)
    gone = UserFactory(username="gone", email="gone@example.org")
    MandateFactory(
        user=gone,
        holder=holder,
        role=MandateRole.REPRESENTATIVE,
        valid_from=START,
        valid_to=date(2026, 2, 1),
    )
    return SimpleNamespace(holder=holder, anna=anna, family=family, gone=gone)


def _agreement(holder, **version):
    agreement = CareAgreementFactory(holder=holder)
    budget = version.pop("budget", None) or BudgetFactory(holder=holder)
    AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), **version
    )
    return agreement


def _notices(user, kind):
    return list(Notice.objects.filter(user=user, kind=kind).values_list("occurrence", flat=True))


def _fires_once_on(people, kind: str, day: date) -> Notice:
    """Nothing the day before; on ``day`` one notice and one e-mail for the holder; the job
    run again that day and on the next two days adds neither."""
    send_reminders(today=day - timedelta(days=1), only=[kind])
    assert _notices(people.anna, kind) == []
    assert mail.outbox == []

    send_reminders(today=day, only=[kind])
    assert len(_notices(people.anna, kind)) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]

    for again in (day, day, day + timedelta(days=1), day + timedelta(days=2)):
        result = send_reminders(today=again, only=[kind])
        assert result.stored == 0
    assert len(_notices(people.anna, kind)) == 1
    assert len(mail.outbox) == 1
    # the family member reads along but does not act; an ended mandate reaches no one
    assert _notices(people.family, kind) == []
    assert _notices(people.gone, kind) == []
    return Notice.objects.get(user=people.anna, kind=kind)


def test_every_kind_is_registered_with_a_title():
    assert {kind.code for kind in kinds()} == {
        "hours_week",
        "declaration_deadline",
        "grant_ending",
        "objection_deadline",
        "budget_used",
        "approval_waiting",
        "provider_month_review",
    }


# -- each kind on its day ------------------------------------------------------------------


def test_last_weeks_hours_on_monday(people):
    agreement = _agreement(people.holder)
    # hours for the week before last: only last week (16 to 22 Nov) is missing
    TimeEntry.objects.create(agreement=agreement, care_date=date(2026, 11, 10), quantity=2)
    notice = _fires_once_on(people, "hours_week", date(2026, 11, 23))
    assert notice.occurrence == f"{people.holder.pk}:2026-11-16"
    assert notice.link == reverse("declarations:week", args=[people.holder.pk, date(2026, 11, 16)])


def test_no_hours_reminder_when_hours_were_logged_or_pay_is_monthly(people):
    agreement = _agreement(people.holder)
    TimeEntry.objects.create(agreement=agreement, care_date=date(2026, 11, 18), quantity=2)
    monthly = BudgetHolderFactory(first_name="Bram")
    MandateFactory(user=people.anna, holder=monthly, role=MandateRole.HOLDER, valid_from=START)
    _agreement(monthly, unit="month", hours_per_week=None)
    send_reminders(today=date(2026, 11, 23), only=["hours_week"])
    assert _notices(people.anna, "hours_week") == []


def test_declaration_a_month_before_its_deadline(people):
    agreement = _agreement(people.holder)
    TimeEntry.objects.create(agreement=agreement, care_date=date(2026, 10, 5), quantity=3)
    # October's deadline: 31 Oct + 6 weeks (provider) + 4 weeks (holder) = 9 Jan 2027
    notice = _fires_once_on(people, "declaration_deadline", date(2026, 12, 9))
    assert notice.occurrence == f"{agreement.pk}:2026-10"
    assert notice.params == {"month": "2026-10-01", "deadline": "2027-01-09"}


def test_no_declaration_reminder_once_it_was_submitted(people):
    agreement = _agreement(people.holder)
    TimeEntry.objects.create(agreement=agreement, care_date=date(2026, 10, 5), quantity=3)
    Declaration.objects.create(
        agreement=agreement,
        budget=agreement.versions.get().budget,
        month=date(2026, 10, 1),
        status=DeclarationStatus.SUBMITTED,
        total_amount=Decimal("55.50"),
    )
    send_reminders(today=date(2026, 12, 20), only=["declaration_deadline"])
    assert _notices(people.anna, "declaration_deadline") == []


def test_grant_ends_in_eight_weeks(people):
    budget = BudgetFactory(
        holder=people.holder, start_date=date(2026, 4, 1), end_date=date(2027, 3, 31)
    )
    # 8 weeks (renewal_notice_weeks) before 31 March 2027
    notice = _fires_once_on(people, "grant_ending", date(2027, 2, 3))
    assert notice.occurrence == str(budget.pk)


def test_no_grant_reminder_when_the_next_decision_is_in(people):
    BudgetFactory(holder=people.holder, start_date=date(2026, 4, 1), end_date=date(2027, 3, 31))
    BudgetFactory(holder=people.holder, start_date=date(2027, 4, 1), end_date=date(2028, 3, 31))
    send_reminders(today=date(2027, 2, 10), only=["grant_ending"])
    assert _notices(people.anna, "grant_ending") == []


def test_objection_deadline_a_week_before(people):
    # decided 2 Nov: 6 weeks to object (Awb 6:7) ends 14 Dec; reminded 7 days before
    budget = BudgetFactory(
        holder=people.holder,
        decision_date=date(2026, 11, 2),
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
    )
    notice = _fires_once_on(people, "objection_deadline", date(2026, 12, 7))
    assert notice.occurrence == str(budget.pk)
    assert notice.params == {"deadline": "2026-12-14"}
    send_reminders(today=date(2026, 12, 15), only=["objection_deadline"])  # after: nothing new
    assert len(mail.outbox) == 1


def test_budget_at_75_then_90_percent_each_once(people):
    budget = BudgetFactory(holder=people.holder, amount=Decimal("1000.00"))
    Budget.objects.filter(pk=budget.pk).update(declared=Decimal("749.99"))
    send_reminders(today=date(2026, 6, 1), only=["budget_used"])
    assert _notices(people.anna, "budget_used") == []

    Budget.objects.filter(pk=budget.pk).update(declared=Decimal("750.00"))
    for day in (date(2026, 6, 2), date(2026, 6, 2), date(2026, 6, 3)):
        send_reminders(today=day, only=["budget_used"])
    assert _notices(people.anna, "budget_used") == [f"{budget.pk}:75"]
    assert len(mail.outbox) == 1
    assert "75 %" in mail.outbox[0].body

    Budget.objects.filter(pk=budget.pk).update(declared=Decimal("900.00"))
    for day in (date(2026, 7, 1), date(2026, 7, 1), date(2026, 7, 2)):
        send_reminders(today=day, only=["budget_used"])
    assert sorted(_notices(people.anna, "budget_used")) == [f"{budget.pk}:75", f"{budget.pk}:90"]
    assert len(mail.outbox) == 2


def test_budget_jumping_past_90_percent_reminds_once(people):
    budget = BudgetFactory(holder=people.holder, amount=Decimal("1000.00"))
    Budget.objects.filter(pk=budget.pk).update(declared=Decimal("950.00"))
    for day in (date(2026, 6, 1), date(2026, 6, 2)):
        send_reminders(today=day, only=["budget_used"])
    assert _notices(people.anna, "budget_used") == [f"{budget.pk}:90"]
    assert len(mail.outbox) == 1


def test_a_providers_month_waiting_for_review_after_3_days(people):
    """Submitted on 10 November in the afternoon: the holder had an e-mail then; on the 13th,
    three days on, a reminder; sent back and submitted again, it is a new one; once approved,
    nothing more."""
    agreement = _agreement(people.holder)
    provider = UserFactory(username="carer")
    submitted = datetime(2026, 11, 10, 14, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    month = ProviderMonth.objects.create(
        agreement=agreement,
        month=date(2026, 10, 1),
        status=ProviderMonthStatus.SUBMITTED,
        entered_by=provider,
        submitted_at=submitted,
    )
    notice = _fires_once_on(people, "provider_month_review", date(2026, 11, 13))
    assert notice.link == reverse("providers:review", args=[month.pk])
    with translation.override("en"):
        title = KINDS["provider_month_review"].title(notice.params, "Anna")
    assert title == "A care provider's month October 2026 for Anna waits for your review."

    again = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    ProviderMonth.objects.filter(pk=month.pk).update(submitted_at=again)
    send_reminders(today=date(2026, 11, 22), only=["provider_month_review"])
    assert len(_notices(people.anna, "provider_month_review")) == 1
    send_reminders(today=date(2026, 11, 23), only=["provider_month_review"])
    assert len(_notices(people.anna, "provider_month_review")) == 2

    ProviderMonth.objects.filter(pk=month.pk).update(
        status=ProviderMonthStatus.APPROVED, submitted_at=submitted
    )
    send_reminders(today=date(2026, 12, 1), only=["provider_month_review"])
    assert len(_notices(people.anna, "provider_month_review")) == 2


def test_agreement_waiting_for_approval_after_14_days(people):
    agreement = _agreement(people.holder, approval_status=ApprovalStatus.PENDING)
    version = agreement.versions.get()
    type(version).objects.filter(pk=version.pk).update(
        registered_at=datetime(2026, 11, 2, 23, 30, tzinfo=AMSTERDAM)
    )
    notice = _fires_once_on(people, "approval_waiting", date(2026, 11, 16))
    assert notice.occurrence == str(version.pk)
    assert notice.link == reverse("contracts:agreement", args=[agreement.pk])

    # approved later: nothing more, whatever the day
    type(version).objects.filter(pk=version.pk).update(approval_status=ApprovalStatus.APPROVED)
    send_reminders(today=date(2026, 12, 1), only=["approval_waiting"])
    assert len(mail.outbox) == 1


# -- preferences, digest, unsubscribe, language, what e-mails say ------------------------


def _grant_ending(holder):
    return BudgetFactory(holder=holder, start_date=date(2026, 4, 1), end_date=date(2027, 3, 31))


DAY = date(2027, 2, 3)


def test_preferences_off_and_in_app_only(people):
    _grant_ending(people.holder)
    ReminderPreference.objects.create(user=people.anna, kind="grant_ending", channel=Channel.OFF)
    send_reminders(today=DAY, only=["grant_ending"])
    assert _notices(people.anna, "grant_ending") == []

    ReminderPreference.objects.filter(user=people.anna).update(channel=Channel.IN_APP)
    send_reminders(today=DAY, only=["grant_ending"])
    assert len(_notices(people.anna, "grant_ending")) == 1
    assert mail.outbox == []


def test_bureau_gets_one_digest_a_day(people):
    bureau = UserFactory(username="bureau", email="bureau@example.org")
    other = BudgetHolderFactory(first_name="Bram", surname="Geheim")
    for holder in (people.holder, other):
        MandateFactory(user=bureau, holder=holder, role=MandateRole.BUREAU, valid_from=START)
        _grant_ending(holder)
    Budget.objects.filter(holder=other).update(declared=Decimal("11000.00"))
    send_reminders(today=DAY)
    send_reminders(today=DAY)
    to_bureau = [message for message in mail.outbox if message.to == ["bureau@example.org"]]
    assert len(to_bureau) == 1
    body = to_bureau[0].body
    assert "Anna" in body
    assert "Bram" in body
    assert Notice.objects.filter(user=bureau).count() == 3  # two grants ending, one at 90 %
    # Anna acts for herself only: an e-mail per reminder
    assert [m.to for m in mail.outbox].count(["anna@example.org"]) == 1


def test_unsubscribe_link_works_without_login_and_sets_the_preference(people, client):
    _grant_ending(people.holder)
    send_reminders(today=DAY, only=["grant_ending"])
    message = mail.outbox[0]
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>").removeprefix("http://localhost:8000")
    assert url in message.body

    page = client.get(url)  # asks first: a link checker changes nothing
    assert page.status_code == 200
    assert not ReminderPreference.objects.filter(user=people.anna).exists()

    assert client.post(url).status_code == 200  # one click, no login, no CSRF token
    assert ReminderPreference.objects.get(user=people.anna, kind="grant_ending").channel == (
        Channel.IN_APP
    )
    mail.outbox.clear()
    BudgetFactory(holder=people.holder, start_date=date(2026, 3, 1), end_date=date(2027, 3, 30))
    send_reminders(today=DAY, only=["grant_ending"])
    assert len(_notices(people.anna, "grant_ending")) == 2  # still in the app
    assert mail.outbox == []


def test_unsubscribe_all_and_tampered_tokens(people, client):
    token = unsubscribe_token(user_id=people.anna.pk)
    other = unsubscribe_token(user_id=people.family.pk)
    # Anna's payload under the signature of the family member's token
    forged = token.split(":", 1)[0] + ":" + other.split(":", 1)[1]
    assert forged not in (token, other)
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = client.post(reverse("reports:unsubscribe", args=[bad]))
        assert response.status_code == 400
    assert not ReminderProfile.objects.exists()

    client.post(reverse("reports:unsubscribe", args=[token]))
    assert ReminderProfile.objects.get(user=people.anna).emails_off
    _grant_ending(people.holder)
    send_reminders(today=DAY)
    assert Notice.objects.filter(user=people.anna).exists()
    assert mail.outbox == []


def test_emails_never_name_the_bsn_surname_or_care(people):
    holder = people.holder
    _grant_ending(holder)
    budget = BudgetFactory(holder=holder, amount=Decimal("100.00"))
    Budget.objects.filter(pk=budget.pk).update(declared=Decimal("95.00"))
    _agreement(holder, approval_status=ApprovalStatus.PENDING)
    AgreementVersionFactory._meta.model.objects.update(
        registered_at=datetime(2026, 11, 2, 10, 0, tzinfo=AMSTERDAM)
    )
    send_reminders(today=DAY)
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        html = message.alternatives[0][0]
        for text in (message.subject, message.body, html):
            assert holder.bsn not in text
            assert "Verborgen" not in text  # the surname
            assert "begeleiding" not in text.lower()  # the care product
            assert "Anna" in text or text == message.subject


def test_e_mail_in_the_users_language(people):
    _grant_ending(people.holder)
    send_reminders(today=DAY, only=["grant_ending"])
    assert "nieuw besluit" in mail.outbox[0].body  # Dutch by default

    english = UserFactory(username="english", email="en@example.org")
    MandateFactory(user=english, holder=people.holder, role=MandateRole.HOLDER, valid_from=START)
    ReminderProfile.objects.create(user=english, language="en")
    _grant_ending(people.holder)
    send_reminders(today=DAY, only=["grant_ending"])
    to_english = [m for m in mail.outbox if m.to == ["en@example.org"]]
    assert len(to_english) == 2
    assert to_english[0].subject == "Reminder: A grant ends soon"
    assert "ask the funder for a new decision in time" in to_english[0].body


# -- pages, task, command --------------------------------------------------------------------


def test_notices_page_count_and_mark_read(people, client):
    _grant_ending(people.holder)
    send_reminders(today=DAY, only=["grant_ending"])
    client.force_login(people.anna)
    page = client.get(reverse("reports:notices"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Anna" in text
    assert reverse("budgets:dashboard", args=[people.holder.pk]) in text
    assert "unread-reminders" in text
    client.post(reverse("reports:notices_read"))
    assert not Notice.objects.filter(user=people.anna, read_at__isnull=True).exists()
    assert "unread-reminders" not in client.get(reverse("reports:notices")).content.decode()


def test_other_users_notices_are_not_shown_or_marked(people, client):
    _grant_ending(people.holder)
    send_reminders(today=DAY, only=["grant_ending"])
    notice = Notice.objects.get(user=people.anna)
    client.force_login(people.family)
    assert "Anna" not in client.get(reverse("reports:notices")).content.decode()
    client.post(reverse("reports:notices_read"), {"notice": notice.pk})
    notice.refresh_from_db()
    assert notice.read_at is None


def test_preferences_page_saves_choices_and_language(people, client):
    client.force_login(people.anna)
    assert client.get(reverse("reports:reminder_preferences")).status_code == 200
    data = {f"kind_{code}": Channel.EMAIL for code in KINDS}
    data |= {"kind_hours_week": Channel.OFF, "language": "en"}
    response = client.post(reverse("reports:reminder_preferences"), data)
    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=people.anna, kind="hours_week").channel == "off"
    assert ReminderProfile.objects.get(user=people.anna).language == "en"


def test_pages_need_a_login(client):
    for name in ("reports:notices", "reports:reminder_preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_task_and_command_run_the_job_once(people):
    _grant_ending(people.holder)
    assert send_reminders_task.delay(DAY.isoformat()).get()["stored"] == 1
    call_command("send_reminders", "--date", DAY.isoformat())
    assert Notice.objects.filter(user=people.anna).count() == 1
    assert len(mail.outbox) == 1


@pytest.fixture
def people_committed(transactional_db, reference_data):
    return _people(reference_data)


def test_two_runs_at_once_store_and_mail_once(people_committed):
    """Two workers running the job at the same moment: the unique constraint decides."""
    people = people_committed
    _grant_ending(people.holder)
    budget = BudgetFactory(
        holder=people.holder,
        amount=Decimal("100.00"),
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
    )
    Budget.objects.filter(pk=budget.pk).update(declared=Decimal("80.00"))
    start = threading.Barrier(2)
    results = []

    def run() -> None:
        try:
            start.wait()
            results.append(send_reminders(today=DAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.stored for result in results) == [0, 2]
    assert Notice.objects.filter(user=people.anna).count() == 2
    assert len(mail.outbox) == 2


def test_the_reminders_run_each_morning_with_celery_beat():
    from celery import current_app

    schedule = current_app.conf.beat_schedule["send-reminders"]
    current_app.loader.import_default_modules()
    assert schedule["task"] in current_app.tasks
    every = schedule["schedule"]  # once a day, in the morning
    assert (every.hour, every.minute, len(every.day_of_week)) == ({7}, {0}, 7)
