"""The ledger: balanced postings only, append-only rows, and the money of every lifecycle step."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import text

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import LedgerEntry, LedgerTransaction, MilestoneStatus, Project
from marketplace.models.ledger import LedgerTampered
from marketplace.services.core.errors import Conflict, Invalid
from marketplace.services.core.moves import move
from marketplace.services.core.unit import atomic
from marketplace.services.finance.fund import fund_figures
from marketplace.services.finance.ledger import (
    Cause,
    balance,
    commitments_account,
    escrow_account,
    fund_account,
    open_fund_accounts,
    organization_account,
    post,
    receive,
    reverse,
    transactions_of,
)
from marketplace.services.finance.ledger_verify import discrepancies
from marketplace.services.finance.money import pro_rata, tranche_fen
from marketplace.services.subscription import funding
from tests.factories import at, gen_cast, gen_project


def org(account) -> int:
    """An organization's ledger balance: negative is money given, positive is credit."""
    return balance(organization_account(account.organization))


def escrow(project: Project) -> int:
    return balance(escrow_account(project))


def held(project: Project) -> int:
    return balance(commitments_account(project))


def assert_sound() -> None:
    assert list(discrepancies()) == []
    everything = db.session.execute(db.select(db.func.sum(LedgerEntry.amount_fen))).scalar()
    assert (everything or 0) == 0, "every fen is in exactly one account"


def test_fund_has_five_sources_and_three_uses(app) -> None:
    kinds = [a.kind.value for a in open_fund_accounts()]
    assert kinds.count("fund_source") == 5 and kinds.count("fund_use") == 3
    assert len(open_fund_accounts()) == 8, "opening them again reuses the same accounts"


def test_an_unbalanced_posting_is_refused_and_changes_nothing(app) -> None:
    sponsorship, venture = fund_account("fund:source:sponsorship"), fund_account(
        "fund:use:venture_investment")
    with pytest.raises(Invalid, match="off by 1 fen"):
        post("typo", [(sponsorship, -100), (venture, 101)], Cause("test"), now=at(0))
    with pytest.raises(Invalid, match="whole fen"):
        post("float", [(sponsorship, -0.5), (venture, 0.5)], Cause("test"), now=at(0))
    assert db.session.execute(db.select(LedgerTransaction)).first() is None


def test_escrow_is_never_overdrawn(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    ngo = organization_account(cast.ngos[0].organization)
    too_much = escrow(project) + 1
    with pytest.raises(Conflict, match="holds"):
        post("too much", [(escrow_account(project), -too_much), (ngo, too_much)],
             Cause("test", project.id), now=at(20))


def test_posted_rows_are_never_changed_or_deleted_only_reversed(app) -> None:
    source, use = fund_account("fund:source:lottery"), fund_account("fund:use:station_startup")
    original = post("start-up grant", [(source, -5_000_00), (use, 5_000_00)], Cause("grant"),
                    now=at(0))
    db.session.commit()
    original.entries[0].amount_fen = -1
    with pytest.raises(LedgerTampered):
        db.session.commit()
    db.session.rollback()
    db.session.delete(original.entries[1])
    with pytest.raises(LedgerTampered):
        db.session.commit()
    db.session.rollback()
    correction = reverse(original, "granted to the wrong station", now=at(1))
    db.session.commit()
    assert correction.reverses_id == original.id
    assert balance(use) == 0 and balance(source) == 0
    assert_sound()


def test_subscribing_holds_the_commitment_for_the_project(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    first = project.funding_target_fen // 3
    assert held(project) == first == -org(cast.enterprises[0])
    assert escrow(project) == 0
    assert [t.trigger for t in transactions_of(project)] == ["subscribe"]
    assert_sound()


def test_a_refused_subscription_posts_nothing(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    with pytest.raises(Conflict, match="may still be subscribed"):  # a rule: 409
        funding.subscribe(project.id, project.funding_target_fen, actor=cast.enterprises[1],
                          now=at(5))
    assert org(cast.enterprises[1]) == 0 and held(project) == project.funding_target_fen // 3


def test_reaching_the_target_collects_every_commitment_into_escrow(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    assert held(project) == 0
    assert escrow(project) == project.funding_target_fen == -(
        org(cast.enterprises[0]) + org(cast.enterprises[1]))
    assert [t.trigger for t in transactions_of(project)] == [
        "subscribe", "subscribe", "close_subscription"]
    assert_sound()


def test_failed_funding_returns_the_commitment_as_the_enterprises_credit(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.UNFUNDED)
    assert held(project) == 0 and escrow(project) == 0
    assert org(cast.enterprises[0]) == 0, "what it gave has come back"
    assert [t.trigger for t in transactions_of(project)][-1] == "fail_funding"
    assert_sound()


def test_cancelling_during_the_tender_empties_the_escrow_back_to_the_enterprises(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    move(project.id, "cancel", actor=cast.admin, now=at(20), reason="站点搬迁")
    assert escrow(project) == 0
    assert org(cast.enterprises[0]) == org(cast.enterprises[1]) == 0
    assert_sound()


def test_accepted_milestones_pay_their_tranches_to_the_organization(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    award = project.award.amount_fen
    assert org(cast.ngos[0]) == award * 40 // 100
    assert escrow(project) == project.funding_target_fen - award * 40 // 100
    completed = gen_project(cast, State.COMPLETED)
    assert org(cast.ngos[0]) == award * 40 // 100 + completed.award.amount_fen
    assert_sound()


def test_close_out_returns_what_the_tranches_left_in_escrow_pro_rata(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.COMPLETED)
    target, award = project.funding_target_fen, project.award.amount_fen
    first, second = (s.amount_fen for s in project.subscriptions)
    assert target > award, "the demo bid is below the target, so something is left"
    expected = pro_rata(target - award, [first, second])
    assert escrow(project) == 0, "nothing is stranded in a completed project's escrow"
    assert org(cast.enterprises[0]) == -first + expected[0]
    assert org(cast.enterprises[1]) == -second + expected[1]
    assert org(cast.ngos[0]) == award
    assert [t.trigger for t in transactions_of(project)][-1] == "close_out"
    assert_sound()


def _milestones(*shares: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=n, share_pct=share, status=MilestoneStatus.PENDING)
            for n, share in enumerate(shares, start=1)]


def test_tranches_sum_exactly_to_an_award_that_does_not_divide_evenly() -> None:
    milestones = _milestones(33, 33, 34, 0)
    project = SimpleNamespace(award=SimpleNamespace(amount_fen=999), milestones=milestones)
    paid = []
    for milestone in milestones:
        paid.append(tranche_fen(project, milestone))
        milestone.status = MilestoneStatus.ACCEPTED
    # floor(999 × 33%) = 329; floor(999 × 66%) = 659; 999 × 100% = 999; a 0% milestone pays 0
    assert paid == [329, 330, 340, 0] and sum(paid) == 999


def test_pro_rata_uses_the_largest_remainder_rule() -> None:
    # 10 fen over 100/200/300: exact 1.67, 3.33, 5.00 → floors 1, 3, 5; the spare fen goes to
    # the largest remainder (0.67, the first).
    assert pro_rata(10, [100, 200, 300]) == [2, 3, 5]
    # 100 fen over three equal weights: 33 each and the spare fen to the earliest.
    assert pro_rata(100, [1, 1, 1]) == [34, 33, 33]
    assert pro_rata(0, [5, 7]) == [0, 0]
    assert pro_rata(7, [0, 5]) == [0, 7]
    with pytest.raises(ValueError):
        pro_rata(1, [0, 0])


def test_termination_returns_the_escrow_to_the_subscribers_pro_rata(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TERMINATED)
    target, award = project.funding_target_fen, project.award.amount_fen
    first, second = (s.amount_fen for s in project.subscriptions)
    left = target - award
    expected = pro_rata(left, [first, second])
    assert escrow(project) == 0
    assert org(cast.enterprises[0]) == -first + expected[0]
    assert org(cast.enterprises[1]) == -second + expected[1]
    assert org(cast.ngos[0]) == award
    assert [t.trigger for t in transactions_of(project)][-1] == "terminate"
    assert_sound()


def test_ledger_verify_passes_after_every_outcome(runner) -> None:
    cast = gen_cast()
    for state in State:
        gen_project(cast, state)
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def test_ledger_verify_names_a_tampered_entry(runner) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    tx = list(transactions_of(project))[1]
    db.session.execute(text("UPDATE ledger_entries SET amount_fen = amount_fen + 1 "
                            "WHERE id = :id"), {"id": tx.entries[0].id})
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code != 0
    assert f"transaction {tx.id} does not balance" in result.output


def test_ledger_verify_notices_commitments_the_ledger_does_not_hold(runner) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    db.session.execute(text("UPDATE subscriptions SET amount_fen = amount_fen * 2"))
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code != 0
    assert f"project {project.id}: commitments account holds" in result.output


def test_money_paid_into_the_fund_is_its_sources_income(app) -> None:
    with atomic():
        receive("fund:source:lottery", 2_000_000, "2026 年度福利彩票公益金", now=at(1))
    figures = fund_figures()
    income = {line.code: line.fen for line in figures.income}
    assert income["fund:source:lottery"] == 2_000_000 and figures.held_fen == 2_000_000
    for source, fen, field in (("fund:source:nowhere", 100, "source"),
                               ("fund:source:fiscal", 0, "amount")):
        with pytest.raises(Invalid) as refused:
            receive(source, fen, "x", now=at(2))
        assert refused.value.field == field
    assert_sound()
