"""``/api/v1/meetings/``: scope, filters, create through the service, authorization matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.life.models import Attendance, Meeting
from tests.life.helpers import attend, meet

URL = "/api/v1/meetings/"


def _state():
    return (
        Meeting.objects.count(),
        Attendance.objects.count(),
        AuditEntry.objects.count(),
        tuple(Meeting.objects.order_by("pk").values_list("pk", "topic", "held_on")),
    )


def _body(tree, **extra):
    held = timezone.localdate() - dt.timedelta(days=3)
    body = {
        "org": "BA001",
        "meeting_type": "支部党员大会",
        "held_on": held.isoformat(),
        "topic": "学习党章",
        "minutes": "会议记录正文",
        "attendance": [
            {"member": m.pk, "present": i != 0, "reason": "因公" if i == 0 else ""}
            for i, m in enumerate(tree["members_a"])
        ],
    }
    body.update(extra)
    return body


@pytest.fixture
def records(tree):
    a1 = meet(tree["branch_a"], "支部党员大会", dt.date(2026, 3, 1))
    attend(a1, tree["members_a"][0], True)
    meet(tree["branch_a"], "主题党日", dt.date(2025, 6, 1))
    b1 = meet(tree["branch_b"], "支委会", dt.date(2026, 2, 1))
    return {"a1": a1, "b1": b1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,query,count",
    [
        ("admin", "", 3),
        ("admin", "org=BA001", 2),
        ("admin", "org=TA001", 0),
        ("admin", "org=TA001&subtree=1", 2),
        ("admin", "type=支委会", 1),
        ("admin", "year=2026", 2),
        ("admin_a", "", 2),
        ("admin_b", "", 1),
        ("secretary_a", "", 2),
        ("inspector_a", "year=2025", 1),
    ],
)
def test_list_scope_and_filters(records, api, user, query, count):
    response = api(user).get(f"{URL}?{query}")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == count


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [("year=26", "year"), ("year=abc", "year"), ("type=茶话会", "type"), ("subtree=x", "subtree")],
)
def test_list_bad_filters(records, api, query, field):
    response = api("admin").get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()[field][0]


@pytest.mark.django_db
def test_list_other_subtree_org_is_404(records, api):
    assert api("admin_b").get(f"{URL}?org=BA001").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code", [(None, 401), ("auditor", 403), ("secadmin", 403), ("sysadmin", 403)]
)
def test_list_denied(records, api, user, code):
    assert api(user).get(URL).status_code == code


@pytest.mark.django_db
def test_detail_scope_and_attendance_visibility(records, api):
    pk = records["a1"].pk
    data = api("secretary_a").get(f"{URL}{pk}/").json()
    assert data["org"] == "BA001" and data["attendance"][0]["present"] is True
    # the system administrator sees organizations but no record: minutes name members
    refused = api("sysadmin").get(f"{URL}{pk}/")
    assert refused.status_code == 403 and "查看党员信息" in str(refused.json())
    assert api("admin_b").get(f"{URL}{pk}/").status_code == 404
    assert api("admin").get(f"{URL}999999/").status_code == 404


@pytest.mark.django_db
def test_create(tree, api):
    response = api("secretary_a").post(URL, _body(tree), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["expected"], data["present"], data["late"]) == (4, 3, False)
    assert data["attendance"][0]["reason"] in ("因公", "")
    meeting = Meeting.objects.get(pk=data["id"])
    assert meeting.created_by == tree["secretary_a"]
    assert AuditEntry.objects.filter(action="life.meeting.create").count() == 1


@pytest.mark.django_db
def test_create_late(tree, api):
    held = timezone.localdate() - dt.timedelta(days=31)
    response = api("admin_a").post(URL, _body(tree, held_on=held.isoformat()), format="json")
    assert response.status_code == 201 and response.json()["late"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra,field,text",
    [
        ({"held_on": "2999-01-01"}, "held_on", "晚于今天"),
        ({"held_on": "2026-02-30"}, "held_on", "日期格式错误"),
        ({"meeting_type": "茶话会"}, "meeting_type", "会议类型“茶话会”无效"),
        ({"meeting_type": "党小组会"}, "org", "党小组会应记在党小组下"),
        ({"org": "BB001"}, "org", "不在您的管辖范围内"),
        ({"org": "TA001"}, "org", "应由党支部"),
        ({"topic": ""}, "topic", ""),
        (
            {"attendance": [{"member": 999999, "present": True}]},
            "attendance",
            "出席登记第 1 项的党员不存在或不在您的管辖范围内",
        ),
        ({"attendance": [{"member": 1, "present": False, "reason": "出差"}]}, "attendance", "出差"),
        ({"lecturer": 999999}, "lecturer", "讲课人不存在"),
    ],
)
def test_create_bad_input_changes_nothing(tree, api, extra, field, text):
    client = api("admin_a")
    before = _state()
    response = client.post(URL, _body(tree, **extra), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert text in str(errors[field])
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code",
    [
        (None, 401),
        ("inspector_a", 403),
        ("sysadmin", 403),
        ("auditor", 403),
        ("secadmin", 403),
        ("admin_b", 400),  # may record, but not for BA001: nothing leaks beyond "not in scope"
    ],
)
def test_create_denied_changes_nothing(tree, api, user, code):
    client = api(user)
    before = _state()
    response = client.post(URL, _body(tree), format="json")
    assert response.status_code == code
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code", [("inspector_a", 403), ("sysadmin", 403), ("admin_b", 404), (None, 401)]
)
def test_delete_denied_changes_nothing(records, api, user, code):
    client = api(user)
    before = _state()
    assert client.delete(f"{URL}{records['a1'].pk}/").status_code == code
    assert _state() == before


@pytest.mark.django_db
def test_delete_audited(records, api):
    assert api("secretary_a").delete(f"{URL}{records['a1'].pk}/").status_code == 204
    assert not Meeting.objects.filter(pk=records["a1"].pk).exists()
    assert AuditEntry.objects.filter(action="life.meeting.delete").count() == 1


@pytest.mark.django_db
def test_findings_endpoint_serves_life(records, api):
    response = api("admin_a").get("/api/v1/findings/?rules=LIFE&at=2026-04-15&org=BA001")
    assert response.status_code == 200
    rules = {f["rule"] for f in response.json()["results"]}
    assert "LIFE-THEME-DAY-MONTHLY" in rules
    assert "LIFE-ASSEMBLY-QUARTERLY" in rules  # Q2 is due


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,code,periods",
    [
        ("since=2025-10-01&at=2026-01-15", 200, {"2025-10", "2025-11", "2025-12", "2026-01"}),
        ("at=2026-01-15", 200, {"2026-01"}),
        ("since=2026-02-01&at=2026-01-15", 400, None),
        ("since=2026-02-30", 400, None),
    ],
)
def test_findings_since(tree, api, query, code, periods):
    response = api("admin").get(
        f"/api/v1/findings/?rules=LIFE&rule=LIFE-THEME-DAY-MONTHLY&org=BA001&{query}"
    )
    assert response.status_code == code, response.content
    if periods is not None:
        assert {f["period"] for f in response.json()["results"]} == periods


@pytest.mark.django_db
def test_patch(tree, api):
    client = api("secretary_a")
    created = client.post(URL, _body(tree), format="json").json()
    url = f"{URL}{created['id']}/"
    response = client.patch(url, {"topic": "学习党章（更正）"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["topic"] == "学习党章（更正）" and (data["expected"], data["present"]) == (4, 3)
    assert data["entered_on"] == created["entered_on"]
    assert AuditEntry.objects.filter(action="life.meeting.update").count() == 1
    bad = client.patch(url, {"org": "BB001"}, format="json")
    assert bad.status_code == 400 and "不能修改" in bad.json()["org"][0]
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = client.patch(url, {"held_on": future}, format="json")
    assert bad.status_code == 400 and "晚于今天" in bad.json()["held_on"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code", [("inspector_a", 403), ("sysadmin", 403), ("admin_b", 404), (None, 401)]
)
def test_patch_denied_changes_nothing(records, api, user, code):
    client = api(user)
    before = _state()
    response = client.patch(f"{URL}{records['a1'].pk}/", {"topic": "x"}, format="json")
    assert response.status_code == code
    assert _state() == before


@pytest.mark.django_db
def test_compliance_endpoint(records, api):
    response = api("admin").get("/api/v1/life/compliance/?year=2026")
    assert response.status_code == 200, response.content
    data = response.json()
    theme = next(r for r in data["rules"] if r["rule"] == "LIFE-THEME-DAY-MONTHLY")
    feb = next(p for p in theme["periods"] if p["period"] == "2026-02")
    assert (feb["checked"], feb["met"], feb["missed"]) == (2, 0, 2)
    # (机关, the district's own 党委, owes only a yearly 党课: 2026 is still running)
    assert {g["name"] for g in data["by"]["sector"]} == {"农村", "社区"}
    scoped = api("admin_b").get("/api/v1/life/compliance/?year=2026").json()
    assert scoped["organizations"] < data["organizations"]
    assert api("admin_b").get("/api/v1/life/compliance/?org=TA001").status_code == 404
    assert api("sysadmin").get("/api/v1/life/compliance/").status_code == 403
    assert api("admin").get("/api/v1/life/compliance/?year=x").status_code == 400
    assert api("admin").get("/api/v1/life/compliance/?sector=火星").status_code == 400
    assert api("admin").get("/api/v1/life/compliance/?type=党总支").status_code == 400
    committees = api("admin").get("/api/v1/life/compliance/?year=2026&type=党委").json()
    lecture = next(r for r in committees["rules"] if r["rule"] == "LIFE-SECRETARY-LECTURE-YEARLY")
    assert lecture["periods"][0]["checked"] == 3  # D0001, TA001, TB001
    groups = api("admin").get("/api/v1/life/compliance/?year=2026&type=党小组").json()
    assert groups["organizations"] == data["organizations"]  # filter applies to the tallies
    theme = next(r for r in groups["rules"] if r["rule"] == "LIFE-THEME-DAY-MONTHLY")
    assert all(p["checked"] == 0 for p in theme["periods"])


@pytest.mark.django_db
def test_hints_endpoint(tree, api):
    import calendar

    for month in range(1, 10):
        last = calendar.monthrange(2025, month)[1]
        meet(tree["branch_a"], "主题党日", dt.date(2025, month, last))
    data = api("admin_a").get("/api/v1/life/hints/?year=2025").json()
    assert [(h["rule"], h["subject"]) for h in data["results"]] == [("HINT-END-OF-PERIOD", "BA001")]
    assert api("admin_b").get("/api/v1/life/hints/?year=2025").json()["count"] == 0
    assert api("admin_b").get("/api/v1/life/hints/?org=TA001").status_code == 404
    assert api("sysadmin").get("/api/v1/life/hints/").status_code == 403
