"""A bundle published after its subscription opened is opened by the clock's next sweep.

As it was found: the administrator approves on the afternoon of the opening day (the form
stores dates at noon), through the page or the API. ``next_check_at`` counted only future
deadlines, so the bundle stayed in publication for good while the preview said it opened.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from marketplace.lifecycle import State
from marketplace.services.core.moves import move
from tests.factories import PASSWORD, at, gen_cast, gen_project

LATE = at(2) + timedelta(hours=5)  # the subscription opened at at(2): this afternoon


def _publish_by_page(client: FlaskClient, auth, admin, project_id: int) -> None:
    auth.login(admin)
    response = client.post(f"/admin/bundles/{project_id}", data={"decision": "approve"})
    assert response.status_code == 302


def _publish_by_api(client: FlaskClient, auth, admin, project_id: int) -> None:
    token = client.post("/api/v1/tokens", json={"email": admin.email, "password": PASSWORD})
    response = client.post(f"/api/v1/projects/{project_id}/actions/approve",
                           headers={"Authorization": f"Bearer {token.json['token']}"})
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("publish", [_publish_by_page, _publish_by_api],
                         ids=["page", "api"])
def test_one_sweep_opens_a_bundle_published_after_its_subscription_opened(
        client, auth, clock, runner, publish) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.PACKAGING)
    move(project.id, "submit", actor=cast.community, now=at(0.01))
    clock(LATE)
    publish(client, auth, cast.admin, project.id)
    published = client.get(f"/api/v1/projects/{project.id}").json
    assert published["state"] == "publication"
    assert published["published_at"] > published["subscription_opens_at"]

    # the preview and the sweep, at the API's own time of publication, agree: it opens now
    planned = runner.invoke(args=["scheduler", "preview", "--days", "0",
                                  "--at", published["published_at"]])
    assert planned.exit_code == 0, planned.output
    assert f"{LATE:%Y-%m-%d %H:%M}  project {project.id} " in planned.output
    assert "open_subscription (publication → subscription)" in planned.output
    swept = runner.invoke(args=["scheduler", "run-once", "--at", published["published_at"]])
    assert swept.exit_code == 0, swept.output
    assert f"project {project.id}: open_subscription" in swept.output
    assert "1 project(s) moved." in swept.output
    assert client.get(f"/api/v1/projects/{project.id}").json["state"] == "subscription"
