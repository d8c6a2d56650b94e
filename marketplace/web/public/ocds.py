"""Open data: any project anyone may see, as OCDS 1.1 releases and records, and the whole feed.

A monitor harvests ``releases.jsonl?since=`` for what is new, or the monthly packages; each
release is built from the record as it was then, so harvesting again gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.models import Project
from marketplace.ocds import ledger_uri_for, package_meta, record_package, release_package, releases
from marketplace.services.core.errors import Invalid, ServiceError
from marketplace.services.core.visibility import check_visible, visible_clause
from marketplace.web.api import _ids_in_range, error
from marketplace.web.api.common import caller, project_or_404

bp = Blueprint("ocds", __name__, url_prefix="/api/v1")
bp.url_value_preprocessor(_ids_in_range)  # an id past the column's range is not found


def _visible(project_id: int) -> Project:
    """A bundle still in packaging is not published, so it has no release (404 like the API)."""
    return check_visible(project_or_404(project_id), caller())


@bp.errorhandler(ServiceError)
def _refused(refused: ServiceError) -> ResponseReturnValue:
    """This blueprint is not the API's: answer as it would."""
    extra = {"field": refused.field} if refused.field else {}
    return error(refused.status, refused.code, refused.message, **extra)


@bp.get("/projects/<int:project_id>/ocds")
def project_ocds(project_id: int) -> ResponseReturnValue:
    return jsonify(release_package(_visible(project_id), uri=request.url, now=utcnow()))


@bp.get("/projects/<int:project_id>/ocds/record")
def project_record(project_id: int) -> ResponseReturnValue:
    """All the project's releases, compiled into its current state and versioned field by field."""
    return jsonify(record_package(_visible(project_id), uri=request.url, now=utcnow()))


def _since() -> datetime | None:
    raw = request.args.get("since")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.removesuffix("Z"))
    except ValueError:
        raise Invalid("since must be an ISO 8601 date or date-time, e.g. 2026-10-01T00:00:00Z.",
                      field="since") from None


def _public_releases(uri: str, since: datetime | None) -> Iterator[dict]:
    """Every release of every project the public may see, by project then date."""
    projects = db.session.execute(db.select(Project).where(visible_clause(None))
                                  .order_by(Project.id)).scalars()
    cut = since.replace(microsecond=0).isoformat() + "Z" if since else None
    for project in projects:
        for release in releases(project, ledger_uri_for(uri)):
            if cut is None or release["date"] >= cut:
                yield release


@bp.get("/ocds/releases.jsonl")
def releases_jsonl() -> ResponseReturnValue:
    """Every public release, one JSON object a line; ``since`` keeps those dated from then on."""
    since = _since()
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
             for r in _public_releases(request.url, since)]
    return Response("".join(lines), mimetype="application/x-ndjson")


@bp.get("/ocds/releases/<int:year>-<int:month>.json")
def releases_of_month(year: int, month: int) -> ResponseReturnValue:
    """A release package of the public releases dated in one month (UTC)."""
    if not 1 <= month <= 12:
        raise Invalid("The month must be 01 to 12.", field="month")
    prefix = f"{year:04d}-{month:02d}"
    chosen = [r for r in _public_releases(request.url, _since())
              if r["date"].startswith(prefix)]
    return jsonify({**package_meta(request.url, utcnow()), "releases": chosen})
