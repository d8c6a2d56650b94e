"""The administrator records the fund's income: money paid into one of its sources from
outside (a fiscal allocation, the welfare lottery's grant, a charity federation's budget).

The page shows what will happen before it is done (the amount, the source, what the fund
will then hold) and posts it on confirmation; ``/fund`` then shows it as that source's income.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from marketplace.models import Role
from marketplace.services.finance import consequences
from marketplace.services.finance.fund import fund_figures
from marketplace.services.finance.income import record_income
from marketplace.services.finance.ledger import FUND_SOURCES
from marketplace.web.forms import FundIncomeForm
from marketplace.web.infra.labels import fund_account_name
from marketplace.web.pages import attempt, current_time, to_fen
from marketplace.web.roles.auth import role_required

bp = Blueprint("fund", __name__, url_prefix="/admin/fund")


@bp.route("/income", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def income() -> str | Response | tuple[str, int]:
    form = FundIncomeForm()
    form.source.choices = [SelectChoice(code, fund_account_name(code)) for code in FUND_SOURCES]
    figures = fund_figures()

    def page(status: int = 200, **extra: object) -> tuple[str, int]:
        return render_template("admin/fund_income.html", form=form, figures=figures,
                               **extra), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    amount_fen = to_fen(form.amount.data)
    if amount_fen is None or amount_fen <= 0:
        form.amount.errors.append(_("Give an amount above zero."))
        return page(400)
    if form.confirmed.data != "yes":
        return page(amount_fen=amount_fen, consequences=consequences.receiving(
            fund_account_name(form.source.data), amount_fen, figures.held_fen))
    if attempt(form, lambda: record_income(form.source.data, amount_fen, form.reason.data,
                                           actor=current_user, now=current_time())):
        flash(_("The income is recorded in the fund."))
        return redirect(url_for("transparency.fund"))
    return page(400)
