"""Writing CSV and XLSX downloads so that no cell is ever a formula.

Text in an export comes from people (a station's county, an organization's name, a reason):
a cell beginning ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula by
spreadsheet programs (``=HYPERLINK(…)``, ``=1+cmd|…``). Every writer goes through here: such
text gets a leading ``'`` in both formats, and XLSX text cells are typed as strings, so openpyxl
never stores a formula. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Row = Sequence[Any]


def neutralised(value: Any) -> Any:
    """Text that a spreadsheet would run, made inert; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Row], *, lineterminator: str = "\r\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return out.getvalue()


def append_row(sheet: WriteOnlyWorksheet, row: Row) -> None:
    """One row of a write-only sheet, text typed as text."""
    cells = []
    for value in row:
        cell = WriteOnlyCell(sheet, value=neutralised(value))
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Row]]]) -> bytes:
    """A workbook with one sheet per (title, rows); titles are cut to Excel's 31 characters."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            append_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
