"""Photos and short clips of a visit through the shared upload checks: the wrong type or size
refused with a Chinese message, nothing stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core import uploads
from dangjian.inspection.models import VisitMedia
from dangjian.inspection.services import media_add
from tests.authz import PDF, PNG, state

from .conftest import make_plan, make_visit

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


@pytest.fixture
def visit(place):
    return make_visit(place, make_plan(place), actor=place.inspector)


def _refused(place, visit, name, data, message):
    before = state()
    with pytest.raises(ValidationError) as info:
        media_add(actor=place.inspector, visit=visit, name=name, data=data)
    assert message in "".join(info.value.messages), info.value.messages
    assert state() == before


def test_photos_and_clips_are_stored(place, visit):
    photo = media_add(actor=place.inspector, visit=visit, name="活动室.png", data=PNG)
    clip = media_add(actor=place.inspector, visit=visit, name="值班.mp4", data=MP4)
    mov = media_add(actor=place.inspector, visit=visit, name="C:\\手机\\门口.mov", data=MOV)
    assert (photo.content_type, clip.content_type, mov.content_type) == (
        "image/png",
        "video/mp4",
        "video/quicktime",
    )
    assert mov.name == "门口.mov"
    assert VisitMedia.objects.count() == 3


def test_wrong_types_and_sizes_are_refused(place, visit, monkeypatch):
    _refused(place, visit, "说明.txt", "不是照片".encode(), "不是 JPEG、PNG 图片、MP4 视频")
    _refused(place, visit, "照片.heic", HEIC, "不是 JPEG、PNG 图片、MP4 视频")
    _refused(place, visit, "材料.pdf", PDF, "现场材料请上传照片或视频")
    _refused(place, visit, "空.mp4", b"", "是空的")
    monkeypatch.setattr(uploads, "MAX_VIDEO_BYTES", len(MP4) - 1)
    _refused(place, visit, "长视频.mp4", MP4, "过大")
    big = PNG + b"\0" * uploads.MAX_BYTES
    _refused(place, visit, "大图.png", big, "每个附件最大 5 MB")


def test_other_holders_still_refuse_video():
    upload, problems = uploads.check_upload(
        "a.mp4", MP4, default_name="x", existing=0, max_count=5, per="每条记录"
    )
    assert upload is None and "不是 JPEG、PNG 图片或 PDF 文件" in problems[0]


def test_only_recorders_upload(place, visit):
    with pytest.raises(PermissionDenied):
        media_add(actor=place.secretary, visit=visit, name="a.png", data=PNG)
    assert not VisitMedia.objects.exists()
