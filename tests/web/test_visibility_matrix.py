"""Role × route × project state: every route with an id, requested by every kind of account
(and a second account of the same role), for projects in every visibility regime.

The routes come from ``app.url_map``: a new route with an id and no entry here fails the test.
The world is built once (one test) because walking seven projects through the real services
is the slow part; every response that disagrees is collected and reported together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient

from marketplace.demo import Walk, bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    Bid,
    BidDocument,
    Evidence,
    MilestoneStatus,
    ProgressReport,
    Project,
    Role,
)
from marketplace.services.core.moves import move
from marketplace.services.core.unit import atomic
from marketplace.services.evaluation import evaluations
from marketplace.services.implementation import delivery
from marketplace.services.implementation.evidence import Upload, kept_only_on_commit
from marketplace.services.packaging.bundles import create_bundle
from marketplace.services.tendering import documents
from marketplace.services.tendering.tender import current_bid, submit_bid
from tests.evidence_files import PDF
from tests.factories import PASSWORD, T0, at, gen_account, gen_cast, gen_station, services

PACKAGED = ("draft", "submitted", "rejected")
KINDS = (*PACKAGED, "publication", "tendering", "implementation", "evaluation", "completed")
ACTORS = ("visitor", "admin", "owner", "other_community", "enterprise_a", "enterprise_b",
          "ngo_awarded", "ngo_other", "evaluator_panel", "evaluator_other")
NOW = at(20)  # the tendering project's bids are in and still sealed (the tender closes at 30)


@dataclass
class World:
    accounts: dict[str, Account | None]
    projects: dict[str, Project]
    evidence: dict[str, Evidence]  # kind → one file of it (implementation: not yet public)
    community_org: int
    enterprise_org: int
    # kind → one bid document: the open tender's (sealed), the completed project's winner's
    bid_documents: dict[str, BidDocument] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One actor asking about one project: what the rules below read."""

    actor: str
    kind: str
    world: World

    @property
    def role(self) -> Role | None:
        account = self.world.accounts[self.actor]
        return account.role if account else None

    @property
    def project(self) -> Project:
        return self.world.projects[self.kind]

    @property
    def sees(self) -> bool:
        """The rule under test: a bundle in packaging only for its community and the admin."""
        return self.kind not in PACKAGED or self.actor in ("admin", "owner")


def _project(cast: Any, kind: str) -> Project:
    station = gen_station(cast.community, name=f"{kind}驿站")
    project = create_bundle(station.id, bundle_draft(f"助餐服务包-{kind}", T0, services()),
                            actor=cast.community, now=T0)
    evidence = [Upload("签到表.pdf", PDF)] if kind == "completed" else []
    walk = Walk(cast, project.id, T0, evidence=evidence)
    if kind in ("submitted", "rejected"):
        walk.to(State.PACKAGING)
    if kind == "rejected":
        move(project.id, "reject", actor=cast.admin, now=at(0.5), reason="预算明细不全。")
    if kind not in PACKAGED:
        walk.to(State(kind))
    if kind == "implementation":  # a reported milestone waits for review: its file is private
        pending = next(m for m in db.session.get(Project, project.id).milestones
                       if m.status is MilestoneStatus.PENDING)
        delivery.report_progress(project.id, pending.id, actor=cast.ngos[0], body="第二期",
                                 people_served=5, now=at(60), evidence=[Upload("表.pdf", PDF)])
    if kind == "tendering":  # the first organization's bid is replaced by one with a document
        earlier = current_bid(db.session.get(Project, project.id), cast.ngos[0].organization_id)
        submit_bid(project.id, actor=cast.ngos[0], price_fen=earlier.price_fen,
                   delivery_plan=earlier.delivery_plan, team=earlier.team,
                   milestone_plan=earlier.milestone_plan, now=at(11),
                   documents=[Upload("资质证书.pdf", PDF)])
    if kind == "completed":  # the winning bid's document, read after the project closed
        winner = db.session.get(Project, project.id).award.bid
        with kept_only_on_commit() as written, atomic():
            documents.store(winner, documents.check([Upload("方案.pdf", PDF)]),
                            actor=cast.ngos[0], now=at(11), written=written)
    if kind == "evaluation":  # one sheet is in: its score and its author stay sealed
        indicators = db.session.get(Project, project.id).indicator_set.indicators
        evaluations.evaluate(project.id, actor=cast.evaluators[0], no_conflict=True,
                             now=at(80), scores={i.code: i.max_score for i in indicators})
    return db.session.get(Project, project.id)


def _world() -> World:
    cast = gen_cast()
    projects = {kind: _project(cast, kind) for kind in KINDS}
    evidence = {}
    for kind in ("implementation", "completed"):
        files = db.session.execute(db.select(Evidence).join(ProgressReport).where(
            ProgressReport.project_id == projects[kind].id)).scalars()
        evidence[kind] = next(e for e in files if
                              (e.report.milestone.status is MilestoneStatus.ACCEPTED)
                              == (kind == "completed"))
    accounts = {
        "visitor": None, "admin": cast.admin, "owner": cast.community,
        "other_community": gen_account(Role.COMMUNITY),
        "enterprise_a": cast.enterprises[0],  # subscribed to every funded project
        "enterprise_b": gen_account(Role.ENTERPRISE),
        "ngo_awarded": cast.ngos[0],  # won every tender; bid in the open one
        "ngo_other": cast.ngos[1],  # bid and lost (or still sealed)
        "evaluator_panel": cast.evaluators[0],  # on the panels; scored in the evaluation
        "evaluator_other": gen_account(Role.EVALUATOR),
    }
    bid_documents = {kind: db.session.execute(
        db.select(BidDocument).join(Bid).where(Bid.project_id == projects[kind].id)).scalar_one()
        for kind in ("tendering", "completed")}
    return World(accounts, projects, evidence, cast.community.organization_id,
                 cast.enterprises[0].organization_id, bid_documents)


# --- the expected answer of each route -----------------------------------------------------

Rule = Callable[[Case], int | None]  # None: the route has nothing for this project kind


def page(case: Case) -> int:
    return 200 if case.sees else 404


def api_signed_in(case: Case) -> int:
    return 401 if case.actor == "visitor" else page(case)


def role_page(*roles: Role) -> Callable[[Rule], Rule]:
    """A page of one role's area: the log-in page for visitors, 403 for other roles (whatever
    the id, so nothing leaks), then the project's own rule."""

    def wrap(rule: Rule) -> Rule:
        def checked(case: Case) -> int | None:
            if case.actor == "visitor":
                return 302
            if case.role not in roles:
                return 403
            return rule(case)

        return checked

    return wrap


def bids(case: Case) -> int:
    if case.actor == "visitor":
        return 401
    if not case.sees:
        return 404
    may_read = case.role in (Role.SOCIAL_ORG, Role.ADMIN) or case.actor == "owner"
    return 200 if may_read else 403


def evidence(visitor: int) -> Rule:
    def rule(case: Case) -> int | None:
        if case.kind not in case.world.evidence:
            return None
        if case.kind == "completed":  # the milestone is accepted: the file is public
            return 200
        if case.actor == "visitor":
            return visitor
        # the implementation project has no panel yet: its evaluators are outsiders
        return 200 if case.actor in ("admin", "owner", "ngo_awarded") else 403

    return rule


def bid_document(case: Case) -> int | None:
    """Never public; the bidder's always; the community's, the administrator's and the panel's
    once the bids are opened (the tender here is still sealed)."""
    if case.kind not in case.world.bid_documents:
        return None
    if case.actor == "ngo_awarded":
        return 200
    opened = case.kind == "completed"
    return 200 if opened and case.actor in ("admin", "owner", "evaluator_panel") else 404


def milestone_files(case: Case) -> int | None:
    return page(case) if case.project.milestones else None


@role_page(Role.COMMUNITY)
def community_project(case: Case) -> int:
    return 200 if case.actor == "owner" else 404  # another community's: not there


@role_page(Role.COMMUNITY)
def bundle_editor(case: Case) -> int:
    """Its own community changes a bundle in packaging before or after a review, not while
    one is pending or later (409); another community's is not there."""
    if case.actor != "owner":
        return 404
    return 200 if case.kind in ("draft", "rejected") else 409


@role_page(Role.ENTERPRISE)
def subscribe(case: Case) -> int:
    return page(case)


@role_page(Role.SOCIAL_ORG)
def ngo_page(case: Case) -> int:
    return page(case)


@role_page(Role.SOCIAL_ORG)
def withdraw(case: Case) -> int:
    if not case.sees:
        return 404
    account = case.world.accounts[case.actor]
    return 200 if current_bid(case.project, account.organization_id) else 302  # → the tender


@role_page(Role.EVALUATOR)
def scoring(case: Case) -> int:
    """The panel's workspace: evaluators on no seat of it find nothing (decision: 404)."""
    on_panel = case.actor == "evaluator_panel" and case.kind in ("evaluation", "completed")
    return 200 if on_panel else 404


@role_page(Role.ADMIN)
def admin_page(case: Case) -> int:
    return 200


def api_admin(case: Case) -> int:
    """An administrator's API route: 401 without a token, 403 for any other role."""
    if case.actor == "visitor":
        return 401
    return 200 if case.role is Role.ADMIN else 403


@role_page(Role.ADMIN)
def evaluation_award(case: Case) -> int:
    return 200 if case.kind == "completed" else 404  # only completed projects are ranked


def photo(case: Case) -> int | None:
    """A file is shown in a page only if it is a photo: past the visibility rule, the world's
    PDF is not there as a picture."""
    seen = evidence(302)(case)
    return 404 if seen == 200 else seen


def drawn_cover(case: Case) -> int:
    return 302 if case.sees else 404  # no cover uploaded: the area's drawn picture


def _subscription(case: Case) -> dict[str, int]:
    return {"subscription_id": next((s.id for s in case.project.subscriptions
                                     if s.enterprise_id == case.world.enterprise_org), 0)}


@role_page(Role.ENTERPRISE)
def confirmation(case: Case) -> int:
    """Only the enterprise that subscribed reads its subscription's confirmation."""
    mine = any(s.enterprise_id == case.world.enterprise_org for s in case.project.subscriptions)
    return 200 if mine and case.actor == "enterprise_a" else 404


def everyone(case: Case) -> int:
    return 200


def once(rule: Rule) -> Rule:
    """A route whose id is not the project's: asked once per actor, not once per project."""
    return lambda case: rule(case) if case.kind == "draft" else None


def _pid(case: Case) -> dict[str, int]:
    return {"project_id": case.project.id}


GET_ROUTES: dict[str, tuple[Callable[[Case], dict[str, int]], Rule]] = {
    "pages.project": (_pid, page),
    "api.show_project": (_pid, page),
    "api.list_events": (_pid, page),
    "api.list_questions": (_pid, page),
    "ocds.project_ocds": (_pid, page),
    "ocds.project_record": (_pid, page),
    "api.list_complaints": (_pid, api_signed_in),
    "api.list_bids": (_pid, bids),
    "api.listing": (lambda c: {**_pid(c), "milestone_id": c.project.milestones[0].id
                               if c.project.milestones else 0}, milestone_files),
    "api.download": (lambda c: {"evidence_id": c.world.evidence[c.kind].id
                                if c.kind in c.world.evidence else 0}, evidence(401)),
    "evidence.download": (lambda c: {"evidence_id": c.world.evidence[c.kind].id
                                     if c.kind in c.world.evidence else 0}, evidence(302)),
    "evidence.photo": (lambda c: {"evidence_id": c.world.evidence[c.kind].id
                                  if c.kind in c.world.evidence else 0}, photo),
    "bid_documents.download": (lambda c: {"document_id": c.world.bid_documents[c.kind].id
                                           if c.kind in c.world.bid_documents else 0},
                               bid_document),
    "covers.cover": (_pid, drawn_cover),
    "enterprise.subscribed": (_subscription, confirmation),
    "community.project": (_pid, community_project),
    "community.edit_bundle": (_pid, bundle_editor),
    "enterprise.subscribe": (_pid, subscribe),
    "ngo.project": (_pid, ngo_page),
    "ngo.withdraw": (_pid, withdraw),
    "complaints.lodge": (_pid, ngo_page),
    "evaluator.score": (_pid, scoring),
    "admin.audit": (_pid, admin_page),
    "admin.panel_of": (_pid, admin_page),
    "admin.evaluation_award": (_pid, evaluation_award),
    "public.station": (lambda c: {"station_id": c.project.station_id}, everyone),
    "stations.review": (lambda c: {"station_id": c.project.station_id}, admin_page),
    "api.station_inspections": (lambda c: {"station_id": c.project.station_id}, api_admin),
    "public.organization": (lambda c: {"organization_id": c.world.community_org},
                            once(everyone)),
    "public.impact": (lambda c: {"organization_id": c.world.enterprise_org}, once(everyone)),
}
# Routes with an id that take no GET: what they do is refused by their services and tested
# there; a draft behind one of them is refused like a missing one (test below, as every actor).
POST_ONLY = {
    "admin.review", "admin.panel", "admin.organization", "admin.close_match_offer",
    "complaints.decide", "county_reports.report", "stations.decide", "tokens.revoke",
    "community.choose", "community.act", "community.award", "community.milestone",
    "community.answer", "ngo.bid", "ngo.report", "ngo.question", "evaluator.decide",
    "api.fire_move", "api.submit_bid", "api.withdraw_bid", "api.lodge_complaint", "api.evaluate",
    "api.upload", "api.report", "api.review", "api.panel", "api.ask", "api.answer",
    "api.subscribe", "api.decide_complaint", "admin.decide", "api.panel_quorum",
    "evaluator.recuse", "api.read_notification", "tasks.read", "stations.inspect",
    "api.record_station_inspection",
    "covers.upload",
}
# Routes whose id is a subscription's: who may read a receipt (the subscriber and the
# administrator; 404 for anyone else) is tested, as each actor, in its own file.
ELSEWHERE = {"enterprise.receipt": "tests/web/test_receipt_page.py",
             "api.subscription_receipt": "tests/web/api/test_funder.py"}
# a file path, a language code, a month, a reset link's token
NOT_AN_ID = {"static", "i18n.switch", "ocds.releases_of_month", "auth.reset_password"}


def _id_routes(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.arguments and rule.endpoint not in NOT_AN_ID:
            routes.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_every_route_with_an_id_has_an_entry(app: Flask) -> None:
    routes = _id_routes(app)
    missing = set(routes) - set(GET_ROUTES) - POST_ONLY - set(ELSEWHERE)
    assert not missing, f"routes with an id and no visibility rule here: {sorted(missing)}"
    assert {e for e, methods in routes.items() if "GET" in methods} == \
        set(GET_ROUTES) | set(ELSEWHERE)
    assert all("GET" not in routes[e] for e in POST_ONLY)


def _signed_in(app: Flask, account: Account | None) -> tuple[FlaskClient, dict[str, str]]:
    """A client with the account's session, and its API token's header."""
    client = app.test_client()
    if account is None:
        return client, {}
    assert client.post("/login", data={"email": account.email,
                                       "password": PASSWORD}).status_code == 302
    token = client.post("/api/v1/tokens", json={"email": account.email, "password": PASSWORD})
    assert token.status_code == 201, token.json
    return client, {"Authorization": f"Bearer {token.json['token']}"}


def _sealed_words(world: World, case: Case) -> list[str]:
    """What the body must not contain for this actor: the tender's bidders (and their plans)
    while it is open, the evaluator who scored while the panel scores, and their scores."""
    if case.actor == "admin":
        return []
    me = world.accounts[case.actor]
    words: list[str] = []
    if case.kind == "tendering":
        for bid in case.project.bids:
            if me is not None and bid.organization_id == me.organization_id:
                continue
            person = next(a for a in world.accounts.values()
                          if a is not None and a.organization_id == bid.organization_id)
            words += [person.name, person.email, bid.organization.name, bid.delivery_plan]
    if case.kind == "evaluation":
        sheet = case.project.evaluations[0]
        if me is None or sheet.evaluator_id != me.id:
            words += [sheet.evaluator.name, sheet.evaluator.email, '"total_score"']
    return words


def test_every_role_on_every_route_in_every_state(app: Flask) -> None:
    app.config["CLOCK"] = lambda: NOW
    app.config["API_TOKEN_TTL_HOURS"] = 24 * 365
    world = _world()
    titles = {kind: p.title for kind, p in world.projects.items()}
    wrong: list[str] = []
    for actor in ACTORS:
        client, headers = _signed_in(app, world.accounts[actor])
        for kind in KINDS:
            case = Case(actor, kind, world)
            for endpoint, (args, rule) in GET_ROUTES.items():
                expected = rule(case)
                if expected is None:
                    continue
                with app.test_request_context():
                    path = url_for(endpoint, **args(case))
                response = client.get(path, headers=headers)
                body = response.get_data(as_text=True)
                response.close()
                if response.status_code != expected:
                    wrong.append(f"{actor} {kind} GET {path}: {response.status_code}, "
                                 f"expected {expected}")
                    continue
                if response.status_code != 200 or not response.mimetype.startswith(
                        ("text/html", "application/json")):
                    continue
                leaked = [w for w in _sealed_words(world, case) if w in body]
                leaked += [titles[k] for k in PACKAGED
                           if not Case(actor, k, world).sees and titles[k] in body]
                if leaked:
                    wrong.append(f"{actor} {kind} GET {path} shows {leaked}")
        # the signed-in home and the inbox (no id): nothing of a bundle one may not see
        for path in ("/tasks", "/inbox?show=all"):
            response = client.get(path)
            expected = 302 if actor == "visitor" else 200
            body = response.get_data(as_text=True)
            if response.status_code != expected:
                wrong.append(f"{actor} GET {path}: {response.status_code}, expected {expected}")
            leaked = [titles[k] for k in PACKAGED
                      if not Case(actor, k, world).sees and titles[k] in body]
            if leaked:
                wrong.append(f"{actor} GET {path} shows {leaked}")
    assert not wrong, "\n".join(wrong)


def test_a_draft_behind_every_action_is_not_there(app: Flask) -> None:
    """POST (and DELETE) routes on a bundle in packaging, by everyone who may not see it:
    the log-in page or 401 for visitors, 403 for a role the route is not for, otherwise 404."""
    app.config["CLOCK"] = lambda: NOW
    app.config["API_TOKEN_TTL_HOURS"] = 24 * 365
    cast = gen_cast()
    station = gen_station(cast.community)
    draft = create_bundle(station.id, bundle_draft("助餐服务包-草稿", T0, services()),
                          actor=cast.community, now=T0)
    outsiders = {None: None, **{a.role: a for a in (
        gen_account(Role.COMMUNITY), cast.enterprises[0], cast.ngos[0], cast.evaluators[0])}}
    prefixes = {Role.COMMUNITY: "/community/", Role.ENTERPRISE: "/enterprise/",
                Role.SOCIAL_ORG: "/ngo/", Role.EVALUATOR: "/evaluator/"}
    routes = [r for r in app.url_map.iter_rules() if "project_id" in r.arguments
              and r.endpoint in POST_ONLY]
    assert routes
    wrong = []
    for role, account in outsiders.items():
        client, headers = _signed_in(app, account)
        for rule in routes:
            values = {name: draft.id if name == "project_id" else 1 for name in rule.arguments}
            if "trigger" in rule.arguments:
                values["trigger"] = "cancel" if "community" in rule.rule else "close_out"
            path = rule.build(values, append_unknown=False)[1]
            method = next(m for m in ("DELETE", "PUT", "POST") if m in rule.methods)
            response = client.open(path, method=method, headers=headers, json={})
            api = path.startswith("/api/")
            if role is None:
                expected = 401 if api else 302
            elif api or path.startswith(prefixes[role]):
                expected = 404
            else:
                expected = 403
            if response.status_code != expected:
                wrong.append(f"{role} {method} {path}: {response.status_code}, "
                             f"expected {expected}")
    assert not wrong, "\n".join(wrong)
    db.session.expire_all()
    assert db.session.get(Project, draft.id).state is State.PACKAGING
