"""Reading exchange files (.xlsx and UTF-8 .csv) into rows of cell values.

A file is a header row followed by data rows; columns may come in any order and unknown columns
are ignored with a warning. Row numbers are those the user sees in Excel (the header is row 1).
Every problem with the file as a whole raises :class:`ReadError` with a Chinese message, before
anything is validated or written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from dangjian.core.dates import parse_date
from dangjian.core.spreadsheet import csv_restore

#: the extensions the exchange formats use
EXTENSIONS = (".xlsx", ".csv")

#: an exchange file: a path, or an open binary file with a ``name`` — an upload is read where
#: Django holds it (memory or an anonymous temporary file), never copied to a named file
Source = Path | str | IO[bytes]


class ReadError(Exception):
    """The file cannot be read as an exchange file; the message is for the user (Chinese)."""


@dataclass
class Table:
    """The rows of one file: ``rows`` are ``(excel_row_number, {column: cell})``."""

    file: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    warnings: list[str] = field(default_factory=list)


def file_kind(path: Path | str) -> str:
    """``xlsx`` or ``csv`` from the file name; :class:`ReadError` for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        shown = suffix or "（无扩展名）"
        raise ReadError(f"不支持的文件类型 {shown}，请使用 .xlsx 或 .csv（UTF-8 编码）文件")
    return suffix[1:]


def source_name(source: Source) -> str:
    """The file name of ``source`` (its last part)."""
    if isinstance(source, str | Path):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "")).name


def _rewound(source: IO[bytes]) -> IO[bytes]:
    if source.seekable():
        source.seek(0)
    return source


def _clean(value: Any) -> Any:
    """A cell as the importer sees it: ``None`` for empty, stripped text, dates, numbers."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date()
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


_CORRUPT_XLSX = "文件已损坏或不是有效的 Excel (.xlsx) 文件，无法读取"


def _xlsx_rows(source: Path | IO[bytes]) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML and openpyxl errors alike: the file is not usable
        raise ReadError(_CORRUPT_XLSX) from exc
    try:
        if not workbook.worksheets:
            raise ReadError("Excel 文件中没有工作表")
        sheet: Any = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # do not trust the size some writers declare
        try:
            yield from sheet.iter_rows(values_only=True)
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError(_CORRUPT_XLSX) from exc
    finally:
        workbook.close()


def _csv_rows(source: Path | IO[bytes]) -> Iterator[Sequence[Any]]:
    """The rows of a UTF-8 CSV file, decoded as they are read (never the whole text at once)."""
    try:
        handle = source.open("rb") if isinstance(source, Path) else source
    except OSError as exc:
        raise ReadError("无法打开文件") from exc
    try:
        try:
            head = handle.read(4096)
        except OSError as exc:
            raise ReadError("无法打开文件") from exc
        if head.startswith(b"PK\x03\x04") or b"\x00" in head:
            raise ReadError("文件内容不是文本 CSV（可能是改了扩展名的 Excel 或其他二进制文件）")
        binary: IO[bytes]
        if handle.seekable():
            handle.seek(handle.tell() - len(head))
            binary = handle
        else:  # a stream that cannot go back: keep what it holds in memory
            binary = io.BytesIO(head + handle.read())
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
        try:
            for row in csv.reader(text, strict=True):
                yield [csv_restore(cell) for cell in row]  # undo the exporters' formula guard
        except UnicodeDecodeError as exc:
            raise ReadError(
                "CSV 文件不是 UTF-8 编码，请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”后再导入"
            ) from exc
        except csv.Error as exc:
            raise ReadError(f"CSV 文件格式错误：{exc}") from exc
        finally:
            text.detach()  # the caller's file stays open (an upload is closed by Django)
    finally:
        if isinstance(source, Path):
            handle.close()


class TableStream:
    """The data rows of one file, read as they are consumed: ``(excel_row_number, {column:
    cell})``. The header has been read and checked when it is made (:func:`open_table`); a
    problem found further on (a decoding error, a file with no data rows) raises
    :class:`ReadError` from the iteration. ``rows`` counts the data rows read so far."""

    def __init__(
        self, file: str, columns: list[str], warnings: list[str], rows: Iterator[Any]
    ) -> None:
        self.file = file
        self.columns = columns
        self.warnings = warnings
        self.rows = 0
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for row in self._rows:
            self.rows += 1
            yield row

    def batches(self, size: int) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        """The rows in lists of at most ``size``."""
        rows = iter(self)
        while batch := list(itertools.islice(rows, size)):
            yield batch

    def close(self) -> None:
        """Stop reading (closes the file when it was opened here)."""
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()


def _read_header(
    cells: list[Any], columns: Sequence[str], required: Sequence[str],
    positions: dict[str, int], warnings: list[str],
) -> list[str | None]:  # fmt: skip
    """Check the header row, filling ``positions`` (column → index) and ``warnings``."""
    if not any(c is not None for c in cells):
        raise ReadError("第 1 行应为表头（列名），但该行为空")
    header = [str(c).replace("\n", "").strip() if c is not None else None for c in cells]
    for index, name in enumerate(header):
        if name is None:
            continue
        name = name.rstrip("*＊").strip()
        if name in positions:
            raise ReadError(f"表头中“{name}”列出现了两次")
        if name in columns:
            positions[name] = index
        elif f"忽略未知列“{name}”" not in warnings:
            warnings.append(f"忽略未知列“{name}”")
    if not positions:
        raise ReadError(
            "第 1 行应为表头（列名），但其中没有任何可识别的列；"
            f"应包含：{'、'.join(required)}（如有标题行请删除）"
        )
    missing = [c for c in required if c not in positions]
    if missing:
        raise ReadError(f"缺少必填列：{'、'.join(missing)}")
    return header


def _table_rows(
    cells_of: Iterator[Sequence[Any]],
    columns: Sequence[str],
    required: Sequence[str],
    positions: dict[str, int],
    warnings: list[str],
) -> Iterator[tuple[int, dict[str, Any]] | None]:
    """Yield ``None`` once the header is read (filling ``positions`` and ``warnings``), then
    the data rows; the workbook or the file is closed when the reading stops, early or not."""
    try:
        header: list[str | None] | None = None
        found = False
        for number, raw in enumerate(cells_of, start=1):
            cells = [_clean(v) for v in raw]
            if header is None:
                header = _read_header(cells, columns, required, positions, warnings)
                yield None
                continue
            if not any(c is not None for c in cells):
                continue  # blank line (Excel often keeps formatted empty rows)
            found = True
            yield (
                number,
                {name: cells[i] if i < len(cells) else None for name, i in positions.items()},
            )
        if header is None:
            raise ReadError("文件为空（没有表头和数据）")
        if not found:
            raise ReadError("文件中只有表头，没有数据行")
    finally:
        close = getattr(cells_of, "close", None)
        if close is not None:
            close()


def open_table(
    source: Source,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    file_label: str | None = None,
) -> TableStream:
    """Open ``source`` (a path or an open binary file), read its header and check it against the
    known ``columns`` of the format; the data rows are read as the stream is consumed."""
    label = file_label or source_name(source)
    kind = file_kind(source_name(source) or label)
    opened: Path | IO[bytes]
    if isinstance(source, str | Path):
        opened = Path(source)
        if not opened.is_file():
            raise ReadError(f"文件 {label} 不存在或不是普通文件")
    else:
        opened = _rewound(source)
    cells_of = _xlsx_rows(opened) if kind == "xlsx" else _csv_rows(opened)
    positions: dict[str, int] = {}
    warnings: list[str] = []
    rows = _table_rows(cells_of, columns, required, positions, warnings)
    try:
        next(rows)  # the header
    except StopIteration:  # pragma: no cover - the generator raises before it ends
        raise ReadError("文件为空（没有表头和数据）") from None
    known = [c for c in columns if c in positions]
    return TableStream(label, known, warnings, rows)  # type: ignore[arg-type]


def read_table(
    source: Source,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    file_label: str | None = None,
) -> Table:
    """Read ``source`` (a path or an open binary file) whole and check its header against the
    known ``columns`` of the format."""
    stream = open_table(source, columns=columns, required=required, file_label=file_label)
    rows = list(stream)
    return Table(file=stream.file, columns=stream.columns, rows=rows, warnings=stream.warnings)


def cell_text(value: Any) -> str:
    """A cell as text: ``""`` for empty; whole numbers without ``.0``; dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value: Any) -> dt.date | None:
    """A date cell, or a text in one of the accepted formats; ``ValueError`` (Chinese) if not."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"“{cell_text(value)}”不是日期，应为 YYYY-MM-DD")
    return parse_date(value)


def cell_int(value: Any) -> int | None:
    """A whole number; ``ValueError`` (Chinese) if not."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        return value
    text = cell_text(value)
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        raise ValueError(f"“{text}”不是整数") from None
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"“{text}”不是整数")
        return int(number)
    return number
