"""Time is stored as naive UTC everywhere; services take ``now`` so tests never sleep.

People read it in the deployment's zone (``MARKETPLACE_TIMEZONE``): ``local_time`` is the one
conversion, for pages (the ``local_time`` filter), e-mails and inbox messages alike.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def deployment_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_time(moment: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored naive UTC (or its ISO text, as the audit anchors keep it), in the deployment's
    time zone."""
    if moment is None:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC).astimezone(deployment_zone()).strftime(fmt)


def local_date(now: datetime) -> date:
    """Stored times are naive UTC; a due date is a day in the deployment's time zone."""
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def from_local(text: str) -> datetime:
    """The reverse of ``local_time``: an ISO-8601 date or time a person typed, as stored UTC.

    With ``Z`` or an offset it means what it says; without one it is a local time in the
    deployment's zone; a bare date is the end of that local day (a page "as it stood on
    2026-12-07" shows that whole day). Raises ``ValueError`` for anything else.
    """
    text = text.strip()
    if len(text) == 10:  # YYYY-MM-DD: fromisoformat would read it as that day's midnight
        day = date.fromisoformat(text)
        moment = datetime.combine(day, datetime.max.time()).replace(microsecond=0)
    else:
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=deployment_zone())
    return moment.astimezone(UTC).replace(tzinfo=None)
