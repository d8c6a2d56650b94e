"""The OpenAPI document describes exactly the routes the API serves, and is valid OpenAPI."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from marketplace.web.api import PREFIX


def test_every_api_route_is_in_the_openapi_document(app, client) -> None:
    """Every rule under /api/v1, whichever blueprint serves it (the OCDS ones too)."""
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
            served.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    described = {path: set(ops) for path, ops in document["paths"].items()}
    assert described == served


def test_the_document_is_valid_openapi(client) -> None:
    validate(client.get("/api/v1/openapi.json").json)
