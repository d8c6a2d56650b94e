"""``flask stations`` and ``flask panel``: the administrator's decisions from a shell."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Inspection, Project, Station, StationStatus
from marketplace.services.implementation.volunteers import project_minutes
from tests.factories import gen_cast, gen_project, gen_station


def test_demo_has_a_small_station_waiting_for_a_waiver(runner) -> None:
    assert "3 stations" in runner.invoke(args=["demo", "seed"]).output
    listing = runner.invoke(args=["stations", "list", "--status", "pending"]).output
    assert "飞云社区爱心驿站" in listing and "28.00 m²  needs a waiver" in listing
    station_id = int(listing.split("\t")[0])

    refused = runner.invoke(args=["stations", "approve", str(station_id),
                                  "--admin", "admin@demo.cn"])
    assert refused.exit_code != 0 and "waiver" in refused.output
    approved = runner.invoke(args=["stations", "approve", str(station_id), "--admin",
                                   "admin@demo.cn", "--waiver", "街道另提供共用活动室。"])
    assert approved.exit_code == 0, approved.output
    assert db.session.get(Station, station_id).is_approved
    assert runner.invoke(args=["stations", "list", "--status", "pending"]).output == ""


def test_reject_and_panel_assign_act_as_the_named_administrator(app, runner) -> None:
    cast = gen_cast()
    station = gen_station(cast.community, status=StationStatus.PENDING)
    result = runner.invoke(args=["stations", "reject", str(station.id), "--admin",
                                 cast.admin.email, "--reason", "非一楼"])
    assert result.exit_code == 0, result.output
    event = db.session.execute(db.select(AuditEvent).filter_by(
        station_id=station.id, trigger="reject_station")).scalar_one()
    assert event.actor_account_id == cast.admin.id and event.reason == "非一楼"

    project = gen_project(cast, State.IMPLEMENTATION)
    emails = [e.email for e in cast.evaluators]
    result = runner.invoke(args=["panel", "assign", str(project.id), *emails,
                                 "--admin", cast.admin.email])
    assert result.exit_code == 0 and "added 3" in result.output
    again = runner.invoke(args=["panel", "assign", str(project.id), emails[0],
                                "--admin", "nobody@example.org"])
    assert again.exit_code != 0 and "No account" in again.output


def test_demo_inspections_and_volunteer_hours_cover_every_phase(runner) -> None:
    runner.invoke(args=["demo", "seed"])
    phases = {(i.phase.value, i.project.state.value if i.project else None)
              for i in db.session.execute(db.select(Inspection)).scalars()}
    assert phases == {("site", None), ("midterm", "implementation"), ("effect", "completed")}
    project = db.session.execute(
        db.select(Project).filter_by(state=State.IMPLEMENTATION)).scalar_one()
    assert project_minutes(project.id) == 240
