"""Names of states, roles and fund accounts in the reader's language (the code keeps English
values)."""

from __future__ import annotations

from functools import cache

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.lifecycle import N_, State
from marketplace.models import MilestoneStatus, Role, StationStatus
from marketplace.services.ledger import FUND_SOURCES, FUND_USES

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
