"""The pages (three taps, both ends, the overview) and the API, with Chinese refusals."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from dangjian.members.models import Member
from dangjian.transfer.choices import TransferState
from dangjian.transfer.models import Transfer


def test_three_taps_then_the_receiver_accepts(world, login, today):
    sender = login(world.east_sec)
    page = sender.get(reverse("transfer:new"))
    assert page.status_code == 200 and "王转接" in page.content.decode()
    answer = sender.post(
        reverse("transfer:new"),
        {
            "member": world.member.pk,
            "to_code": "FAR1",
            "reason": "工作变动",
            "requested_on": today.isoformat(),
        },
    )
    assert answer.status_code == 302
    t = Transfer.objects.get()
    assert t.state == TransferState.IN_TRANSIT
    # the receiving side sees it among its transfers in, not the sender's other lists
    receiver = login(world.far_sec)
    assert "王转接" in receiver.get(reverse("transfer:index") + "?view=in").content.decode()
    assert "王转接" not in login(world.west_sec).get(reverse("transfer:index")).content.decode()
    detail = receiver.get(reverse("transfer:detail", args=[t.pk])).content.decode()
    assert "接收" in detail and "撤销转接" not in detail
    done = receiver.post(reverse("transfer:act", args=[t.pk, "accept"]), {"on": today.isoformat()})
    assert done.status_code == 302
    assert Member.objects.get(pk=world.member.pk).org == world.far
    pdf = sender.get(reverse("transfer:letter", args=[t.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_a_committee_as_receiver_is_refused_on_the_page(world, login, today):
    answer = login(world.east_sec).post(
        reverse("transfer:new"),
        {
            "member": world.member.pk,
            "to_code": "SUBC1",
            "reason": "工作变动",
            "requested_on": today.isoformat(),
        },
    )
    assert answer.status_code == 400
    assert "不能接收党员组织关系" in answer.content.decode()
    assert not Transfer.objects.exists()


def test_overview_chart_counts_in_transit_by_org(world, login, api, today):
    client = api(world.east_sec)
    made = client.post(
        "/api/v1/transfers/",
        {
            "member": world.member.pk,
            "to_org": "FAR1",
            "reason": "工作变动",
            "requested_on": (today - dt.timedelta(days=100)).isoformat(),
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["state"] == "in_transit" and made.json()["overdue"] is True
    page = login(world.town_admin).get(reverse("transfer:overview")).content.decode()
    assert "transit-chart" in page and "东坑村党支部" in page and "王转接" in page
    listed = client.get("/api/v1/transfers/?overdue=1&direction=out").json()
    assert listed["count"] == 1


def test_api_refusals_are_400_in_chinese(world, api, today):
    client = api(world.east_sec)
    body = {
        "member": world.member.pk,
        "to_org": "SUBC1",
        "reason": "工作变动",
        "requested_on": today.isoformat(),
    }
    bad = client.post("/api/v1/transfers/", body, format="json")
    assert bad.status_code == 400 and "党委" in str(bad.json())
    body["to_org"] = "FAR1"
    t = client.post("/api/v1/transfers/", body, format="json").json()
    twice = client.post("/api/v1/transfers/", {**body, "to_org": "WEST1"}, format="json")
    assert twice.status_code == 400 and "不能重复转接" in str(twice.json())
    receiver = api(world.far_sec)
    refused = receiver.post(
        f"/api/v1/transfers/{t['id']}/refuse/",
        {"on": today.isoformat(), "reason": "查无此人"},
        format="json",
    )
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    late = receiver.post(
        f"/api/v1/transfers/{t['id']}/accept/", {"on": today.isoformat()}, format="json"
    )
    assert late.status_code == 400 and "退回" in str(late.json())
    early = client.post(
        "/api/v1/transfers/",
        {**body, "requested_on": "2026-13-01"},
        format="json",
    )
    assert early.status_code == 400
