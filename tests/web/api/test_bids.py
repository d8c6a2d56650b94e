"""Sealed bids: nobody reads another organization's bid before the tender closes."""

from __future__ import annotations

from marketplace.lifecycle import State
from tests.factories import gen_project


def _bids(client, project, headers):
    return client.get(f"/api/v1/projects/{project.id}/bids", headers=headers)


def test_before_the_close_each_organization_sees_only_its_own_bid(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)  # both organizations bid on day 10
    clock.set(20)
    first, second = (_bids(client, project, auth(ngo)).json for ngo in cast.ngos)
    assert first["sealed"] and second["sealed"]
    assert [b["organization"]["id"] for b in first["bids"]] == [cast.ngos[0].organization_id]
    assert [b["organization"]["id"] for b in second["bids"]] == [cast.ngos[1].organization_id]
    for reader in (cast.admin, cast.community):
        sealed = _bids(client, project, auth(reader)).json
        assert sealed == {"sealed": True, "bids": []}
    detail = client.get(f"/api/v1/projects/{project.id}", headers=auth(cast.admin)).json
    assert "bids" not in detail


def test_after_the_close_the_community_and_admin_see_every_bid(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)
    clock.set(30)
    for reader in (cast.admin, cast.community):
        opened = _bids(client, project, auth(reader)).json
        assert not opened["sealed"]
        assert sorted(b["price_fen"] for b in opened["bids"]) == sorted(
            b.price_fen for b in project.bids)
    assert len(_bids(client, project, auth(cast.ngos[1])).json["bids"]) == 1
    denied = _bids(client, project, auth(cast.enterprises[0]))
    assert denied.status_code == 403 and denied.json["error"] == "forbidden"
    assert _bids(client, project, {}).status_code == 401


def test_a_bid_after_the_close_is_refused(client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)
    clock.set(30)
    late = client.post(f"/api/v1/projects/{project.id}/bids", headers=auth(cast.ngos[0]),
                       json={"price_fen": 1000, "delivery_plan": "late"})
    assert late.status_code == 409 and late.json["error"] == "conflict"


def test_a_withdrawn_bid_is_never_opened_and_the_organization_may_bid_again(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)  # both organizations bid on day 10
    clock.set(20)
    mine = f"/api/v1/projects/{project.id}/bids/mine"
    first = auth(cast.ngos[0])
    withdrawn = client.delete(mine, headers=first)
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    again = client.delete(mine, headers=first)
    assert again.status_code == 404 and again.json["error"] == "not_found"
    assert client.delete(mine, headers=auth(cast.community)).status_code == 403
    assert client.delete(mine, headers={}).status_code == 401
    events = client.get(f"/api/v1/projects/{project.id}/events").json["events"]
    withdrawal = next(e for e in events if e["trigger"] == "withdraw_bid")
    # while the tender is open nobody learns who withdrew (that would say who had bid)
    assert withdrawal["details"] in ({}, None) and withdrawal["actor"] == ""
    assert str(withdrawn.json["price_fen"]) not in str(withdrawal)

    clock.set(30)
    opened = _bids(client, project, auth(cast.community)).json["bids"]
    assert [b["organization"]["id"] for b in opened] == [cast.ngos[1].organization_id]
    late = client.delete(mine, headers=auth(cast.ngos[1]))
    assert late.status_code == 409 and "no longer be withdrawn" in late.json["message"]


def test_after_withdrawing_a_new_bid_before_the_close_counts(client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)
    clock.set(20)
    first = auth(cast.ngos[0])
    client.delete(f"/api/v1/projects/{project.id}/bids/mine", headers=first)
    resubmitted = client.post(f"/api/v1/projects/{project.id}/bids", headers=first,
                              json={"price_fen": 12_345, "delivery_plan": "第二稿"})
    assert resubmitted.status_code == 201
    clock.set(30)
    opened = _bids(client, project, auth(cast.community)).json["bids"]
    assert 12_345 in [b["price_fen"] for b in opened] and len(opened) == 2


def test_a_bid_above_the_budget_is_a_rule_s_refusal_and_nothing_is_saved(
        client, cast, auth, clock) -> None:
    from marketplace.extensions import db
    from marketplace.models import Bid

    project = gen_project(cast, State.TENDERING)
    clock.set(20)
    before = db.session.execute(db.select(Bid.id, Bid.status, Bid.price_fen)
                                .order_by(Bid.id)).all()
    refused = client.post(f"/api/v1/projects/{project.id}/bids", headers=auth(cast.ngos[0]),
                          json={"price_fen": project.budget_fen + 1, "delivery_plan": "贵"})
    assert refused.status_code == 409
    assert refused.json["rule"] == "bid_within_budget" and refused.json["field"] == "price"
    assert refused.json["error"] == "conflict"
    db.session.expire_all()
    assert db.session.execute(db.select(Bid.id, Bid.status, Bid.price_fen)
                              .order_by(Bid.id)).all() == before  # the earlier bid stands
    at_budget = client.post(f"/api/v1/projects/{project.id}/bids", headers=auth(cast.ngos[0]),
                            json={"price_fen": project.budget_fen, "delivery_plan": "正好"})
    assert at_budget.status_code == 201


def test_the_opened_bids_carry_their_score_against_the_published_criteria(
        client, cast, auth, clock) -> None:
    project = gen_project(cast, State.TENDERING)
    detail = client.get(f"/api/v1/projects/{project.id}").json
    assert detail["award_criteria"] == {"price_weight_pct": 30, "quality_weight_pct": 70}
    clock.set(30)
    opened = _bids(client, project, auth(cast.community)).json["bids"]
    cheapest = min(opened, key=lambda b: b["price_fen"])
    assert (cheapest["price_score"], cheapest["quality_score"], cheapest["score"]) == \
        (30.0, 42.0, 72.0)
    assert all(isinstance(b["score"], float) for b in opened)
    own = _bids(client, project, auth(cast.ngos[0])).json["bids"]
    assert [b["score"] for b in own] == [None]  # a bidder alone has nothing to compare with
