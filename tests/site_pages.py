"""Every page of the site, per role, drawn from the app's url_map (issue 14, items 6 and 7).

A GET route without parameters is a page; a route with a project, station or organization id
is visited once with the first demo id that answers 200 for the role (so a new page is covered
without touching this file). What is not a page is listed in ``EXCLUDED`` with the reason; a
route with any other parameter must be listed there, or the tests fail naming it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Organization, Project, Station, Subscription

# One demo account per role; None is the visitor who has not logged in.
ROLES: dict[str, str | None] = {
    "public": None,
    "admin": "admin@demo.cn",
    "community": "community@demo.cn",
    "enterprise": "enterprise@demo.cn",
    "ngo": "ngo@demo.cn",
    "evaluator": "evaluator@demo.cn",
}

EXCLUDED = {
    "static": "stylesheet and files, not pages",
    "i18n.switch": "sets the language and redirects",
    "health.healthz": "JSON for the load balancer",
    "record.audit_head_json": "JSON (its page /audit/head is covered)",
    "dashboard.csv": "a download", "dashboard.xlsx": "a download",
    "transparency.ledger_export": "a download", "transparency.ledger_workbook": "a download",
    "evidence.download": "an evidence file served as an attachment",
    "evidence.photo": "an evidence photo, served as an image",
    "bid_documents.download": "a bid's document served as an attachment "
                              "(tests/web/test_tender_compare.py reads it)",
    "enterprise.receipt": "a PDF download (tests/web/test_receipt_page.py reads it)",
    "auth.reset_password": "needs a one-time e-mailed token (tests/web/test_joining.py)",
}
EXCLUDED_PREFIXES = {"api.": "the JSON API (its schema tests cover it)",
                     "ocds.": "OCDS JSON releases"}


@dataclass(frozen=True)
class Page:
    role: str
    url: str
    endpoint: str


def excluded(endpoint: str) -> bool:
    return endpoint in EXCLUDED or any(endpoint.startswith(p) for p in EXCLUDED_PREFIXES)


def _candidates() -> dict[str, list[int]]:
    """Demo ids to try for each parameter, a project in every state in lifecycle order."""
    order = {state: n for n, state in enumerate(State)}
    projects = sorted(db.session.execute(db.select(Project)).scalars(),
                      key=lambda p: (order[p.state], p.id))
    return {
        "project_id": [p.id for p in projects],
        "station_id": list(db.session.execute(db.select(Station.id).order_by(Station.id))
                           .scalars()),
        "organization_id": list(db.session.execute(
            db.select(Organization.id).order_by(Organization.id)).scalars()),
        "subscription_id": list(db.session.execute(
            db.select(Subscription.id).order_by(Subscription.id)).scalars()),
    }


def log_in(client: FlaskClient, email: str | None) -> None:
    client.post("/logout")
    if email:
        answer = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert answer.status_code == 302, email


def _is_page(client: FlaskClient, url: str) -> bool:
    answer = client.get(url)
    assert answer.status_code < 500, (url, answer.status_code)
    return answer.status_code == 200 and answer.mimetype == "text/html"


def site_pages(app: Flask, client: FlaskClient) -> list[Page]:
    """Each role's pages: every page answering it 200 (public pages for every role too)."""
    candidates = _candidates()
    rules = sorted((r for r in app.url_map.iter_rules()
                    if "GET" in (r.methods or ()) and not excluded(r.endpoint)),
                   key=lambda r: r.rule)
    unknown = sorted({f"{r.rule} ({a})" for r in rules for a in r.arguments
                      if a not in candidates})
    assert not unknown, f"give these parameters demo ids or list them in EXCLUDED: {unknown}"
    pages: list[Page] = []
    for role, email in ROLES.items():
        log_in(client, email)
        for rule in rules:
            if not rule.arguments:
                if _is_page(client, rule.rule):
                    pages.append(Page(role, rule.rule, rule.endpoint))
                continue
            arguments = sorted(rule.arguments)
            # each parameterised route takes one id (the url_map has none with two)
            assert len(arguments) == 1, rule.rule
            for value in candidates[arguments[0]]:
                url = app.url_map.bind("localhost").build(rule.endpoint,
                                                          {arguments[0]: value})
                if _is_page(client, url):
                    pages.append(Page(role, url, rule.endpoint))
                    break
    client.post("/logout")
    return pages
