"""The lifecycle table itself: its states, its drawing, and that it stays free of Flask."""

import ast
from pathlib import Path

import marketplace.lifecycle as lifecycle
from marketplace.lifecycle import RULES, State


def test_states_are_exactly_the_policy_stages_and_ends() -> None:
    assert [s.value for s in State] == [
        "packaging", "publication", "subscription", "tendering", "implementation",
        "evaluation", "completed", "unfunded", "cancelled", "terminated",
    ]


def test_the_lifecycle_module_imports_no_flask_and_no_database() -> None:
    tree = ast.parse(Path(lifecycle.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "marketplace"}


def test_no_end_state_has_a_way_out() -> None:
    for rule in RULES:
        assert not set(rule.sources) & lifecycle.ENDS, rule.trigger


def test_every_state_is_reachable_from_packaging() -> None:
    reached, frontier = {State.PACKAGING}, [State.PACKAGING]
    while frontier:
        state = frontier.pop()
        for rule in lifecycle.rules_from(state):
            if rule.dest and rule.dest not in reached:
                reached.add(rule.dest)
                frontier.append(rule.dest)
    assert reached == set(State)


def test_mermaid_and_dot_diagrams_come_from_the_table() -> None:
    mermaid = lifecycle.diagram("mermaid")
    dot = lifecycle.diagram("dot")
    for rule in RULES:
        for source in rule.sources:
            dest = (rule.dest or source).value
            assert f"{source.value} --> {dest}: {rule.trigger}" in mermaid
            assert f'{source.value} -> {dest} [label="{rule.trigger}"]' in dot
    assert mermaid.startswith("stateDiagram-v2")
    assert dot.startswith("digraph lifecycle {")
