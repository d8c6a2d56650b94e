"""My API tokens: each account lists its own tokens and revokes them; a revoked token gets 401."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import ApiToken, Role
from tests.factories import PASSWORD, at, gen_account


def _token(client, account) -> str:  # noqa: ANN001
    response = client.post("/api/v1/tokens", json={"email": account.email, "password": PASSWORD})
    assert response.status_code == 201
    return response.json["token"]


def test_an_account_lists_and_revokes_its_own_tokens(app, client, auth, clock) -> None:
    clock(at(0))
    owner, stranger = gen_account(Role.ENTERPRISE), gen_account(Role.ENTERPRISE)
    raw = _token(client, owner)
    _token(client, stranger)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    mine, theirs = (db.session.execute(db.select(ApiToken).where(
        ApiToken.account_id == a.id)).scalar_one() for a in (owner, stranger))

    auth.login(owner)
    page = client.get("/me/tokens/?lang=en").get_data(as_text=True)
    assert page.count("<tr>") == 2 and "active" in page and "never" not in page
    assert f"/me/tokens/{mine.id}/revoke" in page and f"/{theirs.id}/revoke" not in page
    assert client.post(f"/me/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/me/tokens/{mine.id}/revoke").status_code == 302
    assert "revoked" in client.get("/me/tokens/?lang=en").get_data(as_text=True)

    refused = client.get("/api/v1/projects", headers=headers)
    assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
    db.session.expire_all()
    assert theirs.revoked_at is None
