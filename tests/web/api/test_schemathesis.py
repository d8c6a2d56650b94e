"""Schemathesis against /api/v1/openapi.json, in process through the WSGI app.

Generated requests (valid and not) must never get a server error, and every answer must be one
the document describes: its status code, content type and body schema. Examples per operation
are bounded so the whole run stays well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from marketplace.lifecycle import State
from tests.factories import gen_project

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 15


@pytest.fixture
def bearer(auth, cast) -> dict[str, str]:  # noqa: ANN001
    return auth(cast.community)


def test_api_answers_as_its_document_says(app, auth, cast, bearer) -> None:  # noqa: ANN001
    """Every operation, one after another (``schemathesis.pytest.from_fixture`` needs a pytest
    internal that pytest 9 removed, so the strategies are driven here with Hypothesis)."""
    gen_project(cast, State.TENDERING)  # so that generated ids can hit a real row
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        # Revoking "the current token" would log the shared bearer out of every later
        # operation: that one gets a token of its own per example.
        revokes = operation.method.upper() == "DELETE" and operation.path == "/tokens/current"
        _check(operation, (lambda: auth(cast.community)) if revokes else (lambda: bearer))


def _check(operation, headers_for) -> None:  # noqa: ANN001
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def answers(case) -> None:  # noqa: ANN001
        headers = None if case.headers and "Authorization" in case.headers else headers_for()
        case.call_and_validate(headers=headers, checks=CHECKS)

    answers()
