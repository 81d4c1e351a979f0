"""The pages: the library and its search, an example with its forms, the public pages (named
examples only, no person's data), and bad input answered in Chinese, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.exemplar.models import Exemplar
from dangjian.exemplar.services import evidence_add
from tests.life.helpers import attend, meet


def test_library_lists_and_searches(login, examples):
    client = login("admin")
    page = client.get("/dianxing/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "吃茶话事工作法" in text and "邻里驿站" in text and "典型培育" in text
    found = client.get("/dianxing/", {"theme": "为民服务"}).content.decode()
    assert "邻里驿站" in found and "吃茶话事工作法" not in found
    found = client.get("/dianxing/", {"sector": "农村", "q": "茶香"}).content.decode()
    assert "吃茶话事工作法" in found and "邻里驿站" not in found


def test_library_needs_the_permission(login, examples):
    assert login("inspector_a").get("/dianxing/").status_code == 403
    assert login(None).get("/dianxing/").status_code == 302  # to the sign-in


def test_nav_entry(login, examples):
    assert "/dianxing/" in login("secretary_a").get("/dianxing/").content.decode()
    assert 'href="/dianxing/"' not in login("inspector_a").get("/").content.decode()


def test_propose_name_and_revoke_through_the_pages(login, tree, today):
    secretary = login("secretary_a")
    assert secretary.get("/dianxing/new/").status_code == 200
    resp = secretary.post(
        "/dianxing/new/",
        {
            "org": "BA001",
            "kind": "示范点",
            "title": "甲村红领堡垒",
            "summary": "五星“红领堡垒”。",
            "themes": "标准化、乡村振兴",
            "level": "县级",
        },
    )
    item = Exemplar.objects.get(title="甲村红领堡垒")
    assert resp.status_code == 302 and resp["Location"] == f"/dianxing/{item.pk}/"
    detail = secretary.get(f"/dianxing/{item.pk}/").content.decode()
    assert "命名并公开" not in detail  # the branch does not name itself
    assert secretary.post(f"/dianxing/{item.pk}/name/", {"named_on": f"{today}"}).status_code == 403
    town = login("admin_a")
    assert "命名并公开" in town.get(f"/dianxing/{item.pk}/").content.decode()
    resp = town.post(f"/dianxing/{item.pk}/name/", {"named_on": f"{today}", "level": "市级"})
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.status == "命名" and item.level == "市级"
    assert login(None).get(f"/dianxing/gongkai/{item.pk}/").status_code == 200
    resp = town.post(f"/dianxing/{item.pk}/revoke/", {"reason": ""})
    assert resp.status_code == 400 and "撤销原因" in resp.content.decode()
    resp = town.post(f"/dianxing/{item.pk}/revoke/", {"reason": "复核不达标"})
    assert resp.status_code == 302
    assert login(None).get(f"/dianxing/gongkai/{item.pk}/").status_code == 404


def test_edit_page(login, examples):
    pk = examples["practice"].pk
    client = login("secretary_a")
    assert "吃茶话事工作法" in client.get(f"/dianxing/{pk}/edit/").content.decode()
    resp = client.post(
        f"/dianxing/{pk}/edit/",
        {
            "kind": "工作法",
            "title": "吃茶话事",
            "summary": "改过的简介",
            "sector": "农村",
            "themes": "基层治理",
            "level": "县级",
        },
    )
    assert resp.status_code == 302
    assert Exemplar.objects.get(pk=pk).title == "吃茶话事"


def test_the_other_subtree_sees_a_named_example_but_not_one_in_cultivation(login, examples):
    client = login("admin_b")
    assert client.get(f"/dianxing/{examples['brand'].pk}/").status_code == 200
    assert client.get(f"/dianxing/{examples['practice'].pk}/").status_code == 404


def test_public_page_shows_published_only_and_no_personal_data(login, tree, examples, today):
    brand = examples["brand"]
    members = tree["members_b"]
    meeting = meet(tree["branch_b"], "支部党员大会", today - dt.timedelta(days=2), topic="学习会")
    for m in members:
        attend(meeting, m, present=True)
    meeting.expected, meeting.present = 2, 2
    meeting.save(update_fields=["expected", "present"])
    evidence_add(actor=tree["admin_b"], item=brand, kind="组织生活", meeting=meeting)
    evidence_add(actor=tree["admin_b"], item=brand, kind="为民服务", year=today.year)
    anonymous = login(None)
    page = anonymous.get(f"/dianxing/gongkai/{brand.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "邻里驿站" in text and "乙社区党支部" in text and "应到 2 人，实到 2 人" in text
    for m in members:
        assert m.name not in text
        assert m.id_number() not in text
    assert "13812345678" not in text and "学习会" not in text
    listing = anonymous.get("/dianxing/gongkai/").content.decode()
    assert "邻里驿站" in listing and "吃茶话事工作法" not in listing
    # an example being cultivated is a 404 publicly, however one asks
    assert anonymous.get(f"/dianxing/gongkai/{examples['practice'].pk}/").status_code == 404
    assert anonymous.get("/dianxing/gongkai/999999/").status_code == 404
    assert login("admin").get(f"/dianxing/gongkai/{examples['practice'].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/dianxing/new/", {"org": "NOPE", "kind": "工作法", "title": "x", "summary": "y"}),
        ("/dianxing/new/", {"org": "BB001", "kind": "工作法", "title": "x", "summary": "y"}),
        ("/dianxing/new/", {"org": "BA001", "kind": "x" * 500, "title": "", "summary": ""}),
        ("/dianxing/new/", {}),
        ("{practice}/evidence/", {"kind": "考核结果", "campaign": "abc"}),
        ("{practice}/evidence/", {"kind": "为民服务", "year": "20x6"}),
        ("{practice}/evidence/", {"kind": "为民服务", "year": "99999999"}),
        ("{practice}/evidence/", {"kind": "组织生活", "meeting": "-1"}),
        ("{practice}/evidence/", {"kind": "随便"}),
        ("{practice}/evidence/999/delete/", {}),
    ],
)
def test_bad_input_is_a_400_in_chinese(login, examples, url, data):
    url = url.replace("{practice}", f"/dianxing/{examples['practice'].pk}")
    before = Exemplar.objects.count()
    resp = login("secretary_a").post(url, data)
    assert resp.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.content.decode())
    assert Exemplar.objects.count() == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("{brand}/name/", {"named_on": "2026-13-40"}),
        ("{practice}/name/", {"named_on": ""}),
        ("{practice}/name/", {"named_on": "2026-11-01", "review_on": "昨天"}),
        ("{practice}/name/", {"named_on": "2026-11-23", "level": "乡级"}),
        ("{brand}/review/", {"review_on": "2020-01-01"}),
        ("{practice}/revoke/", {"reason": "x", "revoked_on": "2099-01-01"}),
    ],
)
def test_bad_naming_input_is_a_400(login, examples, url, data):
    url = url.replace("{practice}", f"/dianxing/{examples['practice'].pk}")
    url = url.replace("{brand}", f"/dianxing/{examples['brand'].pk}")
    resp = login("admin").post(url, data)
    assert resp.status_code == 400


def test_bad_query_parameters_are_not_a_500(login, examples):
    assert login("admin").get("/dianxing/", {"page": "x"}).status_code == 400
    assert login("admin").get("/dianxing/", {"q": "x" * 5000, "level": "…"}).status_code == 200
    assert login(None).get("/dianxing/gongkai/", {"page": "-1"}).status_code == 400
    assert login(None).get("/dianxing/gongkai/", {"theme": "|"}).status_code == 200
