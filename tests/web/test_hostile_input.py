"""HTML typed into any free-text field comes back escaped on every page that shows it.

Each field gets its own harmless tag; no page may contain the tag itself, and each tag must be
shown escaped somewhere (a field nobody sees would make the test prove nothing).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Flask

from marketplace.demo import Cast, Walk, bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import OrgStatus, Project, Role, StationStatus
from marketplace.services.core.moves import move
from marketplace.services.packaging.bundles import create_bundle
from tests.factories import PASSWORD, T0, at, gen_account, gen_station, services

# A milestone review's comment is shown by the API only, so it is not among the fields here.
FIELDS = ("title", "summary", "plan", "team", "report", "reason", "comments",
          "community", "enterprise", "ngo", "evaluator", "pending_org", "station", "address")


def tag(field: str) -> str:
    return f'<b class="xss-{field}">'


def escaped(field: str) -> str:
    return f"&lt;b class=&#34;xss-{field}&#34;&gt;"


def _cast() -> Cast:
    def account(role: Role, field: str | None = None):  # noqa: ANN202
        return gen_account(role, org_name=tag(field)) if field else gen_account(role)

    return Cast(community=account(Role.COMMUNITY, "community"), admin=account(Role.ADMIN),
                enterprises=(account(Role.ENTERPRISE, "enterprise"), account(Role.ENTERPRISE)),
                ngos=(account(Role.SOCIAL_ORG, "ngo"), account(Role.SOCIAL_ORG)),
                evaluators=(account(Role.EVALUATOR, "evaluator"), account(Role.EVALUATOR),
                            account(Role.EVALUATOR)))


def _hostile_world() -> tuple[Cast, list[int]]:
    cast = _cast()
    station = gen_station(cast.community, name=tag("station"), address=tag("address"))
    gen_account(Role.SOCIAL_ORG, org_name=tag("pending_org"), status=OrgStatus.PENDING)
    gen_station(cast.community, name=tag("station"), address=tag("address"),
                status=StationStatus.PENDING)
    draft = replace(bundle_draft("x", T0, services()), title=tag("title"), summary=tag("summary"))
    ids = []
    for target in (State.TENDERING, State.IMPLEMENTATION, State.EVALUATION, State.COMPLETED):
        project = create_bundle(station.id, draft, actor=cast.community, now=T0)
        Walk(cast, project.id, T0).to(target)
        ids.append(project.id)
    cancelled = create_bundle(station.id, draft, actor=cast.community, now=T0)
    move(cancelled.id, "submit", actor=cast.community, now=at(0.1))
    move(cancelled.id, "cancel", actor=cast.community, now=at(0.2), reason=tag("reason"))
    ids.append(cancelled.id)
    # What the walk typed itself is replaced by hostile text, as if a user had typed it.
    for project in db.session.execute(db.select(Project)).scalars():
        for bid in project.bids:
            bid.delivery_plan, bid.team = tag("plan"), tag("team")
        for report in project.progress_reports:
            report.body = tag("report")
    db.session.commit()
    return cast, ids


def _pages(ids: list[int]) -> dict[str | None, list[str]]:
    each = [f"/projects/{i}" for i in ids]
    return {
        None: ["/", *each],
        "community": ["/community/", *(f"/community/projects/{i}" for i in ids)],
        "admin": ["/admin/", *(f"/admin/projects/{i}/audit" for i in ids)],
        "enterprise": ["/enterprise/", *each],
        "ngo": ["/ngo/", *(f"/ngo/projects/{i}" for i in ids)],
        "evaluator": ["/evaluator/", *(f"/evaluator/projects/{i}" for i in ids)],
    }


def test_html_in_every_text_field_is_shown_escaped(app: Flask) -> None:
    app.config["CLOCK"] = lambda: at(20)
    cast, ids = _hostile_world()
    emails = {"community": cast.community.email, "admin": cast.admin.email,
              "enterprise": cast.enterprises[0].email, "ngo": cast.ngos[0].email,
              "evaluator": cast.evaluators[0].email}
    seen: set[str] = set()
    for role, urls in _pages(ids).items():
        client = app.test_client()
        if role:
            client.post("/login", data={"email": emails[role], "password": PASSWORD})
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (role, url, response.status_code)
            page = response.get_data(as_text=True)
            assert 'class="xss-' not in page, (role, url)
            seen |= {field for field in FIELDS if escaped(field) in page}
    # An evaluator's comments come back in the form when the scores are refused.
    evaluator = app.test_client()
    evaluator.post("/login", data={"email": emails["evaluator"], "password": PASSWORD})
    page = evaluator.post(f"/evaluator/projects/{ids[2]}",
                          data={"comments": tag("comments")}).get_data(as_text=True)
    assert 'class="xss-' not in page
    seen |= {field for field in FIELDS if escaped(field) in page}
    assert seen == set(FIELDS), f"never shown: {set(FIELDS) - seen}"


def test_ids_past_the_integer_column_are_not_found(client) -> None:
    """PostgreSQL refuses such a query; the visitor must see 404, not a server error."""
    assert client.get("/projects/9999999999").status_code == 404
    response = client.get("/api/v1/projects/9999999999/events")
    assert response.status_code == 404 and response.json["error"] == "not_found"
