"""The caller itself: its account, organization, stations and panel seats; its inbox."""

from __future__ import annotations

from flask import request, url_for
from flask.typing import ResponseReturnValue

from marketplace.extensions import db
from marketplace.models import Notification, PanelAssignment, Project, Station
from marketplace.services.record import notifications
from marketplace.web.api import bp
from marketplace.web.api.common import (
    MAX_PER_PAGE,
    PER_PAGE,
    iso,
    now,
    query_int,
    signed_in,
)
from marketplace.web.public.home import MAX_PAGE


@bp.get("/me")
def me() -> ResponseReturnValue:
    """Who the token is: what a funder's (or any) system needs before it acts."""
    account = signed_in()
    organization = account.organization
    stations = db.session.execute(
        db.select(Station).where(Station.community_id == organization.id)
        .order_by(Station.id)).scalars()
    seats = db.session.execute(
        db.select(PanelAssignment, Project.title)
        .join(Project, Project.id == PanelAssignment.project_id)
        .where(PanelAssignment.evaluator_id == account.id)
        .order_by(PanelAssignment.id)).all()
    return {
        "account": {"id": account.id, "email": account.email, "name": account.name,
                    "role": account.role.value},
        "organization": {"id": organization.id, "name": organization.name,
                         "role": organization.role.value, "status": organization.status.value,
                         "county": organization.county},
        "stations": [{"id": s.id, "name": s.name, "county": s.county, "town": s.town,
                      "status": s.status.value} for s in stations],
        "panels": [{"project_id": seat.project_id, "title": title,
                    "role": "recused" if seat.recused_at else "member",
                    "assigned_at": iso(seat.assigned_at)} for seat, title in seats],
    }


def _message(row: Notification) -> dict[str, object]:
    return {"id": row.id, "kind": row.kind,
            "text": {lang: notifications.render(row.kind, row.params, lang)
                     for lang in ("zh", "en")},
            "project_id": row.project_id,
            "link": url_for("pages.project", project_id=row.project_id)
            if row.project_id else None,
            "created_at": iso(row.created_at), "read_at": iso(row.read_at)}


@bp.get("/notifications")
def list_notifications() -> ResponseReturnValue:
    """The caller's inbox, newest first; ``?unread=true`` for the unread ones only."""
    account = signed_in()
    page = query_int("page", 1, 1, MAX_PAGE)
    per_page = query_int("per_page", PER_PAGE, 1, MAX_PER_PAGE)
    unread_only = request.args.get("unread", "").lower() in {"1", "true", "yes"}
    rows, total, unread = notifications.inbox_page(account, unread_only=unread_only,
                                                   page=page, per_page=per_page)
    return {"notifications": [_message(row) for row in rows], "unread": unread,
            "page": page, "per_page": per_page, "total": total}


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int) -> ResponseReturnValue:
    account = signed_in()
    notifications.mark_read(account, notification_id, now=now())
    return _message(db.session.get(Notification, notification_id))


@bp.post("/notifications/read")
def read_all_notifications() -> ResponseReturnValue:
    account = signed_in()
    return {"marked": notifications.mark_read(account, None, now=now())}
