"""core.spreadsheet.plain_text: a value as a cell shows it (PDF tables, the ledger .docx, CSV)."""

from __future__ import annotations

import datetime as dt

from dangjian.core.spreadsheet import csv_text, plain_text


def test_plain_text() -> None:
    assert plain_text(None) == ""
    assert plain_text(dt.date(2026, 7, 1)) == "2026-07-01"
    assert plain_text(3) == "3"
    assert plain_text("=1+1") == "=1+1"


def test_csv_text_guards_formulas_and_otherwise_shows_plain_text() -> None:
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text(dt.date(2026, 7, 1)) == plain_text(dt.date(2026, 7, 1))
    assert csv_text(None) == ""
