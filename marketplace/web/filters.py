"""Template filters: money and time are formatted only when shown."""

from __future__ import annotations

from flask import Flask

from marketplace.clock import local_time


def yuan(fen: int | None) -> str:
    """12345 fen → '¥123.45' (integer arithmetic, no float)."""
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def register(app: Flask) -> None:
    app.add_template_filter(yuan)
    app.add_template_filter(local_time)
