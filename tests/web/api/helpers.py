"""A valid bundle body for POST /api/v1/projects, timed like the factories' projects."""

from __future__ import annotations

from typing import Any

from tests.factories import at, services


def bundle_body(station_id: int, /, **overrides: Any) -> dict[str, Any]:
    lines = [{"service_code": s.code, "quantity": 10, "unit_cost_fen": 5_000}
             for s in services(2)]
    budget = sum(line["quantity"] * line["unit_cost_fen"] for line in lines)
    body = {
        "station_id": station_id, "title": "独居老人冬季暖心包", "items": lines,
        "funding_target_fen": budget, "funding_minimum_fen": budget // 2,
        "subscription_opens_at": at(2).isoformat() + "Z",
        "subscription_closes_at": at(16).isoformat() + "Z",
        "tender_closes_at": at(30).isoformat() + "+00:00",
    }
    body.update(overrides)
    return body
