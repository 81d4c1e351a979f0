"""Member endpoints: masking, filters, audited reveal, create and change through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.models import AuditEntry
from dangjian.members.models import Member
from tests.api.conftest import db_state
from tests.factories import make_id_number, make_org


def _plain(member: Member) -> tuple[str, str]:
    return member.id_number(), member.phone()


@pytest.mark.django_db
def test_list_and_detail_are_masked(tree, api):
    client = api("admin")
    response = client.get("/api/v1/members/?org=BB001")
    assert response.status_code == 200
    body = response.content.decode()
    for member in tree["members_b"]:
        id_number, phone = _plain(member)
        assert id_number not in body and phone not in body
    item = response.json()["results"][0]
    assert "********" in item["id_number"] and item["phone"] == "138****5678"
    assert item["org"] == "BB001"
    detail = client.get(f"/api/v1/members/{tree['members_b'][0].pk}/")
    assert detail.status_code == 200
    assert tree["members_b"][0].id_number() not in detail.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,count",
    [
        ("", 6),
        ("org=TA001", 0),
        ("org=TA001&subtree=1", 4),
        ("org=D0001&subtree=true", 6),
        ("org=BA001&type=正式党员", 4),
        ("type=预备党员", 0),
    ],
)
def test_member_filters(tree, api, query, count):
    response = api("admin").get(f"/api/v1/members/?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field", [("subtree=maybe", "subtree"), ("type=党员", "type"), ("org=A-1", "org")]
)
def test_member_bad_filters(tree, api, query, field):
    response = api("admin").get(f"/api/v1/members/?{query}")
    assert response.status_code == 400 and response.json()[field][0]


@pytest.mark.django_db
def test_reveal_returns_full_numbers_and_is_audited(tree, api):
    member = tree["members_b"][0]
    client = api("admin_b")
    before = AuditEntry.objects.count()
    response = client.post(
        f"/api/v1/members/{member.pk}/reveal/", {"reason": "核对党籍"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": member.pk,
        "id_number": member.id_number(),
        "phone": "13812345678",
    }
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("seq")
    assert entry.action == "member.view_pii" and entry.object_id == str(member.pk)
    assert entry.actor_id == tree["admin_b"].pk and entry.after["reason"] == "核对党籍"
    assert member.id_number() not in str(entry.after)


@pytest.mark.django_db
def test_create_member_never_echoes_the_id_number(tree, api):
    client = api("secretary_a")
    id_number = make_id_number(female=True)
    body = {
        "name": "王芳",
        "id_number": id_number,
        "member_type": "正式党员",
        "joined_on": "2015-06-01",
        "confirmed_on": "2016-06-01",
        "org": "BA001",
        "phone": "139 0000 1234",
        "post": "组织委员",
    }
    response = client.post("/api/v1/members/", body, format="json")
    assert response.status_code == 201, response.content
    text = response.content.decode()
    assert id_number not in text and "13900001234" not in text
    item = response.json()
    assert item["gender"] == "女" and item["phone"] == "139****1234" and item["post"] == "组织委员"
    member = Member.objects.get(pk=item["id"])
    assert member.id_number() == id_number
    # the same number again: refused, and the refusal does not echo it either
    before = db_state()
    again = client.post("/api/v1/members/", {**body, "name": "重复"}, format="json")
    assert again.status_code == 400 and "已登记" in again.json()["id_number"][0]
    assert id_number not in again.content.decode()
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change,field,fragment",
    [
        ({"id_number": "110105198001010011"}, "id_number", "校验码"),
        ({"id_number": "1234"}, "id_number", "18"),
        ({"org": "TA001"}, "org", "党委"),
        ({"org": "BB001"}, "org", "管辖范围"),
        ({"member_type": "正式党员", "confirmed_on": None}, "confirmed_on", "转正日期"),
        ({"joined_on": "2015-02-30"}, "joined_on", "YYYY-MM-DD"),
        ({"post": "主任"}, "post", "主任"),
        ({"phone": "12345"}, "phone", "联系电话"),
        ({"residence_community": "NOPE1"}, "residence_community", "不存在"),
        ({"residence_community": "BA001"}, "residence_community", "社区"),
    ],
)
def test_create_member_validation(tree, api, change, field, fragment):
    client = api("admin")
    body = {
        "name": "李明",
        "id_number": make_id_number(),
        "member_type": "预备党员",
        "joined_on": "2025-07-01",
        "org": "BA001",
        **change,
    }
    if field == "org" and change["org"] == "BB001":
        client = api("admin_a")
    before = db_state()
    response = client.post("/api/v1/members/", body, format="json")
    assert response.status_code == 400, response.content
    assert fragment in " ".join(response.json()[field])
    assert db_state() == before


@pytest.mark.django_db
def test_patch_member_changes_only_what_is_sent(tree, api):
    member = tree["members_a"][0]
    old_id = member.id_number()
    client = api("secretary_a")
    response = client.patch(
        f"/api/v1/members/{member.pk}/", {"post": "书记", "phone": "13700001111"}, format="json"
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert member.post == "书记" and member.phone() == "13700001111"
    assert member.id_number() == old_id and member.name == tree["members_a"][0].name
    new_id = make_id_number(female=True)
    response = client.patch(f"/api/v1/members/{member.pk}/", {"id_number": new_id}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["gender"] == "女" and new_id not in response.content.decode()
    member.refresh_from_db()
    assert member.id_number() == new_id
    assert AuditEntry.objects.filter(action="member.update", object_id=str(member.pk)).count() == 2


@pytest.mark.django_db
def test_patch_member_to_branch_outside_scope_changes_nothing(tree, api):
    member = tree["members_a"][0]
    client = api("secretary_a")
    other_branch = make_org(tree["town_a"], org_type="党支部", sector="农村", code="BA008")
    before = db_state()
    # BA008 is in 甲镇 but outside the secretary's own branch
    response = client.patch(f"/api/v1/members/{member.pk}/", {"org": "BA008"}, format="json")
    assert response.status_code == 400 and response.json()["org"]
    assert db_state() == before
    assert (
        api("admin_a")
        .patch(f"/api/v1/members/{member.pk}/", {"org": other_branch.code}, format="json")
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_unknown_member_id_is_404_like_outside_scope(tree, api):
    client = api("admin_a")
    unknown = client.get("/api/v1/members/999999/")
    outside = client.get(f"/api/v1/members/{tree['members_b'][0].pk}/")
    assert unknown.status_code == outside.status_code == 404
    assert unknown.json() == outside.json()


# --- issue 9: real older ID numbers, joining age, 临时党支部, standings -------------------------


@pytest.mark.django_db
def test_api_accepts_old_numbers_and_refuses_under_age_and_temp_branch(tree, api):
    from dangjian.core.idnumber import compose_id

    client = api("admin_a")
    body = {
        "name": "周卫东",
        "id_number": "320102197102020032",  # 南京玄武区 (code since 1983), born 1971
        "member_type": "正式党员",
        "joined_on": "1995-07-01",
        "confirmed_on": "1996-07-01",
        "org": "BA001",
    }
    response = client.post("/api/v1/members/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == "320102********0032"
    make_org(
        tree["town_a"],
        org_type="临时党支部",
        sector="农村",
        code="LS001",
        name="甲镇防汛临时党支部",
    )
    before = db_state()
    young = {**body, "name": "钱小", "id_number": compose_id("110105", dt.date(1990, 9, 1), 23),
             "joined_on": "2008-08-31", "confirmed_on": "2009-08-31"}  # fmt: skip
    refused = client.post("/api/v1/members/", young, format="json")
    assert refused.status_code == 400
    assert "未满十八岁" in refused.json()["joined_on"][0]
    assert "2008-09-01 年满十八岁" in refused.json()["joined_on"][0]
    temp = {**body, "name": "孙亮", "id_number": compose_id("320103", dt.date(1966, 3, 3), 15),
            "org": "LS001"}  # fmt: skip
    refused = client.post("/api/v1/members/", temp, format="json")
    assert refused.status_code == 400 and "组织关系仍在原党支部" in refused.json()["org"][0]
    never = {**body, "id_number": compose_id("990102", dt.date(1971, 2, 2), 3)}
    refused = client.post("/api/v1/members/", never, format="json")
    assert refused.status_code == 400 and "不是任何时期" in refused.json()["id_number"][0]
    assert db_state() == before


@pytest.mark.django_db
def test_api_statuses_read_and_record(tree, api):
    member = tree["members_a"][0]
    url = f"/api/v1/members/{member.pk}/statuses/"
    reader = api("inspector_a")
    empty = reader.get(url).json()
    assert empty["results"] == []
    assert empty["standing"]["votes"] is True and empty["standing"]["status"] is None
    writer = api("secretary_a")
    body = {
        "kind": "留党察看",
        "started_on": "2026-03-01",
        "ends_on": "2027-03-01",
        "decided_by": "中共甲镇纪律检查委员会",
        "decision_no": "甲纪〔2026〕3号",
        "reason": "违反廉洁纪律",
    }
    created = writer.post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "留党察看" and created.json()["ends_on"] == "2027-03-01"
    listed = reader.get(url).json()
    assert [s["decided_by"] for s in listed["results"]] == ["中共甲镇纪律检查委员会"]
    assert listed["standing"] == {
        "on": "2026-11-23",
        "member_type": "正式党员",
        "status": "留党察看",
        "on_roll": True,
        "votes": False,
    }
    before = db_state()
    too_long = writer.post(url, {**body, "ends_on": "2028-06-01"}, format="json")
    assert too_long.status_code == 400 and "最长不超过两年" in too_long.json()["ends_on"][0]
    unknown = writer.post(url, {**body, "kind": "警告"}, format="json")
    assert unknown.status_code == 400 and "状态“警告”无效" in unknown.json()["kind"][0]
    assert db_state() == before
    # the finding for the roll follows: a 组织委员 under 留党察看 is a SETUP-VOTERS error
    writer.patch(f"/api/v1/members/{member.pk}/", {"post": "组织委员"}, format="json")
    findings = api("admin_a").get("/api/v1/findings/?org=BA001&rule=SETUP-VOTERS").json()
    [finding] = findings["results"]
    assert finding["severity"] == "error" and "处于留党察看期间" in finding["message"]
    assert "党章 art. 7" in finding["source"]
