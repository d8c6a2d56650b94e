"""Who hears about a move: one table from trigger to the accounts it concerns and what they read.

``apply`` calls ``notify_for`` for every move, inside the move's own transaction, so a project
never changes state without its inbox messages and e-mails, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from marketplace.extensions import db
from marketplace.models import Account, AuditEvent, BidStatus, Notification, OutboxMail, Project

# Message key → text per language; params are filled in with %-formatting.
MESSAGES: dict[str, dict[str, str]] = {
    "project_funded": {
        "zh": "您认购的项目「%(title)s」已筹满资金，进入招投标阶段。",
        "en": "The project “%(title)s” you subscribed to is funded and goes to tender.",
    },
    "project_unfunded": {
        "zh": "您认购的项目「%(title)s」在截止时未达到最低筹资额，认购款已退回。",
        "en": "The project “%(title)s” you subscribed to did not reach its funding minimum "
              "by the deadline; your commitment is released.",
    },
    "bid_won": {
        "zh": "您对项目「%(title)s」的投标已中标。",
        "en": "Your bid for the project “%(title)s” won the award.",
    },
    "county_report_due": {
        "zh": "%(county)s的进展报告应于 %(due_on)s 报送，尚未记录。",
        "en": "%(county)s's progress report was due on %(due_on)s and is not recorded yet.",
    },
    "bid_lost": {
        "zh": "项目「%(title)s」已定标，您的投标未中标。",
        "en": "The project “%(title)s” was awarded; your bid did not win.",
    },
}

Recipients = Iterable[tuple[Account, str]]  # (account, message key)


def render(kind: str, params: dict[str, Any], lang: str = "zh") -> str:
    texts = MESSAGES.get(kind)
    if texts is None:
        return kind
    return texts.get(lang, texts["en"]) % params


def _accounts_of(organization_ids: Iterable[int]) -> list[Account]:
    ids = set(organization_ids)
    if not ids:
        return []
    return list(db.session.execute(
        db.select(Account).where(Account.organization_id.in_(ids), Account.is_active)
        .order_by(Account.id)).scalars())


def _subscribers(kind: str) -> Callable[[Project], Recipients]:
    def recipients(project: Project) -> Recipients:
        orgs = {s.enterprise_id for s in project.subscriptions}
        return [(account, kind) for account in _accounts_of(orgs)]

    return recipients


def _bidders(project: Project) -> Recipients:
    """Every organization that bid and did not withdraw: the winner and the others."""
    standing = [bid for bid in project.bids if bid.status is not BidStatus.WITHDRAWN]
    winners = {bid.organization_id for bid in standing if bid.status is BidStatus.AWARDED}
    orgs = {bid.organization_id for bid in standing}
    return [(account, "bid_won" if account.organization_id in winners else "bid_lost")
            for account in _accounts_of(orgs)]


NOTIFIERS: dict[str, Callable[[Project], Recipients]] = {
    "close_subscription": _subscribers("project_funded"),
    "fail_funding": _subscribers("project_unfunded"),
    "award": _bidders,
}


def notify_for(project: Project, event: AuditEvent) -> list[Notification]:
    """Add the inbox messages and e-mails a move calls for to the current unit of work."""
    notifier = NOTIFIERS.get(event.trigger)
    if notifier is None:
        return []
    params = {"title": project.title, "project_id": project.id}
    added = []
    for account, kind in notifier(project):
        note = Notification(account=account, project=project, kind=kind, params=params,
                            created_at=event.at)
        db.session.add(note)
        db.session.add(OutboxMail(
            to=account.email, subject=render(kind, params, "zh")[:300],
            body=f"{render(kind, params, 'zh')}\n\n{render(kind, params, 'en')}\n",
            created_at=event.at))
        added.append(note)
    return added


def inbox(account: Account) -> list[Notification]:
    """The account's notifications, newest first."""
    return list(db.session.execute(
        db.select(Notification).filter_by(account_id=account.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())).scalars())
