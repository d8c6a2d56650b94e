"""A project as it stood at a past moment: what its page and the API's detail show with
``?as_of=`` (issue 16: any page as of any date).

Nothing is stored for it. The state, the deadlines, the award, the milestones and the
decisions are read from the audit chain cut at that moment, the same cut the OCDS releases
are built from (``ocds.moment_at``), and the money from the ledger's transactions dated by
then (``transparency.money_trail(until=)``). The rows that change over a project's life
(its state, deadlines, award, milestones) are put back as they were by ``ProjectThen``, a
read-only view the page's template and the API's serializer read like the row itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_

from marketplace.clock import from_local
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    AuditEvent,
    Award,
    Milestone,
    MilestoneStatus,
    NamingRight,
    Project,
    Station,
)
from marketplace.ocds import Moment, deadline_then, live_at, moment_at, trail_of
from marketplace.services.core.errors import Invalid, NotFound
from marketplace.services.core.visibility import PUBLIC_STATES
from marketplace.services.finance.money import matches_of

FIELD = "as_of"
# The panel's decisions: once one is recorded, the result of the round it closed is public.
DECISIONS = frozenset({"close_out", "terminate", "return_for_rectification"})
DEADLINES = ("subscription_closes_at", "enquiry_closes_at", "tender_closes_at")
# A milestone's events, and the status each leaves it in.
MILESTONE_EVENTS = {"report": MilestoneStatus.REPORTED,
                    "accept_milestone": MilestoneStatus.ACCEPTED,
                    "return_milestone": MilestoneStatus.RETURNED}


def parse_as_of(text: str | None) -> datetime | None:
    """The moment asked for, as stored UTC; None: no value (today's page).

    A bare date is the end of that local day; a time without an offset is local time. A
    moment not yet come is the caller's to treat as now: the page as it stands now is what
    it will have said then, so far.
    """
    if text is None or not text.strip():
        return None
    try:
        return from_local(text)
    except (ValueError, OverflowError):
        raise Invalid("Give a date (2026-12-07) or a time (2026-12-07T12:00).",
                      field=FIELD) from None


@dataclass(frozen=True)
class MilestoneThen:
    """A milestone as it stood then: its status and acceptance from the trail."""

    row: Milestone
    status: MilestoneStatus
    accepted_at: datetime | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)

    def is_overdue(self, today: Any) -> bool:
        return self.status is not MilestoneStatus.ACCEPTED and today > self.row.due_on


@dataclass(frozen=True)
class AwardThen:
    """The award once made; its contract started only if it had by then."""

    row: Award
    contract_started_at: datetime | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


class ProjectThen:
    """The project row as it stood at ``moment``; whatever is not put back is today's (the
    items, budget and targets, fixed once the bundle was published)."""

    def __init__(self, project: Project, events: list[AuditEvent], moment: Moment) -> None:
        self._row, self._events, self.moment = project, events, moment
        stages = [e for e in moment.seen if e.to_state is not None]
        self.state = State(stages[-1].to_state) if stages else State.PACKAGING
        for field in DEADLINES:
            setattr(self, field, deadline_then(project, events, moment, field))
        self.award = self._award()
        self.milestones = self._milestones()
        self.rectifications = len(moment.all("return_for_rectification"))
        ended = [e for e in moment.seen if e.trigger in ("close_out", "terminate", "cancel",
                                                          "fail_funding", "abandon_tender")]
        self.closed_at = ended[-1].at if ended else None
        self.standstill_ends_at = project.standstill_ends_at if self.award else None
        entered = [e for e in moment.seen if e.trigger == "submit_for_evaluation"]
        later = [e for e in events[len(moment.seen):] if e.trigger == "submit_for_evaluation"]
        # evaluation_due_at is reset at each round: an earlier round's is not kept
        self.evaluation_due_at = project.evaluation_due_at if entered and not later else None
        self.progress_reports = [r for r in project.progress_reports
                                 if r.submitted_at <= moment.at]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)

    @property
    def at(self) -> datetime:
        return self.moment.at

    @property
    def committed_fen(self) -> int:
        """Subscribed by then and not yet handed back, with the fund's matches of it."""
        live = [s for s in self._row.subscriptions if live_at(s, self.at)]
        matched = matches_of(self._row)
        return sum(s.amount_fen + (matched[s.id].amount_fen if s.id in matched
                                   and matched[s.id].created_at <= self.at else 0)
                   for s in live)

    @property
    def remaining_fen(self) -> int:
        return max(self.funding_target_fen - self.committed_fen, 0)

    @property
    def people_served(self) -> int:
        """Today's count less what the reports of milestones accepted since then added."""
        accepted_then = {e.details.get("milestone") for e in self.seen("accept_milestone")}
        later = sum(r.people_served for r in self._row.progress_reports
                    if r.milestone is not None and r.milestone.accepted_at is not None
                    and r.milestone.sequence not in accepted_then)
        return self._row.people_served - later

    @property
    def published_at(self) -> datetime | None:
        published = self.moment.first("publish")
        return published.at if published is not None else None

    @property
    def tender_reopened(self) -> bool:
        return self.moment.first("reopen_tender") is not None

    def seen(self, trigger: str) -> list[AuditEvent]:
        return self.moment.all(trigger)

    def decided_since(self) -> bool:
        """A panel decision was recorded after this moment: the result shown today is a
        later round's, not one the page showed then."""
        return any(e.trigger in DECISIONS for e in self._events[len(self.moment.seen):])

    def _award(self) -> AwardThen | None:
        award = self._row.award
        if award is None or self.moment.first("award") is None:
            return None
        started = self.moment.first("start_contract")
        return AwardThen(award, started.at if started is not None else None)

    def _milestones(self) -> list[MilestoneThen]:
        """The milestones known by then (each rectification added one later), each with the
        status its last report, acceptance or return had left it in."""
        later = sum(1 for e in self._events[len(self.moment.seen):]
                    if e.trigger == "return_for_rectification")
        if self.moment.first("start_contract") is None:
            return []  # the winning bid's plan becomes milestones when the contract starts
        known = sorted(self._row.milestones, key=lambda m: m.sequence)
        known = known[:len(known) - later]
        status: dict[int, tuple[MilestoneStatus, datetime]] = {}
        for event in self.moment.seen:
            if event.trigger in MILESTONE_EVENTS:
                status[event.details.get("milestone")] = (MILESTONE_EVENTS[event.trigger],
                                                          event.at)
        shown = []
        for m in known:
            then, at = status.get(m.sequence, (MilestoneStatus.PENDING, None))
            shown.append(MilestoneThen(m, then,
                                       at if then is MilestoneStatus.ACCEPTED else None))
        return shown


def project_then(project: Project, at: datetime) -> ProjectThen:
    """The project at ``at``; NotFound (naming the field) before it was public."""
    events = trail_of(project)
    moment = moment_at(events, at)
    then = ProjectThen(project, events, moment) if moment is not None else None
    if then is None or then.state not in PUBLIC_STATES or then.moment.first("publish") is None:
        raise NotFound("This project was not public yet at that moment.", field=FIELD)
    return then


class StationThen:
    """An approved station as it stood at ``at``: the name it carried then (a sponsor's only
    while their naming right ran), its projects as each stood then."""

    def __init__(self, station: Station, at: datetime) -> None:
        self._row, self.at = station, at
        named = db.session.execute(
            db.select(NamingRight.name).where(
                NamingRight.station_id == station.id, NamingRight.starts_at.is_not(None),
                NamingRight.starts_at <= at,
                or_(NamingRight.ends_at.is_(None), NamingRight.ends_at > at))
            .order_by(NamingRight.starts_at.desc()).limit(1)).scalar_one_or_none()
        self.display_name = named or station.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def station_then(station: Station, at: datetime) -> StationThen:
    """The station at ``at``; NotFound (naming the field) before it was approved (a station
    approved with no recorded time, as a data load makes them, is shown)."""
    if station.decided_at is not None and station.decided_at > at:
        raise NotFound("This station was not approved yet at that moment.", field=FIELD)
    return StationThen(station, at)


def projects_then(projects: list[Project], at: datetime) -> list[ProjectThen]:
    """Those of ``projects`` that were public at ``at``, each as it stood then."""
    shown = []
    for project in projects:
        try:
            shown.append(project_then(project, at))
        except NotFound:
            continue
    return shown
