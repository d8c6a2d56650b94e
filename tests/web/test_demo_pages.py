"""With the demo data, every demo account's main page and every project page render."""

from __future__ import annotations

import re

import pytest

from marketplace.demo import DEMO_PASSWORD, seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Project, Role


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_demo_account_sees_its_pages(client, lang) -> None:
    seed()
    client.get(f"/lang/{lang}")
    projects = db.session.execute(db.select(Project)).scalars().all()
    packaged = [p for p in projects if p.state is State.PACKAGING]
    assert packaged  # the demo has a bundle still being packaged: a visitor does not see it
    for project in projects:
        expected = 404 if project in packaged else 200
        assert client.get(f"/projects/{project.id}").status_code == expected, project.state
    for account in db.session.execute(db.select(Account)).scalars():
        client.post("/login", data={"email": account.email, "password": DEMO_PASSWORD})
        home = client.get("/me", follow_redirects=True)
        assert home.status_code == 200, account.email
        assert account.name in home.get_data(as_text=True)
        for project in projects:
            # a bundle in packaging: only its own community and the administrator see it
            insider = account.role is Role.ADMIN or (
                account.role is Role.COMMUNITY
                and project.station.community_id == account.organization_id)
            expected = 404 if project in packaged and not insider else 200
            assert client.get(f"/projects/{project.id}").status_code == expected, \
                (account.email, project.state)
        client.post("/logout")


def _login(client, email: str) -> None:  # noqa: ANN001
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD})


def test_the_demo_shows_each_role_its_new_features(client, runner) -> None:  # noqa: ANN001
    seed()
    client.get("/lang/en")
    implementing = db.session.execute(db.select(Project).where(
        Project.state == State.IMPLEMENTATION)).scalar_one()
    completed = db.session.execute(db.select(Project).where(
        Project.state == State.COMPLETED)).scalar_one()

    # The public sees the sign-in sheet of the accepted milestone, and can download it.
    page = client.get(f"/projects/{implementing.id}").get_data(as_text=True)
    assert "Evidence of accepted milestones" in page and "服务签到表.png" in page
    link = re.search(r'href="(/evidence/\d+[^"]*)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data.startswith(b"\x89PNG")
    download.close()

    # The enterprise has credit released by the unfunded project, to move or withdraw.
    _login(client, "enterprise@demo.cn")
    portfolio = client.get("/enterprise/").get_data(as_text=True)
    credit = re.search(r'<p id="credit">([^<]*)</p>', portfolio).group(1)
    assert "¥0.00" not in credit and "¥" in credit
    assert "/enterprise/credit/move" in portfolio and "/enterprise/credit/withdraw" in portfolio
    client.post("/logout")

    # The community chooses between two sponsors' names for its station.
    _login(client, "community@demo.cn")
    naming = client.get("/community/naming").get_data(as_text=True)
    assert "温州正泰爱心企业有限公司" in naming and "瓯海眼镜行业协会会员企业" in naming
    assert naming.count("Choose this name") == 2
    client.post("/logout")

    # The administrator sees the fund's open match offer and the award already granted.
    _login(client, "admin@demo.cn")
    offers = client.get("/admin/match-offers").get_data(as_text=True)
    assert "2026 年度市级公益创投配捐" in offers
    awards = client.get("/admin/evaluation-awards").get_data(as_text=True)
    assert completed.title in awards and "5,000.00" in awards
    client.post("/logout")

    # All of it went through the services: the ledger balances and the audit chain holds.
    for group in ("ledger", "audit"):
        result = runner.invoke(args=[group, "verify"])
        assert result.exit_code == 0, result.output
