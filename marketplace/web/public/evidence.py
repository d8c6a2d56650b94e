"""Evidence files over HTTP: reading uploads from a request, and the download route.

The file is always sent as an attachment with ``nosniff`` and a sandboxing CSP, so an uploaded
file can never run as a page of this site, whatever it contains.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, abort, current_app, send_file
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from marketplace.extensions import login_manager
from marketplace.models import Evidence
from marketplace.services.core.errors import NotFound
from marketplace.services.core.visibility import evidence_public, may_see, may_see_evidence
from marketplace.services.implementation import evidence as files

bp = Blueprint("evidence", __name__)


def uploads_from(storages: Iterable[FileStorage]) -> list[files.Upload]:
    """The chosen files; an empty file input (no file picked) sends a nameless part: skipped.
    At most one byte past the limit is read, enough for the service to say "too large"."""
    limit = files.max_bytes()
    return [files.Upload(storage.filename or "", storage.stream.read(limit + 1))
            for storage in storages if storage.filename]


IMAGES = frozenset({"image/jpeg", "image/png"})  # shown in the page's gallery, not downloaded


def send_stored(path: Path, *, content_type: str, name: str, sha256: str,
                inline: bool = False, shared: bool = False) -> Response:
    """A stored upload (evidence, a bid's document) as a download: an attachment, or an image
    shown inline, with ``nosniff`` and a sandboxing CSP, so it never runs as a page of this
    site; unless ``shared``, no shared cache may keep it."""
    response = send_file(path, mimetype=content_type, as_attachment=not inline,
                         download_name=name, conditional=True, etag=sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not shared:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def send(evidence: Evidence, *, inline: bool = False) -> Response:
    path = files.path_of(evidence)
    if not path.is_file():
        current_app.logger.error("evidence %s: %s is missing from storage", evidence.id, path)
        raise NotFound("The file is missing from storage.")
    return send_stored(path, content_type=evidence.content_type, name=evidence.original_name,
                       sha256=evidence.sha256, inline=inline,
                       shared=evidence_public(evidence))  # a file not yet public: private


def _serve(evidence_id: int, *, inline: bool) -> Response:
    """The file, if services/visibility.py lets this account see it (a visitor is asked to
    log in, a signed-in account without the right is refused, a hidden project is not there)."""
    if evidence_id > 2**31 - 1:
        abort(404)
    try:
        evidence = files.get(evidence_id)
    except NotFound:
        abort(404)
    if not may_see(evidence.report.project, current_user):
        abort(404)  # the project itself is not there for this account
    if not may_see_evidence(evidence, current_user):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        abort(403)
    if inline and evidence.content_type not in IMAGES:
        abort(404)  # only photos are shown in a page; every other file is downloaded
    try:
        return send(evidence, inline=inline)
    except NotFound:
        abort(404)


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int) -> Response:
    return _serve(evidence_id, inline=False)


@bp.get("/evidence/<int:evidence_id>/photo")
def photo(evidence_id: int) -> Response:
    """A photo shown in its gallery (and opened full size on click), not as a download."""
    return _serve(evidence_id, inline=True)
