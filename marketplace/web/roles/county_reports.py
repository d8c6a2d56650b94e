"""Administrator pages for county progress reports: set each county's schedule, record reports."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from marketplace.clock import current_time, local_date
from marketplace.extensions import db
from marketplace.models import ReportSchedule, Role
from marketplace.services.reports.county_reports import (
    MAX_EVERY_DAYS,
    overdue_schedules,
    record_report,
    set_schedule,
)
from marketplace.web.forms import IntegerField
from marketplace.web.pages import attempt
from marketplace.web.roles.auth import role_required

bp = Blueprint("county_reports", __name__, url_prefix="/admin/county-reports")


class ScheduleForm(FlaskForm):
    county = StringField(_l("County"), validators=[DataRequired(), Length(max=40)])
    every_days = IntegerField(_l("Every (days)"), validators=[
        InputRequired(), NumberRange(min=1, max=MAX_EVERY_DAYS)])
    first_due_on = DateField(_l("Next report due on"), validators=[InputRequired()])


class ReportForm(FlaskForm):
    body = TextAreaField(_l("What the county reported"),
                         validators=[DataRequired(), Length(max=20000)])


def _page(schedule_form: ScheduleForm | None = None, status: int = 200) -> tuple[str, int]:
    now = current_time()
    schedules = db.session.execute(
        db.select(ReportSchedule).order_by(ReportSchedule.county)).scalars().all()
    return render_template(
        "admin/county_reports.html", schedules=schedules, today=local_date(now),
        overdue={s.id for s in overdue_schedules(now)},
        schedule_form=schedule_form or ScheduleForm(), report_form=ReportForm()), status


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> tuple[str, int]:
    return _page()


@bp.post("/")
@role_required(Role.ADMIN)
def schedule() -> Response | tuple[str, int]:
    form = ScheduleForm()
    if form.validate_on_submit() and attempt(form, lambda: set_schedule(
            form.county.data, form.every_days.data, form.first_due_on.data,
            actor=current_user, now=current_time())):
        flash(_("Schedule saved."))
        return redirect(url_for("county_reports.index"))
    return _page(form, 400)


@bp.post("/<int:schedule_id>/reports")
@role_required(Role.ADMIN)
def report(schedule_id: int) -> Response:
    form = ReportForm()
    if not form.validate_on_submit():
        flash(_("Write what the county reported."), "error")
    elif attempt(form, lambda: record_report(schedule_id, form.body.data, actor=current_user,
                                             now=current_time())):
        flash(_("Report recorded."))
    return redirect(url_for("county_reports.index"))
