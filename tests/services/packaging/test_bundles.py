"""The bundle service checks a bundle as submitting will, on create and on every change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from marketplace.demo import bundle_draft
from marketplace.extensions import db
from marketplace.models import AuditEvent, Project, Role
from marketplace.services.core.errors import AllInvalid, Conflict, Forbidden
from marketplace.services.core.moves import move
from marketplace.services.packaging.bundles import create_bundle, update_bundle
from tests.factories import T0, at, gen_account, gen_cast, gen_project, gen_station, services


def test_every_guard_of_the_contents_is_raised_at_once_with_its_field(app) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    draft = bundle_draft("助餐服务包", T0, services())
    wrong = replace(draft, funding_minimum_fen=draft.funding_target_fen + 1,
                    tender_closes_at=draft.subscription_closes_at, title=" ")
    with pytest.raises(AllInvalid) as refused:
        create_bundle(station.id, wrong, actor=cast.community, now=T0)
    said = {(e.field, e.rule) for e in refused.value.errors}
    assert said == {("title", None), ("funding_minimum_fen", "funding_in_range"),
                    ("subscription_closes_at", "dates_in_order")}
    assert refused.value.field == "title"  # read as one error, it is the first
    assert db.session.execute(db.select(db.func.count()).select_from(Project)).scalar_one() == 0


def test_a_change_keeps_the_stage_and_is_refused_once_submitted(app) -> None:
    cast = gen_cast()
    project = gen_project(cast)
    draft = replace(bundle_draft("助餐服务包", T0, services()), title="新的标题")
    update_bundle(project.id, draft, actor=cast.community, now=at(0.01))
    assert db.session.get(Project, project.id).title == "新的标题"
    with pytest.raises(Forbidden):
        update_bundle(project.id, draft, actor=gen_account(Role.COMMUNITY), now=at(0.02))
    move(project.id, "submit", actor=cast.community, now=at(0.03))
    with pytest.raises(Conflict) as refused:
        update_bundle(project.id, replace(draft, title="再改"), actor=cast.community,
                      now=at(0.04))
    assert refused.value.rule == "editable"
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "新的标题"
    edits = db.session.execute(db.select(AuditEvent.trigger).where(
        AuditEvent.project_id == project.id)).scalars().all()
    assert edits == ["create", "edit_bundle", "submit"]
