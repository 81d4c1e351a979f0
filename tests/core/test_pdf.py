"""The PDF builder: a valid A4 file, Chinese text encoded for the font, repeated table headers."""

from __future__ import annotations

import base64
import re
import zlib
from pathlib import Path

import pytest

from dangjian.core import pdf
from dangjian.core.pdf import CID_FONT, PdfDocument

TTF_WITH_GLYF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CFF_ONLY = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def streams(data: bytes) -> list[bytes]:
    """Every stream of the file, inflated when it is Flate-compressed."""
    out = []
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)\s*endstream", data, re.S):
        header, body = match.group(1), match.group(2)
        if b"ASCII85Decode" in header:
            body = base64.a85decode(body.strip().removesuffix(b"~>"))
        if b"FlateDecode" in header:
            try:
                body = zlib.decompress(body)
            except zlib.error:
                continue
        out.append(body)
    return out


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def literal_strings(stream: bytes) -> list[bytes]:
    """The literal strings ``( ... )`` of a content stream, escapes resolved."""
    out: list[bytes] = []
    i, n = 0, len(stream)
    while i < n:
        if stream[i : i + 1] != b"(":
            i += 1
            continue
        depth, i, buf = 1, i + 1, bytearray()
        while i < n and depth:
            ch = stream[i : i + 1]
            if ch == b"\\":
                nxt = stream[i + 1 : i + 2]
                if nxt.isdigit():
                    octal = re.match(rb"[0-7]{1,3}", stream[i + 1 : i + 4])
                    assert octal
                    buf.append(int(octal.group(0), 8) & 0xFF)
                    i += 1 + len(octal.group(0))
                    continue
                buf += _ESCAPES.get(nxt, nxt)
                i += 2
                continue
            if ch == b"(":
                depth += 1
            elif ch == b")":
                depth -= 1
                if not depth:
                    i += 1
                    break
            buf += ch
            i += 1
        out.append(bytes(buf))
    return out


def shown_text(data: bytes) -> str:
    """The text drawn in the CID font (UCS-2 big-endian), one string a line."""
    parts = []
    for stream in streams(data):
        for raw in literal_strings(stream):
            if len(raw) % 2 == 0:
                parts.append(raw.decode("utf-16-be", errors="replace"))
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def no_font_setting(settings):
    settings.DANGJIAN_PDF_FONT = ""


def test_minimal_document_is_a_pdf_with_chinese_in_the_cid_font():
    doc = PdfDocument(title="组织生活台账", subtitle="甲村党支部")
    doc.heading("一月").paragraph("本月召开支部党员大会一次。")
    data = doc.render()
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")
    assert page_count(data) == 1
    assert b"/STSong-Light" in data
    body = shown_text(data)
    for text in ("组织生活台账", "甲村党支部", "本月召开支部党员大会一次。"):
        assert text in body, text
    assert "第 1 页 / 共 1 页" in body
    # A4 portrait media box
    assert re.search(rb"/MediaBox \[\s*0 0 595\.27\d* 841\.88\d*\s*\]", data)


def test_long_table_repeats_its_header_on_every_page():
    rows = [[f"2026-01-{i % 28 + 1:02d}", "党课", f"学习党章第{i}讲"] for i in range(200)]
    data = PdfDocument(title="长表").table(["日期", "会议类型", "主题"], rows).render()
    pages = page_count(data)
    assert pages >= 3
    body = shown_text(data)
    # the header cell appears once per page, the last row is there, pages are numbered
    assert body.count("会议类型") == pages
    assert "学习党章第199讲" in body
    assert f"第 {pages} 页 / 共 {pages} 页" in body


def test_long_cell_text_wraps_instead_of_overflowing():
    long = "这是一段很长的会议记录内容" * 30
    data = PdfDocument(title="换行").table(["主题", "记录"], [["学习", long]], [1, 3]).render()
    body = shown_text(data)
    # wrapped: the text is split over several text lines, none carries the whole cell
    assert long not in body
    assert body.count("这是一段") >= 20


def test_escaping_and_values_of_any_type():
    import datetime as dt

    doc = PdfDocument(title="<b>标题</b> & 符号")
    doc.table(["日期", "人数", "空"], [[dt.date(2026, 12, 31), 7, None]])
    body = shown_text(doc.render())
    assert "<b>标题</b> & 符号" in body
    assert "2026-12-31" in body


def test_table_shape_errors_are_refused():
    doc = PdfDocument(title="t")
    with pytest.raises(ValueError):
        doc.table([], [])
    with pytest.raises(ValueError):
        doc.table(["a", "b"], [["1"]])
    with pytest.raises(ValueError):
        doc.table(["a", "b"], [["1", "2"]], widths=[1])


def test_landscape_pages():
    data = PdfDocument(title="横向", landscape_pages=True).render()
    assert re.search(rb"/MediaBox \[\s*0 0 841\.88\d* 595\.27\d*\s*\]", data)


@pytest.mark.skipif(not TTF_WITH_GLYF.exists(), reason="no TrueType font with glyf outlines")
def test_configured_truetype_font_is_embedded(settings):
    settings.DANGJIAN_PDF_FONT = str(TTF_WITH_GLYF)
    data = PdfDocument(title="Ledger 2026").paragraph("abc").render()
    assert b"/FontFile2" in data  # an embedded TrueType program
    assert b"STSong-Light" not in data
    assert b"DejaVuSans" in data


def test_unusable_font_falls_back_to_the_cid_font(settings, tmp_path):
    settings.DANGJIAN_PDF_FONT = str(tmp_path / "missing.ttf")
    assert pdf.pdf_font() == CID_FONT
    if CFF_ONLY.exists():  # PostScript outlines cannot be embedded by reportlab
        assert pdf.pdf_font(str(CFF_ONLY)) == CID_FONT
    data = PdfDocument(title="回退字体").render()
    assert b"/STSong-Light" in data
    assert "回退字体" in shown_text(data)
