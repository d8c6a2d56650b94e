"""The station registry's pages: a community registers its station, the administrator decides,
keeps the register (every station, filtered) and records the inspections.

The policy's premises rules (ground floor, 30 m² or a reasoned waiver, registered as a private
non-enterprise unit) belong to ``services/stations.py``; these pages put its refusals next to
the field they concern.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from marketplace.clock import local_date
from marketplace.extensions import db
from marketplace.models import Role, Station, StationStatus
from marketplace.services.evaluation.inspections import (
    inspectable_projects,
    inspections_of_station,
    record_inspection,
)
from marketplace.services.packaging.stations import (
    StationDraft,
    approve_station,
    last_site_inspection,
    register_station,
    reject_station,
    station_counties,
    station_trail,
    stations,
)
from marketplace.services.record.public_record import public_trail
from marketplace.web.forms import InspectionForm, StationDecisionForm, StationForm
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


NAMING_FILTERS = {"named": True, "unnamed": False}


@bp.get("/admin/stations")
@role_required(Role.ADMIN)
def registry() -> str:
    """Every station: status, county, its sponsor's name and term; filtered by the query
    (``county``, ``status``, ``naming``; an unknown value filters nothing)."""
    status = request.args.get("status", "")
    county = request.args.get("county", "")
    naming = request.args.get("naming", "")
    counties = station_counties()
    chosen = {"status": status if status in set(StationStatus) else "",
              "county": county if county in counties else "",
              "naming": naming if naming in NAMING_FILTERS else ""}
    rows = stations(StationStatus(chosen["status"]) if chosen["status"] else None,
                    county=chosen["county"] or None, named=NAMING_FILTERS.get(chosen["naming"]))
    return render_template("admin/stations.html", stations=rows, counties=counties,
                           statuses=list(StationStatus), chosen=chosen)


def _inspection_form(station: Station, form: InspectionForm | None = None) -> InspectionForm:
    if form is None:
        form = InspectionForm(formdata=None, data={
            "inspected_on": local_date(current_time()),
            "phase": "site" if station.status is StationStatus.PENDING else "midterm"})
    form.project_id.choices = [SelectChoice("", "—"), *(
        SelectChoice(str(p.id), p.title) for p in inspectable_projects(station.id))]
    return form


def _review(station: Station, form: StationDecisionForm | None = None,
            status: int = 200, *, inspection_form: InspectionForm | None = None
            ) -> tuple[str, int]:
    return render_template("admin/station.html", station=station,
                           form=form or StationDecisionForm(),
                           record=public_trail(station_trail(station.id)),
                           site=last_site_inspection(station),
                           inspections=inspections_of_station(station.id),
                           inspection_form=_inspection_form(station, inspection_form)), status


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


@bp.post("/admin/stations/<int:station_id>/inspections")
@role_required(Role.ADMIN)
def inspect(station_id: int) -> Response | tuple[str, int]:
    """Record an inspection of the station (site) or of one of its projects (mid-term,
    effect); a refusal goes next to its field, nothing saved."""
    station = _station(station_id)
    form = _inspection_form(station, InspectionForm())
    if not form.validate_on_submit():
        return _review(station, status=400, inspection_form=form)
    chosen = form.project_id.data or ""
    project_id = int(chosen) if chosen.isdigit() and len(chosen) < 11 else None
    if chosen and project_id is None:
        form.project_id.errors.append(_("Choose one of the station's projects."))
        return _review(station, status=400, inspection_form=form)
    if attempt(form, lambda: record_inspection(
            form.phase.data, actor=current_user, inspected_on=form.inspected_on.data,
            findings=form.findings.data or "", rating=form.rating.data,
            follow_up=form.follow_up.data or "", station_id=station.id,
            project_id=project_id, now=current_time())):
        flash(_("Inspection recorded."))
        return redirect(url_for("stations.review", station_id=station.id))
    db.session.expire_all()
    status = 400 if any(f.errors for f in form) else 409
    return _review(_station(station_id), status=status, inspection_form=form)
