"""A unit deregistered (注销) or gone from the area: out of the coverage from that day, its open
assignments ended, its record kept; a mistake undone; bad input refused in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.liangxin import selectors, services
from dangjian.liangxin.models import Unit
from tests.authz import state
from tests.factories import make_user

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = dt.date


def _figures(year=2026):
    cov = selectors.coverage(Unit.objects.all(), year, TODAY)
    blanks = sorted(u.name for u in selectors.blanks(Unit.objects.all(), year, TODAY))
    return cov.total.total, cov.total.organized, cov.total.worked, blanks


def test_a_closed_unit_leaves_the_coverage_from_its_day(register):
    assert _figures() == (6, 3, 2, ["丁协会", "戊公司"])
    wu = services.unit_close(
        actor=SYSTEM,
        unit=register.units["戊公司"],
        closed_on=D(2026, 9, 30),
        reason="企业注销",
        today=TODAY,
    )
    assert _figures() == (5, 3, 2, ["丁协会"])
    assert _figures(2025)[0] == 6  # counted on 2025-12-31 it was still registered
    assert selectors.unit_status(wu, 2026, TODAY)["counted"] is False
    entry = AuditEntry.objects.filter(action="liangxin.unit.close").get()
    assert entry.after["closed_on"] == "2026-09-30" and entry.after["closed_reason"] == "企业注销"
    # a mistake: undone with a note, counted again
    services.unit_reopen(actor=SYSTEM, unit=wu, note="误登记")
    assert _figures() == (6, 3, 2, ["丁协会", "戊公司"])
    assert AuditEntry.objects.filter(action="liangxin.unit.reopen").get().after == {
        "reopen_note": "误登记"
    }


def test_closing_ends_the_open_assignments_that_day(register):
    bing = register.units["丙公司"]
    services.unit_close(
        actor=SYSTEM, unit=bing, closed_on=D(2026, 11, 1), reason="迁出本区", today=TODAY
    )
    assert [a.until for a in bing.assignments.all()] == [D(2026, 11, 1)]
    entry = AuditEntry.objects.filter(action="liangxin.unit.close").get()
    assert entry.after["assignments_ended"] == 1
    # no visit can be recorded after the assignment ended
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=SYSTEM,
            unit=bing,
            advisor=register.zhang,
            visited_on=D(2026, 11, 20),
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("closed_on", "reason", "message"),
    [
        (D(2026, 11, 24), "企业注销", "不能晚于今天"),
        (D(2026, 10, 1), "", "请填写注销原因"),
        (D(2026, 10, 1), "x" * 201, "注销原因"),
        (D(2025, 12, 1), "企业注销", "不能早于党建指导员选派开始日期（2026-01-01）"),
    ],
)
def test_bad_closing_is_refused_and_writes_nothing(register, closed_on, reason, message):
    before = state()
    with pytest.raises(ValidationError) as info:
        services.unit_close(
            actor=SYSTEM,
            unit=register.units["丙公司"],
            closed_on=closed_on,
            reason=reason,
            today=TODAY,
        )
    assert message in "".join(info.value.messages)
    assert state() == before


def test_twice_and_not_closed_are_refused(register):
    jia = register.units["甲公司"]
    with pytest.raises(ValidationError, match="未注销"):
        services.unit_reopen(actor=SYSTEM, unit=jia)
    services.unit_close(actor=SYSTEM, unit=jia, closed_on=D(2026, 5, 1), reason="吊销", today=TODAY)
    with pytest.raises(ValidationError, match="已于 2026-05-01 注销"):
        services.unit_close(
            actor=SYSTEM, unit=jia, closed_on=D(2026, 6, 1), reason="吊销", today=TODAY
        )


def test_only_the_managing_subtree_closes(register):
    other = make_user(register.town_b, "committee_admin")
    with pytest.raises(PermissionDenied):
        services.unit_close(
            actor=other, unit=register.units["甲公司"], closed_on=D(2026, 5, 1), reason="注销"
        )
    assert Unit.objects.get(name="甲公司").closed_on is None


def test_pages_and_api(register, login, api):
    wu = register.units["戊公司"]
    client = login(register.town_a_admin)
    page = client.get(reverse("liangxin:unit", args=[wu.pk])).content.decode()
    assert "登记注销" in page
    done = client.post(
        reverse("liangxin:close", args=[wu.pk]),
        {"closed_on": "2026-10-08", "closed_reason": "企业注销"},
    )
    assert done.status_code == 302
    page = client.get(reverse("liangxin:unit", args=[wu.pk])).content.decode()
    assert "已于 2026-10-08 注销（企业注销）" in page and "撤销注销登记" in page
    listed = client.get(reverse("liangxin:index") + "?coverage=closed").content.decode()
    assert "戊公司" in listed and "丁协会" not in listed
    blank_list = client.get(reverse("liangxin:index") + "?coverage=blank").content.decode()
    assert "丁协会" in blank_list and "戊公司" not in blank_list
    assert "戊公司" not in client.get(reverse("liangxin:blanks")).content.decode()
    bad = client.post(reverse("liangxin:close", args=[wu.pk]), {"closed_on": "2026-10-09"})
    assert bad.status_code == 400 and "已于 2026-10-08 注销" in bad.content.decode()

    rest = api(register.town_a_admin)
    detail = rest.get(reverse("api:liangxin-unit", args=[wu.pk])).json()
    assert detail["closed_on"] == "2026-10-08" and detail["status"]["counted"] is False
    reopened = rest.post(
        reverse("api:liangxin-unit-reopen", args=[wu.pk]), {"note": "误登记"}, format="json"
    )
    assert reopened.status_code == 200 and reopened.json()["closed_on"] is None
    closed = rest.post(
        reverse("api:liangxin-unit-close", args=[wu.pk]),
        {"closed_on": "2026-11-30", "closed_reason": "企业注销"},
        format="json",
    )
    assert closed.status_code == 400 and "不能晚于今天" in str(closed.json())
