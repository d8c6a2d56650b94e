"""The audit chain's arithmetic: canonical JSON of an event and its SHA-256 link.

Pure functions, no Flask and no session, so the migration that seals old rows and
``flask audit verify`` compute exactly the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of the first event
FIELDS = ("id", "project_id", "actor", "actor_account_id", "at", "trigger", "from_state",
          "to_state", "reason", "details")
# Hashed only when set, so events chained before these columns existed keep their hashes.
OPTIONAL_FIELDS = ("station_id",)


def _timestamp(value: datetime) -> str:
    """Naive UTC with microseconds: the same text whichever database returned the value."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def canonical(event: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, fixed datetime format: one text per event, byte for byte."""
    values = {name: event[name] for name in FIELDS}
    values.update({name: event[name] for name in OPTIONAL_FIELDS if event.get(name) is not None})
    values["at"] = _timestamp(values["at"])
    values["details"] = values["details"] or {}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain stops holding, and what most likely happened there."""

    event_id: int
    kind: str  # "changed", "inserted" or "removed"
    message: str


def first_break(rows: Iterable[Mapping[str, Any]]) -> Break | None:
    """Walk the events in id order; the first one whose link does not hold, or None.

    Each row carries the event's fields plus its stored ``prev_hash`` and ``hash``.
    """
    events = list(rows)
    expected_prev, previous_id = GENESIS, None
    for n, event in enumerate(events):
        event_id = event["id"]
        if event["prev_hash"] != expected_prev:
            following = events[n + 1] if n + 1 < len(events) else None
            if following is None:
                return Break(event_id, "inserted",
                             f"event #{event_id} does not follow {_name(previous_id)}: it was "
                             "inserted, or an event before it was removed")
            if following["prev_hash"] == expected_prev:
                return Break(event_id, "inserted",
                             f"event #{event_id} was inserted: it does not follow "
                             f"{_name(previous_id)}")
            where = f"between {_name(previous_id)} and event #{event_id}"
            return Break(event_id, "removed",
                         f"an event was removed (or rewritten) {where}")
        if link(expected_prev, event) != event["hash"]:
            return Break(event_id, "changed",
                         f"event #{event_id} was changed after it was recorded")
        expected_prev, previous_id = event["hash"], event_id
    return None


def _name(event_id: int | None) -> str:
    return "the start of the record" if event_id is None else f"event #{event_id}"
