"""A minimal WordprocessingML (.docx) writer for the ledger: headings, paragraphs and tables.

A .docx file is a zip of a few XML parts; the ledger needs no more than paragraphs and plain
tables, so it is written directly (no third-party library). Chinese text is set in 宋体 /
SimSun through the east-Asian font attribute, which Word and WPS substitute locally.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from dangjian.core.spreadsheet import plain_text

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_FONT = '<w:rFonts w:ascii="SimSun" w:hAnsi="SimSun" w:eastAsia="宋体"/>'


def _run(text: str, *, bold: bool = False, size: int = 21) -> str:
    props = f'{_FONT}{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    lines = text.split("\n")
    parts = []
    for index, line in enumerate(lines):
        if index:
            parts.append("<w:br/>")
        parts.append(f'<w:t xml:space="preserve">{escape(line)}</w:t>')
    return f"<w:r><w:rPr>{props}</w:rPr>{''.join(parts)}</w:r>"


class DocxWriter:
    """Collects paragraphs and tables, then :meth:`save` writes the .docx file."""

    def __init__(self, *, landscape: bool = True) -> None:
        self.body: list[str] = []
        self.landscape = landscape

    def heading(self, text: str, *, size: int = 32) -> None:
        self.body.append(
            f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{_run(text, bold=True, size=size)}</w:p>'
        )

    def paragraph(self, text: str, *, bold: bool = False, size: int = 21) -> None:
        self.body.append(f"<w:p>{_run(text, bold=bold, size=size)}</w:p>")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        border = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        # the grid is required by the schema (Word refuses a table without it)
        width = (14570 if self.landscape else 9638) // max(1, len(header))
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in header)
        out = [
            f'<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{border}'
            f"</w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
        ]
        for index, row in enumerate([list(header), *[list(r) for r in rows]]):
            cells = "".join(
                f"<w:tc><w:p>{_run(plain_text(value), bold=index == 0, size=18)}</w:p></w:tc>"
                for value in row
            )
            head = "<w:trPr><w:tblHeader/></w:trPr>" if index == 0 else ""
            out.append(f"<w:tr>{head}{cells}</w:tr>")
        out.append("</w:tbl>")
        self.body.append("".join(out))
        self.body.append("<w:p/>")

    def document_xml(self) -> str:
        if self.landscape:
            size = '<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
        else:
            size = '<w:pgSz w:w="11906" w:h="16838"/>'
        margins = '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134"/>'
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f"<w:document {_NS}><w:body>{''.join(self.body)}"
            f"<w:sectPr>{size}{margins}</w:sectPr></w:body></w:document>"
        )

    def save(self, path: Path | str) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
            archive.writestr("_rels/.rels", _RELS)
            archive.writestr("word/document.xml", self.document_xml())
