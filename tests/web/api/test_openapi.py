"""The OpenAPI document describes exactly the routes the API serves."""

from __future__ import annotations

import re


def test_every_api_route_is_in_the_openapi_document(app, client) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "ocds.")):  # the open data routes too
            path = re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            served.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    described = {path: set(ops) for path, ops in document["paths"].items()}
    assert described == served
