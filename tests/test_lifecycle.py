"""The lifecycle table itself: its states, its drawing, and that it stays free of Flask."""

import ast
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

import marketplace.lifecycle as lifecycle
from marketplace.lifecycle import RULES, Move, MoveRefused, Party, State

NOW = datetime(2026, 5, 1, 9, 0)


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


# --- who may fire each rule -----------------------------------------------------------------

def test_every_rule_says_who_may_fire_it_and_the_clock_fires_every_timed_one() -> None:
    for rule in RULES:
        assert rule.by and rule.by <= set(Party), rule.trigger
        assert (Party.CLOCK in rule.by) == bool(rule.at), rule.trigger


def test_the_panels_decisions_are_for_a_seated_member_or_the_administrator_only() -> None:
    assert lifecycle.DECISIONS == ("close_out", "return_for_rectification", "terminate")
    for trigger in lifecycle.DECISIONS:
        assert lifecycle.movers(trigger) == {Party.PANEL, Party.ADMIN}
        assert not lifecycle.may_fire(trigger, {Party.COMMUNITY, Party.SUPPLIER, Party.CLOCK})
    assert not lifecycle.may_fire("submit", {Party.PANEL, Party.ADMIN})


def test_an_unknown_trigger_is_refused_never_given_to_the_administrator() -> None:
    with pytest.raises(MoveRefused) as refused:
        lifecycle.may_fire("make_me_rich", {Party.ADMIN})
    assert refused.value.trigger == "make_me_rich" and "Unknown move" in refused.value.message


def test_a_move_fired_as_nobody_is_refused_before_any_guard() -> None:
    project = SimpleNamespace(state=State.EVALUATION)
    with pytest.raises(MoveRefused) as refused:
        lifecycle.fire(project, Move("close_out", actor="x", now=NOW))
    assert refused.value.guard == "not_allowed" and project.state is State.EVALUATION


def _panel(seated: int, recused: int, sheets: int, quorum: int | None) -> SimpleNamespace:
    panel = [SimpleNamespace(evaluator_id=n, is_recused=n >= seated)
             for n in range(seated + recused)]
    evaluations = [SimpleNamespace(evaluator_id=n) for n in range(sheets)]
    return SimpleNamespace(panel=panel, panel_quorum=quorum,
                           counted_evaluations=lambda: evaluations)


@pytest.mark.parametrize(("seated", "recused", "sheets", "quorum", "decided"), [
    (3, 0, 1, None, False),  # the finding: one sheet of three
    (3, 0, 2, None, False),
    (3, 0, 3, None, True),
    (3, 0, 2, 2, True),
    (2, 1, 2, None, True),  # the recused member's seat does not wait
    (2, 1, 2, 3, False),  # a quorum above the seated panel waits for a new member
    (0, 0, 0, None, False),  # no panel decides nothing
])
def test_the_panel_decides_with_every_seated_member_or_its_quorum(
        seated: int, recused: int, sheets: int, quorum: int | None, decided: bool) -> None:
    assert lifecycle.panel_tally(_panel(seated, recused, sheets, quorum)).decided is decided


# --- the windows ----------------------------------------------------------------------------

def test_the_windows_compare_the_clock_with_the_projects_dates() -> None:
    later = NOW + timedelta(hours=1)
    tender = SimpleNamespace(state=State.TENDERING, tender_closes_at=later,
                             enquiry_closes_at=NOW, award=None, standstill_ends_at=None)
    assert lifecycle.tender_open(tender, NOW) and not lifecycle.tender_open(tender, later)
    assert not lifecycle.enquiry_open(tender, NOW)
    assert not lifecycle.in_standstill(tender, NOW)
    tender.award = SimpleNamespace(contract_started_at=None)
    tender.standstill_ends_at = later
    assert lifecycle.in_standstill(tender, NOW) and not lifecycle.in_standstill(tender, later)
    subscription = SimpleNamespace(state=State.SUBSCRIPTION, subscription_closes_at=later)
    assert lifecycle.subscription_open(subscription, NOW)
    assert not lifecycle.subscription_open(subscription, later)
    subscription.state = State.TENDERING
    assert not lifecycle.subscription_open(subscription, NOW)
