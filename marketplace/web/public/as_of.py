"""``?as_of=`` as the project and station pages read it: the date picker's value, the page's
subject as it stood then, or the refusal to show next to the picker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request

from marketplace.clock import local_date
from marketplace.models import Project, Station
from marketplace.services.core.errors import ServiceError
from marketplace.services.record.as_of import FIELD, parse_as_of, project_then, station_then
from marketplace.web.infra.errors import translated


@dataclass(frozen=True)
class AsOf:
    """The page's date picker: what was typed, the subject then (None: today's page), a
    refusal of the value with its status, and whether it named a day still to come (today's
    page is shown, and says so)."""

    value: str = ""
    then: Any = None
    error: str | None = None
    status: int = 200
    future: bool = False
    at: datetime | None = None  # the moment asked for (the page's state is the last before it)


def _read(now: datetime, then: Callable[[datetime], Any]) -> AsOf:
    """A moment not yet come shows today's page; a bad value (400) or one before the subject
    was public (404) is told next to the picker over today's page."""
    value = request.args.get(FIELD, "")[:40]
    try:
        at = parse_as_of(value)
        if at is None or at >= now:
            return AsOf(value, future=at is not None and local_date(at) > local_date(now))
        return AsOf(value, then(at), at=at)
    except ServiceError as refused:
        return AsOf(value, error=translated(refused), status=refused.status)


def as_of_of(project: Project, now: datetime) -> AsOf:
    return _read(now, lambda at: project_then(project, at))


def station_as_of(station: Station, now: datetime) -> AsOf:
    return _read(now, lambda at: station_then(station, at))
