"""Public transparency pages: the fund's income, spending and holdings over time, its
evaluation awards, the ledger as CSV or XLSX, and the open data (OCDS) with its policy."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from marketplace.services.evaluation_awards import awards
from marketplace.services.fund import FundMonth, fund_by_month, fund_figures
from marketplace.services.transparency import ledger_csv, ledger_xlsx
from marketplace.web.labels import fund_account_name

bp = Blueprint("transparency", __name__)
WIDTH, HEIGHT, PAD = 640, 240, 40
COLOURS = ("#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
           "#2c3e50")


@dataclass(frozen=True)
class Series:
    label: str  # in the reader's language
    points: list[int]  # the figure at the end of each month


@dataclass(frozen=True)
class Line:
    series: Series
    colour: str
    points: str  # SVG polyline points


def over_time(months: list[FundMonth]) -> list[Series]:
    """Each source's income, each use's spending and what the fund holds, month by month."""
    if not months:
        return []
    first = months[0].figures
    series = [Series(_("Income: %(source)s", source=fund_account_name(line.code)),
                     [m.figures.income[n].fen for m in months])
              for n, line in enumerate(first.income)]
    series += [Series(_("Spending: %(use)s", use=fund_account_name(line.code)),
                      [m.figures.spending[n].fen for m in months])
               for n, line in enumerate(first.spending)]
    return [*series, Series(_("Fund balance"), [m.figures.held_fen for m in months])]


def chart(months: list[str], series: list[Series]) -> tuple[list[Line], int, int]:
    """Polylines for the figures that moved, scaled into the chart box; and the y range."""
    moved = [s for s in series if any(s.points)]
    values = [v for s in moved for v in s.points] + [0]
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = (WIDTH - 2 * PAD) / max(len(months) - 1, 1)

    def y(value: int) -> float:
        return PAD + (HEIGHT - 2 * PAD) * (high - value) / span

    lines = [Line(s, COLOURS[n % len(COLOURS)],
                  " ".join(f"{PAD + i * step:.1f},{y(v):.1f}" for i, v in enumerate(s.points)))
             for n, s in enumerate(moved)]
    return lines, low, high


@bp.get("/fund")
def fund() -> str:
    """Income per source, spending per use and what the fund holds, now and month by month."""
    by_month = fund_by_month()
    months = [m.month for m in by_month]
    series = over_time(by_month)
    lines, low, high = chart(months, series)
    return render_template("pages/fund.html", fund=fund_figures(by_month), months=months,
                           series=series, lines=lines, low=low, high=high, width=WIDTH,
                           height=HEIGHT, pad=PAD, awards=awards())


@bp.get("/ledger.csv")
def ledger_export() -> Response:
    return Response(ledger_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ledger.csv"})


@bp.get("/ledger.xlsx")
def ledger_workbook() -> Response:
    return Response(ledger_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=ledger.xlsx"})
