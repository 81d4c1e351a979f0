"""The shared checks of uploaded documents."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 10


def test_type_comes_from_the_bytes_not_the_name():
    assert uploads.sniff(PNG) == "image/png"
    assert uploads.sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert uploads.sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    upload, problems = uploads.check_upload(
        "evil.pdf", b"<html>", default_name="附件", existing=0, max_count=3, per="每条记录"
    )
    assert upload is None
    assert problems == ["文件“evil.pdf”不是 JPEG、PNG 图片或 PDF 文件"]


def test_a_good_file_with_a_path_for_a_name():
    upload, problems = uploads.check_upload(
        "C:\\scans\\会议记录.png", PNG, default_name="附件", existing=2, max_count=3, per="每条记录"
    )
    assert problems == []
    assert upload is not None
    assert (upload.name, upload.content_type, upload.size) == ("会议记录.png", "image/png", 18)
    assert len(upload.sha256) == 64


def test_empty_too_large_and_too_many_each_say_why():
    _, empty = uploads.check_upload(
        "", b"", default_name="材料", existing=0, max_count=3, per="每个案例"
    )
    assert empty == ["文件“材料”是空的"]
    _, big = uploads.check_upload(
        "a.png", PNG, default_name="x", existing=3, max_count=3, per="每个案例", max_bytes=10
    )
    assert big == ["文件“a.png”过大（0.0 MB），每个附件最大 0 MB", "每个案例最多 3 个附件"]


def test_declared_size_is_refused_before_reading():
    files = [SimpleNamespace(name="a.pdf", size=10), SimpleNamespace(name="b.pdf", size=11)]
    uploads.refuse_oversized(files[:1], max_bytes=10)
    with pytest.raises(ValidationError) as caught:
        uploads.refuse_oversized(files, max_bytes=10)
    assert caught.value.message_dict == {"file": ["文件“b.pdf”过大，每个附件最大 0 MB"]}
