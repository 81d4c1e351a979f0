"""Uploaded documents: photos or PDFs of signed paper records (meeting minutes, recruitment
documents). The checks every app applies before it stores one, in one place.

The client's file name is reduced to its last part and its claimed content type is never
trusted: the type comes from the first bytes (JPEG, PNG, WebP — what phones send — or PDF only).
Sizes are refused before a file is read (:func:`refuse_oversized`) and again on the bytes
(:func:`check_upload`). Where a holder asks for it (``clean_images``: photos that may carry a
phone's location), an image is also decoded by Pillow — a file that only starts like an image,
is truncated, animated or has more than :data:`MAX_PIXELS` pixels is refused — and stored
re-encoded in its own format without its metadata (EXIF with the GPS position, XMP, comments;
the EXIF orientation is applied first, the colour profile kept): :func:`clean_image`.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

#: the largest file accepted, in bytes
MAX_BYTES = 5 * 1024 * 1024

#: magic bytes → content type
_MAGIC = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
]
WEBP = "image/webp"
#: the content types an attachment can have (and is downloaded with)
CONTENT_TYPES = (*(content_type for _magic, content_type in _MAGIC), WEBP)
#: the image types among them, with Pillow's name of each format
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", WEBP: "WEBP"}
#: short video clips (an inspection's 暗访 footage), accepted only where a holder asks for them
#: (``allow_video``): MP4 and QuickTime, told by the ISO media ``ftyp`` box, up to
#: :data:`MAX_VIDEO_BYTES`; an image in the same container (HEIC, AVIF) is not a video
MP4, QUICKTIME = "video/mp4", "video/quicktime"
VIDEO_TYPES = (MP4, QUICKTIME)
MAX_VIDEO_BYTES = 30 * 1024 * 1024
_STILL_BRANDS = {b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis"}
#: the most pixels a cleaned image may have (a 50-megapixel phone photo; Pillow's own bomb
#: limit is about 89 million)
MAX_PIXELS = 50_000_000


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` by its first bytes, or ``None`` if not JPEG, PNG, WebP
    (``RIFF`` size ``WEBP``) or PDF."""
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if len(data) >= 16 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def sniff_video(data: bytes) -> str | None:
    """``video/mp4`` or ``video/quicktime`` when ``data`` starts with an ISO media ``ftyp`` box
    of a video brand, else ``None``."""
    if len(data) < 12 or data[4:8] != b"ftyp":
        return None
    brand = data[8:12]
    if brand in _STILL_BRANDS:
        return None
    return QUICKTIME if brand == b"qt  " else MP4


def _webp_lossless(data: bytes) -> bool:
    """Whether a WebP file's image is lossless (a ``VP8L`` chunk rather than ``VP8 ``)."""
    at = 12
    while at + 8 <= len(data):
        fourcc, size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
        if fourcc in (b"VP8L", b"VP8 "):
            return fourcc == b"VP8L"
        at += 8 + size + (size & 1)
    return False


def clean_image(name: str, data: bytes, content_type: str) -> tuple[bytes | None, str | None]:
    """``data`` (an image of ``content_type``) decoded by Pillow and re-encoded in the same
    format without metadata, or ``None`` and the Chinese problem. JPEG keeps its quantization
    tables and subsampling unless the EXIF orientation had to be applied (and of a phone's
    multi-image JPEG, MPO, the first image: the photo); PNG and a lossless WebP
    stay lossless; a lossy WebP is re-encoded at quality 90."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = IMAGE_FORMATS[content_type]
    broken = f"文件“{name}”不是完整的图片，无法打开（可能已损坏或只有文件头）"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            if width * height > MAX_PIXELS:
                return None, (
                    f"图片“{name}”太大（{width}×{height} 像素），最多 {MAX_PIXELS // 1_000_000} "
                    "百万像素"
                )
            # a phone's JPEG may carry more images (MPO: a depth map, an HDR gain map): the first
            # is the photo; an animated PNG or WebP is not a photo
            if fmt != "JPEG" and getattr(image, "n_frames", 1) > 1:
                return None, f"图片“{name}”是动图，请上传照片"
            image.load()
            orientation = image.getexif().get(0x0112, 1)
            icc = image.info.get("icc_profile")
            options: dict[str, Any] = {"icc_profile": icc} if icc else {}
            if orientation in range(2, 9):
                image = ImageOps.exif_transpose(image)
                if fmt == "JPEG":
                    options["quality"] = 90
            elif fmt == "JPEG":
                # the photo's own quantization and subsampling ("keep", which Pillow allows for
                # a plain JPEG only, not for the first image of an MPO)
                from PIL import JpegImagePlugin

                options.update(qtables=getattr(image, "quantization", None) or None, comment=b"")
                sampling = JpegImagePlugin.get_sampling(image)
                if sampling != -1:
                    options["subsampling"] = sampling
            if fmt == "WEBP" and _webp_lossless(data):
                options["lossless"] = True
            elif fmt == "WEBP":
                options["quality"] = 90
            out = io.BytesIO()
            image.save(out, fmt, **options)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        return None, broken
    return out.getvalue(), None


def _too_big(name: str, max_bytes: int, size: int | None = None) -> str:
    actual = f"（{size / 1024 / 1024:.1f} MB）" if size is not None else ""
    return f"文件“{name}”过大{actual}，每个附件最大 {max_bytes // 1024 // 1024} MB"


def refuse_oversized(files: Iterable[Any], *, max_bytes: int = MAX_BYTES) -> None:
    """Raise ``ValidationError`` (field ``file``) for the first uploaded file whose declared size
    is over ``max_bytes``, before anything is read into memory."""
    for upload in files:
        if upload.size is not None and upload.size > max_bytes:
            raise ValidationError({"file": [_too_big(upload.name or "", max_bytes)]})


@dataclass(frozen=True)
class Upload:
    """A checked file, ready to store."""

    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def check_upload(
    name: str,
    data: bytes,
    *,
    default_name: str,
    existing: int,
    max_count: int,
    per: str,
    max_bytes: int = MAX_BYTES,
    clean_images: bool = False,
    allow_video: bool = False,
) -> tuple[Upload | None, list[str]]:
    """The checked file, or ``None`` and the Chinese problems: empty, too large, not
    JPEG/PNG/WebP/PDF, or ``existing`` files already at ``max_count`` (``per`` names the holder:
    "每条记录"). With ``clean_images`` an image is decoded and its metadata removed
    (:func:`clean_image`): the upload's bytes, size and digest are then those of the clean
    file. With ``allow_video`` an MP4 or QuickTime clip of up to :data:`MAX_VIDEO_BYTES` is
    accepted too."""
    name = os.path.basename((name or "").replace("\\", "/")).strip()[:200] or default_name
    problems: list[str] = []
    video = sniff_video(data) if allow_video and data else None
    limit = MAX_VIDEO_BYTES if video else max_bytes
    if not data:
        problems.append(f"文件“{name}”是空的")
    elif len(data) > limit:
        problems.append(_too_big(name, limit, len(data)))
    content_type = (sniff(data) or video) if data else None
    if data and content_type is None:
        problems.append(
            f"文件“{name}”不是 JPEG、PNG 图片、MP4 视频或 PDF 文件（也接受 WebP 图片、MOV 视频）"
            if allow_video
            else f"文件“{name}”不是 JPEG、PNG 图片或 PDF 文件（也接受 WebP 图片）"
        )
    if existing >= max_count:
        problems.append(f"{per}最多 {max_count} 个附件")
    if problems or content_type is None:
        return None, problems
    if clean_images and content_type in IMAGE_FORMATS:
        cleaned, problem = clean_image(name, data, content_type)
        if cleaned is None:
            return None, [problem or f"文件“{name}”无法打开"]
        data = cleaned
    return Upload(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data), []


# --- where an upload waits while it is read -------------------------------------------------------
# Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a named file in the temporary
# directory, which a crash (kill -9, OOM) leaves behind: for an import that is a plain copy of
# 100,000 ID numbers. These keep it in an anonymous file instead: on Linux created with O_TMPFILE
# (or unlinked as soon as it is opened), it has no name, and the system frees it when the process
# ends, however it ends. settings.FILE_UPLOAD_HANDLERS puts this handler after the in-memory one.


class AnonymousUploadedFile(UploadedFile):
    """An upload streamed to an anonymous temporary file (no path: nothing to leave behind)."""

    def __init__(
        self,
        name: str,
        content_type: str | None,
        size: int | None,
        charset: str | None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        from django.conf import settings

        file = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115 (closed with the upload)
        super().__init__(file, name, content_type, size, charset, content_type_extra)


class AnonymousFileUploadHandler(FileUploadHandler):
    """Stream an upload that does not fit in memory to an :class:`AnonymousUploadedFile`."""

    file: AnonymousUploadedFile

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = AnonymousUploadedFile(
            self.file_name or "upload", self.content_type, 0, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> AnonymousUploadedFile:
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()


#: names of the upload copies earlier versions wrote to the temporary directory (the imports'
#: ``mkstemp`` copies, the page's export folder, Django's named upload files of a table)
STALE_PATTERNS = (
    "dangjian-import-*",
    "dangjian-meetings-*",
    "dangjian-export-*",
    "tmp*.upload.csv",
    "tmp*.upload.xlsx",
)
#: a file younger than this may still be in use by a process of the older version
STALE_AFTER_SECONDS = 300


def remove_stale_uploads(
    directory: str | os.PathLike[str] | None = None, *, older_than: float = STALE_AFTER_SECONDS
) -> list[str]:
    """Delete the plain upload and export copies a crash left in the temporary directory (ours
    only: same owner, names of :data:`STALE_PATTERNS`, older than ``older_than`` seconds);
    returns the names removed. Run when the application starts."""
    import shutil
    import time
    from pathlib import Path

    folder = Path(directory or tempfile.gettempdir())
    limit = time.time() - older_than
    removed: list[str] = []
    for pattern in STALE_PATTERNS:
        for path in folder.glob(pattern):
            try:
                info = path.lstat()
                if info.st_uid != os.getuid() or info.st_mtime > limit:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue  # gone meanwhile, or not ours to remove
            removed.append(path.name)
    return removed
