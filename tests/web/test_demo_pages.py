"""With the demo data, every demo account's main page and every project page render."""

from __future__ import annotations

import pytest

from marketplace.demo import DEMO_PASSWORD, seed
from marketplace.extensions import db
from marketplace.models import Account, Project


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_demo_account_sees_its_pages(client, lang) -> None:
    seed()
    client.get(f"/lang/{lang}")
    projects = db.session.execute(db.select(Project.id)).scalars().all()
    for account in db.session.execute(db.select(Account)).scalars():
        client.post("/login", data={"email": account.email, "password": DEMO_PASSWORD})
        home = client.get("/me", follow_redirects=True)
        assert home.status_code == 200, account.email
        assert account.name in home.get_data(as_text=True)
        for project_id in projects:
            assert client.get(f"/projects/{project_id}").status_code == 200
        client.post("/logout")
