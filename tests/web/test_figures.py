"""Every money figure a person sees is the ledger's figure (issue 14, item 1).

Each page is read cell by cell, by the label beside each figure (tests/web/figures.py), and
compared with figures derived from the public ledger or printed by ``flask ledger verify``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from marketplace.clock import utcnow
from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, NamingRight, NamingStatus, Project
from marketplace.services.finance.ledger import FUND_SOURCES, FUND_USES
from marketplace.services.record.transparency import money_trail
from marketplace.services.subscription import funding
from marketplace.web.infra.filters import yuan
from tests.factories import at, gen_cast, gen_project
from tests.services.subscription.test_matching import offer
from tests.web.figures import fen as shown_fen
from tests.web.figures import figures, money_by_label, money_figures, table_rows

TRAIL_LABELS = {"committed": "Committed", "matched": "Matched by the fund",
                "collected": "Collected into escrow", "paid": "Paid to the organization",
                "released": "Released and returned", "held": "Held now"}
TRAIL_LABELS_ZH = {"committed": "已认购", "held": "当前托管"}


def ledger_trail(client, project_id: int) -> dict[str, int]:  # noqa: ANN001
    """A project's money trail summed from the public ledger's rows, as anyone could."""
    rows = list(csv.DictReader(io.StringIO(client.get("/ledger.csv").get_data(as_text=True))))
    commitments, escrow = f"project:{project_id}:commitments", f"project:{project_id}:escrow"
    mine = [(r["account_code"], r["trigger"], int(r["amount_fen"])) for r in rows
            if r["account_code"] in (commitments, escrow)]
    came_in = [(trigger, fen) for code, trigger, fen in mine if code == commitments and fen > 0]
    matched = sum(fen for trigger, fen in came_in if trigger == "match")
    committed = sum(fen for _, fen in came_in) - matched
    paid = -sum(fen for code, trigger, fen in mine
                if code == escrow and fen < 0 and trigger == "accept_milestone")
    held = sum(fen for *_, fen in mine)
    return {"committed": committed, "matched": matched,
            "collected": sum(fen for code, _, fen in mine if code == escrow and fen > 0),
            "paid": paid, "released": committed + matched - paid - held, "held": held}


@pytest.mark.parametrize("state", list(State))
def test_each_trail_cell_of_a_project_page_is_the_ledger_s(client, auth, state) -> None:
    cast = gen_cast()
    offer(cast, ratio_pct=50)  # so "matched" has a figure of its own
    project = gen_project(cast, state)
    if state is State.PACKAGING:  # a bundle in packaging is its community's to see
        auth.login(cast.community)
    page = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    shown = money_figures(page, "money-trail")
    expected = ledger_trail(client, project.id)
    assert shown == {TRAIL_LABELS[key]: fen for key, fen in expected.items()}
    if state not in (State.PACKAGING, State.PUBLICATION, State.CANCELLED):
        assert expected["committed"] > 0 and expected["matched"] > 0, "a trail with money"
    came_in = expected["committed"] + expected["matched"]
    assert f"Committed and matched ¥{came_in // 100:,}.{came_in % 100:02d}" in page


def test_the_trail_is_labelled_in_chinese(client) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    page = client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True)
    shown = money_figures(page, "money-trail")
    expected = ledger_trail(client, project.id)
    assert {shown[TRAIL_LABELS_ZH[key]] for key in TRAIL_LABELS_ZH} == {
        expected[key] for key in TRAIL_LABELS_ZH}
    assert not any(re.search("[A-Za-z]", label) for label in shown), shown


def ledger_funders(client, project_id: int) -> int:  # noqa: ANN001
    """The accounts that paid into the project's commitments (a subscription or credit
    moved), as the public ledger names them; none once everything went back."""
    rows = list(csv.DictReader(io.StringIO(client.get("/ledger.csv").get_data(as_text=True))))
    payers = {r["account_code"] for r in rows if r["project_id"] == str(project_id)
              and r["trigger"] in ("subscribe", "move_credit") and int(r["amount_fen"]) < 0}
    trail = ledger_trail(client, project_id)
    return len(payers) if trail["committed"] > trail["released"] else 0


@pytest.mark.parametrize("state", list(State))
def test_the_hero_s_figures_are_the_ledger_s(client, auth, clock, state) -> None:
    cast = gen_cast()
    offer(cast, ratio_pct=50)
    project = gen_project(cast, state)
    clock(at(5))  # inside the subscription window of the project in subscription
    if state is State.PACKAGING:
        auth.login(cast.community)
    page = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    shown = figures(page, "hero-figures")
    trail = ledger_trail(client, project.id)
    assert shown_fen(shown["Raised so far"]) == trail["committed"] + trail["matched"] \
        - trail["released"] == trail["paid"] + trail["held"]
    listed = client.get(f"/api/v1/projects/{project.id}").get_json() \
        if state is not State.PACKAGING else {  # a draft is not in the public API
            "funding_target_fen": project.funding_target_fen,
            "funding_minimum_fen": project.funding_minimum_fen}
    assert shown_fen(shown["Funding target"]) == listed["funding_target_fen"]
    assert shown_fen(shown["Funding minimum"]) == listed["funding_minimum_fen"]
    assert int(shown["Funders"]) == ledger_funders(client, project.id)
    if state is State.SUBSCRIPTION:
        closes = datetime.fromisoformat(listed["subscription_closes_at"].replace("Z", "+00:00"))
        left = closes.replace(tzinfo=None) - at(5)
        assert int(shown["Days left"]) == math.ceil(left / timedelta(days=1)) > 0
        assert shown_fen(shown["Raised so far"]) > 0 and int(shown["Funders"]) == 1
    else:
        assert "Days left" not in shown, "days are counted only while subscription is open"


def test_the_home_page_s_raised_is_the_sum_of_the_trails(client) -> None:
    """A refund of escrow (the completed project's surplus) lowers what was raised, as it
    lowers that project's trail; committed amounts alone would not show it."""
    seed()
    db.session.commit()
    public = [p for p in db.session.execute(db.select(Project)).scalars()
              if p.state is not State.PACKAGING]
    trails = [ledger_trail(client, p.id) for p in public]
    raised = sum(t["committed"] + t["matched"] - t["released"] for t in trails)
    assert raised != sum(p.committed_fen for p in public), "the demo has a refund"
    for lang, label in (("en", "raised"), ("zh_CN", "已认购")):
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert money_by_label(page, label) == raised


def verified_totals(runner) -> dict[str, int]:  # noqa: ANN001
    """What ``flask ledger verify`` prints: ``income CODE FEN``, ``spending CODE FEN``,
    ``income total FEN``, ``spending total FEN``, ``held fund FEN``."""
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    totals = {}
    for line in result.output.splitlines()[1:]:
        kind, code, fen = line.split()[:3]
        totals[f"{kind} {code}"] = int(fen)
    return totals


def _demo_with_the_issue_s_money(client) -> None:  # noqa: ANN001
    """The demo, then what the issue's reporter did: the community chooses the sponsor's
    name (a directed donation) and an enterprise subscribes to the project the fund matches."""
    seed()
    db.session.commit()
    client.post("/login", data={"email": "community@demo.cn", "password": "demo1234"})
    right = db.session.execute(db.select(NamingRight).order_by(
        NamingRight.donation_fen.desc())).scalars().first()
    assert client.post(f"/community/naming/{right.id}/choose").status_code == 302
    client.post("/logout")
    project = db.session.execute(db.select(Project).where(
        Project.state == State.SUBSCRIPTION)).scalar_one()
    enterprise = db.session.execute(db.select(Account).where(
        Account.email == "enterprise2@demo.cn")).scalar_one()
    funding.subscribe(project.id, 1_010_00, actor=enterprise, now=utcnow())
    db.session.expire_all()
    assert db.session.get(NamingRight, right.id).status is NamingStatus.ACTIVE


def _expected_labels(totals: dict[str, int]) -> dict[str, int]:
    names = {**FUND_SOURCES, **FUND_USES}
    expected = {names[key.split()[1]]: fen for key, fen in totals.items()
                if key.split()[1] in names}
    expected.update({"Total received": totals["income total"],
                     "Total spent": totals["spending total"],
                     "Fund balance": totals["held fund"]})
    return expected


def test_fund_dashboard_csv_and_xlsx_show_ledger_verify_s_totals(client, runner) -> None:
    _demo_with_the_issue_s_money(client)
    totals = verified_totals(runner)
    assert totals["income fund:source:sponsorship"] > 0, "the donation is income"
    assert totals["spending fund:use:venture_investment"] > 0, "the match is spending"
    assert totals["spending fund:use:evaluation_awards"] > 0, "the award is spending"
    assert all(fen >= 0 for key, fen in totals.items() if key != "held fund")
    assert totals["held fund"] == totals["income total"] - totals["spending total"]
    expected = _expected_labels(totals)

    fund = client.get("/fund?lang=en").get_data(as_text=True)
    assert money_figures(fund, "fund-figures") == expected
    months = table_rows(fund, "fund-months")
    assert [row for row in months if row[0] == "Fund balance"][0][-1] == figures(
        fund, "fund-figures")["Fund balance"], "the last month ends where the fund is now"
    assert "what the fund's accounts hold in the public ledger" in fund

    chinese = client.get("/fund?lang=zh_CN").get_data(as_text=True)
    shown = money_figures(chinese, "fund-figures")
    assert sorted(shown.values()) == sorted(expected.values())
    assert not any(re.search("[A-Za-z]", label) for label in shown), shown
    assert not any(re.search("[A-Za-z]", row[0]) for row in table_rows(chinese, "fund-months")
                   if row and row[0])

    client.post("/login", data={"email": "admin@demo.cn", "password": "demo1234"})
    board = client.get("/admin/dashboard?lang=en").get_data(as_text=True)
    assert money_figures(board, "money") == expected

    rows = list(csv.reader(io.StringIO(client.get("/admin/dashboard.csv").get_data(
        as_text=True))))
    start = rows.index(["# money"])
    exported = {row[0]: int(row[2]) for row in rows[start + 2:] if len(row) == 3}
    book = load_workbook(io.BytesIO(client.get("/admin/dashboard.xlsx").data))
    sheet = {row[0]: row[2] for row in book["money"].iter_rows(min_row=2, values_only=True)}
    for key, fen in totals.items():
        code = {"income total": "income:total", "spending total": "spending:total",
                "held fund": "fund:held"}.get(key, key.replace(" ", ":", 1))
        assert exported[code] == fen == sheet[code], key


@pytest.mark.parametrize("state", [State.SUBSCRIPTION, State.COMPLETED, State.CANCELLED])
def test_the_communitys_raised_is_the_trails(client, auth, state) -> None:
    cast = gen_cast()
    project = gen_project(cast, state)
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}").get_data(as_text=True)
    shown = re.search(r'<span id="community-raised">([^<]*)</span>', page).group(1)
    assert shown == yuan(money_trail(db.session.get(Project, project.id)).raised)
