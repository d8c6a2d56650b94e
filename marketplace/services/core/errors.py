"""Errors a service raises for the caller to show: a code, a message and an HTTP status.

Every error, in the API, has one shape: ``error`` (the code), ``message``, and where they apply
``field`` (the input it belongs next to) and ``rule`` (the product rule that refused it: a
refusal of a rule is a 409 ``Conflict`` that names it, as the lifecycle's guards do).
"""

from __future__ import annotations

from typing import Any

from marketplace.services.core.amounts import shown


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, template: str, *, field: str | None = None, rule: str | None = None,
                 clause: str | None = None,
                 **params: Any) -> None:
        self.template = template
        self.params = params
        self.field = field  # the form field the message belongs next to, if any
        self.rule = rule  # the rule that refused, e.g. "subscription_window_open"
        self.clause = clause  # the policy clause (marketplace/policy.py) the refusal rests on
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % shown(self.params) if self.params else self.template


class Invalid(ServiceError):
    status, code = 400, "invalid"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    """A rule said no (a window closed, a limit reached, a state that does not allow it).

    The rule is required: a caller's system branches on it, and a 409 that does not say which
    rule refused leaves it guessing from the message.
    """

    status, code = 409, "conflict"

    def __init__(self, template: str, *, rule: str, **params: Any) -> None:
        super().__init__(template, rule=rule, **params)


class KeyReused(ServiceError):
    """An Idempotency-Key sent again with another request than the one it first answered."""

    status, code = 422, "idempotency_key_reused"


class Busy(ServiceError):
    """A lock was waited for too long: nothing was saved, and trying again may succeed."""

    status, code = 503, "busy"
    retry_after_seconds = 5  # the unit gave up after the lock wait; the next try is cheap
