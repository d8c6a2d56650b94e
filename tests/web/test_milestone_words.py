"""Statuses that mean one thing: each milestone's status, read in its own row of each page
that lists milestones, in Chinese (issue 15: never the station's 待审批 for a milestone that
nobody reported)."""

from __future__ import annotations

import re

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import MilestoneStatus, Project
from marketplace.services.implementation.delivery import report_progress, review_milestone
from tests.factories import at, gen_cast, gen_project

WORDS = {MilestoneStatus.PENDING: "待提交", MilestoneStatus.REPORTED: "已提交待验收",
         MilestoneStatus.ACCEPTED: "已验收", MilestoneStatus.RETURNED: "退回"}


def _row_of(page: str, sequence: int, title: str) -> str:
    """The table row (public page) or card heading (role pages) of one milestone."""
    found = re.search(rf"<(tr|h3)>(?:(?!</\1>).)*?{sequence}\. {re.escape(title)}.*?</\1>", page,
                      re.S)
    assert found, f"no row for milestone {sequence}"
    return found.group(0)


def _pages(client, auth, cast, project, ngo) -> dict[str, str]:  # noqa: ANN001
    pages = {"public": client.get(f"/projects/{project.id}").get_data(as_text=True)}
    auth.login(ngo)
    pages["ngo"] = client.get(f"/ngo/projects/{project.id}").get_data(as_text=True)
    auth.logout()
    auth.login(cast.community)
    pages["community"] = client.get(f"/community/projects/{project.id}").get_data(as_text=True)
    auth.logout()
    return pages


def test_each_milestone_status_has_its_own_word_on_every_page(client, auth) -> None:
    cast = gen_cast()
    seen = set()
    # the open milestone of three projects in implementation: left, reported, sent back
    for then in (None, MilestoneStatus.REPORTED, MilestoneStatus.RETURNED):
        project = gen_project(cast, State.IMPLEMENTATION)
        ngo = next(n for n in cast.ngos if n.organization_id == project.award.organization_id)
        open_one = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
        if then is not None:
            report_progress(project.id, open_one.id, actor=ngo, body="完成", now=at(40))
        if then is MilestoneStatus.RETURNED:
            review_milestone(project.id, open_one.id, actor=cast.community, accept=False,
                             comment="请补充签到表", now=at(41))
        db.session.expire_all()
        wanted = {m.sequence: (m.title, m.status)
                  for m in db.session.get(Project, project.id).milestones}
        seen |= {status for _, status in wanted.values()}
        for name, page in _pages(client, auth, cast, project, ngo).items():
            for sequence, (title, status) in wanted.items():
                row = _row_of(page, sequence, title)
                assert WORDS[status] in row, (name, sequence, status)
                assert "待审批" not in row, (name, sequence)
    assert seen == set(MilestoneStatus)  # every status was read on the pages
