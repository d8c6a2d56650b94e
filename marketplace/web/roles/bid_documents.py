"""Documents attached to bids, over HTTP: one download route for every role that may read them.

Sent as evidence files are (``evidence.send_stored``: an attachment, ``nosniff``, a sandboxing
CSP, never kept by a shared cache). Whoever may not read one (``visibility.may_see_bid_document``)
finds nothing there: 404, visitors included, so a sealed bid does not even show it has files.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.clock import current_time
from marketplace.services.core.errors import NotFound
from marketplace.services.core.visibility import may_see, may_see_bid_document
from marketplace.services.tendering import documents
from marketplace.web.public.evidence import send_stored

bp = Blueprint("bid_documents", __name__)


@bp.get("/bid-documents/<int:document_id>")
def download(document_id: int) -> Response:
    if document_id > 2**31 - 1:
        abort(404)
    try:
        document = documents.get(document_id)
    except NotFound:
        abort(404)
    if not (may_see(document.bid.project, current_user)
            and may_see_bid_document(document, current_user, current_time())):
        abort(404)
    path = documents.path_of(document)
    if not path.is_file():
        current_app.logger.error("bid document %s: %s is missing from storage", document.id, path)
        abort(404)
    return send_stored(path, content_type=document.content_type, name=document.original_name,
                       sha256=document.sha256)
