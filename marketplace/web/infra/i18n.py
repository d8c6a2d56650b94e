"""Languages: zh_CN by default, English by a switch kept in the session (or ``?lang=en``)."""

from __future__ import annotations

import os
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, redirect, request, session
from flask_babel import get_locale, refresh
from werkzeug.wrappers import Response

from marketplace.extensions import babel
from marketplace.web.infra.safe_next import safe_next

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT = "zh_CN"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


@bp.get("/lang/<code>")
def switch(code: str) -> Response:
    """A plain link switches the language (works without JavaScript)."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


def _write_mo(po_path: Path, mo_path: Path) -> None:
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    tmp = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as mo_file:
        write_mo(mo_file, catalog)
    tmp.replace(mo_path)  # atomic: concurrent workers never read half a file


def compile_catalogs(directory: Path = TRANSLATIONS) -> None:
    """.mo files are not in git: build any missing or stale one from its .po at start-up.

    Babel reads ``zh_CN`` as ``zh_Hans_CN`` and looks for that folder, so the compiled catalog
    is also written under the name Babel will look for.
    """
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        folder = po_path.parent.parent.name
        _write_mo(po_path, po_path.with_suffix(".mo"))
        canonical = str(Locale.parse(folder))
        if canonical != folder:
            _write_mo(po_path, directory / canonical / "LC_MESSAGES" / "messages.mo")


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
    app.register_blueprint(bp)
    # Each request picks its language afresh (an app context shared by several requests, as in
    # tests or CLI-driven clients, would otherwise keep the first request's choice).
    app.before_request(refresh)
