"""Public pages: anyone may see the published projects and where each one stands."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project, Station

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    projects = db.session.execute(
        db.select(Project)
        .options(selectinload(Project.station).selectinload(Station.community),
                 selectinload(Project.station).selectinload(Station.active_naming))
        .order_by(Project.created_at.desc(), Project.id.desc())
    ).scalars().all()
    return render_template("public/index.html", projects=projects, states=list(State))
