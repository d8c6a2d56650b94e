"""`flask audit verify` catches an edit, a deletion and an insertion made directly in SQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Project
from marketplace.services.core.unit import atomic
from marketplace.services.record.audit import record, verify
from tests.factories import at, gen_cast, gen_project


@pytest.fixture
def trail(app) -> list[int]:
    """A project walked to implementation: a dozen chained events; their ids in order."""
    gen_project(gen_cast(), State.IMPLEMENTATION)
    ids = db.session.execute(db.select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
    assert len(ids) >= 8
    return list(ids)


def _tamper(sql: str, **params: object) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


def test_every_event_links_to_the_one_before(trail) -> None:
    events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert events[0].prev_hash == "0" * 64
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash and len(after.hash) == 64


def test_a_clean_demo_database_verifies(runner) -> None:
    seed()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_an_edited_row_is_named(trail, runner) -> None:
    victim = trail[4]
    _tamper("UPDATE audit_events SET actor = 'someone else' WHERE id = :id", id=victim)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"event #{victim} was changed" in result.output


def test_an_edit_that_also_rewrites_the_hash_is_caught_at_the_next_link(trail, runner) -> None:
    victim = trail[4]
    _tamper("UPDATE audit_events SET reason = 'backdated', hash = :fake WHERE id = :id",
            id=victim, fake="f" * 64)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"event #{victim}" in result.output


def test_a_deleted_row_is_named_by_its_neighbours(trail, runner) -> None:
    before, victim, after = trail[2], trail[3], trail[4]
    _tamper("DELETE FROM audit_events WHERE id = :id", id=victim)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert "removed" in result.output
    assert f"between event #{before} and event #{after}" in result.output


@pytest.mark.parametrize("position", ["middle", "end"])
def test_an_inserted_row_is_named(trail, runner, position) -> None:
    if position == "middle":
        _tamper("DELETE FROM audit_events WHERE id = :id", id=trail[5])
        # Re-chain around the gap so only the forged row below is out of place.
        _tamper("UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events "
                "WHERE id = :before) WHERE id = :after", before=trail[4], after=trail[6])
        forged_id = trail[5]
    else:
        forged_id = trail[-1] + 1
    project_id = db.session.execute(db.select(AuditEvent.project_id).limit(1)).scalar_one()
    _tamper("INSERT INTO audit_events (id, project_id, actor, at, trigger, details, prev_hash, "
            "hash) VALUES (:id, :project, 'admin', '2026-03-02 10:00:00', 'cancel', '{}', "
            ":prev, :hash)", id=forged_id, project=project_id, prev="1" * 64, hash="2" * 64)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"event #{forged_id}" in result.output and "inserted" in result.output


@pytest.mark.postgres
def test_concurrent_writers_never_chain_onto_the_same_predecessor(app) -> None:
    """Eight transactions record at once on PostgreSQL; the chain still links one by one."""
    project_id = gen_project(gen_cast()).id
    db.session.remove()
    barrier = threading.Barrier(8)

    def write(n: int) -> None:
        with app.app_context():
            barrier.wait()
            with atomic():
                record(db.session.get(Project, project_id), f"writer {n}", "inspect", now=at(n),
                       details={"n": n})
            db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    prev_hashes = db.session.execute(db.select(AuditEvent.prev_hash)).scalars().all()
    assert len(prev_hashes) == 9 and len(set(prev_hashes)) == 9
    assert verify() is None
