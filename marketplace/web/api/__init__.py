"""The JSON API under /api/v1: one module per resource, every error as JSON.

Views parse the request, call one service and serialize; the services and the lifecycle decide.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as HTTPNotFound

from marketplace.lifecycle import MoveRefused
from marketplace.services.core.errors import Busy, ServiceError
from marketplace.web.public.site import clause_link

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)


MAX_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger one cannot exist


def _ids_in_range(_endpoint: str | None, values: dict[str, object] | None) -> None:
    """An id past the column's range is simply not found (the database would refuse the query:
    a 500 that schemathesis found on PostgreSQL, and on SQLite for the OCDS route). App-wide,
    for every route under the prefix, whichever blueprint serves it."""
    if not request.path.startswith(PREFIX + "/"):
        return
    for name, value in (values or {}).items():
        if name.endswith("_id") and isinstance(value, int) and value > MAX_ID:
            raise HTTPNotFound(f"No {name.removesuffix('_id')} {value}.")


def error(status: int, code: str, message: str, *, field: str | None = None,
          rule: str | None = None, **extra: object) -> ResponseReturnValue:
    """The one error shape: ``error``, ``message``, and ``field`` / ``rule`` where they apply."""
    named = {name: value for name, value in (("field", field), ("rule", rule)) if value}
    return jsonify({"error": code, "message": message, **named, **extra}), status


@bp.errorhandler(ServiceError)
def _service_error(refused: ServiceError) -> ResponseReturnValue:
    extra: dict[str, object] = {}
    if refused.clause:  # the policy clause the refusal rests on, linked
        extra["clause"] = clause_link(refused.clause)
    response, status = error(refused.status, refused.code, refused.message,
                             field=refused.field, rule=refused.rule, **extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(refused, Busy):  # a lock waited for too long; nothing was saved
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
    return response, status


@bp.errorhandler(MoveRefused)
def _move_refused(refused: MoveRefused) -> ResponseReturnValue:
    extra = {"clause": clause_link(refused.clause)} if refused.clause else {}
    return error(409, "move_refused", refused.message, rule=refused.guard,
                 trigger=refused.trigger, state=refused.state, **extra)


def http_error(failure: HTTPException) -> ResponseReturnValue:
    """Unknown routes and wrong methods under the API answer in JSON too (app-wide handler,
    because routing fails before any blueprint is chosen)."""
    if not request.path.startswith(PREFIX + "/") and request.path != PREFIX:
        return failure
    field = getattr(failure, "field", None)  # the input guard's refusals name it
    code = getattr(failure, "error", None) or (failure.name or "error").lower().replace(" ", "_")
    response, status = error(failure.code or 500, code, failure.description or "",
                             field=field)
    if failure.code == 405 and failure.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(failure.valid_methods)  # type: ignore[attr-defined]
    return response, status


def init_app(app: Flask) -> None:
    """Register the API; call after CSRFProtect is bound so the API can be exempted."""
    from marketplace.web.api import (  # noqa: F401  (each module adds its routes to bp)
        catalog,
        complaints,
        delivery,
        enquiries,
        evidence,
        inspections,
        me,
        openapi,
        participation,
        projects,
        tokens,
    )

    app.register_blueprint(bp)
    app.url_value_preprocessor(_ids_in_range)
    app.register_error_handler(HTTPException, http_error)
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # bearer tokens, not cookies: the API needs no CSRF token
        csrf.exempt(bp)
