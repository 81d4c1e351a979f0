"""The pages and the API on the suite's day (2026-11-23): what each side sees, the forms' bad
input refused in Chinese with nothing written, the card PDF, the counts and the schema."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.mobile import services as svc
from dangjian.mobile.models import HostActivity, LostContact, Outflow

D = dt.date


@pytest.fixture
def away(place):
    return svc.outflow_start(
        actor=SYSTEM,
        member=place.worker,
        data=svc.OutflowInput(
            region_code="330102",
            place="杭州市上城区",
            started_on=D(2026, 3, 1),
            fixed_place=True,
            employer="某物流公司",
            phone="13812345678",
            host_org=place.host,
            card_no="ZJ-001",
            card_issued_on=D(2026, 3, 1),
            card_valid_to=D(2027, 2, 28),
        ),
    )


def test_home_branch_page_shows_the_prompt_and_the_member(place, away, login):
    page = login(place.secretary).get("/liudong/").content.decode()
    assert "王外出" in page and "转接组织关系" in page and "138****5678" in page
    assert "13812345678" not in page
    assert "REL-" not in page.replace('rule == "REL-TRANSFER"', "")
    member = login(place.secretary).get(f"/liudong/members/{place.worker.pk}/").content.decode()
    assert "ZJ-001" in member and "城关社区流动党员党支部" in member and "某物流公司" in member


def test_host_sees_name_contact_and_activities_only(place, away, login):
    client = login(place.host_secretary)
    page = client.get("/liudong/hosted/").content.decode()
    assert "王外出" in page and "138****5678" in page
    assert "某物流公司" not in page and "ZJ-001" not in page and "东坑村党支部" not in page
    # the host records an activity; the member's own page stays closed to it
    response = client.post(
        f"/liudong/members/{place.worker.pk}/activity/",
        {"held_on": "2026-06-01", "subject": "主题党日"},
    )
    assert response.status_code == 302 and response["Location"] == "/liudong/hosted/"
    assert HostActivity.objects.filter(outflow=away, subject="主题党日").exists()
    assert client.get(f"/liudong/members/{place.worker.pk}/").status_code == 404
    assert client.get(f"/liudong/members/{place.worker.pk}/card.pdf").status_code == 404
    # an outsider can do neither
    outsider = login(place.outsider)
    assert "王外出" not in outsider.get("/liudong/hosted/").content.decode()
    response = outsider.post(
        f"/liudong/members/{place.worker.pk}/activity/", {"held_on": "2026-06-02", "subject": "x"}
    )
    assert response.status_code == 404
    assert HostActivity.objects.count() == 1


@pytest.mark.parametrize(
    ("action", "post", "words"),
    [
        ("return", {"returned_on": "2026-02-28"}, "返回日期早于外出日期 2026-03-01"),
        ("return", {"returned_on": "不是日期"}, "请填写返回日期"),
        ("outflow", {"region_code": "330102", "place": "x", "started_on": "2026-05-01"}, "未返回"),
        ("found", {"found_on": "2026-05-01"}, "没有未恢复联系的失联登记"),
        ("card", {"card_no": "A", "card_issued_on": "2026-12-01"}, "发放日期不能晚于今天"),
    ],
)
def test_bad_input_is_a_chinese_400_and_writes_nothing(place, away, login, action, post, words):
    before = (Outflow.objects.count(), LostContact.objects.count(), str(away.card_no))
    response = login(place.secretary).post(f"/liudong/members/{place.worker.pk}/{action}/", post)
    assert response.status_code == 400
    assert words in response.content.decode()
    away.refresh_from_db()
    assert (Outflow.objects.count(), LostContact.objects.count(), away.card_no) == before


def test_lost_contact_through_the_pages(place, login):
    client = login(place.secretary)
    url = f"/liudong/members/{place.lost.pk}/"
    assert client.post(url + "lost/", {"since": "2026-01-10"}).status_code == 302
    again = client.post(url + "lost/", {"since": "2026-02-01"})
    assert again.status_code == 400 and "不能重复登记" in again.content.decode()
    step = {"done_on": "2026-02-01", "how": "电话未接通", "done_by": "张书记"}
    assert client.post(url + "search/", step).status_code == 302
    page = client.get(url).content.decode()
    assert "电话未接通" in page and "自 2026-07-10 起可提请决定（已到期）" in page
    decided = client.post(
        url + "decide/",
        {"kind": "停止党籍", "started_on": "2026-07-10", "decided_by": "东坑村党支部"},
    )
    assert decided.status_code == 302
    assert place.lost.statuses.get().kind == "停止党籍"
    found = client.post(url + "found/", {"found_on": "2026-01-09"})
    assert found.status_code == 400 and "早于失去联系日期" in found.content.decode()


def test_card_pdf(place, away, login):
    response = login(place.secretary).get(f"/liudong/members/{place.worker.pk}/card.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_figures_page_counts_by_organization(place, away, login):
    page = login(place.town_admin).get("/liudong/figures/").content.decode()
    assert "流出党员" in page and "mobile-chart" in page and "东坑村党支部" in page
    assert "王外出" not in page  # organization level only
    assert login(place.town_admin).get("/liudong/figures/?at=x").status_code == 404


def test_api_figures_flags_and_refusals(place, away, api):
    client = api(place.town_admin)
    rows = client.get("/api/v1/mobile/figures/", {"at": "2026-11-23"}).json()
    assert rows[-1]["code"] == place.town.code and rows[-1]["out"] == 1 and rows[-1]["into"] == 1
    flags = client.get("/api/v1/mobile/flags/", {"at": "2026-09-01"}).json()
    assert [f["rule"] for f in flags["results"]] == ["REL-TRANSFER"]
    assert client.get("/api/v1/mobile/flags/", {"at": "2026-08-31"}).json()["results"] == []
    assert client.get("/api/v1/mobile/figures/", {"at": "2026-02-30"}).status_code == 400
    assert client.get("/api/v1/mobile/figures/", {"org": place.other.code}).status_code == 404
    assert client.get("/api/v1/mobile/figures/", {"org": ""}).status_code == 200
    assert client.get("/api/v1/mobile/figures/", {"org": "a-b"}).status_code == 400
    url = f"/api/v1/mobile/members/{place.worker.pk}/return/"
    refused = client.post(url, {"returned_on": "2026-02-01"}, format="json")
    assert refused.status_code == 400 and "早于外出日期" in str(refused.json())
    done = client.post(url, {"returned_on": "2026-11-01"}, format="json")
    assert done.status_code == 200 and done.json()["outflows"][0]["returned_on"] == "2026-11-01"
    hosted = api(place.host_secretary).get("/api/v1/mobile/hosted/").json()["results"]
    assert set(hosted[0]) == {"id", "name", "phone", "host_org", "returned_on", "activities"}


def test_schema_lists_every_mobile_endpoint(api, place):
    from dangjian.api.urls import urlpatterns

    names = {p.name for p in urlpatterns if getattr(p, "name", "") or ""}
    assert {"mobile-figures", "mobile-flags", "mobile-member-decide"} <= names
    schema = api(place.town_admin).get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/mobile/figures/", "/api/v1/mobile/members/{id}/decide/"):
        assert path in schema


def test_every_mobile_page_is_chinese(place, away, login):
    """What the pages show (and the card PDF) has no English word, evidence key or bare rule id
    (the checker of tests/web/test_every_page_chinese.py)."""
    from dangjian.rules.registry import rule_titles
    from tests.web.visible import file_text, offences, visible_text

    svc.lost_contact_record(actor=SYSTEM, member=place.lost, since=D(2025, 1, 1))
    names = {o.code for o in (place.town, place.home, place.host)} | {"ZJ", "001"}
    names |= {u.username for u in (place.secretary, place.town_admin, place.host_secretary)}
    for user in (place.secretary, place.town_admin, place.host_secretary):
        client = login(user)
        for url in (
            "/liudong/",
            "/liudong/hosted/",
            "/liudong/figures/",
            f"/liudong/members/{place.worker.pk}/",
            f"/liudong/members/{place.lost.pk}/",
        ):
            response = client.get(url)
            if response.status_code == 404:
                continue
            pieces = visible_text(response.content.decode())
            assert not offences(pieces, names=names, rule_titles=rule_titles()), (user, url)
    card = login(place.secretary).get(f"/liudong/members/{place.worker.pk}/card.pdf")
    pieces = file_text(card.content, "application/pdf")
    assert not offences(pieces, names=names, rule_titles=rule_titles())
    assert any("流动党员活动证" in p.text for p in pieces)


def test_the_audit_page_names_every_field_in_chinese(place, away, login):
    """The trail of every mobile action reads in Chinese on the audit page."""
    from dangjian.rules.registry import rule_titles
    from dangjian.web.audit_display import FIELD_LABELS, OBJECT_MODELS
    from tests.factories import make_user
    from tests.web.visible import offences, visible_text

    assert {"outflow", "lost_contact"} <= set(OBJECT_MODELS)
    assert {"host", "held_on", "activity", "done_on", "how", "done_by"} <= set(FIELD_LABELS)
    svc.host_activity_record(actor=SYSTEM, outflow=away, held_on=D(2026, 6, 1), subject="党课")
    lost = svc.lost_contact_record(actor=SYSTEM, member=place.lost, since=D(2026, 1, 1))
    svc.search_step_add(actor=SYSTEM, lost=lost, done_on=D(2026, 2, 1), how="电话", done_by="书记")
    svc.lost_contact_found(actor=SYSTEM, lost=lost, found_on=D(2026, 3, 1))
    svc.outflow_return(actor=SYSTEM, outflow=away, returned_on=D(2026, 11, 1))
    auditor = make_user(place.town, "audit_admin")
    page = login(auditor).get("/audit/").content.decode()
    names = {auditor.username, place.town.code, "ZJ", "001"}
    # account names, organization codes and the command-line operators are data (as in the
    # page walk)
    from dangjian.accounts.models import User
    from dangjian.core.models import AuditEntry
    from dangjian.orgs.models import Organization

    names |= set(User.objects.values_list("username", flat=True))
    names |= set(Organization.objects.values_list("code", flat=True))

    names |= {
        a.split(":", 1)[1]
        for a in AuditEntry.objects.filter(actor_name__startswith="命令行:").values_list(
            "actor_name", flat=True
        )
    }
    assert not offences(visible_text(page), names=names, rule_titles=rule_titles())
