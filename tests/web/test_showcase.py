"""The public home's figures, the filtered listing, and the station and organization pages,
checked against a small world made here."""

from __future__ import annotations

import re

from sqlalchemy import event

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import BeneficiaryGroup, MilestoneStatus, OrgStatus, Role, StationStatus
from marketplace.services.core.moves import move
from marketplace.services.implementation.delivery import report_progress, review_milestone
from marketplace.services.subscription import funding
from marketplace.web.public import home as public
from tests.factories import at, gen_account, gen_cast, gen_project, gen_station
from tests.web.test_figures import ledger_trail


def _world():  # noqa: ANN202
    cast = gen_cast()
    lucheng = gen_station(cast.community)
    ruian = gen_station(cast.community, name="玉海社区爱心驿站", county="瑞安市", town="玉海街道")
    gen_station(cast.community, name="未批驿站", status=StationStatus.PENDING)
    projects = {
        "completed": gen_project(cast, State.COMPLETED, station=lucheng),
        "subscription": gen_project(cast, State.SUBSCRIPTION, station=ruian),
        "unfunded": gen_project(cast, State.UNFUNDED, station=ruian),
        "implementation": gen_project(cast, State.IMPLEMENTATION, station=lucheng),
        "draft": gen_project(cast, State.PACKAGING, station=lucheng),
    }
    titles = {"completed": "独居老人助餐", "subscription": "残疾人康复陪护",
              "unfunded": "困难家庭法律援助", "implementation": "空巢老人心理关怀",
              "draft": "尚未发布的草稿"}
    for key, project in projects.items():
        project.title = titles[key]
    db.session.commit()
    return cast, lucheng, ruian, projects


def _figure(page: str, name: str) -> str:
    return re.search(rf'id="{name}">([^<]*)<', page).group(1)


def test_the_home_page_figures_add_up_from_the_published_projects(client) -> None:
    cast, _lucheng, _ruian, p = _world()
    # A milestone sent back and reported again counts its people once, from the last report.
    milestone = next(m for m in p["implementation"].milestones
                     if m.status is MilestoneStatus.PENDING)
    for served, accept in ((7, False), (9, True)):
        report_progress(p["implementation"].id, milestone.id, actor=cast.ngos[0], body="入户",
                        people_served=served, now=at(90))
        review_milestone(p["implementation"].id, milestone.id, actor=cast.community,
                         accept=accept, comment="" if accept else "补充签到表", now=at(91))

    page = client.get("/?lang=en").get_data(as_text=True)
    assert _figure(page, "figure-stations") == "2"  # the pending station is not counted
    assert _figure(page, "figure-projects") == "4"  # the draft is not public
    # What the money trails say stayed with each project: the unfunded project's money went
    # back, and the completed project's surplus was refunded from escrow.
    trails = [ledger_trail(client, p[stage].id)
              for stage in ("completed", "subscription", "implementation", "unfunded")]
    raised = sum(t["committed"] + t["matched"] - t["released"] for t in trails)
    assert p["unfunded"].committed_fen == 0
    assert _figure(page, "figure-raised") == f"¥{raised // 100:,}.{raised % 100:02d}"
    # Completed: two accepted milestones of 30; in implementation: 30, then 9 (not 7 + 9).
    assert _figure(page, "figure-people") == str(30 + 30 + 30 + 9)
    for stage, count in (("completed", 1), ("subscription", 1), ("unfunded", 1),
                         ("implementation", 1), ("tendering", 0)):
        assert _figure(page, f"stage-{stage}") == str(count)
    assert "尚未发布的草稿" not in page


def _titles(client, query: str) -> set[str]:  # noqa: ANN001
    page = client.get(f"/?{query}").get_data(as_text=True)
    body = page.split('class="projects"', 1)[1]
    return set(re.findall(r'href="/projects/\d+">([^<]+)</a>', body))


def test_the_listing_filters_by_stage_area_county_and_group_and_searches(client) -> None:
    _cast, _lucheng, _ruian, p = _world()
    public_titles = {"独居老人助餐", "残疾人康复陪护", "困难家庭法律援助", "空巢老人心理关怀"}
    assert _titles(client, "") == public_titles
    assert _titles(client, "stage=subscription") == {"残疾人康复陪护"}
    assert _titles(client, "stage=packaging") == public_titles  # drafts never show
    assert _titles(client, "county=瑞安市") == {"残疾人康复陪护", "困难家庭法律援助"}
    area = p["completed"].items[0].service.area_code
    assert _titles(client, f"area={area}") == public_titles
    other = "rights" if area != "rights" else "material"
    assert _titles(client, f"area={other}") == set()
    group = db.session.execute(db.select(BeneficiaryGroup)
                               .order_by(BeneficiaryGroup.code)).scalars().first()
    p["subscription"].groups = [group]
    p["completed"].groups = []
    db.session.commit()
    assert "残疾人康复陪护" in _titles(client, f"group={group.code}")
    assert "独居老人助餐" not in _titles(client, f"group={group.code}")
    assert _titles(client, "q=老人") == {"独居老人助餐", "空巢老人心理关怀"}
    assert _titles(client, "q=玉海") == {"残疾人康复陪护", "困难家庭法律援助"}  # station name
    assert _titles(client, "q=草稿") == set()
    assert _titles(client, "county=瑞安市&q=法律") == {"困难家庭法律援助"}


def test_the_listing_pages_keep_the_filters(client, monkeypatch) -> None:
    _world()
    monkeypatch.setattr(public, "PER_PAGE", 2)
    one_page = client.get("/?county=鹿城区&lang=en").get_data(as_text=True)
    assert 'rel="next"' not in one_page  # two public projects in 鹿城区 fill one page
    page_one = client.get("/?lang=en").get_data(as_text=True)
    assert "Page 1 of 2" in page_one
    next_link = re.search(r'rel="next" href="([^"]+)"', page_one).group(1).replace("&amp;", "&")
    assert "lang=en" in next_link and "page=2" in next_link
    seen = _titles(client, "") | _titles(client, "page=2")
    assert len(seen) == 4 and len(_titles(client, "page=2")) == 2
    assert _titles(client, "page=99") == set()  # past the end: empty, not an error
    assert client.get("/?page=abc").status_code == 200


def test_station_and_organization_pages_show_their_public_record(client) -> None:
    cast, lucheng, ruian, p = _world()
    page = client.get(f"/stations/{ruian.id}?lang=en").get_data(as_text=True)
    assert "玉海社区爱心驿站" in page and "残疾人康复陪护" in page and "独居老人助餐" not in page
    assert "尚未发布的草稿" not in client.get(f"/stations/{lucheng.id}").get_data(as_text=True)
    pending = gen_station(cast.community, name="待批", status=StationStatus.PENDING)
    assert client.get(f"/stations/{pending.id}").status_code == 404
    assert client.get("/stations/999999").status_code == 404

    winner = client.get(f"/organizations/{cast.ngos[0].organization_id}?lang=en")
    text = winner.get_data(as_text=True)
    assert "Projects awarded" in text and "独居老人助餐" in text and "残疾人康复陪护" not in text
    donor = client.get(f"/organizations/{cast.enterprises[0].organization_id}").get_data(
        as_text=True)
    assert "残疾人康复陪护" in donor and "独居老人助餐" in donor
    community = client.get(f"/organizations/{cast.community.organization_id}").get_data(
        as_text=True)
    assert "玉海社区爱心驿站" in community and "未批驿站" not in community
    assert client.get(f"/organizations/{cast.admin.organization_id}").status_code == 404
    waiting = gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING)
    assert client.get(f"/organizations/{waiting.organization_id}").status_code == 404


def _fen(figure: str) -> int:
    return int(figure.strip("¥").replace(",", "").replace(".", ""))


def _statements(client, url: str) -> tuple[str, int]:  # noqa: ANN001
    seen = []
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        page = client.get(url).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return page, len(seen)


def test_the_figures_are_kept_between_visits_and_change_at_the_next_visit_after_a_write(
        client) -> None:
    cast, _lucheng, _ruian, p = _world()
    page, first = _statements(client, "/?lang=en")
    # nothing changed: the figures were not read again. On PostgreSQL a commit anywhere on the
    # server (another test worker's) moves the version: tried again until a visit met none.
    for _ in range(20 if db.engine.dialect.name == "postgresql" else 1):
        again, second = _statements(client, "/?lang=en")
        if second < first:
            break
    assert again == page and second < first

    project_id = p["subscription"].id
    raised = _fen(_figure(page, "figure-raised"))
    funding.subscribe(project_id, 12_345, actor=cast.enterprises[1], now=at(5))
    page = client.get("/?lang=en").get_data(as_text=True)
    assert _fen(_figure(page, "figure-raised")) == raised + 12_345

    move(project_id, "cancel", actor=cast.admin, now=at(6), reason="社区撤回")
    page = client.get("/?lang=en").get_data(as_text=True)
    assert _figure(page, "stage-subscription") == "0" and _figure(page, "stage-cancelled") == "1"
    held = p["subscription"].funding_target_fen // 3 + 12_345  # released to the enterprises
    assert _fen(_figure(page, "figure-raised")) == raised + 12_345 - held

    gen_project(cast, State.TENDERING, station=gen_station(cast.community, county="永嘉县"))
    page = client.get("/?lang=en").get_data(as_text=True)
    assert _figure(page, "figure-projects") == "5" and _figure(page, "stage-tendering") == "1"
    assert "<option>永嘉县</option>" in page  # the county choices too


def test_the_page_count_follows_a_new_project(client, monkeypatch) -> None:
    cast, *_ = _world()
    monkeypatch.setattr(public, "PER_PAGE", 2)
    for _ in range(2):  # the second time from what the worker kept
        assert "Page 1 of 2" in client.get("/?lang=en").get_data(as_text=True)
    gen_project(cast, State.TENDERING)
    assert "Page 1 of 3" in client.get("/?lang=en").get_data(as_text=True)
