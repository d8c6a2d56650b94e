"""Anchors catch what the chain alone cannot: its newest events deleted after publication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent
from marketplace.services.core.unit import atomic
from marketplace.services.record.audit import record
from tests.factories import at, gen_cast, gen_project


@pytest.fixture
def log(app, tmp_path) -> Path:
    """A project's events on the chain, and the anchor log configured in a scratch folder."""
    gen_project(gen_cast(), State.IMPLEMENTATION)
    app.config["AUDIT_ANCHOR_LOG"] = str(tmp_path / "instance" / "audit-anchors.jsonl")
    return Path(app.config["AUDIT_ANCHOR_LOG"])


def _ids() -> list[int]:
    return list(db.session.execute(db.select(AuditEvent.id).order_by(AuditEvent.id)).scalars())


def _note(day: float) -> None:
    with atomic():
        record(None, "scheduler", "inspect", now=at(day))


def _delete(*ids: int) -> None:
    for event_id in ids:
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event_id})
    db.session.commit()


def test_anchor_appends_the_head_once_per_change(log, runner) -> None:
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 0, result.output
    newest = _ids()[-1]
    assert f"Anchored event #{newest}" in result.output
    again = runner.invoke(args=["audit", "anchor"])
    assert "already the last anchor" in again.output
    _note(100)
    runner.invoke(args=["audit", "anchor"])
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["event_id"] for line in lines] == [newest, _ids()[-1]]
    assert lines[0]["count"] == len(_ids()) - 1 and len(lines[0]["hash"]) == 64


def test_an_intact_chain_passes_its_anchors(log, runner) -> None:
    runner.invoke(args=["audit", "anchor"])
    _note(100)  # events after the anchor are fine: the record only grows
    result = runner.invoke(args=["audit", "verify", "--anchor", str(log)])
    assert result.exit_code == 0, result.output
    assert "1 anchors hold" in result.output


def test_deleting_the_newest_event_after_an_anchor_is_caught(log, runner) -> None:
    runner.invoke(args=["audit", "anchor"])
    newest = _ids()[-1]
    _delete(newest)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the chain alone: blind
    result = runner.invoke(args=["audit", "verify", "--anchor", str(log)])
    assert result.exit_code != 0
    assert f"event #{newest} (anchored" in result.output and "is missing" in result.output


def test_deleting_and_recording_anew_over_the_anchored_event_is_caught(log, runner) -> None:
    runner.invoke(args=["audit", "anchor"])
    *_, before, newest = _ids()
    _delete(newest, before)
    _note(100)
    _note(101)  # the record is as long as before, maybe even with the same ids (SQLite)
    result = runner.invoke(args=["audit", "verify", "--anchor", str(log)])
    assert result.exit_code != 0
    assert f"event #{newest}" in result.output


def test_a_damaged_or_absent_anchor_log_is_an_error(log, runner, tmp_path) -> None:
    missing = runner.invoke(args=["audit", "verify", "--anchor", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code != 0 and "No anchor log" in missing.output
    runner.invoke(args=["audit", "anchor"])
    log.write_text(log.read_text() + "not json\n")
    damaged = runner.invoke(args=["audit", "verify", "--anchor", str(log)])
    assert damaged.exit_code != 0 and "line 2" in damaged.output


def test_the_public_head_page_shows_the_head_and_whether_the_anchor_holds(log, client,
                                                                          runner) -> None:
    assert client.get("/audit/head.json").get_json()["anchor"] is None
    runner.invoke(args=["audit", "anchor"])
    newest = _ids()[-1]
    state = client.get("/audit/head.json").get_json()
    assert state["head"]["event_id"] == state["anchor"]["event_id"] == newest
    assert state["anchor_holds"] is True
    page = client.get("/audit/head")
    assert page.status_code == 200 and state["head"]["hash"] in page.get_data(as_text=True)
    _delete(newest)
    state = client.get("/audit/head.json").get_json()
    assert state["anchor_holds"] is False and state["head"]["event_id"] < newest
    assert f"event #{newest}" in state["problems"][0]
