"""Joining without limbo: sign-up asks the kind first, a phone and consent; a pending account
is told what happens next; a forgotten password is reset by a one-time e-mailed link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Account, Organization, OrgStatus, OutboxMail, PasswordReset, Role
from marketplace.services.identity import accounts
from marketplace.services.identity.approvals import decide_organization
from tests.factories import PASSWORD, at, gen_account
from tests.web.conftest import as_a_worker

GOOD = {"role": "community", "organization": "五马社区", "credit_code": "",
        "contact": "陈主任", "phone": "138 0013 8000", "email": "chen@example.org",
        "password": "long enough", "confirm": "long enough", "consent": "y"}


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_the_kind_of_organization_comes_first_and_has_no_default(client) -> None:
    page = client.get("/signup").get_data(as_text=True)
    first_select = page.index('name="role"')
    assert first_select < page.index('name="organization"')
    role = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert role.startswith('<option value="">') and "selected" not in role
    answer = client.post("/signup?lang=en", data={**GOOD, "role": ""})
    assert _error(answer.get_data(as_text=True), "role") == "Choose the kind of organization."
    assert _count(Account) == 0


@pytest.mark.parametrize(("phone", "expected"), [
    ("", "Give a phone number the administrator can call."),
    ("12345", "A phone number is a mobile number of 11 digits or a landline with its area "
              "code."),
])
def test_a_missing_or_wrong_phone_is_answered_next_to_it(client, phone, expected) -> None:
    page = client.post("/signup?lang=en", data={**GOOD, "phone": phone}).get_data(as_text=True)
    assert _error(page, "phone") == expected
    assert 'value="五马社区"' in page  # what was typed is kept
    assert _count(Account) == 0 and _count(Organization) == 0


def test_sign_up_without_consent_is_refused_in_chinese_next_to_the_box(client) -> None:
    page = client.post("/signup", data={**GOOD, "consent": ""}).get_data(as_text=True)
    assert _error(page, "consent") == "须同意隐私政策后才能注册。"
    assert _count(Account) == 0


def test_sign_up_keeps_the_number_and_when_consent_was_given(client) -> None:
    assert client.post("/signup", data=GOOD).status_code == 302
    account = db.session.execute(select(Account)).scalar_one()
    assert account.phone == "13800138000"
    assert account.consented_at is not None


def test_a_pending_account_is_told_what_happens_next_not_a_bare_403(client, auth) -> None:
    account = gen_account(Role.ENTERPRISE, status=OrgStatus.PENDING)
    auth.login(account)
    home = client.get("/enterprise/?lang=en").get_data(as_text=True)
    assert "waiting for the administrator's approval" in home  # the banner on every page
    refused = client.get("/enterprise/credit/move?lang=en")
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    assert "Your organization is waiting for approval" in page
    assert "You get an e-mail when it is decided" in page


def test_the_decision_reaches_the_people_waiting_by_e_mail(app) -> None:
    admin = gen_account(Role.ADMIN)
    waiting = gen_account(Role.SOCIAL_ORG, status=OrgStatus.PENDING)
    decide_organization(waiting.organization_id, actor=admin, approve=True, now=at(1))
    [mail] = db.session.execute(select(OutboxMail).where(OutboxMail.to == waiting.email)).all()
    assert "已通过审核" in mail[0].subject


def _link_sent_to(email: str) -> str:
    body = db.session.execute(select(OutboxMail.body).where(OutboxMail.to == email)
                              .order_by(OutboxMail.id.desc())).scalars().first()
    assert body is not None
    return re.search(r"http://localhost(/password/reset/[\w-]+)", body).group(1)


def test_forgotten_password_is_reset_once_by_the_e_mailed_link(app, client, auth) -> None:
    account = gen_account(Role.ENTERPRISE)
    other = app.test_client()
    with app.app_context():
        other.post("/login", data={"email": account.email, "password": PASSWORD})
    answer = client.post("/password/forgot?lang=en", data={"email": account.email.upper()})
    assert "a link to set a new password is on its way" in answer.get_data(as_text=True)
    link = _link_sent_to(account.email)
    stored = db.session.execute(select(PasswordReset.token_hash)).scalar_one()
    assert link.rsplit("/", 1)[1] not in stored  # only the hash is kept
    short = client.post(link + "?lang=en", data={"password": "short", "confirm": "short"})
    assert 'id="password-error"' in short.get_data(as_text=True)
    assert client.post(link, data={"password": "a new secret", "confirm": "a new secret"}
                       ).status_code == 302
    assert auth.login(account, "a new secret").status_code == 302
    assert auth.login(account, PASSWORD).status_code == 200  # the old one no longer works
    assert as_a_worker(app, other, "/enterprise/").status_code == 302  # the old session ended
    again = client.get(link + "?lang=en")
    assert again.status_code == 404 and "Ask for a new one" in again.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client) -> None:
    page = client.post("/password/forgot?lang=en", data={"email": "nobody@example.org"})
    assert "a link to set a new password is on its way" in page.get_data(as_text=True)
    assert _count(OutboxMail) == 0 and _count(PasswordReset) == 0


def test_an_expired_link_changes_nothing(app) -> None:
    account = gen_account(Role.ENTERPRISE)
    sent: list[str] = []
    accounts.request_reset(account.email, link=sent.append, now=at(1))
    hashed = account.password_hash
    late = at(1) + accounts.RESET_LIFETIME + timedelta(seconds=1)
    with pytest.raises(accounts.Invalid, match="not valid"):
        accounts.reset_password(sent[0], "a new secret", now=late)
    db.session.expire_all()
    assert db.session.get(Account, account.id).password_hash == hashed


def test_the_reset_link_never_reaches_the_log(client, caplog) -> None:
    account = gen_account(Role.ENTERPRISE)
    client.post("/password/forgot", data={"email": account.email})
    link = _link_sent_to(account.email)
    with caplog.at_level("INFO", logger="marketplace.access"):
        client.get(link)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/password/reset/<token>" in logged
    assert link.rsplit("/", 1)[1] not in logged
