"""The administrator's dashboard against a small data set whose figures are counted by hand."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import BeneficiaryGroup, StationStatus
from marketplace.services.finance.ledger import Cause, fund_account, organization_account, post
from marketplace.services.reports.dashboard import dashboard
from tests.factories import at, gen_cast, gen_project, gen_station

NOW = at(100)  # 2026-06-09 in Asia/Shanghai


@pytest.fixture
def world(app):
    """Stations in three counties, three projects, a donation, an award and an earmark."""
    app.config.update(COVERAGE_PLAN="鹿城区=3,瑞安市=2", COVERAGE_TARGET_TOWNS=5)
    cast = gen_cast()
    station = gen_station(cast.community)  # 鹿城区 五马街道, approved
    gen_station(cast.community, town="松台街道", status=StationStatus.PENDING)
    gen_station(cast.community, county="瑞安市", town="安阳街道")
    packaging = gen_project(cast, station=station)
    subscription = gen_project(cast, State.SUBSCRIPTION, station=station)
    serving = gen_project(cast, State.IMPLEMENTATION, station=station)
    groups = db.session.execute(db.select(BeneficiaryGroup)
                                .order_by(BeneficiaryGroup.code).limit(3)).scalars().all()
    serving.groups, serving.people_served = groups, 10
    packaging.people_served = 100  # not yet serving anyone: not counted
    # Postings shaped as the product writes them: a directed donation into the sponsorship
    # source, an evaluation award out of its use, and a move inside the fund (neither).
    post("directed donation", [(organization_account(cast.enterprises[0].organization),
                                -6_000_00), (fund_account("fund:source:sponsorship"), 6_000_00)],
         Cause("naming_right"), now=at(1))
    post("award", [(fund_account("fund:use:evaluation_awards"), -1_000_00),
                   (organization_account(cast.ngos[0].organization), 1_000_00)],
         Cause("evaluation_award"), now=at(2))
    post("earmark", [(fund_account("fund:source:lottery"), -500_00),
                     (fund_account("fund:use:station_startup"), 500_00)],
         Cause("grant"), now=at(2))
    db.session.commit()
    app.config["CLOCK"] = lambda: NOW
    return cast, subscription, serving, groups


def test_figures_match_the_hand_count(world) -> None:
    cast, subscription, serving, groups = world
    board = dashboard(NOW)

    assert [(c.county, c.planned_towns, len(c.towns), c.approved, c.pending)
            for c in board.coverage.counties] == [("鹿城区", 3, 1, 1, 1), ("瑞安市", 2, 1, 1, 0)]
    assert [(t.county, t.town, t.approved, t.pending) for t in board.towns] == [
        ("瑞安市", "安阳街道", 1, 0), ("鹿城区", "五马街道", 1, 0), ("鹿城区", "松台街道", 0, 1)]
    assert {s: n for s, n in board.stages.items() if n} == {
        State.PACKAGING: 1, State.SUBSCRIPTION: 1, State.IMPLEMENTATION: 1}

    money = board.money
    fund = money.fund
    assert [line.fen for line in fund.income] == [0, 0, 0, 6_000_00, 0]
    assert [line.fen for line in fund.spending] == [0, 0, 1_000_00]
    assert (fund.income_fen, fund.spending_fen, fund.held_fen) == (6_000_00, 1_000_00, 5_000_00)
    # The subscription project holds its first subscriber's third; the serving project was
    # fully collected and has paid its first milestone's 40% of the award.
    assert money.commitments_fen == subscription.funding_target_fen // 3
    tranche = serving.award.amount_fen * 40 // 100
    assert money.paid_fen == tranche
    assert money.escrow_fen == serving.funding_target_fen - tranche

    people = {group.code if group else None: n for group, n in board.people.items() if n}
    assert people == {groups[0].code: 4, groups[1].code: 3, groups[2].code: 3}

    # Milestone 1 was accepted; milestone 2 was due 80 days after the bids (2026-05-30).
    assert [(o.project.id, o.milestone.sequence, o.milestone.due_on.isoformat(), o.days_late)
            for o in board.overdue] == [(serving.id, 2, "2026-05-30", 10)]


def test_the_page_shows_charts_and_tables_to_the_administrator_only(world, client, auth) -> None:
    cast, _subscription, serving, _groups = world
    assert client.get("/admin/dashboard").status_code == 302
    auth.login(cast.community)
    assert client.get("/admin/dashboard").status_code == 403
    assert client.get("/admin/dashboard.csv").status_code == 403
    auth.logout()
    auth.login(cast.admin)
    page = client.get("/admin/dashboard").get_data(as_text=True)
    assert page.count("<svg") == 4
    assert "<script" not in page and "style=" not in page
    assert "¥5,000.00" in page and "2026-05-30" in page and serving.title in page


def test_csv_and_xlsx_carry_the_same_figures(world, client, auth) -> None:
    cast, _subscription, serving, groups = world
    auth.login(cast.admin)
    response = client.get("/admin/dashboard.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["鹿城区", "3", "1", "2", "1", "1"] in rows
    assert ["total", "5", "2", "3", "2", "1"] in rows
    assert ["income:fund:source:sponsorship", "Enterprises' directed sponsorship", "600000"] in rows
    assert ["spending:fund:use:evaluation_awards", "Evaluation awards", "100000"] in rows
    assert ["fund:held", "Fund balance", "500000"] in rows
    assert [groups[0].code, "4"] in rows
    assert [str(serving.id), serving.title, "2", "2026-05-30", "10"] in rows

    book = load_workbook(io.BytesIO(client.get("/admin/dashboard.xlsx").data))
    assert book.sheetnames == ["coverage", "stations_per_town", "projects_by_stage", "money",
                               "people_by_group", "overdue_reports"]
    money = {row[0]: row[2] for row in book["money"].iter_rows(min_row=2, values_only=True)}
    assert money["income:fund:source:sponsorship"] == 600000
    assert money["spending:total"] == 100000
    assert money["projects:paid"] == serving.award.amount_fen * 40 // 100
    overdue = list(book["overdue_reports"].iter_rows(min_row=2, values_only=True))
    assert overdue == [(serving.id, serving.title, 2, "2026-05-30", 10)]
