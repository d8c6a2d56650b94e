"""The audit chain's head, public: anyone can compare it with an anchor they were sent."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template

from marketplace.clock import utcnow
from marketplace.services.record.anchors import BadAnchorLog, check_anchors, head, latest_anchor

bp = Blueprint("record", __name__)


def _state() -> dict[str, Any]:
    """The head now, the latest anchor in the log and whether the record still agrees with it."""
    current = head(utcnow())
    try:
        anchored = latest_anchor(Path(current_app.config["AUDIT_ANCHOR_LOG"]))
    except BadAnchorLog:
        return {"head": current, "anchor": None, "problems": [], "damaged": True}
    problems = check_anchors([anchored]) if anchored else []
    return {"head": current, "anchor": anchored, "problems": problems, "damaged": False}


@bp.get("/audit/head")
def audit_head() -> str:
    return render_template("public/audit_head.html", **_state())


@bp.get("/audit/head.json")
def audit_head_json() -> Response:
    state = _state()
    return jsonify(head=asdict(state["head"]) if state["head"] else None,
                   anchor=asdict(state["anchor"]) if state["anchor"] else None,
                   anchor_holds=not state["problems"] and not state["damaged"]
                   if state["anchor"] else None,
                   problems=state["problems"], anchor_log_damaged=state["damaged"])
