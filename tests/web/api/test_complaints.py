"""Complaints through the API: a losing bidder lodges, the administrator decides."""

from __future__ import annotations

from marketplace.lifecycle import State
from marketplace.services.core.moves import move
from tests.factories import at, gen_project


def test_a_complaint_is_lodged_read_and_upheld_through_the_api(client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=project.bids[0].id)
    url = f"/api/v1/projects/{project.id}/complaints"
    loser, winner, admin = auth(cast.ngos[1]), auth(cast.ngos[0]), auth(cast.admin)

    clock.set(32)
    assert client.post(url, headers=winner, json={"reasons": "不服"}).status_code == 403
    assert client.post(url, headers=loser, json={}).status_code == 400
    lodged = client.post(url, headers=loser, json={"reasons": "中标方资质不实"})
    assert lodged.status_code == 201 and lodged.json["status"] == "open"

    listing = client.get(url, headers=admin).json
    assert listing["standstill_ends_at"] == "2026-04-06T09:00:00Z"
    assert [c["reasons"] for c in listing["complaints"]] == ["中标方资质不实"]
    assert client.get(url, headers=winner).json["complaints"] == []  # not its complaint

    decision = f"/api/v1/complaints/{lodged.json['id']}/decision"
    assert client.post(decision, headers=loser,
                       json={"uphold": True, "reason": "x"}).status_code == 403
    assert client.post(decision, headers=admin, json={"uphold": "yes",
                                                       "reason": "x"}).status_code == 400
    assert client.post("/api/v1/complaints/999999/decision", headers=admin,
                       json={"uphold": True, "reason": "x"}).status_code == 404
    upheld = client.post(decision, headers=admin, json={"uphold": True, "reason": "属实"})
    assert upheld.status_code == 200 and upheld.json["status"] == "upheld"
    detail = client.get(f"/api/v1/projects/{project.id}", headers=loser).json
    assert detail["award"]["organization"]["id"] == cast.ngos[1].organization_id
    assert detail["standstill_ends_at"] == "2026-04-07T09:00:00Z"
