"""Template filters: money and time are formatted only when shown."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext

from marketplace.clock import local_time
from marketplace.services.core.amounts import shown, yuan


def said(message: str, params: dict[str, Any]) -> str:
    """A message of ``services.finance.consequences`` in the reader's language, its money
    formatted."""
    return gettext(message, **shown(params))


def register(app: Flask) -> None:
    app.add_template_global(said)
    app.add_template_filter(yuan)
    app.add_template_filter(local_time)
