"""The bundle builder (issue 15, item 2): a community changes its bundle while it is packaged,
the lifecycle's guards answered next to their fields on save, rows added and removed by the
server, a running total, and the administrator's reason above the form after a rejection."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, BeneficiaryGroup, Project, Review, Role
from marketplace.services.core.moves import move
from tests.factories import at, gen_account, gen_cast, gen_project, services
from tests.web.figures import figures
from tests.web.test_zh_pages import english_words


def _reload(project_id: int) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project_id)


def _snapshot(project_id: int) -> tuple:
    """What a refused save must leave as it was: the row, its items, its groups, its trail."""
    project = _reload(project_id)
    events = db.session.execute(db.select(db.func.count()).select_from(AuditEvent)
                                .where(AuditEvent.project_id == project_id)).scalar_one()
    return (project.title, project.budget_fen, project.funding_target_fen,
            project.funding_minimum_fen, project.subscription_closes_at, project.state,
            project.review, project.version,
            [(i.service_code, i.quantity, i.unit_cost_fen) for i in project.items],
            sorted(g.code for g in project.groups), events)


def _data(**overrides: str) -> dict[str, str]:
    first, second = services(2)
    data = {"title": "助老午餐（修改）", "summary": "按居民需求调整。",
            "items-0-service": first.code, "items-0-quantity": "10",
            "items-0-unit_cost": "25.50",
            "items-1-service": second.code, "items-1-quantity": "2", "items-1-unit_cost": "100",
            "target": "455", "minimum": "200", "subscription_opens_at": "2026-12-01",
            "subscription_closes_at": "2026-12-15", "tender_closes_at": "2026-12-30"}
    data.update(overrides)
    return data


def _error(page: str, field_id: str) -> str:
    """The message shown next to one field (``_form.html`` gives it the field's id)."""
    found = re.findall(rf'id="{re.escape(field_id)}-error">([^<]*)<', page)
    return " ".join(found)


def _rejected(cast) -> Project:  # noqa: ANN001
    project = gen_project(cast)
    move(project.id, "submit", actor=cast.community, now=at(0.1))
    move(project.id, "reject", actor=cast.admin, now=at(0.2), reason="预算明细不全，请补充。")
    return _reload(project.id)


def test_a_draft_is_changed_and_stays_a_draft_with_the_change_audited(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast)
    auth.login(cast.community)
    url = f"/community/projects/{project.id}/bundle"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'value="助餐服务包"' in page  # the bundle as it is, to be changed
    group = db.session.execute(db.select(BeneficiaryGroup)
                               .order_by(BeneficiaryGroup.code)).scalars().first()
    answer = client.post(url, data={**_data(), "groups": group.code})
    assert answer.status_code == 302
    project = _reload(project.id)
    assert project.title == "助老午餐（修改）" and project.budget_fen == 45500
    assert project.funding_minimum_fen == 20000 and [g.code for g in project.groups] == \
        [group.code]
    assert project.state is State.PACKAGING and project.review is Review.DRAFT
    event = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.project_id == project.id, AuditEvent.trigger == "edit_bundle")).scalar_one()
    assert event.actor_account_id == cast.community.id
    assert event.details["budget_fen"] == 45500 and event.to_state == "packaging"
    assert client.post(f"/community/projects/{project.id}/submit").status_code == 302


def test_a_rejected_bundle_shows_the_reason_and_is_changed_still_rejected(client, auth) -> None:
    cast = gen_cast()
    project = _rejected(cast)
    auth.login(cast.community)
    url = f"/community/projects/{project.id}/bundle"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    reason = page.index("预算明细不全，请补充。")
    form = page.index('<form method="post" class="form"')
    assert page.index('id="rejection-reason"') < reason < form
    assert client.post(url, data=_data()).status_code == 302
    project = _reload(project.id)
    assert project.review is Review.REJECTED and project.budget_fen == 45500  # not re-submitted
    assert client.post(f"/community/projects/{project.id}/submit").status_code == 302
    assert _reload(project.id).review is Review.SUBMITTED


@pytest.mark.parametrize("stage", ["submitted", State.PUBLICATION, State.TENDERING])
def test_under_review_or_later_the_bundle_is_not_changed(client, auth, stage) -> None:
    cast = gen_cast()
    if stage == "submitted":
        project = gen_project(cast)
        move(project.id, "submit", actor=cast.community, now=at(0.1))
    else:
        project = gen_project(cast, stage)
    before = _snapshot(project.id)
    auth.login(cast.community)
    url = f"/community/projects/{project.id}/bundle"
    assert client.get(url).status_code == 409
    assert client.post(url, data=_data()).status_code == 409
    assert _snapshot(project.id) == before


def test_another_community_finds_no_bundle_to_change(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast)
    before = _snapshot(project.id)
    auth.login(gen_account(Role.COMMUNITY))
    url = f"/community/projects/{project.id}/bundle"
    assert client.get(url).status_code == 404
    assert client.post(url, data=_data()).status_code == 404
    assert _snapshot(project.id) == before


BAD = [
    ({"minimum": "500"}, "minimum", "at most the target"),  # minimum above the target
    ({"target": "9999"}, "minimum", "the target at most the budget"),
    ({"subscription_closes_at": "2026-11-20"}, "subscription_closes_at", "Dates must be set"),
    ({"tender_closes_at": "2026-12-10"}, "subscription_closes_at", "Dates must be set"),
    ({"enquiry_closes_at": "2027-01-05"}, "enquiry_closes_at", "enquiry period must end"),
    ({"title": " "}, "title", "This field is required"),
    ({"items-1-unit_cost": "-1"}, "items-1-unit_cost", "above zero"),
    ({"items-0-quantity": "0"}, "items-0-quantity", "Number must be between 1"),
    ({"items-0-service": "", "items-1-service": ""}, "items-0-service", "at least one service"),
    ({"minimum": "abc"}, "minimum", "Not a valid decimal"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD)
def test_each_bad_input_is_answered_next_to_its_field_and_nothing_saved(
        client, auth, overrides, field, message) -> None:
    cast = gen_cast()
    project = gen_project(cast)
    before = _snapshot(project.id)
    auth.login(cast.community)
    answer = client.post(f"/community/projects/{project.id}/bundle?lang=en",
                         data=_data(**overrides))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in _error(page, field), (field, page[page.find("error"):][:400])
    assert _snapshot(project.id) == before


def test_every_problem_is_answered_in_one_round(client, auth) -> None:
    """The form's own checks and the lifecycle's guards together, each by its field."""
    cast = gen_cast()
    project = gen_project(cast)
    before = _snapshot(project.id)
    auth.login(cast.community)
    page = client.post(f"/community/projects/{project.id}/bundle?lang=en", data=_data(
        title="", minimum="500", tender_closes_at="2026-12-10")).get_data(as_text=True)
    assert "This field is required" in _error(page, "title")
    assert "at most the target" in _error(page, "minimum")
    assert "Dates must be set" in _error(page, "subscription_closes_at")
    assert _snapshot(project.id) == before


def test_a_new_bundle_with_its_minimum_above_its_target_is_not_saved(client, auth) -> None:
    """Found saved without complaint and refused only at submit, before: now refused on save."""
    cast = gen_cast()
    station = gen_project(cast).station
    count = db.session.execute(db.select(db.func.count()).select_from(Project)).scalar_one()
    auth.login(cast.community)
    page = client.post("/community/bundles/new?lang=en",
                       data=_data(station=str(station.id), minimum="500"))
    assert page.status_code == 400
    assert "at most the target" in _error(page.get_data(as_text=True), "minimum")
    assert db.session.execute(db.select(db.func.count()).select_from(Project)).scalar_one() \
        == count


def _rows(page: str) -> list[str]:
    return re.findall(r'name="(items-\d+)-service"', page)


def test_rows_are_added_and_removed_and_the_total_counted_on_the_page(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast)
    before = _snapshot(project.id)
    auth.login(cast.community)
    url = f"/community/projects/{project.id}/bundle?lang=en"
    page = client.get(url).get_data(as_text=True)
    assert figures(page, "bundle-total")["Items total (the budget)"] == \
        "¥" + f"{project.budget_fen // 100:,}.{project.budget_fen % 100:02d}"
    first = services(1)[0]
    assert f"per {first.unit_en}" in page  # each catalog service's unit and typical cost

    added = client.post(url, data={**_data(), "add_row": "items"})
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and _rows(page) == ["items-0", "items-1", "items-2"]
    assert figures(page, "bundle-total")["Items total (the budget)"] == "¥455.00"
    assert 'value="助老午餐（修改）"' in page and "error" not in _error(page, "title")

    removed = client.post(url, data={**_data(), "remove_row": "items-0"})
    page = removed.get_data(as_text=True)
    assert removed.status_code == 200 and _rows(page) == ["items-1"]
    assert figures(page, "bundle-total")["Items total (the budget)"] == "¥200.00"
    assert _snapshot(project.id) == before  # the builder's buttons save nothing

    data = {k: v for k, v in _data(target="200", minimum="100").items()
            if not k.startswith("items-0")}
    assert client.post(url, data=data).status_code == 302  # the removed row stays removed
    project = _reload(project.id)
    assert [(i.quantity, i.unit_cost_fen) for i in project.items] == [(2, 10000)]


def test_the_builder_reads_in_chinese(client, auth) -> None:
    cast = gen_cast()
    project = _rejected(cast)
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}/bundle?lang=zh_CN")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "修改项目包" in html
    assert english_words(html) - TYPED == set()  # nothing left in English
    refused = client.post(f"/community/projects/{project.id}/bundle?lang=zh_CN",
                          data=_data(minimum="500", tender_closes_at="2026-12-10"))
    assert refused.status_code == 400
    assert english_words(refused.get_data(as_text=True)) - TYPED == set()


TYPED = {"Person", "community"}  # the factory's account and organization names, as typed


PLAN = {"milestones-0-title": "入户走访建档", "milestones-0-due_on": "2027-02-01",
        "milestones-0-share_pct": "40",
        "milestones-1-title": "服务实施与总结", "milestones-1-due_on": "2027-04-01",
        "milestones-1-share_pct": "60"}


def test_the_milestone_plan_is_saved_and_shown_again(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast)
    auth.login(cast.community)
    url = f"/community/projects/{project.id}/bundle?lang=en"
    assert client.post(url, data={**_data(), **PLAN}).status_code == 302
    project = _reload(project.id)
    assert [(m.sequence, m.title, m.due_on.isoformat(), m.share_pct)
            for m in project.milestones] == [(1, "入户走访建档", "2027-02-01", 40),
                                              (2, "服务实施与总结", "2027-04-01", 60)]
    page = client.get(url).get_data(as_text=True)
    assert 'value="服务实施与总结"' in page and 'value="2027-04-01"' in page
    again = {**_data(), **PLAN, "milestones-1-share_pct": "50", "milestones-2-title": "回访",
             "milestones-2-due_on": "2027-05-01", "milestones-2-share_pct": "10"}
    assert client.post(url, data=again).status_code == 302  # the plan replaced, not appended
    assert [m.share_pct for m in _reload(project.id).milestones] == [40, 50, 10]
    added = client.post(url, data={**_data(), **PLAN, "add_row": "milestones"})
    assert re.findall(r'name="(milestones-\d+)-title"', added.get_data(as_text=True)) == \
        ["milestones-0", "milestones-1", "milestones-2"]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"milestones-1-share_pct": "50"}, "milestones-1-share_pct", "come to 90 per cent"),
    ({"milestones-0-due_on": "2026-12-20"}, "milestones-0-due_on", "after the tender closes"),
    ({"milestones-1-title": ""}, "milestones-1-title", "needs a title and a due day"),
    ({"milestones-0-share_pct": "140"}, "milestones-0-share_pct", "Number must be between"),
])
def test_a_bad_milestone_plan_is_answered_by_its_step(client, auth, overrides, field,
                                                      message) -> None:
    cast = gen_cast()
    project = gen_project(cast)
    before = _snapshot(project.id)
    auth.login(cast.community)
    answer = client.post(f"/community/projects/{project.id}/bundle?lang=en",
                         data={**_data(), **PLAN, **overrides})
    assert answer.status_code == 400
    assert message in _error(answer.get_data(as_text=True), field)
    assert _snapshot(project.id) == before and not _reload(project.id).milestones


def test_the_contract_follows_the_community_s_plan(app) -> None:
    """The plan packaged with the bundle is the contract's, not the winning bid's."""
    from dataclasses import replace

    from marketplace.demo import Walk, bundle_draft
    from marketplace.services.packaging.bundles import MilestoneLine, update_bundle
    from tests.factories import T0

    cast = gen_cast()
    project = gen_project(cast)
    day = (T0 + timedelta(days=90)).date()
    draft = replace(bundle_draft("助餐服务包", T0, services()), milestones=(
        MilestoneLine("社区走访", day, 30), MilestoneLine("服务总结", day + timedelta(30), 70)))
    update_bundle(project.id, draft, actor=cast.community, now=at(0.01))
    Walk(cast, project.id, T0).to(State.EVALUATION)
    project = _reload(project.id)
    assert [(m.title, m.share_pct, m.status.value) for m in project.milestones] == \
        [("社区走访", 30, "accepted"), ("服务总结", 70, "accepted")]
