"""The administrator's dashboard page and its CSV/XLSX downloads (item 6 of issue 6)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from marketplace.clock import current_time
from marketplace.models import Role
from marketplace.services.implementation.duties import overdue_progress_reports
from marketplace.services.reports.county_reports import overdue_schedules
from marketplace.services.reports.dashboard import Dashboard, dashboard
from marketplace.services.reports.dashboard_export import to_csv, to_xlsx
from marketplace.web.charts import Chart, bars
from marketplace.web.infra.labels import fund_account_name, localized, state_name
from marketplace.web.roles.auth import role_required

bp = Blueprint("dashboard", __name__, url_prefix="/admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: str | bytes, mimetype: str, suffix: str) -> Response:
    board_day = current_time().strftime("%Y%m%d")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="dashboard-{board_day}.{suffix}"'})


def charts(board: Dashboard) -> dict[str, Chart]:
    """The dashboard's charts, each drawn from the same figures as the table beside it."""
    counties = board.coverage.counties
    fund = board.money.fund
    money = (*fund.income, *fund.spending)
    people = list(board.people.items())
    return {
        "coverage": bars(
            _("Towns covered per county"), [c.county for c in counties],
            [(_("Towns covered"), [len(c.towns) for c in counties]),
             (_("Planned towns"), [c.planned_towns for c in counties])],
            unit=_("towns"),
            empty=_("An approved station in a town of a county fills this chart.")),
        "stages": bars(
            _("Projects by stage"), [state_name(s) for s in board.stages],
            [(_("Projects"), list(board.stages.values()))], unit=_("projects"),
            empty=_("The first project packaged by a community fills this chart.")),
        "money": bars(
            _("Fund received by source and spent by use"),
            [fund_account_name(line.code) for line in money],
            [(_("Income"), [line.fen for line in fund.income] + [None] * len(fund.spending)),
             (_("Spending"), [None] * len(fund.income) + [line.fen for line in fund.spending])],
            money=True, unit=_("yuan"),
            empty=_("The fund's first income or spending in the ledger fills this chart.")),
        "people": bars(
            _("People served by beneficiary group"),
            [localized(group) if group else _("No group named") for group, _n in people],
            [(_("People served"), [n for _group, n in people])], unit=_("people"),
            empty=_("People served reported on accepted milestones fill this chart.")),
    }


@bp.get("/dashboard")
@role_required(Role.ADMIN)
def index() -> str:
    board = dashboard(current_time())
    return render_template("admin/dashboard.html", board=board, charts=charts(board),
                           counties_due=overdue_schedules(current_time()),
                           reports_due=overdue_progress_reports(current_time()))


@bp.get("/dashboard.csv")
@role_required(Role.ADMIN)
def csv() -> Response:
    return _download(to_csv(dashboard(current_time())), "text/csv; charset=utf-8", "csv")


@bp.get("/dashboard.xlsx")
@role_required(Role.ADMIN)
def xlsx() -> Response:
    return _download(to_xlsx(dashboard(current_time())), XLSX, "xlsx")
