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
from itertools import takewhile
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
from marketplace.services.record.replay import trail

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
# tender.enquiries: the answered questions. The complaints extensions in the registry
# (Paraguay's, Ukraine's) exist only on a moving branch, so complaints and their decisions are
# published as documents of type "complaints" instead, pointing at the public record.
ENQUIRIES = ("https://raw.githubusercontent.com/open-contracting-extensions/"
             "ocds_enquiry_extension/v1.1.5/extension.json")
EXTENSIONS = [BUDGET_BREAKDOWN, ENQUIRIES]
# Complaints about an award are decided by the administrator, the civil affairs bureau: the
# procedure's review body, named from the tender on so a bidder knows where to turn.
REVIEW_BODY_ID = "lovestn-civil-affairs"
# The public project page's sections a document points to (templates/pages/project.html).
PAGE_SECTIONS = {"record": "record", "award": "award", "stages": "stages",
                 "evaluation": "evaluation"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLICATION_POLICY_PATH = "/open-data#policy"
RELEASE_SCHEMA = Path(__file__).parent / "data" / "ocds" / "release-schema.json"

SUBMISSION_DETAILS = (
    "在平台的投标页面在线提交（报价、服务方案、团队、里程碑计划）；截止前可撤回或重新提交，以最后"
    "一次为准；投标在截止前保密。 (Submitted online on the platform's tender page: price, delivery "
    "plan, team and milestone plan; a bid may be withdrawn or replaced before the close, the "
    "last one counts; bids stay sealed until the close.)")
ELIGIBILITY = ("经民政局审核通过的注册社会组织。 (Registered social organizations approved by the "
               "civil affairs bureau.)")

# The events that make a release, and the tag of that moment. ``submit`` is the bundle as it
# went to review: only the last one before publication is the plan that was published.
TAGS: dict[str, str | list[str]] = {
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
    "complain": "awardUpdate",  # a complaint lodged in the standstill, public on the record
    "dismiss_complaint": "awardUpdate",
    "uphold_complaint": "awardUpdate",  # the award is cancelled (and given to the next bid)
    # the fund's prize after close-out: its own award and contract, not a tranche
    "evaluation_award": ["award", "contract", "implementation"],
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


def review_body() -> dict[str, str]:
    """The civil affairs bureau that decides complaints (the site's organiser)."""
    return {"id": REVIEW_BODY_ID, "name": current_app.config.get("SITE_ORGANISER") or "民政局"}


@dataclass(frozen=True)
class Standing:
    """An award as the trail says it stood: the bid, its organization and price."""

    bid_id: int
    organization_id: int
    amount_fen: int
    date: datetime
    cancelled_at: datetime | None = None
    cancellation: str | None = None


def _award_history(moment: Moment) -> list[Standing]:
    """Every award made by then, oldest first: an upheld complaint cancels the standing one
    and gives it to the next-best bid (if any), so each bid awarded is an award of its own."""
    history: list[Standing] = []
    for event in moment.seen:
        details = event.details or {}
        if event.trigger == "uphold_complaint" and history:
            last = history[-1]
            history[-1] = Standing(last.bid_id, last.organization_id, last.amount_fen,
                                   last.date, event.at, event.reason)
        if event.trigger in ("award", "uphold_complaint") and "bid_id" in details:
            history.append(Standing(details["bid_id"], details["organization_id"],
                                    details["amount_fen"], event.at))
    return history


def _standing(moment: Moment) -> Standing | None:
    history = _award_history(moment)
    return history[-1] if history and history[-1].cancelled_at is None else None


def _parties(project: Project, moment: Moment, bidders: list[Organization],
             matched: dict[int, int]) -> list[dict[str, Any]]:
    """The community, the enterprises and the fund that paid in, the bidders, the supplier,
    and the review body that hears complaints."""
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
    for organization in bidders:
        add(organization, "tenderer")
    standing = _standing(moment)
    if standing is not None:
        add(db.session.get(Organization, standing.organization_id), "supplier")
    paying = moment.first("start_contract") is not None
    if paying:
        add(project.award.organization, "payee")
    parties = [_party(org, names) for org, names in roles.values()]
    fund_roles = [*(["funder"] if matched else []), *(["payer"] if paying else [])]
    if fund_roles:
        parties.append({**FUND, "roles": fund_roles})
    if moment.first("publish") is not None:
        parties.append({**review_body(), "roles": ["reviewBody"]})
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
        return "complete" if _standing(moment) is not None else "active"
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
            f"质量分＝投标方已完成项目的评估平均分（尚无记录按合格分计）÷100×{quality}。"
            "有效投标指报价不超过项目预算、截止前提交且未撤回的投标，高于预算的投标不予受理；"
            "社区在投标截止后依得分择优选定一家，暂定中标；公示期内落选投标人可向民政局投诉，"
            "投诉成立则授予得分次高的落选投标。 "
            f"(Price {price}%, quality {quality}%: price score = lowest valid price / bid "
            f"price × {price}; quality score = the bidder's mean panel score on projects it "
            f"delivered, the pass mark without one, / 100 × {quality}. A valid bid is within "
            "the project budget, submitted before the close and not withdrawn; a bid above the "
            "budget is refused. After the close the community chooses one valid bid on the "
            "scores; the award is provisional during a standstill in which losing bidders may "
            "complain to the civil affairs bureau; an upheld complaint awards the best-scored "
            "losing bid.)")


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
        # The bundle's published weights (services/tendering/scoring.py); the community
        # awards one valid bid on the scores.
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": _criteria(project),
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": SUBMISSION_DETAILS,
        "eligibilityCriteria": ELIGIBILITY,
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


def _page(project: Project, ledger_uri: str | None, section: str | None = None
          ) -> dict[str, str]:
    """The public project page (at one of its sections) as a document's address."""
    if not ledger_uri:
        return {}
    anchor = f"#{PAGE_SECTIONS[section]}" if section else ""
    return {"url": urljoin(ledger_uri, f"/projects/{project.id}{anchor}")}


def _complaints(project: Project, moment: Moment, ledger_uri: str | None
                ) -> dict[int, list[dict[str, Any]]]:
    """Each complaint lodged by then and each decision on one, by the awarded bid they are
    about: published as the public record shows them (who complained, why, what was decided
    and why). An upheld complaint decides every complaint then open on that award."""
    lodged = {c.id: c for c in project.complaints}
    found: dict[int, list[dict[str, Any]]] = {}
    open_ids: list[int] = []
    for event in moment.seen:
        details = event.details or {}
        if event.trigger == "complain":
            complaint = lodged[details["complaint_id"]]
            open_ids.append(complaint.id)
            found.setdefault(details["bid_id"], []).append({
                "id": f"complaint-{complaint.id}", "documentType": "complaints",
                "title": f"投诉 (complaint) · {complaint.organization.name}",
                "description": event.reason or "", "datePublished": stamp(event.at),
                "format": "text/html", **_page(project, ledger_uri, "record")})
        elif event.trigger in ("dismiss_complaint", "uphold_complaint"):
            upheld = event.trigger == "uphold_complaint"
            decided = list(open_ids) if upheld else [details["complaint_id"]]
            for complaint_id in decided:
                if complaint_id in open_ids:
                    open_ids.remove(complaint_id)
                complaint = lodged[complaint_id]
                verdict = "成立 (upheld)" if upheld else "不成立 (dismissed)"
                found.setdefault(complaint.award_bid_id, []).append({
                    "id": f"complaint-{complaint_id}-decision", "documentType": "complaints",
                    "title": f"投诉处理决定 (decision on the complaint): {verdict}",
                    "description": event.reason or "", "datePublished": stamp(event.at),
                    "format": "text/html", **_page(project, ledger_uri, "record")})
    return found


def _awards(project: Project, moment: Moment, ledger_uri: str | None
            ) -> list[dict[str, Any]]:
    """Each bid awarded by then: a cancelled one (an upheld complaint) stays, cancelled."""
    complaints = _complaints(project, moment, ledger_uri)
    signed = moment.first("start_contract")
    found = []
    for standing in _award_history(moment):
        organization = db.session.get(Organization, standing.organization_id)
        award: dict[str, Any] = {
            "id": award_id(project, standing.bid_id), "title": project.title,
            "status": ("cancelled" if standing.cancelled_at else
                       "active" if signed else "pending"),
            "date": stamp(standing.date), "value": value(standing.amount_fen),
            "suppliers": [party_ref(organization)]}
        documents = []
        if ledger_uri:
            documents.append({"id": "awardNotice", "documentType": "awardNotice",
                              "title": project.title, "datePublished": stamp(standing.date),
                              "format": "text/html", **_page(project, ledger_uri, "award")})
        documents += complaints.get(standing.bid_id, [])
        if standing.cancelled_at is not None:
            award["statusDetails"] = standing.cancellation or ""
        if documents:
            award["documents"] = documents
        found.append(award)
    return found


def award_id(project: Project, bid_id: int) -> str:
    return f"{ocid(project)}-award-{bid_id}"


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

    def status(sequence: int) -> dict[str, str]:
        """Met when accepted; a contract only ends once every milestone is (the lifecycle's
        ``milestones_accepted``), so none ends not met."""
        if sequence in met:
            when = stamp(met[sequence])
            return {"status": "met", "dateMet": when, "dateModified": when}
        return {"status": "scheduled"}

    return [{
        "id": f"milestone-{m.sequence}",
        "title": m.title,
        "type": "delivery",
        "description": f"验收后支付合同金额的 {m.share_pct}% (on acceptance {m.share_pct}% of "
                       f"the contract value is paid)",
        "dueDate": stamp(datetime.combine(m.due_on, datetime.min.time())),
        **status(m.sequence),
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
        "awardID": award_id(project, signed.details["bid_id"]),
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
    notices = _contract_documents(project, moment, ledger_uri)
    if notices:
        contract["documents"] = notices
    rectified = moment.all("return_for_rectification")
    if rectified:
        contract["amendments"] = [{"id": f"rectification-{n}", "date": stamp(e.at),
                                   "rationale": e.reason or "",
                                   "description": "退回整改：增加整改里程碑 (returned for "
                                                  "rectification: a rectification milestone "
                                                  "is added)"}
                                  for n, e in enumerate(rectified, 1)]
    return contract


def _contract_documents(project: Project, moment: Moment, ledger_uri: str | None
                        ) -> list[dict[str, Any]]:
    """The contract's notice, and once it ended the panel's evaluation and the reasons for a
    termination: sections of the public project page, dated when each became public."""
    if not ledger_uri:
        return []
    signed = moment.first("start_contract")
    documents = [{"id": "contractNotice", "documentType": "contractNotice",
                  "title": f"合同 (contract) · {project.title}", "format": "text/html",
                  "datePublished": stamp(signed.at), **_page(project, ledger_uri, "award")}]
    ended = moment.first("close_out") or moment.first("terminate")
    if ended is not None:  # each evaluator's sheet is public from the close on (visibility)
        documents.append({"id": "evaluationReport", "documentType": "finalAudit",
                          "title": "评估结果与评分表 (the panel's evaluation and score sheets)",
                          "format": "text/html", "datePublished": stamp(ended.at),
                          **_page(project, ledger_uri, "evaluation")})
    if ended is not None and ended.trigger == "terminate":
        documents.append({"id": "terminationReasons", "documentType": "cancellationDetails",
                          "title": "终止原因 (reasons for the termination)",
                          "description": ended.reason or "", "format": "text/html",
                          "datePublished": stamp(ended.at), **_page(project, ledger_uri,
                                                                     "stages")})
    return documents


CANCELLATIONS = ("fail_funding", "cancel", "abandon_tender")


def _tender_documents(project: Project, moment: Moment, ledger_uri: str | None
                      ) -> list[dict[str, Any]]:
    """The tender notice (the project page from publication on) and the reasons it ended
    unfunded or cancelled (the page's stages, which carry the reason)."""
    if not ledger_uri:
        return []
    documents = _notice(project, moment, "tenderNotice", "publish", ledger_uri)
    ended = next((e for e in moment.seen if e.trigger in CANCELLATIONS), None)
    if ended is not None:
        documents.append({"id": "cancellationDetails", "documentType": "cancellationDetails",
                          "title": "项目未成或取消的原因 (reasons the tender ended)",
                          "description": ended.reason or "", "format": "text/html",
                          "datePublished": stamp(ended.at),
                          **_page(project, ledger_uri, "stages")})
    return documents


def _fund_award(project: Project, moment: Moment, ledger_uri: str | None
                ) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The fund's evaluation award: the fund's own spending on the supplier after close-out,
    published as an award and contract of its own (paid at once, from the ledger), so the
    service contract's transactions stay its tranches (OCDS: a contract's transactions are
    payments under that contract)."""
    granted = moment.first("evaluation_award")
    if granted is None:
        return None
    organization = db.session.get(Organization, granted.details["organization_id"])
    key = f"{ocid(project)}-evaluation-award-{granted.id}"
    amount = value(granted.details["amount_fen"])
    award = {"id": key, "title": f"评估奖励 (evaluation award) · {project.title}",
             "description": granted.reason or "", "status": "active",
             "date": stamp(granted.at), "value": amount,
             "suppliers": [party_ref(organization)]}
    paid = db.session.execute(
        db.select(LedgerTransaction.id, LedgerTransaction.created_at)
        .where(LedgerTransaction.project_id == project.id,
               LedgerTransaction.trigger == "evaluation_award",
               LedgerTransaction.created_at <= moment.at)
        .order_by(LedgerTransaction.id)).all()
    source = {"source": ledger_uri} if ledger_uri else {}
    contract = {"id": f"{key}-contract", "awardID": key, "title": award["title"],
                "status": "terminated", "value": amount, "dateSigned": stamp(granted.at),
                "period": {"startDate": stamp(granted.at), "endDate": stamp(granted.at)},
                "implementation": {"transactions": [
                    {"id": str(tx_id), **source, "date": stamp(created_at), "value": amount,
                     "payer": {"id": FUND["id"], "name": FUND["name"]},
                     "payee": party_ref(organization)}
                    for tx_id, created_at in paid]}}
    return award, contract


def _tags(trigger: str) -> list[str]:
    tag = TAGS.get(trigger, "planning")
    return list(tag) if isinstance(tag, list) else [tag]


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
    notices = _tender_documents(project, moment, ledger_uri)
    if notices:
        tender["documents"] = notices
    release: dict[str, Any] = {
        "ocid": ocid(project),
        "id": f"{ocid(project)}-{moment.event.id}",
        "date": stamp(moment.at),
        "tag": _tags(moment.event.trigger),
        "initiationType": "tender",
        "language": "zh",
        "parties": _parties(project, moment, bidders, matched),
        "buyer": party_ref(project.station.community),
        "planning": _planning(project, moment, matched),
        "tender": tender,
    }
    awards = _awards(project, moment, ledger_uri)
    if awards:
        release["awards"] = awards
    if moment.first("start_contract") is not None:
        release["contracts"] = [_contract(project, events, moment, ledger_uri)]
    fund = _fund_award(project, moment, ledger_uri)
    if fund is not None:
        release["awards"].append(fund[0])
        release["contracts"].append(fund[1])
    return release


def releases(project: Project, ledger_uri: str | None = None) -> list[dict[str, Any]]:
    """One release per material event, oldest first, each as it was at its date.

    ``ledger_uri`` is the public ledger's address, quoted as each transaction's source; files
    exported without a site address leave it out rather than give a relative one.
    """
    events = trail(project.id)
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
        "extensions": list(EXTENSIONS),
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
    return {**meta, "extensions": list(EXTENSIONS), "records": [record]}


def moment_at(events: list[AuditEvent], at: datetime) -> Moment | None:
    """The trail as it stood at any time ``at`` (not only a release's): the events recorded by
    then, as a ``Moment`` of the last of them; None before the first. A page "as of" a date
    reads the same moments as the releases, so the two cannot disagree."""
    seen = tuple(takewhile(lambda e: e.at <= at, events))
    return Moment(seen[-1], seen) if seen else None


def live_at(subscription: Subscription, at: datetime) -> bool:
    """A subscription committed by ``at`` and not yet handed back then."""
    return _live(subscription, at)


def deadline_then(project: Project, events: list[AuditEvent], moment: Moment,
                  field: str) -> datetime | None:
    """A deadline (``subscription_closes_at``, ``enquiry_closes_at``, ``tender_closes_at``) as
    it stood at ``moment``: later extensions walked back."""
    return _deadline(project, events, moment, field)
