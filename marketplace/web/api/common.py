"""What every API view needs: the clock, the caller, and typed reading of the JSON body."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import g, make_response, request
from flask.typing import ResponseReturnValue

from marketplace.clock import current_time as now
from marketplace.extensions import db
from marketplace.models import Account, Project
from marketplace.services.core import idempotency
from marketplace.services.core.errors import Invalid, NotFound
from marketplace.services.identity.tokens import Unauthenticated, token_for

MAX_FEN = 10**13  # 1 billion yuan: far above any bundle, far below BIGINT
MAX_COUNT = 10**7
PER_PAGE, MAX_PER_PAGE = 20, 100  # every paginated list: ?page=&per_page=
MAX_KEY = 255  # an Idempotency-Key's length: a UUID fits many times over


def caller() -> Account | None:
    """The account of the bearer token, if one was sent; a bad token is refused, not ignored."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthenticated("Send the token as “Authorization: Bearer <token>”.")
    token = token_for(raw.strip(), now=now())
    g.api_token_id = token.id  # DELETE /tokens/current revokes this one
    g.api_account_id = token.account_id  # for the request log
    return token.account


def signed_in() -> Account:
    account = caller()
    if account is None:
        raise Unauthenticated("This needs a token: POST /api/v1/tokens.")
    return account


def query_int(name: str, default: int, lowest: int, highest: int) -> int:
    """A whole-number query parameter within bounds (a page, a page size)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid("%(name)s must be a whole number.", field=name, name=name) from None
    if not lowest <= value <= highest:
        raise Invalid("%(name)s must be between %(lo)s and %(hi)s.", field=name, name=name,
                      lo=lowest, hi=highest)
    return value


def project_or_404(project_id: int, *options: Any) -> Project:
    """The project; ``options`` (loader options) fetch what the caller will read, in one go."""
    project = db.session.get(Project, project_id, options=options)
    if project is None:
        raise NotFound("No project %(id)s.", id=project_id)
    return project


# --- the JSON body -----------------------------------------------------------------------------


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None and not request.get_data():
        return {}
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object.")
    return data


_MISSING = object()


def _get(data: dict[str, Any], name: str, default: Any) -> Any:
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if default is _MISSING:
            raise Invalid("%(name)s is required.", field=name, name=name)
        return default
    return value


def integer(data: dict[str, Any], name: str, default: Any = _MISSING, *,
            maximum: int = MAX_COUNT) -> Any:
    value = _get(data, name, default)
    if value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("%(name)s must be a whole number.", field=name, name=name)
    if abs(value) > maximum:
        raise Invalid("%(name)s is too large.", field=name, name=name)
    return value


def fen(data: dict[str, Any], name: str, default: Any = _MISSING) -> Any:
    """Money in integer fen; the services decide whether zero or negative is allowed."""
    return integer(data, name, default, maximum=MAX_FEN)


def text(data: dict[str, Any], name: str, default: Any = _MISSING, *,
         max_length: int = 10_000) -> Any:
    value = _get(data, name, default)
    if value is default:
        return value
    if not isinstance(value, str):
        raise Invalid("%(name)s must be text.", field=name, name=name)
    if len(value) > max_length:
        raise Invalid("%(name)s is too long.", field=name, name=name)
    return value


def boolean(data: dict[str, Any], name: str, default: Any = _MISSING) -> Any:
    value = _get(data, name, default)
    if value is not default and not isinstance(value, bool):
        raise Invalid("%(name)s must be true or false.", field=name, name=name)
    return value


def moment(data: dict[str, Any], name: str, default: Any = _MISSING) -> Any:
    """An ISO-8601 date-time; with an offset it is converted, without one it is taken as UTC."""
    value = text(data, name, default, max_length=40)
    if value is default:
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("%(name)s must be an ISO-8601 date-time.", field=name, name=name) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def day(value: Any, name: str) -> date:
    if not isinstance(value, str):
        raise Invalid("%(name)s must be an ISO-8601 date.", field=name, name=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("%(name)s must be an ISO-8601 date.", field=name, name=name) from None


def listing(data: dict[str, Any], name: str, default: Any = _MISSING) -> Any:
    value = _get(data, name, default)
    if value is not default and not isinstance(value, list):
        raise Invalid("%(name)s must be a list.", field=name, name=name)
    return value


def iso(moment_: datetime | date | None) -> str | None:
    """Stored times are naive UTC; the API says so with a Z."""
    if moment_ is None:
        return None
    if isinstance(moment_, datetime):
        return moment_.isoformat() + "Z"
    return moment_.isoformat()


# --- money POSTs: Idempotency-Key ----------------------------------------------------------


def _fingerprint() -> str:
    """The request a key first answered: method, path and body (JSON compared as data)."""
    data = request.get_json(silent=True)
    payload = (json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
               if data is not None else request.get_data())
    return hashlib.sha256(b"%s %s\n%s" % (request.method.encode(), request.path.encode(),
                                          payload)).hexdigest()


def idempotent(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """A money POST that honours ``Idempotency-Key``: sent again with the same key and body,
    it answers what it answered first (status and body) and moves no money a second time."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY or not key.isprintable():
            raise Invalid("%(header)s must be 1 to %(max)s printable characters.",
                          field=idempotency.HEADER, header=idempotency.HEADER, max=MAX_KEY)
        account = signed_in()

        def run() -> tuple[int, dict[str, Any]]:
            response = make_response(view(*args, **kwargs))
            return response.status_code, response.get_json()

        answer = idempotency.once(account.id, key, _fingerprint(), run, now=now())
        response = make_response(answer.body, answer.status)
        if answer.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    return wrapper
