"""The PDF builder: a valid A4 file, repeated table headers, and every character drawn with a
real glyph from a font embedded in the file — checked by extracting the text back (pypdf) from
plain documents and from the three real exports: a 台账, a recruitment case record and a
晾晒通报."""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest
from pypdf import PdfReader

from dangjian.core import pdf
from dangjian.core.pdf import CID_FONT, PdfDocument

TTF_WITH_GLYF = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#: what used to show as empty boxes or is easy to lose: the middle dot of names, full-width
#: punctuation, rare surname characters (㛃 is in CJK Extension A), digits and letters
HARD = "买买提·艾力 郭㛃 王堃 ，。；：？！“”‘’（）《》【】、——……％＋ 0123456789 ABCxyz"
REQUIRED = os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1"  # CI installs fonts-noto-cjk

needs_cjk_font = pytest.mark.skipif(
    not pdf.font_files("") and not REQUIRED,
    reason="no Chinese font installed (apt-get install fonts-noto-cjk)",
)


def text_of(data: bytes) -> str:
    """The text of every page, as a reader's copy and paste would give it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


#: tests/life/test_ledger.py reads PDFs with this name
shown_text = text_of


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def fonts_of(data: bytes) -> dict[str, str]:
    """Base font name → how it is carried (FontFile2: an embedded TrueType program; "" for a
    font the reader must supply, such as the CID font)."""
    out: dict[str, str] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            base = str(font.get("/BaseFont"))
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            carried = ""
            if descriptor is not None:
                descriptor = descriptor.get_object()
                carried = next((k for k in ("/FontFile2", "/FontFile3") if k in descriptor), "")
            out[base] = carried
    return out


@pytest.fixture(autouse=True)
def no_font_setting(settings):
    settings.DANGJIAN_PDF_FONT = ""
    settings.DANGJIAN_PDF_FONT_INDEX = 0


def test_minimal_document_is_an_a4_pdf():
    doc = PdfDocument(title="组织生活台账", subtitle="甲村党支部")
    doc.heading("一月").paragraph("本月召开支部党员大会一次。")
    data = doc.render()
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")
    assert page_count(data) == 1
    body = text_of(data)
    for text in ("组织生活台账", "甲村党支部", "本月召开支部党员大会一次。", "第 1 页 / 共 1 页"):
        assert text in body, text
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@needs_cjk_font
def test_every_character_comes_back_from_an_embedded_font():
    doc = PdfDocument(title="发展党员记实 · 王堃", subtitle="滨河区·第三党支部")
    doc.paragraph(HARD)
    doc.table(["姓名", "说明"], [["郭㛃", "（第 1 步）递交入党申请书；2026-01-02"]])
    data = doc.render()
    body = text_of(data)
    for part in [*HARD.split(), "发展党员记实 · 王堃", "滨河区·第三党支部", "郭㛃"]:
        assert part in body, part
    assert "（第 1 步）递交入党申请书；2026-01-02" in body
    assert "〓" not in body and "・" not in body  # nothing replaced
    fonts = fonts_of(data)
    assert fonts and all(carried == "/FontFile2" for carried in fonts.values()), fonts
    assert CID_FONT not in str(fonts)


@needs_cjk_font
def test_the_converted_font_has_an_outline_for_each_character():
    """Extraction alone cannot tell a real glyph from an empty box: look at the outlines."""
    from fontTools.ttLib import TTFont

    source = pdf.font_files("")[0]
    chars = set(HARD.replace(" ", ""))
    font = TTFont(io.BytesIO(pdf.cff_subset(source, chars)) if source.cff else source.path)
    cmap = font.getBestCmap()
    glyf = font["glyf"]
    for char in chars:
        assert ord(char) in cmap, char
        glyph = glyf[cmap[ord(char)]]
        assert glyph.numberOfContours != 0, char  # drawn, not blank


@needs_cjk_font
def test_a_character_no_font_has_is_drawn_as_the_missing_sign():
    data = PdfDocument(title="生僻字").paragraph("张\U00020000三").render()  # Extension B
    assert "张〓三" in text_of(data)


def test_built_in_font_draws_the_middle_dot_it_lacks_as_its_own(settings):
    """STSong-Light's character map has no U+00B7: the record showed a box; now "・"."""
    settings.DANGJIAN_PDF_FONT = CID_FONT
    data = PdfDocument(title="记实 · 郭㛃").paragraph("买买提·艾力，（第 1 步）").render()
    assert fonts_of(data) == {"/STSong-Light": ""}
    assert not pdf.cid_covers("·") and pdf.cid_covers("・") and pdf.cid_covers("㛃")
    body = text_of(data)
    assert "买买提・艾力，（第 1 步）" in body and "记实 ・ 郭㛃" in body


def test_cid_coverage_is_adobe_unigb_ucs2():
    """The table of STSong-Light's characters is Adobe's UniGB-UCS2-H character map."""
    from pdfminer.cmapdb import CMapDB

    cmap = CMapDB.get_cmap("UniGB-UCS2-H")
    covered = set()
    for high, low_map in cmap.code2cid.items():  # type: ignore[attr-defined]
        if isinstance(low_map, dict):
            covered.update(high * 256 + low for low in low_map)
    for code in range(0x20, 0x10000):
        assert pdf.cid_covers(chr(code)) == (code in covered), hex(code)


@pytest.mark.skipif(not os.path.exists(TTF_WITH_GLYF), reason="no DejaVu Sans")
@needs_cjk_font
def test_configured_latin_font_takes_chinese_from_the_installed_one(settings):
    settings.DANGJIAN_PDF_FONT = TTF_WITH_GLYF
    data = PdfDocument(title="Ledger 2026").paragraph("abc 组织生活·台账").render()
    fonts = fonts_of(data)
    assert any("DejaVuSans" in name for name in fonts), fonts
    assert len(fonts) == 2 and set(fonts.values()) == {"/FontFile2"}
    assert "Ledger 2026" in text_of(data) and "abc 组织生活·台账" in text_of(data)


@pytest.mark.skipif(not os.path.exists(NOTO), reason="fonts-noto-cjk is not installed")
def test_configured_collection_with_cff_outlines_is_converted(settings):
    settings.DANGJIAN_PDF_FONT = NOTO
    settings.DANGJIAN_PDF_FONT_INDEX = 2  # Noto Sans CJK SC
    data = PdfDocument(title="台账·㛃").render()
    assert "台账·㛃" in text_of(data)
    assert set(fonts_of(data).values()) == {"/FontFile2"}


def test_unusable_font_setting_falls_back(settings, tmp_path, caplog):
    settings.DANGJIAN_PDF_FONT = str(tmp_path / "missing.ttf")
    data = PdfDocument(title="回退字体").render()
    assert "回退字体" in text_of(data)
    assert "missing.ttf" in caplog.text
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    settings.DANGJIAN_PDF_FONT = str(bad)
    assert "回退字体" in text_of(PdfDocument(title="回退字体").render())


@needs_cjk_font
def test_documents_leave_no_fonts_behind():
    from reportlab.pdfbase import pdfmetrics

    PdfDocument(title="预热").render()
    before = len(pdfmetrics.getRegisteredFontNames())
    for i in range(3):
        PdfDocument(title=f"第{i}份").paragraph("内容不同的文件" * (i + 1)).render()
    assert len(pdfmetrics.getRegisteredFontNames()) == before


def test_long_table_repeats_its_header_on_every_page():
    rows = [[f"2026-01-{i % 28 + 1:02d}", "党课", f"学习党章第{i}讲"] for i in range(200)]
    data = PdfDocument(title="长表").table(["日期", "会议类型", "主题"], rows).render()
    pages = page_count(data)
    assert pages >= 3
    body = text_of(data)
    # the header cell appears once per page, the last row is there, pages are numbered
    assert body.count("会议类型") == pages
    assert "学习党章第199讲" in body
    assert f"第 {pages} 页 / 共 {pages} 页" in body


def test_long_cell_text_wraps_instead_of_overflowing():
    long = "这是一段很长的会议记录内容" * 30
    data = PdfDocument(title="换行").table(["主题", "记录"], [["学习", long]], [1, 3]).render()
    body = text_of(data)
    lines = [line for line in body.splitlines() if "会议记录" in line]
    assert len(lines) >= 10 and long not in body  # wrapped over many lines


def test_escaping_and_values_of_any_type():
    doc = PdfDocument(title="<b>标题</b> & 符号")
    doc.table(["日期", "人数", "空"], [[dt.date(2026, 12, 31), 7, None]])
    body = text_of(doc.render())
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
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


# --- the three exports ------------------------------------------------------------------------


def _assert_hard_text(body: str, *parts: str) -> None:
    flat = re.sub(r"\s*\n\s*", "", body)  # a table cell wraps its text over several lines
    for part in parts:
        assert part in flat, part
    assert "〓" not in body
    assert re.search(r"\d{4}-\d{2}-\d{2}", body)  # digits of dates


@needs_cjk_font
@pytest.mark.django_db
def test_ledger_pdf_renders_names_punctuation_and_digits(tree, tmp_path):
    from dangjian.life.ledger import export_ledger
    from tests.factories import make_member
    from tests.life.helpers import attend, meet

    member = make_member(tree["branch_a"], name="郭㛃")
    meeting = meet(
        tree["branch_a"],
        "支部党员大会",
        dt.date(2026, 3, 31),
        topic="学习《中国共产党章程》——第一讲（春季·一）",
        minutes="到会 12 人，请假 1 人；讨论：“两学一做”！",
    )
    attend(meeting, member, False, "因公")  # one of the recorded reasons
    path = tmp_path / "台账.pdf"
    export_ledger(path, actor=tree["secretary_a"], code="BA001", year=2026)
    body = text_of(path.read_bytes())
    _assert_hard_text(
        body,
        "学习《中国共产党章程》——第一讲（春季·一）",
        "到会 12 人，请假 1 人；讨论：“两学一做”！",
        "郭㛃（因公）",
        "2026-03-31",
    )


@needs_cjk_font
@pytest.mark.django_db
def test_recruitment_record_pdf_renders_the_middle_dot_and_rare_names(tree):
    from dangjian.recruit.export import export_case
    from tests.recruit.helpers import open_case

    case = open_case(tree["branch_a"], dt.date(2026, 5, 6), name="阿依古丽·王堃")
    data = export_case(actor=tree["admin_a"], case=case, fmt="pdf")
    body = text_of(data)
    _assert_hard_text(body, "阿依古丽·王堃", f"{case.case_no}", "2026-05-06", " · ")


@needs_cjk_font
@pytest.mark.django_db
def test_bulletin_pdf_renders_its_text(tree):
    from dangjian.orgs.models import Region
    from dangjian.rectify.bulletin import bulletin_build, export_pdf
    from tests.factories import make_org
    from tests.rectify.helpers import add_result, make_campaign

    Region.objects.create(code="120101001000", name="㛃堃镇")
    campaign = make_campaign(tree["root"], name="2025 年度“五好”党支部·星级评定（第一批）")
    for i, total in enumerate((96, 81.5, 52)):
        org = make_org(tree["town_a"], sector="农村", region_code=f"120101001{200 + i:03d}")
        add_result(campaign, org, total, tier="lagging" if total < 60 else "middle")
    body = text_of(export_pdf(bulletin_build(tree["admin"], campaign)))
    for part in ("2025 年度“五好”党支部·星级评定（第一批）", "㛃堃镇", "76.5"):
        assert part in body, part
    assert "〓" not in body
