"""Template filters: money and time are formatted only when shown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import gettext


def yuan(fen: int | None) -> str:
    """12345 fen → '¥123.45' (integer arithmetic, no float)."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored naive UTC, shown in the deployment's time zone."""
    if moment is None:
        return "—"
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return moment.replace(tzinfo=UTC).astimezone(zone).strftime(fmt)


def said(message: str, params: dict[str, Any]) -> str:
    """A message of ``services.consequences`` in the reader's language, its money formatted."""
    return gettext(message, **{name: yuan(value) if name.endswith("_fen") else value
                               for name, value in params.items()})


def register(app: Flask) -> None:
    app.add_template_global(said)
    app.add_template_filter(yuan)
    app.add_template_filter(local_time)
