"""Input no field of the product can use is refused with a 400 before any view runs.

- **NUL** (0x00): PostgreSQL text cannot hold it; a value carrying one failed as a server error
  the moment it reached a query (a log-in e-mail reaches the throttle's query before any check).
  Refused wherever it comes: the query string, a form, anywhere in a JSON body, keys included.
- **JSON nested deeper than** ``MAX_DEPTH``: the parser recurses, and a body of 100,000 ``[``
  was a RecursionError (a 500) on every JSON route. No body of the API nests past four levels.
- **Numbers no column can hold**: an integer outside signed 64 bits reached the database
  (``evaluator_ids: [2**70]``), and one of more than 4,300 digits made Python's ``int()`` raise
  inside the parser, so the body read as "not a JSON object". Integers are read here from their
  text (never converted when too long), floats must be finite, and NaN/Infinity (not JSON) are
  refused; the refusal names the field (``items[0].quantity``). Tighter product limits (money,
  counts) stay with the fields themselves (``web/api/common.py``).
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest

NUL = "\x00"
REFUSED = "Text must not contain NUL (0x00) characters."
MAX_DEPTH = 32
TOO_DEEP = f"The JSON body is nested deeper than {MAX_DEPTH} levels."
INT64 = 2**63
INT64_DIGITS = len(str(INT64))


class Refused(BadRequest):
    """A 400 naming the rule broken and, when it is one, the field that broke it (the API
    then calls it ``invalid``, as every other field error)."""

    def __init__(self, description: str, field: str | None = None,
                 error: str | None = None) -> None:
        super().__init__(description)
        self.field, self.error = field, error


class _OutOfRange:
    """Stands for a number token no column can hold, until its field's name is known."""

    def __init__(self, rule: str) -> None:
        self.rule = rule


WHOLE = _OutOfRange(f"must be a whole number from {-INT64} to {INT64 - 1}")
FINITE = _OutOfRange("must be a finite number")


def _integer(token: str) -> int | _OutOfRange:
    if len(token.lstrip("-")) > INT64_DIGITS:
        return WHOLE  # never handed to int(): past 4,300 digits it raises
    value = int(token)
    return value if -INT64 <= value < INT64 else WHOLE


def _float(token: str) -> float | _OutOfRange:
    value = float(token)
    return value if math.isfinite(value) else FINITE


def _field(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _check(document: Any) -> None:
    """Walk the parsed body (without recursion: its depth is what is being checked)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise Refused(TOO_DEEP)
        if isinstance(value, _OutOfRange):
            field = _field(path) or "The body"
            raise Refused(f"{field} {value.rule}.", field=_field(path) or None, error="invalid")
        if isinstance(value, str) and NUL in value:
            raise Refused(REFUSED, field=_field(path) or None)
        if isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    raise Refused(REFUSED)
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, n)) for n, item in enumerate(value))


def check_json(raw: bytes | str) -> None:
    """Refuse a JSON body the product cannot take; text that is not JSON is the view's to say."""
    try:
        document = json.loads(raw, parse_int=_integer, parse_float=_float,
                              parse_constant=lambda _name: FINITE)
    except RecursionError:
        raise Refused(TOO_DEEP) from None
    except ValueError:
        return
    _check(document)


def _carries_nul(value: object) -> bool:
    """A form's or query's name or values (a malformed multipart part may have no name)."""
    if isinstance(value, list):
        return any(_carries_nul(item) for item in value)
    return isinstance(value, str) and NUL in value


def _guard() -> None:
    fields = [*request.args.lists(), *request.form.lists()]
    if any(_carries_nul(name) or _carries_nul(values) for name, values in fields):
        raise Refused(REFUSED)
    if request.is_json:
        check_json(request.get_data(cache=True))


def init_app(app: Flask) -> None:
    app.before_request(_guard)
