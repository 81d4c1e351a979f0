"""What a user reads on a page or in an exported file, and the ASCII words in it that are not
allowed there (internal codes, English words, evidence keys …).

``visible_text(html)`` parses the page with an HTML parser (not regular expressions): the text of
the elements a browser shows, without script, style or attributes except the few that are shown
(a placeholder, the label of an ``<input type=submit>``). Each piece of text knows whether it is
inside a rule-id tag (``<span class="rule-id">``), the one element allowed to show a rule id, and
only beside a Chinese title.

``offences(text_pieces, allowed)`` lists each ASCII word that is not a number, a date, a code,
a unit in the allow-list, a user name, or a rule id in its tag.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: elements whose content is never shown
_HIDDEN = {"script", "style", "template", "noscript", "svg"}
#: elements that hold no end tag
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip

#: ASCII words a Chinese user reads as they are: file formats, units and the like
ALLOWED_WORDS = {"PDF", "Excel", "Word", "CSV", "KB", "MB", "GB", "A4", "UTF", "GeoJSON"}
#: file name extensions, allowed after their dot (".xlsx")
EXTENSIONS = {"xlsx", "csv", "docx", "pdf"}

CJK = re.compile(r"[\u3400-\u9fff]")
#: a run of ASCII letters, digits and joiners: one "word" as a user sees it
WORD = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-/:@+]*[A-Za-z0-9_])?")
#: organization codes (W0100001, B0100025, TA001), region and other numeric codes
CODE = re.compile(r"[A-Z]{1,4}\d{2,}(?:-\d+)*|\d+[A-Z]?(?:\.\d+)*")
#: opaque hexadecimal identifiers (request ids, digests)
HEX = re.compile(r"(?=[0-9a-f]*\d)[0-9a-f]{6,}")
#: a link shown for copying (the public survey address)
URL = re.compile(r"https?://\S+")
RULE_ID = re.compile(r"[A-Z]+(?:-[A-Z0-9]+)+")


@dataclass
class Piece:
    """A text node and where it stands."""

    text: str
    rule_tag: bool = False  # inside <span class="rule-id">
    titled: bool = False  # an <option> or a cell of a file: a rule id needs its title in it
    context: str = ""  # the text of the enclosing block, to judge a rule-id tag


@dataclass
class _Frame:
    tag: str
    classes: set[str]
    texts: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Frame] = []
        self.pieces: list[Piece] = []
        self.hidden = 0
        self.in_head = False
        self.in_title = False
        self._tags: list[tuple[Piece, _Frame]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "head":
            self.in_head = True
        if tag == "title":
            self.in_title = True
        if tag in _HIDDEN:
            self.hidden += 1
        if tag == "input" and (values.get("type") or "") in ("submit", "button", "reset"):
            self._add(values.get("value") or "")
        for shown in ("placeholder",):
            if values.get(shown):
                self._add(values[shown] or "")
        if tag not in _VOID:
            classes = set((values.get("class") or "").split())
            self.stack.append(_Frame(tag, classes))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "title":
            self.in_title = False
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        # close up to the matching element (tolerates unclosed <p>, <li> …)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.hidden or (self.in_head and not self.in_title) or not data.strip():
            return
        self._add(data)

    def _add(self, text: str) -> None:
        if not text.strip():
            return
        rule_tag = any("rule-id" in f.classes for f in self.stack)
        option = any(f.tag == "option" for f in self.stack)
        piece = Piece(text, rule_tag=rule_tag, titled=option)
        self.pieces.append(piece)
        for frame in self.stack:
            frame.texts.append(text)
        if rule_tag:
            # the block around the tag: the nearest ancestor that is not the tag itself
            holder = next((f for f in reversed(self.stack) if "rule-id" not in f.classes), None)
            if holder is not None:
                self._tags.append((piece, holder))

    def close(self) -> None:
        super().close()
        for piece, holder in self._tags:
            piece.context = "".join(holder.texts)


def visible_text(html: str) -> list[Piece]:
    """The pieces of text a browser shows for ``html``."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.pieces


def file_text(content: bytes, content_type: str) -> list[Piece]:
    """The text of an exported file (.xlsx, .docx, .pdf, .csv), one piece per cell/paragraph."""
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        pieces = []
        for sheet in book.worksheets:
            pieces.append(Piece(sheet.title))
            for row in sheet.iter_rows(values_only=True):
                pieces += [
                    Piece(str(v), titled=True) for v in row if isinstance(v, str) and v.strip()
                ]
        return pieces
    if "wordprocessingml" in content_type:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
        paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
        return [
            Piece(titled=True, text="".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)))
            for p in paragraphs
        ]
    if "pdf" in content_type:
        from pypdf import PdfReader

        # a page as one piece, its lines joined: a narrow cell wraps a rule id over lines
        reader = PdfReader(io.BytesIO(content))
        return [
            Piece(re.sub(r"\s*\n\s*", "", page.extract_text()), titled=True)
            for page in reader.pages
        ]
    if "csv" in content_type or "text/plain" in content_type:
        text = content.decode("utf-8-sig", errors="replace")
        return [Piece(line, titled=True) for line in text.splitlines()]
    return []


def _in_url(text: str, at: int) -> bool:
    return any(m.start() <= at < m.end() for m in URL.finditer(text))


def _allowed_part(text: str, start: int, part: str, names: set[str]) -> bool:
    """A part of a word that may stand: a number, code, allowed word, name, or extension."""
    if not re.search(r"[A-Za-z]", part):
        return True  # numbers, dates, times
    if part in ALLOWED_WORDS or part in names or CODE.fullmatch(part) or HEX.fullmatch(part):
        return True
    return part in EXTENSIONS and text[max(0, start - 1) : start] == "."


def offences(pieces: Iterable[Piece], *, names: set[str], rule_titles: dict[str, str]) -> list[str]:
    """The ASCII words users should not see, each with a little of its text around it.

    ``names``: words allowed because they are data (user names, organization codes …);
    ``rule_titles``: rule id → Chinese title. A word joined by "-", "." or "/" (a file name
    such as 党员名册-W0100001-20261123.xlsx) is judged part by part.
    """
    found = []
    for piece in pieces:
        text = piece.text
        for match in WORD.finditer(text):
            word = match.group(0)
            if URL.fullmatch(word) or _in_url(text, match.start()) or word in names:
                continue
            if RULE_ID.fullmatch(word) and word in rule_titles:
                if piece.rule_tag and CJK.search(piece.context):
                    continue
                if piece.titled and rule_titles[word] in text:
                    continue
            elif all(
                _allowed_part(text, match.start() + m.start(), m.group(0), names)
                for m in re.finditer(r"[^-./:@+]+", word)
            ):
                continue
            start = max(0, match.start() - 12)
            found.append(f"{word!r} in “{text[start : match.end() + 12].strip()}”")
    return found
