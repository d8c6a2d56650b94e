"""A project as an Open Contracting Data Standard 1.1 release package, one release per stage.

Publicity is one of the policy's rules: anyone may download what was planned, who bid, who won
and what was delivered, in a format other tools already read. Bids stay sealed until the tender
closes, so the number of tenderers appears only after ``tender_closes_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import current_app

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    AccountKind,
    AuditEvent,
    BidStatus,
    Commitment,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    MilestoneStatus,
    Organization,
    Project,
)
from marketplace.services.money import matches_of

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
CLASSIFICATION_SCHEME = "LOVESTN-SERVICES"  # the service catalog of policy appendix 4
PUBLISHER = "Love Station marketplace (爱心驿站公益创投平台)"
# The development fund holds each project's escrow and pays the tranches out of it; its match
# offers also fund projects beside the enterprises.
FUND = {"id": "lovestn-fund", "name": "爱心驿站建设发展基金 (Love Station development fund)"}
# The public ledger (web/transparency.py) lists every transaction by the id OCDS quotes.
LEDGER_PATH = "/ledger.csv"
# planning.budget.budgetBreakdown: who put how much into the project's escrow.
BUDGET_BREAKDOWN = ("https://raw.githubusercontent.com/open-contracting-extensions/"
                    "ocds_budget_breakdown_extension/master/extension.json")

TENDER_STATUS = {
    State.PACKAGING: "planning", State.PUBLICATION: "planned", State.SUBSCRIPTION: "planned",
    State.TENDERING: "active", State.UNFUNDED: "cancelled",
}
CONTRACT_STATUS = {State.COMPLETED: "terminated", State.TERMINATED: "terminated"}
MILESTONE_STATUS = {MilestoneStatus.ACCEPTED: "met"}


def ocid(project: Project) -> str:
    return f"{current_app.config['OCID_PREFIX']}-{project.id}"


def stamp(moment: datetime) -> str:
    """Stored times are naive UTC; OCDS wants RFC 3339 date-times."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def value(fen: int) -> dict[str, Any]:
    return {"amount": fen / 100, "currency": CURRENCY}


def party_ref(organization: Organization) -> dict[str, str]:
    return {"id": f"org-{organization.id}", "name": organization.name}


def _entered(project: Project) -> dict[str, datetime]:
    """When the project first entered each state, read from its audit trail."""
    events = db.session.execute(
        db.select(AuditEvent.to_state, AuditEvent.at)
        .where(AuditEvent.project_id == project.id).order_by(AuditEvent.id)
    ).all()
    entered: dict[str, datetime] = {}
    for to_state, at in events:
        if to_state:
            entered.setdefault(to_state, at)
    return entered


def _parties(project: Project) -> list[dict[str, Any]]:
    """The community, the enterprises and the fund that paid in, then the supplier."""
    roles: dict[int, tuple[Organization, list[str]]] = {}

    def add(organization: Organization, role: str) -> None:
        entry = roles.setdefault(organization.id, (organization, []))
        if role not in entry[1]:
            entry[1].append(role)

    add(project.station.community, "buyer")
    add(project.station.community, "procuringEntity")
    for subscription in project.subscriptions:
        if subscription.is_live:
            add(subscription.enterprise, "funder")
    parties = [{**party_ref(org), "roles": list(names)} for org, names in roles.values()]
    paying = project.award is not None and project.award.contract_started_at is not None
    fund_roles = [*(["funder"] if _matched(project) else []), *(["payer"] if paying else [])]
    if fund_roles:
        parties.append({**FUND, "roles": fund_roles})
    if project.award is not None:
        supplier = ["supplier", *(["payee"] if paying else [])]
        parties.append({**party_ref(project.award.organization), "roles": supplier})
    return parties


def _matched(project: Project) -> dict[int, int]:
    """The fund's match beside each live subscription, in fen, by subscription id."""
    live = {s.id for s in project.subscriptions if s.is_live}
    return {sid: m.amount_fen for sid, m in matches_of(project).items() if sid in live}


def _items(project: Project) -> list[dict[str, Any]]:
    return [{
        "id": str(item.id),
        "description": item.service.name_zh,
        "classification": {"scheme": CLASSIFICATION_SCHEME, "id": item.service.code,
                           "description": item.service.name_en},
        "additionalClassifications": [{"scheme": f"{CLASSIFICATION_SCHEME}-AREA",
                                       "id": item.service.area_code,
                                       "description": item.service.area.name_en}],
        "quantity": item.quantity,
        "unit": {"name": item.service.unit_zh, "value": value(item.unit_cost_fen)},
    } for item in project.items]


def _tender(project: Project, entered: dict[str, datetime], now: datetime) -> dict[str, Any]:
    state = State(project.state)
    if state is State.CANCELLED:
        status = "unsuccessful" if State.TENDERING.value in entered else "cancelled"
    else:
        status = TENDER_STATUS.get(state, "complete")
    tender: dict[str, Any] = {
        "id": f"{ocid(project)}-tender",
        "title": project.title,
        "description": project.summary,
        "status": status,
        "items": _items(project),
        "value": value(project.budget_fen),
        "procurementMethod": "open",
        "procuringEntity": party_ref(project.station.community),
        "tenderPeriod": {
            "startDate": stamp(entered.get(State.TENDERING.value,
                                           project.subscription_closes_at)),
            "endDate": stamp(project.tender_closes_at),
        },
    }
    if project.enquiry_closes_at is not None:
        tender["enquiryPeriod"] = {
            "startDate": tender["tenderPeriod"]["startDate"],
            "endDate": stamp(project.enquiry_closes_at),
        }
        tender["hasEnquiries"] = bool(project.questions)
    if State.TENDERING.value in entered and now >= project.tender_closes_at:
        bidders = {b.organization_id for b in project.bids if b.status is not BidStatus.WITHDRAWN}
        tender["numberOfTenderers"] = len(bidders)
    return tender


def _award(project: Project) -> dict[str, Any]:
    award = project.award
    return {"id": f"{ocid(project)}-award-{award.id}", "title": project.title,
            "status": "active" if award.contract_started_at else "pending",
            "date": stamp(award.awarded_at),
            "value": value(award.amount_fen), "suppliers": [party_ref(award.organization)]}


def _funding(project: Project) -> dict[str, Any]:
    """What was actually collected into escrow, broken down by who gave it."""
    matched = _matched(project)
    fund = {"id": FUND["id"], "name": FUND["name"]}
    parts: list[tuple[str, str, int, dict[str, str]]] = []
    for s in project.subscriptions:
        if s.status is Commitment.COLLECTED:
            parts.append((f"subscription-{s.id}", "subscription", s.amount_fen,
                          party_ref(s.enterprise)))
            if s.id in matched:
                parts.append((f"match-{s.id}", "development fund match", matched[s.id], fund))
    return {"budget": {
        "id": f"{ocid(project)}-funding",
        "description": "Subscribed by enterprises, matched by the development fund",
        "amount": value(sum(fen for _, _, fen, _ in parts)),
        "budgetBreakdown": [{"id": key, "description": what, "amount": value(fen),
                             "sourceParty": source} for key, what, fen, source in parts],
    }}


def _transactions(project: Project, ledger_uri: str | None) -> list[dict[str, Any]]:
    """The tranches paid to the delivering organization (and any correction of one).

    Read from the ledger: every posting of the project that moved money on the supplier's own
    account, the escrow held by the fund on the other side.
    """
    supplier = project.award.organization
    rows = db.session.execute(
        db.select(LedgerTransaction.id, LedgerTransaction.created_at, LedgerEntry.amount_fen)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerTransaction.project_id == project.id,
               LedgerAccount.organization_id == supplier.id,
               LedgerAccount.kind == AccountKind.SOCIAL_ORG)
        .order_by(LedgerTransaction.id)).all()
    fund, payee = {"id": FUND["id"], "name": FUND["name"]}, party_ref(supplier)
    source = {"source": ledger_uri} if ledger_uri else {}
    return [{"id": str(tx_id), **source, "date": stamp(created_at),
             "value": value(abs(amount)),
             "payer": fund if amount > 0 else payee, "payee": payee if amount > 0 else fund}
            for tx_id, created_at, amount in rows]


def _contract(project: Project, implementation: bool, ledger_uri: str | None = None
              ) -> dict[str, Any]:
    award = project.award
    contract: dict[str, Any] = {
        "id": f"{ocid(project)}-contract-{award.id}",
        "awardID": f"{ocid(project)}-award-{award.id}",
        "title": project.title,
        "status": CONTRACT_STATUS.get(State(project.state), "active"),
        "value": value(award.amount_fen),
        "dateSigned": stamp(award.contract_started_at or award.awarded_at),
    }
    if implementation:
        contract["implementation"] = {"milestones": [{
            "id": f"milestone-{m.sequence}",
            "title": m.title,
            "type": "delivery",
            "dueDate": stamp(datetime.combine(m.due_on, datetime.min.time())),
            "status": MILESTONE_STATUS.get(m.status, "scheduled"),
            **({"dateMet": stamp(m.accepted_at)} if m.accepted_at else {}),
            "value": value(award.amount_fen * m.share_pct // 100),
        } for m in project.milestones],
            "transactions": _transactions(project, ledger_uri)}
    return contract


def releases(project: Project, now: datetime, ledger_uri: str | None = None
             ) -> list[dict[str, Any]]:
    """One release per stage the project has reached, oldest first, each with its tag.

    ``ledger_uri`` is the public ledger's address, quoted as each transaction's source; files
    exported without a site address leave it out rather than give a relative one.
    """
    entered = _entered(project)
    state = State(project.state)
    base = {"ocid": ocid(project), "initiationType": "tender", "language": "zh",
            "parties": _parties(project), "buyer": party_ref(project.station.community)}
    planning = {"budget": {"description": project.summary, "amount": value(project.budget_fen)},
                "rationale": project.summary}
    tender = _tender(project, entered, now)
    stages: list[tuple[str, datetime, dict[str, Any]]] = [
        ("planning", project.created_at, {"planning": planning,
                                          "tender": {**tender, "status": "planning"}}),
    ]
    if project.published_at is not None:
        stages.append(("tender", project.published_at, {"tender": tender}))
    if state in (State.UNFUNDED, State.CANCELLED) and project.published_at is not None:
        stages.append(("tenderCancellation", project.closed_at or now, {"tender": tender}))
    if project.award is not None:
        awarded = project.award.awarded_at
        stages.append(("award", awarded, {"tender": tender, "awards": [_award(project)]}))
    signed = project.award.contract_started_at if project.award is not None else None
    if signed is not None:  # the standstill passed: the provisional award became the contract
        stages.append(("contract", signed, {"awards": [_award(project)],
                                            "contracts": [_contract(project, False)]}))
        accepted = [m.accepted_at for m in project.milestones if m.accepted_at]
        stages.append(("implementation", max(accepted, default=signed),
                       {"planning": _funding(project),
                        "contracts": [_contract(project, True, ledger_uri)]}))
    if state in (State.COMPLETED, State.TERMINATED):
        stages.append(("contractTermination", project.closed_at or now,
                        {"contracts": [_contract(project, True, ledger_uri)]}))
    return [{**base, "id": f"{ocid(project)}-{tag}", "date": stamp(date), "tag": [tag], **body}
            for tag, date, body in stages]


def release_package(project: Project, *, uri: str, now: datetime) -> dict[str, Any]:
    """The project's releases wrapped as an OCDS 1.1 release package."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": stamp(now),
        "publisher": {"name": PUBLISHER},
        "extensions": [BUDGET_BREAKDOWN],
        "releases": releases(project, now,
                             urljoin(uri, LEDGER_PATH) if urlsplit(uri).scheme else None),
    }
