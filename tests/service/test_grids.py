"""Grid management: the services (update, deactivate, the GeoJSON boundary) and the phone-first
pages under /fuwu/grids/ (list, new, edit, deactivate, the printable QR code)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.accounts.scope import SYSTEM
from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.boundary import BoundaryError, check_boundary, parse_boundary
from dangjian.service.models import Grid
from tests.factories import make_user

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[118.77, 27.52], [118.78, 27.52], [118.78, 27.53], [118.77, 27.52]]],
}


def submit(grid):
    return s.order_submit(
        grid=grid, category="roads", description="村口路灯不亮了", phone="13800001111"
    )


# --- the boundary -------------------------------------------------------------------------------


def test_a_polygon_a_multipolygon_and_a_feature_are_kept():
    assert check_boundary(SQUARE) == SQUARE
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    assert check_boundary(multi) == multi
    feature = {"type": "Feature", "properties": {"户主": "某某"}, "geometry": SQUARE}
    assert check_boundary(feature) == SQUARE  # the properties are dropped


@pytest.mark.parametrize(
    "value,words",
    [
        ({"type": "Point", "coordinates": [118.7, 27.5]}, "多边形"),
        ({"type": "Polygon", "coordinates": []}, "缺少坐标"),
        ({"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [1, 2]]]}, "至少有 4 个点"),
        ({"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [5, 6], [7, 8]]]}, "未闭合"),
        ({"type": "Polygon", "coordinates": [[[1, 200], [3, 4], [5, 6], [1, 200]]]}, "经度, 纬度"),
        ({"type": "Polygon", "coordinates": [[["a", 2], [3, 4], [5, 6], ["a", 2]]]}, "经度, 纬度"),
        ({"type": "Polygon", "coordinates": [[[True, 2], [3, 4], [5, 6], [1, 2]]]}, "经度, 纬度"),
        ([1, 2, 3], "多边形"),
    ],
)
def test_a_bad_boundary_is_explained(value, words):
    with pytest.raises(BoundaryError) as exc:
        check_boundary(value)
    assert words in str(exc.value)


def test_pasted_text():
    assert parse_boundary("") is None
    assert parse_boundary("\ufeff" + json.dumps(SQUARE)) == SQUARE
    with pytest.raises(BoundaryError, match="不是有效的"):
        parse_boundary("{not json")
    with pytest.raises(BoundaryError, match="过大"):
        parse_boundary(" " + "x" * 300_000)
    with pytest.raises(BoundaryError, match="不是有效的"):
        parse_boundary("[" * 100_000)


def test_too_many_points():
    ring = [[118 + i / 1e5, 27.0] for i in range(5001)] + [[118, 27.0]]
    with pytest.raises(BoundaryError, match="点过多"):
        check_boundary({"type": "Polygon", "coordinates": [ring]})


# --- the services -------------------------------------------------------------------------------


def test_grid_update_changes_and_audits(place):
    grid = s.grid_update(
        actor=place.dispatcher,
        grid=place.grid,
        name="第一网格",
        area="东片区",
        households=150,
        workers=[place.worker2],
        boundary=SQUARE,
    )
    assert grid.households == 150 and list(grid.workers.all()) == [place.worker2]
    entry = AuditEntry.objects.get(action="service.grid.update")
    assert entry.before["workers"] == sorted([place.worker.pk, place.worker2.pk])
    assert entry.after["workers"] == [place.worker2.pk] and entry.after["boundary"] is True


def test_grid_update_checks_everything_at_once(place):
    outsider = make_user(place.other, "grid_worker")
    with pytest.raises(ValidationError) as exc:
        s.grid_update(
            actor=place.dispatcher,
            grid=place.grid,
            name="第二网格",
            households=-1,
            workers=[outsider],
            boundary={"type": "Point"},
        )
    assert set(exc.value.message_dict) == {"name", "households", "workers", "boundary"}
    place.grid.refresh_from_db()
    assert place.grid.households == 120 and not AuditEntry.objects.filter(
        action="service.grid.update"
    )


def test_grid_update_needs_the_dispatcher_of_the_village(place):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        s.grid_update(actor=place.outsider, grid=place.grid, name="改名")
    with pytest.raises(PermissionDenied):
        s.grid_deactivate(actor=place.worker, grid=place.grid)


def test_deactivate_waits_until_no_order_waits_for_the_grid(place):
    order = submit(place.grid)
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    with pytest.raises(ValidationError, match="待接单"):
        s.grid_deactivate(actor=place.dispatcher, grid=place.grid)
    s.order_take(actor=place.worker, order=order)
    grid = s.grid_deactivate(actor=place.dispatcher, grid=place.grid, note="合并到第二网格")
    assert not grid.active
    assert (
        AuditEntry.objects.get(action="service.grid.deactivate").after["note"] == "合并到第二网格"
    )
    with pytest.raises(ValidationError, match="已停用"):
        s.grid_deactivate(actor=place.dispatcher, grid=place.grid)
    # its public page no longer takes orders; the taken order goes on
    assert place.client_get(reverse("service:submit", args=[grid.token])).status_code == 404
    s.order_resolve(actor=place.worker, order=order, result="已更换灯泡")


@pytest.fixture
def place(place, client):
    place.client_get = client.get
    return place


# --- the pages ----------------------------------------------------------------------------------


def test_the_list_shows_workers_households_and_open_orders(place, login):
    submit(place.grid)
    page = login(place.dispatcher).get(reverse("service:grids"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "第一网格" in text and "第二网格" in text and "西坑网格" not in text
    assert str(place.worker) in text and "120" in text and "东片区" in text
    row = text.split(f'data-grid="{place.grid.pk}"')[1].split("</tr>")[0]
    assert '未办结工单">1<' in row
    assert reverse("service:grid_edit", args=[place.grid.pk]) in text
    # a grid worker sees the list, not the edit links
    worker_page = login(place.worker).get(reverse("service:grids")).content.decode()
    assert "第一网格" in worker_page and f"grids/{place.grid.pk}/edit" not in worker_page


def test_new_grid_with_a_pasted_boundary(place, login):
    c = login(place.dispatcher)
    url = reverse("service:grid_new")
    form = c.get(url)  # bound to one village: its form at once
    assert form.status_code == 200 and str(place.worker) in form.content.decode()
    response = c.post(
        url,
        {
            "org": place.village.code,
            "name": "第三网格",
            "area": "西片区",
            "households": "66",
            "workers": [str(place.worker.pk)],
            "boundary_text": json.dumps(SQUARE),
        },
    )
    grid = Grid.objects.get(name="第三网格")
    assert response.status_code == 302 and response["Location"].endswith(f"/grids/{grid.pk}/qr/")
    assert grid.boundary == SQUARE and list(grid.workers.all()) == [place.worker]
    assert grid.org == place.village and grid.households == 66


def test_new_grid_with_an_uploaded_boundary(place, login):
    upload = SimpleUploadedFile("wangge.geojson", json.dumps(SQUARE).encode(), "application/json")
    response = login(place.dispatcher).post(
        reverse("service:grid_new"),
        {"org": place.village.code, "name": "第四网格", "households": "1", "boundary_file": upload},
    )
    assert response.status_code == 302
    assert Grid.objects.get(name="第四网格").boundary == SQUARE


@pytest.mark.parametrize(
    "data,words",
    [
        ({"name": "", "households": "1"}, "请填写网格名称"),
        ({"name": "第一网格", "households": "1"}, "已有名为"),
        ({"name": "新", "households": "-3"}, "households"),
        ({"name": "新", "households": "1", "boundary_text": "{oops"}, "不是有效的"),
        ({"name": "新", "households": "1", "boundary_text": '{"type":"Point"}'}, "多边形"),
        ({"name": "新", "households": "1", "workers": ["999999"]}, "workers"),
    ],
)
def test_a_bad_new_grid_is_shown_again_and_nothing_written(place, login, data, words):
    c = login(place.dispatcher)
    grids, audits = Grid.objects.count(), AuditEntry.objects.count()
    response = c.post(reverse("service:grid_new"), {"org": place.village.code, **data})
    text = response.content.decode()
    assert response.status_code == 400
    assert words in text or 'name="households"' in text
    assert Grid.objects.count() == grids and AuditEntry.objects.count() == audits


def test_a_bad_upload_is_refused(place, login):
    upload = SimpleUploadedFile("x.geojson", b"\xff\xfe\x00bad", "application/json")
    response = login(place.dispatcher).post(
        reverse("service:grid_new"),
        {"org": place.village.code, "name": "第五网格", "boundary_file": upload},
    )
    assert response.status_code == 400 and "UTF-8" in response.content.decode()
    assert not Grid.objects.filter(name="第五网格").exists()


def test_the_town_chooses_the_village_first(place, login):
    c = login(place.town_admin)
    choose = c.get(reverse("service:grid_new")).content.decode()
    assert place.village.name in choose and place.other.name in choose
    assert place.town.name not in choose.split("<h2")[1]  # a town is not a village
    assert c.get(reverse("service:grid_new") + f"?org={place.other.code}").status_code == 200
    assert c.get(reverse("service:grid_new") + "?org=NOPE").status_code == 404
    # a village of someone else's subtree is not offered
    assert (
        login(place.dispatcher)
        .get(reverse("service:grid_new") + f"?org={place.other.code}")
        .status_code
        == 404
    )


def test_edit_keeps_the_boundary_unless_told(place, login):
    s.grid_update(actor=SYSTEM, grid=place.grid, name="第一网格", households=120, boundary=SQUARE)
    c = login(place.dispatcher)
    url = reverse("service:grid_edit", args=[place.grid.pk])
    page = c.get(url).content.decode()
    assert 'value="第一网格"' in page and "已设网格范围" in page
    response = c.post(url, {"name": "一组网格", "households": "121", "workers": []})
    assert response.status_code == 302
    place.grid.refresh_from_db()
    assert place.grid.name == "一组网格" and place.grid.boundary == SQUARE
    assert not place.grid.workers.exists()
    c.post(url, {"name": "一组网格", "households": "121", "clear_boundary": "on"})
    place.grid.refresh_from_db()
    assert place.grid.boundary is None
    # another village's dispatcher cannot
    assert login(place.outsider).get(url).status_code == 404


def test_deactivate_from_the_page(place, login):
    c = login(place.dispatcher)
    url = reverse("service:grid_deactivate", args=[place.grid.pk])
    assert c.get(url).status_code == 405
    order = submit(place.grid)
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    refused = c.post(url, {"note": ""})
    assert refused.status_code == 400 and "请先改派" in refused.content.decode()
    assert Grid.objects.get(pk=place.grid.pk).active
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.plain)
    assert c.post(url, {"note": "拆分"}).status_code == 302
    assert not Grid.objects.get(pk=place.grid.pk).active
    assert "已停用" in c.get(reverse("service:grids")).content.decode()


def test_the_qr_page_prints_the_public_link(place, login, settings):
    settings.DANGJIAN_PUBLIC_BASE_URL = "https://fuwu.example.gov.cn"
    page = login(place.worker).get(reverse("service:grid_qr", args=[place.grid.pk]))
    text = page.content.decode()
    link = f"https://fuwu.example.gov.cn/fuwu/g/{place.grid.token}/"
    assert page.status_code == 200 and link in text
    assert "<svg" in text and "第一网格群众点单二维码" in text
    assert str(place.worker) not in text  # no one's name on the sheet
    assert (
        login(place.outsider).get(reverse("service:grid_qr", args=[place.grid.pk])).status_code
        == 404
    )
