"""Issue 12's small doors (8.), each replayed as the attacker sent it: off-site redirects
through ``next``, a log-in whose timing told registered e-mails from unknown ones, a forged
access-log line, CR/LF in a redirect. And issue 13 (4.): one account service behind log-in
page, token exchange, sign-up and ``flask accounts create``."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import pytest
from werkzeug import security

from marketplace.extensions import db
from marketplace.models import Account, AuditEvent, LoginFailure, Role
from marketplace.services.identity import accounts
from tests.factories import PASSWORD, gen_account

# As sent, percent-encoded: browsers drop tabs and newlines and read "\" as "/", so each of
# these would have left the site; the rest are a scheme, a host, control characters.
OFF_SITE = ["/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example", "/%5Cevil.example",
            "%5C%5Cevil.example", "//evil.example", "///evil.example", "https://evil.example/",
            "javascript:alert(1)", "%09//evil.example", "/%00/evil.example",
            "/%7F/evil.example", "%20//evil.example", "http:/evil.example",
            "/a%0D%0ASet-Cookie:%20x=1"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_leaves_the_site(client, target) -> None:
    answer = client.get(f"/lang/en?next={target}")
    assert answer.status_code in (302, 400), answer.status_code
    if answer.status_code == 302:
        assert answer.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_log_in_never_leaves_the_site(client, target) -> None:
    account = gen_account(Role.ENTERPRISE)
    answer = client.post(f"/login?next={target}",
                         data={"email": account.email, "password": PASSWORD})
    if "%00" in target:  # refused before log-in by the NUL guard
        assert answer.status_code == 400
    else:
        assert answer.status_code == 302 and answer.headers["Location"] == "/tasks"


def test_a_path_on_the_site_is_still_followed(client) -> None:
    answer = client.get("/lang/en?next=/projects/7?tab=money")
    assert answer.headers["Location"] == "/projects/7?tab=money"


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Every line the access log wrote, as the terminal or the collector reads it."""
    access = logging.getLogger("marketplace.access")
    access.addHandler(caplog.handler)
    yield lambda: [line for record in caplog.records
                   for line in record.getMessage().splitlines()]
    access.removeHandler(caplog.handler)


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_newline_in_the_path_cannot_forge_a_log_line(app, client, lines, log_format) -> None:
    app.config["LOG_FORMAT"] = log_format
    client.get("/nowhere%0AGET%20/admin/%20200%200.1ms%0D%E2%80%A8%1B[31m")
    written = lines()
    assert len(written) == 1, written
    assert "\x1b" not in written[0] and "\u2028" not in written[0]
    path = json.loads(written[0])["path"] if log_format == "json" else written[0].split(" ")[1]
    assert path.startswith("/nowhere\\nGET")


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The password hashes log-in checked (the work that takes the time)."""
    checked: list[str] = []

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return security.check_password_hash(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return checked


def test_an_unknown_email_costs_the_same_hash_as_a_wrong_password(client, hash_checks) -> None:
    account = gen_account(Role.ENTERPRISE)
    client.post("/login", data={"email": account.email, "password": "wrong"})
    client.post("/login", data={"email": "nobody@example.org", "password": "wrong"})
    client.post("/api/v1/tokens", json={"email": "nobody@example.org", "password": "wrong"})
    real, dummy, dummy_api = hash_checks
    assert real == account.password_hash and dummy != real and dummy_api == dummy
    method = real.split("$")[0]  # scrypt:32768:8:1: the same work factor
    assert dummy.split("$")[0] == method


def test_the_log_in_page_and_the_api_share_one_throttle_and_message(client) -> None:
    account = gen_account(Role.ENTERPRISE)
    for _ in range(3):
        client.post("/login", data={"email": account.email, "password": "wrong"})
    for _ in range(2):
        answer = client.post("/api/v1/tokens", json={"email": account.email.upper(),
                                                     "password": "wrong"})
        assert answer.status_code == 401 and answer.json["message"] == accounts.BAD_CREDENTIALS
    answer = client.post("/api/v1/tokens", json={"email": account.email, "password": PASSWORD})
    assert answer.status_code == 429
    assert db.session.execute(db.select(db.func.count()).select_from(LoginFailure)) \
        .scalar_one() == 5


def _registrations() -> list[AuditEvent]:
    return list(db.session.execute(db.select(AuditEvent).where(
        AuditEvent.trigger == "register_account")).scalars())


def test_sign_up_and_the_command_register_through_one_service(client, runner) -> None:
    answer = client.post("/signup?lang=en", data={
        "role": "community", "organization": "五马社区", "credit_code": "",
        "contact": "陈主任", "email": "Chen@Example.org", "password": "long enough",
        "confirm": "long enough",
            "phone": "13800138000", "consent": "y"})
    assert answer.status_code == 302
    result = runner.invoke(args=["accounts", "create", "--role", "evaluator", "--email",
                                 "CHEN@example.org", "--name", "x"],
                           input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code != 0 and "already exists" in result.output
    page = client.post("/signup?lang=en", data={
        "role": "community", "organization": "另一个社区", "credit_code": "",
        "contact": "王", "email": "CHEN@example.ORG", "password": "long enough",
        "confirm": "long enough",
            "phone": "13800138000", "consent": "y"}).get_data(as_text=True)
    assert "An account with this e-mail already exists." in page and 'id="email-error"' in page
    result = runner.invoke(args=["accounts", "create", "--role", "evaluator", "--email",
                                 "eva@example.org", "--name", "评估专家"],
                           input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    emails = sorted(db.session.execute(db.select(Account.email)).scalars())
    assert emails == ["chen@example.org", "eva@example.org"]
    events = _registrations()
    assert [e.actor for e in events] == ["陈主任 <chen@example.org>", "operator (flask accounts)"]
    assert {e.details["role"] for e in events} == {"community", "evaluator"}
    assert {e.details["organization_status"] for e in events} == {"pending", "approved"}
