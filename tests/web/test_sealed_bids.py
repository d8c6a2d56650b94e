"""A bid stays sealed until the tender closes: no other organization, nor the administrator,
nor the community can read it; the bidder sees and replaces its own."""

from __future__ import annotations

from marketplace.lifecycle import State
from marketplace.models import Bid, BidStatus
from tests.factories import at, gen_cast, gen_project

FIRST_PLAN = "社工带义工，分两期入户服务并建立服务档案。"  # the demo walk's bid of ngos[0]


def test_nobody_else_reads_a_bid_before_the_tender_closes(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    paths = [f"/projects/{project.id}", f"/ngo/projects/{project.id}", "/ngo/",
             f"/admin/projects/{project.id}/audit", f"/community/projects/{project.id}",
             "/admin/"]
    for account in (cast.ngos[1], cast.admin, cast.community):
        auth.login(account)
        for path in paths:
            page = client.get(path).get_data(as_text=True)
            assert FIRST_PLAN not in page, (account.email, path)
        auth.logout()
    auth.login(cast.ngos[0])
    assert FIRST_PLAN in client.get(f"/ngo/projects/{project.id}").get_data(as_text=True)


def test_the_community_sees_the_bids_once_the_tender_closed(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(31))
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}").get_data(as_text=True)
    assert FIRST_PLAN in page


def test_replacing_a_bid_keeps_one_current_bid(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    auth.login(cast.ngos[0])
    response = client.post(f"/ngo/projects/{project.id}/bid",
                           data={"price": "1234.50", "delivery_plan": "新的方案", "team": "3 人"})
    assert response.status_code == 302
    mine = [b for b in project.bids if b.organization_id == cast.ngos[0].organization_id]
    current = [b for b in mine if b.status is BidStatus.SUBMITTED]
    assert len(current) == 1 and current[0].price_fen == 123450
    assert "新的方案" in client.get(f"/ngo/projects/{project.id}").get_data(as_text=True)


def test_no_bid_after_the_tender_closed(client, auth, clock) -> None:
    from marketplace.extensions import db

    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    before = db.session.execute(db.select(db.func.count(Bid.id))).scalar_one()
    clock(at(31))
    auth.login(cast.ngos[0])
    response = client.post(f"/ngo/projects/{project.id}/bid",
                           data={"price": "1000", "delivery_plan": "迟到的方案"})
    assert response.status_code in (400, 409)
    assert db.session.execute(db.select(db.func.count(Bid.id))).scalar_one() == before


def test_withdrawing_asks_first_then_the_bid_is_never_opened(client, auth, clock) -> None:
    from marketplace.extensions import db
    from marketplace.models import AuditEvent

    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    auth.login(cast.ngos[0])
    page = client.get(f"/ngo/projects/{project.id}?lang=en").get_data(as_text=True)
    url = f"/ngo/projects/{project.id}/bid/withdraw"
    assert url in page
    confirm = client.get(url + "?lang=en")
    assert confirm.status_code == 200 and "Yes, withdraw the bid" in confirm.get_data(as_text=True)
    db.session.expire_all()
    assert any(b.status is BidStatus.SUBMITTED and b.organization_id == cast.ngos[0].organization_id
               for b in project.bids)  # looking at the question changes nothing
    done = client.post(url, follow_redirects=True)
    assert done.status_code == 200
    db.session.expire_all()
    assert not any(b.status is BidStatus.SUBMITTED
                   and b.organization_id == cast.ngos[0].organization_id for b in project.bids)
    event = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.trigger == "withdraw_bid")).scalar_one()
    assert FIRST_PLAN not in str(event.details) and not event.details
    assert client.get(url).status_code == 302  # nothing left to withdraw

    auth.logout()
    clock(at(31))
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}").get_data(as_text=True)
    assert FIRST_PLAN not in page  # withdrawn: not opened


def test_withdrawing_after_the_close_is_refused_with_a_reason(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(31))
    auth.login(cast.ngos[0])
    response = client.post(f"/ngo/projects/{project.id}/bid/withdraw?lang=en")
    assert response.status_code == 409
    assert "The tender has closed: a bid can no longer be withdrawn." in \
        response.get_data(as_text=True)
    assert any(b.status is BidStatus.SUBMITTED
               and b.organization_id == cast.ngos[0].organization_id for b in project.bids)
