"""Whatever mix of subscribing, failing, cancelling, awarding and paying happens, the ledger
stays balanced, matches the commitments, and a refused operation posts nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.extensions import db
from marketplace.lifecycle import MoveRefused, State
from marketplace.models import LedgerEntry, MilestoneStatus, Project
from marketplace.services.core.errors import ServiceError
from marketplace.services.core.moves import move
from marketplace.services.finance.ledger_verify import discrepancies
from marketplace.services.implementation import delivery
from marketplace.services.subscription import funding
from marketplace.services.tendering import tender
from tests.factories import at, gen_cast, gen_project

SUBSCRIBE = st.tuples(st.just("subscribe"), st.integers(0, 1), st.integers(1, 100))
WAIT = st.tuples(st.just("wait"), st.integers(1, 20))
STEP = st.one_of(
    SUBSCRIBE, SUBSCRIBE, WAIT, WAIT, st.tuples(st.just("deliver")),
    st.tuples(st.just("fail_funding")),
    st.tuples(st.just("close_subscription")),
    st.tuples(st.just("cancel")),
    st.tuples(st.just("bid"), st.integers(50, 100)),
    st.tuples(st.just("award")),
    st.tuples(st.just("start_contract")),
    st.tuples(st.just("deliver")),
)


def _entries() -> int:
    return db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one()


def _run(step: tuple[Any, ...], project_id: int, cast: Any, now: Any) -> None:
    project = db.session.get(Project, project_id)
    kind = step[0]
    if kind == "subscribe":
        amount = max(project.funding_target_fen * step[2] // 100, 1)
        funding.subscribe(project_id, amount, actor=cast.enterprises[step[1]], now=now)
    elif kind in ("fail_funding", "close_subscription"):
        move(project_id, kind, actor=cast.admin, now=now)
    elif kind == "cancel":
        move(project_id, "cancel", actor=cast.admin, now=now, reason="property test")
    elif kind == "bid":
        plan = [{"title": "一期", "due": (now + timedelta(40)).date().isoformat(), "share_pct": 33},
                {"title": "二期", "due": (now + timedelta(80)).date().isoformat(), "share_pct": 67}]
        tender.submit_bid(project_id, actor=cast.ngos[0], now=now, delivery_plan="入户服务",
                          price_fen=max(project.budget_fen * step[1] // 100, 1),
                          milestone_plan=plan)
    elif kind == "award":
        bid = next((b for b in project.bids if b.is_valid), None)
        move(project_id, "award", actor=cast.community, now=now, bid_id=bid.id if bid else 0)
    elif kind == "start_contract":
        move(project_id, "start_contract", actor="scheduler", now=now)
    elif kind == "deliver":
        pending = [m for m in project.milestones if m.status is not MilestoneStatus.ACCEPTED]
        if not pending:
            return
        delivery.report_progress(project_id, pending[0].id, actor=cast.ngos[0], body="完成",
                                 now=now)
        delivery.review_milestone(project_id, pending[0].id, actor=cast.community,
                                  accept=True, now=now)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.sampled_from([State.SUBSCRIPTION, State.TENDERING, State.IMPLEMENTATION]),
       steps=st.lists(STEP, min_size=1, max_size=20))
def test_the_ledger_holds_whatever_happens(app, start, steps) -> None:
    cast = app.config.setdefault("_property_cast", None) or gen_cast()
    app.config["_property_cast"] = cast
    project_id = gen_project(cast, start).id
    now = at({State.SUBSCRIPTION: 3, State.TENDERING: 11, State.IMPLEMENTATION: 40}[start])
    for step in steps:
        if step[0] == "wait":
            now += timedelta(days=step[1])
            continue
        before = _entries()
        try:
            _run(step, project_id, cast, now)
        except (ServiceError, MoveRefused):
            db.session.rollback()
            assert _entries() == before, f"refused {step} posted nothing"
        db.session.expire_all()
        assert list(discrepancies()) == []
        total = db.session.execute(db.select(db.func.sum(LedgerEntry.amount_fen))).scalar()
        assert (total or 0) == 0
    project = db.session.get(Project, project_id)
    assert project.state in State
