"""Hostile strings for exports: texts a spreadsheet would run as formulas if written raw.

Every exporter is tested with these (tests/exchange/test_formula_injection.py): they are typed
into names, topics, minutes and labels, and the produced files are opened again to check that no
.xlsx cell is a formula and every such .csv field is behind a single quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import load_workbook

from dangjian.core.spreadsheet import is_formula_like

#: one per way a cell becomes a formula (OWASP: = + - @ tab CR, and after leading spaces)
HOSTILE = [
    '=HYPERLINK("http://x.test","点此")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+2",
]


def hostile(index: int, suffix: str = "") -> str:
    """The ``index``-th hostile string (cycling), with ``suffix`` to keep values apart."""
    return HOSTILE[index % len(HOSTILE)] + suffix


def xlsx_cells(data: bytes) -> list[Any]:
    """Every non-empty cell of every sheet of an .xlsx file."""
    book = load_workbook(io.BytesIO(data))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]


def assert_xlsx_inert(data: bytes, typed: Iterable[str]) -> None:
    """No cell is a formula, and the ``typed`` hostile texts are there, as typed."""
    cells = xlsx_cells(data)
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, formulas
    texts = [str(c.value) for c in cells]
    for text in typed:
        text = text.replace("\r", "\n")  # XML reads a carriage return back as a line feed
        assert any(text in t for t in texts), f"{text!r} not exported"
    for c in cells:
        if is_formula_like(c.value):
            assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)


def assert_csv_inert(data: bytes, typed: Iterable[str]) -> None:
    """Every field a spreadsheet would read as a formula starts with a single quote, and the
    ``typed`` hostile texts are there behind it."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    fields = [f for row in rows for f in row]
    live = [f for f in fields if is_formula_like(f)]
    assert not live, live
    for text in typed:
        assert f"'{text}" in fields, f"{text!r} not exported behind a quote"
