"""The site around the pages: its navigation and footer, the policy, privacy and open-data pages,
and the link a refusal carries to the policy clause it rests on."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from marketplace.lifecycle import ENDS, State
from marketplace.ocds import LICENSE
from marketplace.policy import CLAUSES, DOCUMENT, STAGE_NOTES, clause

bp = Blueprint("site", __name__)
# The header's sections: (label, endpoint, endpoints that mark it current).
SECTIONS = (
    (lazy_pgettext("menu", "Projects"), "public.index", ("public.index", "pages.project")),
    (_l("Love Stations"), "public.stations", ("public.stations", "public.station")),
    (_l("Development fund"), "transparency.fund", ("transparency.fund",)),
    (_l("Open data"), "site.open_data", ("site.open_data", "record.audit_head")),
    (_l("Policy"), "site.policy", ("site.policy",)),
)
# The policy's six stages, then the ways a project ends, in the lifecycle's own order.
STAGES = tuple(state for state in State if state not in ENDS)
EXITS = tuple(state for state in State if state in ENDS)


def clause_link(clause_id: str) -> dict[str, str]:
    """What the API's JSON error says of the clause a refusal rests on (the page's flash
    links the same anchor, base.html)."""
    rule = clause(clause_id)
    return {"id": rule.id, "reference": rule.reference,
            "url": url_for("site.policy", _anchor=rule.id)}


def flash_clause(clause_id: str | None) -> None:
    """Under a refusal's message, the clause it rests on and a link to it (base.html)."""
    if clause_id:
        flash(clause_id, "clause")


@bp.get("/policy")
def policy() -> str:
    """The six stages and the rules, in plain words, each quoting its clause under its id."""
    return render_template("site/policy.html", clauses=CLAUSES, document=DOCUMENT,
                           stages=STAGES, exits=EXITS, notes=STAGE_NOTES)


@bp.get("/privacy")
def privacy() -> str:
    """What the platform keeps about people, what it shows, and whom to ask."""
    return render_template("site/privacy.html")


@bp.get("/open-data")
def open_data() -> str:
    """Every download the site offers, in one place: the ledger, OCDS, the audit head, the API."""
    return render_template("site/open_data.html", license=LICENSE)


def _site() -> dict[str, Any]:
    config = current_app.config
    current = request.endpoint or ""
    return {"site_sections": [(label, endpoint, current in marks)
                              for label, endpoint, marks in SECTIONS],
            "site_footer": {key: config.get(f"SITE_{key.upper()}", "")
                            for key in ("organiser", "contact", "icp", "psb")},
            "policy_clause": clause}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_site)
    from marketplace.web.public.covers import cover_url  # its blueprint uses the page helpers

    app.add_template_global(cover_url)
