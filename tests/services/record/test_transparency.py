"""Transparency: every project's money trail adds up, and the public can read the ledger."""

from __future__ import annotations

import csv
import io

import pytest

from marketplace.lifecycle import State
from marketplace.services.finance.fund import VENTURE_INVESTMENT, fund_by_month
from marketplace.services.record.transparency import LEDGER_COLUMNS, money_trail
from tests.factories import gen_cast, gen_project
from tests.services.subscription.test_matching import offer


@pytest.mark.parametrize("state", list(State))
def test_every_outcome_leaves_a_trail_that_adds_up(app, state) -> None:
    cast = gen_cast()
    project = gen_project(cast, state)
    trail = money_trail(project)
    assert trail.balanced, trail
    assert trail.committed == sum(s.amount_fen for s in project.subscriptions)
    if state in (State.COMPLETED, State.TERMINATED, State.UNFUNDED, State.CANCELLED):
        assert trail.held == 0, "a finished project holds nothing"
    if state is State.COMPLETED:
        assert trail.paid == project.award.amount_fen
        assert trail.collected == project.funding_target_fen
        assert trail.released == trail.collected - trail.paid


def test_a_matched_project_shows_the_fund_s_part(app) -> None:
    cast = gen_cast()
    offer(cast, ratio_pct=50)
    project = gen_project(cast, State.TENDERING)
    trail = money_trail(project)
    first = project.subscriptions[0].amount_fen
    assert trail.matched == first // 2
    assert trail.committed + trail.matched == trail.collected == trail.held
    assert trail.balanced


def test_the_project_page_shows_the_money_trail(client) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.COMPLETED)
    trail = money_trail(project)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "money-trail" in page
    whole, cents = divmod(trail.paid, 100)
    assert f"¥{whole:,}.{cents:02d}" in page


def test_the_fund_page_draws_income_spending_and_balance_as_svg(client) -> None:
    cast = gen_cast()
    offer(cast, ratio_pct=50)
    gen_project(cast, State.COMPLETED)
    months = fund_by_month()
    figures = months[-1].figures
    venture = next(line for line in figures.spending if line.code == VENTURE_INVESTMENT)
    # The match went to the project and part came back: spending, net of the return, positive.
    assert months and venture.fen > 0 and figures.income_fen == 0
    assert figures.held_fen == -venture.fen and figures.reconciles
    page = client.get("/fund").get_data(as_text=True)
    # drawn on the server (web/charts.py), not the empty state, and no script under the CSP
    assert "<svg" in page and "pygal-chart" in page and "chart-empty" not in page
    assert "<script" not in page


def test_the_ledger_downloads_as_csv_that_balances(client) -> None:
    cast = gen_cast()
    gen_project(cast, State.TERMINATED)
    response = client.get("/ledger.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == LEDGER_COLUMNS
    assert sum(int(r["amount_fen"]) for r in rows) == 0
    assert {"subscribe", "close_subscription", "accept_milestone", "terminate"} <= {
        r["trigger"] for r in rows}


def test_flask_ledger_export_writes_the_same_csv(runner) -> None:
    cast = gen_cast()
    gen_project(cast, State.TENDERING)
    result = runner.invoke(args=["ledger", "export", "--csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ",".join(LEDGER_COLUMNS)
    assert len(result.output.splitlines()) == 1 + 2 * 3, "three postings of two entries"
