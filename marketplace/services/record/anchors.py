"""Anchors: the audit chain's head, published outside the database.

The chain proves that no event was changed, inserted or removed *before* the newest one, but
whoever can delete rows can delete the newest events and leave a shorter chain that still
holds. An anchor is the head (newest event id, its hash, the number of events) written to an
append-only log that is then copied somewhere the database's owner cannot reach: printed in the
county report, e-mailed to the civil-affairs bureau. Checking the database against the copied
anchors shows any anchored event that is gone or rewritten, and any shrinking of the record.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from marketplace.extensions import db
from marketplace.models import AuditEvent


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment: enough to find the event again and recheck it."""

    event_id: int
    hash: str
    at: str  # when the newest event happened, naive UTC
    count: int  # events up to and including ``event_id``
    anchored_at: str

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


class BadAnchorLog(ValueError):
    """A line of the anchor log that is not an anchor: the copy was damaged or edited."""


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def head(now: datetime) -> Anchor | None:
    """The newest event and the number of events, as an anchor stamped ``now``; None if empty."""
    newest = db.session.execute(
        db.select(AuditEvent.id, AuditEvent.hash, AuditEvent.at)
        .order_by(AuditEvent.id.desc()).limit(1)).one_or_none()
    if newest is None:
        return None
    count = db.session.execute(
        db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.id <= newest.id)
    ).scalar_one()
    return Anchor(event_id=newest.id, hash=newest.hash or "", at=_iso(newest.at), count=count,
                  anchored_at=_iso(now))


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the log, oldest first; no file means no anchors yet."""
    if not path.exists():
        return []
    anchors = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            values: dict[str, Any] = json.loads(text)
            anchors.append(Anchor(event_id=int(values["event_id"]), hash=str(values["hash"]),
                                  at=str(values["at"]), count=int(values["count"]),
                                  anchored_at=str(values["anchored_at"])))
        except (ValueError, KeyError, TypeError):
            raise BadAnchorLog(f"line {number} of {path} is not an anchor") from None
    return anchors


def latest_anchor(path: Path) -> Anchor | None:
    anchors = read_anchors(path)
    return anchors[-1] if anchors else None


def anchor(path: Path, now: datetime) -> tuple[Anchor | None, bool]:
    """Append the current head to the log unless it is already the last line there.

    Returns the head and whether a line was written. The line is flushed to disk before
    returning, so a copy taken right after holds it.
    """
    current = head(now)
    last = latest_anchor(path)
    if current is None or (last is not None and (last.event_id, last.hash, last.count)
                           == (current.event_id, current.hash, current.count)):
        return current, False
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:
        log.write(current.line() + "\n")
        log.flush()
        os.fsync(log.fileno())
    return current, True


def check_anchors(anchors: list[Anchor]) -> list[str]:
    """What the database no longer agrees with, one sentence per anchor; empty if all hold.

    Each anchored event must still exist with the same hash, and the number of events up to it
    must be what was counted then: fewer means events were deleted, even if the chain that is
    left still links up.
    """
    problems = []
    stored = dict(db.session.execute(
        db.select(AuditEvent.id, AuditEvent.hash)
        .where(AuditEvent.id.in_({a.event_id for a in anchors}))).all()) if anchors else {}
    for a in anchors:
        when = f"anchored {a.anchored_at}"
        if a.event_id not in stored:
            problems.append(f"event #{a.event_id} ({when}) is missing")
            continue
        if stored[a.event_id] != a.hash:
            problems.append(f"event #{a.event_id} no longer has the hash {when}")
        count = db.session.execute(
            db.select(db.func.count()).select_from(AuditEvent)
            .where(AuditEvent.id <= a.event_id)).scalar_one()
        if count != a.count:
            problems.append(f"{count} events up to event #{a.event_id}, but {a.count} were "
                            f"{when}: events before it were deleted or inserted")
    return problems
