"""Reading a rendered page as a person does: each money figure by the label beside it.

A figure sits in a table row whose first cell is its label and whose last cell is its value
(the money trail, the fund's figures, the dashboard's money). ``figures(page, table_id)`` reads
them with the standard library's HTML parser; ``fen`` turns the shown ``¥1,234.56`` back into
integer fen, so a test compares what the reader sees with the ledger.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

YUAN = re.compile(r"^(-?)¥([\d,]+)\.(\d\d)$")


class _Table(HTMLParser):
    """The text of every cell of every row of the one table with this id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # tables open inside ours, ours counted
        self.found = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
            self.found = True
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: str, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(page)
    assert parser.found, f"no table id={table_id!r} on the page"
    return parser.rows


def figures(page: str, table_id: str) -> dict[str, str]:
    """Label → value shown, for every two-cell row (a one-cell row is a section heading)."""
    shown: dict[str, str] = {}
    for row in table_rows(page, table_id):
        if len(row) == 2:
            label, value = row
            assert label not in shown, f"{label!r} is shown twice in #{table_id}"
            shown[label] = value
    return shown


def fen(shown: str) -> int:
    """'¥1,234.56' or '-¥5.00' → fen; anything else is not a money figure."""
    match = YUAN.match(shown)
    assert match, f"{shown!r} is not a figure in yuan"
    sign, whole, cents = match.groups()
    value = int(whole.replace(",", "")) * 100 + int(cents)
    return -value if sign else value


def money_figures(page: str, table_id: str) -> dict[str, int]:
    return {label: fen(value) for label, value in figures(page, table_id).items()}


class _Labelled(HTMLParser):
    """Each element's text, as it closes: the innermost holding one figure beside a label."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[list[str]] = []
        self.closed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self.open.append([])

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            text = " ".join("".join(self.open.pop()).split())
            if self.open:
                self.open[-1].append(f" {text} ")
            self.closed.append(text)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].append(data)


MONEY = re.compile(r"-?¥[\d,]+\.\d\d")


def money_by_label(page: str, label: str) -> int:
    """The one money figure shown beside ``label`` (whatever the markup: a list item, a card,
    a table row): the innermost element whose text is the label and a figure in yuan."""
    parser = _Labelled()
    parser.feed(page)
    for text in parser.closed:
        found = MONEY.findall(text)
        if len(found) == 1 and " ".join(MONEY.sub(" ", text).split()) == label:
            return fen(found[0])
    raise AssertionError(f"no figure labelled {label!r} on the page")
