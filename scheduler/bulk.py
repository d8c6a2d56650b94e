"""The sweep's set-based path: a batch of subscription-stage deadlines in a few statements.

Subscription deadlines bunch up (month ends), so the clock may owe thousands of
``open_subscription``, ``close_subscription`` and ``fail_funding`` moves at once. They are
decided exactly as anywhere else, by the lifecycle table (``lifecycle.fire``), the money
plan (``money.plan``) and the notifiers table (``notifications.NOTIFIERS``), but on plain rows;
and each batch is written with a statement or two per table instead of an ORM object per row:
the projects, their subscriptions, the escrow accounts opened, the ledger transactions and
entries, the audit events with their chain links computed before the insert, the inbox
messages and their e-mails. Ids come from each table's sequence, so nothing waits for a
RETURNING. The decisions are not copied here: ``moves.decide`` makes them for both paths and
calls a ``Batch`` as its writer where the ORM path calls ``moves.OrmWriter``.
``tests/scheduler/test_bulk_sweep.py`` holds this path to the same rows, ids and hashes as the
ORM path (``moves.apply``), which every other move takes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from psycopg.types.json import Json
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Enum,
    Table,
    and_,
    bindparam,
    or_,
    select,
    text,
)

from marketplace import lifecycle
from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import CLOCK, State
from marketplace.models import (
    Account,
    AccountKind,
    AuditEvent,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Match,
    MatchOffer,
    Notification,
    OutboxMail,
    Project,
    Subscription,
)
from marketplace.models.funding import Commitment, Holding
from marketplace.models.ledger import HOLDING_KINDS
from marketplace.models.projects import Commitments
from marketplace.services.core.errors import Conflict
from marketplace.services.core.moves import decide
from marketplace.services.core.unit import remembered
from marketplace.services.finance import money
from marketplace.services.finance.ledger import (
    balances_of,
    escrow_opening,
    merge,
    organization_account_code,
    project_account_codes,
    refuse_overdraft,
)
from marketplace.services.record import chain
from marketplace.services.record.audit import CHAIN_LOCK
from marketplace.services.record.notifications import mail
from marketplace.sql import among

# The stages whose timed moves this path makes; any other due move takes the ORM path.
STAGES = frozenset({State.PUBLICATION, State.SUBSCRIPTION})
PROJECT = Project.__table__
SUBSCRIPTION = Subscription.__table__


class ProjectRow(Commitments):
    """A locked project's columns as attributes: what the lifecycle's guards and effects read."""

    def __init__(self, columns: Mapping[str, Any]) -> None:
        self.__dict__.update(columns)
        self.loaded = dict(columns)
        self.subscriptions: list[SubscriptionRow] = []

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items()
                if name in self.loaded and value != self.loaded[name]}


class SubscriptionRow(Holding):
    """What a move reads and changes of a subscription; a hundred thousand in a big sweep."""

    __slots__ = ("id", "enterprise_id", "amount_fen", "status", "settled_at", "loaded_status")
    COLUMNS = (SUBSCRIPTION.c.id, SUBSCRIPTION.c.enterprise_id, SUBSCRIPTION.c.amount_fen,
               SUBSCRIPTION.c.status, SUBSCRIPTION.c.settled_at)

    def __init__(self, id: int, enterprise_id: int, amount_fen: int, status: Commitment,
                 settled_at: datetime | None) -> None:
        self.id, self.enterprise_id, self.amount_fen = id, enterprise_id, amount_fen
        self.status = self.loaded_status = status
        self.settled_at = settled_at


class MatchRow(NamedTuple):
    offer_id: int
    amount_fen: int
    source_code: str


class Recipient(NamedTuple):
    id: int
    email: str
    organization_id: int


def checked_by(until: datetime) -> ColumnElement[bool]:
    """Projects whose next check falls by ``until``: the ones a sweep then takes."""
    return PROJECT.c.next_check_at <= until


def unchecked_by(until: datetime) -> ColumnElement[bool]:
    """Projects with no check although a deadline of their stage falls by ``until``.

    Releases before the clock counted a passed deadline left such rows (a bundle published
    after its subscription opened), and so did ``flask demo generate`` for bundles in
    publication; the sweep gives them their check (``jobs.restore_checks``). Projects whose
    passed deadline waits for a person (bids to award) match too, and keep no check.
    """
    dates = {stage: dict.fromkeys(rule.at for rule in lifecycle.timed_rules(stage))
             for stage in State}
    stages = [and_(PROJECT.c.state == stage, or_(*(PROJECT.c[at] <= until for at in ats)))
              for stage, ats in dates.items() if ats]
    return and_(PROJECT.c.next_check_at.is_(None), or_(*stages))


def due_by(until: datetime) -> ColumnElement[bool]:
    """Every project a sweep at ``until`` looks at: the preview asks the same."""
    return or_(checked_by(until), unchecked_by(until))


def lock_due(now: datetime, limit: int, skip: set[int]) -> list[ProjectRow]:
    """Lock the next due projects; rows another transaction holds are skipped, not waited for
    (``jobs.run_due`` retries them after the batch and reports those still held)."""
    query = (select(PROJECT).where(checked_by(now), PROJECT.c.id.not_in(skip))
             .order_by(PROJECT.c.next_check_at, PROJECT.c.id).limit(limit)
             .with_for_update(skip_locked=True))
    return [ProjectRow(row) for row in db.session.execute(query).mappings()]


def in_reach(row: ProjectRow, now: datetime) -> bool:
    """Whether every move the clock owes this project now is one this path makes.

    Follows the timed moves whose date has come from the project's stage on: all must start
    in ``STAGES`` and none may end where escrow is refunded (``money.FINISHED``), which this
    path does not post.
    """
    stages, seen = [State(row.state)], set()
    while stages:
        stage = stages.pop()
        if stage in seen:
            continue
        seen.add(stage)
        for rule in lifecycle.timed_rules(stage):
            due = getattr(row, rule.at)
            if due is None or due > now:
                continue
            if stage not in STAGES or rule.dest in money.FINISHED:
                return False
            if rule.dest is not None:
                stages.append(rule.dest)
    return True


class Batch:
    """The moves of one locked batch, collected as rows and written together by ``write``."""

    def __init__(self, rows: Sequence[ProjectRow], *, actor: str) -> None:
        self.rows = rows
        self.actor = actor
        self.connection: Connection = db.session.connection()
        self.matches_by_project: dict[int, dict[int, MatchRow]] = defaultdict(dict)
        self.accounts: dict[str, tuple[int | None, AccountKind]] = {}  # code → (id, kind)
        self.balances: dict[str, int] = {}  # holding accounts' balances, kept current
        self.recipients: dict[int, list[Recipient]] = defaultdict(list)
        self.opened: list[dict[str, Any]] = []
        self.postings: list[tuple[dict[str, Any], dict[str, int]]] = []
        self.offer_returns: dict[int, int] = defaultdict(int)
        self.events: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.mails: list[dict[str, Any]] = []
        self._read()

    # --- reading what the moves need, a query per kind of row ------------------------------

    def _read(self) -> None:
        by_id = {row.id: row for row in self.rows}
        for project_id, *columns in self.connection.execute(
                select(SUBSCRIPTION.c.project_id, *SubscriptionRow.COLUMNS)
                .where(among(SUBSCRIPTION.c.project_id, by_id))
                .order_by(SUBSCRIPTION.c.id)):
            by_id[project_id].subscriptions.append(SubscriptionRow(*columns))
        match, offer = Match.__table__, MatchOffer.__table__
        for found in self.connection.execute(
                select(match.c.project_id, match.c.subscription_id, match.c.offer_id,
                       match.c.amount_fen, offer.c.source_code)
                .join(offer, offer.c.id == match.c.offer_id)
                .where(among(match.c.project_id, by_id))):
            self.matches_by_project[found.project_id][found.subscription_id] = MatchRow(
                found.offer_id, found.amount_fen, found.source_code)
        enterprises = {s.enterprise_id for row in self.rows for s in row.subscriptions}
        self._read_accounts({
            *(code for row in self.rows for code in project_account_codes(row.id)),
            *(organization_account_code(org) for org in enterprises),
            *(m.source_code for matches in self.matches_by_project.values()
              for m in matches.values()),
        })
        account = Account.__table__
        for found in self.connection.execute(
                select(account.c.id, account.c.email, account.c.organization_id)
                .where(among(account.c.organization_id, enterprises),
                       account.c.is_active)
                .order_by(account.c.id)):
            self.recipients[found.organization_id].append(Recipient(*found))

    def _read_accounts(self, codes: Iterable[str]) -> None:
        table = LedgerAccount.__table__
        holding = {}
        for found in self.connection.execute(
                select(table.c.id, table.c.code, table.c.kind).where(among(table.c.code, codes))):
            self.accounts[found.code] = (found.id, found.kind)
            if found.kind in HOLDING_KINDS:
                holding[found.id] = found.code
        self.balances.update(balances_of(holding))

    def find(self, organization_ids: Iterable[int]) -> list[Recipient]:
        """The notifiers' look-up of accounts to notify, answered from the batch's read."""
        return sorted((r for org in set(organization_ids) for r in self.recipients[org]),
                      key=lambda recipient: recipient.id)

    # --- one move: decided by ``moves.decide`` as every move is, written here as rows -------

    def apply(self, row: ProjectRow, trigger: str, now: datetime) -> None:
        decide(row, trigger, actor=self.actor, by=CLOCK, now=now, writer=self)

    def matches(self, row: ProjectRow) -> Mapping[int, MatchRow]:
        return self.matches_by_project.get(row.id, {})

    def settle(self, row: ProjectRow, settlement: money.Settlement, before: State,
               trigger: str, now: datetime) -> None:
        for offer_id, fen in settlement.offer_returns.items():
            self.offer_returns[offer_id] += fen
        for reason, lines in settlement.postings:
            self._post(row, reason, lines, trigger, now)

    def record(self, row: ProjectRow, trigger: str, now: datetime, before: State,
               reason: str | None, details: dict[str, Any]) -> None:
        self.events.append({
            "project_id": row.id, "station_id": None, "actor": self.actor,
            "actor_account_id": None, "at": now, "trigger": trigger,
            "from_state": before.value, "to_state": row.state.value, "reason": reason,
            "details": details,
        })

    def notify(self, row: ProjectRow, recipients: Iterable[tuple[Recipient, str]],
               params: dict[str, Any], now: datetime) -> None:
        for recipient, kind in recipients:
            self.notifications.append({
                "account_id": recipient.id, "project_id": row.id, "kind": kind,
                "params": params, "created_at": now, "read_at": None})
            self.mails.append({**mail(recipient.email, kind, params), "created_at": now,
                               "sent_at": None, "attempts": 0, "last_error": None})

    def _post(self, row: ProjectRow, reason: str, lines: list[tuple[str, int]], trigger: str,
              now: datetime) -> None:
        """``ledger.post``'s own checks (``merge``, ``refuse_overdraft``) on account codes."""
        merged = merge(lines)
        for code, amount in merged.items():
            if code not in self.accounts:
                self._open(row, code)
            kind = self.accounts[code][1]
            if kind in HOLDING_KINDS:
                if amount < 0:
                    refuse_overdraft(code, self.balances[code], amount)
                self.balances[code] += amount
        self.postings.append(({
            "reason": reason, "trigger": trigger, "project_id": row.id,
            "subscription_id": None, "milestone_id": None, "reverses_id": None,
            "created_at": now}, merged))

    def _open(self, row: ProjectRow, code: str) -> None:
        """A project's escrow is opened when its commitments are first collected."""
        opening = escrow_opening(row)
        if code != opening["code"]:
            raise Conflict("No ledger account %(code)s.", code=code)
        self.accounts[code] = (None, AccountKind.ESCROW)
        self.balances[code] = 0
        self.opened.append({**opening, "organization_id": None, "created_at": utcnow()})

    # --- writing the batch ------------------------------------------------------------------

    def write(self) -> None:
        """Everything the batch's moves changed, a statement or two per table."""
        self._write_projects()
        self._write_subscriptions()
        self._insert(LedgerAccount.__table__, self.opened)
        for opened in self.opened:
            self.accounts[opened["code"]] = (opened["id"], opened["kind"])
        self._write_ledger()
        if self.offer_returns:
            offer = MatchOffer.__table__
            self.connection.execute(
                offer.update().where(offer.c.id == bindparam("offer"))
                .values(matched_fen=offer.c.matched_fen - bindparam("fen")),
                [{"offer": k, "fen": v} for k, v in sorted(self.offer_returns.items())])
        self._write_events()
        self._insert(Notification.__table__, self.notifications)
        self._insert(OutboxMail.__table__, self.mails)

    def _write_projects(self) -> None:
        """One UPDATE per set of changed columns, each checking and bumping the version."""
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in self.rows:
            changes = row.changes()
            if changes:
                changed[tuple(sorted(changes))].append(
                    {**{f"new_{name}": value for name, value in changes.items()},
                     "row_id": row.id, "row_version": row.version})
        for names, params in changed.items():
            result = self.connection.execute(
                PROJECT.update()
                .where(PROJECT.c.id == bindparam("row_id"),
                       PROJECT.c.version == bindparam("row_version"))
                .values({**{name: bindparam(f"new_{name}") for name in names},
                         "version": PROJECT.c.version + 1}), params)
            if result.rowcount not in (len(params), -1):
                raise Conflict("A project of the sweep changed while it was locked.")

    def _write_subscriptions(self) -> None:
        settled: dict[tuple[Commitment, datetime | None], list[int]] = defaultdict(list)
        for row in self.rows:
            for s in row.subscriptions:
                if s.status is not s.loaded_status:
                    settled[s.status, s.settled_at].append(s.id)
        write_settled(self.connection, settled)

    def _write_ledger(self) -> None:
        transactions = [transaction for transaction, _ in self.postings]
        self._insert(LedgerTransaction.__table__, transactions)
        self._insert(LedgerEntry.__table__, [
            {"transaction_id": transaction["id"], "account_id": self.accounts[code][0],
             "amount_fen": amount}
            for transaction, merged in self.postings for code, amount in merged.items()])

    def _write_events(self) -> None:
        """Audit events with ids taken under the chain lock, linked before they are inserted.

        The same guarantee as ``audit.seal``: the lock is held before any id is taken, until
        commit, so no other writer chains onto the same predecessor; the links continue from
        the transaction's last hash, and leave it for any event the ORM adds after.
        """
        if not self.events:
            return
        chain_state = remembered("audit_chain")
        if "locked" not in chain_state and self.connection.dialect.name == "postgresql":
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                    {"key": CHAIN_LOCK})
            chain_state["locked"] = True
        table = AuditEvent.__table__
        ids = _ids(self.connection, table, len(self.events))
        prev_hash = chain_state.get("last_hash") or self.connection.execute(
            select(table.c.hash).where(table.c.id < ids[0]).order_by(table.c.id.desc())
            .limit(1)).scalar_one_or_none() or chain.GENESIS
        for event, event_id in zip(self.events, ids, strict=True):
            event["id"] = event_id
            event["prev_hash"] = prev_hash
            event["hash"] = prev_hash = chain.link(prev_hash, event)
        self._insert(table, self.events)
        chain_state["last_hash"] = prev_hash

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert with ids from the table's sequence, in order, so later rows can refer to them.

        On PostgreSQL with ``COPY``: thousands of rows in one stream rather than a statement
        each.
        """
        if not rows:
            return
        if "id" not in rows[0]:
            for row, row_id in zip(rows, _ids(self.connection, table, len(rows)), strict=True):
                row["id"] = row_id
        if self.connection.dialect.name != "postgresql":
            self.connection.execute(table.insert(), rows)
            return
        names = list(rows[0])
        convert = [_copy_value(table.c[name].type) for name in names]
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        quoted = ", ".join(f'"{name}"' for name in names)
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([to(row[name]) for to, name in zip(convert, names, strict=True)])


def write_settled(connection: Connection,
                  settled: Mapping[tuple[Commitment, datetime | None], list[int]]) -> None:
    """The subscriptions a sweep settled, one UPDATE per (status, settled_at) by id.

    A sweep settles about ten subscriptions per project, all to the same status at the same
    time: a statement per outcome instead of one per row.
    """
    for (status, settled_at), ids in settled.items():
        connection.execute(SUBSCRIPTION.update().where(among(SUBSCRIPTION.c.id, ids))
                           .values(status=status, settled_at=settled_at))


def _ids(connection: Connection, table: Table, n: int) -> list[int]:
    """The next ``n`` ids of the table, in ascending order.

    PostgreSQL: taken from the id sequence, so concurrent writers never collide. SQLite: after
    the largest id; the batch has already written its projects, so it holds the database's
    one write lock and no other writer can take the same ids.
    """
    if connection.dialect.name == "postgresql":
        return sorted(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :n)"), {"table": table.name, "n": n}).scalars())
    last = connection.execute(select(db.func.coalesce(db.func.max(table.c.id), 0))).scalar_one()
    return list(range(last + 1, last + n + 1))


def _copy_value(column_type: Any) -> Callable[[Any], Any]:
    """How a value of this column goes into ``COPY``: JSON as JSON, enums by their value."""
    if isinstance(column_type, JSON):
        return Json
    if isinstance(column_type, Enum):
        return lambda value: None if value is None else value.value
    return lambda value: value
