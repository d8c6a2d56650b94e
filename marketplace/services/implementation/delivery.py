"""Implementation: the organization reports on milestones, the community accepts them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    Evidence,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Role,
)
from marketplace.services.core.access import owns_station, require
from marketplace.services.core.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.finance import money
from marketplace.services.implementation import evidence as files
from marketplace.services.record.audit import record


def _milestone(project_id: int, milestone_id: int) -> tuple[object, Milestone]:
    project = lock_project(project_id)
    if project.state is not State.IMPLEMENTATION:
        raise Conflict("The project is not in implementation.", rule="in_implementation")
    milestone = next((m for m in project.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound("No milestone %(id)s in this project.", id=milestone_id)
    return project, milestone


def _contractors_milestone(project_id: int, milestone_id: int,
                           actor: Account) -> tuple[object, Milestone]:
    """The milestone, locked with its project, if ``actor`` belongs to the awarded organization."""
    project, milestone = _milestone(project_id, milestone_id)
    if project.award.organization_id != actor.organization_id:
        raise Forbidden("Only the awarded organization reports on this project.")
    return project, milestone


def report_progress(project_id: int, milestone_id: int, *, actor: Account, body: str,
                    people_served: int = 0, evidence: Sequence[files.Upload] = (),
                    now: datetime | None = None) -> ProgressReport:
    """The awarded organization reports a milestone done, for the community to accept, with
    evidence files whose SHA-256 are sealed into the audit event."""
    now = now or utcnow()
    require(actor, Role.SOCIAL_ORG)
    with files.kept_only_on_commit() as written, atomic():
        project, milestone = _contractors_milestone(project_id, milestone_id, actor)
        if not body.strip():
            raise Invalid("Describe the progress.", field="body")
        if people_served < 0:
            raise Invalid("People served cannot be negative.", field="people_served")
        if milestone.status is MilestoneStatus.ACCEPTED:
            raise Conflict("This milestone is already accepted.", rule="milestone_open")
        checked = files.check(evidence)
        report = ProgressReport(project=project, milestone=milestone, body=body,
                                people_served=people_served, submitted_at=now)
        db.session.add(report)
        milestone.status = MilestoneStatus.REPORTED
        stored = files.store(report, checked, actor=actor, now=now, written=written)
        record(project, actor, "report", now=now, from_state=project.state.value,
               to_state=project.state.value, details={
                   "milestone": milestone.sequence,
                   **({"evidence": [f.sha256 for f in stored]} if stored else {})})
    return report


def add_evidence(project_id: int, milestone_id: int, *, actor: Account,
                 evidence: Sequence[files.Upload], now: datetime | None = None) -> list[Evidence]:
    """More files for the milestone's latest report, while the community has not reviewed it
    (after the review the report is a closed record)."""
    now = now or utcnow()
    require(actor, Role.SOCIAL_ORG)
    with files.kept_only_on_commit() as written, atomic():
        project, milestone = _contractors_milestone(project_id, milestone_id, actor)
        if milestone.status is not MilestoneStatus.REPORTED:
            raise Conflict("Evidence can be added only to a report that awaits review.",
                           rule="report_awaits_review")
        if not evidence:
            raise Invalid("Attach at least one file.", field=files.FIELD)
        report = max((r for r in project.progress_reports if r.milestone_id == milestone.id),
                     key=lambda r: (r.submitted_at, r.id))
        stored = files.store(report, files.check(evidence, already=len(report.evidence)),
                             actor=actor, now=now, written=written)
        record(project, actor, "evidence", now=now, from_state=project.state.value,
               to_state=project.state.value,
               details={"milestone": milestone.sequence, "evidence": [f.sha256 for f in stored]})
    return stored


def review_milestone(project_id: int, milestone_id: int, *, actor: Account, accept: bool,
                     comment: str = "", now: datetime | None = None) -> Milestone:
    """The community accepts a reported milestone or sends it back with a comment."""
    now = now or utcnow()
    require(actor, Role.COMMUNITY)
    with atomic():
        project, milestone = _milestone(project_id, milestone_id)
        if not owns_station(actor, project):
            raise Forbidden("Only the station's own community may accept its milestones.")
        if milestone.status is not MilestoneStatus.REPORTED:
            raise Conflict("Only a reported milestone can be reviewed.",
                           rule="milestone_reported")
        if not accept and not comment.strip():
            raise Invalid("Say what must be done again.", field="comment")
        milestone.status = MilestoneStatus.ACCEPTED if accept else MilestoneStatus.RETURNED
        reviewed = max((r for r in project.progress_reports if r.milestone_id == milestone.id),
                       key=lambda r: r.id, default=None)
        if reviewed is not None:  # the comment is shown beside the report's evidence
            reviewed.review_comment = comment.strip() or None
        milestone.accepted_at = now if accept else None
        if accept:
            money.pay_tranche(project, milestone, now=now)
            project.people_served += sum(r.people_served for r in project.progress_reports
                                         if r.milestone_id == milestone.id)
        record(project, actor, "accept_milestone" if accept else "return_milestone", now=now,
               from_state=project.state.value, to_state=project.state.value,
               reason=comment or None, details={"milestone": milestone.sequence})
    return milestone
