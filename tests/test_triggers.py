"""One trigger, one row: every table keyed by a trigger names only what the record knows.

The lifecycle's rules name the moves (and, in ``by``, who may fire each); ``audit.EVENTS``
names everything else the chain records. Notifications, what visibility seals, the API's
words and the code's own ``record`` calls are checked against those two lists, so a table
cannot drift from the rule it hangs off.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace import lifecycle
from marketplace.extensions import db
from marketplace.models import AuditEvent
from marketplace.services.core.unit import atomic
from marketplace.services.core.visibility import SEALED_WHILE
from marketplace.services.record.audit import EVENTS, TRIGGERS, record
from marketplace.services.record.notifications import NOTIFIERS
from marketplace.web.api.projects import ALIASES
from marketplace.web.infra.labels import TRIGGER_NAMES
from tests.factories import at

PACKAGE = Path(__file__).resolve().parent.parent / "marketplace"
MOVES = frozenset(lifecycle.TRIGGERS)


def test_events_are_not_moves() -> None:
    assert not EVENTS & MOVES


def test_every_rule_says_who_fires_it() -> None:
    assert all(rule.by for rule in lifecycle.RULES)


def test_notifications_hang_off_known_triggers() -> None:
    assert set(NOTIFIERS) - TRIGGERS == set()


def test_sealed_events_are_known_events() -> None:
    assert set(SEALED_WHILE) - EVENTS == set()


def test_every_trigger_has_its_words_and_the_words_name_only_triggers() -> None:
    assert set(TRIGGER_NAMES) == TRIGGERS  # the decision trails never show a code


def test_api_words_name_moves_and_shadow_none() -> None:
    assert set(ALIASES.values()) - MOVES == set()
    assert set(ALIASES) & TRIGGERS == set()


def _recorded_names() -> set[str]:
    """The event names the package's code passes to ``record`` (or its station wrapper) as
    literals, including both sides of a conditional and module constants."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        constants = {target.id: node.value for node in tree.body
                     if isinstance(node, ast.Assign) for target in node.targets
                     if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in {"record", "_station_event"}):
                continue
            names |= _literals(node.args[2], constants)  # (subject, actor, trigger, ...)
    return names


def _literals(node: ast.expr, constants: dict[str, ast.expr]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _literals(node.body, constants) | _literals(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _literals(constants[node.id], constants)
    return set()  # another module's constant (credit.MOVE): that module's calls are scanned


def test_the_code_records_only_known_names() -> None:
    recorded = _recorded_names()
    assert len(recorded) > 20  # the scan finds the calls it is meant to check
    assert recorded - TRIGGERS == set()


@pytest.mark.usefixtures("app")
def test_an_unknown_event_is_refused_and_nothing_is_written() -> None:
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(ValueError, match="clsoe_out"):
        with atomic():
            record(None, "scheduler", "clsoe_out", now=at(1))
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before
