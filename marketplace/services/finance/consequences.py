"""What a decision will do, said before it is made: the money it moves and whom it concerns.

Pages show these on the step before a consequential button (issue 15: accepting a milestone,
cancelling, the panel's decisions, choosing a naming sponsor). Each figure comes from what the
move itself will use (``money.tranche_fen``, what the money trail holds, the live commitments), so
what is announced is what happens. Messages are English msgids with their parameters; a
parameter ending in ``_fen`` is money, formatted by the page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Milestone, NamingRight, Project
from marketplace.models.funding import Commitment
from marketplace.services.finance.money import tranche_fen
from marketplace.services.record.transparency import money_trail

Said = tuple[str, dict[str, Any]]
FINAL = ("This cannot be undone.", {})


def accepting(project: Project, milestone: Milestone) -> list[Said]:
    return [("Accepting releases %(amount_fen)s from the project's escrow to %(organization)s.",
             {"amount_fen": tranche_fen(project, milestone),
              "organization": project.award.organization.name}),
            ("The milestone is then closed; it cannot be sent back.", {})]


def cancelling(project: Project) -> list[Said]:
    live = [s for s in project.subscriptions
            if s.status in (Commitment.COMMITTED, Commitment.COLLECTED)]
    said: list[Said] = []
    if live:
        said.append(("%(count)s commitments, %(amount_fen)s in all, go back to the enterprises "
                     "as credit they may move or withdraw; the fund's matches go back to the "
                     "fund.", {"count": len(live), "amount_fen": sum(s.amount_fen for s in live)}))
    if project.bids:
        said.append(("The bidders are told that the tender is over.", {}))
    return [*said, ("The project ends as cancelled, with your reason on the public record.", {}),
            FINAL]


def deciding(project: Project, trigger: str) -> list[Said]:
    """The panel's decisions (``lifecycle.DECISIONS``)."""
    held = money_trail(project).held  # what escrow (and commitments, empty by now) hold
    if trigger == "close_out":
        return [("The project is completed and its evaluation published.", {}),
                ("What is left in escrow, %(amount_fen)s, returns to the subscribers and the "
                 "fund in proportion to what each paid in.", {"amount_fen": held}), FINAL]
    if trigger == "return_for_rectification":
        return [("The project goes back to %(organization)s with a rectification milestone; "
                 "it may be sent back once.",
                 {"organization": project.award.organization.name})]
    return [("The project ends as terminated; %(organization)s receives no further tranches.",
             {"organization": project.award.organization.name}),
            ("What is left in escrow, %(amount_fen)s, returns to the subscribers and the fund in "
             "proportion to what each paid in.", {"amount_fen": held}), FINAL]


def naming(right: NamingRight) -> list[Said]:
    others = db.session.scalar(select(func.count(NamingRight.id)).where(
        NamingRight.station_id == right.station_id, NamingRight.id != right.id,
        NamingRight.status == right.status))
    said: list[Said] = [
        ("%(sponsor)s's directed donation of %(amount_fen)s goes to the fund now.",
         {"sponsor": right.sponsor.name, "amount_fen": right.donation_fen}),
        ("The station carries the name “%(name)s” for one year from today.", {"name": right.name})]
    if others:
        said.append(("The other %(count)s applications for this station are declined.",
                     {"count": others}))
    return [*said, FINAL]


def receiving(source: str, amount_fen: int, held_fen: int) -> list[Said]:
    """Income paid into a fund source (``income.record_income``); ``source`` as the page
    names it, ``held_fen`` what the fund holds before it."""
    return [("%(amount_fen)s is recorded as income of “%(source)s” and shown on the fund's "
             "page.", {"amount_fen": amount_fen, "source": source}),
            ("The fund then holds %(total_fen)s.", {"total_fen": held_fen + amount_fen}),
            ("A ledger entry is never edited: a mistake is corrected by a reversing entry.", {})]
