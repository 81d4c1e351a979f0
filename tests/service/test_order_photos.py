"""Photos of what was done: added by the holder while the order is taken or with the result
(all or nothing), through the shared attachment checks (JPEG, PNG or WebP, decoded and stored
without their metadata); shown to staff in scope through an audited download; removed by the
holder or a dispatcher until the order is closed (audited); the same through
``/api/v1/service/orders/{id}/photos/``; the resident's tracking page shows only how many there
are."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.service import services as s
from dangjian.service.choices import OrderState
from dangjian.service.models import Order, OrderAttachment
from tests.authz import PDF, PNG
from tests.core.test_uploads import opened, photo

JPEG = photo("JPEG")
WEBP = photo("WEBP", orientation=6)


def _taken(place, text="村口路灯不亮了"):
    order = s.order_submit(grid=place.grid, category="roads", description=text, phone="13800001111")
    s.order_accept(actor=place.dispatcher, order=order)
    s.order_dispatch(actor=place.dispatcher, order=order, grid=place.grid)
    return s.order_take(actor=place.worker, order=order)


def _resolve_post(client, order, *files, result="已更换灯泡"):
    return client.post(
        reverse("service:work", args=[order.pk, "resolve"]),
        {"result": result, "files": list(files)},
    )


def test_photos_are_added_with_the_result(place):
    order = _taken(place)
    s.order_resolve(
        actor=place.worker,
        order=order,
        result="已更换灯泡",
        photos=[("before.png", PNG), ("after.jpg", JPEG)],
    )
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED
    photos = list(order.photos.order_by("pk"))
    assert [(p.name, p.content_type) for p in photos] == [
        ("before.png", "image/png"),
        ("after.jpg", "image/jpeg"),
    ]
    assert all(p.uploaded_by_id == place.worker.pk for p in photos)
    audited = AuditEntry.objects.filter(action="service.order.photo_add", object_id=str(order.pk))
    assert audited.count() == 2


def test_the_phone_form_posts_photos_with_the_result(place, login):
    order = _taken(place)
    w = login(place.worker)
    page = w.get(reverse("service:order", args=[order.pk])).content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert 'enctype="multipart/form-data"' in page
    r = _resolve_post(w, order, SimpleUploadedFile("现场.png", PNG, "image/png"))
    assert r.status_code == 302
    assert Order.objects.get(pk=order.pk).state == OrderState.RESOLVED
    assert OrderAttachment.objects.filter(order=order).count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", PDF, "不是照片"),
        ("notes.txt", b"just text", "不是 JPEG、PNG"),
        ("empty.png", b"", "是空的"),
    ],
)
def test_a_bad_file_refuses_the_whole_resolve(place, login, name, data, message):
    order = _taken(place)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        s.order_resolve(
            actor=place.worker,
            order=order,
            result="已更换灯泡",
            photos=[("good.png", PNG), (name, data)],
        )
    assert message in " ".join(exc.value.messages)
    order.refresh_from_db()
    assert order.state == OrderState.TAKEN and order.result == "" and order.resolved_at is None
    assert not OrderAttachment.objects.exists()
    assert AuditEntry.objects.count() == entries
    # the same through the page: a Chinese 400, nothing written
    r = _resolve_post(
        login(place.worker),
        order,
        SimpleUploadedFile("good.png", PNG, "image/png"),
        SimpleUploadedFile(name, data, "image/png"),
    )
    assert r.status_code == 400 and "未保存" in r.content.decode()
    assert Order.objects.get(pk=order.pk).state == OrderState.TAKEN
    assert not OrderAttachment.objects.exists()


def test_too_many_photos_are_refused(place):
    order = _taken(place)
    photos = [(f"{i}.png", PNG) for i in range(s.PHOTOS_PER_ORDER + 1)]
    with pytest.raises(ValidationError) as exc:
        s.order_resolve(actor=place.worker, order=order, result="已处理", photos=photos)
    assert f"最多 {s.PHOTOS_PER_ORDER} 个" in " ".join(exc.value.messages)
    assert not OrderAttachment.objects.exists()


def test_only_the_holder_adds_photos_while_taken(place, login):
    order = _taken(place)
    s.order_photo_add(actor=place.worker, order=order, name="途中.png", data=PNG)
    # a worker of the same grid who did not take it, the dispatcher, another village
    for who in (place.worker2, place.dispatcher, place.outsider):
        with pytest.raises(PermissionDenied):
            s.order_photo_add(actor=who, order=order, name="x.png", data=PNG)
        with pytest.raises(PermissionDenied):
            s.order_resolve(actor=who, order=order, result="已处理", photos=[("x.png", PNG)])
    photo = SimpleUploadedFile("x.png", PNG, "image/png")
    r = login(place.worker2).post(
        reverse("service:work", args=[order.pk, "photo"]), {"files": [photo]}
    )
    assert r.status_code == 403
    r = login(place.outsider).post(
        reverse("service:work", args=[order.pk, "photo"]), {"files": [photo]}
    )
    assert r.status_code in (403, 404)
    assert OrderAttachment.objects.filter(order=order).count() == 1
    # once resolved no one adds more
    s.order_resolve(actor=place.worker, order=order, result="已处理")
    with pytest.raises(ValidationError):
        s.order_photo_add(actor=place.worker, order=order, name="late.png", data=PNG)


def test_the_holder_adds_photos_on_the_page(place, login):
    order = _taken(place)
    w = login(place.worker)
    r = w.post(
        reverse("service:work", args=[order.pk, "photo"]),
        {"files": [SimpleUploadedFile("a.png", PNG, "image/png")]},
    )
    assert r.status_code == 302
    assert OrderAttachment.objects.filter(order=order).count() == 1
    r = w.post(reverse("service:work", args=[order.pk, "photo"]), {})
    assert r.status_code == 400 and "请选择要上传的照片" in r.content.decode()


def test_the_download_is_audited_and_scoped(place, login):
    order = _taken(place)
    s.order_resolve(actor=place.worker, order=order, result="已处理", photos=[("现场.png", PNG)])
    photo = order.photos.get()
    url = reverse("service:photo", args=[order.pk, photo.pk])
    d = login(place.dispatcher)
    page = d.get(reverse("service:order", args=[order.pk])).content.decode()
    assert url in page and "现场照片（1）" in page
    before = AuditEntry.objects.filter(action="service.order.photo_read").count()
    r = d.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content if r.streaming else [r.content]) == PNG
    read = AuditEntry.objects.filter(action="service.order.photo_read")
    assert read.count() == before + 1
    assert read.latest("pk").object_id == str(order.pk)
    # another village's secretary: not found, not audited
    assert login(place.outsider).get(url).status_code == 404
    # a photo id of another order under this order's url: not found
    other = _taken(place, "后山水管破了")
    s.order_photo_add(actor=place.worker, order=other, name="b.png", data=PNG)
    wrong = reverse("service:photo", args=[order.pk, other.photos.get().pk])
    assert d.get(wrong).status_code == 404
    assert read.count() == before + 1


def test_the_public_page_shows_only_the_count(place, client):
    order = _taken(place)
    s.order_resolve(
        actor=place.worker,
        order=order,
        result="已处理",
        photos=[("a.png", PNG), ("b.png", PNG)],
    )
    page = client.get(reverse("service:track", args=[order.tracking_code])).content.decode()
    assert "附照片 2 张" in page
    assert "/photos/" not in page and "<img" not in page and "a.png" not in page


# --- WebP from phones, without the phone's metadata -----------------------------------------------


def test_a_webp_photo_is_stored_clean(place):
    order = _taken(place)
    assert b"PhoneMaker" in WEBP
    item = s.order_photo_add(actor=place.worker, order=order, name="IMG_20260312.webp", data=WEBP)
    item.refresh_from_db()
    assert item.content_type == "image/webp"
    data = bytes(item.data)
    assert b"PhoneMaker" not in data and b"EXIF" not in data
    image = opened(data)
    assert image.format == "WEBP" and image.size == (30, 40)  # turned upright
    assert len(image.getexif()) == 0
    entry = AuditEntry.objects.filter(action="service.order.photo_add").latest("pk")
    assert entry.after["sha256"] == item.sha256 and entry.after["size"] == len(data)


def test_a_broken_photo_refuses_the_resolve(place):
    order = _taken(place)
    with pytest.raises(ValidationError) as exc:
        s.order_resolve(
            actor=place.worker,
            order=order,
            result="已处理",
            photos=[("good.webp", WEBP), ("半张.jpg", JPEG[: len(JPEG) // 2])],
        )
    assert "不是完整的图片" in " ".join(exc.value.messages)
    order.refresh_from_db()
    assert order.state == OrderState.TAKEN and not OrderAttachment.objects.exists()


# --- removing a photo -----------------------------------------------------------------------------


def test_the_holder_removes_a_photo_while_taken(place):
    order = _taken(place)
    item = s.order_photo_add(actor=place.worker, order=order, name="拍错了.png", data=PNG)
    digest = item.sha256
    for who in (place.worker2, place.outsider):
        with pytest.raises(PermissionDenied):
            s.order_photo_remove(actor=who, photo=item)
    s.order_photo_remove(actor=place.worker, photo=item)
    assert not OrderAttachment.objects.filter(order=order).exists()
    entry = AuditEntry.objects.filter(action="service.order.photo_remove").get()
    assert entry.object_id == str(order.pk) and entry.actor_id == place.worker.pk
    assert entry.before["name"] == "拍错了.png" and entry.before["sha256"] == digest
    # the order goes on: the holder may still resolve it
    s.order_resolve(actor=place.worker, order=order, result="已处理")


def test_a_dispatcher_removes_a_photo_until_the_order_is_closed(place):
    order = _taken(place)
    s.order_resolve(
        actor=place.worker,
        order=order,
        result="已处理",
        photos=[("有人脸.png", PNG), ("路灯.jpg", JPEG)],
    )
    first, second = order.photos.order_by("pk")
    # resolved: the worker no longer holds it; the village's dispatcher and the town may
    with pytest.raises(PermissionDenied):
        s.order_photo_remove(actor=place.worker, photo=first)
    s.order_photo_remove(actor=place.dispatcher, photo=first)
    # the resident rates it satisfied: closed, the record the resident rated stays
    s.order_rate(order=order, rating="satisfied")
    for who in (place.dispatcher, place.town_admin):
        with pytest.raises(ValidationError) as exc:
            s.order_photo_remove(actor=who, photo=second)
        assert "办理照片作为办理记录保留，不能删除" in " ".join(exc.value.messages)
    assert list(order.photos.values_list("name", flat=True)) == ["路灯.jpg"]
    assert AuditEntry.objects.filter(action="service.order.photo_remove").count() == 1


def test_removing_on_the_page(place, login):
    order = _taken(place)
    item = s.order_photo_add(actor=place.worker, order=order, name="a.png", data=PNG)
    url = reverse("service:photo_delete", args=[order.pk, item.pk])
    page = login(place.worker).get(reverse("service:order", args=[order.pk])).content.decode()
    assert url in page and "删除现场照片 1" in page
    # a worker of the grid who did not take it sees no button and is refused
    other = login(place.worker2)
    assert url not in other.get(reverse("service:order", args=[order.pk])).content.decode()
    assert other.post(url).status_code == 403
    assert login(place.outsider).post(url).status_code == 404
    r = login(place.worker).post(url)
    assert r.status_code == 302
    assert not OrderAttachment.objects.filter(pk=item.pk).exists()
    assert login(place.worker).post(url).status_code == 404


# --- the API: /api/v1/service/orders/{id}/photos/ -------------------------------------------------


def _photos_url(order, pk=None):
    base = f"/api/v1/service/orders/{order.pk}/photos/"
    return f"{base}{pk}/" if pk else base


def test_the_api_lists_uploads_downloads_and_removes_photos(place, api):
    order = _taken(place)
    worker = api(place.worker)
    r = worker.post(
        _photos_url(order),
        {
            "file": SimpleUploadedFile("现场.webp", WEBP, "image/webp"),
            "files": SimpleUploadedFile("路灯.jpg", JPEG, "image/jpeg"),
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    created = r.json()
    assert [(p["name"], p["content_type"]) for p in created] == [
        ("现场.webp", "image/webp"),
        ("路灯.jpg", "image/jpeg"),
    ]
    assert created[0]["url"] == _photos_url(order, created[0]["id"])
    assert created[0]["uploaded_by"] == str(place.worker)
    listed = api(place.dispatcher).get(_photos_url(order))
    assert listed.status_code == 200 and listed.json() == created
    assert "data" not in listed.json()[0]
    # another village: not found, for the list, the download and the removal
    outsider = api(place.outsider)
    assert outsider.get(_photos_url(order)).status_code == 404
    assert outsider.get(_photos_url(order, created[0]["id"])).status_code == 404
    assert outsider.delete(_photos_url(order, created[0]["id"])).status_code == 404
    # the download: the clean bytes, audited
    reads = AuditEntry.objects.filter(action="service.order.photo_read").count()
    d = api(place.dispatcher).get(_photos_url(order, created[1]["id"]))
    assert d.status_code == 200 and d["Content-Type"] == "image/jpeg"
    body = b"".join(d.streaming_content) if d.streaming else d.content
    assert b"PhoneMaker" not in body and opened(body).format == "JPEG"
    assert d["Digest"] == f"sha-256={created[1]['sha256']}"
    assert AuditEntry.objects.filter(action="service.order.photo_read").count() == reads + 1
    # removal: not by a worker who does not hold it (403 with why), by the holder (204)
    other = api(place.worker2).delete(_photos_url(order, created[0]["id"]))
    assert other.status_code == 403
    assert "只有接单人或承办组织的派单人" in other.json()["detail"]
    assert worker.delete(_photos_url(order, created[0]["id"])).status_code == 204
    assert worker.delete(_photos_url(order, created[0]["id"])).status_code == 404
    assert [p["id"] for p in worker.get(_photos_url(order)).json()] == [created[1]["id"]]


def test_the_api_refuses_bad_uploads_with_400_and_writes_nothing(place, api):
    order = _taken(place)
    worker = api(place.worker)
    for files in (
        {},
        {"file": SimpleUploadedFile("scan.pdf", PDF, "application/pdf")},
        {
            "file": SimpleUploadedFile("good.png", PNG, "image/png"),
            "files": SimpleUploadedFile("头.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 40, "image/jpeg"),
        },
    ):
        r = worker.post(_photos_url(order), files, format="multipart")
        assert r.status_code == 400, r.content
        assert "file" in r.json()
    assert not OrderAttachment.objects.exists()
    assert not AuditEntry.objects.filter(action="service.order.photo_add").exists()
    # a JSON body is not an upload
    r = worker.post(_photos_url(order), {"file": "x"}, format="json")
    assert r.status_code in (400, 415)
    # not taken any more: refused with the state
    s.order_resolve(actor=place.worker, order=order, result="已处理")
    r = worker.post(
        _photos_url(order),
        {"file": SimpleUploadedFile("late.png", PNG, "image/png")},
        format="multipart",
    )
    assert r.status_code == 400 and "不能再上传照片" in r.content.decode()
    assert not OrderAttachment.objects.exists()


def test_the_schema_declares_the_photo_endpoints(place, api):
    schema = api(place.dispatcher).get("/api/v1/schema/?format=json").json()
    photos = schema["paths"]["/api/v1/service/orders/{id}/photos/"]
    assert set(photos) >= {"get", "post"}
    assert "multipart/form-data" in photos["post"]["requestBody"]["content"]
    one = schema["paths"]["/api/v1/service/orders/{id}/photos/{photo_id}/"]
    assert set(one) >= {"get", "delete"}
    assert "image/webp" in one["get"]["responses"]["200"]["content"]
