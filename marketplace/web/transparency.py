"""Public transparency pages: the fund's sources and uses over time, its evaluation awards,
and the ledger as CSV or XLSX."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template

from marketplace.services.evaluation_awards import awards
from marketplace.services.transparency import Series, fund_over_time, ledger_csv, ledger_xlsx

bp = Blueprint("transparency", __name__)
WIDTH, HEIGHT, PAD = 640, 240, 40
COLOURS = ("#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
           "#2c3e50")


@dataclass(frozen=True)
class Line:
    series: Series
    colour: str
    points: str  # SVG polyline points


def chart(months: list[str], series: list[Series]) -> tuple[list[Line], int, int]:
    """Polylines for the accounts that moved, scaled into the chart box; and the y range."""
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
    months, series = fund_over_time()
    lines, low, high = chart(months, series)
    return render_template("pages/fund.html", months=months, series=series, lines=lines,
                           low=low, high=high, width=WIDTH, height=HEIGHT, pad=PAD,
                           awards=awards())


@bp.get("/ledger.csv")
def ledger_export() -> Response:
    return Response(ledger_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ledger.csv"})


@bp.get("/ledger.xlsx")
def ledger_workbook() -> Response:
    return Response(ledger_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=ledger.xlsx"})
