"""Error pages in the site's layout, and service errors shown with the message translated."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from marketplace.lifecycle import MoveRefused
from marketplace.services.core.amounts import shown
from marketplace.services.core.errors import Busy, ServiceError
from marketplace.web import api


def translated(error: ServiceError | MoveRefused) -> str:
    """The message in the reader's language: ``_(error.template) % error.params``, amounts in
    yuan."""
    template = getattr(error, "template", None) or str(error)
    params = shown(getattr(error, "params", None) or {})
    text = _(template)
    return text % params if params else text


def _http(error: HTTPException) -> ResponseReturnValue:
    if request.path.startswith(api.PREFIX):  # the API answers in JSON, whatever the code
        return api.http_error(error)
    titles = {403: _("Not allowed"), 404: _("Not found"), 429: _("Too many requests")}
    description = error.description if error.code == 403 and error.description and \
        not error.description.startswith("You don't have") else None
    return render_template("error.html", code=error.code,
                           title=titles.get(error.code or 500, error.name),
                           message=description), error.code or 500


def _busy(error: Busy) -> ResponseReturnValue:
    """A lock waited for too long outside a form's ``attempt``: 503, nothing saved (the API
    answers its own JSON)."""
    return render_template("error.html", code=503, title=_("Busy, try again shortly"),
                           message=translated(error)), 503, \
        {"Retry-After": str(error.retry_after_seconds)}


def register(app: Flask) -> None:
    for code in (403, 404, 429):
        app.register_error_handler(code, _http)
    app.register_error_handler(Busy, _busy)
