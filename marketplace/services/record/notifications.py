"""Who hears about a move: one table from trigger to the accounts it concerns and what they read.

``apply`` calls ``notify_for`` for every move, inside the move's own transaction, so a project
never changes state without its inbox messages and e-mails, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from marketplace.clock import local_time
from marketplace.extensions import db
from marketplace.models import Account, AuditEvent, BidStatus, Notification, OutboxMail, Project
from marketplace.services.core.errors import NotFound
from marketplace.services.core.unit import remembered
from marketplace.services.core.visibility import may_see

# Message key → text per language; params are filled in with %-formatting.
MESSAGES: dict[str, dict[str, str]] = {
    "password_reset": {
        "zh": "重置密码\n请在 %(minutes)s 分钟内打开以下链接设置新密码（仅可使用一次）：\n"
              "%(link)s\n如果您没有申请重置密码，请忽略本邮件，您的密码不会改变。",
        "en": "Resetting your password\nOpen this link within %(minutes)s minutes to set a "
              "new password (it works once):\n%(link)s\nIf you did not ask to reset your "
              "password, ignore this e-mail; your password stays as it is.",
    },
    "organization_approved": {
        "zh": "您的机构「%(organization)s」已通过审核，现在可以登录平台办理业务。",
        "en": "Your organization “%(organization)s” is approved; log in to start.",
    },
    "organization_rejected": {
        "zh": "您的机构「%(organization)s」未通过审核。如有疑问，请联系市民政局。",
        "en": "Your organization “%(organization)s” was not approved. Contact the civil "
              "affairs bureau if you have questions.",
    },
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
    "award_provisional": {
        "zh": "您对项目「%(title)s」的投标被拟定中标；公示期至 %(until)s，期满无未决投诉即签约。",
        "en": "Your bid for the project “%(title)s” is the provisional award; the contract "
              "starts after the standstill ends on %(until)s if no complaint is open.",
    },
    "award_standstill": {
        "zh": "项目「%(title)s」已拟定中标单位；如有异议，可在 %(until)s 前提出投诉。",
        "en": "The project “%(title)s” has a provisional award; you may lodge a complaint "
              "until %(until)s.",
    },
    "complaint_upheld": {
        "zh": "您对项目「%(title)s」定标的投诉已被支持，原定标已撤销。",
        "en": "Your complaint about the award of “%(title)s” was upheld; the award is cancelled.",
    },
    "complaint_dismissed": {
        "zh": "您对项目「%(title)s」定标的投诉已被驳回。",
        "en": "Your complaint about the award of “%(title)s” was dismissed.",
    },
    "project_cancelled": {
        "zh": "您认购的项目「%(title)s」已取消，认购款已退回。",
        "en": "The project “%(title)s” you subscribed to was cancelled; your commitment is "
              "released.",
    },
    "tender_cancelled": {
        "zh": "您投标的项目「%(title)s」已取消，招标终止。",
        "en": "The project “%(title)s” you bid for was cancelled; the tender is over.",
    },
    "project_terminated": {
        "zh": "项目「%(title)s」整改后评估仍未通过，已终止。",
        "en": "The project “%(title)s” failed its evaluation again after rectification and "
              "is terminated.",
    },
    "returned_for_rectification": {
        "zh": "项目「%(title)s」评估未通过，已退回整改；请完成新增的整改里程碑。",
        "en": "The project “%(title)s” did not pass its evaluation and is returned for "
              "rectification; complete the new rectification milestone.",
    },
    "question_asked": {
        "zh": "项目「%(title)s」收到一条新的招标答疑提问，请在项目页答复。",
        "en": "A bidder asked a new question about the tender of “%(title)s”; answer it on "
              "the project page.",
    },
    "question_answered": {
        "zh": "项目「%(title)s」的招标答疑有新的答复，请到项目页查看。",
        "en": "A question about the tender of “%(title)s” was answered; read it on the "
              "project page.",
    },
    "milestone_reminder": {
        "zh": "项目「%(title)s」的里程碑「%(milestone)s」将于 %(due_on)s 到期。",
        "en": "The milestone “%(milestone)s” of the project “%(title)s” is due on %(due_on)s.",
    },
    "milestone_overdue": {
        "zh": "项目「%(title)s」的里程碑「%(milestone)s」已于 %(due_on)s 到期，尚未验收。",
        "en": "The milestone “%(milestone)s” of the project “%(title)s” was due on %(due_on)s "
              "and is not accepted yet.",
    },
    "progress_report_overdue": {
        "zh": "项目「%(title)s」的进展报告应于 %(due_at)s 前发布，尚未发布。",
        "en": "A progress report on the project “%(title)s” was due by %(due_at)s and has "
              "not been published.",
    },
    "evaluation_reminder": {
        "zh": "请在 %(due_at)s 前完成对项目「%(title)s」的评估打分。",
        "en": "Please score the project “%(title)s” before %(due_at)s.",
    },
    "evaluation_overdue": {
        "zh": "项目「%(title)s」的评估打分已于 %(due_at)s 逾期，请尽快完成。",
        "en": "Scoring the project “%(title)s” was due by %(due_at)s and is overdue; please "
              "score it now.",
    },
}

Recipients = Iterable[tuple[Account, str]]  # (account, message key)
# Who can be notified in organizations: ``accounts_of``, or the sweep's own look-up of plain rows.
Finder = Callable[[Iterable[int]], list[Any]]
Notifier = Callable[..., Recipients]  # (project, find=accounts_of) → recipients


def render(kind: str, params: dict[str, Any], lang: str = "zh") -> str:
    texts = MESSAGES.get(kind)
    if texts is None:
        return kind
    return texts.get(lang, texts["en"]) % params


def accounts_of(organization_ids: Iterable[int]) -> list[Account]:
    """The active accounts of these organizations, by id; from memory if ``prepare`` read them."""
    ids = set(organization_ids)
    if not ids:
        return []
    known = remembered("organization_accounts")
    if ids <= known.keys():
        return sorted((account for org in ids for account in known[org]),
                      key=lambda account: account.id)
    return list(db.session.execute(
        db.select(Account).where(Account.organization_id.in_(ids), Account.is_active)
        .order_by(Account.id)).scalars())


def prepare(projects: Iterable[Project]) -> None:
    """Read in one query the accounts that moves of these projects may notify.

    For the clock's sweep: the subscribers' and bidders' active accounts are remembered until
    the unit of work ends (``services.core.unit``), so each move's recipients cost no query.
    """
    ids = {s.enterprise_id for project in projects for s in project.subscriptions}
    ids |= {bid.organization_id for project in projects for bid in project.bids}
    known = remembered("organization_accounts")
    found: dict[int, list[Account]] = {org: [] for org in ids - known.keys()}
    if not found:
        return
    for account in db.session.execute(
            db.select(Account).where(Account.organization_id.in_(found), Account.is_active)
            .order_by(Account.id)).scalars():
        found[account.organization_id].append(account)
    known.update(found)


def _subscribers(kind: str) -> Notifier:
    def recipients(project: Project, find: Finder = accounts_of) -> Recipients:
        orgs = {s.enterprise_id for s in project.subscriptions}
        return [(account, kind) for account in find(orgs)]

    return recipients


def _bidders(won: str, lost: str) -> Notifier:
    """Every organization that bid and did not withdraw: the winner and the others."""

    def recipients(project: Project, find: Finder = accounts_of) -> Recipients:
        standing = [bid for bid in project.bids if bid.status is not BidStatus.WITHDRAWN]
        winners = {bid.organization_id for bid in standing if bid.status is BidStatus.AWARDED}
        if not winners:  # an upheld complaint with no bid left to award
            return []
        orgs = {bid.organization_id for bid in standing}
        return [(account, won if account.organization_id in winners else lost)
                for account in find(orgs)]

    return recipients


def _complainant(kind: str) -> Notifier:
    def recipients(project: Project, find: Finder = accounts_of) -> Recipients:
        decided = [c for c in project.complaints if not c.is_open]
        if not decided:
            return []
        latest = max(decided, key=lambda c: (c.decided_at, c.id))
        return [(account, kind) for account in find([latest.organization_id])]

    return recipients


def _standing_bidders(kind: str) -> Notifier:
    """Every organization with a bid it did not withdraw, whatever became of the bid."""

    def recipients(project: Project, find: Finder = accounts_of) -> Recipients:
        orgs = {bid.organization_id for bid in project.bids
                if bid.status is not BidStatus.WITHDRAWN}
        return [(account, kind) for account in find(orgs)]

    return recipients


def _contractor(kind: str) -> Notifier:
    def recipients(project: Project, find: Finder = accounts_of) -> Recipients:
        if project.award is None:
            return []
        return [(account, kind) for account in find([project.award.organization_id])]

    return recipients


def _both(*notifiers: Notifier) -> Notifier:
    def recipients(project: Project, find: Finder = accounts_of) -> Recipients:
        return [pair for notifier in notifiers for pair in notifier(project, find)]

    return recipients


# The award is provisional until the standstill ends: bid_won/bid_lost follow the final award.
_PROVISIONAL = _bidders("award_provisional", "award_standstill")
NOTIFIERS: dict[str, Notifier] = {
    "close_subscription": _subscribers("project_funded"),
    "fail_funding": _subscribers("project_unfunded"),
    "award": _PROVISIONAL,
    "start_contract": _bidders("bid_won", "bid_lost"),
    "uphold_complaint": _both(_complainant("complaint_upheld"), _PROVISIONAL),
    "dismiss_complaint": _complainant("complaint_dismissed"),
    # A cancelled project releases every commitment and ends the tender for its bidders.
    "cancel": _both(_subscribers("project_cancelled"), _standing_bidders("tender_cancelled")),
    "abandon_tender": _both(_subscribers("project_cancelled"),
                            _standing_bidders("tender_cancelled")),
    "return_for_rectification": _contractor("returned_for_rectification"),
    "terminate": _both(_contractor("project_terminated"), _subscribers("project_terminated")),
}


def notify_for(project: Project, event: AuditEvent) -> list[Notification]:
    """Add the inbox messages and e-mails a move calls for to the current unit of work."""
    notifier = NOTIFIERS.get(event.trigger)
    if notifier is None:
        return []
    return send(project, notifier(project), move_params(project), at=event.at)


def move_params(project: Any) -> dict[str, Any]:
    """What a move's messages say about the project."""
    params: dict[str, Any] = {"title": project.title, "project_id": project.id}
    if project.standstill_ends_at is not None:
        params["until"] = local_time(project.standstill_ends_at)
    return params


def send(project: Project | None, recipients: Recipients, params: dict[str, Any], *,
         at: datetime) -> list[Notification]:
    """Inbox message and e-mail for each (account, kind), in the caller's unit of work."""
    added, mails = [], []
    for account, kind in recipients:
        if project is not None and not may_see(project, account):
            continue  # a message about a project is a way of seeing it: the same rule holds
        added.append(Notification(account=account, project=project, kind=kind, params=params,
                                  created_at=at))
        mails.append(OutboxMail(**mail(account.email, kind, params), created_at=at))
    db.session.add_all([*added, *mails])
    return added


def mail(to: str, kind: str, params: dict[str, Any]) -> dict[str, str]:
    """The e-mail beside an inbox message: the Chinese text first, then the English."""
    return {"to": to, "subject": render(kind, params, "zh").split("\n", 1)[0][:300],
            "body": f"{render(kind, params, 'zh')}\n\n{render(kind, params, 'en')}\n"}


def inbox(account: Account) -> list[Notification]:
    """The account's notifications, newest first."""
    return list(db.session.execute(
        db.select(Notification).filter_by(account_id=account.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())).scalars())


def inbox_page(account: Account, *, unread_only: bool, page: int, per_page: int
               ) -> tuple[list[Notification], int, int]:
    """One page of the account's inbox, newest first; how many match; how many are unread."""
    mine = Notification.account_id == account.id
    shown = db.and_(mine, Notification.read_at.is_(None)) if unread_only else mine

    def count(clause: Any) -> int:
        return int(db.session.execute(
            db.select(db.func.count()).select_from(Notification).where(clause)).scalar_one())

    rows = db.session.execute(
        db.select(Notification).where(shown)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return list(rows), count(shown), count(db.and_(mine, Notification.read_at.is_(None)))


def mark_read(account: Account, notification_id: int | None, *, now: datetime) -> int:
    """Mark one of the account's messages read (``None``: every unread one); how many changed.
    Another account's message is not found, as if it did not exist."""
    from marketplace.services.core.unit import atomic  # moves imports this module for notify_for

    with atomic():
        query = db.select(Notification).where(Notification.account_id == account.id)
        if notification_id is not None:
            row = db.session.execute(query.where(Notification.id == notification_id)
                                     ).scalar_one_or_none()
            if row is None:
                raise NotFound("No notification %(id)s.", id=notification_id)
            rows = [row]
        else:
            rows = list(db.session.execute(query.where(Notification.read_at.is_(None))).scalars())
        changed = [row for row in rows if row.read_at is None]
        for row in changed:
            row.read_at = now
    return len(changed)
