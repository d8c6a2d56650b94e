"""A project as Open Contracting Data Standard 1.1 releases: one per event, as it was then.

Publicity is one of the policy's rules: anyone may download what was planned, who bid, who won
and what was delivered, in a format other tools already read. A monitor must be able to trust
that a release says what was known at its date and nothing later, so each release is derived
from the project's sealed audit trail up to its event and from rows that never change once
written (ledger postings, bids, subscriptions, answers, each read as of that moment): building
it again later gives the same bytes (``canonical``). The audit chain is the stored evidence; a
second stored copy would have to be written by the clock's set-based sweep too, which writes
rows and not objects. Bids stay sealed until the tender closes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
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
    Organization,
    Project,
    Subscription,
)
from marketplace.services.core.visibility import evidence_public
from marketplace.services.finance.money import matches_of

OCDS_VERSION = "1.1"
CURRENCY = "CNY"
CLASSIFICATION_SCHEME = "LOVESTN-SERVICES"  # the service catalog of policy appendix 4
PUBLISHER = "Love Station marketplace (爱心驿站公益创投平台)"
# The publisher's own identifier, beside its name (OCDS: publisher.uid under a scheme).
PUBLISHER_ID = {"scheme": "LOVESTN", "uid": "lovestn-platform"}
# The unified social credit code (统一社会信用代码) is the organizations' register number.
CREDIT_CODE_SCHEME = "CN-USCC"
# The development fund holds each project's escrow and pays the tranches out of it; its match
# offers also fund projects beside the enterprises.
FUND = {"id": "lovestn-fund", "name": "爱心驿站建设发展基金 (Love Station development fund)"}
# The public ledger (web/transparency.py) lists every transaction by the id OCDS quotes.
LEDGER_PATH = "/ledger.csv"
# planning.budget.budgetBreakdown: who put how much into the project's escrow. Pinned to a
# released version of the extension, so the schema it adds cannot change under the data.
BUDGET_BREAKDOWN = ("https://raw.githubusercontent.com/open-contracting-extensions/"
                    "ocds_budget_breakdown_extension/v1.1.5/extension.json")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLICATION_POLICY_PATH = "/open-data#policy"
RELEASE_SCHEMA = Path(__file__).parent / "data" / "ocds" / "release-schema.json"

# The events that make a release, and the tag of that moment. ``submit`` is the bundle as it
# went to review: only the last one before publication is the plan that was published.
TAGS = {
    "submit": "planning",
    "publish": "tender",
    "open_subscription": "tenderUpdate",
    "close_subscription": "tenderUpdate",
    "extend_deadline": "tenderUpdate",
    "reopen_tender": "tenderUpdate",
    "answer_question": "tenderUpdate",  # an answered question is public, with its answer
    "fail_funding": "tenderCancellation",
    "cancel": "tenderCancellation",
    "abandon_tender": "tenderCancellation",
    "award": "award",
    "start_contract": "contract",
    "accept_milestone": "implementation",
    "submit_for_evaluation": "implementation",
    "return_for_rectification": "contractAmendment",
    "close_out": "contractTermination",
    "terminate": "contractTermination",
}
# The fund's own spending on a project that is not a payment of its contract.
NOT_CONTRACT_PAYMENTS = frozenset({"evaluation_award"})


def ocid(project: Project) -> str:
    return f"{current_app.config['OCID_PREFIX']}-{project.id}"


def stamp(moment: datetime) -> str:
    """Stored times are naive UTC; OCDS wants RFC 3339 date-times."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def value(fen: int) -> dict[str, Any]:
    return {"amount": fen / 100, "currency": CURRENCY}


def canonical(data: Any) -> bytes:
    """One spelling of a JSON value, so two builds of the same release compare byte for byte."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def party_ref(organization: Organization) -> dict[str, str]:
    return {"id": f"org-{organization.id}", "name": organization.name}


@dataclass(frozen=True)
class Moment:
    """One release's event and the project's events up to it: all it may know."""

    event: AuditEvent
    seen: tuple[AuditEvent, ...]

    @property
    def at(self) -> datetime:
        return self.event.at

    @property
    def state(self) -> State:
        return State(self.event.to_state)

    def first(self, trigger: str) -> AuditEvent | None:
        return next((e for e in self.seen if e.trigger == trigger), None)

    def all(self, trigger: str) -> list[AuditEvent]:
        return [e for e in self.seen if e.trigger == trigger]


def _events(project: Project) -> list[AuditEvent]:
    return list(db.session.execute(
        db.select(AuditEvent).where(AuditEvent.project_id == project.id)
        .order_by(AuditEvent.id)).scalars())


def _deadline(project: Project, events: list[AuditEvent], moment: Moment,
              field: str) -> datetime | None:
    """A deadline as it stood then: today's, walked back over the later extensions."""
    deadline = getattr(project, field)
    for event in reversed(events[len(moment.seen):]):
        if event.trigger == "reopen_tender" and field == "tender_closes_at":
            deadline = datetime.fromisoformat(event.details["previous_deadline"])
        elif event.trigger == "extend_deadline" and event.details.get("field") == field:
            deadline = datetime.fromisoformat(event.details["previous"])
    return deadline


def _live(subscription: Subscription, at: datetime) -> bool:
    """Committed by then and not yet handed back."""
    released = (subscription.status is Commitment.RELEASED
                and subscription.settled_at is not None and subscription.settled_at <= at)
    return subscription.created_at <= at and not released


def _collected(project: Project, moment: Moment) -> list[Subscription]:
    closing = moment.first("close_subscription")
    if closing is None:
        return []
    return [s for s in sorted(project.subscriptions, key=lambda s: s.id)
            if _live(s, closing.at)]


def _bidders(project: Project, moment: Moment, tender_end: datetime) -> list[Organization]:
    """After the tender closes, who had bid (a bid withdrawn before the close is none)."""
    if moment.first("close_subscription") is None or moment.at < tender_end:
        return []
    bidders: dict[int, Organization] = {}
    for bid in sorted(project.bids, key=lambda b: b.id):
        if bid.submitted_at <= tender_end and bid.status is not BidStatus.WITHDRAWN:
            bidders.setdefault(bid.organization_id, bid.organization)
    return list(bidders.values())


def _party(organization: Organization, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {**party_ref(organization), "roles": roles}
    if organization.credit_code:
        party["identifier"] = {"scheme": CREDIT_CODE_SCHEME, "id": organization.credit_code,
                               "legalName": organization.name}
    return party


def _parties(project: Project, moment: Moment, bidders: list[Organization],
             matched: dict[int, int]) -> list[dict[str, Any]]:
    """The community, the enterprises and the fund that paid in, the bidders, the supplier."""
    roles: dict[int, tuple[Organization, list[str]]] = {}

    def add(organization: Organization, role: str) -> None:
        entry = roles.setdefault(organization.id, (organization, []))
        if role not in entry[1]:
            entry[1].append(role)

    add(project.station.community, "buyer")
    add(project.station.community, "procuringEntity")
    for subscription in sorted(project.subscriptions, key=lambda s: s.id):
        if _live(subscription, moment.at):
            add(subscription.enterprise, "funder")
    award = moment.first("award")
    for organization in bidders:
        add(organization, "tenderer")
    if award is not None:
        add(project.award.organization, "supplier")
    paying = moment.first("start_contract") is not None
    if paying:
        add(project.award.organization, "payee")
    parties = [_party(org, names) for org, names in roles.values()]
    fund_roles = [*(["funder"] if matched else []), *(["payer"] if paying else [])]
    if fund_roles:
        parties.append({**FUND, "roles": fund_roles})
    return parties


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
    } for item in sorted(project.items, key=lambda i: i.id)]


def _tender_status(moment: Moment) -> str:
    state = moment.state
    if state is State.PACKAGING:
        return "planning"
    if state in (State.PUBLICATION, State.SUBSCRIPTION):
        return "planned"
    if state is State.TENDERING:
        return "complete" if moment.first("award") else "active"
    if state in (State.UNFUNDED, State.CANCELLED):
        return "unsuccessful" if moment.event.trigger == "abandon_tender" else "cancelled"
    return "complete"


def _enquiries(project: Project, moment: Moment) -> list[dict[str, Any]]:
    """Questions answered by then; an open question is not public (visibility)."""
    return [{"id": str(q.id), "date": stamp(q.asked_at), "description": q.body,
             "answer": q.answer, "dateAnswered": stamp(q.answered_at)}
            for q in sorted(project.questions, key=lambda q: q.id)
            if q.answered_at is not None and q.answered_at <= moment.at]


def _criteria(project: Project) -> str:
    """The published award criteria in words (services/tendering/scoring.py): fixed when the
    bundle was packaged, so every release of the tender says the same."""
    price, quality = project.price_weight_pct, project.quality_weight_pct
    return (f"价格 {price}%，质量 {quality}%：价格分＝最低有效报价÷投标报价×{price}；"
            f"质量分＝投标方已完成项目的评估平均分（尚无记录按合格分计）÷100×{quality}；"
            f"高于预算的投标不予受理，社区依得分定标 (price {price}%, quality {quality}%: "
            f"price score = lowest valid price / bid price × {price}; quality score = the "
            f"bidder's mean panel score on projects it delivered, the pass mark without one, "
            f"/ 100 × {quality}; bids above the budget are refused; the community awards on "
            f"the scores)")


def _tender(project: Project, events: list[AuditEvent], moment: Moment, tender_end: datetime,
            bidders: list[Organization]) -> dict[str, Any]:
    closing = moment.first("close_subscription")
    start = closing.at if closing is not None else _deadline(project, events, moment,
                                                             "subscription_closes_at")
    enquiry_end = _deadline(project, events, moment, "enquiry_closes_at")
    tender: dict[str, Any] = {
        "id": f"{ocid(project)}-tender",
        "title": project.title,
        "description": project.summary,
        "status": _tender_status(moment),
        "items": _items(project),
        "value": value(project.budget_fen),
        "procurementMethod": "open",
        "procurementMethodDetails": "公开征集 (open call to registered social organizations)",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": _criteria(project),
        "submissionMethod": ["electronicSubmission"],
        "procuringEntity": party_ref(project.station.community),
        "tenderPeriod": {"startDate": stamp(start), "endDate": stamp(tender_end)},
    }
    if enquiry_end is not None:
        tender["enquiryPeriod"] = {"startDate": stamp(start), "endDate": stamp(enquiry_end)}
        tender["hasEnquiries"] = any(q.asked_at <= moment.at for q in project.questions)
    if bidders:
        tender["numberOfTenderers"] = len(bidders)
        tender["tenderers"] = [party_ref(org) for org in bidders]
    if moment.state in (State.UNFUNDED, State.CANCELLED) and moment.event.reason:
        tender["statusDetails"] = moment.event.reason
    return tender


def _planning(project: Project, moment: Moment, matched: dict[int, int]) -> dict[str, Any]:
    """The budget planned; once collected, what came into escrow and from whom."""
    budget: dict[str, Any] = {"id": f"{ocid(project)}-budget",
                              "description": project.summary,
                              "amount": value(project.budget_fen)}
    collected = _collected(project, moment)
    if collected:
        fund = {"id": FUND["id"], "name": FUND["name"]}
        parts: list[tuple[str, str, int, dict[str, str]]] = []
        for s in collected:
            parts.append((f"subscription-{s.id}", "subscription", s.amount_fen,
                          party_ref(s.enterprise)))
            if s.id in matched:
                parts.append((f"match-{s.id}", "development fund match", matched[s.id], fund))
        budget["budgetBreakdown"] = [
            {"id": key, "description": what, "amount": value(fen), "sourceParty": source}
            for key, what, fen, source in parts]
    return {"budget": budget, "rationale": project.summary}


def _matched(project: Project, moment: Moment) -> dict[int, int]:
    """The fund's match beside each subscription collected by then, in fen."""
    live = {s.id for s in _collected(project, moment)}
    return {sid: m.amount_fen for sid, m in matches_of(project).items() if sid in live}


def _award(project: Project, moment: Moment) -> dict[str, Any]:
    awarded = moment.first("award")
    details = awarded.details
    return {"id": f"{ocid(project)}-award-{project.award.id}", "title": project.title,
            "status": "active" if moment.first("start_contract") else "pending",
            "date": stamp(awarded.at), "value": value(details["amount_fen"]),
            "suppliers": [party_ref(project.award.organization)]}


def _transactions(project: Project, moment: Moment, ledger_uri: str | None
                  ) -> list[dict[str, Any]]:
    """The tranches paid to the supplier by then (and any correction of one), from the ledger.

    The fund's evaluation awards reach the same account but are the fund's spending, not
    payments of the contract, so they are left out.
    """
    supplier = project.award.organization
    found = db.session.execute(
        db.select(LedgerTransaction.id, LedgerTransaction.created_at, LedgerEntry.amount_fen,
                  LedgerTransaction.trigger, LedgerTransaction.milestone_id)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerTransaction.project_id == project.id,
               LedgerTransaction.trigger.not_in(NOT_CONTRACT_PAYMENTS),
               LedgerAccount.organization_id == supplier.id,
               LedgerAccount.kind == AccountKind.SOCIAL_ORG)
        .order_by(LedgerTransaction.id)).all()
    # A tranche belongs to the moment its acceptance was recorded (the trail's order); any
    # other posting, such as a correction, to the moment it was dated.
    sequence = {m.id: m.sequence for m in project.milestones}
    accepted = {e.details.get("milestone") for e in moment.all("accept_milestone")}
    rows = [(tx_id, created_at, amount) for tx_id, created_at, amount, trigger, milestone in found
            if (sequence.get(milestone) in accepted if trigger == "accept_milestone"
                else created_at <= moment.at)]
    fund, payee = {"id": FUND["id"], "name": FUND["name"]}, party_ref(supplier)
    source = {"source": ledger_uri} if ledger_uri else {}
    return [{"id": str(tx_id), **source, "date": stamp(created_at),
             "value": value(abs(amount)),
             "payer": fund if amount > 0 else payee, "payee": payee if amount > 0 else fund}
            for tx_id, created_at, amount in rows]


def _milestones(project: Project, events: list[AuditEvent], moment: Moment
                ) -> list[dict[str, Any]]:
    """The contract's milestones known by then: each rectification adds one later."""
    later = sum(1 for e in events[len(moment.seen):] if e.trigger == "return_for_rectification")
    known = sorted(project.milestones, key=lambda m: m.sequence)
    known = known[:len(known) - later]
    met = {e.details.get("milestone"): e.at for e in moment.all("accept_milestone")}
    return [{
        "id": f"milestone-{m.sequence}",
        "title": m.title,
        "type": "delivery",
        "description": f"{m.share_pct}%",
        "dueDate": stamp(datetime.combine(m.due_on, datetime.min.time())),
        "status": "met" if m.sequence in met else "scheduled",
        **({"dateMet": stamp(met[m.sequence])} if m.sequence in met else {}),
    } for m in known]


def _documents(project: Project, moment: Moment, ledger_uri: str | None
               ) -> list[dict[str, Any]]:
    """The evidence of each milestone accepted by then: public from its acceptance on."""
    met = {e.details.get("milestone"): e.at for e in moment.all("accept_milestone")}
    documents = []
    for report in sorted(project.progress_reports, key=lambda r: r.id):
        milestone = report.milestone
        if milestone is None or milestone.sequence not in met:
            continue
        for evidence in sorted(report.evidence, key=lambda e: e.id):
            if not evidence_public(evidence):
                continue
            document = {"id": f"evidence-{evidence.id}", "documentType": "physicalProgressReport",
                        "title": evidence.original_name, "format": evidence.content_type,
                        "datePublished": stamp(met[milestone.sequence]),
                        "description": f"milestone-{milestone.sequence} · sha256 "
                                       f"{evidence.sha256}"}
            if ledger_uri:
                document["url"] = urljoin(ledger_uri, f"/evidence/{evidence.id}")
            documents.append(document)
    return documents


def _contract(project: Project, events: list[AuditEvent], moment: Moment,
              ledger_uri: str | None) -> dict[str, Any]:
    award, signed = project.award, moment.first("start_contract")
    ended = moment.first("close_out") or moment.first("terminate")
    contract: dict[str, Any] = {
        "id": f"{ocid(project)}-contract-{award.id}",
        "awardID": f"{ocid(project)}-award-{award.id}",
        "title": project.title,
        "status": "terminated" if ended else "active",
        "value": value(signed.details["amount_fen"]),
        "dateSigned": stamp(signed.at),
        "implementation": {"milestones": _milestones(project, events, moment),
                           "transactions": _transactions(project, moment, ledger_uri)},
    }
    documents = _documents(project, moment, ledger_uri)
    if documents:
        contract["implementation"]["documents"] = documents
    if ended is not None:
        contract["period"] = {"startDate": stamp(signed.at), "endDate": stamp(ended.at)}
        if ended.reason:
            contract["statusDetails"] = ended.reason
    rectified = moment.all("return_for_rectification")
    if rectified:
        contract["amendments"] = [{"id": f"rectification-{n}", "date": stamp(e.at),
                                   "rationale": e.reason or "",
                                   "description": "退回整改：增加整改里程碑 (returned for "
                                                  "rectification: a rectification milestone "
                                                  "is added)"}
                                  for n, e in enumerate(rectified, 1)]
    return contract


def _moments(events: list[AuditEvent]) -> list[Moment]:
    """The events that make releases: each material move once the plan was published."""
    published = next((i for i, e in enumerate(events) if e.trigger == "publish"), None)
    cut = published if published is not None else len(events)
    plans = [i for i, e in enumerate(events[:cut]) if e.trigger in ("submit", "create")]
    chosen = plans[-1:] + [i for i, e in enumerate(events)
                           if published is not None and i >= published and e.trigger in TAGS
                           and e.trigger != "submit"]
    return [Moment(events[i], tuple(events[:i + 1])) for i in chosen]


def _notice(project: Project, moment: Moment, kind: str, trigger: str,
            ledger_uri: str | None) -> list[dict[str, Any]]:
    """The project's public page as the notice of a stage, once that stage was reached."""
    reached = moment.first(trigger)
    if reached is None or not ledger_uri:
        return []
    return [{"id": kind, "documentType": kind, "title": project.title,
             "url": urljoin(ledger_uri, f"/projects/{project.id}"),
             "datePublished": stamp(reached.at), "format": "text/html"}]


def release_at(project: Project, events: list[AuditEvent], moment: Moment,
               ledger_uri: str | None = None) -> dict[str, Any]:
    """The release of one moment: every section known then, as it stood then."""
    tender_end = _deadline(project, events, moment, "tender_closes_at")
    bidders = _bidders(project, moment, tender_end)
    matched = _matched(project, moment)
    tender = _tender(project, events, moment, tender_end, bidders)
    notices = _notice(project, moment, "tenderNotice", "publish", ledger_uri)
    if notices:
        tender["documents"] = notices
    release: dict[str, Any] = {
        "ocid": ocid(project),
        "id": f"{ocid(project)}-{moment.event.id}",
        "date": stamp(moment.at),
        "tag": [TAGS.get(moment.event.trigger, "planning")],
        "initiationType": "tender",
        "language": "zh",
        "parties": _parties(project, moment, bidders, matched),
        "buyer": party_ref(project.station.community),
        "planning": _planning(project, moment, matched),
        "tender": tender,
    }
    if moment.first("award") is not None:
        release["awards"] = [_award(project, moment)]
        notices = _notice(project, moment, "awardNotice", "award", ledger_uri)
        if notices:
            release["awards"][0]["documents"] = notices
    if moment.first("start_contract") is not None:
        release["contracts"] = [_contract(project, events, moment, ledger_uri)]
    return release


def releases(project: Project, ledger_uri: str | None = None) -> list[dict[str, Any]]:
    """One release per material event, oldest first, each as it was at its date.

    ``ledger_uri`` is the public ledger's address, quoted as each transaction's source; files
    exported without a site address leave it out rather than give a relative one.
    """
    events = _events(project)
    return [release_at(project, events, m, ledger_uri) for m in _moments(events)]


def ledger_uri_for(uri: str) -> str | None:
    return urljoin(uri, LEDGER_PATH) if urlsplit(uri).scheme else None


def package_meta(uri: str, now: datetime) -> dict[str, Any]:
    """What every package of this publisher says about itself."""
    meta: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": stamp(now),
        "publisher": {"name": PUBLISHER, **PUBLISHER_ID},
        "license": LICENSE,
        "extensions": [BUDGET_BREAKDOWN],
    }
    if urlsplit(uri).scheme:
        meta["publicationPolicy"] = urljoin(uri, PUBLICATION_POLICY_PATH)
    return meta


def release_package(project: Project, *, uri: str, now: datetime) -> dict[str, Any]:
    """The project's releases wrapped as an OCDS 1.1 release package."""
    return {**package_meta(uri, now), "releases": releases(project, ledger_uri_for(uri))}


def _merger() -> Any:
    import ocdsmerge  # imported here: only the record needs it

    schema = json.loads(RELEASE_SCHEMA.read_text())
    return ocdsmerge.Merger(schema=schema)


def record_package(project: Project, *, uri: str, now: datetime) -> dict[str, Any]:
    """The project's record: all its releases, the compiled release and the versioned one."""
    meta = package_meta(uri, now)
    meta.pop("extensions")
    all_releases = releases(project, ledger_uri_for(uri))
    merger = _merger()
    record: dict[str, Any] = {"ocid": ocid(project), "releases": all_releases}
    if all_releases:
        record["compiledRelease"] = merger.create_compiled_release(all_releases)
        record["versionedRelease"] = merger.create_versioned_release(all_releases)
    return {**meta, "extensions": [BUDGET_BREAKDOWN], "records": [record]}
