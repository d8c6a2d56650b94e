"""The one neutralising writer every CSV and XLSX download goes through."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from marketplace.services.reports.exports import csv_text, xlsx_bytes

ROW = ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "#N/A", "plain", -5, None, 0)
INERT = ("'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "#N/A", "plain")


def test_text_that_would_run_is_quoted_and_numbers_stay_numbers() -> None:
    [row] = list(csv.reader(io.StringIO(csv_text([ROW]), newline="")))
    assert tuple(row) == (*INERT, "-5", "", "0")
    sheet = load_workbook(io.BytesIO(xlsx_bytes([("t", [ROW])]))).active
    cells = next(sheet.iter_rows())
    # Some XML parsers read a carriage return back as a line feed (whether lxml is installed
    # decides); the quote in front is what matters.
    read = tuple(c.value.replace("\r", "\n") if isinstance(c.value, str) else c.value
                 for c in cells)
    assert read == (*(v.replace("\r", "\n") for v in INERT), -5, None, 0)
    assert [c.data_type for c in cells] == ["s"] * len(INERT) + ["n", "n", "n"]
