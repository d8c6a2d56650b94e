"""The fund's income: money paid in from outside (a fiscal allocation, the welfare lottery's
grant, a charity federation's budget) recorded by the administrator.

``ledger.receive`` makes the posting; here it is the administrator's, with the audit event
beside it in one unit of work, so the fund's page and the audit chain agree on every yuan.
"""

from __future__ import annotations

from datetime import datetime

from marketplace.models import Account, LedgerTransaction, Role
from marketplace.services.core.access import require
from marketplace.services.core.errors import Invalid
from marketplace.services.core.unit import atomic
from marketplace.services.finance.ledger import receive
from marketplace.services.record.audit import record

MAX_REASON = 2000


def record_income(source_code: str, amount_fen: int, reason: str, *, actor: Account,
                  now: datetime) -> LedgerTransaction:
    """Pay ``amount_fen`` into the fund source; the reason says where it came from."""
    require(actor, Role.ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say where the money came from (the budget line or the grant).",
                      field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid("At most %(n)s characters.", field="reason", n=MAX_REASON)
    with atomic():
        transaction = receive(source_code, amount_fen, reason, now=now)
        record(None, actor, "receive", now=now, reason=reason,
               details={"source": source_code, "amount_fen": amount_fen,
                        "transaction_id": transaction.id})
    return transaction
