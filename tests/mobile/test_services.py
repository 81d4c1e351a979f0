"""The write path: outflows, returns, cards, host activities, lost-contact records, search
steps, finding again and the decisions — every refusal in Chinese, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.members.models import MemberStatus
from dangjian.mobile import services as svc
from dangjian.mobile.models import HostActivity, LostContact, Outflow, SearchStep
from dangjian.mobile.selectors import figures, flags, hosted_for, outflow_get, outflows_for

D = dt.date
TODAY = D(2026, 11, 23)


def data(**kw):
    base = {
        "region_code": "330102",
        "place": "杭州市上城区",
        "started_on": D(2026, 3, 1),
        "fixed_place": True,
        "employer": "某物流公司",
        "phone": "13812345678",
    }
    return svc.OutflowInput(**{**base, **kw})


def counts():
    return (
        Outflow.objects.count(),
        LostContact.objects.count(),
        SearchStep.objects.count(),
        HostActivity.objects.count(),
        MemberStatus.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(call, *words):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        call()
    text = "；".join(exc.value.messages)
    for word in words:
        assert word in text, text
    assert counts() == before
    return text


def start(place, /, **kw):
    return svc.outflow_start(
        actor=place.secretary, member=place.worker, data=data(**kw), today=TODAY
    )


def test_outflow_start_encrypts_and_masks_the_phone_and_audits(place):
    outflow = start(place, host_org=place.host)
    assert outflow.phone_masked == "138****5678"
    assert b"13812345678" not in bytes(outflow.phone_cipher)
    assert outflow.phone() == "13812345678"
    assert outflow.host_label == place.host.name
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "mobile.outflow.start" and "13812345678" not in str(entry.after)
    # he stays on his home roll
    place.worker.refresh_from_db()
    assert place.worker.org_id == place.home.pk


@pytest.mark.parametrize(
    ("kw", "word"),
    [
        ({"region_code": "12345"}, "6 位或 12 位"),
        ({"region_code": "999999"}, "不存在"),
        ({"region_code": ""}, "请填写流入地行政区划代码"),
        ({"place": " "}, "请填写流入地点"),
        ({"started_on": D(2026, 11, 24)}, "不能晚于今天"),
        ({"started_on": D(2001, 1, 1)}, "入党日期"),
        ({"phone": "12345"}, "联系电话格式错误"),
        ({"card_no": "", "card_issued_on": D(2026, 3, 1)}, "活动证编号"),
        (
            {"card_no": "LD001", "card_issued_on": D(2026, 3, 1), "card_valid_to": D(2026, 3, 1)},
            "有效期应晚于发放日期",
        ),
        ({"host_name": "某地流动党员党支部", "host_org": "HOST"}, "二者选一"),
    ],
)
def test_outflow_bad_input_is_refused(place, kw, word):
    if kw.get("host_org") == "HOST":
        kw["host_org"] = place.host
    refused(lambda: start(place, **kw), word)


def test_host_must_not_be_the_home_branch_or_a_group(place):
    refused(lambda: start(place, host_org=place.home), "不能是党员所在的党支部")
    from tests.factories import make_org

    group = make_org(place.host, org_type="党小组", name="第一党小组")
    refused(lambda: start(place, host_org=group), "不能接收流动党员")


def test_overlapping_outflows_are_refused(place):
    first = start(place, started_on=D(2026, 1, 1))
    refused(lambda: start(place, started_on=D(2026, 6, 1)), "未返回的外出登记")
    svc.outflow_return(actor=place.secretary, outflow=first, returned_on=D(2026, 5, 1), today=TODAY)
    refused(lambda: start(place, started_on=D(2026, 4, 30)), "时间重叠")
    refused(lambda: start(place, started_on=D(2025, 12, 1)), "时间重叠")
    # the day of return: a new outflow may start
    again = start(place, started_on=D(2026, 5, 1))
    assert again.pk != first.pk


def test_return_before_start_or_twice_is_refused(place):
    outflow = start(place)
    ret = svc.outflow_return
    refused(
        lambda: ret(
            actor=place.secretary, outflow=outflow, returned_on=D(2026, 2, 28), today=TODAY
        ),
        "返回日期早于外出日期 2026-03-01",
    )
    refused(
        lambda: ret(
            actor=place.secretary, outflow=outflow, returned_on=D(2026, 11, 24), today=TODAY
        ),
        "不能晚于今天",
    )
    ret(actor=place.secretary, outflow=outflow, returned_on=D(2026, 3, 1), today=TODAY)
    refused(
        lambda: ret(actor=place.secretary, outflow=outflow, returned_on=D(2026, 4, 1), today=TODAY),
        "已登记于 2026-03-01 返回",
    )


def test_only_the_home_branch_records_an_outflow(place):
    before = counts()
    with pytest.raises(PermissionDenied):
        svc.outflow_start(actor=place.outsider, member=place.worker, data=data(), today=TODAY)
    with pytest.raises(PermissionDenied):
        svc.outflow_start(actor=place.host_secretary, member=place.worker, data=data(), today=TODAY)
    assert counts() == before


def test_card_and_host_activity(place):
    outflow = start(place, host_org=place.host)
    svc.outflow_card_issue(
        actor=place.secretary,
        outflow=outflow,
        card_no="ZJ-2026-001",
        issued_on=D(2026, 3, 1),
        valid_to=D(2027, 2, 28),
        today=TODAY,
    )
    outflow.refresh_from_db()
    assert outflow.card_no == "ZJ-2026-001"
    # the host organization records his activities; an outsider may not
    svc.host_activity_record(
        actor=place.host_secretary,
        outflow=outflow,
        held_on=D(2026, 7, 1),
        subject="主题党日",
        today=TODAY,
    )
    with pytest.raises(PermissionDenied):
        svc.host_activity_record(
            actor=place.outsider, outflow=outflow, held_on=D(2026, 7, 1), subject="x", today=TODAY
        )
    refused(
        lambda: svc.host_activity_record(
            actor=place.host_secretary,
            outflow=outflow,
            held_on=D(2026, 2, 1),
            subject="党课",
            today=TODAY,
        ),
        "早于外出日期",
    )
    # a return before his last activity there is refused
    refused(
        lambda: svc.outflow_return(
            actor=place.secretary, outflow=outflow, returned_on=D(2026, 6, 30), today=TODAY
        ),
        "参加活动的日期 2026-07-01",
    )


def test_both_sides_see_what_they_need(place):
    outflow = start(place, host_org=place.host)
    assert list(outflows_for(place.secretary)) == [outflow]
    assert list(outflows_for(place.host_secretary)) == []
    assert list(hosted_for(place.host_secretary)) == [outflow]
    assert outflow_get(place.secretary, outflow.pk)[1] is True
    assert outflow_get(place.host_secretary, outflow.pk)[1] is False
    from django.http import Http404

    with pytest.raises(Http404):
        outflow_get(place.outsider, outflow.pk)


def test_figures_count_each_member_once(place):
    start(place, host_org=place.host, started_on=D(2026, 1, 1))
    svc.lost_contact_record(
        actor=place.secretary, member=place.lost, since=D(2026, 1, 1), today=TODAY
    )
    rows = figures(place.town_admin, TODAY)
    total = rows[-1]
    assert total.code == place.town.code
    assert (total.out, total.out_fixed, total.into, total.lost) == (1, 1, 1, 1)
    assert total.lost_bands == (0, 1, 0)
    by_code = {r.code: r for r in rows}
    assert by_code[place.home.code].out == 1 and by_code[place.home.code].into == 0
    assert by_code[place.host.code].into == 1 and by_code[place.host.code].out == 0
    # on a date before the outflow: nothing
    assert figures(place.town_admin, D(2025, 12, 31))[-1].out == 0


def test_lost_contact_record_twice_or_found_before_since_is_refused(place):
    rec = svc.lost_contact_record
    lost = rec(actor=place.secretary, member=place.lost, since=D(2026, 1, 10), today=TODAY)
    refused(
        lambda: rec(actor=place.secretary, member=place.lost, since=D(2026, 2, 1), today=TODAY),
        "已登记为失联党员（自 2026-01-10 起），不能重复登记",
    )
    refused(
        lambda: svc.lost_contact_found(
            actor=place.secretary, lost=lost, found_on=D(2026, 1, 9), today=TODAY
        ),
        "恢复联系日期早于失去联系日期 2026-01-10",
    )
    refused(
        lambda: svc.search_step_add(
            actor=place.secretary,
            lost=lost,
            done_on=D(2026, 1, 1),
            how="电话",
            done_by="张书记",
            today=TODAY,
        ),
        "查找日期早于失去联系日期",
    )
    svc.search_step_add(
        actor=place.secretary,
        lost=lost,
        done_on=D(2026, 2, 1),
        how="电话未接通",
        done_by="张书记",
        today=TODAY,
    )
    svc.lost_contact_found(actor=place.secretary, lost=lost, found_on=D(2026, 3, 1), today=TODAY)
    refused(
        lambda: svc.lost_contact_found(
            actor=place.secretary, lost=lost, found_on=D(2026, 3, 2), today=TODAY
        ),
        "已于 2026-03-01 登记恢复联系",
    )
    # a new record overlapping the closed one is refused; one after it is accepted
    refused(
        lambda: rec(actor=place.secretary, member=place.lost, since=D(2026, 2, 1), today=TODAY),
        "时间重叠",
    )
    rec(actor=place.secretary, member=place.lost, since=D(2026, 3, 1), today=TODAY)


def test_decisions_are_recorded_by_people_through_member_status_record(place):
    lost = svc.lost_contact_record(
        actor=place.secretary, member=place.lost, since=D(2023, 8, 31), today=TODAY
    )
    decide = svc.lost_contact_decide
    # nothing is decided automatically: the flags only
    assert MemberStatus.objects.count() == 0
    (flag,) = [f for f in flags(place.secretary, D(2024, 2, 29)) if f.rule == "REL-LOST-CONTACT"]
    assert flag.evidence["decision"] == "停止党籍"
    assert MemberStatus.objects.count() == 0
    # 除名 before 停止党籍; 停止党籍 before the 6 months (08-31 + 6 months = 2024-02-29)
    remove = svc.DecisionInput("除名", D(2026, 3, 1), "溪口镇党委")
    refused(
        lambda: decide(actor=place.secretary, lost=lost, data=remove, today=TODAY), "须先停止党籍"
    )
    early = svc.DecisionInput("停止党籍", D(2024, 2, 28), "东坑村党支部")
    refused(lambda: decide(actor=place.secretary, lost=lost, data=early, today=TODAY), "2024-02-29")
    status = decide(
        actor=place.secretary,
        lost=lost,
        data=svc.DecisionInput("停止党籍", D(2024, 2, 29), "东坑村党支部", "东支〔2024〕1号"),
        today=TODAY,
    )
    assert status.kind == "停止党籍" and "失去联系" in status.reason
    # the removal prompt 2 years after the 停止党籍 (2026-02-28), not a day before
    assert not [f for f in flags(place.secretary, D(2026, 2, 27)) if f.rule == "REL-LOST-CONTACT"]
    (flag,) = [f for f in flags(place.secretary, D(2026, 2, 28)) if f.rule == "REL-LOST-CONTACT"]
    assert flag.evidence["decision"] == "除名"
    refused(
        lambda: decide(
            actor=place.secretary,
            lost=lost,
            data=svc.DecisionInput("除名", D(2026, 2, 27), "溪口镇党委"),
            today=TODAY,
        ),
        "2026-02-28",
    )
    decide(
        actor=place.secretary,
        lost=lost,
        data=svc.DecisionInput("除名", D(2026, 2, 28), "溪口镇党委"),
        today=TODAY,
    )
    assert not [f for f in flags(place.secretary, D(2026, 3, 1)) if f.rule == "REL-LOST-CONTACT"]
    # he left the party: no longer counted as lost
    assert figures(place.town_admin, TODAY)[-1].lost == 0


def test_transfer_flag_through_the_selector(place):
    start(place, started_on=D(2026, 5, 23))
    assert [f.rule for f in flags(place.secretary, D(2026, 11, 23))] == ["REL-TRANSFER"]
    assert flags(place.secretary, D(2026, 11, 22)) == []
    assert flags(place.outsider, D(2026, 11, 23)) == []


def test_the_runner_checks_rel_as_the_pages_do(place):
    from dangjian.rules.runner import findings_for

    start(place, started_on=D(2026, 5, 23))
    svc.lost_contact_record(
        actor=place.secretary, member=place.lost, since=D(2026, 1, 1), today=TODAY
    )
    run = findings_for(place.town_admin, rules="REL", at=TODAY)
    assert sorted(f.rule for f in run) == ["REL-LOST-CONTACT", "REL-TRANSFER"]
    assert {f.subject for f in run} == {place.home.code}
    assert sorted(f.as_dict()["rule"] for f in flags(place.town_admin, TODAY)) == sorted(
        f.rule for f in run
    )
    only = findings_for(place.town_admin, rules="REL", rule_ids=["REL-TRANSFER"], at=TODAY)
    assert [f.rule for f in only] == ["REL-TRANSFER"]
    assert findings_for(place.outsider, rules="REL", at=TODAY) == []


def test_the_months_are_parameters_of_the_local_configuration(place, settings):
    """A city changes the months in DANGJIAN_RULES (rules/params.py); the flags and the
    decisions follow, with the rule's parameters in force on the day."""
    settings.DANGJIAN_RULES = {
        "REL-TRANSFER": {"away_months": 3},
        "REL-LOST-CONTACT": {"suspend_after_months": 2},
    }
    start(place, started_on=D(2026, 8, 23))
    lost = svc.lost_contact_record(
        actor=place.secretary, member=place.lost, since=D(2026, 9, 23), today=TODAY
    )
    rules = sorted(f.rule for f in flags(place.secretary, TODAY))
    assert rules == ["REL-LOST-CONTACT", "REL-TRANSFER"]
    assert flags(place.secretary, D(2026, 11, 22)) == []
    early = svc.DecisionInput("停止党籍", D(2026, 11, 22), "东坑村党支部")
    refused(
        lambda: svc.lost_contact_decide(actor=place.secretary, lost=lost, data=early, today=TODAY),
        "失去联系满 2 个月之日为 2026-11-23",
    )


def test_figures_and_flags_take_the_same_queries_for_one_member_or_many(place):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_member

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as counted:
            figures(place.town_admin, TODAY)
        with CaptureQueriesContext(connection) as flagged:
            flags(place.town_admin, TODAY)
        return len(counted), len(flagged)

    start(place, started_on=D(2026, 1, 1))
    svc.lost_contact_record(
        actor=place.secretary, member=place.lost, since=D(2025, 1, 1), today=TODAY
    )
    queries()  # warm: the actor's organization and roles
    one = queries()
    for i in range(4):
        member = make_member(place.home, name=f"多{i}")
        svc.outflow_start(actor=place.secretary, member=member, data=data(), today=TODAY)
        svc.lost_contact_record(
            actor=place.town_admin, member=make_member(place.host), since=D(2025, 6, 1), today=TODAY
        )
    assert queries() == one
