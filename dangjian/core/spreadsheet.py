"""Writing cells of exported spreadsheets (.xlsx and .csv) without formula injection.

A text typed by a user — a name, a topic, minutes — that begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return, or any of these after leading spaces) is taken by Excel, WPS and
LibreOffice as a formula when the file is opened: ``=HYPERLINK(...)`` becomes a live link,
``=cmd|...`` a DDE call. Every exporter writes its cells through this module:

* in .xlsx such a text is written as a string cell (never ``data_type`` ``f``) with Excel's
  "quote prefix" style, so it shows as typed and stays text when the cell is edited;
* in .csv, which has no types, it is prefixed with a single quote (the OWASP recommendation),
  and :func:`csv_restore` removes exactly that quote again when the file is imported.

Only texts are touched: numbers (a negative figure included) and dates stay what they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: the characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """Whether ``value`` is a text a spreadsheet would read as a formula."""
    if not isinstance(value, str) or not value:
        return False
    return value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)


def plain_text(value: Any) -> str:
    """Any value as the text a cell shows: ``None`` as empty, dates as ISO dates
    (``date.isoformat``), anything else as ``str``."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def csv_text(value: Any) -> str:
    """``value`` as a CSV field: a formula-like text behind a single quote, other texts as they
    are, everything else as :func:`plain_text` shows it."""
    if isinstance(value, str):
        return f"'{value}" if is_formula_like(value) else value
    return plain_text(value)


def csv_row(values: Iterable[Any]) -> list[str]:
    return [csv_text(v) for v in values]


def csv_restore(text: str) -> str:
    """A field of an imported CSV as typed: the quote :func:`csv_text` added is removed."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def guard_cell(cell: Any) -> Any:
    """Make an openpyxl cell holding a formula-like text a plain text cell; returns the cell."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def xlsx_value(sheet: Any, value: Any) -> Any:
    """What to put in a row for ``sheet.append``: ``value`` itself, or for a formula-like text a
    text cell (works for ordinary and write-only worksheets)."""
    if not is_formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    return guard_cell(WriteOnlyCell(sheet, value=value))


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    return [xlsx_value(sheet, v) for v in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` with every formula-like text written as text."""
    sheet.append(xlsx_row(sheet, values))
