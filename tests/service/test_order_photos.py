"""Photos of what was done: added by the holder while the order is taken or with the result
(all or nothing), through the shared attachment checks; shown to staff in scope through an
audited download; the resident's tracking page shows only how many there are."""

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

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


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
