"""The project lifecycle: one table of moves, each with its guards and effects.

packaging → publication → subscription → tendering → implementation → evaluation → completed,
with the failure exits unfunded, cancelled and terminated. The table below is the only place
that says which move goes where; ``transitions`` runs it. Nothing here touches Flask or the
database session: the service that fires a move locks the row, writes the audit event and
commits once, so a move and its side effects land together or not at all.

Each rule also says who may fire it (``by``: the parties of ``Party``), and the windows below
(``subscription_open``, ``tender_open``, ``in_standstill``...) are the one place that compares
the clock with a project's dates.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from transitions import EventData, Machine


class State(enum.StrEnum):
    PACKAGING = "packaging"
    PUBLICATION = "publication"
    SUBSCRIPTION = "subscription"
    TENDERING = "tendering"
    IMPLEMENTATION = "implementation"
    EVALUATION = "evaluation"
    COMPLETED = "completed"
    UNFUNDED = "unfunded"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"


class Party(enum.StrEnum):
    """How an account (or the clock) stands towards one project; a rule names who may fire it."""

    COMMUNITY = "community"  # the community whose station the project belongs to
    SUPPLIER = "supplier"  # the organization the tender was awarded to
    PANEL = "panel"  # a seated member of the project's evaluation panel, not recused
    ADMIN = "admin"  # the civil-affairs administrator
    CLOCK = "clock"  # the platform itself: the scheduler at a deadline, a target reached


ENDS = frozenset({State.COMPLETED, State.UNFUNDED, State.CANCELLED, State.TERMINATED})
DEFAULT_PASS_MARK = 60
DEFAULT_STANDSTILL_DAYS = 5
DEFAULT_EVALUATION_DAYS = 30
RECTIFICATION_DAYS = 30


def N_(message: str) -> str:
    """Marks a guard message for the translation catalogs; the web translates it on display."""
    return message


class MoveRefused(Exception):
    """A move the lifecycle will not make; ``guard`` names the rule that said no."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        self.trigger: str | None = None
        self.state: str | None = None
        self.guard: str = "not_allowed"
        self.clause: str | None = None  # the policy clause (marketplace/policy.py) it rests on
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        return self.message


class GuardFailed(MoveRefused):
    """Raised by a guard; ``fire`` fills in which trigger, state and guard."""


@dataclass
class Move:
    """Everything a move needs besides the project: who, when, why, and its arguments."""

    trigger: str
    actor: str
    now: datetime
    reason: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    pass_mark: int = DEFAULT_PASS_MARK
    standstill_days: int = DEFAULT_STANDSTILL_DAYS
    evaluation_days: int = DEFAULT_EVALUATION_DAYS
    details: dict[str, Any] = field(default_factory=dict)  # effects note what they did
    by: frozenset[Party] = frozenset()  # the parties the actor fires it as; none may fire nothing


Guard = Callable[[Any, Move], None]
Effect = Callable[[Any, Move], None]


def takes_arguments(guard: Guard) -> Guard:
    """Marks a guard that checks the caller's arguments, skipped when listing possible moves."""
    guard.takes_arguments = True  # type: ignore[attr-defined]
    return guard


def about(name: str) -> Callable[[Guard], Guard]:
    """Names the project's field a guard checks, so a form that edits it can say the guard's
    refusal next to that field on save, not only when the move is tried."""

    def mark(guard: Guard) -> Guard:
        guard.field = name  # type: ignore[attr-defined]
        return guard

    return mark


# --- windows: the one place that compares the clock with the project's dates ----------------


def past(deadline: datetime | None, now: datetime) -> bool:
    """The deadline is set and has come."""
    return deadline is not None and now >= deadline


def subscription_open(project: Any, now: datetime) -> bool:
    """Enterprises may subscribe: the project is in subscription and its window not closed."""
    return project.state == State.SUBSCRIPTION and not past(project.subscription_closes_at, now)


def subscription_days_left(project: Any, now: datetime) -> int | None:
    """Whole days (started ones counted) until the subscription closes, while it is open."""
    if not subscription_open(project, now) or project.subscription_closes_at is None:
        return None
    return -(-(project.subscription_closes_at - now) // timedelta(days=1))


def tender_open(project: Any, now: datetime) -> bool:
    """Organizations may bid, or withdraw a bid: the tender runs and has not closed."""
    return project.state == State.TENDERING and not past(project.tender_closes_at, now)


def closes_at(project: Any, now: datetime) -> datetime | None:
    """When the window open now closes: the subscription's or the tender's; None when neither
    is open (or the open one has no date). The listing's "days left" and "closing soon"."""
    if subscription_open(project, now):
        return project.subscription_closes_at
    if tender_open(project, now):
        return project.tender_closes_at
    return None


def enquiry_open(project: Any, now: datetime) -> bool:
    """Bidders may ask questions: the tender runs and its enquiry period has not ended."""
    return (project.state == State.TENDERING and project.enquiry_closes_at is not None
            and not past(project.enquiry_closes_at, now))


def in_standstill(project: Any, now: datetime) -> bool:
    """A provisional award stands and losing bidders may still complain against it."""
    return (project.state == State.TENDERING and project.award is not None
            and project.award.contract_started_at is None
            and project.standstill_ends_at is not None
            and not past(project.standstill_ends_at, now))


# --- the panel: how many of its seated members have scored this round -----------------------


@dataclass(frozen=True)
class PanelTally:
    """``scored`` of ``seated`` members have a sheet in this round; ``quorum`` None: all."""

    scored: int
    seated: int
    quorum: int | None

    @property
    def needed(self) -> int:
        return max(self.quorum if self.quorum is not None else self.seated, 1)

    @property
    def decided(self) -> bool:
        """The panel may decide: enough of its seated members scored (never zero of zero)."""
        return self.seated > 0 and self.scored >= self.needed


def panel_tally(project: Any) -> PanelTally:
    seated = {m.evaluator_id for m in project.panel if not m.is_recused}
    scored = {e.evaluator_id for e in project.counted_evaluations()} & seated
    return PanelTally(scored=len(scored), seated=len(seated), quorum=project.panel_quorum)


# --- guards: each returns quietly or raises GuardFailed with a message for the user ----------


def under_review(project: Any, move: Move) -> None:
    if project.review != "submitted":
        raise GuardFailed(N_("The bundle has not been submitted for review."))


def not_under_review(project: Any, move: Move) -> None:
    if project.review == "submitted":
        raise GuardFailed(N_("The bundle is already waiting for review."))


@about("items")
def has_items(project: Any, move: Move) -> None:
    if not project.items:
        raise GuardFailed(N_("The bundle has no service items."))


@about("items")
def budget_matches_items(project: Any, move: Move) -> None:
    if project.budget_fen != project.items_total_fen:
        raise GuardFailed(
            N_("The budget (%(budget)s fen) must equal the sum of the items (%(items)s fen)."),
            budget=project.budget_fen,
            items=project.items_total_fen,
        )


@about("funding_minimum_fen")
def funding_in_range(project: Any, move: Move) -> None:
    if not 0 < project.funding_minimum_fen <= project.funding_target_fen <= project.budget_fen:
        raise GuardFailed(
            N_("The funding minimum must be above zero, at most the target, "
               "and the target at most the budget.")
        )


@about("subscription_closes_at")
def dates_in_order(project: Any, move: Move) -> None:
    dates = (project.subscription_opens_at, project.subscription_closes_at,
             project.tender_closes_at)
    if None in dates or not dates[0] < dates[1] < dates[2]:
        raise GuardFailed(
            N_("Dates must be set and in order: subscription opens, subscription closes, "
               "tender closes.")
        )


def station_approved(project: Any, move: Move) -> None:
    if not project.station.is_approved:
        raise GuardFailed(N_("The station has not been approved by the administrator."))


def subscription_window_open(project: Any, move: Move) -> None:
    if not past(project.subscription_opens_at, move.now):
        raise GuardFailed(N_("The subscription window has not opened yet."))


def funded(project: Any, move: Move) -> None:
    if project.committed_fen >= project.funding_target_fen:
        return
    if not past(project.subscription_closes_at, move.now):
        raise GuardFailed(N_("The target is not yet reached and the subscription is still open."))
    if project.committed_fen < project.funding_minimum_fen:
        raise GuardFailed(N_("The commitments are below the funding minimum."))


def below_minimum_at_deadline(project: Any, move: Move) -> None:
    if not past(project.subscription_closes_at, move.now):
        raise GuardFailed(N_("The subscription is still open."))
    if project.committed_fen >= project.funding_minimum_fen:
        raise GuardFailed(N_("The funding minimum was reached."))


def tender_closed(project: Any, move: Move) -> None:
    if not past(project.tender_closes_at, move.now):
        raise GuardFailed(N_("The tender is still open; bids stay sealed until it closes."))


def _valid_bids(project: Any) -> list[Any]:
    return [bid for bid in project.bids if bid.is_valid]


@takes_arguments
def chosen_bid_valid(project: Any, move: Move) -> None:
    bid_id = move.args.get("bid_id")
    if not any(bid.id == bid_id for bid in _valid_bids(project)):
        raise GuardFailed(N_("Choose a valid bid of this project's tender."))


def no_valid_bid(project: Any, move: Move) -> None:
    if _valid_bids(project):
        raise GuardFailed(N_("The tender has valid bids; award one of them."))


def not_awarded(project: Any, move: Move) -> None:
    if project.award is not None:
        raise GuardFailed(N_("The tender is already awarded."))


def award_stands(project: Any, move: Move) -> None:
    if project.award is None:
        raise GuardFailed(N_("No award stands."))


def standstill_over(project: Any, move: Move) -> None:
    if not past(project.standstill_ends_at, move.now):
        raise GuardFailed(N_("The standstill period after the award has not ended yet."))


def no_open_complaint(project: Any, move: Move) -> None:
    if any(complaint.is_open for complaint in project.complaints):
        raise GuardFailed(N_("A complaint against the award is still open."))


def not_reopened_before(project: Any, move: Move) -> None:
    if project.tender_reopened:
        raise GuardFailed(N_("The tender has already been re-opened once."))


def reopened_before(project: Any, move: Move) -> None:
    if not project.tender_reopened:
        raise GuardFailed(N_("The tender may still be re-opened once."))


@takes_arguments
def new_deadline_ahead(project: Any, move: Move) -> None:
    deadline = move.args.get("tender_closes_at")
    if not isinstance(deadline, datetime) or deadline <= move.now:
        raise GuardFailed(N_("The new tender deadline must be in the future."))


def milestones_accepted(project: Any, move: Move) -> None:
    if not project.milestones or any(m.status != "accepted" for m in project.milestones):
        raise GuardFailed(N_("Every milestone must be accepted first."))


def panel_decided(project: Any, move: Move) -> None:
    """A panel decides as a panel: every seated member's sheet, or the administrator's quorum."""
    tally = panel_tally(project)
    if not tally.decided:
        raise GuardFailed(
            N_("%(scored)s of %(seated)s panel members have scored; the panel decides with "
               "%(needed)s."), scored=tally.scored, seated=tally.seated, needed=tally.needed)


def _score(project: Any) -> Any:
    score = project.evaluation_score()
    if score is None:
        raise GuardFailed(N_("No evaluation has been submitted for this round."))
    return score


def score_passes(project: Any, move: Move) -> None:
    score = _score(project)
    if score < move.pass_mark:
        raise GuardFailed(N_("The score %(score)s is below the pass mark %(mark)s."),
                          score=score, mark=move.pass_mark)


def score_fails(project: Any, move: Move) -> None:
    score = _score(project)
    if score >= move.pass_mark:
        raise GuardFailed(N_("The score %(score)s passes; close the project out."), score=score)


def first_failure(project: Any, move: Move) -> None:
    if project.rectifications:
        raise GuardFailed(N_("The project was already sent back for rectification once."))


def failed_after_rectification(project: Any, move: Move) -> None:
    if not project.rectifications:
        raise GuardFailed(N_("A first failing score returns the project for rectification."))


@takes_arguments
def reason_given(project: Any, move: Move) -> None:
    if not (move.reason or "").strip():
        raise GuardFailed(N_("Give a reason."))


# --- effects: change the project's object graph; the service flushes and commits ------------


def mark_submitted(project: Any, move: Move) -> None:
    project.review = "submitted"
    project.review_reason = None


def record_rejection(project: Any, move: Move) -> None:
    project.review = "rejected"
    project.review_reason = move.reason


def announce(project: Any, move: Move) -> None:
    project.review = "approved"
    project.published_at = move.now


def collect_commitments(project: Any, move: Move) -> None:
    move.details["collected_fen"] = project.collect_commitments(move.now)


def release_commitments(project: Any, move: Move) -> None:
    move.details["released_fen"] = project.release_commitments(move.now)


def award_bid(project: Any, move: Move) -> None:
    """A provisional award: losing bidders may complain until the standstill ends."""
    award = project.award_to(move.args["bid_id"], move.now)
    project.standstill_ends_at = move.now + timedelta(days=move.standstill_days)
    move.details.update(bid_id=award.bid.id, organization_id=award.organization_id,
                        amount_fen=award.amount_fen,
                        standstill_ends_at=project.standstill_ends_at.isoformat())


def sign_contract(project: Any, move: Move) -> None:
    award = project.start_contract(move.now)
    move.details.update(bid_id=award.bid_id, organization_id=award.organization_id,
                        amount_fen=award.amount_fen)


def reopen(project: Any, move: Move) -> None:
    move.details["previous_deadline"] = project.tender_closes_at.isoformat()
    project.tender_closes_at = move.args["tender_closes_at"]
    project.tender_reopened = True


def send_back_for_rectification(project: Any, move: Move) -> None:
    project.rectifications += 1
    project.add_milestone(N_("Rectification"), move.now.date() + timedelta(RECTIFICATION_DAYS))


def start_evaluation_clock(project: Any, move: Move) -> None:
    """The panel has ``evaluation_days`` to score; each round gets its own deadline and notices."""
    project.evaluation_due_at = move.now + timedelta(days=move.evaluation_days)
    project.evaluation_reminded_at = None
    project.evaluation_overdue_at = None
    move.details["evaluation_due_at"] = project.evaluation_due_at.isoformat()


def close(project: Any, move: Move) -> None:
    project.closed_at = move.now
    if move.trigger in ("cancel", "abandon_tender"):
        project.cancel_reason = move.reason


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One row of the lifecycle: ``by`` says who may fire it; ``at`` names the project date on
    which the clock fires it."""

    trigger: str
    source: State | tuple[State, ...]
    dest: State | None  # None: the project stays where it is (a step inside the stage)
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()
    at: str | None = None
    by: frozenset[Party] = field(kw_only=True)

    @property
    def sources(self) -> tuple[State, ...]:
        return self.source if isinstance(self.source, tuple) else (self.source,)


P, PUB, SUB, T = State.PACKAGING, State.PUBLICATION, State.SUBSCRIPTION, State.TENDERING
IMP, EVA = State.IMPLEMENTATION, State.EVALUATION
# What the community fills in: checked when it saves the bundle, and again at submit and publish.
BUNDLE_CONTENTS = (has_items, budget_matches_items, funding_in_range, dates_in_order)
BUNDLE_READY = (*BUNDLE_CONTENTS, station_approved)
COMMUNITY = frozenset({Party.COMMUNITY})
ADMIN = frozenset({Party.ADMIN})
CLOCK = frozenset({Party.CLOCK})
TIMED = CLOCK | ADMIN  # the administrator by hand, if the clock was down
PANEL = frozenset({Party.PANEL, Party.ADMIN})
DECIDED = (panel_decided,)

RULES: tuple[Rule, ...] = (
    Rule("submit", P, None, (not_under_review, *BUNDLE_READY), (mark_submitted,), by=COMMUNITY),
    Rule("reject", P, None, (under_review, reason_given), (record_rejection,), by=ADMIN),
    Rule("publish", P, PUB, (under_review, *BUNDLE_READY), (announce,), by=ADMIN),
    Rule("open_subscription", PUB, SUB, (subscription_window_open,),
         at="subscription_opens_at", by=TIMED),
    Rule("close_subscription", SUB, T, (funded,), (collect_commitments,),
         at="subscription_closes_at", by=TIMED),
    Rule("fail_funding", SUB, State.UNFUNDED, (below_minimum_at_deadline,),
         (release_commitments, close), at="subscription_closes_at", by=TIMED),
    Rule("award", T, None, (tender_closed, not_awarded, chosen_bid_valid), (award_bid,),
         by=COMMUNITY),
    Rule("start_contract", T, IMP, (award_stands, standstill_over, no_open_complaint),
         (sign_contract,), at="standstill_ends_at", by=TIMED),
    Rule("reopen_tender", T, None, (tender_closed, not_awarded, no_valid_bid,
                                    not_reopened_before, new_deadline_ahead), (reopen,),
         by=COMMUNITY),
    Rule("abandon_tender", T, State.CANCELLED, (tender_closed, not_awarded, no_valid_bid,
                                                reopened_before),
         (release_commitments, close), at="tender_closes_at", by=COMMUNITY | TIMED),
    Rule("submit_for_evaluation", IMP, EVA, (milestones_accepted,), (start_evaluation_clock,),
         by=COMMUNITY),
    Rule("close_out", EVA, State.COMPLETED, (*DECIDED, score_passes), (close,), by=PANEL),
    Rule("return_for_rectification", EVA, IMP, (*DECIDED, score_fails, first_failure),
         (send_back_for_rectification,), by=PANEL),
    Rule("terminate", EVA, State.TERMINATED, (*DECIDED, score_fails, failed_after_rectification),
         (close,), by=PANEL),
    Rule("cancel", (P, PUB, SUB, T), State.CANCELLED, (reason_given,),
         (release_commitments, close), by=COMMUNITY | ADMIN),
)
TRIGGERS = tuple(dict.fromkeys(rule.trigger for rule in RULES))
# The panel's decisions: the moves that wait for the panel to have scored.
DECISIONS = tuple(rule.trigger for rule in RULES if panel_decided in rule.guards)


# --- the stages as a person follows them, read from the table --------------------------------


def _main_path() -> tuple[State, ...]:
    """From packaging, each stage's first move on to a stage not yet passed and not an end:
    the way a project goes when all goes well (the table's order says which move that is)."""
    path = [State.PACKAGING]
    while (onward := next((rule.dest for rule in RULES if path[-1] in rule.sources
                           and rule.dest is not None and rule.dest not in ENDS
                           and rule.dest not in path), None)) is not None:
        path.append(onward)
    return tuple(path)


STAGES = _main_path()  # packaging → publication → … → evaluation
# The end the last stage's first move reaches (completed); the other ends are exits.
FINISH = next(rule.dest for rule in RULES if STAGES[-1] in rule.sources and rule.dest in ENDS)
EXITS = tuple(state for state in State if state in ENDS and state is not FINISH)


def exit_sources(end: State) -> tuple[State, ...]:
    """The stages from which a move leads to this end."""
    return tuple(state for state in STAGES
                 if any(rule.dest is end and state in rule.sources for rule in RULES))


@dataclass(frozen=True)
class Step:
    """One step of the stage stepper: ``status`` is done, current, ahead, left (the stage an
    exit was taken from), exit, or skipped (a stage an exit kept the project from)."""

    state: State
    status: str


def steps(state: State, left_from: State | None = None) -> list[Step]:
    """The stages in order with where the project is; an exit taken is shown after the stage
    it was taken from (``left_from``, or the only stage it can be taken from), the finish
    after the last stage otherwise."""
    if state in EXITS:
        sources = exit_sources(state)
        left = left_from if left_from in sources else sources[-1]
        at = STAGES.index(left)
        return ([Step(s, "done") for s in STAGES[:at]] + [Step(left, "left"), Step(state, "exit")]
                + [Step(s, "skipped") for s in STAGES[at + 1:]])
    at = len(STAGES) if state is FINISH else STAGES.index(state)
    shown = [Step(s, "done" if i < at else "current" if i == at else "ahead")
             for i, s in enumerate(STAGES)]
    return [*shown, Step(FINISH, "done" if state is FINISH else "ahead")]


# --- running the table with ``transitions`` ----------------------------------------------------


class _Flow:
    """The machine's model for one move: reads and writes the project's ``state`` column."""

    def __init__(self, project: Any) -> None:
        self.project = project

    @property
    def state(self) -> str:
        return str(self.project.state)

    @state.setter
    def state(self, value: str) -> None:
        self.project.state = State(value)


def _call(step: Guard, name: str) -> Callable[[EventData], bool]:
    def run(event: EventData) -> bool:
        try:
            step(event.model.project, event.kwargs["move"])
        except GuardFailed as refused:
            refused.guard = name
            raise
        return True

    run.__name__ = name
    return run


def _machine_spec(rule: Rule) -> dict[str, Any]:
    return {
        "trigger": rule.trigger,
        "source": [s.value for s in rule.sources],
        "dest": rule.dest.value if rule.dest else None,
        "conditions": [_call(g, g.__name__) for g in rule.guards],
        "after": [_call(e, e.__name__) for e in rule.effects],
    }


MACHINE = Machine(
    model=None,
    states=[s.value for s in State],
    transitions=[_machine_spec(rule) for rule in RULES],
    initial=State.PACKAGING.value,
    auto_transitions=False,
    send_event=True,
)


_FROM = {state: [rule for rule in RULES if state in rule.sources] for state in State}


def rules_from(state: State) -> list[Rule]:
    return list(_FROM[state])


def movers(trigger: str) -> frozenset[Party]:
    """Who may fire the trigger; an unknown trigger is refused, never given a default."""
    parties = frozenset().union(*(rule.by for rule in RULES if rule.trigger == trigger))
    if not parties:
        refused = MoveRefused(N_("Unknown move “%(trigger)s”."), trigger=trigger)
        refused.trigger = trigger
        raise refused
    return parties


def may_fire(trigger: str, by: Iterable[Party]) -> bool:
    """Whether any of these parties may fire the trigger (in some state)."""
    return not movers(trigger).isdisjoint(by)


def fire(project: Any, move: Move) -> None:
    """Make the move on the project or raise ``MoveRefused`` saying why not."""
    state = State(project.state)
    if move.trigger not in TRIGGERS:
        refused = MoveRefused(N_("Unknown move “%(trigger)s”."), trigger=move.trigger)
    elif not may_fire(move.trigger, move.by):
        refused = MoveRefused(N_("You may not make the move “%(trigger)s” on this project."),
                              trigger=move.trigger)
    elif not any(r.trigger == move.trigger for r in rules_from(state)):
        refused = MoveRefused(
            N_("“%(trigger)s” is not possible while the project is in %(state)s."),
            trigger=move.trigger, state=state.value)
        refused.clause = "stages"  # the policy's six stages, one after another
    else:
        try:
            MACHINE.events[move.trigger].trigger(_Flow(project), move=move)
            return
        except GuardFailed as failed:
            refused = failed
    refused.trigger, refused.state = move.trigger, state.value
    raise refused


def refusals(project: Any, guards: Iterable[Guard], move: Move) -> list[GuardFailed]:
    """Every refusal of these guards at once, each naming its guard: a form answers them all
    in one round instead of one per try."""
    refused = []
    for guard in guards:
        try:
            guard(project, move)
        except GuardFailed as failed:
            failed.guard = guard.__name__
            refused.append(failed)
    return refused


def _guards_pass(rule: Rule, project: Any, move: Move) -> bool:
    """Whether the rule's guards let the move through, leaving out checks of arguments the
    caller has not given yet (a button, or the clock asking what is due)."""
    try:
        for guard in rule.guards:
            if not getattr(guard, "takes_arguments", False):
                guard(project, move)
    except GuardFailed:
        return False
    return True


def possible_moves(project: Any, now: datetime, pass_mark: int = DEFAULT_PASS_MARK,
                   by: Iterable[Party] | None = None) -> list[str]:
    """Triggers whose guards pass now, leaving out checks of arguments the caller will give;
    with ``by``, only those these parties may fire (the buttons a page shows)."""
    possible = []
    for rule in rules_from(State(project.state)):
        if by is not None and rule.by.isdisjoint(by):
            continue
        if _guards_pass(rule, project, Move(rule.trigger, actor="", now=now,
                                            pass_mark=pass_mark)):
            possible.append(rule.trigger)
    return list(dict.fromkeys(possible))


def timed_rules(state: State) -> Iterable[Rule]:
    """The rules the clock fires from this state, on their ``at`` date."""
    return (rule for rule in rules_from(state) if rule.at and Party.CLOCK in rule.by)


def due_rule(project: Any, now: datetime) -> Rule | None:
    """The timed move the clock makes now: the first of the stage's, in table order, whose
    date has come and whose guards pass. Of two on one date (``close_subscription`` and
    ``fail_funding``) it is the one the project's money allows; the sweep and its preview both
    ask this, so they cannot disagree."""
    for rule in timed_rules(State(project.state)):
        if past(getattr(project, rule.at), now) and \
                _guards_pass(rule, project, Move(rule.trigger, actor="", now=now)):
            return rule
    return None


def next_check_at(project: Any, now: datetime) -> datetime | None:
    """When the clock next has something to decide for the project.

    The earliest deadline of its stage still ahead, or a deadline already passed whose move
    may be made now: a project that arrives late (a bundle published after its subscription
    opened) is due at once. A passed deadline whose moves are all refused (the bids wait for
    an award) does not count, or the project would stay due at every sweep: a person's move
    changes the answer, and ``moves.apply`` then asks again.
    """
    times = [getattr(project, rule.at) for rule in timed_rules(State(project.state))]
    upcoming = [t for t in times if t is not None and t > now]
    if (due := due_rule(project, now)) is not None:
        upcoming.append(getattr(project, due.at))
    return min(upcoming, default=None)


def diagram(fmt: str = "mermaid") -> str:
    """The machine drawn from the same table, as Mermaid or Graphviz DOT text."""
    edges = [(src.value, (rule.dest or src).value, rule.trigger)
             for rule in RULES for src in rule.sources]
    if fmt == "dot":
        lines = ["digraph lifecycle {", "  rankdir=LR;"]
        lines += [f'  {s} [shape={"doublecircle" if s in ENDS else "circle"}];' for s in State]
        lines += [f'  {a} -> {b} [label="{t}"];' for a, b, t in edges]
        return "\n".join([*lines, "}"]) + "\n"
    if fmt != "mermaid":
        raise ValueError(f"unknown diagram format {fmt!r}: use mermaid or dot")
    lines = ["stateDiagram-v2", f"  [*] --> {State.PACKAGING.value}"]
    lines += [f"  {a} --> {b}: {t}" for a, b, t in edges]
    lines += [f"  {s.value} --> [*]" for s in State if s in ENDS]
    return "\n".join(lines) + "\n"
