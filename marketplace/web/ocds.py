"""Open data: any project as an OCDS 1.1 release package, for anyone to download."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models import Project
from marketplace.ocds import release_package

bp = Blueprint("ocds", __name__, url_prefix="/api/v1")


@bp.get("/projects/<int:project_id>/ocds")
def project_ocds(project_id: int) -> Response | tuple[Response, int]:
    project = db.session.get(Project, project_id)
    if project is None:
        return jsonify(error="not_found", message=f"No project {project_id}."), 404
    return jsonify(release_package(project, uri=request.url, now=utcnow()))
