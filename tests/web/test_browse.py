"""The listing people browse: cards whose figures are the ledger's, three orders, filters that
clear, and an empty state that says what to do next."""

from __future__ import annotations

import math
import re
from datetime import timedelta

from marketplace.extensions import db
from marketplace.lifecycle import State, closes_at
from marketplace.models import Project
from marketplace.services.record.transparency import money_trail
from marketplace.services.subscription import funding
from tests.factories import T0, at, gen_cast, gen_project, gen_station
from tests.web.figures import fen, figures

NOW = at(5)


def _world():  # noqa: ANN202
    """Projects in several stages, created a day apart, in two counties, with unequal money."""
    cast = gen_cast()
    lucheng = gen_station(cast.community)
    ruian = gen_station(cast.community, name="玉海社区爱心驿站", county="瑞安市", town="玉海街道")
    plan = [("subscription", State.SUBSCRIPTION, ruian, "甲：助餐"),
            ("later", State.SUBSCRIPTION, lucheng, "乙：陪护"),
            ("tendering", State.TENDERING, lucheng, "丙：法律援助"),
            ("completed", State.COMPLETED, ruian, "丁：心理关怀"),
            ("unfunded", State.UNFUNDED, lucheng, "戊：助浴"),
            ("draft", State.PACKAGING, lucheng, "草稿")]
    projects = {}
    for n, (key, state, station, title) in enumerate(plan):
        project = gen_project(cast, state, station=station, start=T0 - timedelta(days=n))
        project.title = title
        projects[key] = project
    db.session.commit()
    # "later" was made a day before "subscription" but closes first, and gets more money.
    projects["later"].subscription_closes_at = at(12)
    db.session.commit()
    funding.subscribe(projects["later"].id, 300_000, actor=cast.enterprises[1], now=at(4))
    db.session.expire_all()
    return cast, {k: db.session.get(Project, p.id) for k, p in projects.items()}


def _cards(client, query: str = "") -> list[int]:  # noqa: ANN001
    page = client.get(f"/?lang=en&{query}").get_data(as_text=True)
    listing = page.split('id="project-cards"', 1)[1].split("</ul>", 1)[0]
    return [int(n) for n in re.findall(r'id="figures-(\d+)"', listing)]


def test_each_card_shows_the_ledgers_money_the_stage_and_the_county(client, clock) -> None:
    clock(NOW)
    _cast, p = _world()
    page = client.get("/?lang=en").get_data(as_text=True)
    for key in ("subscription", "later", "tendering", "completed", "unfunded"):
        project = p[key]
        shown = figures(page, f"figures-{project.id}")
        trail = money_trail(project)
        # Raised: the money trail's own figure, as the project page and the home page's total
        # show it (what came in and stayed: a release or a refund lowers it), from the
        # project's ledger accounts, not from its counter.
        assert fen(shown["Raised so far"]) == trail.raised, key
        assert fen(shown["Target"]) == project.funding_target_fen
        assert shown["County"] == project.station.county
        deadline = closes_at(project, NOW)
        if deadline is None:
            assert "Days left" not in shown, key
        else:
            days = math.ceil((deadline - NOW).total_seconds() / 86400)
            assert shown["Days left"] == f"{days} days", key
    assert fen(figures(page, f"figures-{p['later'].id}")["Raised so far"]) > 0
    assert f'id="figures-{p["draft"].id}"' not in page  # a draft is nobody's to browse
    chinese = client.get("/?lang=zh_CN").get_data(as_text=True)
    assert figures(chinese, f"figures-{p['later'].id}")["剩余天数"] == "7 天"
    assert "stage-subscription" in chinese and 'src="/static/covers/' in chinese


def test_the_three_orders(client, clock) -> None:
    clock(NOW)
    _cast, p = _world()
    public = [p[k] for k in ("subscription", "later", "tendering", "completed", "unfunded")]
    newest = [x.id for x in sorted(public, key=lambda x: (x.created_at, x.id), reverse=True)]
    assert _cards(client) == newest == _cards(client, "sort=newest")
    assert _cards(client, "sort=anything") == newest  # an unknown order is the default one
    with_deadline = sorted((x for x in public if closes_at(x, NOW)),
                           key=lambda x: closes_at(x, NOW))
    assert [x.id for x in with_deadline] == [p["later"].id, p["subscription"].id,
                                             p["tendering"].id]
    closing = _cards(client, "sort=closing")
    assert closing[:3] == [x.id for x in with_deadline]
    assert closing[3:] == [i for i in newest if i not in closing[:3]]
    funded = _cards(client, "sort=funded")
    raised = [fen(figures(client.get("/?lang=en&sort=funded").get_data(as_text=True),
                          f"figures-{i}")["Raised so far"]) for i in funded]
    assert raised == sorted(raised, reverse=True) and raised[0] > raised[-1]


def test_filters_keep_the_order_and_clear_back_to_everything(client, clock) -> None:
    clock(NOW)
    _cast, p = _world()
    assert _cards(client, "county=瑞安市&sort=funded") == [p["completed"].id,
                                                         p["subscription"].id]
    page = client.get("/?lang=en&county=瑞安市&sort=closing").get_data(as_text=True)
    clear = re.search(r'id="clear-filters" href="([^"]+)"', page).group(1)
    assert clear == "/?sort=closing"
    assert _cards(client, "county=瑞安市&sort=closing") == [p["subscription"].id,
                                                          p["completed"].id]
    assert len(_cards(client, "sort=closing")) == 5
    assert 'id="clear-filters"' not in client.get("/?lang=en&sort=closing").get_data(as_text=True)
    current = re.search(r'<a href="([^"]+)" aria-current="true">([^<]+)</a>', page)
    assert current.group(2) == "Closing soon" and "county=" in current.group(1)


def test_the_empty_states_say_what_to_do_next(client, clock) -> None:
    clock(NOW)
    nothing = client.get("/?lang=en").get_data(as_text=True)
    empty = nothing.split('id="empty-state"', 1)[1]
    assert "No projects yet." in empty and 'href="/policy#stages"' in empty
    _world()
    filtered = client.get("/?lang=en&county=苍南县").get_data(as_text=True)
    empty = filtered.split('id="empty-state"', 1)[1]
    assert "No project matches these filters." in empty
    assert 'href="/"' in empty and 'href="/stations"' in empty
    assert 'id="empty-state"' not in client.get("/?lang=en").get_data(as_text=True)


def test_every_stage_card_raised_is_the_ledgers(client, clock) -> None:
    clock(NOW)
    cast = gen_cast()
    station = gen_station(cast.community)
    states = (State.PUBLICATION, State.SUBSCRIPTION, State.TENDERING, State.IMPLEMENTATION,
              State.EVALUATION, State.COMPLETED, State.UNFUNDED, State.CANCELLED)
    projects = [gen_project(cast, state, station=station) for state in states]
    page = client.get("/?lang=en").get_data(as_text=True)
    for project in projects:
        trail = money_trail(project)
        shown = figures(page, f"figures-{project.id}")
        assert fen(shown["Raised so far"]) == trail.raised, project.state
        assert f"stage-{project.state.value}" in page
