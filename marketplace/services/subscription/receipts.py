"""The subscription receipt (认购凭证): a PDF the enterprise keeps for its books.

It states what the ledger says: the amount, the fund's match, the ledger transactions that
posted them, and the audit chain's head when the receipt was issued, so whoever holds the
receipt can check it against ``/audit/head`` and the anchors. Chinese text is set in the PDF
standard's built-in CID font STSong-Light, which every PDF reader has: no font file to ship.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import Account, LedgerTransaction, Match, Project, Subscription
from marketplace.services.core.errors import NotFound
from marketplace.services.core.visibility import may_see_subscription
from marketplace.services.record.anchors import Anchor, head
from marketplace.services.subscription.credit import MOVE

FONT = "STSong-Light"
MATCH = "match"  # the trigger of the fund's matching posting (services/matching.py)


@dataclass(frozen=True)
class Receipt:
    subscription: Subscription
    match: Match | None
    transaction_id: int  # the ledger posting of the subscription itself
    match_transaction_id: int | None
    head: Anchor | None  # the audit chain's head when the receipt was issued
    issued_at: datetime


def receipt_for(subscription_id: int, account: Account | None, *, now: datetime) -> Receipt:
    """The receipt of a subscription the account may see (its own, or any for the
    administrator); to anyone else there is no such subscription."""
    subscription = db.session.execute(
        db.select(Subscription).where(Subscription.id == subscription_id)
        .options(joinedload(Subscription.project).joinedload(Project.station),
                 joinedload(Subscription.enterprise))).scalar_one_or_none()
    if subscription is None or not may_see_subscription(subscription, account):
        raise NotFound("No subscription %(id)s.", id=subscription_id)
    postings = dict(db.session.execute(
        db.select(LedgerTransaction.trigger, db.func.min(LedgerTransaction.id))
        .where(LedgerTransaction.subscription_id == subscription.id,
               LedgerTransaction.trigger.in_(("subscribe", MOVE, MATCH)))
        .group_by(LedgerTransaction.trigger)).all())
    match = db.session.execute(
        db.select(Match).where(Match.subscription_id == subscription.id)
        .options(joinedload(Match.offer))).scalar_one_or_none()
    return Receipt(subscription=subscription, match=match,
                   transaction_id=postings.get(MOVE if subscription.from_credit
                                               else "subscribe", 0),
                   match_transaction_id=postings.get(MATCH), head=head(now), issued_at=now)


def _yuan(fen: int) -> str:
    whole, cents = divmod(fen, 100)
    return f"¥{whole:,}.{cents:02d}"


def _local(moment: datetime, zone: str) -> str:
    shown = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    return f"{shown:%Y-%m-%d %H:%M:%S} ({zone}, UTC{shown:%z})"


def lines(receipt: Receipt, zone: str) -> list[tuple[str, str]]:
    """(label, value) rows of the receipt, in the order printed."""
    row, match = receipt.subscription, receipt.match
    project = row.project
    matched = match.amount_fen if match else 0
    rows = [
        ("凭证编号 Receipt no.", f"RS-{row.id:08d}"),
        ("认购企业 Enterprise", row.enterprise.name),
        ("项目 Project", f"{project.title}（编号 {project.id}）"),
        ("爱心驿站 Station", f"{project.station.name}（{project.station.county}）"),
        ("认购金额 Amount", _yuan(row.amount_fen)),
        ("资金来源 Paid from", "释放额度转入 credit moved" if row.from_credit
         else "新认购资金 new money"),
        ("基金配捐 Fund's match", _yuan(matched) + (
            f"（{match.offer.name}，每 1 元配捐 {match.offer.ratio_pct / 100:g} 元）"
            if match else "（无配捐 none）")),
        ("计入项目合计 Total to project", _yuan(row.amount_fen + matched)),
        ("认购时间 Subscribed at", _local(row.created_at, zone)),
        ("账本交易号 Ledger transaction", str(receipt.transaction_id)),
        ("配捐交易号 Match transaction",
         str(receipt.match_transaction_id) if receipt.match_transaction_id else "—"),
    ]
    if receipt.head is not None:
        rows += [("审计链头事件 Audit head event",
                  f"{receipt.head.event_id}（共 {receipt.head.count} 条 events）"),
                 ("审计链头哈希 Audit head hash", receipt.head.hash)]
    rows.append(("出具时间 Issued at", _local(receipt.issued_at, zone)))
    return rows


def render_pdf(receipt: Receipt, zone: str) -> bytes:
    """The receipt as a one-page A4 PDF."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    page.setTitle(f"认购凭证 RS-{receipt.subscription.id:08d}")
    page.setAuthor("爱心驿站公益创投平台")
    width, height = A4
    left, label_width, y = 56.0, 170.0, height - 72
    page.setFont(FONT, 20)
    page.drawCentredString(width / 2, y, "认购凭证")
    y -= 20
    page.setFont(FONT, 10)
    page.drawCentredString(width / 2, y, "Subscription receipt — 爱心驿站公益创投平台")
    y -= 30
    for label, value in lines(receipt, zone):
        page.setFont(FONT, 10)
        page.drawString(left, y, label)
        size = 8 if len(value) > 60 else 11
        page.setFont(FONT, size)
        wrapped = simpleSplit(value, FONT, size, width - left * 2 - label_width)
        for n, part in enumerate(wrapped):
            page.drawString(left + label_width, y - n * (size + 4), part)
        y -= 10 + max(len(wrapped), 1) * (size + 4)
    y -= 10
    page.setFont(FONT, 8)
    for note in ("本凭证所列金额与平台资金账本一致；可在 /audit/head 核对审计链头。",
                 "Figures are the platform ledger's; compare the audit head at /audit/head."):
        page.drawString(left, y, note)
        y -= 12
    page.showPage()
    page.save()
    return out.getvalue()
