"""Every refusal of a rule names the rule: a funder's system branches on ``rule``, not on prose."""

import ast
from pathlib import Path

import pytest

from marketplace.services.core.errors import Conflict

SOURCES = Path(__file__).resolve().parents[3] / "marketplace"


def test_a_conflict_cannot_be_raised_without_its_rule() -> None:
    with pytest.raises(TypeError):
        Conflict("The window is closed.")  # type: ignore[call-arg]
    assert Conflict("The window is closed.", rule="window_open").rule == "window_open"


def test_every_conflict_in_the_services_names_a_rule_in_snake_case() -> None:
    raised = []
    for path in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Conflict":
                rule = next((k.value for k in node.keywords if k.arg == "rule"), None)
                raised.append((f"{path.name}:{node.lineno}", rule))
    assert len(raised) > 30  # the scan reached the services
    unnamed = [(where, ast.dump(rule) if rule else None) for where, rule in raised
               if not (isinstance(rule, ast.Constant) and rule.value.replace("_", "").isalpha()
                       and rule.value.islower())]
    assert unnamed == []
