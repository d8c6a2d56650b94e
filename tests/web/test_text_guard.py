"""A NUL character, which PostgreSQL text cannot store, is a 400 wherever it comes in.

Found by schemathesis on PostgreSQL: ``POST /api/v1/tokens`` with ``{"email": "\\u0000"}``
reached the log-in throttle's query and failed as a server error.
"""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import LoginFailure


def _failures() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(LoginFailure)).scalar_one()


def test_a_nul_in_the_api_body_is_a_json_400_and_writes_nothing(client) -> None:
    for body in ({"email": "\x00", "password": "x"}, {"email": "a@b.cn", "password": "x\x00"},
                 {"email": "a@b.cn", "password": "x", "\x00": 1}):
        answer = client.post("/api/v1/tokens", json=body)
        assert answer.status_code == 400
        assert answer.get_json()["error"] == "bad_request" and "NUL" in answer.get_json()["message"]
    assert _failures() == 0


def test_a_nul_in_a_form_or_the_query_string_is_a_400_page(client) -> None:
    assert client.post("/login", data={"email": "\x00", "password": "x"}).status_code == 400
    assert client.get("/?q=%00").status_code == 400
    assert client.get("/api/v1/projects?q=%00").status_code == 400
    assert _failures() == 0
    assert client.get("/?q=敬老").status_code == 200  # ordinary text still passes
