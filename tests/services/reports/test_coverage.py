"""Coverage figures against a small data set counted by hand."""

from __future__ import annotations

import pytest

from marketplace.lifecycle import State
from marketplace.models import StationStatus
from marketplace.services.reports.coverage import parse_plan, projects_by_stage, station_coverage
from tests.factories import gen_cast, gen_project, gen_station

APPROVED, PENDING, REJECTED = StationStatus.APPROVED, StationStatus.PENDING, StationStatus.REJECTED


@pytest.fixture
def cast(app):
    app.config.update(COVERAGE_PLAN="鹿城区=3, 瑞安市=2", COVERAGE_TARGET_TOWNS=5)
    return gen_cast()


def test_a_town_counts_once_and_only_with_an_approved_station(cast, runner) -> None:
    for county, town, status in [
        ("鹿城区", "五马街道", APPROVED), ("鹿城区", "五马街道", APPROVED),  # one town
        ("鹿城区", "松台街道", PENDING), ("鹿城区", "藤桥镇", REJECTED),
        ("瑞安市", "安阳街道", APPROVED), ("瑞安市", "塘下镇", APPROVED),
        ("洞头县", "北岙街道", APPROVED),  # a county outside the plan
    ]:
        gen_station(cast.community, county=county, town=town, status=status)
    coverage = station_coverage()
    rows = [(c.county, c.planned_towns, c.towns, c.approved, c.pending, c.shortfall)
            for c in coverage.counties]
    assert rows == [
        ("鹿城区", 3, ("五马街道",), 2, 1, 2),
        ("瑞安市", 2, ("塘下镇", "安阳街道"), 2, 0, 0),
        ("洞头县", None, ("北岙街道",), 1, 0, 0),
    ]
    assert coverage.towns_covered == 4 and not coverage.on_target

    table = runner.invoke(args=["stations", "coverage", "--csv"]).output.splitlines()
    assert table[1] == "鹿城区,3,1,2,2,1,五马街道"
    assert table[-1] == "total,5,4,1,5,1,"
    assert "Total: 4/5 towns covered." in runner.invoke(args=["stations", "coverage"]).output


def test_projects_by_stage_lists_every_state(cast) -> None:
    gen_project(cast)
    gen_project(cast, State.PUBLICATION)
    gen_project(cast, State.PUBLICATION)
    counts = projects_by_stage()
    assert list(counts) == list(State)
    assert counts[State.PACKAGING] == 1 and counts[State.PUBLICATION] == 2
    assert sum(counts.values()) == 3


def test_a_badly_written_plan_is_reported(app, runner) -> None:
    with pytest.raises(ValueError, match="鹿城区:3"):
        parse_plan("鹿城区:3")
    app.config["COVERAGE_PLAN"] = "瑞安市=two"
    result = runner.invoke(args=["stations", "coverage"])
    assert result.exit_code != 0 and "county=number of towns" in result.output
