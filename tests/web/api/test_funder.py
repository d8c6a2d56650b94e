"""What a funder's system uses: its subscriptions with the fund's match, retries made safe by
Idempotency-Key, who it is, its inbox, refusals that name the rule, and the receipt."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    IdempotencyKey,
    LedgerTransaction,
    Match,
    Notification,
    Subscription,
)
from marketplace.services.evaluation.panels import assign_panel
from marketplace.services.finance.ledger_verify import discrepancies
from marketplace.services.record.anchors import head
from marketplace.services.subscription.matching import OfferDraft, open_offer
from tests.factories import at, gen_project


def _offer(cast, ratio_pct: int = 50) -> None:
    open_offer(OfferDraft(name="福彩配捐", ratio_pct=ratio_pct, cap_per_subscription_fen=10**12,
                          cap_per_project_fen=10**12, budget_fen=10**12, opens_at=at(0),
                          closes_at=at(60), source_code="fund:source:lottery"),
               actor=cast.admin, now=at(1))


def _subscriptions(enterprise) -> list[Subscription]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Subscription).where(
        Subscription.enterprise_id == enterprise.organization_id)
        .order_by(Subscription.id)).scalars())


def test_a_retried_subscription_answers_its_first_answer_and_subscribes_once(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.SUBSCRIPTION)
    _offer(cast)
    clock.set(5)
    enterprise = cast.enterprises[1]
    headers = {**auth(enterprise), "Idempotency-Key": "erp-2026-0001"}
    path = f"/api/v1/projects/{project.id}/subscriptions"
    before = len(_subscriptions(enterprise))

    first = client.post(path, headers=headers, json={"amount_fen": 1_000_00})
    assert first.status_code == 201, first.json
    match = db.session.execute(db.select(Match).where(
        Match.subscription_id == first.json["id"])).scalar_one()
    assert first.json["matched_fen"] == match.amount_fen == 500_00
    assert first.json["match"] == {"offer_id": match.offer_id, "offer_name": "福彩配捐",
                                   "ratio_pct": 50, "amount_fen": 500_00}
    assert first.json["project"] == {"id": project.id, "title": project.title,
                                     "state": "subscription"}

    again = client.post(path, headers=headers, json={"amount_fen": 1_000_00})
    assert (again.status_code, again.json) == (201, first.json)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(_subscriptions(enterprise)) == before + 1

    other_body = client.post(path, headers=headers, json={"amount_fen": 2_000_00})
    assert other_body.status_code == 422
    assert other_body.json["error"] == "idempotency_key_reused"
    assert other_body.json["field"] == "Idempotency-Key"
    assert len(_subscriptions(enterprise)) == before + 1

    # keys are per account: another enterprise's same key is its own request
    theirs = client.post(path, headers={**auth(cast.enterprises[0]),
                                        "Idempotency-Key": "erp-2026-0001"},
                         json={"amount_fen": 1_000_00})
    assert theirs.status_code == 201 and theirs.json["id"] != first.json["id"]
    assert list(discrepancies()) == []


def test_a_refused_request_keeps_no_key_and_a_bad_key_is_refused(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.SUBSCRIPTION)
    clock.set(5)
    headers = {**auth(cast.enterprises[1]), "Idempotency-Key": "retry-me"}
    path = f"/api/v1/projects/{project.id}/subscriptions"
    too_much = client.post(path, headers=headers,
                           json={"amount_fen": project.remaining_fen + 1})
    assert too_much.status_code == 409 and too_much.json["rule"] == "within_funding_target"
    assert db.session.execute(db.select(db.func.count()).select_from(IdempotencyKey)
                              ).scalar_one() == 0
    # nothing was kept, so the corrected request under the same key is a new one
    assert client.post(path, headers=headers, json={"amount_fen": 100_00}).status_code == 201
    blank = client.post(path, headers={**headers, "Idempotency-Key": " "},
                        json={"amount_fen": 100_00})
    assert blank.status_code == 400 and blank.json["field"] == "Idempotency-Key"


def test_credit_moves_and_withdrawals_retried_with_a_key_happen_once(
        client, cast, auth, clock) -> None:
    credit = gen_project(cast, State.UNFUNDED).subscriptions[0].amount_fen
    target = gen_project(cast, State.SUBSCRIPTION)
    clock.set(5)
    headers = auth(cast.enterprises[0])
    for _ in range(2):
        moved = client.post("/api/v1/credit/moves",
                            headers={**headers, "Idempotency-Key": "move-1"},
                            json={"project_id": target.id, "amount_fen": 100_00})
        assert moved.status_code == 201 and moved.json["from_credit"]
        withdrawn = client.post("/api/v1/credit/withdrawals",
                                headers={**headers, "Idempotency-Key": "withdraw-1"},
                                json={"amount_fen": 50_00, "reason": "年终结算"})
        assert withdrawn.status_code == 201
        assert withdrawn.json["credit_fen"] == credit - 150_00
    statement = client.get("/api/v1/credit", headers=headers).json
    assert statement["credit_fen"] == credit - 150_00
    assert [s["kind"] for s in statement["steps"]] == ["returned", "moved", "withdrawn"]
    assert list(discrepancies()) == []


def test_every_refusal_of_a_rule_is_a_409_naming_it(client, cast, auth, clock) -> None:
    credit = gen_project(cast, State.UNFUNDED).subscriptions[0].amount_fen
    subscription = gen_project(cast, State.SUBSCRIPTION)
    tendering = gen_project(cast, State.TENDERING)
    enterprise = auth(cast.enterprises[0])
    clock.set(20)  # subscription closed on day 16
    late = client.post(f"/api/v1/projects/{subscription.id}/subscriptions", headers=enterprise,
                       json={"amount_fen": 100_00})
    assert (late.status_code, late.json["rule"]) == (409, "subscription_window_open")
    losing = client.post("/api/v1/credit/withdrawals", headers=enterprise,
                         json={"amount_fen": credit + 1, "reason": "x"})
    assert (losing.status_code, losing.json["rule"], losing.json["field"]) == (
        409, "within_credit", "amount")
    clock.set(31)  # the tender closed on day 30
    bid = client.post(f"/api/v1/projects/{tendering.id}/bids", headers=auth(cast.ngos[0]),
                      json={"price_fen": 100_00, "delivery_plan": "每周两次"})
    assert (bid.status_code, bid.json["rule"]) == (409, "tender_open")
    for refused in (late, losing, bid):
        assert set(refused.json) <= {"error", "message", "field", "rule"}


def test_the_subscription_list_is_the_enterprises_own_with_project_and_match(
        client, cast, auth, clock) -> None:
    first, second = (gen_project(cast, State.SUBSCRIPTION) for _ in range(2))
    _offer(cast, ratio_pct=100)
    clock.set(5)
    headers = auth(cast.enterprises[1])
    for project in (first, second):
        assert client.post(f"/api/v1/projects/{project.id}/subscriptions", headers=headers,
                           json={"amount_fen": 300_00}).status_code == 201
    mine = _subscriptions(cast.enterprises[1])
    page = client.get("/api/v1/subscriptions?per_page=1", headers=headers).json
    assert page["total"] == len(mine) and page["per_page"] == 1 and page["page"] == 1
    assert [s["id"] for s in page["subscriptions"]] == [mine[-1].id]
    everything = client.get("/api/v1/subscriptions?per_page=100", headers=headers).json
    assert sorted(s["id"] for s in everything["subscriptions"]) == [s.id for s in mine]
    for row in everything["subscriptions"]:
        stored = db.session.get(Subscription, row["id"])
        match = db.session.execute(db.select(Match).where(
            Match.subscription_id == stored.id)).scalar_one_or_none()
        assert row["amount_fen"] == stored.amount_fen
        assert row["matched_fen"] == (match.amount_fen if match else 0)
        assert row["project"]["title"] == stored.project.title
        assert row["receipt_url"] == f"/api/v1/subscriptions/{stored.id}/receipt.pdf"
    assert client.get("/api/v1/subscriptions", headers=auth(cast.ngos[0])).status_code == 403
    assert client.get("/api/v1/subscriptions").status_code == 401
    assert client.get("/api/v1/subscriptions?page=0", headers=headers).status_code == 400


def test_me_says_who_the_token_is(client, cast, auth) -> None:
    project = gen_project(cast, State.EVALUATION)
    community = client.get("/api/v1/me", headers=auth(cast.community)).json
    assert community["account"]["email"] == cast.community.email
    assert community["organization"]["role"] == "community"
    assert project.station.id in {s["id"] for s in community["stations"]}
    enterprise = client.get("/api/v1/me", headers=auth(cast.enterprises[0])).json
    assert enterprise["organization"]["id"] == cast.enterprises[0].organization_id
    assert enterprise["stations"] == [] and enterprise["panels"] == []
    if not any(a.evaluator_id == cast.evaluators[0].id for a in project.panel):
        assign_panel(project.id, [e.id for e in cast.evaluators], actor=cast.admin, now=at(55))
    evaluator = client.get("/api/v1/me", headers=auth(cast.evaluators[0])).json
    assert {"project_id": project.id, "title": project.title, "role": "member"}.items() <= \
        next(p for p in evaluator["panels"] if p["project_id"] == project.id).items()
    assert client.get("/api/v1/me").status_code == 401


def test_the_inbox_lists_counts_and_marks_read(client, cast, auth, clock) -> None:
    gen_project(cast, State.TENDERING)  # funded: its subscribers are told
    enterprise = cast.enterprises[0]
    headers = auth(enterprise)
    stored = db.session.execute(db.select(Notification).where(
        Notification.account_id == enterprise.id)).scalars().all()
    assert stored, "a funded project tells its subscribers"
    inbox = client.get("/api/v1/notifications", headers=headers).json
    assert inbox["total"] == inbox["unread"] == len(stored)
    message = inbox["notifications"][0]
    assert message["read_at"] is None and message["text"]["zh"]
    assert message["link"] == f"/projects/{message['project_id']}"
    read = client.post(f"/api/v1/notifications/{message['id']}/read", headers=headers)
    assert read.status_code == 200 and read.json["read_at"] is not None
    assert client.get("/api/v1/notifications?unread=true", headers=headers).json["total"] == \
        len(stored) - 1
    theirs = client.post(f"/api/v1/notifications/{message['id']}/read",
                         headers=auth(cast.enterprises[1]))
    assert theirs.status_code == 404
    assert client.post("/api/v1/notifications/read", headers=headers).json["marked"] == \
        len(stored) - 1
    assert client.get("/api/v1/notifications", headers=headers).json["unread"] == 0


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def test_the_receipt_states_the_ledgers_figures_to_its_enterprise_only(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.SUBSCRIPTION)
    _offer(cast, ratio_pct=50)
    clock.set(5)
    headers = auth(cast.enterprises[1])
    made = client.post(f"/api/v1/projects/{project.id}/subscriptions", headers=headers,
                       json={"amount_fen": 1_234_56}).json
    chain = head(at(5))
    pdf = client.get(made["receipt_url"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = _pdf_text(pdf.data)
    postings = {tx.trigger: tx for tx in db.session.execute(db.select(LedgerTransaction).where(
        LedgerTransaction.subscription_id == made["id"])).scalars()}
    amount = -min(e.amount_fen for e in postings["subscribe"].entries)
    matched = max(e.amount_fen for e in postings["match"].entries)
    assert "认购凭证" in text and project.title in text
    assert _yuan(amount) in text and amount == 1_234_56
    assert _yuan(matched) in text and matched == made["matched_fen"] == 617_28
    assert _yuan(amount + matched) in text
    assert re.search(rf"账本交易号 Ledger transaction\s*{postings['subscribe'].id}\b", text)
    assert re.search(rf"配捐交易号 Match transaction\s*{postings['match'].id}\b", text)
    assert chain.hash in text
    assert "2026" in text and "Asia/Shanghai" in text

    assert client.get(made["receipt_url"], headers=auth(cast.enterprises[0])).status_code == 404
    assert client.get(made["receipt_url"], headers=auth(cast.ngos[0])).status_code == 404
    assert client.get(made["receipt_url"], headers=auth(cast.admin)).status_code == 200
    assert client.get(made["receipt_url"]).status_code == 401
