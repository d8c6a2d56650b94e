"""Names of states, triggers, roles and fund accounts in the reader's language (the code
keeps English values), and the stage stepper's steps."""

from __future__ import annotations

from functools import cache

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.lifecycle import N_, State, Step, steps
from marketplace.models import MilestoneStatus, Project, Role, StationStatus
from marketplace.services.finance.ledger import FUND_SOURCES, FUND_USES
from marketplace.services.record.public_record import stage_left
from marketplace.services.subscription.credit import CreditStep

STATE_NAMES = {
    State.PACKAGING: _l("Packaging"),
    State.PUBLICATION: _l("Publication"),
    State.SUBSCRIPTION: _l("Subscription"),
    State.TENDERING: _l("Tendering"),
    State.IMPLEMENTATION: _l("Implementation"),
    State.EVALUATION: _l("Evaluation"),
    State.COMPLETED: _l("Completed"),
    State.UNFUNDED: _l("Unfunded"),
    State.CANCELLED: _l("Cancelled"),
    State.TERMINATED: _l("Terminated"),
}
ROLE_NAMES = {
    Role.COMMUNITY: _l("Community"),
    Role.ENTERPRISE: _l("Enterprise"),
    Role.SOCIAL_ORG: _l("Social organization"),
    Role.EVALUATOR: _l("Evaluator"),
    Role.ADMIN: _l("Administrator"),
}

# One table per enum: a milestone's and a station's "pending" are equal strings (StrEnum), so
# one dict would give a milestone nobody reported the station's word 待审批.
MILESTONE_STATUS_NAMES = {
    MilestoneStatus.PENDING: _l("to be submitted"),
    MilestoneStatus.REPORTED: _l("submitted, awaiting acceptance"),
    MilestoneStatus.ACCEPTED: _l("accepted"),
    MilestoneStatus.RETURNED: _l("returned"),
}
STATION_STATUS_NAMES = {
    StationStatus.PENDING: _l("waiting for approval"),
    StationStatus.APPROVED: _l("approved"),
    StationStatus.REJECTED: _l("rejected"),
}
# What each stage means, in one line (the stage stepper on every project page).
STAGE_NOTES = {
    State.PACKAGING: _l("The community bundles services residents need into one project."),
    State.PUBLICATION: _l("The civil affairs bureau has approved it; subscription opens soon."),
    State.SUBSCRIPTION: _l("Enterprises and donors subscribe money; the fund may match it."),
    State.TENDERING: _l("Social organizations bid to deliver the services."),
    State.IMPLEMENTATION: _l("The chosen organization delivers, milestone by milestone."),
    State.EVALUATION: _l("Independent evaluators score the results."),
    State.COMPLETED: _l("Delivered and evaluated: the project is closed out."),
    State.UNFUNDED: _l("The minimum was not reached; every subscription went back."),
    State.CANCELLED: _l("Stopped before delivery; the money went back to who gave it."),
    State.TERMINATED: _l("Ended after failing its evaluation twice."),
}
# Every trigger an audit event records, in words (the decision trails, the audit pages):
# the moves of lifecycle.RULES and the steps the services record beside them.
TRIGGER_NAMES = {
    "submit": _l("Submitted for review"),
    "reject": _l("Sent back by the bureau"),
    "publish": _l("Published"),
    "open_subscription": _l("Subscription opened"),
    "close_subscription": _l("Subscription closed"),
    "fail_funding": _l("Closed unfunded"),
    "award": _l("Tender awarded"),
    "start_contract": _l("Contract started"),
    "reopen_tender": _l("Tender reopened"),
    "abandon_tender": _l("Tender abandoned"),
    "submit_for_evaluation": _l("Submitted for evaluation"),
    "close_out": _l("Closed out"),
    "return_for_rectification": _l("Returned for rectification"),
    "terminate": _l("Project terminated"),
    "cancel": _l("Project cancelled"),
    "create": _l("Bundle created"),
    "edit_bundle": _l("Bundle changed"),
    "set_cover": _l("Cover picture changed"),
    "subscribe": _l("Subscription made"),
    "move_credit": _l("Credit moved to the project"),
    "withdraw_credit": _l("Credit withdrawn"),
    "bid": _l("Bid submitted"),
    "withdraw_bid": _l("Bid withdrawn"),
    "ask_question": _l("Question asked"),
    "answer_question": _l("Question answered"),
    "extend_deadline": _l("Deadline extended"),
    "complain": _l("Complaint lodged"),
    "uphold_complaint": _l("Complaint upheld"),
    "dismiss_complaint": _l("Complaint dismissed"),
    "report": _l("Progress reported"),
    "evidence": _l("Evidence added"),
    "accept_milestone": _l("Milestone accepted"),
    "return_milestone": _l("Milestone sent back"),
    "assign_panel": _l("Evaluation panel appointed"),
    "set_panel_quorum": _l("Panel quorum set"),
    "recuse": _l("Evaluator recused"),
    "evaluate": _l("Score sheet submitted"),
    "evaluation_award": _l("Evaluation award granted"),
    "inspect": _l("Inspection recorded"),
    "register_station": _l("Station registered"),
    "approve_station": _l("Station approved"),
    "reject_station": _l("Station rejected"),
    "apply_for_naming": _l("Naming applied for"),
    "choose_naming": _l("Name chosen"),
    "expire_naming": _l("Naming term ended"),
    "open_match_offer": _l("Match offer opened"),
    "close_match_offer": _l("Match offer closed"),
    "register_account": _l("Account registered"),
    "approve_organization": _l("Organization approved"),
    "reject_organization": _l("Organization rejected"),
    "change_password": _l("Password changed"),
    "record_county_report": _l("County report recorded"),
    "set_report_schedule": _l("Report schedule set"),
    "receive": _l("Paid into the fund"),
}
# Causes the ledger records that are no audit event (its other causes are moves and events).
CAUSE_NAMES = {
    "match": _l("Matched by the fund"), "naming_right": _l("Naming donation"),
    "generate": _l("Opening balance"),
}
# Milestone titles the code writes itself (the rest are typed by people and shown as typed).
DEFAULT_TITLES = frozenset({N_("Delivery"), N_("Rectification")})


def status_name(status: MilestoneStatus | StationStatus) -> str:
    names = MILESTONE_STATUS_NAMES if isinstance(status, MilestoneStatus) \
        else STATION_STATUS_NAMES
    return str(names.get(status, status.value))


def milestone_title(title: str) -> str:
    return _(title) if title in DEFAULT_TITLES else title


def state_name(value: str | State | None) -> str:
    if value is None:
        return "—"
    try:
        state = State(value)
    except ValueError:
        return str(value)
    return _state_names(str(get_locale()))[state]


@cache
def _state_names(locale: str) -> dict[State, str]:
    """Every state's name in one language, translated once per process (the catalogs are
    compiled at start-up and never change while it runs): the listing names a state some 40
    times per page, each a Babel lookup otherwise."""
    return {state: str(name) for state, name in STATE_NAMES.items()}


def fund_account_name(code: str) -> str:
    """A fund source or use in the reader's language (the ledger keeps the English name)."""
    names = {**FUND_SOURCES, **FUND_USES}
    return _(names[code]) if code in names else code


def trigger_name(trigger: str | None) -> str:
    """A move of the audit trail or the ledger in the reader's language; a reversal says so."""
    if not trigger:
        return "—"
    code, reversed_ = trigger.removeprefix("reverse:"), trigger.startswith("reverse:")
    names = TRIGGER_NAMES if code in TRIGGER_NAMES else CAUSE_NAMES
    name = str(names[code]) if code in names else code
    return _("Reversal: %(move)s", move=name) if reversed_ else name


def credit_reason(step: CreditStep) -> str:
    """Why the credit changed, in the reader's language (the ledger keeps English words)."""
    if step.kind == "withdrawn":
        return step.note or trigger_name(step.trigger)
    if step.kind == "moved":
        return trigger_name(step.trigger)
    return _("%(move)s: the money came back to your credit", move=trigger_name(step.trigger))


def stage_note(state: State) -> str:
    return str(STAGE_NOTES[state])


def stage_steps(project: Project) -> list[Step]:
    """The stepper of one project: its stages from the lifecycle, an exit where it was taken."""
    return steps(project.state, stage_left(project))


def role_name(role: Role) -> str:
    return str(ROLE_NAMES[role])


def localized(row: object, attribute: str = "name") -> str:
    """Catalog rows carry ``name_zh`` and ``name_en``: show the reader's."""
    suffix = "en" if str(get_locale()) == "en" else "zh"
    return str(getattr(row, f"{attribute}_{suffix}", "") or getattr(row, f"{attribute}_zh", ""))


def register(app: Flask) -> None:
    app.add_template_filter(localized)
    app.add_template_filter(state_name)
    app.add_template_filter(role_name)
    app.add_template_filter(fund_account_name)
    app.add_template_filter(status_name)
    app.add_template_filter(milestone_title)
    app.add_template_filter(trigger_name)
    app.add_template_filter(stage_note)
    app.add_template_global(stage_steps)
    app.add_template_filter(credit_reason)
