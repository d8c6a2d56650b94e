"""Template filters: money and time are formatted only when shown."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext

from marketplace.clock import local_time


def yuan(fen: int | None) -> str:
    """12345 fen → '¥123.45' (integer arithmetic, no float)."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def said(message: str, params: dict[str, Any]) -> str:
    """A message of ``services.finance.consequences`` in the reader's language, its money
    formatted."""
    return gettext(message, **{name: yuan(value) if name.endswith("_fen") else value
                               for name, value in params.items()})


def register(app: Flask) -> None:
    app.add_template_global(said)
    app.add_template_filter(yuan)
    app.add_template_filter(local_time)
