"""Consequences before clicks: the step before a consequential button says what will happen
to money and state, and what it says is what then happens on the ledger."""

from __future__ import annotations

import re

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import MilestoneStatus, Project
from marketplace.services.implementation.delivery import report_progress
from marketplace.web.infra.filters import yuan
from tests.factories import at, gen_cast, gen_project, gen_sheets, state_of
from tests.services.finance.test_ledger import escrow, org


def _steps(page: str) -> list[str]:
    """Each confirmation step: its summary and what it says will happen."""
    return re.findall(r'<details class="confirm-step">(.*?)</details>', page, re.S)


def _step(page: str, label: str) -> str:
    found = [s for s in _steps(page) if re.search(rf"<summary[^>]*>{re.escape(label)}…", s)]
    assert len(found) == 1, label
    return found[0]


def _yuan_in(text: str) -> list[str]:
    return re.findall(r"¥[\d,]+\.\d\d", text)


def test_accepting_says_the_tranche_it_then_releases(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    ngo = next(n for n in cast.ngos if n.organization_id == project.award.organization_id)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    report_progress(project.id, milestone.id, actor=ngo, body="完成", now=at(40))
    clock(at(41))
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}?lang=en").get_data(as_text=True)
    step = _step(page, "Accept")
    assert ngo.organization.name in step
    [announced] = _yuan_in(step)
    before = org(ngo)
    assert client.post(f"/community/projects/{project.id}/milestones/{milestone.id}",
                       data={"decision": "accept", "comment": ""}).status_code == 302
    db.session.expire_all()
    assert yuan(org(ngo) - before) == announced


def test_cancelling_says_what_goes_back_and_it_goes_back(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(12))
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}?lang=en").get_data(as_text=True)
    step = _step(page, "Cancel the project")
    assert 'summary class="button danger"' in step and "cannot be undone" in step
    live = [s for s in project.subscriptions if s.status.value == "committed"]
    assert f"{len(live)} commitments" in step
    [announced] = _yuan_in(step)
    credit_before = sum(org(e) for e in cast.enterprises)
    assert client.post(f"/community/projects/{project.id}/cancel",
                       data={"reason": "场地改造"}).status_code == 302
    db.session.expire_all()
    assert state_of(project.id) is State.CANCELLED
    assert yuan(sum(org(e) for e in cast.enterprises) - credit_before) == announced


def test_the_panels_close_out_says_what_the_escrow_returns(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    gen_sheets(project, list(cast.evaluators))
    clock(at(61))
    auth.login(cast.evaluators[0])
    page = client.get(f"/evaluator/projects/{project.id}?lang=en").get_data(as_text=True)
    step = _step(page, "Close the project out")
    [announced] = _yuan_in(step)
    assert announced == yuan(escrow(db.session.get(Project, project.id)))
    assert "Terminate" not in " ".join(_steps(page))  # a passing score: no termination
    assert client.post(f"/evaluator/projects/{project.id}/close_out",
                       data={"reason": ""}).status_code == 302
    db.session.expire_all()
    assert escrow(db.session.get(Project, project.id)) == 0
