"""Evidence files of milestone reports: upload (multipart/form-data), list, download."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from marketplace.models import Evidence
from marketplace.services.core.errors import Forbidden, NotFound
from marketplace.services.core.visibility import check_visible, evidence_public, may_see_evidence
from marketplace.services.identity.tokens import Unauthenticated
from marketplace.services.implementation import delivery
from marketplace.services.implementation import evidence as files
from marketplace.web.api import PREFIX, bp
from marketplace.web.api.common import caller, iso, now, project_or_404, signed_in
from marketplace.web.public.evidence import send, uploads_from


def _row(evidence: Evidence) -> dict[str, Any]:
    return {"id": evidence.id, "report_id": evidence.report_id,
            "milestone_id": evidence.report.milestone_id, "name": evidence.original_name,
            "content_type": evidence.content_type, "size_bytes": evidence.size_bytes,
            "sha256": evidence.sha256, "uploaded_at": iso(evidence.uploaded_at),
            "public": evidence_public(evidence),
            "download_url": f"{PREFIX}/evidence/{evidence.id}"}


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/evidence")
def upload(project_id: int, milestone_id: int) -> ResponseReturnValue:
    account = signed_in()
    check_visible(project_or_404(project_id), account)
    stored = delivery.add_evidence(project_id, milestone_id, actor=account, now=now(),
                                   evidence=uploads_from(request.files.getlist("file")))
    return {"evidence": [_row(e) for e in stored]}, 201


@bp.get("/projects/<int:project_id>/milestones/<int:milestone_id>/evidence")
def listing(project_id: int, milestone_id: int) -> ResponseReturnValue:
    """The milestone's files the caller may read (all of them once the milestone is accepted)."""
    account = caller()
    project = check_visible(project_or_404(project_id), account)
    if all(m.id != milestone_id for m in project.milestones):
        raise NotFound("No milestone %(id)s in this project.", id=milestone_id)
    rows = [e for report_files in files.by_report(project).values() for e in report_files
            if e.report.milestone_id == milestone_id and may_see_evidence(e, account)]
    return {"evidence": [_row(e) for e in rows]}


@bp.get("/evidence/<int:evidence_id>")
def download(evidence_id: int) -> ResponseReturnValue:
    account = caller()
    evidence = files.get(evidence_id)
    check_visible(evidence.report.project, account)
    if not may_see_evidence(evidence, account):
        if account is None:
            raise Unauthenticated("This file is not public yet: send a token.")
        raise Forbidden("You may not read this file.")
    return send(evidence)
