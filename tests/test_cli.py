"""Operator commands: catalog load, demo seed, lifecycle diagram, first-start bootstrap."""

from __future__ import annotations

import shutil
from pathlib import Path

import catalog
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Project, ServiceType


def test_catalog_load_is_idempotent(runner) -> None:
    first = runner.invoke(args=["catalog", "load"])
    second = runner.invoke(args=["catalog", "load"])
    assert first.exit_code == 0 and second.output == first.output
    assert "4 areas" in first.output
    count = db.session.execute(db.select(db.func.count()).select_from(ServiceType)).scalar_one()
    assert count == len(catalog.load_catalog().service_types) >= 24


def test_catalog_load_reports_the_file_and_entry_of_an_error(runner, tmp_path, monkeypatch) -> None:
    source = Path(catalog.__file__).parent
    for name in ("services.toml", "indicators.toml"):
        shutil.copy(source / name, tmp_path / name)
    text = (tmp_path / "indicators.toml").read_text()
    (tmp_path / "indicators.toml").write_text(text.replace("weight = ", "weight = 1", 1))
    real = catalog.load_catalog
    monkeypatch.setattr(catalog, "load_catalog", lambda directory=None: real(tmp_path))
    result = runner.invoke(args=["catalog", "load"])
    assert result.exit_code != 0
    assert "indicators.toml: indicator_sets[0]" in result.output and "100" in result.output


def test_demo_seed_makes_a_project_in_every_state_and_every_role(runner) -> None:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    states = set(db.session.execute(db.select(Project.state)).scalars())
    assert states == set(State)
    roles = {a.role.value for a in db.session.execute(db.select(Account)).scalars()}
    assert roles == {"community", "enterprise", "social_org", "evaluator", "admin"}


def test_bootstrap_seeds_once_and_keeps_data_on_rerun(runner) -> None:
    assert "Seeded" in runner.invoke(args=["bootstrap"]).output
    projects = db.session.execute(db.select(db.func.count()).select_from(Project)).scalar_one()
    again = runner.invoke(args=["bootstrap"])
    assert again.exit_code == 0 and "existing data kept" in again.output
    assert db.session.execute(
        db.select(db.func.count()).select_from(Project)).scalar_one() == projects


def test_lifecycle_diagram_prints_mermaid_and_dot(runner) -> None:
    mermaid = runner.invoke(args=["lifecycle", "diagram"]).output
    dot = runner.invoke(args=["lifecycle", "diagram", "--format", "dot"]).output
    assert "subscription --> tendering: close_subscription" in mermaid
    assert 'evaluation -> terminated [label="terminate"]' in dot
