"""The timed jobs: reminders before each limit, overdue reports upwards, automatic escalation —
at the deadline boundaries (one minute before and after), over a weekend and 国庆 with 调休, run
twice and after a missed day. Every moment is given; nothing depends on today's date."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.models import AuditEntry
from dangjian.notify.models import Kind, Message
from dangjian.service import jobs
from dangjian.service import services as s
from dangjian.service.choices import Level, OrderState
from dangjian.service.models import Order, OrderEvent

from .conftest import MINUTE, act, at, submit

HOUR = dt.timedelta(hours=1)


def kinds(user):
    return sorted(jobs_messages().filter(user=user).values_list("kind", flat=True))


def jobs_messages():
    """The messages of the jobs and transitions (not the 新工单 of each submission)."""
    return Message.objects.exclude(kind=Kind.SUBMITTED)


@pytest.fixture
def auto_escalate(settings):
    settings.DANGJIAN_RULES = {"SERVICE-DEADLINE": {"auto_escalate": True}}


# --- remind_due -------------------------------------------------------------------------------


def test_the_response_reminder_starts_one_hour_before_the_limit(place):
    t0 = at(2026, 11, 2, 9, 0)  # a Monday
    order = submit(place.grid, t0)  # 环境卫生: respond within 24 hours
    assert order.response_due == t0 + 24 * HOUR
    start = order.response_due - HOUR
    assert jobs.remind_due(start - MINUTE).reminded == 0
    assert not jobs_messages().exists()
    assert jobs.remind_due(start + MINUTE).reminded == 1
    message = jobs_messages().get()
    assert message.user == place.dispatcher and message.kind == Kind.DUE_SOON
    assert "受理" in message.subject and "11月03日 09:00" in message.subject
    assert message.created_at == start + MINUTE
    # past the limit it is no longer "due soon"
    assert jobs.remind_due(order.response_due + MINUTE).reminded == 0


def test_a_short_limit_is_reminded_of_at_its_half(place):
    t0 = at(2026, 11, 2, 9, 0)
    order = submit(place.grid, t0, category="safety")  # respond within 2 hours
    assert jobs.remind_due(t0 + HOUR - MINUTE).reminded == 0
    assert jobs.remind_due(t0 + HOUR + MINUTE).reminded == 1
    assert jobs_messages().get().order == order


def test_the_resolution_reminder_goes_to_the_grid_then_to_the_taker(place):
    t0 = at(2026, 11, 20, 9, 0)  # a Friday: 7 working days over a weekend
    order = submit(place.grid, t0)
    order = act(t0 + HOUR, s.order_accept, actor=place.dispatcher, order=order)
    order = act(
        t0 + 2 * HOUR, s.order_dispatch, actor=place.dispatcher, order=order, grid=place.grid
    )
    due = order.resolution_due
    assert timezone_date(due) == dt.date(2026, 12, 1)  # 23,24,25,26,27,30 Nov, 1 Dec
    jobs_messages().delete()  # the dispatch's own messages
    assert jobs.remind_due(due - 24 * HOUR - MINUTE).reminded == 0
    assert jobs.remind_due(due - 24 * HOUR + MINUTE).reminded == 1
    assert kinds(place.worker) == [Kind.DUE_SOON] and kinds(place.worker2) == [Kind.DUE_SOON]
    # once one worker took it, only the taker holds it (a new holder is told once too)
    act(due - 20 * HOUR, s.order_take, actor=place.worker, order=order)
    jobs.remind_due(due - 10 * HOUR)
    assert kinds(place.worker) == [Kind.DUE_SOON] and kinds(place.worker2) == [Kind.DUE_SOON]


def timezone_date(moment: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def test_across_national_day_the_reminder_comes_before_the_tiaoxiu_saturday_ends(place):
    # submitted Wed 2026-09-30; 10-01..10-07 off; Thu 8, Fri 9, Sat 10 (调休, a working day)
    t0 = at(2026, 9, 30, 16, 0)
    order = submit(place.grid, t0, category="environment")
    order = act(t0 + HOUR, s.order_accept, actor=place.dispatcher, order=order)
    due = order.resolution_due
    assert timezone_date(due) == dt.date(2026, 10, 15)  # 8, 9, 10(调休), 12, 13, 14, 15
    # nothing during the holiday, the reminder in the last 24 hours
    assert jobs.remind_due(at(2026, 10, 5, 12, 0)).reminded == 0
    assert jobs.remind_due(at(2026, 10, 14, 23, 58)).reminded == 0
    assert jobs.remind_due(at(2026, 10, 15, 0, 1)).reminded == 1
    # the day after the limit: overdue, not due soon
    assert jobs.remind_due(at(2026, 10, 16, 0, 1)).reminded == 0
    assert jobs.escalate_overdue(at(2026, 10, 16, 0, 1)).overdue == 1


def test_a_three_workday_limit_ends_on_the_tiaoxiu_saturday(place, settings):
    settings.DANGJIAN_SERVICE_CATEGORIES = str(_three_day_file(settings))
    t0 = at(2026, 9, 30, 16, 0)
    order = submit(place.grid, t0, category="three")
    order = act(t0 + HOUR, s.order_accept, actor=place.dispatcher, order=order)
    assert timezone_date(order.resolution_due) == dt.date(2026, 10, 10)  # the 调休 Saturday
    end = at(2026, 10, 10, 23, 59) + MINUTE
    assert jobs.escalate_overdue(end - 2 * MINUTE).overdue == 0
    assert jobs.escalate_overdue(end + MINUTE).overdue == 1


def _three_day_file(settings):
    from pathlib import Path

    from dangjian.service import categories

    path = Path(settings.VAR_DIR) / "three-day-categories.yaml"
    path.write_text(
        "categories:\n"
        "  - {code: three, name: 三日件, group: 测试, level: village,\n"
        "     response_hours: 24, resolution_days: 3, workdays: true}\n",
        encoding="utf-8",
    )
    categories._cached.cache_clear()
    return path


# --- escalate_overdue -------------------------------------------------------------------------


def test_overdue_is_told_to_the_holder_and_the_level_above(place):
    t0 = at(2026, 11, 2, 9, 0)
    order = submit(place.grid, t0)
    assert jobs.escalate_overdue(order.response_due - MINUTE).overdue == 0
    report = jobs.escalate_overdue(order.response_due + MINUTE)
    assert report.overdue == 1 and report.escalated == 0
    assert kinds(place.dispatcher) == [Kind.OVERDUE]
    above = jobs_messages().get(user=place.town_admin)
    assert above.kind == Kind.OVERDUE and "下级工单超期" in above.subject
    assert place.village.name in above.subject
    assert Order.objects.get(pk=order.pk).level == Level.VILLAGE  # auto_escalate is off


def test_auto_escalation_is_one_step_per_breach_by_the_system(place, auto_escalate):
    t0 = at(2026, 11, 2, 9, 0)
    order = submit(place.plain, t0)  # no 片区: the next step is the town
    report = jobs.escalate_overdue(order.response_due + MINUTE)
    assert report.escalated == 1
    order.refresh_from_db()
    assert order.level == Level.TOWN and order.handler_org == place.town
    assert order.state == OrderState.ACCEPTED
    event = OrderEvent.objects.get(order=order, kind="escalate")
    assert event.by is None and "系统自动上报" in event.note
    assert event.at == order.response_due + MINUTE
    entry = AuditEntry.objects.filter(action="service.order.escalate").get()
    assert entry.actor_name == "系统:工单时限任务"
    assert kinds(place.town_admin).count(Kind.ESCALATED) == 1
    # run again, and after the next day: the same breach is not escalated twice
    assert jobs.escalate_overdue(order.response_due + 2 * MINUTE).escalated == 0
    assert jobs.escalate_overdue(order.response_due + 25 * HOUR).escalated == 0
    assert OrderEvent.objects.filter(order=order, kind="escalate").count() == 1


def test_at_the_top_of_the_ladder_the_order_stays_and_is_shown_above(place, auto_escalate):
    order = submit(place.plain, at(2026, 11, 2, 9, 0))
    order = s.order_escalate(actor=place.dispatcher, order=order, reason="需要乡镇协调")
    assert order.level == Level.TOWN
    report = jobs.escalate_overdue(order.resolution_due + MINUTE)
    assert report.overdue == 1 and report.escalated == 0 and not report.failed
    assert Order.objects.get(pk=order.pk).level == Level.TOWN


def test_running_twice_or_after_a_missed_day_tells_nobody_twice(place):
    t0 = at(2026, 11, 2, 9, 0)
    order = submit(place.grid, t0)
    first = order.response_due + MINUTE
    jobs.tick(first)
    count = jobs_messages().count()
    assert count == 2  # the holder and the level above
    jobs.tick(first)
    assert jobs_messages().count() == count
    # the next day's run was missed; the one after catches up with what is new only
    later = order.response_due + 48 * HOUR
    jobs.tick(later)
    jobs.tick(later + MINUTE)
    assert jobs_messages().count() == count


def test_a_missed_reminder_run_is_caught_up_once(place):
    t0 = at(2026, 11, 2, 9, 0)
    order = submit(place.grid, t0)
    # the run inside the hour before the limit was missed; a later one within it catches up
    jobs.remind_due(order.response_due - 5 * MINUTE)
    jobs.remind_due(order.response_due - 2 * MINUTE)
    assert jobs_messages().filter(kind=Kind.DUE_SOON).count() == 1


def test_a_reopened_order_gets_a_new_resolution_reminder(place):
    t0 = at(2026, 11, 2, 9, 0)
    order = submit(place.grid, t0)
    order = act(t0 + HOUR, s.order_accept, actor=place.dispatcher, order=order)
    order = act(
        t0 + 2 * HOUR, s.order_dispatch, actor=place.dispatcher, order=order, grid=place.grid
    )
    first_due = order.resolution_due
    jobs.remind_due(first_due - 2 * HOUR)
    order = act(first_due - HOUR, s.order_take, actor=place.worker, order=order)
    order = act(first_due - HOUR, s.order_resolve, actor=place.worker, order=order, result="已清运")
    order = act(first_due, s.order_rate, order=order, rating="unsatisfied")
    order = act(first_due + HOUR, s.order_reopen, order=order, note="又堆满了")
    assert order.resolution_due > first_due
    order = act(
        first_due + 2 * HOUR,
        s.order_dispatch,
        actor=place.dispatcher,
        order=order,
        assignee=place.worker,
    )
    jobs.remind_due(order.resolution_due - 2 * HOUR)
    assert jobs_messages().filter(user=place.worker, kind=Kind.DUE_SOON).count() == 2


def test_one_failing_order_does_not_stop_the_others(place, monkeypatch):
    t0 = at(2026, 11, 2, 9, 0)
    bad, good = submit(place.grid, t0), submit(place.other_grid, t0)
    original = jobs._signal

    def flaky(what, limit, order, due):
        if order.pk == bad.pk:
            raise RuntimeError("boom")
        original(what, limit, order, due)

    monkeypatch.setattr(jobs, "_signal", flaky)
    report = jobs.escalate_overdue(bad.response_due + MINUTE)
    assert report.overdue == 1 and report.failed == [f"{bad.tracking_code}：RuntimeError"]
    assert jobs_messages().filter(order=good).exists()
    assert not jobs_messages().filter(order=bad).exists()


def test_the_command_runs_both_jobs(place, capsys):
    from django.core.management import call_command

    order = submit(place.grid, at(2026, 11, 2, 9, 0))
    call_command("notify", "tick", "--at", "2026-11-03T09:01")
    out = capsys.readouterr().out
    assert "超时工单 1 件" in out and "到期提醒 0 项" in out
    assert jobs_messages().filter(order=order, kind=Kind.OVERDUE).count() == 2


def test_the_command_refuses_a_bad_moment():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="时刻"):
        call_command("notify", "tick", "--at", "明天")


def test_the_tasks_run_the_jobs_in_the_worker(place):
    order = submit(place.grid, at(2026, 11, 2, 9, 0))
    result = jobs.tick_task.enqueue("2026-11-03T09:01:00+08:00")
    assert result.return_value["overdue"]["overdue"] == 1
    assert jobs_messages().filter(order=order).count() == 2
