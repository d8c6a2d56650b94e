"""The standstill on the pages: the loser complains, the administrator decides, all can see it."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Complaint, ComplaintStatus
from marketplace.services.core.moves import move
from tests.factories import at, gen_cast, gen_project


def test_a_loser_complains_on_its_page_and_the_administrator_dismisses(client, auth,
                                                                       clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=project.bids[0].id)
    clock(at(32))
    public = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "Provisional award" in public and "Standstill until" in public

    url = f"/ngo/projects/{project.id}/complaint?lang=en"
    auth.login(cast.ngos[0])  # the winner has nothing to complain about
    assert "Only a bidder that did not win" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"reasons": "x"}).status_code == 409
    auth.logout()

    auth.login(cast.ngos[1])
    page = client.post(url, data={"reasons": " "})
    assert page.status_code == 409 and "Give the reasons" in page.get_data(as_text=True)
    assert client.post(url, data={"reasons": "中标方资质不实"}).status_code == 302
    assert "中标方资质不实" in client.get(url).get_data(as_text=True)
    auth.logout()

    auth.login(cast.admin)
    listing = client.get("/admin/complaints?lang=en").get_data(as_text=True)
    assert "中标方资质不实" in listing and "Dismiss" in listing
    complaint = db.session.execute(db.select(Complaint)).scalar_one()
    decide = f"/admin/complaints/{complaint.id}/dismiss?lang=en"
    assert "Give a reason" in client.post(decide, data={"reason": ""}).get_data(as_text=True)
    assert client.post(decide, data={"reason": "资质核查无误"}).status_code == 302
    db.session.expire_all()
    assert complaint.status is ComplaintStatus.DISMISSED
