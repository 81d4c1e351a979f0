"""A small A4 PDF document builder with Chinese text (ledgers, bulletins, case exports).

Usage::

    doc = PdfDocument(title="2026年 组织生活台账", subtitle="第一党支部")
    doc.heading("一月")
    doc.paragraph("本月共 3 次组织生活。")
    doc.table(["日期", "类型", "主题"], rows, widths=[1, 1, 3])
    data: bytes = doc.render()

Blocks are added in order and laid out by reportlab's platypus: long text wraps (Chinese is
broken between any two characters), a table that runs over a page break repeats its header row,
and every page carries "第 N 页 / 共 M 页" at the foot.

Font: when the setting ``DANGJIAN_PDF_FONT`` (or the ``font_path`` argument) names a TrueType
file (.ttf, or .ttc with ``DANGJIAN_PDF_FONT_INDEX``) with glyf outlines, it is embedded as a
subset, so the PDF shows the same on every reader. Otherwise (no setting, a missing file, or a
font with PostScript/CFF outlines that reportlab cannot embed) the built-in CID font
``STSong-Light`` is used: it needs no file, and readers substitute a local 宋体 for it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

log = logging.getLogger(__name__)

#: the built-in Adobe CID font for simplified Chinese (no font file needed)
CID_FONT = "STSong-Light"
_MARGIN = 15 * mm
_registered: dict[tuple[str, int], str] = {}
_unusable: set[tuple[str, int]] = set()


def pdf_font(font_path: str | None = None, subfont_index: int | None = None) -> str:
    """Register and return the name of the font to use (see the module docstring)."""
    path = font_path if font_path is not None else getattr(settings, "DANGJIAN_PDF_FONT", "")
    index = (
        subfont_index
        if subfont_index is not None
        else int(getattr(settings, "DANGJIAN_PDF_FONT_INDEX", 0) or 0)
    )
    if path:
        key = (str(path), index)
        if key in _registered:
            return _registered[key]
        if key not in _unusable:
            name = f"DJFont{len(_registered) + 1}"
            try:
                pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
            except (TTFError, OSError) as exc:
                _unusable.add(key)
                log.warning("PDF font %s not usable (%s); using %s", path, exc, CID_FONT)
            else:
                _registered[key] = name
                return name
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _markup(value: Any) -> str:
    """Plain text (any value) as Paragraph markup: escaped, newlines kept."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return escape(str(value)).replace("\n", "<br/>")


class _NumberedCanvas(Canvas):
    """A canvas that defers pages so the footer can say "第 N 页 / 共 M 页"."""

    font_name = CID_FONT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab API name
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            width = float(self._pagesize[0])  # type: ignore[attr-defined]
            number = self.getPageNumber()
            self.setFont(self.font_name, 9)
            self.drawCentredString(width / 2, 8 * mm, f"第 {number} 页 / 共 {total} 页")
            super().showPage()
        super().save()


class PdfDocument:
    """Collects headings, paragraphs and tables; :meth:`render` returns the PDF bytes."""

    def __init__(
        self,
        title: str,
        *,
        subtitle: str = "",
        landscape_pages: bool = False,
        font_path: str | None = None,
        author: str = "",
    ) -> None:
        self.title = title
        self.author = author
        self.pagesize = landscape(A4) if landscape_pages else A4
        self.font = pdf_font(font_path)
        self.story: list[Flowable] = []
        self.styles = {
            "title": ParagraphStyle(
                "title", fontName=self.font, fontSize=18, leading=24, alignment=TA_CENTER
            ),
            "subtitle": ParagraphStyle(
                "subtitle", fontName=self.font, fontSize=11, leading=16, alignment=TA_CENTER
            ),
            "h1": ParagraphStyle(
                "h1",
                fontName=self.font,
                fontSize=14,
                leading=20,
                spaceBefore=8,
                spaceAfter=4,
                keepWithNext=1,
            ),
            "h2": ParagraphStyle(
                "h2",
                fontName=self.font,
                fontSize=12,
                leading=17,
                spaceBefore=6,
                spaceAfter=3,
                keepWithNext=1,
            ),
            "body": ParagraphStyle(
                "body", fontName=self.font, fontSize=10.5, leading=16, spaceAfter=4
            ),
            "cell": ParagraphStyle("cell", fontName=self.font, fontSize=9, leading=12),
            "head": ParagraphStyle("head", fontName=self.font, fontSize=9, leading=12),
        }
        for style in self.styles.values():
            style.wordWrap = "CJK"
        self.story.append(Paragraph(_markup(title), self.styles["title"]))
        if subtitle:
            self.story.append(Paragraph(_markup(subtitle), self.styles["subtitle"]))
        self.story.append(Spacer(1, 4 * mm))

    @property
    def frame_width(self) -> float:
        """The usable width of a page in points."""
        return float(self.pagesize[0] - 2 * _MARGIN)

    def heading(self, text: str, level: int = 1) -> PdfDocument:
        """A section heading (level 1 or 2)."""
        style = self.styles["h1" if level <= 1 else "h2"]
        self.story.append(Paragraph(_markup(text), style))
        return self

    def paragraph(self, text: Any) -> PdfDocument:
        """A paragraph of plain text; newlines are kept as line breaks."""
        self.story.append(Paragraph(_markup(text), self.styles["body"]))
        return self

    def spacer(self, height_mm: float = 4) -> PdfDocument:
        self.story.append(Spacer(1, height_mm * mm))
        return self

    def page_break(self) -> PdfDocument:
        self.story.append(PageBreak())
        return self

    def table(
        self,
        headers: Sequence[Any],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float] | None = None,
    ) -> PdfDocument:
        """A table with a header row that repeats after every page break; cells wrap.

        ``widths`` are relative weights (e.g. ``[1, 1, 3]``) spread over the page width; by
        default the columns are equal. Row values may be any type (dates print as ISO dates,
        ``None`` as empty).
        """
        count = len(headers)
        if count == 0:
            raise ValueError("a table needs at least one column")
        weights = list(widths) if widths else [1.0] * count
        if len(weights) != count:
            raise ValueError("widths must have one entry per column")
        total = float(sum(weights))
        col_widths = [self.frame_width * weight / total for weight in weights]
        data: list[list[Flowable]] = [[Paragraph(_markup(h), self.styles["head"]) for h in headers]]
        for row in rows:
            cells = list(row)
            if len(cells) != count:
                raise ValueError("every row must have one value per column")
            data.append([Paragraph(_markup(c), self.styles["cell"]) for c in cells])
        table = Table(data, colWidths=col_widths, repeatRows=1, splitByRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e3e3")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 3 * mm))
        return self

    def render(self) -> bytes:
        """Lay out every block and return the PDF file as bytes."""
        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=_MARGIN,
            rightMargin=_MARGIN,
            topMargin=_MARGIN,
            bottomMargin=_MARGIN + 4 * mm,
            title=self.title,
            author=self.author,
            creator="dangjian",
        )
        font = self.font

        class _Canvas(_NumberedCanvas):
            font_name = font

        template.build(list(self.story), canvasmaker=_Canvas)
        return buffer.getvalue()
