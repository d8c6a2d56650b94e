"""One project carried from packaging to completed by every role, through the API alone."""

from __future__ import annotations

from scheduler.jobs import run_due
from tests.factories import at, gen_station
from tests.web.api.helpers import bundle_body


def test_a_project_lives_its_whole_life_through_the_api(client, cast, auth, clock) -> None:
    community, admin = auth(cast.community), auth(cast.admin)
    station = gen_station(cast.community)

    created = client.post("/api/v1/projects", json=bundle_body(station.id), headers=community)
    assert created.status_code == 201, created.json
    project = created.json
    pid, budget = project["id"], project["budget_fen"]
    assert project["state"] == "packaging" and budget == 100_000
    assert project["subscription_closes_at"] == "2026-03-17T09:00:00Z"
    assert created.headers["Location"] == f"/api/v1/projects/{pid}"
    assert project["allowed_moves"] == ["submit", "cancel"]
    assert client.get(f"/api/v1/projects/{pid}").status_code == 404  # not public yet

    url = f"/api/v1/projects/{pid}"
    submitted = client.post(f"{url}/actions/submit", headers=community)
    assert submitted.status_code == 200 and submitted.json["review"] == "submitted"
    seen_by_admin = client.get(url, headers=admin).json
    assert seen_by_admin["allowed_moves"] == ["reject", "publish", "cancel"]
    approved = client.post(f"{url}/actions/approve", headers=admin,
                           json={"expected_version": seen_by_admin["version"]})
    assert approved.json["state"] == "publication", approved.json

    clock.set(2)
    opened = client.post(f"{url}/actions/open_subscription", headers=admin)
    assert opened.json.get("state") == "subscription", opened.json
    first = client.post(f"{url}/subscriptions", json={"amount_fen": 40_000},
                        headers=auth(cast.enterprises[0]))
    assert first.status_code == 201 and first.json["project_state"] == "subscription"
    last = client.post(f"{url}/subscriptions", json={"amount_fen": 60_000},
                       headers=auth(cast.enterprises[1]))
    assert last.json["project_state"] == "tendering"  # the target was reached

    clock.set(10)
    ngo = auth(cast.ngos[0])
    plan = [{"title": "入户建档", "due": "2026-05-01", "share_pct": 40},
            {"title": "服务实施", "due": "2026-06-01", "share_pct": 60}]
    bid = client.post(f"{url}/bids", headers=ngo, json={
        "price_fen": 95_000, "delivery_plan": "社工带义工入户服务", "milestone_plan": plan})
    assert bid.status_code == 201, bid.json
    client.post(f"{url}/bids", headers=auth(cast.ngos[1]),
                json={"price_fen": 98_000, "delivery_plan": "志愿者集中活动"})

    clock.set(31)
    opened = client.get(f"{url}/bids", headers=community).json
    assert not opened["sealed"] and len(opened["bids"]) == 2
    awarded = client.post(f"{url}/actions/award", headers=community,
                          json={"bid_id": bid.json["id"]})
    assert awarded.json["state"] == "tendering"  # provisional until the standstill ends
    assert awarded.json["award"]["amount_fen"] == 95_000
    assert awarded.json["standstill_ends_at"] == "2026-04-06T09:00:00Z"
    assert awarded.json["milestones"] == [] and "start_contract" not in \
        awarded.json["allowed_moves"]
    assert run_due(at(36)) == {awarded.json["id"]: ["start_contract"]}
    started = client.get(url, headers=community).json
    assert started["state"] == "implementation"
    assert started["award"]["contract_started_at"] == "2026-04-06T09:00:00Z"
    milestones = started["milestones"]
    assert [m["title"] for m in milestones] == ["入户建档", "服务实施"]

    for n, milestone in enumerate(milestones, start=1):
        clock.set(36 + 5 * n)
        path = f"{url}/milestones/{milestone['id']}"
        reported = client.post(f"{path}/reports", headers=ngo,
                               json={"body": "已完成，附签到表", "people_served": 20})
        assert reported.status_code == 201 and reported.json["milestone"]["status"] == "reported"
        accepted = client.post(f"{path}/review", headers=community, json={"accept": True})
        assert accepted.json["status"] == "accepted"
    assert client.post(f"{url}/actions/submit_for_evaluation",
                       headers=community).json["state"] == "evaluation"

    clock.set(50)
    indicators = next(s for s in client.get("/api/v1/catalog").json["indicator_sets"]
                      if s["code"] == awarded.json["indicator_set"])["indicators"]
    appointed = client.post(f"{url}/panel", headers=auth(cast.admin), json={
        "evaluator_ids": [e.id for e in cast.evaluators]})
    assert appointed.status_code == 201 and len(appointed.json["panel"]) == 3
    evaluator = auth(cast.evaluators[0])
    for n, member in enumerate(cast.evaluators):
        # the panel decides as a panel: no decision to make before its last sheet
        assert client.get(url, headers=evaluator).json["allowed_moves"] == []
        sheet = client.post(f"{url}/evaluations", headers=auth(member), json={
            "no_conflict": True, "comments": "回访满意",
            "scores": {i["code"]: i["max_score"] * (0.9 - n * 0.05) for i in indicators}})
        assert sheet.status_code == 201, sheet.json
    assert sheet.json["total_score"] == 80.0
    assert client.get(url, headers=evaluator).json["allowed_moves"] == ["close_out"]
    done = client.post(f"{url}/actions/close_out", headers=evaluator)
    assert done.json["state"] == "completed" and done.json["people_served"] == 40

    trail = client.get(f"{url}/events").json["events"]
    moves = [(e["trigger"], e["to_state"]) for e in trail if e["from_state"] != e["to_state"]]
    assert [t for t, _ in moves] == ["create", "publish", "open_subscription",
                                     "close_subscription", "start_contract",
                                     "submit_for_evaluation",
                                     "close_out"]
    assert all("@" not in e["actor"] for e in trail)  # e-mails only for the administrator
    assert "@" in client.get(f"{url}/events", headers=admin).json["events"][0]["actor"]
