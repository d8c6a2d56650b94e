"""Rows as JSON: money in fen, times ISO-8601 UTC, enums as their values, numbers as numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marketplace.models import (
    AuditEvent,
    Bid,
    Inspection,
    Match,
    Milestone,
    Project,
    Subscription,
)
from marketplace.services.tendering.scoring import BidScore
from marketplace.web.api.common import iso


def number(value: Decimal | None) -> float | None:
    """A stored decimal (a score out of 100, two places) as a JSON number, not a string."""
    return None if value is None else float(value)


def project_summary(project: Project) -> dict[str, Any]:
    station = project.station
    return {
        "id": project.id,
        "title": project.title,
        "state": project.state.value,
        "station": {"id": station.id, "name": station.name, "county": station.county},
        "areas": sorted({item.service.area_code for item in project.items}),
        "groups": [group.code for group in project.groups],
        "budget_fen": project.budget_fen,
        "funding_target_fen": project.funding_target_fen,
        "funding_minimum_fen": project.funding_minimum_fen,
        "committed_fen": project.committed_fen,
        "people_served": project.people_served,
        "subscription_opens_at": iso(project.subscription_opens_at),
        "subscription_closes_at": iso(project.subscription_closes_at),
        "enquiry_closes_at": iso(project.enquiry_closes_at),
        "tender_closes_at": iso(project.tender_closes_at),
        "created_at": iso(project.created_at),
        "published_at": iso(project.published_at),
        "closed_at": iso(project.closed_at),
    }


def milestone(row: Milestone) -> dict[str, Any]:
    return {"id": row.id, "sequence": row.sequence, "title": row.title,
            "due_on": iso(row.due_on), "share_pct": row.share_pct, "status": row.status.value,
            "accepted_at": iso(row.accepted_at)}


def project_detail(project: Project, allowed_moves: list[str]) -> dict[str, Any]:
    award = project.award
    return {
        **project_summary(project),
        "summary": project.summary,
        "review": project.review.value,
        "review_reason": project.review_reason,
        "cancel_reason": project.cancel_reason,
        "remaining_fen": project.remaining_fen,
        "indicator_set": project.indicator_set_code,
        "tender_reopened": project.tender_reopened,
        "rectifications": project.rectifications,
        "version": project.version,
        "items": [
            {"id": item.id, "service_code": item.service_code, "name_zh": item.service.name_zh,
             "name_en": item.service.name_en, "quantity": item.quantity,
             "unit_cost_fen": item.unit_cost_fen, "total_fen": item.total_fen}
            for item in project.items
        ],
        "award": None if award is None else {
            "organization": {"id": award.organization_id, "name": award.organization.name},
            "amount_fen": award.amount_fen, "awarded_at": iso(award.awarded_at),
            "contract_started_at": iso(award.contract_started_at)},
        "standstill_ends_at": iso(project.standstill_ends_at),
        "award_criteria": {"price_weight_pct": project.price_weight_pct,
                           "quality_weight_pct": project.quality_weight_pct},
        "milestones": [milestone(m) for m in project.milestones],
        "allowed_moves": allowed_moves,
    }


def panel_tally(project: Project) -> dict[str, Any]:
    tally = project.panel_tally
    return {"quorum": tally.quorum, "seated": tally.seated, "scored": tally.scored,
            "needed": tally.needed, "decided": tally.decided}


def subscription(row: Subscription, match: Match | None) -> dict[str, Any]:
    """A subscription with its project and what the fund matched (null: no offer matched it)."""
    project = row.project
    return {"id": row.id, "project_id": row.project_id,
            "project": {"id": project.id, "title": project.title, "state": project.state.value},
            "amount_fen": row.amount_fen, "status": row.status.value,
            "from_credit": row.from_credit, "created_at": iso(row.created_at),
            "matched_fen": match.amount_fen if match else 0,
            "match": None if match is None else {
                "offer_id": match.offer_id, "offer_name": match.offer.name,
                "ratio_pct": match.offer.ratio_pct, "amount_fen": match.amount_fen},
            "receipt_url": f"/api/v1/subscriptions/{row.id}/receipt.pdf"}


def bid(row: Bid, scored: BidScore | None = None) -> dict[str, Any]:
    """A bid; ``scored``: its score against the award criteria, once the bids are opened
    (services/tendering/scoring.py), else null."""
    return {"id": row.id, "organization": {"id": row.organization_id,
                                           "name": row.organization.name},
            "price_fen": row.price_fen, "delivery_plan": row.delivery_plan, "team": row.team,
            "milestone_plan": row.milestone_plan, "status": row.status.value,
            "score": number(scored.total) if scored else None,
            "price_score": number(scored.price_score) if scored else None,
            "quality_score": number(scored.quality_score) if scored else None,
            "submitted_at": iso(row.submitted_at)}


def event(row: AuditEvent) -> dict[str, Any]:
    return {"id": row.id, "at": iso(row.at), "actor": row.actor, "trigger": row.trigger,
            "from_state": row.from_state, "to_state": row.to_state, "reason": row.reason,
            "details": row.details}


def inspection(row: Inspection) -> dict[str, Any]:
    return {"id": row.id, "phase": row.phase.value, "station_id": row.station_id,
            "project_id": row.project_id, "inspected_on": iso(row.inspected_on),
            "inspector": {"id": row.inspector.id, "name": row.inspector.name},
            "rating": row.rating.value, "findings": row.findings, "follow_up": row.follow_up,
            "recorded_at": iso(row.recorded_at)}
