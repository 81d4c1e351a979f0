from __future__ import annotations

import io

import pytest
from django.urls import reverse

from dangjian.liangxin.models import Assignment, Unit, Visit
from dangjian.liangxin.uscc import make_uscc

from .test_import import HEADER, csv_file, row


def test_pages_render(register, login):
    client = login(register.root_admin)
    unit = register.units["丁协会"]
    for name, kwargs, text in [
        ("liangxin:index", {}, "丁协会"),
        ("liangxin:unit", {"pk": unit.pk}, "空白点"),
        ("liangxin:edit", {"pk": unit.pk}, "修改两新组织"),
        ("liangxin:new", {}, "登记两新组织"),
        ("liangxin:coverage", {}, "组织覆盖率"),
        ("liangxin:blanks", {}, "戊公司"),
        ("liangxin:advisors", {}, "张指导"),
        ("liangxin:import", {}, "导入两新组织名录"),
    ]:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        assert text in response.content.decode(), name
    nav = client.get(reverse("liangxin:index")).content.decode()
    assert "两新覆盖" in nav


def test_filters(register, login):
    client = login(register.root_admin)
    page = client.get(reverse("liangxin:index"), {"coverage": "blank"}).content.decode()
    assert "丁协会" in page and "戊公司" in page and "甲公司" not in page
    page = client.get(reverse("liangxin:index"), {"region": "330103"}).content.decode()
    assert "己公司" in page and "甲公司" not in page
    code = register.units["甲公司"].uscc
    page = client.get(reverse("liangxin:index"), {"q": code.lower()}).content.decode()
    assert "甲公司" in page and "乙公司" not in page


def test_coverage_figures_on_page_and_files(register, login):
    client = login(register.root_admin)
    page = client.get(reverse("liangxin:coverage"), {"year": "2026"}).content.decode()
    assert "50.0%" in page and "33.3%" in page
    xlsx = client.get(reverse("liangxin:coverage_xlsx"), {"year": "2026"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("liangxin:coverage_pdf"), {"year": "2026"})
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_scope_on_pages(register, login):
    client = login(register.town_a_admin)
    assert "己公司" not in client.get(reverse("liangxin:index")).content.decode()
    ji = register.units["己公司"]
    assert client.get(reverse("liangxin:unit", kwargs={"pk": ji.pk})).status_code == 404
    assert (
        client.get(reverse("liangxin:coverage"), {"org": register.town_b.code}).status_code == 400
    )
    assert login(register.grid).get(reverse("liangxin:index")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"year": "abc"},
        {"year": "1800"},
        {"page": "0"},
        {"page": "x"},
        {"region": "abc"},
        {"industry": "火星"},
        {"coverage": "nope"},
        {"org": "NOPE"},
    ],
)
def test_bad_query_is_400(register, login, query):
    client = login(register.root_admin)
    assert client.get(reverse("liangxin:index"), query).status_code == 400
    if not {"page", "industry", "coverage", "region"} & set(query):
        assert client.get(reverse("liangxin:coverage"), query).status_code == 400


def test_write_through_pages(register, login):
    client = login(register.town_a_admin)
    code = make_uscc(register.rng, "330102")
    response = client.post(
        reverse("liangxin:new"),
        {
            "name": "新园公司",
            "uscc": code,
            "kind": "非公企业",
            "industry": "制造业",
            "size": "微型",
            "region_code": "330102",
            "org": register.town_a.code,
            "org_mode": "未组建",
            "employees": "12",
            "members": "0",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(uscc=code)
    url = reverse("liangxin:assign", kwargs={"pk": unit.pk})
    assert (
        client.post(
            url, {"advisor": register.zhang.pk, "role": "联系人", "since": "2026-11-01"}
        ).status_code
        == 302
    )
    url = reverse("liangxin:visit", kwargs={"pk": unit.pk})
    assert (
        client.post(url, {"advisor": register.zhang.pk, "visited_on": "2026-11-02"}).status_code
        == 302
    )
    assert Visit.objects.filter(unit=unit).count() == 1
    url = reverse("liangxin:end", kwargs={"pk": unit.pk})
    a = Assignment.objects.get(unit=unit)
    assert client.post(url, {"assignment": a.pk, "until": "2026-11-20"}).status_code == 302
    response = client.post(
        reverse("liangxin:advisors"), {"name": "王联络", "org": register.town_a.code}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "x", "uscc": "123", "org": "T0"},
        {"name": "x", "uscc": "91330102000000005M", "org": "NOPE"},
        {"name": "x" * 300, "uscc": "91330102000000005M", "employees": "-1", "kind": "x"},
    ],
)
def test_bad_unit_post_is_400_nothing_written(register, login, data):
    client = login(register.town_a_admin)
    before = Unit.objects.count()
    response = client.post(reverse("liangxin:new"), data)
    assert response.status_code == 400
    assert Unit.objects.count() == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("liangxin:assign", {"advisor": "x", "since": "2026-01-01"}),
        ("liangxin:assign", {"advisor": "1", "since": "bad"}),
        ("liangxin:visit", {"advisor": "", "visited_on": "2026-01-01"}),
        ("liangxin:end", {"assignment": "999999", "until": "2026-01-01"}),
    ],
)
def test_bad_unit_forms_are_400(register, login, name, data):
    client = login(register.town_a_admin)
    unit = register.units["丙公司"]
    assert client.post(reverse(name, kwargs={"pk": unit.pk}), data).status_code == 400


def test_visit_in_future_refused(register, login):
    client = login(register.town_a_admin)
    unit = register.units["丙公司"]
    url = reverse("liangxin:visit", kwargs={"pk": unit.pk})
    response = client.post(url, {"advisor": register.zhang.pk, "visited_on": "2099-01-01"})
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()


def test_import_page(register, login):
    client = login(register.town_a_admin)
    ok = client.post(reverse("liangxin:import"), {"file": csv_file([row(register.town_a.code, 1)])})
    assert ok.status_code == 200 and "导入完成" in ok.content.decode()
    again = client.post(
        reverse("liangxin:import"), {"file": csv_file([row(register.town_a.code, 1)])}
    )
    assert again.status_code == 200 and "未变 1" in again.content.decode()
    elsewhere = row(register.town_a.code, 2, 统一社会信用代码=register.units["己公司"].uscc)
    refused = client.post(reverse("liangxin:import"), {"file": csv_file([elsewhere])})
    assert refused.status_code == 400 and "管辖范围以外" in refused.content.decode()
    wrong = io.BytesIO(b"x")
    wrong.name = "a.exe"
    assert client.post(reverse("liangxin:import"), {"file": wrong}).status_code == 400
    assert HEADER[0] == "单位名称"


def _square(code: str, x: float, name: str = "") -> dict:
    ring = [[x, 30.0], [x + 0.1, 30.0], [x + 0.1, 30.1], [x, 30.1], [x, 30.0]]
    props = {"code": code, **({"name": name} if name else {})}
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _map_block(page: str) -> dict | None:
    import json
    import re

    found = re.search(r'<script id="lx-map" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1)) if found else None


def test_coverage_map_from_the_deployments_region_boundaries(register, login, tmp_path, settings):
    """With a boundary file the page draws the 组织覆盖率 on the regions it names (a region of the
    file outside the report and a feature without a code are left out); without one, or with a
    file that cannot be read, the grid by region code stands in and the page still answers."""
    import json

    client = login(register.root_admin)
    url = reverse("liangxin:coverage")
    page = client.get(url, {"year": "2026"}).content.decode()
    assert _map_block(page) is None and 'id="lx-grid"' in page
    path = tmp_path / "regions.geojson"
    features = [
        _square("330102", 120.0, "上城区"),
        _square("330103", 120.2),
        _square("330104", 120.4),  # no unit registered there
        {"type": "Feature", "properties": {}, "geometry": None},
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    settings.DANGJIAN_REGION_BOUNDARIES = str(path)
    page = client.get(url, {"year": "2026"}).content.decode()
    block = _map_block(page)
    assert block is not None and 'id="lx-grid"' not in page
    assert [f["properties"]["code"] for f in block["geo"]["features"]] == ["330102", "330103"]
    assert {v["name"]: v["value"] for v in block["values"]} == {"330102": 40.0, "330103": 100.0}
    # the town admin's report has only 330102: the map has only that region
    town = _map_block(login(register.town_a_admin).get(url, {"year": "2026"}).content.decode())
    assert town is not None and [v["name"] for v in town["values"]] == ["330102"]
    path.write_text("{not json", "utf-8")
    page = client.get(url, {"year": "2026"}).content.decode()
    assert _map_block(page) is None and 'id="lx-grid"' in page
