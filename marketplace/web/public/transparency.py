"""Public transparency pages: the fund's income, spending and holdings over time, its
evaluation awards, the ledger as CSV or XLSX, and the open data (OCDS) with its policy."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from marketplace.services.evaluation.evaluation_awards import awards
from marketplace.services.finance.fund import FundMonth, fund_by_month, fund_figures
from marketplace.services.record.transparency import ledger_csv, ledger_xlsx
from marketplace.web.charts import lines
from marketplace.web.infra.labels import fund_account_name

bp = Blueprint("transparency", __name__)


@dataclass(frozen=True)
class Series:
    label: str  # in the reader's language
    points: list[int]  # the figure at the end of each month


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


@bp.get("/fund")
def fund() -> str:
    """Income per source, spending per use and what the fund holds, now and month by month."""
    by_month = fund_by_month()
    months = [m.month for m in by_month]
    series = over_time(by_month)
    over = lines(_("The fund month by month"), months,
                 [(s.label, s.points) for s in series], unit=_("yuan"),
                 empty=_("The fund's first posting in the ledger fills this chart."))
    return render_template("pages/fund.html", fund=fund_figures(by_month), months=months,
                           series=series, fund_chart=over, awards=awards())


@bp.get("/ledger.csv")
def ledger_export() -> Response:
    return Response(ledger_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ledger.csv"})


@bp.get("/ledger.xlsx")
def ledger_workbook() -> Response:
    return Response(ledger_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=ledger.xlsx"})
