"""The time views pass to services as ``now``: real UTC, or the ``CLOCK`` tests set."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from marketplace.clock import utcnow


def current_time() -> datetime:
    return current_app.config.get("CLOCK", utcnow)()
