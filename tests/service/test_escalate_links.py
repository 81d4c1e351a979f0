"""An escalation takes the order away from whoever it was sent to at the level below: the team,
the 双报到 member, the grid and the person are cleared, and the audit shows them before/after."""

from __future__ import annotations

import re

from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.choices import Level, OrderState
from dangjian.service.models import Order


def _handler_line(html: str) -> str:
    """The order page's 承办 line (the history below still tells where it was sent before)."""
    return re.search(r"<dt>承办</dt><dd>(.*?)</dd>", html, re.S).group(1)


def _accepted(place):
    order = s.order_submit(
        grid=place.grid, category="elderly", description="独居老人需要代购药品", phone="13800001111"
    )
    return s.order_accept(actor=place.dispatcher, order=order)


def test_escalating_an_order_sent_to_a_team_clears_the_team(people, login):
    order = s.order_dispatch(actor=people.dispatcher, order=_accepted(people), team=people.team)
    page = login(people.dispatcher).get(reverse("service:order", args=[order.pk]))
    assert "派往志愿服务队“东坑红色志愿服务队”" in _handler_line(page.content.decode())
    s.order_escalate(actor=people.dispatcher, order=order, reason="需要片区协调")
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.level == Level.AREA and fresh.state == OrderState.ACCEPTED
    assert fresh.dispatched_team_id is None and fresh.dispatched_member_id is None
    assert fresh.dispatched_grid_id is None and fresh.assignee_id is None
    page = login(people.dispatcher).get(reverse("service:order", args=[order.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "派往志愿服务队" not in _handler_line(html)
    entry = AuditEntry.objects.filter(action="service.order.escalate").get()
    assert entry.before["dispatched_team"] == people.team.pk
    assert entry.after["dispatched_team"] is None
    assert entry.before["department"] is None and "dispatched_member" in entry.after
    # nobody of the team may take it any more
    assert not s.may_handle(people.leader, fresh)


def test_escalating_an_order_held_by_a_double_report_member_clears_them(people, login):
    order = s.order_dispatch(actor=people.dispatcher, order=_accepted(people), member=people.report)
    assert order.assignee == people.employed_user
    s.order_escalate(actor=people.dispatcher, order=order, reason="片区处理")
    s.order_escalate(actor=people.dispatcher, order=order, reason="片区协调不了")
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.level == Level.TOWN and fresh.handler_org == people.town
    assert fresh.dispatched_member_id is None and fresh.assignee_id is None
    html = login(people.town_admin).get(reverse("service:order", args=[order.pk])).content
    line = _handler_line(html.decode())
    assert "溪口镇党委" in line and "双报到党员" not in line and "承办人" not in line
    first = AuditEntry.objects.filter(action="service.order.escalate").order_by("pk").first()
    assert first.before["dispatched_member"] == people.report.pk
    assert first.before["assignee"] == people.employed_user.pk
    assert first.after["dispatched_member"] is None and first.after["assignee"] is None
