"""A small A4 PDF document builder with Chinese text (ledgers, bulletins, case exports).

Usage::

    doc = PdfDocument(title="2026年 组织生活台账", subtitle="第一党支部")
    doc.heading("一月")
    doc.paragraph("本月共 3 次组织生活。")
    doc.table(["日期", "类型", "主题"], rows, widths=[1, 1, 3])
    data: bytes = doc.render()

Blocks are added in order and laid out by reportlab's platypus at :meth:`PdfDocument.render`:
long text wraps (Chinese is broken between any two characters), a table that runs over a page
break repeats its header row, and every page carries "第 N 页 / 共 M 页" at the foot.

Fonts — every character is drawn with a glyph, and the fonts travel inside the file:

1. the font named by the setting ``DANGJIAN_PDF_FONT`` (or the ``font_path`` argument): a
   .ttf/.otf, or a .ttc with ``DANGJIAN_PDF_FONT_INDEX``;
2. an installed Chinese font: Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC), else Noto Serif
   CJK, WenQuanYi, Droid Sans Fallback or AR PL UMing (:data:`SYSTEM_FONTS`);
3. the built-in CID font ``STSong-Light`` (no file; the reader substitutes a local 宋体).

Each character is drawn with the first of these that has a glyph for it, so a Latin font
configured in 1. still shows Chinese from 2. A font with TrueType (glyf) outlines is embedded
by reportlab as a subset. Noto CJK has PostScript (CFF) outlines, which reportlab cannot
embed: the characters a document uses are cut out of it with fontTools and their outlines
converted to TrueType quadratics (cu2qu), about 0.2 s for a page of text, and that small
font is embedded. Without fontTools only glyf fonts and the CID font are used.

A character that no font has is first drawn as an equivalent the fonts do have ("·" U+00B7 →
"・" U+30FB in STSong-Light, whose character map lacks the first; NFKC forms), else as "〓",
the sign Chinese typesetting uses for a missing character — never as an empty box.
"""

from __future__ import annotations

import functools
import io
import itertools
import logging
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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

from dangjian.core.spreadsheet import plain_text

log = logging.getLogger(__name__)

#: the built-in Adobe CID font for simplified Chinese (no font file needed)
CID_FONT = "STSong-Light"
#: installed Chinese fonts tried in order: (file, the face of a collection to use — by name)
SYSTEM_FONTS: list[tuple[str, str]] = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", ""),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", ""),
]
#: drawn for a character that no font has (the 'geta mark' of Chinese typesetting)
REPLACEMENT = "〓"
#: characters drawn as another one when the fonts lack them
EQUIVALENTS = {
    "·": "・",  # U+00B7 middle dot (names of minorities, 一·二九) → U+30FB
    "•": "・",
    "‧": "・",
    "∙": "・",
    "\u00a0": " ",
    "\t": " ",
}
#: what the page footer draws ("第 N 页 / 共 M 页")
FOOTER_CHARS = "第页共/ 0123456789"
_MARGIN = 15 * mm
#: code points of STSong-Light's character map (Adobe UniGB-UCS2-H), as ranges
_CID_RANGES = """
0020-007E 00A4-00A5 00A7-00A8 00B0-00B1 00D7 00E0-00E1 00E8-00EA 00EC-00ED 00F2-00F3 00F7
00F9-00FA 00FC 0101 0113 011B 012B 014D 016B 01CE 01D0 01D2 01D4 01D6 01D8 01DA 01DC 01F9 02C7
02C9-02CB 02D9 0391-03A1 03A3-03A9 03B1-03C1 03C3-03C9 0401 0410-044F 0451 1E3F 2010 2013-2016
2018-2019 201C-201D 2025-2026 2030 2032-2033 2035 203B 20AC 2103 2105 2109 2116 2121 2160-216B
2170-2179 2190-2193 2196-2199 2208 220F 2211 2215 221A 221D-2220 2223 2225 2227-222B 222E
2234-2237 223D 2248 224C 2252 2260-2261 2264-2267 226E-226F 2295 2299 22A5 22BF 22EF 2312
2460-2469 2474-249B 2500-254B 2550-2573 2581-258F 2593-2595 25A0-25A1 25B2-25B3 25BC-25BD
25C6-25C7 25CB 25CE-25CF 25E2-25E5 2605-2606 2609 2640 2642 2E80-2E99 2E9B-2EF3 2F00-2FD5
2FF0-2FFB 3000-3003 3005-3017 301D-301E 3021-3029 3033-3035 3038-303A 303E-303F 3041-3094
309B-309E 30A1-30FE 3105-312C 31A0-31B7 3220-3229 3231 32A3 338E-338F 339C-339E 33A1 33C4 33CE
33D1-33D2 33D5 3400-4DB5 4E00-9FA5 E816-E818 E81E E826 E82B-E82C E831-E832 E83B E843 E854-E855
E864 F92C FA0D-FA0F FA11 FA13-FA14 FA18 FA1F-FA21 FA23-FA24 FA27-FA29 FE30 FE49-FE52 FE54-FE57
FE59-FE66 FE68-FE6B FF01-FF5E FFE0-FFE5
"""
_names = itertools.count(1)


def _ranges(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for item in text.split():
        low, _, high = item.partition("-")
        out.append((int(low, 16), int(high or low, 16)))
    return tuple(out)


CID_COVERAGE = _ranges(_CID_RANGES)


def cid_covers(char: str) -> bool:
    """Whether STSong-Light's character map has ``char``."""
    code = ord(char)
    return any(low <= code <= high for low, high in CID_COVERAGE)


def _fonttools() -> Any:
    try:
        import fontTools.ttLib
    except ImportError:  # pragma: no cover - fonttools is a dependency; degrade without it
        return None
    return fontTools.ttLib


@dataclass(frozen=True)
class FontFile:
    """One face of a font file, what outlines it has and the characters it has glyphs for."""

    path: str
    index: int
    cff: bool  # PostScript outlines: embedded after conversion (needs fontTools)
    chars: frozenset[int] = field(repr=False, compare=False)

    def covers(self, char: str) -> bool:
        return ord(char) in self.chars


@functools.lru_cache(maxsize=16)
def font_file(path: str, index: int = -1, face: str = "") -> FontFile | None:
    """Inspect a font file (``index`` of a collection, or the face named ``face``, or the
    first); ``None`` when it is missing or unusable."""
    if not Path(path).is_file():
        return None
    tt = _fonttools()
    if tt is None:
        return _font_file_reportlab(path, max(index, 0))
    try:
        if path.lower().endswith((".ttc", ".otc")):
            collection = tt.TTCollection(path, lazy=True)
            faces = [str(f["name"].getDebugName(4) or "") for f in collection.fonts]
            if index < 0:
                index = next((i for i, n in enumerate(faces) if face and face in n), 0)
            if index >= len(faces):
                return None
            font = collection.fonts[index]
        else:
            index = max(index, 0)
            font = tt.TTFont(path, lazy=True)
        cff = "CFF " in font or "CFF2" in font
        if not cff and "glyf" not in font:
            return None
        return FontFile(path, index, cff, frozenset(font.getBestCmap() or {}))
    except Exception as exc:  # a damaged or foreign file: say so, use the next font
        log.warning("PDF font %s (%s) not usable: %s", path, index, exc)
        return None


def _font_file_reportlab(path: str, index: int) -> FontFile | None:
    """Without fontTools: a glyf font read by reportlab itself (CFF fonts are refused)."""
    try:
        face = TTFont(f"DJProbe{next(_names)}", path, subfontIndex=index).face
    except (TTFError, OSError) as exc:
        log.warning("PDF font %s not usable (%s)", path, exc)
        return None
    return FontFile(path, index, False, frozenset(face.charToGlyph))


def font_files(font_path: str | None = None, subfont_index: int | None = None) -> list[FontFile]:
    """The font files to draw with, in order: the configured one, then an installed Chinese
    font (the CID font follows them all). A CFF font is usable only with fontTools."""
    configured = font_path if font_path is not None else getattr(settings, "DANGJIAN_PDF_FONT", "")
    index = (
        subfont_index
        if subfont_index is not None
        else int(getattr(settings, "DANGJIAN_PDF_FONT_INDEX", 0) or 0)
    )
    out: list[FontFile] = []
    usable_cff = _fonttools() is not None
    if configured and configured != CID_FONT:
        found = font_file(str(configured), index)
        if found is None:
            log.warning("PDF font %s not found or not usable; using the next font", configured)
        elif found.cff and not usable_cff:
            log.warning("PDF font %s has CFF outlines and fontTools is missing", configured)
        else:
            out.append(found)
    if configured == CID_FONT:
        return out  # the built-in font was asked for explicitly
    for path, face in SYSTEM_FONTS:
        found = font_file(path, -1, face)
        if found is not None and (usable_cff or not found.cff):
            out.append(found)
            break
    return out


def pdf_font(font_path: str | None = None, subfont_index: int | None = None) -> str:
    """The file of the main font documents use, or :data:`CID_FONT` when none is usable."""
    files = font_files(font_path, subfont_index)
    return files[0].path if files else CID_FONT


# --- turning a font file into a reportlab font ---------------------------------------------


@functools.lru_cache(maxsize=8)
def _registered_glyf(path: str, index: int) -> str:
    """A glyf font registered once for the process (reportlab embeds the subset it uses)."""
    name = f"DJFont{next(_names)}"
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return name


def cff_subset(font: FontFile, chars: Iterable[str]) -> bytes:
    """The glyphs of ``chars`` cut out of a CFF font and converted to TrueType outlines: a
    small .ttf reportlab can embed. Its PostScript name is unique, so reportlab never mixes
    up two documents' subsets of the same font."""
    tt = _fonttools()
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    source = tt.TTFont(font.path, fontNumber=font.index, lazy=True)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(chars))))
    subsetter.subset(source)

    order = source.getGlyphOrder()
    glyph_set = source.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    for table in ("CFF ", "CFF2", "VORG"):
        if table in source:
            del source[table]
    source["loca"] = tt.newTable("loca")
    glyf = source["glyf"] = tt.newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    maxp = source["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    source["head"].glyphDataFormat = 0
    post = source["post"]
    post.formatType = 3.0
    source.sfntVersion = "\x00\x01\x00\x00"
    unique = f"DJSubset{next(_names)}"
    source["name"].setName(unique, 6, 3, 1, 0x409)
    source["name"].setName(unique, 6, 1, 0, 0)
    out = io.BytesIO()
    source.save(out)
    return out.getvalue()


# --- the document ----------------------------------------------------------------------------


class _Fonts:
    """The fonts of one document: which font draws each character, as reportlab names."""

    def __init__(self, files: list[FontFile], text: str) -> None:
        self.files = files
        self._temporary: list[str] = []
        self._cid = False
        chars = set(text) | set(FOOTER_CHARS)
        self.char_font: dict[str, int] = {}  # character → index in files, len(files) for CID
        self.replaced: dict[str, str] = {}
        for char in sorted(chars):
            if char == "\n":
                continue
            slot = self._slot(char)
            if slot is None:
                for other in self._equivalents(char):
                    slot = self._slot(other)
                    if slot is not None:
                        self.replaced[char] = other
                        break
            if slot is None:
                self.replaced[char] = REPLACEMENT
                found = self._slot(REPLACEMENT)
                slot = len(files) if found is None else found
            self.char_font[self.replaced.get(char, char)] = slot
        used: dict[int, set[str]] = {}
        for char, slot in self.char_font.items():
            used.setdefault(slot, set()).add(char)
        self.names: dict[int, str] = {}
        for slot, drawn in sorted(used.items()):
            self.names[slot] = self._register(slot, drawn)
        # the footer is drawn in one font: the first that has all of it
        self.footer = next(
            (
                self.names[s]
                for s in sorted(self.names)
                if all(self._slot(c) == s or c == " " for c in FOOTER_CHARS)
            ),
            self.main,
        )

    def _slot(self, char: str) -> int | None:
        for i, font in enumerate(self.files):
            if font.covers(char):
                return i
        return len(self.files) if cid_covers(char) else None

    @staticmethod
    def _equivalents(char: str) -> list[str]:
        out = []
        if char in EQUIVALENTS:
            out.append(EQUIVALENTS[char])
        normal = unicodedata.normalize("NFKC", char)
        if len(normal) == 1 and normal != char:
            out.append(normal)
        return out

    def _register(self, slot: int, drawn: set[str]) -> str:
        if slot == len(self.files):
            if CID_FONT not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
            return CID_FONT
        font = self.files[slot]
        if not font.cff:
            return _registered_glyf(font.path, font.index)
        name = f"DJDoc{next(_names)}"
        ttf = TTFont(name, io.BytesIO(cff_subset(font, drawn | set(FOOTER_CHARS))))
        pdfmetrics.registerFont(ttf)
        self._temporary.append(name)
        return name

    @property
    def main(self) -> str:
        return self.names[min(self.names)] if self.names else CID_FONT

    def markup(self, text: str) -> str:
        """``text`` as Paragraph markup: escaped, each run in the font that has its glyphs."""
        lines = []
        main = self.main
        for line in text.split("\n"):
            runs: list[tuple[str, list[str]]] = []
            for char in line:
                char = self.replaced.get(char, char)
                name = self.names.get(self.char_font.get(char, -1), main)
                if runs and runs[-1][0] == name:
                    runs[-1][1].append(char)
                else:
                    runs.append((name, [char]))
            lines.append(
                "".join(
                    escape("".join(chars))
                    if name == main
                    else f'<font face="{name}">{escape("".join(chars))}</font>'
                    for name, chars in runs
                )
            )
        return "<br/>".join(lines)

    def release(self) -> None:
        """Forget the document's own subset fonts (the process keeps no per-document state)."""
        registry = getattr(pdfmetrics, "_fonts")  # reportlab has no public unregister  # noqa: B009
        faces = getattr(pdfmetrics, "_dynFaceNames")  # noqa: B009
        for name in self._temporary:
            font = registry.pop(name, None)
            if font is not None:
                faces.pop(font.face.name, None)
        self._temporary.clear()


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


Block = Callable[["_Fonts", dict[str, ParagraphStyle], float], list[Flowable]]


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
        self.font_path = font_path
        self._texts: list[str] = []
        self._blocks: list[Block] = []
        self._paragraph(title, "title")
        if subtitle:
            self._paragraph(subtitle, "subtitle")
        self.spacer(4)

    @property
    def frame_width(self) -> float:
        """The usable width of a page in points."""
        return float(self.pagesize[0] - 2 * _MARGIN)

    def _paragraph(self, value: Any, style: str) -> None:
        text = plain_text(value)
        self._texts.append(text)
        self._blocks.append(
            lambda fonts, styles, _w: [Paragraph(fonts.markup(text), styles[style])]
        )

    def heading(self, text: str, level: int = 1) -> PdfDocument:
        """A section heading (level 1 or 2)."""
        self._paragraph(text, "h1" if level <= 1 else "h2")
        return self

    def paragraph(self, text: Any) -> PdfDocument:
        """A paragraph of plain text; newlines are kept as line breaks."""
        self._paragraph(text, "body")
        return self

    def spacer(self, height_mm: float = 4) -> PdfDocument:
        self._blocks.append(lambda _f, _s, _w: [Spacer(1, height_mm * mm)])
        return self

    def page_break(self) -> PdfDocument:
        self._blocks.append(lambda _f, _s, _w: [PageBreak()])
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
        head = [plain_text(h) for h in headers]
        body = []
        for row in rows:
            cells = list(row)
            if len(cells) != count:
                raise ValueError("every row must have one value per column")
            body.append([plain_text(c) for c in cells])
        self._texts += head + [c for row in body for c in row]
        total = float(sum(weights))

        def build(fonts: _Fonts, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
            data = [[Paragraph(fonts.markup(h), styles["head"]) for h in head]]
            data += [[Paragraph(fonts.markup(c), styles["cell"]) for c in row] for row in body]
            table = Table(
                data, colWidths=[width * w / total for w in weights], repeatRows=1, splitByRow=1
            )
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), fonts.main),  # not Helvetica
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e3e3")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 3),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ]
                )
            )
            return [table, Spacer(1, 3 * mm)]

        self._blocks.append(build)
        return self

    def _styles(self, font: str) -> dict[str, ParagraphStyle]:
        def style(name: str, size: float, leading: float, **extra: Any) -> ParagraphStyle:
            return ParagraphStyle(
                name, fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **extra
            )

        return {
            "title": style("title", 18, 24, alignment=TA_CENTER),
            "subtitle": style("subtitle", 11, 16, alignment=TA_CENTER),
            "h1": style("h1", 14, 20, spaceBefore=8, spaceAfter=4, keepWithNext=1),
            "h2": style("h2", 12, 17, spaceBefore=6, spaceAfter=3, keepWithNext=1),
            "body": style("body", 10.5, 16, spaceAfter=4),
            "cell": style("cell", 9, 12),
            "head": style("head", 9, 12),
        }

    def render(self) -> bytes:
        """Choose the fonts for the text, lay out every block and return the PDF file."""
        fonts = _Fonts(font_files(self.font_path), "".join(self._texts))
        try:
            styles = self._styles(fonts.main)
            story: list[Flowable] = []
            for block in self._blocks:
                story += block(fonts, styles, self.frame_width)
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
                # start every page in the document's font, not in Helvetica (not embedded)
                initialFontName=fonts.footer,
            )
            footer = fonts.footer

            class _Canvas(_NumberedCanvas):
                font_name = footer

            template.build(story, canvasmaker=_Canvas)
            return buffer.getvalue()
        finally:
            fonts.release()
