"""The administrator's tools (issue 15, item 8; issue 14's fund income): the station registry,
inspections recorded on the station's page, the fund's income, the organization-approval
form's own labels, and the admin menu that leads to them. Who may open each is a matrix."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    AuditEvent,
    Inspection,
    LedgerTransaction,
    Organization,
    OrgStatus,
    Role,
    StationStatus,
)
from marketplace.services.finance.ledger import FUND_SOURCES
from marketplace.services.packaging.naming import apply_for_naming, choose_naming
from tests.factories import at, gen_account, gen_cast, gen_project, gen_station
from tests.web.figures import figures, money_figures
from tests.web.test_figures import verified_totals

NOW = at(60)  # 2026-04-30: the implementation project is mid-way


@pytest.fixture
def world(app, clock):  # noqa: ANN001, ANN201
    clock(NOW)
    cast = gen_cast()
    pending = gen_station(cast.community, name="南塘社区爱心驿站", county="瓯海区",
                          town="南白象街道", status=StationStatus.PENDING)
    running = gen_project(cast, State.IMPLEMENTATION)
    right = apply_for_naming(running.station_id, "瓯江集团爱心驿站", 100_000 * 100,
                             actor=cast.enterprises[0], now=at(50))
    choose_naming(right.id, actor=cast.community, now=at(51))
    return cast, pending, running


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Inspection, AuditEvent, LedgerTransaction)}


# --- who may open what ---------------------------------------------------------------------


def _routes(pending_id: int) -> list[tuple[str, str, dict[str, str] | None]]:
    return [("GET", "/admin/stations", None),
            ("GET", "/admin/stations?county=瓯海区&status=pending&naming=unnamed", None),
            ("GET", f"/admin/stations/{pending_id}", None),
            ("GET", "/admin/fund/income", None),
            ("POST", f"/admin/stations/{pending_id}/inspections",
             {"phase": "site", "inspected_on": "2026-04-20", "rating": "pass",
              "findings": "一楼，无障碍坡道已建。"}),
            ("POST", "/admin/fund/income",
             {"source": "fund:source:fiscal", "amount": "100", "reason": "市级财政专项"})]


def test_only_administrators_open_the_tools(app, client, auth, world) -> None:
    """Admin and a second admin: 200 (a POST: done, 302); every other role 403; a visitor is
    sent to the log-in page; what the refused ones sent changes nothing."""
    cast, pending, _ = world
    second_admin = gen_account(Role.ADMIN)
    people = {"admin": cast.admin, "second admin": second_admin, "community": cast.community,
              "enterprise": cast.enterprises[0], "ngo": cast.ngos[0],
              "evaluator": cast.evaluators[0], "visitor": None}
    wrong = []
    for who, account in people.items():
        auth.logout()
        if account is not None:
            assert auth.login(account).status_code == 302
        for method, url, data in _routes(pending.id):
            before = _counts()
            answer = client.open(url, method=method, data=data)
            if account is None:
                expected = 302
            elif account.role is not Role.ADMIN:
                expected = 403
            else:
                expected = 200 if method == "GET" or "fund" in url else 302
            if answer.status_code != expected:
                wrong.append(f"{who} {method} {url}: {answer.status_code}, expected {expected}")
            if account is None:
                assert "/login" in answer.headers["Location"]
            if expected != 302 or account is None:
                assert _counts() == before, f"{who} {method} {url} wrote something"
    assert not wrong, "\n".join(wrong)


def test_the_admin_menu_leads_to_every_tool(client, auth, world) -> None:
    cast, _, _ = world
    auth.login(cast.admin)
    menu = client.get("/admin/?lang=en").get_data(as_text=True)
    menu = menu[menu.index('id="admin-menu"'):menu.index("</nav>", menu.index('id="admin-menu"'))]
    for link, label in (("/admin/stations", "Station registry"),
                        ("/admin/county-reports/", "County reports"),
                        ("/admin/fund/income", "Record the fund's income"),
                        ("/admin/dashboard", "Dashboard"), ("/admin/complaints", "Complaints")):
        assert f'href="{link}' in menu and label in menu, (link, label)


# --- the registry --------------------------------------------------------------------------


def _registry(client, query: str = "") -> list[list[str]]:  # noqa: ANN001
    from tests.web.figures import table_rows

    page = client.get(f"/admin/stations?lang=en{query}").get_data(as_text=True)
    return table_rows(page, "station-registry")[1:]


def test_the_registry_lists_every_station_with_status_and_naming(client, auth, world) -> None:
    cast, pending, running = world
    rejected = gen_station(cast.community, name="蒲鞋市社区爱心驿站", status=StationStatus.REJECTED,
                           rejection_reason="不在一楼")
    auth.login(cast.admin)
    page = client.get("/admin/stations?lang=en").get_data(as_text=True)
    rows = {row[0].split("Named")[0]: row for row in _registry(client)}
    assert set(rows) == {"南塘社区爱心驿站", "五马社区爱心驿站", "蒲鞋市社区爱心驿站"}
    named = rows["五马社区爱心驿站"]
    assert "瓯江集团爱心驿站" in named[0] and named[3] == "approved"
    assert named[4] == cast.enterprises[0].organization.name
    assert named[5] == "2026-04-21 – 2027-04-21"  # one year from the community's choice
    assert rows["南塘社区爱心驿站"][3] == "waiting for approval"
    assert rows["南塘社区爱心驿站"][4] == rows["南塘社区爱心驿站"][5] == "—"
    assert rows["蒲鞋市社区爱心驿站"][3] == "rejected"
    for station in (pending, running.station, rejected):  # each links to its admin page
        assert f'href="/admin/stations/{station.id}"' in page


@pytest.mark.parametrize(("query", "expected"), [
    ("&county=瓯海区", {"南塘社区爱心驿站"}),
    ("&status=approved", {"五马社区爱心驿站"}),
    ("&status=pending&county=鹿城区", set()),
    ("&naming=named", {"五马社区爱心驿站"}),
    ("&naming=unnamed", {"南塘社区爱心驿站"}),
    ("&status=nonsense&county=nowhere", {"南塘社区爱心驿站", "五马社区爱心驿站"}),  # ignored
])
def test_the_registry_filters(client, auth, world, query, expected) -> None:  # noqa: ANN001
    cast, _, _ = world
    auth.login(cast.admin)
    shown = {row[0].split("Named")[0] for row in _registry(client, query) if len(row) > 1}
    assert shown == expected


# --- inspections on the station's page ----------------------------------------------------


def test_a_site_inspection_is_recorded_and_listed(client, auth, world) -> None:
    cast, pending, _ = world
    auth.login(cast.admin)
    answer = client.post(f"/admin/stations/{pending.id}/inspections", data={
        "phase": "site", "project_id": "", "inspected_on": "2026-04-28", "rating": "good",
        "findings": "一楼临街，面积 40 平方米，无障碍坡道已建。", "follow_up": ""})
    assert answer.status_code == 302
    page = client.get(f"/admin/stations/{pending.id}?lang=en").get_data(as_text=True)
    assert "无障碍坡道已建" in page and "Site inspection" in page and "Good" in page
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.trigger == "inspect")).scalar_one()
    assert event.station_id == pending.id and event.details["rating"] == "good"


def test_a_mid_term_inspection_of_the_station_s_project(client, auth, world) -> None:
    cast, _, running = world
    auth.login(cast.admin)
    form = client.get(f"/admin/stations/{running.station_id}").get_data(as_text=True)
    assert f'<option value="{running.id}">' in form  # its project in implementation
    answer = client.post(f"/admin/stations/{running.station_id}/inspections", data={
        "phase": "midterm", "project_id": str(running.id), "inspected_on": "2026-04-29",
        "rating": "fail", "findings": "签到表缺少老人签字。", "follow_up": "五月底前补齐签到表。"})
    assert answer.status_code == 302
    inspection = db.session.execute(select(Inspection)).scalar_one()
    assert inspection.project_id == running.id and inspection.follow_up == "五月底前补齐签到表。"


GOOD = {"phase": "site", "project_id": "", "inspected_on": "2026-04-28", "rating": "pass",
        "findings": "一楼临街。", "follow_up": ""}


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"findings": "  "}, "findings", "Write down what the inspection found."),
    ({"rating": "fail"}, "follow_up", "A failing inspection needs the follow-up actions."),
    ({"inspected_on": "2026-05-30"}, "inspected_on", "recorded after it took place"),
    ({"inspected_on": "someday"}, "inspected_on", "Not a valid date value."),
    ({"phase": "midterm"}, "project_id", "Choose the project to inspect."),
    ({"rating": "superb"}, "rating", "Not a valid choice"),
    ({"project_id": "9" * 40}, "project_id", "Choose one of the station's projects."),
])
def test_bad_inspection_input_is_answered_next_to_its_field(client, auth, world, change, field,
                                                            message) -> None:  # noqa: ANN001
    cast, pending, _ = world
    auth.login(cast.admin)
    before = _counts()
    answer = client.post(f"/admin/stations/{pending.id}/inspections?lang=en",
                         data={**GOOD, **change})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1).replace("&#39;", "'"), page[-3000:]
    assert "一楼临街" in page or change.get("findings") == "  "  # what was typed is kept
    assert _counts() == before


def test_another_station_s_project_is_refused_next_to_the_project(client, auth, world) -> None:
    cast, pending, running = world
    other = gen_station(cast.community, name="另一个驿站")
    auth.login(cast.admin)
    before = _counts()
    answer = client.post(f"/admin/stations/{other.id}/inspections?lang=en", data={
        **GOOD, "phase": "midterm", "project_id": str(running.id)})
    assert answer.status_code == 400
    assert 'id="project_id-error">The project is not one of this station' in \
        answer.get_data(as_text=True)
    assert _counts() == before


def test_a_site_inspection_of_an_open_station_is_a_conflict(client, auth, world) -> None:
    cast, _, running = world
    auth.login(cast.admin)
    before = _counts()
    answer = client.post(f"/admin/stations/{running.station_id}/inspections?lang=en",
                         data=GOOD)
    assert answer.status_code == 409
    assert "A site inspection is made before the station opens" in answer.get_data(as_text=True)
    assert _counts() == before


# --- the fund's income ---------------------------------------------------------------------

INCOME = {"source": "fund:source:lottery", "amount": "200000.50",
          "reason": "2026 年度福利彩票公益金（温民〔2026〕12 号）"}


def test_income_is_confirmed_then_shown_on_the_fund_page(client, auth, runner, world) -> None:
    cast, _, _ = world
    auth.login(cast.admin)
    before_fund = money_figures(client.get("/fund?lang=en").get_data(as_text=True),
                                "fund-figures")
    before = _counts()
    step = client.post("/admin/fund/income?lang=en", data=INCOME)
    shown = step.get_data(as_text=True)
    assert step.status_code == 200 and 'name="confirmed" value="yes"' in shown
    assert "¥200,000.50 is recorded as income of “Welfare-lottery public-welfare funds”" in shown
    assert f"The fund then holds ¥{(before_fund['Fund balance'] + 20_000_050) / 100:,.2f}" \
        in shown
    assert _counts() == before, "the first step only says what will happen"

    done = client.post("/admin/fund/income", data={**INCOME, "confirmed": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/fund")
    after_fund = money_figures(client.get("/fund?lang=en").get_data(as_text=True),
                               "fund-figures")
    lottery = FUND_SOURCES["fund:source:lottery"]
    assert after_fund[lottery] == before_fund[lottery] + 20_000_050
    assert after_fund["Fund balance"] == before_fund["Fund balance"] + 20_000_050
    chinese = figures(client.get("/fund?lang=zh_CN").get_data(as_text=True), "fund-figures")
    assert chinese["民政部门福利彩票公益金"] == f"¥{after_fund[lottery] / 100:,.2f}"

    totals = verified_totals(runner)  # flask ledger verify agrees, exit code 0
    assert totals["income fund:source:lottery"] == after_fund[lottery]
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.trigger == "receive")).scalar_one()
    assert event.actor_account_id == cast.admin.id and event.reason == INCOME["reason"]
    assert event.details["amount_fen"] == 20_000_050
    transaction = db.session.get(LedgerTransaction, event.details["transaction_id"])
    assert transaction.trigger == "receive" and transaction.reason == INCOME["reason"]


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": "0"}, "amount"), ({"amount": "-5"}, "amount"), ({"amount": "lots"}, "amount"),
    ({"amount": "9" * 30}, "amount"), ({"reason": " "}, "reason"),
    ({"source": "fund:use:evaluation_awards"}, "source"), ({"source": "bank"}, "source"),
])
def test_bad_income_is_answered_next_to_its_field(client, auth, world, change,
                                                  field) -> None:  # noqa: ANN001
    cast, _, _ = world
    auth.login(cast.admin)
    before = _counts()
    for confirmed in ("", "yes"):  # neither the first step nor a forged confirmation
        answer = client.post("/admin/fund/income",
                             data={**INCOME, **change, "confirmed": confirmed})
        assert answer.status_code == 400
        assert f'id="{field}-error"' in answer.get_data(as_text=True)
    assert _counts() == before


# --- the organization-approval form -------------------------------------------------------


def test_the_approval_form_has_its_own_labels_and_a_rejection_needs_a_reason(
        client, auth, world) -> None:
    cast, _, _ = world
    waiting = gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING, org_name="鹿城助老服务社")
    auth.login(cast.admin)
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    queue = page[page.index('id="organization-queue"'):]
    queue = queue[:queue.index("</table>")]
    assert "Reason for rejecting the organization" in queue
    assert "waiver" not in queue and "30 m²" not in queue
    assert "Approve the organization" in queue and "Reject the organization" in queue

    url = f"/admin/organizations/{waiting.organization_id}?lang=en"
    before = _counts()
    answer = client.post(url, data={"decision": "reject", "reason": ""})
    assert answer.status_code == 400
    assert f'id="org-reason-{waiting.organization_id}-error">Give a reason.' in \
        answer.get_data(as_text=True)
    assert _counts() == before
    db.session.expire_all()
    assert db.session.get(Organization, waiting.organization_id).status is OrgStatus.PENDING

    assert client.post(url, data={"decision": "reject",
                                  "reason": "统一社会信用代码与登记证书不符。"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, waiting.organization_id).status is OrgStatus.REJECTED
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.trigger == "reject_organization")).scalar_one()
    assert event.reason == "统一社会信用代码与登记证书不符。"


# --- in Chinese ------------------------------------------------------------------------------


def test_the_tools_read_in_chinese(client, auth, world) -> None:
    cast, pending, _ = world
    gen_account(Role.ENTERPRISE, status=OrgStatus.PENDING)
    auth.login(cast.admin)
    pages = {"/admin/stations": ("驿站名录", "已冠名", "待审批"),
             f"/admin/stations/{pending.id}": ("登记一次检查", "选点考察", "检查日期"),
             "/admin/fund/income": ("登记基金收入", "资金来源说明", "迄今收入（按来源）"),
             "/admin/": ("驿站名录", "县（市、区）进度报告", "驳回该机构的理由")}
    for url, words in pages.items():
        page = client.get(url + "?lang=zh_CN").get_data(as_text=True)
        for word in words:
            assert word in page, (url, word)
    step = client.post("/admin/fund/income?lang=zh_CN", data=INCOME).get_data(as_text=True)
    assert "记为“民政部门福利彩票公益金”的收入" in step and "确认：登记收入" in step


def test_the_inspection_date_is_the_local_day(client, auth, world, clock) -> None:  # noqa: ANN001
    """At 01:00 in Wenzhou (17:00 UTC the day before), today is already the local day."""
    cast, pending, _ = world
    from datetime import datetime

    clock(datetime(2026, 4, 29, 17, 0))  # 2026-04-30 01:00 in Asia/Shanghai
    auth.login(cast.admin)
    form = client.get(f"/admin/stations/{pending.id}").get_data(as_text=True)
    assert 'value="2026-04-30"' in form
    answer = client.post(f"/admin/stations/{pending.id}/inspections",
                         data={**GOOD, "inspected_on": date(2026, 4, 30).isoformat()})
    assert answer.status_code == 302
