"""The set-based sweep writes exactly what the ORM path writes: same rows, ids and hashes.

One world of due projects is built twice from scratch with the clock frozen: once swept with
every move through ``moves.apply``, once with the subscription-stage moves written as rows
(``scheduler/bulk``). Every table a sweep writes must come out identical, column by column,
and so must the OCDS releases the moves make.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest

import marketplace.clock
import tests.factories
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    AuditEvent,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    MatchOffer,
    Notification,
    OutboxMail,
    Project,
    Subscription,
)
from marketplace.ocds import canonical, releases
from marketplace.services.finance.ledger_verify import discrepancies
from marketplace.services.record.audit import verify
from marketplace.services.subscription import funding
from marketplace.services.subscription.matching import OfferDraft, open_offer
from scheduler import bulk
from scheduler.jobs import run_due
from tests.conftest import _empty_tables
from tests.factories import T0, at, gen_cast, gen_project

SWEEP_AT = at(16.5)
WRITTEN = (Project, Subscription, LedgerAccount, LedgerTransaction, LedgerEntry, AuditEvent,
           Notification, OutboxMail, MatchOffer)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime(2026, 3, 1, 8, 0, tzinfo=tz)


def _world(*, late: bool = False) -> None:
    """Due at ``SWEEP_AT``: one of each case the set-based path must get right and, if
    ``late``, one it must leave to the ORM path in the same batch."""
    tests.factories._serial = itertools.count(1)  # the same e-mail addresses both times
    cast = gen_cast()
    open_offer(OfferDraft(name="福彩配捐", ratio_pct=50, cap_per_subscription_fen=10**12,
                          cap_per_project_fen=10**12, budget_fen=10**12, opens_at=at(0),
                          closes_at=at(60), source_code="fund:source:lottery"),
               actor=cast.admin, now=at(1))
    ent0, ent1 = cast.enterprises
    # published, never subscribed: opens and fails in one sweep
    gen_project(cast, State.PUBLICATION)
    # funded between minimum and target, two matched subscribers: collected into new escrow
    funded = gen_project(cast, State.SUBSCRIPTION)
    funding.subscribe(funded.id, funded.funding_target_fen // 6, actor=ent1, now=at(4))
    # below minimum, one enterprise twice: released, matches back to the fund and the offer
    short = gen_project(cast, State.SUBSCRIPTION)
    funding.subscribe(short.id, 1_000, actor=ent0, now=at(5))
    funding.subscribe(short.id, 2_000, actor=ent1, now=at(5))
    if late:  # funded long ago, its tender deadline already past: beyond this path's reach
        old = gen_project(cast, State.SUBSCRIPTION, start=T0 - timedelta(days=20))
        funding.subscribe(old.id, old.funding_minimum_fen - old.committed_fen, actor=ent1,
                          now=T0 - timedelta(days=10))


def _dump() -> dict[str, list[dict[str, Any]]]:
    db.session.expire_all()
    return {model.__tablename__: [dict(row) for row in db.session.execute(
                db.select(model.__table__).order_by(model.__table__.c.id)).mappings()]
            for model in WRITTEN}


def _releases() -> list[bytes]:
    """Every project's OCDS releases, byte for byte: the sweep's moves make them too."""
    projects = db.session.execute(db.select(Project).order_by(Project.id)).scalars()
    return [canonical(r) for p in projects for r in releases(p)]


def _swept(set_based: bool, *, late: bool = False
           ) -> tuple[dict[int, list[str]], dict[str, list[dict[str, Any]]]]:
    """The sweep's moves and the tables after it.

    A project's ``version`` is only compared as bumped: the ORM bumps it once per flush of the
    row, and how often it flushes mid-batch is its own affair (on PostgreSQL the chain lock's
    statement autoflushes a move before the next one on the same project).
    """
    _world(late=late)
    versions = dict(db.session.execute(db.select(Project.id, Project.version)).all())
    db.session.remove()
    moved = run_due(SWEEP_AT, set_based=set_based)
    tables = _dump()
    for project in tables["projects"]:
        assert project.pop("version") > versions[project["id"]] or project["id"] not in moved
    return moved, tables


@pytest.fixture
def set_based_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the projects the set-based path wrote."""
    written: list[int] = []
    write = bulk.Batch.write

    def counting_write(batch: bulk.Batch) -> None:
        written.extend(row.id for row in batch.rows)
        write(batch)

    monkeypatch.setattr(bulk.Batch, "write", counting_write)
    return written


def test_the_set_based_sweep_writes_the_same_rows_ids_and_hashes(
        app, monkeypatch: pytest.MonkeyPatch, set_based_rows: list[int]) -> None:
    monkeypatch.setattr(marketplace.clock, "datetime", _Frozen)
    reference_moves, reference = _swept(set_based=False)
    reference_releases = _releases()
    assert not set_based_rows
    assert sorted(reference_moves.values()) == [
        ["close_subscription"], ["fail_funding"], ["open_subscription", "fail_funding"]]
    lottery = next(a["id"] for a in reference["ledger_accounts"]
                   if a["code"] == "fund:source:lottery")
    released = {t["id"] for t in reference["ledger_transactions"]
                if t["trigger"] == "fail_funding"}
    assert any(e["account_id"] == lottery and e["amount_fen"] > 0
               for e in reference["ledger_entries"] if e["transaction_id"] in released)
    assert len(reference["notifications"]) >= 4

    _empty_tables()
    moves, fast = _swept(set_based=True)

    assert sorted(set_based_rows) == sorted(moves)
    assert moves == reference_moves
    for table, rows in reference.items():
        assert fast[table] == rows, table
    assert _releases() == reference_releases
    assert sum(b'"tag":["tenderCancellation"]' in r for r in reference_releases) == 2
    assert verify() is None
    assert list(discrepancies()) == []


def test_a_batch_mixes_both_paths_and_keeps_the_chain_and_the_ledger(
        app, set_based_rows: list[int]) -> None:
    moved, written = _swept(set_based=True, late=True)
    assert len(moved) == 4 and len(set_based_rows) == 3  # the late one through the ORM
    states = [p["state"] for p in written["projects"]]
    assert states == [State.UNFUNDED, State.TENDERING, State.UNFUNDED, State.TENDERING]
    assert len({e["project_id"] for e in written["audit_events"]
                if e["actor"] == "scheduler" and e["at"] == SWEEP_AT}) == 4
    assert verify() is None
    assert list(discrepancies()) == []


def test_a_set_based_batch_that_fails_is_retried_through_the_orm(
        app, monkeypatch: pytest.MonkeyPatch) -> None:
    _world(late=True)

    def broken(batch: bulk.Batch) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(bulk.Batch, "write", broken)
    moved = run_due(SWEEP_AT)
    assert len(moved) == 4
    states = db.session.execute(db.select(Project.state).order_by(Project.id)).scalars().all()
    assert states == [State.UNFUNDED, State.TENDERING, State.UNFUNDED, State.TENDERING]
    assert verify() is None
    assert list(discrepancies()) == []
