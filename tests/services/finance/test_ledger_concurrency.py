"""Many enterprises subscribing the last part of a target at once, on a real database."""

from __future__ import annotations

import threading

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Project, Role
from marketplace.services.core.errors import Conflict, Invalid
from marketplace.services.finance.ledger import balance, escrow_account, organization_account
from marketplace.services.finance.ledger_verify import discrepancies
from marketplace.services.subscription import funding
from tests.factories import at, gen_account, gen_cast, gen_project


@pytest.mark.postgres
def test_concurrent_subscribers_never_oversubscribe_nor_lose_a_commitment(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    project_id, target = project.id, project.funding_target_fen
    first_id = cast.enterprises[0].id
    half = project.remaining_fen // 2
    rest = project.remaining_fen - half
    bidders = [gen_account(Role.ENTERPRISE).id for _ in range(6)]
    db.session.remove()
    barrier = threading.Barrier(len(bidders))
    outcomes: list[str] = []

    def attempt(account_id: int, amount: int) -> None:
        with app.app_context():
            actor = db.session.get(Account, account_id)
            barrier.wait()
            try:
                funding.subscribe(project_id, amount, actor=actor, now=at(5))
                outcomes.append("subscribed")
            except (Conflict, Invalid):
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001 - any other failure is the bug we look for
                outcomes.append(f"error:{error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(a, half if n % 2 else rest))
               for n, a in enumerate(bidders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    db.session.expire_all()
    final = db.session.get(Project, project_id)
    live = sum(s.amount_fen for s in final.subscriptions if s.is_live)
    assert final.committed_fen == live <= target
    stood = [s for s in final.subscriptions if s.is_live]
    assert len(stood) - 1 == outcomes.count("subscribed") >= 2
    assert outcomes.count("refused") == len(bidders) - outcomes.count("subscribed")
    given = -sum(balance(organization_account(db.session.get(Account, a).organization))
                 for a in [first_id, *bidders])
    assert given == live, "every subscription that stood is on the ledger, and no other"
    if final.state is State.TENDERING:
        assert balance(escrow_account(final)) == target
    assert list(discrepancies()) == []


@pytest.mark.postgres
def test_one_new_enterprise_subscribing_to_two_projects_at_once_opens_one_account(app) -> None:
    cast = gen_cast()
    projects = [gen_project(cast, State.SUBSCRIPTION).id for _ in range(2)]
    newcomer = gen_account(Role.ENTERPRISE).id  # no ledger account yet
    db.session.remove()
    barrier = threading.Barrier(len(projects))
    outcomes: list[str] = []

    def attempt(project_id: int) -> None:
        with app.app_context():
            actor = db.session.get(Account, newcomer)
            barrier.wait()
            try:
                funding.subscribe(project_id, 10_000, actor=actor, now=at(5))
                outcomes.append("subscribed")
            except Exception as error:  # noqa: BLE001 - the failure this test looks for
                outcomes.append(f"error:{error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes == ["subscribed", "subscribed"]
    enterprise = db.session.get(Account, newcomer).organization
    assert balance(organization_account(enterprise)) == -20_000
    assert list(discrepancies()) == []
