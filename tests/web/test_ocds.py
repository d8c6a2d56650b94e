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
