"""No plain copy of an upload or an export on disk: a crash (simulated at the moment of the
import or export, when a kill -9 would strike) leaves no file holding an ID number, and copies
an earlier version left behind are removed when the application starts."""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.exchange import exporters, members_import

from .helpers import member_row, members_file

INDEX = reverse("exchange:index")


@pytest.fixture
def temp_dirs(tmp_path, settings, monkeypatch):
    """Every temporary file of the request goes under ``tmp_path``, and uploads go to disk."""
    for name in ("tmp", "uploads"):
        (tmp_path / name).mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64  # a real import is larger than the memory limit
    return tmp_path


def _contents(data: bytes) -> list[bytes]:
    """``data``, and when it is a zip (an .xlsx) the bytes of its members too."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [data]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [data, *(archive.read(name) for name in archive.namelist())]


def files_holding(root: Path, secret: str) -> list[str]:
    """The files under ``root`` whose bytes (unzipped) contain ``secret`` (as UTF-8)."""
    needle = secret.encode()
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            try:
                if any(needle in part for part in _contents(path.read_bytes())):
                    found.append(str(path.relative_to(root)))
            except (OSError, zipfile.BadZipFile):
                continue
    return found


class Crash(Exception):
    pass


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_crash_during_a_web_import_leaves_no_id_number_on_disk(
    tree, temp_dirs, monkeypatch, login, ext
):
    rows = [member_row("BA001", name=f"导入{i}") for i in range(3)]
    source = members_file(temp_dirs / f"upload.{ext}", rows)
    upload = SimpleUploadedFile(source.name, source.read_bytes())
    source.unlink()
    number = rows[1]["公民身份号码"]
    on_disk: list[list[str]] = []

    def crash(*args, **kwargs):
        on_disk.append(files_holding(temp_dirs, number))  # what a kill -9 now would leave
        raise Crash

    monkeypatch.setattr(members_import, "_load_members", crash)
    with pytest.raises(Crash):
        login(tree["admin_a"]).post(INDEX, {"kind": "members", "file": upload})
    assert on_disk == [[]]
    assert files_holding(temp_dirs, number) == []


def test_crash_during_a_web_export_leaves_no_id_number_on_disk(tree, temp_dirs, monkeypatch, login):
    number = tree["members_a"][0].id_number()
    on_disk: list[list[str]] = []

    def crash(**kwargs):
        on_disk.append(files_holding(temp_dirs, number))
        raise Crash

    monkeypatch.setattr(exporters, "audit_record", crash)
    with pytest.raises(Crash):
        login(tree["admin_a"]).post(reverse("exchange:export", args=["members", "csv"]))
    assert on_disk == [[]]


def test_stale_copies_are_removed_when_the_application_starts(tmp_path, monkeypatch):
    from dangjian.core.uploads import remove_stale_uploads

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = time.time() - 3600
    left = [
        tmp_path / "dangjian-import-abc123.csv",
        tmp_path / "dangjian-meetings-x1.xlsx",
        tmp_path / "tmpq1w2e3.upload.csv",
    ]
    folder = tmp_path / "dangjian-export-zz9"
    folder.mkdir()
    (folder / "党员名册.csv").write_text("110101199001011234")
    for path in left:
        path.write_text("110101199001011234")
    fresh = tmp_path / "dangjian-import-now.csv"  # may be an import still running elsewhere
    fresh.write_text("x")
    other = tmp_path / "report.csv"  # not ours
    other.write_text("x")
    for path in [*left, folder, other]:
        os.utime(path, (old, old))
    os.utime(fresh, (time.time() - 10, time.time() - 10))
    apps.get_app_config("exchange").ready()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangjian-import-now.csv", "report.csv"]
    assert remove_stale_uploads(tmp_path, older_than=5) == ["dangjian-import-now.csv"]
