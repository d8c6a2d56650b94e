"""The administrator's dashboard page and its CSV/XLSX downloads (item 6 of issue 6)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from marketplace.models import Role
from marketplace.services.county_reports import overdue_schedules
from marketplace.services.dashboard import Dashboard, dashboard
from marketplace.services.dashboard_export import to_csv, to_xlsx
from marketplace.services.duties import overdue_progress_reports
from marketplace.web.auth import role_required
from marketplace.web.clock import current_time
from marketplace.web.filters import yuan
from marketplace.web.labels import fund_account_name, localized, state_name

bp = Blueprint("dashboard", __name__, url_prefix="/admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: str | bytes, mimetype: str, suffix: str) -> Response:
    board_day = current_time().strftime("%Y%m%d")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="dashboard-{board_day}.{suffix}"'})


def charts(board: Dashboard) -> dict[str, Any]:
    """Each chart's bars as (label in the reader's language, value, text shown)."""
    counties = board.coverage.counties
    fund = board.money.fund
    return {
        "coverage": [(c.county, len(c.towns), str(len(c.towns))) for c in counties],
        "plan": [c.planned_towns for c in counties],
        "stages": [(state_name(state), n, str(n)) for state, n in board.stages.items()],
        "money": [(fund_account_name(line.code), line.fen, yuan(line.fen))
                  for line in (*fund.income, *fund.spending)],
        "people": [(localized(group) if group else _("No group named"), n, str(n))
                   for group, n in board.people.items()],
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
