"""Released credit: what comes back to an enterprise may be moved to another project or
withdrawn, never more than there is, each as one balanced posting."""

from __future__ import annotations

import threading

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, AuditEvent, Project, Subscription
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.finance.ledger import (
    Cause,
    balance,
    organization_account,
    payouts_account,
    post,
)
from marketplace.services.finance.ledger_verify import discrepancies
from marketplace.services.subscription import funding
from marketplace.services.subscription.credit import (
    WITHDRAW,
    credit_fen,
    credit_steps,
    withdraw_credit,
)
from tests.factories import at, gen_cast, gen_project
from tests.services.finance.test_ledger import assert_sound, held, org
from tests.services.subscription.test_matching import matched, offer


def released(cast) -> int:
    """An unfunded project hands enterprises[0] its subscription back as credit."""
    project = gen_project(cast, State.UNFUNDED)
    return project.subscriptions[0].amount_fen


def test_a_released_commitment_becomes_credit(app) -> None:
    cast = gen_cast()
    assert credit_fen(cast.enterprises[0].organization_id) == 0
    amount = released(cast)
    assert credit_fen(cast.enterprises[0].organization_id) == amount
    assert [s.kind for s in credit_steps(cast.enterprises[0].organization_id)] == ["returned"]
    later = gen_project(cast, State.SUBSCRIPTION)  # new money: the credit is untouched
    assert credit_fen(cast.enterprises[0].organization_id) == amount
    assert org(cast.enterprises[0]) == -later.subscriptions[0].amount_fen


def test_moving_credit_is_a_matched_subscription_paid_from_credit(app) -> None:
    cast = gen_cast()
    amount = released(cast)
    target = gen_project(cast, State.SUBSCRIPTION)
    before_held, before_org = held(target), org(cast.enterprises[0])
    offer(cast, ratio_pct=50)
    moved = funding.subscribe_from_credit(target.id, amount - 1, actor=cast.enterprises[0],
                                          now=at(5))
    assert moved.from_credit and matched(moved) == (amount - 1) // 2
    organization_id = cast.enterprises[0].organization_id
    assert credit_fen(organization_id) == 1
    assert org(cast.enterprises[0]) == before_org - (amount - 1)
    assert held(target) == before_held + (amount - 1) + (amount - 1) // 2
    steps = credit_steps(organization_id)
    assert [(s.kind, s.amount_fen) for s in steps] == [("returned", amount),
                                                       ("moved", -(amount - 1))]
    assert steps[1].project.id == target.id
    assert_sound()


def test_a_move_beyond_the_credit_or_the_project_is_refused_and_changes_nothing(app) -> None:
    cast = gen_cast()
    amount = released(cast)
    target = gen_project(cast, State.SUBSCRIPTION)
    count = db.session.execute(db.select(db.func.count(Subscription.id))).scalar_one()
    refusals = [(amount + 1, "credit is", Conflict), (0, "above zero", Invalid),
                (target.remaining_fen + 1, "may still be subscribed", Conflict)]
    for too_much, message, refusal in refusals:
        with pytest.raises(refusal, match=message):
            funding.subscribe_from_credit(target.id, too_much, actor=cast.enterprises[0],
                                          now=at(5))
    with pytest.raises(Conflict, match=r"credit is ¥0\.00"):  # enterprises[1] has no credit
        funding.subscribe_from_credit(target.id, 100, actor=cast.enterprises[1], now=at(5))
    with pytest.raises(Conflict):  # the window has closed
        funding.subscribe_from_credit(target.id, 100, actor=cast.enterprises[0], now=at(17))
    with pytest.raises(Forbidden):
        funding.subscribe_from_credit(target.id, 100, actor=cast.community, now=at(5))
    assert db.session.execute(db.select(db.func.count(Subscription.id))).scalar_one() == count
    assert credit_fen(cast.enterprises[0].organization_id) == amount


def test_credit_moved_to_a_project_that_fails_comes_back_again(app) -> None:
    cast = gen_cast()
    amount = released(cast)
    target = gen_project(cast, State.SUBSCRIPTION)
    funding.subscribe_from_credit(target.id, amount, actor=cast.enterprises[0], now=at(5))
    assert credit_fen(cast.enterprises[0].organization_id) == 0
    from marketplace.services.core.moves import move

    move(target.id, "fail_funding", actor="scheduler", now=at(16))
    first = db.session.get(Project, target.id).subscriptions[0].amount_fen
    assert credit_fen(cast.enterprises[0].organization_id) == amount + first
    assert_sound()


def test_withdrawing_credit_pays_it_out_with_a_reason(app) -> None:
    cast = gen_cast()
    amount = released(cast)
    organization_id = cast.enterprises[0].organization_id
    before = org(cast.enterprises[0])
    for bad, refusal in ((0, Invalid), (amount + 1, Conflict)):
        with pytest.raises(refusal) as refused:
            withdraw_credit(bad, "年终结算", actor=cast.enterprises[0], now=at(20))
        assert refused.value.field == "amount"
    with pytest.raises(Invalid) as refused:
        withdraw_credit(100, "  ", actor=cast.enterprises[0], now=at(20))
    assert refused.value.field == "reason"
    transaction = withdraw_credit(amount - 100, "年终结算退回公司账户",
                                  actor=cast.enterprises[0], now=at(20))
    assert "年终结算退回公司账户" in transaction.reason
    assert credit_fen(organization_id) == 100
    assert org(cast.enterprises[0]) == before - (amount - 100)
    assert balance(payouts_account()) == amount - 100
    assert credit_steps(organization_id)[-1].kind == "withdrawn"
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.trigger == "withdraw_credit")).scalar_one().reason == "年终结算退回公司账户"
    assert_sound()


def test_ledger_verify_finds_credit_spent_that_never_came_back(app) -> None:
    cast = gen_cast()
    amount = released(cast)
    enterprise = cast.enterprises[0].organization
    post("withdrawn behind the service's back",  # what a bad script could do
         [(organization_account(enterprise), -(amount + 1)), (payouts_account(), amount + 1)],
         Cause(WITHDRAW), now=at(20))
    found = list(discrepancies())
    assert found == [f"organization {enterprise.id} spent more credit than was returned to "
                     "it: -1 fen"]


@pytest.mark.postgres
def test_two_moves_of_the_same_credit_at_once_never_overdraw_it(app) -> None:
    cast = gen_cast()
    amount = released(cast)
    targets = [gen_project(cast, State.SUBSCRIPTION).id for _ in range(2)]
    enterprise_id, organization_id = cast.enterprises[0].id, cast.enterprises[0].organization_id
    db.session.remove()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt(project_id: int, withdraw: bool) -> None:
        with app.app_context():
            actor = db.session.get(Account, enterprise_id)
            barrier.wait()
            try:
                if withdraw:
                    withdraw_credit(amount, "并发提现", actor=actor, now=at(5))
                else:
                    funding.subscribe_from_credit(project_id, amount, actor=actor, now=at(5))
                outcomes.append("spent")
            except (Conflict, Invalid):
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001 - any other failure is the bug we look for
                outcomes.append(f"error:{error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(targets[n % 2], n == 3))
               for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["refused", "refused", "refused", "spent"], outcomes
    assert credit_fen(organization_id) == 0
    moved = db.session.execute(db.select(Subscription).where(
        Subscription.from_credit.is_(True))).scalars().all()
    assert len(moved) + (balance(payouts_account()) == amount) == 1
    assert list(discrepancies()) == []
