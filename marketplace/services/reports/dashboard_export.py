"""The dashboard as tables, for download: the same figures as CSV and as an XLSX workbook.

Both formats are written from one list of tables, so a spreadsheet never says something the
page does not. Money is exported in fen (integers), the unit the ledger keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.services.reports.dashboard import Dashboard
from marketplace.services.reports.exports import csv_text, xlsx_bytes

Cell = str | int


@dataclass(frozen=True)
class Table:
    name: str  # also the worksheet's title: at most 31 characters
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def tables(board: Dashboard) -> list[Table]:
    coverage = board.coverage
    money = board.money
    fund = money.fund
    return [
        Table("coverage", ("county", "planned_towns", "towns_covered", "shortfall",
                           "approved_stations", "pending_stations"),
              tuple((c.county, "" if c.planned_towns is None else c.planned_towns,
                     len(c.towns), c.shortfall, c.approved, c.pending)
                    for c in coverage.counties)
              + (("total", coverage.target_towns, coverage.towns_covered,
                  max(coverage.target_towns - coverage.towns_covered, 0),
                  sum(c.approved for c in coverage.counties),
                  sum(c.pending for c in coverage.counties)),)),
        Table("stations_per_town", ("county", "town", "approved_stations", "pending_stations"),
              tuple((t.county, t.town, t.approved, t.pending) for t in board.towns)),
        Table("projects_by_stage", ("stage", "projects"),
              tuple((state.value, n) for state, n in board.stages.items())),
        Table("money", ("account", "name", "fen"),
              tuple((f"income:{line.code}", line.name, line.fen) for line in fund.income)
              + (("income:total", "Total received", fund.income_fen),)
              + tuple((f"spending:{line.code}", line.name, line.fen) for line in fund.spending)
              + (("spending:total", "Total spent", fund.spending_fen),
                 ("fund:held", "Fund balance", fund.held_fen),
                 ("projects:commitments", "Commitments held", money.commitments_fen),
                 ("projects:escrow", "Escrow held", money.escrow_fen),
                 ("projects:paid", "Paid to social organizations", money.paid_fen))),
        Table("people_by_group", ("group", "people_served"),
              tuple((group.code if group else "none", n) for group, n in board.people.items())),
        Table("overdue_reports", ("project_id", "project", "milestone", "due_on", "days_late"),
              tuple((o.project.id, o.project.title, o.milestone.sequence,
                     o.milestone.due_on.isoformat(), o.days_late) for o in board.overdue)),
    ]


def to_csv(board: Dashboard) -> str:
    """One file: each table under a ``# name`` line, separated by a blank line."""
    rows: list[tuple[Cell, ...]] = []
    for n, table in enumerate(tables(board)):
        if n:
            rows.append(())
        rows += [(f"# {table.name}",), table.header, *table.rows]
    return csv_text(rows, lineterminator="\n")


def to_xlsx(board: Dashboard) -> bytes:
    """One worksheet per table."""
    return xlsx_bytes((table.name, (table.header, *table.rows)) for table in tables(board))
