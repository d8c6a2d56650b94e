"""The station registry's pages: a community registers its station, the administrator decides.

The policy's premises rules (ground floor, 30 m² or a reasoned waiver, registered as a private
non-enterprise unit) belong to ``services/stations.py``; these pages put its refusals next to
the field they concern.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.extensions import db
from marketplace.models import Role, Station
from marketplace.services.packaging.stations import (
    StationDraft,
    approve_station,
    last_site_inspection,
    register_station,
    reject_station,
    station_trail,
)
from marketplace.services.record.public_record import public_trail
from marketplace.web.forms import StationDecisionForm, StationForm
from marketplace.web.pages import attempt, current_time
from marketplace.web.roles.auth import role_required

bp = Blueprint("stations", __name__)


@bp.route("/community/stations/new", methods=["GET", "POST"])
@role_required(Role.COMMUNITY)
def register() -> str | Response | tuple[str, int]:
    form = StationForm()
    if request.method == "GET":
        form.county.data = form.county.data or current_user.organization.county
    if not form.validate_on_submit():
        return render_template("community/station.html", form=form), \
            400 if form.is_submitted() else 200
    draft = StationDraft(
        name=form.name.data, county=form.county.data, town=form.town.data,
        address=form.address.data, floor=form.floor.data, area_m2=form.area_m2.data,
        registration_number=form.registration_number.data, director=form.director.data,
        opening_hours=form.opening_hours.data, social_workers=form.social_workers.data,
        volunteers=tuple((form.volunteers.data or "").splitlines()))
    station = attempt(form, lambda: register_station(draft, actor=current_user,
                                                     now=current_time()))
    if station is None:
        return render_template("community/station.html", form=form), 400
    if station.needs_waiver:
        flash(_("Station registered. Its premises are under 30 m², so it waits for an "
                "administrator's waiver."))
    else:
        flash(_("Station registered. It waits for the administrator's approval."))
    return redirect(url_for("community.index"))


def _station(station_id: int) -> Station:
    station = db.session.get(Station, station_id) if station_id <= 2**31 - 1 else None
    if station is None:
        abort(404)
    return station


def _review(station: Station, form: StationDecisionForm | None = None,
            status: int = 200) -> tuple[str, int]:
    return render_template("admin/station.html", station=station,
                           form=form or StationDecisionForm(),
                           record=public_trail(station_trail(station.id)),
                           site=last_site_inspection(station)), status


@bp.get("/admin/stations/<int:station_id>")
@role_required(Role.ADMIN)
def review(station_id: int) -> tuple[str, int]:
    """Everything the community declared, the last site inspection, and the decision."""
    return _review(_station(station_id))


@bp.post("/admin/stations/<int:station_id>")
@role_required(Role.ADMIN)
def decide(station_id: int) -> Response | tuple[str, int]:
    station = _station(station_id)
    form = StationDecisionForm()
    if not form.validate_on_submit():
        return _review(station, form, 400)
    approve = request.form.get("decision") == "approve"

    def decision() -> Station:
        if approve:  # under 30 m² only with the waiver's reason
            return approve_station(station_id, actor=current_user, now=current_time(),
                                   waiver_reason=form.waiver_reason.data)
        return reject_station(station_id, actor=current_user, now=current_time(),
                              reason=form.reason.data or "")

    if attempt(form, decision) is None:  # a missing reason is the form's; the rest a conflict
        db.session.expire_all()
        return _review(_station(station_id), form, 400 if form.errors else 409)
    flash(_("Station approved.") if approve else _("Station rejected."))
    return redirect(url_for("admin.index"))
