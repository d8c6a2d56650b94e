"""The OCDS endpoint and export: the same package over HTTP and as files for every project."""

from __future__ import annotations

import json

from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project
from marketplace.ocds import ocid
from tests.factories import gen_cast, gen_project


def test_a_project_downloads_as_an_ocds_release_package(client) -> None:
    project = gen_project(gen_cast(), State.IMPLEMENTATION)
    response = client.get(f"/api/v1/projects/{project.id}/ocds")
    assert response.status_code == 200 and response.is_json
    package = response.get_json()
    assert package["version"] == "1.1"
    assert package["uri"].endswith(f"/api/v1/projects/{project.id}/ocds")
    assert package["releases"][-1]["tag"] == ["implementation"]


def test_an_unknown_project_is_a_json_404(client) -> None:
    response = client.get("/api/v1/projects/999/ocds")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_export_writes_one_file_per_project(runner, tmp_path) -> None:
    seed()
    result = runner.invoke(args=["export", "ocds", "--out", str(tmp_path / "open")])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "open").glob("*.json"))
    assert len(files) == len(State) - 1  # the demo's bundle in packaging is not published
    packaged = db.session.execute(db.select(Project).where(
        Project.state == State.PACKAGING)).scalar_one()
    assert ocid(packaged) not in {f.stem for f in files}
    package = json.loads(files[0].read_text(encoding="utf-8"))
    assert package["releases"][0]["ocid"] == files[0].stem


def test_each_transaction_points_to_the_public_ledger_that_lists_it(client) -> None:
    project = gen_project(gen_cast(), State.IMPLEMENTATION)
    releases = client.get(f"/api/v1/projects/{project.id}/ocds").get_json()["releases"]
    transaction = releases[-1]["contracts"][0]["implementation"]["transactions"][0]
    ledger = client.get(transaction["source"])
    assert ledger.status_code == 200
    rows = ledger.get_data(as_text=True).splitlines()
    assert any(row.startswith(f"{transaction['id']},") and "accept_milestone" in row
               for row in rows)


def test_a_project_downloads_as_a_record_package(client) -> None:
    project = gen_project(gen_cast(), State.COMPLETED)
    package = client.get(f"/api/v1/projects/{project.id}/ocds/record").get_json()
    record = package["records"][0]
    releases = client.get(f"/api/v1/projects/{project.id}/ocds").get_json()["releases"]
    assert record["ocid"] == ocid(project) and record["releases"] == releases
    assert record["compiledRelease"]["tag"] == ["compiled"]
    assert "versionedRelease" in record
    assert package["license"].startswith("https://creativecommons.org/")
    assert package["publicationPolicy"].endswith("/open-data#policy")


def test_a_bundle_in_packaging_has_no_record(client) -> None:
    project = gen_project(gen_cast(), State.PACKAGING)
    response = client.get(f"/api/v1/projects/{project.id}/ocds/record")
    assert response.status_code == 404


def _lines(client, query: str = "") -> list[dict]:
    response = client.get(f"/api/v1/ocds/releases.jsonl{query}")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_the_bulk_feed_is_every_public_release_and_since_keeps_the_new_ones(client) -> None:
    """Harvested as a monitor would: the feed is the projects' own releases, and a harvest
    from a time on gives exactly those dated from then."""
    seed()
    public = db.session.execute(db.select(Project).where(Project.state != State.PACKAGING)
                                .order_by(Project.id)).scalars().all()
    by_project = [r for p in public
                  for r in client.get(f"/api/v1/projects/{p.id}/ocds").get_json()["releases"]]
    everything = _lines(client)
    assert everything == by_project
    cut = sorted(r["date"] for r in everything)[len(everything) // 2]
    assert _lines(client, f"?since={cut}") == [r for r in everything if r["date"] >= cut] != []
    packaged = db.session.execute(db.select(Project).where(
        Project.state == State.PACKAGING)).scalar_one()
    assert all(r["ocid"] != ocid(packaged) for r in everything)


def test_the_monthly_package_holds_the_releases_dated_in_that_month(client) -> None:
    seed()
    everything = _lines(client)
    month = everything[0]["date"][:7]
    package = client.get(f"/api/v1/ocds/releases/{month}.json").get_json()
    assert package["releases"] == [r for r in everything if r["date"].startswith(month)] != []
    assert package["version"] == "1.1"


def test_a_bad_since_or_month_is_a_json_400_naming_the_field(client) -> None:
    response = client.get("/api/v1/ocds/releases.jsonl?since=yesterday")
    assert response.status_code == 400 and response.get_json()["field"] == "since"
    response = client.get("/api/v1/ocds/releases/2026-13.json")
    assert response.status_code == 400 and response.get_json()["field"] == "month"


def test_the_open_data_page_links_the_feed_its_licence_and_policy(client) -> None:
    """公开数据: each link answers, the licence is the one the packages declare."""
    project = gen_project(gen_cast(), State.IMPLEMENTATION)
    page = client.get("/open-data", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "公开数据" in html and "发布政策" in html
    for href in ('/api/v1/ocds/releases.jsonl', '/api/v1/openapi.json', '/ledger.csv'):
        assert f'href="{href}"' in html and client.get(href).status_code == 200
    package = client.get(f"/api/v1/projects/{project.id}/ocds").get_json()
    assert f'href="{package["license"]}"' in html
    assert package["publicationPolicy"].endswith("/open-data#policy") and 'id="policy"' in html
    for path in ("/", f"/projects/{project.id}", "/fund"):
        assert 'href="/open-data"' in client.get(path).get_data(as_text=True), path
