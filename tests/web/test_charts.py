"""The charts say what the tables beside them say (issue 14, item 5).

Each bar is read from the rendered page as a reader of its SVG meets it: the chart by its title,
the series by its legend, the bar by its label (pygal's ``<desc>`` of each bar).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask_babel import force_locale

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Organization, StationStatus
from marketplace.services.finance.ledger import Cause, fund_account, organization_account, post
from marketplace.web.charts import _ticks, bars
from tests.factories import at, gen_cast, gen_project, gen_station
from tests.web.figures import fen, money_figures, table_rows

SVG = "{http://www.w3.org/2000/svg}"


def chart(page: str, title: str) -> dict[str, dict[str, str]]:
    """Series (by legend) → bar label → the value shown, of the chart titled ``title``."""
    for svg in re.findall(r"<svg\b.*?</svg>", page, re.S):
        root = ET.fromstring(svg)
        if root.get("aria-label") != title:
            continue
        legends = [t.text or "" for t in _legend_texts(root)]
        found: dict[str, dict[str, str]] = {}
        for group in root.iter(f"{SVG}g"):
            match = re.search(r"\bserie-(\d+)\b", group.get("class", ""))
            if not match or "series" not in group.get("class", "").split():
                continue
            for bar in group.iter(f"{SVG}g"):
                descs = {d.get("class"): d.text for d in bar.findall(f"{SVG}desc")}
                if "x_label" in descs:
                    found.setdefault(legends[int(match.group(1))], {})[descs["x_label"]] = \
                        descs["value"]
        return found
    raise AssertionError(f"no chart titled {title!r}")


def _legend_texts(root: ET.Element) -> list[ET.Element]:
    return [t for g in root.iter(f"{SVG}g") if "legends" in g.get("class", "").split()
            for t in g.iter(f"{SVG}text")]


def test_the_coverage_chart_agrees_with_the_county_table(app, client, auth) -> None:  # noqa: ANN001
    app.config.update(COVERAGE_PLAN="鹿城区=3,瑞安市=2,永嘉县=4", COVERAGE_TARGET_TOWNS=9)
    cast = gen_cast()
    gen_station(cast.community)  # 鹿城区 五马街道
    gen_station(cast.community, town="松台街道")
    gen_station(cast.community, town="南汇街道", status=StationStatus.PENDING)
    gen_station(cast.community, county="瑞安市", town="安阳街道")
    db.session.commit()
    auth.login(cast.admin)
    page = client.get("/admin/dashboard?lang=zh_CN").get_data(as_text=True)

    drawn = chart(page, "各区县已覆盖乡镇数")
    rows = table_rows(page, "coverage")
    header, counties = rows[0], rows[1:]
    covered, planned = header.index("已覆盖乡镇数"), header.index("计划乡镇数")
    assert [r[0] for r in counties] == ["鹿城区", "瑞安市", "永嘉县"]
    assert drawn["已覆盖乡镇数"] == {r[0]: r[covered] for r in counties} == {
        "鹿城区": "2", "瑞安市": "1", "永嘉县": "0"}
    assert drawn["计划乡镇数"] == {r[0]: r[planned] for r in counties}
    assert "50 个中心镇" not in page and "9 个中心镇中已有 3 个" in page


def test_the_money_chart_shows_the_fund_figures_in_yuan(app, client, auth) -> None:  # noqa: ANN001
    cast = gen_cast()
    gen_project(cast, State.COMPLETED)
    post("directed donation", [(organization_account(cast.enterprises[0].organization),
                                -120_000_00), (fund_account("fund:source:sponsorship"),
                                               120_000_00)], Cause("naming_right"), now=at(1))
    post("award", [(fund_account("fund:use:evaluation_awards"), -5_000_00),
                   (organization_account(cast.ngos[0].organization), 5_000_00)],
         Cause("evaluation_award"), now=at(2))
    db.session.commit()
    auth.login(cast.admin)
    page = client.get("/admin/dashboard?lang=zh_CN").get_data(as_text=True)
    drawn = chart(page, "基金按来源收入、按用途支出")
    table = money_figures(page, "money")
    shown = {label: fen(value) for series in drawn.values() for label, value in series.items()}
    assert shown == {label: value for label, value in table.items() if label in shown}
    assert shown["企业定向赞助"] == 120_000_00 and shown["评估奖励"] == 5_000_00
    assert len(drawn) == 2 and "元" in page  # income and spending, each in the legend


def test_an_empty_chart_says_what_would_fill_it(app, client) -> None:  # noqa: ANN001
    cast = gen_cast()
    enterprise = db.session.get(Organization, cast.enterprises[0].organization_id)
    page = client.get(f"/organizations/{enterprise.id}/impact?lang=zh_CN").get_data(
        as_text=True)
    assert "暂无数据" in page and "该企业认购第一个项目后" in page
    assert "pygal-chart" not in page


def test_ticks_are_round_and_cover_the_top() -> None:
    assert _ticks(1) == [0, 1]
    assert _ticks(7) == [0, 2, 4, 6, 8]
    assert _ticks(12_000_000) == [0, 5_000_000, 10_000_000, 15_000_000]
    assert _ticks(500_000, -500_000) == [-500_000, 0, 500_000]  # a balance below zero


def test_the_svg_carries_no_script_or_style(app) -> None:  # noqa: ANN001
    with app.test_request_context():
        drawn = bars("t", ["a"], [("s", [3])], empty="e")
    assert drawn.svg and "<script" not in drawn.svg and "<style" not in drawn.svg
    assert "style=" not in drawn.svg and 'aria-label="t"' in drawn.svg


def test_a_long_label_is_cut_to_fit_a_phone(app) -> None:  # noqa: ANN001
    """pygal never returns when its labels leave no room; the label is cut with "…"."""
    long = "Paid to social organizations for the delivery of their contracts (its share)"
    with app.test_request_context():
        drawn = bars("t", [long, "b"], [("s", [120_000_000, 3])], empty="e", money=True)
    assert drawn.svg and "…" in drawn.svg and long not in drawn.svg


def test_a_phones_money_axis_keeps_its_tick_labels_apart(app) -> None:
    """Found: the fund's bars on a phone in English read "0 200k400k600k"; the ticks thin out
    until their labels, a space apart, fit the plot beside the longest bar label."""
    labels = ["Municipal and county special funds", "Evaluation awards"]
    with app.test_request_context(), force_locale("en"):
        svg = bars("Money", labels, [("Income", [50_000_000, None]),
                                     ("Spending", [None, 500_000])],
                   empty="", money=True, unit="yuan").svg
    root = ET.fromstring(str(svg))
    axis = next(g for g in root.iter(f"{SVG}g") if "x" in (g.get("class") or "").split()
                and "axis" in (g.get("class") or "").split())
    ticks = [t.text for t in axis.iter(f"{SVG}text") if t.text]
    assert ticks == ["0", "500k"]
