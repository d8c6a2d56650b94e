"""The money pages: credit on the portfolio, moving and withdrawing it, match offers, naming
rights, evaluation awards and an enterprise's impact, each refusing bad input next to the field."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    EvaluationAward,
    LedgerTransaction,
    MatchOffer,
    NamingRight,
    Station,
    Subscription,
)
from marketplace.models.naming import MINIMUM_DONATION_FEN
from marketplace.services.finance.money import pro_rata
from marketplace.services.packaging.naming import apply_for_naming
from marketplace.services.record.transparency import LEDGER_COLUMNS
from marketplace.services.subscription.credit import credit_fen
from tests.factories import at, gen_cast, gen_project, gen_station


def _count(model) -> int:  # noqa: ANN001
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def error_at(page: str, field: str, message: str) -> bool:
    """The message is shown next to that field."""
    return re.search(f'id="{field}-error">[^<]*{re.escape(message)}', page) is not None


def test_the_portfolio_shows_credit_and_each_step_of_it(client, auth, clock) -> None:
    cast = gen_cast()
    failed = gen_project(cast, State.UNFUNDED)
    amount = failed.subscriptions[0].amount_fen
    target = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    auth.login(cast.enterprises[0])
    page = client.get("/enterprise/?lang=en").get_data(as_text=True)
    assert "Released to your credit" in page and "Move credit to a project" in page
    whole, cents = divmod(amount, 100)
    assert f"Your credit: ¥{whole:,}.{cents:02d}" in page
    url = "/enterprise/credit/move?lang=en"
    before = _count(Subscription)
    confirm = client.post(url, data={"project": target.id, "amount": "100.00"})
    assert "Confirm the move" in confirm.get_data(as_text=True)
    assert _count(Subscription) == before, "nothing moved before the confirmation"
    done = client.post(url, data={"project": target.id, "amount": "100.00", "confirmed": "yes"})
    assert done.status_code == 302
    assert credit_fen(cast.enterprises[0].organization_id) == amount - 100_00
    done = client.post("/enterprise/credit/withdraw?lang=en",
                       data={"amount": "50.00", "reason": "退回公司账户", "confirmed": "yes"})
    assert done.status_code == 302
    page = client.get("/enterprise/?lang=en").get_data(as_text=True)
    assert "Moved to a project" in page and "Withdrawn" in page and "退回公司账户" in page
    assert "(from credit)" in page
    assert credit_fen(cast.enterprises[0].organization_id) == amount - 150_00


def test_bad_credit_moves_and_withdrawals_are_refused_next_to_the_field(client, auth,
                                                                        clock) -> None:
    cast = gen_cast()
    amount = gen_project(cast, State.UNFUNDED).subscriptions[0].amount_fen
    target = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    auth.login(cast.enterprises[0])
    too_much = str(Decimal(amount + 1) / 100)
    before = _count(LedgerTransaction)
    for data, message in [({"project": target.id, "amount": "0"}, "above zero"),
                          ({"project": target.id, "amount": too_much}, "Your credit is"),
                          ({"project": target.id, "amount": "abc"}, "Not a valid decimal"),
                          ({"project": 999999, "amount": "1"}, "Choose a project")]:
        response = client.post("/enterprise/credit/move?lang=en", data={**data,
                                                                       "confirmed": "yes"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and 'class="error"' in page
    for data, message in [({"amount": "-1", "reason": "x"}, "above zero"),
                          ({"amount": too_much, "reason": "x"}, "Your credit is"),
                          ({"amount": "1", "reason": ""}, "This field is required")]:
        response = client.post("/enterprise/credit/withdraw?lang=en",
                               data={**data, "confirmed": "yes"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and 'class="error"' in page
    assert _count(LedgerTransaction) == before


def test_an_administrator_opens_and_closes_a_match_offer(client, auth, clock) -> None:
    cast = gen_cast()
    clock(at(0))
    auth.login(cast.admin)
    good = {"name": "福彩配捐", "source_code": "fund:source:lottery", "ratio_pct": "50",
            "cap_per_subscription_fen": "1000", "cap_per_project_fen": "5000",
            "budget_fen": "100000", "counties": "鹿城区， 瓯海区", "opens_at": "2026-03-01",
            "closes_at": "2026-04-30"}
    bad = [({"ratio_pct": "0"}, "ratio_pct", "Number must be between"),
           ({"budget_fen": "-5"}, "budget_fen", "above zero"),
           ({"cap_per_project_fen": ""}, "cap_per_project_fen", "This field is required"),
           ({"closes_at": "2026-02-01"}, "closes_at", "open before it closes"),
           ({"source_code": "fund:use:evaluation_awards"}, "source_code", "Not a valid choice"),
           ({"name": ""}, "name", "This field is required")]
    for change, field, message in bad:
        response = client.post("/admin/match-offers/new?lang=en", data={**good, **change})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, change
        assert error_at(page, field, message), change
        assert "福彩配捐" in page or field == "name", "what was typed is kept"
    assert _count(MatchOffer) == 0
    assert client.post("/admin/match-offers/new", data=good).status_code == 302
    offer = db.session.execute(db.select(MatchOffer)).scalar_one()
    assert (offer.ratio_pct, offer.budget_fen, offer.counties) == (50, 100_000_00,
                                                                   ["鹿城区", "瓯海区"])
    # midnight in Shanghai, stored as UTC: from 1 March to the end of 30 April
    assert (offer.opens_at, offer.closes_at) == (datetime(2026, 2, 28, 16),
                                                 datetime(2026, 4, 30, 16))
    page = client.get("/admin/match-offers?lang=en").get_data(as_text=True)
    assert "福彩配捐" in page and "Close now" in page
    clock(at(3))
    assert client.post(f"/admin/match-offers/{offer.id}/close").status_code == 302
    db.session.expire_all()
    assert db.session.get(MatchOffer, offer.id).closes_at == at(3)
    assert "Close now" not in client.get("/admin/match-offers?lang=en").get_data(as_text=True)


def test_a_sponsor_applies_and_the_community_chooses_among_competing_names(client, auth,
                                                                           clock) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    clock(at(0))
    auth.login(cast.enterprises[0])
    url = "/enterprise/naming?lang=en"
    for data, field, message in [
            ({"name": "正泰驿站", "donation": "99999.99"}, "donation", "at least ¥100,000.00"),
            ({"name": "", "donation": "100000"}, "name", "This field is required"),
            ({"name": "正泰驿站", "donation": "abc"}, "donation", "Not a valid decimal")]:
        response = client.post(url, data={"station": station.id, **data})
        assert response.status_code == 400
        assert error_at(response.get_data(as_text=True), field, message)
    assert _count(NamingRight) == 0
    assert client.post(url, data={"station": station.id, "name": "正泰驿站",
                                  "donation": "100000"}).status_code == 302
    rival = apply_for_naming(station.id, "华峰驿站", MINIMUM_DONATION_FEN + 1,
                             actor=cast.enterprises[1], now=at(1))
    client.post("/logout")
    auth.login(cast.community)
    page = client.get("/community/naming?lang=en").get_data(as_text=True)
    assert "正泰驿站" in page and "华峰驿站" in page and page.count("Choose this name") == 2
    assert client.post(f"/community/naming/{rival.id}/choose").status_code == 302
    page = client.get("/community/naming?lang=en").get_data(as_text=True)
    assert "Choose this name" not in page and "Declined" in page
    assert "华峰驿站" in client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert db.session.get(Station, station.id).display_name == "华峰驿站"


def test_an_award_goes_to_the_best_completed_project_once(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.COMPLETED)
    clock(at(120))
    auth.login(cast.admin)
    page = client.get("/admin/evaluation-awards?lang=en").get_data(as_text=True)
    assert project.title in page and "Grant an award" in page
    url = f"/admin/evaluation-awards/{project.id}?lang=en"
    for amount, message in [("0", "above zero"), ("", "This field is required")]:
        response = client.post(url, data={"amount": amount})
        assert response.status_code == 400
        assert error_at(response.get_data(as_text=True), "amount", message)
    assert client.post(url, data={"amount": "5000", "citation": "回访满意度高"}).status_code == 302
    assert client.post(url, data={"amount": "5000"}).status_code == 409
    assert _count(EvaluationAward) == 1
    ngo = project.award.organization_id
    page = client.get(f"/organizations/{ngo}").get_data(as_text=True)
    assert "回访满意度高" in page and "¥5,000.00" in page
    assert "回访满意度高" in client.get("/fund").get_data(as_text=True)
    assert client.get(f"/admin/evaluation-awards/{gen_project(cast).id}").status_code == 404


def test_the_ledger_downloads_as_xlsx_with_the_csv_s_rows(client, runner, tmp_path) -> None:
    cast = gen_cast()
    gen_project(cast, State.TERMINATED)
    response = client.get("/ledger.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [tuple("" if v is None else str(v) for v in row) for row in sheet.iter_rows(
        values_only=True)]
    from_csv = [tuple(r) for r in csv.reader(io.StringIO(client.get("/ledger.csv").get_data(
        as_text=True)))]
    assert rows[0] == LEDGER_COLUMNS and rows == from_csv and len(rows) > 10
    out = tmp_path / "ledger.xlsx"
    result = runner.invoke(args=["ledger", "export", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [tuple("" if v is None else str(v) for v in r) for r in load_workbook(
        out).active.iter_rows(values_only=True)] == from_csv


def test_the_impact_summary_matches_a_hand_computed_example(client) -> None:
    cast = gen_cast()
    completed = gen_project(cast, State.COMPLETED)
    unfunded = gen_project(cast, State.UNFUNDED)
    target, first = completed.funding_target_fen, completed.subscriptions[0].amount_fen
    award = completed.award.amount_fen
    assert first == target // 3 and award == target * 95 // 100  # the walk's numbers
    released = unfunded.subscriptions[0].amount_fen
    refund = pro_rata(target - award, [first, target - first])[0]
    enterprise = cast.enterprises[0].organization
    page = client.get(f"/organizations/{enterprise.id}/impact?lang=en").get_data(as_text=True)
    from marketplace.services.reports.impact import impact

    figures = impact(enterprise)
    assert figures.subscribed_fen == first + released
    assert figures.matched_fen == 0
    assert figures.paid_fen == award * first // target
    assert figures.returned_fen == released + refund == figures.credit_fen
    assert figures.outcomes == {State.COMPLETED: 1, State.UNFUNDED: 1}
    assert figures.people_served == 2 * 30, "two accepted milestones of 30 people each"
    assert "<svg" in page and "<script" not in page and 'id="people-served">60<' in page
    organization = client.get(f"/organizations/{enterprise.id}").get_data(as_text=True)
    assert f"/organizations/{enterprise.id}/impact" in organization
    assert client.get(f"/organizations/{cast.ngos[0].organization_id}/impact").status_code == 404
