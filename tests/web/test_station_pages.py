"""A community registers its station on a form; the policy's rules answer next to the field;
the administrator reviews the queue and grants a waiver with its reason."""

from __future__ import annotations

from html import unescape

import pytest

from marketplace.extensions import db
from marketplace.models import OrgStatus, Role, Station, StationStatus, Volunteer
from tests.factories import gen_account, gen_station

GOOD = {"name": "松台社区爱心驿站", "county": "鹿城区", "town": "松台街道",
        "address": "广场路 12 号", "floor": "1", "area_m2": "42.5",
        "registration_number": "52330302MJ8936225D", "director": "陈主任",
        "opening_hours": "周一至周六 8:30–17:00", "social_workers": "2",
        "volunteers": "王芳\n李强\n"}
URL = "/community/stations/new?lang=en"


def _stations() -> list[Station]:
    db.session.expire_all()
    return list(db.session.execute(db.select(Station).order_by(Station.id)).scalars())


@pytest.fixture
def community(auth):
    account = gen_account(Role.COMMUNITY)
    auth.login(account)
    return account


def test_a_registered_station_waits_for_approval_on_the_dashboard(client, community) -> None:
    form = client.get(URL).get_data(as_text=True)
    assert 'value="鹿城区"' in form  # the community's county, ready to keep
    response = client.post(URL, data=GOOD)
    assert response.status_code == 302 and response.headers["Location"] == "/community/"
    [station] = _stations()
    assert station.status is StationStatus.PENDING
    assert station.community_id == community.organization_id
    assert station.registration_number == GOOD["registration_number"]
    assert sorted(v.name for v in db.session.execute(db.select(Volunteer)).scalars()) == \
        ["李强", "王芳"]
    dashboard = unescape(client.get("/community/?lang=en").get_data(as_text=True))
    assert "It waits for the administrator's approval" in dashboard
    assert "松台社区爱心驿站" in dashboard and "waiting for approval" in dashboard


def test_premises_off_the_ground_floor_are_refused_next_to_the_floor(client, community) -> None:
    response = client.post(URL, data={**GOOD, "floor": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="floor-error">A Love Station must be on the ground floor' in page
    assert 'value="松台社区爱心驿站"' in page  # what was typed is kept
    assert _stations() == []


def test_the_refusal_is_in_chinese_for_a_chinese_reader(client, community) -> None:
    page = client.post("/community/stations/new", data={**GOOD, "floor": "3"})
    assert "一楼" in page.get_data(as_text=True) and _stations() == []


def test_small_premises_are_accepted_but_wait_for_a_waiver(client, community) -> None:
    response = client.post(URL, data={**GOOD, "area_m2": "25"}, follow_redirects=True)
    page = unescape(response.get_data(as_text=True))
    assert "Its premises are under 30 m², so it waits for an administrator's waiver" in page
    assert "waiting for an administrator's waiver (premises under 30 m²)" in page
    assert _stations()[0].needs_waiver


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "This field is required"),
    ("address", "x" * 301, "longer than 300"),
    ("floor", "first", "Not a valid integer"),
    ("floor", "-1", "ground floor"),
    ("area_m2", "abc", "Not a valid decimal"),
    ("area_m2", "-5", "Give the area in square metres"),
    ("area_m2", "1e30", "Give the area in square metres"),
    ("area_m2", "NaN", "Give the area in square metres"),
    ("registration_number", "", "This field is required"),
    ("registration_number", "52330302MJ8936225X", "check character"),
    ("registration_number", "91330300MA2861X9X5", "starts with 52"),
    ("director", "", "This field is required"),
    ("opening_hours", "", "This field is required"),
    ("social_workers", "0", "at least one social-worker post"),
    ("social_workers", "1001", "At most 1000"),
    ("social_workers", "99999999999", "The number is too large."),  # past an integer column
    ("volunteers", "王" * 101, "at most 100 characters"),
])
def test_bad_input_is_named_next_to_its_field_and_saves_nothing(client, community, field,
                                                                value, message) -> None:
    response = client.post(URL, data={**GOOD, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400, field
    assert f'id="{field}-error">' in page and message in page, page
    assert _stations() == []
    assert db.session.execute(db.select(Volunteer)).first() is None


def test_a_pending_community_organization_may_not_register(client, auth) -> None:
    auth.login(gen_account(Role.COMMUNITY, status=OrgStatus.PENDING))
    assert client.post(URL, data=GOOD).status_code == 403 and _stations() == []


@pytest.fixture
def small(community, client):
    """A 25 m² station the community registered (still logged in)."""
    client.post(URL, data={**GOOD, "area_m2": "25"})
    [station] = _stations()
    return station


def test_the_queue_links_to_the_review_that_grants_the_waiver(client, auth, small) -> None:
    auth.logout()
    auth.login(gen_account(Role.ADMIN))
    queue = client.get("/admin/?lang=en").get_data(as_text=True)
    review = f"/admin/stations/{small.id}"
    assert f'href="{review}"' in queue and "Needs a waiver: under 30 m²" in queue
    page = client.get(review + "?lang=en").get_data(as_text=True)
    assert "52330302MJ8936225D" in page and "Reason for the waiver" in page

    refused = client.post(review + "?lang=en", data={"decision": "approve", "waiver_reason": ""})
    assert refused.status_code == 400
    assert 'id="waiver_reason-error">The premises are 25.00 m²' in refused.get_data(as_text=True)
    assert _stations()[0].status is StationStatus.PENDING

    done = client.post(review, data={"decision": "approve",
                                     "waiver_reason": "老旧小区无更大一楼用房，街道确认可用。"})
    assert done.status_code == 302
    station = _stations()[0]
    assert station.status is StationStatus.APPROVED
    assert station.waiver_reason == "老旧小区无更大一楼用房，街道确认可用。"

    again = client.post(review + "?lang=en", data={"decision": "reject", "reason": "x"})
    assert again.status_code == 409 and "already been approved" in again.get_data(as_text=True)


def test_a_rejection_needs_its_reason_and_the_community_sees_it(client, auth, community,
                                                               small) -> None:
    auth.logout()
    auth.login(gen_account(Role.ADMIN))
    review = f"/admin/stations/{small.id}?lang=en"
    refused = client.post(review, data={"decision": "reject", "reason": "  "})
    assert refused.status_code == 400 and 'id="reason-error">Give a reason.' in \
        refused.get_data(as_text=True)
    assert client.post(review, data={"decision": "reject",
                                     "reason": "房屋为临时租用。"}).status_code == 302
    auth.logout()
    auth.login(community)
    dashboard = client.get("/community/?lang=en").get_data(as_text=True)
    assert "rejected" in dashboard and "房屋为临时租用。" in dashboard


def test_an_unknown_station_is_a_404(client, auth) -> None:
    auth.login(gen_account(Role.ADMIN))
    assert client.get("/admin/stations/999").status_code == 404
    assert client.get(f"/admin/stations/{2**40}").status_code == 404
    assert client.post("/admin/stations/999", data={"decision": "approve"}).status_code == 404


def test_another_station_in_the_queue_stays_untouched(client, auth) -> None:
    other = gen_station(gen_account(Role.COMMUNITY), status=StationStatus.PENDING)
    auth.login(gen_account(Role.ADMIN))
    client.post(f"/admin/stations/{other.id}", data={"decision": "reject", "reason": ""})
    assert _stations()[0].status is StationStatus.PENDING
