"""Log-in, sign-up, throttling, CSRF and the accounts command, as a visitor meets them."""

from __future__ import annotations

from flask import Flask
from werkzeug.security import check_password_hash

from marketplace.extensions import db
from marketplace.models import Account, LoginFailure, Organization, OrgStatus, Role
from tests.factories import PASSWORD, at, gen_account


def _valid_code() -> str:
    from marketplace.credit_code import check_character

    first17 = "91330300MA2H12345"
    return first17 + check_character(first17)


def test_log_in_and_out(client, auth) -> None:
    account = gen_account(Role.ENTERPRISE)
    response = auth.login(account)
    assert response.status_code == 302
    assert account.name in client.get("/").get_data(as_text=True)
    auth.logout()
    assert account.name not in client.get("/").get_data(as_text=True)


def test_wrong_password_says_so_and_does_not_log_in(client, auth) -> None:
    account = gen_account(Role.ENTERPRISE)
    page = auth.login(account, "wrong").get_data(as_text=True)
    assert "Wrong e-mail or password." in page or "邮箱或密码错误" in page
    assert client.get("/enterprise/").status_code == 302


def test_five_failures_block_even_the_right_password(client, auth) -> None:
    account = gen_account(Role.ENTERPRISE)
    for _ in range(5):
        assert auth.login(account, "wrong").status_code == 200
    blocked = auth.login(account)
    assert blocked.status_code == 429
    assert "15" in blocked.get_data(as_text=True)
    assert client.get("/enterprise/").status_code == 302


def test_sign_up_with_a_bad_credit_code_shows_it_next_to_the_field(client) -> None:
    data = {"role": "enterprise", "organization": "温州爱心实业",
            "credit_code": "91330300MA2H123450",
            "contact": "王经理", "email": "wang@example.org", "password": "long enough",
            "confirm": "long enough",
            "phone": "13800138000", "consent": "y"}
    page = client.post("/signup?lang=en", data=data).get_data(as_text=True)
    assert 'id="credit_code-error"' in page and "check character" in page
    assert 'value="温州爱心实业"' in page  # what was typed is kept
    assert db.session.execute(db.select(Organization)).first() is None


def test_enterprise_must_give_a_credit_code(client) -> None:
    data = {"role": "social_org", "organization": "阳光社工", "credit_code": "",
            "contact": "李", "email": "li@example.org", "password": "long enough",
            "confirm": "long enough",
            "phone": "13800138000", "consent": "y"}
    page = client.post("/signup?lang=en", data=data).get_data(as_text=True)
    assert "give their unified social credit code" in page
    assert db.session.execute(db.select(Account)).first() is None


def test_sign_up_makes_a_pending_organization_that_may_not_act(client) -> None:
    data = {"role": "enterprise", "organization": "温州爱心实业", "credit_code": _valid_code(),
            "contact": "王经理", "email": "Wang@Example.org", "password": "long enough",
            "confirm": "long enough",
            "phone": "13800138000", "consent": "y"}
    assert client.post("/signup", data=data).status_code == 302
    account = db.session.execute(db.select(Account)).scalar_one()
    assert account.email == "wang@example.org"
    assert account.organization.status is OrgStatus.PENDING
    assert client.get("/enterprise/").status_code == 200  # may log in and look
    assert client.get("/enterprise/projects/1/subscribe").status_code == 403  # may not act


def test_community_signs_up_without_a_credit_code(client) -> None:
    data = {"role": "community", "organization": "五马社区", "credit_code": "",
            "contact": "陈主任", "email": "chen@example.org", "password": "long enough",
            "confirm": "long enough",
            "phone": "13800138000", "consent": "y"}
    assert client.post("/signup", data=data).status_code == 302
    assert db.session.execute(db.select(Organization)).scalar_one().role is Role.COMMUNITY


def test_a_post_without_csrf_token_is_refused(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    account = gen_account(Role.ENTERPRISE)
    client = app.test_client()
    response = client.post("/login", data={"email": account.email, "password": "correct horse"})
    assert response.status_code == 400
    assert client.get("/enterprise/").status_code == 302  # not logged in


def test_a_post_with_the_csrf_token_is_accepted(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    account = gen_account(Role.ENTERPRISE)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": account.email, "password": "correct horse",
                                           "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/enterprise/").status_code == 200


def test_log_in_never_redirects_off_site(client) -> None:
    account = gen_account(Role.ENTERPRISE)
    response = client.post("/login?next=https://evil.example/",
                           data={"email": account.email, "password": "correct horse"})
    assert response.headers["Location"] == "/tasks"  # the signed-in home


def test_accounts_create_makes_an_approved_evaluator(runner) -> None:
    result = runner.invoke(args=["accounts", "create", "--role", "evaluator", "--email",
                                 "Eva@example.org", "--name", "评估专家",
                                 "--organization", "温州评估中心"],
                           input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    account = db.session.execute(db.select(Account)).scalar_one()
    assert account.email == "eva@example.org" and account.role is Role.EVALUATOR
    assert account.organization.is_approved
    assert check_password_hash(account.password_hash, "s3cret-pass")


def test_accounts_create_refuses_a_taken_email(runner) -> None:
    gen_account(Role.ADMIN, email="boss@example.org")
    result = runner.invoke(args=["accounts", "create", "--role", "admin", "--email",
                                 "boss@example.org", "--name", "x"],
                           input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code != 0 and "already exists" in result.output


def test_the_api_shares_the_throttle_with_the_log_in_page(client, auth) -> None:
    account = gen_account(Role.ENTERPRISE)
    for _ in range(3):
        assert auth.login(account, "wrong").status_code == 200
    for _ in range(2):
        wrong = client.post("/api/v1/tokens", json={"email": account.email, "password": "x"})
        assert wrong.status_code == 401
    blocked = client.post("/api/v1/tokens", json={"email": account.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.get_json()["error"] == "too_many_attempts"
    assert auth.login(account).status_code == 429


def test_a_success_clears_the_count_and_old_failures_leave_the_window(client, auth,
                                                                     clock) -> None:
    account = gen_account(Role.ENTERPRISE)
    clock(at(1))
    for _ in range(4):
        auth.login(account, "wrong")
    assert auth.login(account).status_code == 302  # the fifth try is right: it gets in
    auth.logout()
    for _ in range(5):
        auth.login(account, "wrong")
    assert auth.login(account).status_code == 429
    clock(at(1 + 16 / 1440))  # sixteen minutes later the window has moved past them
    assert auth.login(account).status_code == 302
    assert db.session.execute(db.select(db.func.count()).select_from(LoginFailure)).scalar() == 0
