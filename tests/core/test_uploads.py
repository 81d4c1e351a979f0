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
    assert problems == ["文件“evil.pdf”不是 JPEG、PNG 图片或 PDF 文件（也接受 WebP 图片）"]


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


# --- WebP, and images decoded and stored without their metadata (``clean_images``) ----------


def photo(fmt: str, *, size=(40, 30), orientation: int = 0, **save) -> bytes:
    """A real image in ``fmt`` with a phone's metadata: maker, GPS position, a comment/XMP."""
    import io

    from PIL import Image
    from PIL.ExifTags import IFD

    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((10, 10, 220), (0, 0, size[0] // 2, size[1] // 3))  # the top left is blue
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[1], gps[2] = "N", (27.0, 31.0, 12.5)
    extra: dict = {"exif": exif.tobytes(), **save}
    if fmt == "JPEG":
        extra["comment"] = b"secret-comment"
    if fmt == "WEBP":
        extra["xmp"] = b"<x:xmpmeta>secret-comment</x:xmpmeta>"
    out = io.BytesIO()
    image.save(out, fmt, **extra)
    return out.getvalue()


def opened(data: bytes):
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def clean(name: str, data: bytes):
    return uploads.check_upload(
        name, data, default_name="照片", existing=0, max_count=9, per="每张工单", clean_images=True
    )


def test_webp_is_known_by_its_riff_header():
    webp = photo("WEBP")
    assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"
    assert uploads.sniff(webp) == "image/webp"
    assert "image/webp" in uploads.CONTENT_TYPES
    # RIFF of another kind (a WAV sound) is not an image
    assert uploads.sniff(b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00") is None
    # accepted like JPEG/PNG without cleaning: by the bytes, not the name
    upload, problems = uploads.check_upload(
        "IMG_0001.jpg", webp, default_name="照片", existing=0, max_count=3, per="每张工单"
    )
    assert problems == [] and upload is not None
    assert upload.content_type == "image/webp" and upload.data == webp


@pytest.mark.parametrize(
    ("fmt", "content_type", "options"),
    [
        ("JPEG", "image/jpeg", {"quality": 85}),
        ("PNG", "image/png", {}),
        ("WEBP", "image/webp", {"quality": 80}),
        ("WEBP", "image/webp", {"lossless": True}),
    ],
)
def test_a_clean_image_keeps_the_picture_and_loses_the_metadata(fmt, content_type, options):
    import hashlib

    data = photo(fmt, **options)
    assert b"PhoneMaker" in data
    upload, problems = clean("现场.img", data)
    assert problems == [] and upload is not None
    assert upload.content_type == content_type
    out = upload.data
    assert (upload.size, upload.sha256) == (len(out), hashlib.sha256(out).hexdigest())
    image = opened(out)
    assert image.format == fmt and image.size == (40, 30)
    assert len(image.getexif()) == 0  # no maker, no GPS
    for leak in (b"PhoneMaker", b"secret-comment", b"Exif\x00\x00", b"EXIF", b"eXIf"):
        assert leak not in out, leak
    # the same picture: the top left still blue, the rest red (lossy formats within a margin)
    red, _green, blue = image.convert("RGB").getpixel((2, 2))
    assert blue > 180 and red < 60
    red, _green, blue = image.convert("RGB").getpixel((35, 25))
    assert red > 160 and blue < 70
    if fmt == "PNG" or options.get("lossless"):
        assert image.convert("RGB").getpixel((2, 2)) == (10, 10, 220)


def test_the_orientation_is_applied_before_it_is_removed():
    # a phone held upright: the sensor's 40×30 with "rotate 90° clockwise to view" (6)
    for fmt in ("JPEG", "WEBP"):
        upload, problems = clean("竖拍.jpg", photo(fmt, orientation=6))
        assert problems == [] and upload is not None
        image = opened(upload.data)
        assert image.size == (30, 40), fmt
        assert 0x0112 not in image.getexif()
        # the blue corner (top left of the sensor) is now at the top right
        red, _g, blue = image.convert("RGB").getpixel((27, 2))
        assert blue > 180 and red < 60, fmt


def test_a_jpeg_keeps_its_quantization():
    from PIL import Image

    data = photo("JPEG", quality=60)
    upload, _ = clean("a.jpg", data)
    assert upload is not None
    before, after = opened(data), opened(upload.data)
    assert isinstance(after, Image.Image)
    assert before.quantization == after.quantization  # type: ignore[attr-defined]


def test_what_only_looks_like_an_image_is_refused():
    real = photo("JPEG")
    cases = {
        "头.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # magic bytes only
        "半张.jpg": real[: len(real) // 2],  # truncated
        "假.webp": b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 24,
        "假.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    }
    for name, data in cases.items():
        upload, problems = clean(name, data)
        assert upload is None
        assert problems == [f"文件“{name}”不是完整的图片，无法打开（可能已损坏或只有文件头）"]
    # without cleaning the same bytes pass the type check, as before (other attachments)
    upload, problems = uploads.check_upload(
        "头.jpg", cases["头.jpg"], default_name="x", existing=0, max_count=3, per="每条记录"
    )
    assert problems == [] and upload is not None


def test_a_decompression_bomb_and_an_animation_are_refused():
    import io

    from PIL import Image

    # 8,000 × 8,000 one-bit pixels: a few KB of PNG, 64 million pixels when opened
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    assert len(out.getvalue()) < uploads.MAX_BYTES
    upload, problems = clean("大.png", out.getvalue())
    assert upload is None
    assert problems == ["图片“大.png”太大（8000×8000 像素），最多 50 百万像素"]
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    upload, problems = clean("动.webp", out.getvalue())
    assert upload is None and problems == ["图片“动.webp”是动图，请上传照片"]


def test_a_pdf_is_not_touched_by_cleaning():
    pdf = b"%PDF-1.4\n% scan\n%%EOF\n"
    upload, problems = clean("记录.pdf", pdf)
    assert problems == [] and upload is not None and upload.data == pdf


def test_a_phone_jpeg_with_more_images_keeps_the_photo():
    """MPO (a JPEG with a depth or gain map after it, as phones write): the first image is the
    photo, stored alone as a plain JPEG."""
    import io

    from PIL import Image

    first = Image.new("RGB", (40, 30), (10, 10, 220))
    depth = Image.new("RGB", (20, 15), (128, 128, 128))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[depth])
    data = out.getvalue()
    assert uploads.sniff(data) == "image/jpeg"
    upload, problems = clean("IMG_0002.jpg", data)
    assert problems == [] and upload is not None
    image = opened(upload.data)
    assert image.format == "JPEG" and image.size == (40, 30)
    assert getattr(image, "n_frames", 1) == 1
