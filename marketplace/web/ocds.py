"""Open data: any project anyone may see, as an OCDS 1.1 release package, for anyone to download."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from marketplace.clock import utcnow
from marketplace.ocds import release_package
from marketplace.services.errors import ServiceError
from marketplace.services.visibility import check_visible
from marketplace.web.api import error
from marketplace.web.api.common import caller, project_or_404

bp = Blueprint("ocds", __name__, url_prefix="/api/v1")


@bp.get("/projects/<int:project_id>/ocds")
def project_ocds(project_id: int) -> ResponseReturnValue:
    """A bundle still in packaging is not published, so it has no release (404 like the API)."""
    try:
        project = check_visible(project_or_404(project_id), caller())
    except ServiceError as refused:  # this blueprint is not the API's: answer as it would
        return error(refused.status, refused.code, refused.message)
    return jsonify(release_package(project, uri=request.url, now=utcnow()))
