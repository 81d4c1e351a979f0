"""Staff pages: authorization matrix, open a survey, results, QR and print sheet."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.survey.models import InviteCode, Response, Survey
from dangjian.survey.services import open_surveys, seed_responses


def _state():
    return (
        Survey.objects.count(),
        InviteCode.objects.count(),
        Response.objects.count(),
        AuditEntry.objects.count(),
    )


VIEWERS_OF_A = ["admin", "admin_a", "inspector_a", "secretary_a"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (None, 302),
        ("sysadmin", 403),  # no ASSESS_VIEW
        ("auditor", 403),
        ("admin_b", 404),  # other subtree
        ("admin", 200),
        ("admin_a", 200),
        ("inspector_a", 200),
        ("secretary_a", 200),
    ],
)
def test_detail_and_print_matrix(tree, surveys, user, expected, login):
    client = login(user)
    pk = surveys["a"].pk
    for path in (f"/survey/{pk}/", f"/survey/{pk}/print/", "/survey/orgs/BA001/"):
        response = client.get(path)
        assert response.status_code == expected, path
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_secretary_sees_only_own_org(tree, surveys, login):
    client = login("secretary_a")
    listing = client.get("/survey/").content.decode()
    assert "甲村党支部" in listing and "乙社区党支部" not in listing
    assert client.get(f"/survey/{surveys['b'].pk}/").status_code == 404
    assert client.get("/survey/orgs/BB001/").status_code == 404
    assert client.get("/survey/orgs/TA001/").status_code == 404  # the upper level either
    assert "发起测评" not in client.get("/survey/orgs/BA001/").content.decode()


@pytest.mark.django_db
def test_committee_lists_its_subtree(tree, surveys, login):
    client = login("admin_a")
    page = client.get("/survey/orgs/TA001/").content.decode()
    assert "甲村党支部" in page and "乙社区党支部" not in page and "发起测评" in page
    everything = login("admin").get("/survey/").content.decode()
    assert "甲村党支部" in everything and "乙社区党支部" in everything


def _open_form(**extra):
    data = {
        "title": "2026 年度三率测评",
        "opens_on": "2026-11-01",
        "closes_on": "2026-11-30",
        "scope": "branches",
        "dedup": "code",
        "codes": "5",
        "population": "",
        "key": "campaign:9",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "code", "expected"),
    [
        (None, "TA001", 302),
        ("secretary_a", "BA001", 403),
        ("inspector_a", "TA001", 403),
        ("admin_b", "TA001", 404),
        ("sysadmin", "TA001", 403),
    ],
)
def test_open_denied_changes_nothing(tree, user, code, expected, login):
    before = _state()
    client = login(user)
    assert client.post(f"/survey/orgs/{code}/open/", _open_form()).status_code == expected
    assert client.get(f"/survey/orgs/{code}/open/").status_code == expected
    assert _state() == before


@pytest.mark.django_db
def test_open_for_branches_of_subtree(tree, login):
    client = login("admin_a")
    assert client.get("/survey/orgs/TA001/open/").status_code == 200
    response = client.post("/survey/orgs/TA001/open/", _open_form())
    assert response.status_code == 302 and response["Location"] == "/survey/orgs/TA001/"
    (survey,) = Survey.objects.all()
    assert survey.org == tree["branch_a"] and survey.dedup == "code"
    assert survey.population == 4 and survey.created_by == tree["admin_a"]
    assert InviteCode.objects.filter(survey=survey).count() == 5
    assert AuditEntry.objects.filter(action="survey.open", object_id=str(survey.pk)).exists()
    # idempotent per (org, key)
    client.post("/survey/orgs/TA001/open/", _open_form())
    assert Survey.objects.count() == 1


@pytest.mark.django_db
def test_open_bad_input_shows_errors_and_writes_nothing(tree, login):
    client = login("admin_a")
    before = _state()
    page = client.post(
        "/survey/orgs/BA001/open/",
        _open_form(scope="self", closes_on="2026-10-01", title="", codes="-1"),
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "请填写标题" in html and "邀请码数量不能小于 0" in html
    assert _state() == before
    page = client.post("/survey/orgs/BA001/open/", _open_form(scope="self", closes_on="2026-10-01"))
    assert page.status_code == 400 and "截止日期不能早于开始日期" in page.content.decode()
    assert _state() == before


@pytest.mark.django_db
def test_open_single_goes_to_results(tree, login):
    client = login("admin")
    response = client.post(
        "/survey/orgs/BB001/open/", _open_form(scope="self", dedup="phone", key="")
    )
    survey = Survey.objects.get()
    assert response["Location"] == f"/survey/{survey.pk}/"
    assert survey.key.startswith("manual:") and survey.dedup == "phone"
    assert not InviteCode.objects.exists()


@pytest.mark.django_db
def test_results_show_rates_interval_and_reliability(tree, surveys, login):
    client = login("secretary_a")
    html = client.get(f"/survey/{surveys['a'].pk}/").content.decode()
    assert "样本不足，结果仅供参考" in html
    assert 'class="qr"' in html and surveys["a"].token in html
    seed_responses(surveys["a"], random.Random(1), 40, satisfaction=1.0)
    html = client.get(f"/survey/{surveys['a'].pk}/").content.decode()
    assert "样本不足" not in html
    assert "100.0%" in html and "91.2%–100.0%" in html  # Wilson 40/40: [0.9124, 1]
    assert "40 / 40" in html


@pytest.mark.django_db
def test_print_sheet_codes_for_branch_not_for_inspector(tree, today, login):
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[tree["branch_a"]],
        key="print",
        title="测评",
        opens_on=today,
        closes_on=today + dt.timedelta(days=3),
        dedup="code",
        codes=3,
    )
    codes = list(InviteCode.objects.filter(survey=survey).values_list("code", flat=True))
    sheet = login("secretary_a").get(f"/survey/{survey.pk}/print/").content.decode()
    assert all(c in sheet for c in codes) and 'class="qr"' in sheet
    inspector = login("inspector_a").get(f"/survey/{survey.pk}/print/").content.decode()
    assert not any(c in inspector for c in codes) and 'class="qr"' in inspector


@pytest.mark.django_db
def test_add_codes_matrix(tree, today, login):
    (survey,) = open_surveys(
        SYSTEM,
        orgs=[tree["branch_a"]],
        key="codes",
        title="测评",
        opens_on=today,
        closes_on=today,
        dedup="code",
        codes=1,
    )
    path = f"/survey/{survey.pk}/codes/"
    for user, expected in [
        (None, 302),
        ("secretary_a", 403),
        ("inspector_a", 403),
        ("admin_b", 404),
    ]:
        before = _state()
        assert login(user).post(path, {"count": "3"}).status_code == expected
        assert _state() == before
    client = login("admin_a")
    assert client.post(path, {"count": "0"}).status_code == 400
    assert client.post(path, {"count": "3"}).status_code == 302
    assert InviteCode.objects.filter(survey=survey).count() == 4
    assert AuditEntry.objects.filter(action="survey.invite_codes").count() == 1


@pytest.mark.django_db
def test_few_answers_are_not_disclosed(tree, surveys, login):
    seed_responses(surveys["a"], random.Random(3), 4)
    client = login("admin_a")
    html = client.get(f"/survey/{surveys['a'].pk}/").content.decode()
    assert "暂不显示比率" in html and "4 / 4" not in html and "各题作答情况" not in html
    seed_responses(surveys["a"], random.Random(4), 1)
    html = client.get(f"/survey/{surveys['a'].pk}/").content.decode()
    assert "暂不显示比率" not in html and "5 / 5" in html and "各题作答情况" in html
