"""Project covers over HTTP: the community's upload and the picture the public page shows.

An uploaded cover is sent inline (it is shown in an ``<img>``), with ``nosniff`` and a
sandboxing CSP like every uploaded file; a project without one is sent to the drawn picture of
its service area under ``static/covers/``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.models import Project, Role
from marketplace.services.core.visibility import is_own_community
from marketplace.services.packaging.covers import cover_path, drawn_area, set_cover
from marketplace.web.forms import CoverForm
from marketplace.web.pages import attempt, current_time, project_or_404
from marketplace.web.public.evidence import uploads_from
from marketplace.web.roles.auth import role_required

bp = Blueprint("covers", __name__)


def drawn_url(project: Project) -> str:
    return url_for("static", filename=f"covers/{drawn_area(project)}.svg")


def cover_url(project: Project) -> str:
    """The one place that says which picture a project shows: its community's upload, or the
    drawn picture of its main service area (the listing's cards and the project page)."""
    if project.cover_stored_name:
        return url_for("covers.cover", project_id=project.id)
    return drawn_url(project)


@bp.get("/projects/<int:project_id>/cover")
def cover(project_id: int) -> Response:
    """Whoever may see the project may see its cover."""
    project = project_or_404(project_id)
    path = cover_path(project)
    if path is None or not path.is_file():
        return redirect(drawn_url(project))
    response = send_file(path, mimetype=project.cover_content_type, conditional=True,
                         etag=project.cover_stored_name, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/community/projects/<int:project_id>/cover")
@role_required(Role.COMMUNITY)
def upload(project_id: int) -> Response:
    """The station's community replaces its project's cover; a refusal is said on its page."""
    project = project_or_404(project_id)
    if not is_own_community(current_user, project):
        abort(404)  # as the community's own project pages answer another's
    form = CoverForm()
    uploads = uploads_from(request.files.getlist(form.cover.name))
    if not form.validate_on_submit():
        abort(400)
    if not uploads:
        flash(_("Choose a photo to upload."), "error")
    elif attempt(None, lambda: set_cover(project.id, uploads[0], actor=current_user,
                                         now=current_time())):
        flash(_("The cover picture is saved."))
    return redirect(url_for("community.project", project_id=project.id))
