"""The public project page invites funding (issue 14, items 2 and 8): one action for who
reads it, the fund's match offer, the stage stepper, trails in words, the subscription's
confirmation, the cover picture and evidence photos people can look at."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.lifecycle import STAGES, TRIGGERS, State
from marketplace.models import AuditEvent, MilestoneStatus, Subscription
from marketplace.web.infra.labels import TRIGGER_NAMES
from tests.evidence_files import PDF, PNG
from tests.factories import at, gen_cast, gen_project, gen_station
from tests.services.subscription.test_matching import offer
from tests.web.figures import figures, money_figures

ZH_STAGES = ["项目包装", "项目发布", "项目认购", "项目招投标", "项目实施", "项目评估"]


class _Action(HTMLParser):
    """The hero's action: the text and the address of the element with id hero-action."""

    def __init__(self) -> None:
        super().__init__()
        self.href: str | None = None
        self.text: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if dict(attrs).get("id") == "hero-action":
            self.href, self.inside = dict(attrs).get("href"), True

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text.append(data)


def action(page: str) -> tuple[str, str | None] | None:
    parser = _Action()
    parser.feed(page)
    return ("".join(parser.text).strip(), parser.href) if parser.href else None


def steps(page: str) -> list[tuple[str, str]]:
    """(status, stage name) of each step of the stepper, in order."""
    block = page[page.index('id="stepper"'):]
    block = block[:block.index("</ol>")]
    return re.findall(r'class="step step-(\w+)".*?class="step-name">([^<]+)<', block, re.S)


def test_a_visitor_is_asked_to_log_in_and_lands_on_the_subscribe_form(client, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    page = client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True)
    subscribe = f"/enterprise/projects/{project.id}/subscribe"
    assert action(page) == ("登录后认购", f"/login?next={subscribe}")
    response = client.post(f"/login?next={quote(subscribe, safe='')}", data={
        "email": cast.enterprises[0].email, "password": "correct horse"})
    assert response.headers["Location"] == subscribe


def test_an_enterprise_gets_one_subscribe_button_and_others_none(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    auth.login(cast.enterprises[0])
    page = client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True)
    assert action(page) == ("认购", f"/enterprise/projects/{project.id}/subscribe")
    assert page.count(f'href="/enterprise/projects/{project.id}/subscribe"') == 1
    for account in (cast.community, cast.ngos[0], cast.admin):
        auth.logout()
        auth.login(account)
        assert action(client.get(f"/projects/{project.id}").get_data(as_text=True)) is None


def test_no_action_once_the_window_closed_or_in_another_stage(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(17))  # past subscription_closes_at; the clock has not moved the project yet
    assert action(client.get(f"/projects/{project.id}").get_data(as_text=True)) is None
    clock(at(5))
    for state in (State.PUBLICATION, State.TENDERING, State.COMPLETED, State.UNFUNDED):
        other = gen_project(cast, state)
        assert action(client.get(f"/projects/{other.id}").get_data(as_text=True)) is None, state


def test_the_fund_s_offer_is_a_badge_while_it_would_match(client, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    assert 'id="match-badge"' not in client.get(f"/projects/{project.id}").get_data(
        as_text=True), "no offer, no badge"
    offer(cast, ratio_pct=50)
    page = client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True)
    assert "基金每 1 元配捐 0.5 元" in page
    english = client.get(f"/projects/{project.id}?lang=en").get_data(as_text=True)
    assert "The fund adds 0.5 yuan to every yuan" in english
    clock(at(61))  # the offer closed
    assert "配捐 0.5 元" not in client.get(f"/projects/{project.id}?lang=zh_CN").get_data(
        as_text=True)


@pytest.mark.parametrize(("state", "expected"), [
    (State.SUBSCRIPTION, ["done", "done", "current", "ahead", "ahead", "ahead", "ahead"]),
    (State.COMPLETED, ["done"] * 7),
    (State.CANCELLED, ["done", "left", "exit", "skipped", "skipped", "skipped", "skipped"]),
    (State.UNFUNDED, ["done", "done", "left", "exit", "skipped", "skipped", "skipped"]),
])
def test_the_stepper_shows_the_stages_and_the_exit_taken(client, state, expected) -> None:
    cast = gen_cast()
    project = gen_project(cast, state)
    shown = steps(client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True))
    assert [status for status, _ in shown] == expected
    names = [name for status, name in shown if status not in ("exit",)]
    assert names[:6] == ZH_STAGES and len(STAGES) == 6
    if state in (State.CANCELLED, State.UNFUNDED):
        assert [n for s, n in shown if s == "exit"] == [{"cancelled": "已取消",
                                                          "unfunded": "未筹足"}[state.value]]


def test_each_role_s_project_page_has_the_stepper(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    for account, path in ((cast.community, f"/community/projects/{project.id}"),
                          (cast.enterprises[0], f"/enterprise/projects/{project.id}/subscribe"),
                          (cast.admin, f"/admin/projects/{project.id}/audit")):
        auth.login(account)
        page = client.get(path).get_data(as_text=True)
        assert 'id="stepper"' in page, path
        auth.logout()


def test_trails_say_what_happened_in_words_never_the_trigger(client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    page = client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True)
    trail = page[page.index('class="data trail"'):]
    trail = trail[:trail.index("</table>")]
    for words in ("发布", "开放认购", "认购截止", "认购", "确定中标", "签约实施"):
        assert f"<td>{words}" in trail, words
    assert not [code for code in TRIGGERS if code in trail]
    auth.login(cast.admin)
    audit = client.get(f"/admin/projects/{project.id}/audit?lang=zh_CN").get_data(as_text=True)
    assert "<td>认购截止</td>" in audit and "close_subscription" not in audit


def test_every_recorded_trigger_has_words_in_both_languages(app) -> None:
    seed()
    db.session.commit()
    recorded = set(db.session.execute(db.select(AuditEvent.trigger).distinct()).scalars())
    assert recorded and not recorded - set(TRIGGER_NAMES)
    assert not set(TRIGGERS) - set(TRIGGER_NAMES)
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        untranslated = {code: str(name) for code, name in TRIGGER_NAMES.items()
                        if re.search("[A-Za-z]", str(name))}
    assert not untranslated


def _ledger(client) -> list[dict[str, str]]:  # noqa: ANN001
    return list(csv.DictReader(io.StringIO(client.get("/ledger.csv").get_data(as_text=True))))


def test_the_confirmation_says_the_match_and_what_the_enterprise_holds(client, auth,
                                                                       clock) -> None:
    cast = gen_cast()
    offer(cast, ratio_pct=50)
    project = gen_project(cast, State.SUBSCRIPTION)  # enterprise 0 subscribed a third
    clock(at(5))
    auth.login(cast.enterprises[0])
    path = f"/enterprise/projects/{project.id}/subscribe?lang=en"
    assert client.post(path, data={"amount": "1000"}).status_code == 200
    done = client.post(path, data={"amount": "1000", "confirmed": "yes"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"] + "?lang=en").get_data(as_text=True)
    shown = money_figures(page, "subscription-confirmation")
    mine = db.session.execute(db.select(Subscription).where(
        Subscription.enterprise_id == cast.enterprises[0].organization_id)
        .order_by(Subscription.id.desc())).scalars().first()
    rows = _ledger(client)
    payer = next(r["account_code"] for r in rows if r["subscription_id"] == str(mine.id)
                 and r["trigger"] == "subscribe" and int(r["amount_fen"]) < 0)
    held = -sum(int(r["amount_fen"]) for r in rows if r["account_code"] == payer
                and r["project_id"] == str(project.id) and r["trigger"] == "subscribe")
    matched = sum(int(r["amount_fen"]) for r in rows if r["subscription_id"] == str(mine.id)
                  and r["trigger"] == "match" and int(r["amount_fen"]) > 0)
    assert shown["You subscribed"] == 1000_00
    assert shown["The fund matched"] == matched == 500_00
    assert shown["You hold in this project now"] == held > 1000_00, "with the earlier one"
    auth.logout()
    auth.login(cast.enterprises[1])
    assert client.get(done.headers["Location"]).status_code == 404


def _accepted_with_photo(client, auth, clock, comment: str):  # noqa: ANN001, ANN202
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    clock(at(60))
    auth.login(cast.ngos[0])
    client.post(f"/ngo/projects/{project.id}/milestones/{milestone.id}/report",
                data={"body": "入户 20 次", "people_served": "37",
                      "evidence": [(io.BytesIO(PNG), "合影.png"), (io.BytesIO(PDF), "签到表.pdf")]},
                content_type="multipart/form-data")
    auth.logout()
    auth.login(cast.community)
    client.post(f"/community/projects/{project.id}/milestones/{milestone.id}",
                data={"decision": "accept", "comment": comment})
    auth.logout()
    return cast, project


def test_photos_are_a_gallery_beside_people_served_and_the_comment(client, auth,
                                                                   clock) -> None:
    cast, project = _accepted_with_photo(client, auth, clock, "服务到位，老人满意。")
    page = client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True)
    photo = re.search(r'<img src="(/evidence/(\d+)/photo)"', page)
    assert photo, "the photo is shown, not only linked"
    assert f'href="{photo.group(1)}"' in page, "a click opens the original"
    assert re.search(r'href="/evidence/\d+" download>签到表.pdf', page)
    assert re.search(r"<dt>服务人数</dt><dd class=\"people-served\">37</dd>", page)
    assert "社区验收意见" in page and "服务到位，老人满意。" in page
    with client.get(photo.group(1)) as shown:
        assert shown.status_code == 200 and shown.data == PNG
        assert shown.headers["Content-Type"] == "image/png"
        assert not shown.headers.get("Content-Disposition", "").startswith("attachment")
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
    pdf_id = re.search(r'href="/evidence/(\d+)" download', page).group(1)
    assert client.get(f"/evidence/{pdf_id}/photo").status_code == 404, "a PDF downloads"


def test_a_photo_not_yet_accepted_is_not_shown_to_a_visitor(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    clock(at(60))
    auth.login(cast.ngos[0])
    client.post(f"/ngo/projects/{project.id}/milestones/{milestone.id}/report",
                data={"body": "入户", "people_served": "5",
                      "evidence": [(io.BytesIO(PNG), "合影.png")]},
                content_type="multipart/form-data")
    page = client.get(f"/ngo/projects/{project.id}").get_data(as_text=True)
    photo = re.search(r'<img src="(/evidence/\d+/photo)"', page).group(1)
    with client.get(photo) as own:
        assert own.status_code == 200, "the organization sees its own"
    auth.logout()
    assert client.get(photo).status_code == 302, "a visitor is asked to log in"
    assert photo not in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_the_community_uploads_a_cover_and_the_hero_shows_it(app, client, auth) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PUBLICATION)
    drawn = client.get(f"/projects/{project.id}/cover")
    assert drawn.status_code == 302 and re.search(r"/static/covers/\w+\.svg$",
                                                  drawn.headers["Location"])
    with client.get(drawn.headers["Location"]) as picture:
        assert picture.status_code == 200 and b"<svg" in picture.data
    auth.login(cast.community)
    refused = client.post(f"/community/projects/{project.id}/cover?lang=en",
                          data={"cover": (io.BytesIO(PDF), "plan.pdf")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "a cover must be a photo" in refused.get_data(as_text=True)
    assert client.get(f"/projects/{project.id}/cover").status_code == 302, "nothing kept"
    client.post(f"/community/projects/{project.id}/cover",
                data={"cover": (io.BytesIO(PNG), "驿站.png")}, content_type="multipart/form-data")
    auth.logout()
    with client.get(f"/projects/{project.id}/cover") as cover:
        assert cover.status_code == 200 and cover.data == PNG
        assert cover.headers["Content-Type"] == "image/png"
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'<img class="hero-cover" src="/projects/{project.id}/cover"' in page
    other = gen_cast()
    auth.login(other.community)
    gen_station(other.community)
    assert client.post(f"/community/projects/{project.id}/cover",
                       data={"cover": (io.BytesIO(PNG), "x.png")},
                       content_type="multipart/form-data").status_code == 404


def test_the_hero_figures_are_labelled_in_chinese(client, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    clock(at(5))
    shown = figures(client.get(f"/projects/{project.id}?lang=zh_CN").get_data(as_text=True),
                    "hero-figures")
    assert list(shown) == ["已筹善款", "筹款目标", "最低筹款额", "认购方", "剩余天数"]
