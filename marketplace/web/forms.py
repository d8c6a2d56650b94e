"""Forms for the pages: Flask-WTF gives each a CSRF token and keeps what was typed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms import IntegerField as WholeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.credit_code import problem
from marketplace.models import Role
from marketplace.models.projects import DEFAULT_PRICE_WEIGHT

SIGN_UP_ROLES = [
    SelectChoice(Role.COMMUNITY.value, _l("Community")),
    SelectChoice(Role.ENTERPRISE.value, _l("Enterprise")),
    SelectChoice(Role.SOCIAL_ORG.value, _l("Social organization")),
]
NEEDS_CREDIT_CODE = {Role.ENTERPRISE.value, Role.SOCIAL_ORG.value}
# credit_code.problem() speaks English; these literals put its messages in the catalogs.
CREDIT_CODE_PROBLEMS = {
    "A unified social credit code has 18 characters.":
        _l("A unified social credit code has 18 characters."),
    "A unified social credit code uses digits and capital letters except I, O, S, V, Z.":
        _l("A unified social credit code uses digits and capital letters except I, O, S, V, Z."),
    "The check character (the 18th) does not match: please check the code.":
        _l("The check character (the 18th) does not match: please check the code."),
}

MAX_WHOLE = 2**31 - 1  # a PostgreSQL integer: every count and id on these forms is one
TOO_LARGE = _l("The number is too large.")


def too_large(text: str) -> bool:
    digits = text.strip().lstrip("+-")
    return digits.isdigit() and (len(digits) > len(str(MAX_WHOLE)) or int(digits) > MAX_WHOLE)


def whole(value: object) -> int:
    """``int()`` for the ids of choice fields (``coerce``), refusing what no column holds."""
    if too_large(str(value)):
        raise ValueError(TOO_LARGE)
    return int(str(value))


class IntegerField(WholeField):
    """A whole number an integer column holds. Past that it is the field's error before any
    validator runs: NumberRange compares through float, which raised on a 400-digit number."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and too_large(valuelist[0]):
            self.data = None
            raise ValueError(str(TOO_LARGE))
        super().process_formdata(valuelist)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class SignUpForm(FlaskForm):
    # asked first and with no default: the kind decides what the rest of the form needs
    role = SelectField(_l("Kind of organization"),
                       choices=[SelectChoice("", _l("Choose one…")), *SIGN_UP_ROLES],
                       validators=[DataRequired(_l("Choose the kind of organization."))])
    organization = StringField(_l("Organization name"),
                               validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"),
                              description=_l("18 characters; required for enterprises and "
                                             "social organizations."))
    contact = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Length(max=30)],
                        description=_l("A mobile number, or a landline with its area code."))
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254),
                                                 Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                                        message=_l("Not an e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", _l("The passwords differ."))])
    consent = BooleanField(_l("I have read the privacy policy and agree that my contact "
                              "details are kept to review and contact my organization."))

    def validate_credit_code(self, field: StringField) -> None:
        code = (field.data or "").strip().upper()
        field.data = code
        if not code:
            if self.role.data in NEEDS_CREDIT_CODE:
                raise ValidationError(_l("Enterprises and social organizations give their "
                                         "unified social credit code."))
            return
        error = problem(code)
        if error:
            raise ValidationError(CREDIT_CODE_PROBLEMS.get(error, error))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", _l("The passwords differ."))])


class ActionForm(FlaskForm):
    """A button that fires one move; the reason is required by the moves that need one."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class QuorumForm(FlaskForm):
    """The panel's quorum; left empty, every seated member must score."""

    quorum = IntegerField(_l("Quorum"), validators=[Optional()],
                          description=_l("Leave empty for every seated member."))


class SubscribeForm(FlaskForm):
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=[InputRequired()])
    confirmed = HiddenField()


class BidForm(FlaskForm):
    price = DecimalField(_l("Price (yuan)"), places=2, validators=[InputRequired()])
    delivery_plan = TextAreaField(_l("Delivery plan"), validators=[DataRequired(),
                                                                   Length(max=5000)])
    team = TextAreaField(_l("Team"), validators=[Optional(), Length(max=2000)])
    # checked by services.tendering.documents, as evidence files are
    documents = MultipleFileField(_l("Bid documents"),
                                  description=_l("Qualifications, a detailed plan, a budget "
                                                 "sheet: read only by the community, the "
                                                 "administrator and the panel, after the "
                                                 "tender closes."))


class ReportForm(FlaskForm):
    body = TextAreaField(_l("Progress"), validators=[DataRequired(), Length(max=5000)])
    people_served = IntegerField(_l("People served"), default=0,
                                 validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    # checked by services.implementation.evidence
    evidence = MultipleFileField(_l("Evidence files"))


class CoverForm(FlaskForm):
    cover = FileField(_l("Cover picture"), description=_l("A photo (JPG or PNG) of the "
                                                          "project or its station."))


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class QuestionForm(FlaskForm):
    body = TextAreaField(_l("Your question"), validators=[DataRequired(), Length(max=2000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])


MAX_ITEM_ROWS = 30  # service items one bundle form takes
MAX_MILESTONE_ROWS = 12  # steps of its milestone plan


class ItemForm(Form):
    """One line of a bundle: a catalog service, how many, at what unit cost."""

    service = SelectField(_l("Service"), choices=[], validate_choice=False)
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1,
                                                                               max=1_000_000)])
    unit_cost = DecimalField(_l("Unit cost (yuan)"), places=2, validators=[Optional()])


class MilestoneForm(Form):
    """One step of the bundle's milestone plan; the bundle service checks the plan."""

    title = StringField(_l("Milestone"), validators=[Optional(), Length(max=200)])
    due_on = DateField(_l("Due on"), validators=[Optional()])
    share_pct = IntegerField(_l("Share of the award paid (%)"),
                             validators=[Optional(), NumberRange(min=0, max=100)])


class BundleForm(FlaskForm):
    station = SelectField(_l("Station"), coerce=whole, choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    groups = SelectMultipleField(_l("Beneficiary groups"), choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    # rows are added and removed by the form's own buttons, the page drawn again by the server
    items = FieldList(FormField(ItemForm), min_entries=1, max_entries=MAX_ITEM_ROWS)
    milestones = FieldList(FormField(MilestoneForm), min_entries=1,
                           max_entries=MAX_MILESTONE_ROWS)
    target = DecimalField(_l("Funding target (yuan)"), places=2, validators=[InputRequired()])
    minimum = DecimalField(_l("Funding minimum (yuan)"), places=2, validators=[InputRequired()])
    subscription_opens_at = DateField(_l("Subscription opens"), validators=[InputRequired()])
    subscription_closes_at = DateField(_l("Subscription closes"), validators=[InputRequired()])
    enquiry_closes_at = DateField(_l("Questions close (empty: first third of the tender)"),
                                  validators=[Optional()])
    tender_closes_at = DateField(_l("Tender closes"), validators=[InputRequired()])
    # the award criteria, published with the tender: checked by services.packaging.bundles
    # left empty: the other weight's rest (both empty: the default 30/70)
    price_weight = IntegerField(_l("Price weight (%)"), default=DEFAULT_PRICE_WEIGHT,
                                validators=[Optional()],
                                description=_l("Bids are scored out of 100: the lowest price "
                                               "gets the whole price weight."))
    quality_weight = IntegerField(_l("Quality weight (%)"),
                                  default=100 - DEFAULT_PRICE_WEIGHT,
                                  validators=[Optional()],
                                  description=_l("Scored from the bidder's record: the panel "
                                                 "scores of the projects it delivered."))


class AwardForm(FlaskForm):
    bid = IntegerField(validators=[InputRequired()])


class StationForm(FlaskForm):
    """A community registers its station; the policy's premises rules come from the service."""

    name = StringField(_l("Station name"), validators=[DataRequired(), Length(max=200)])
    county = StringField(_l("County or district"), validators=[DataRequired(), Length(max=40)])
    town = StringField(_l("Town or street"), validators=[DataRequired(), Length(max=60)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    floor = IntegerField(_l("Floor"), default=1, validators=[InputRequired()],
                         description=_l("A Love Station is on the ground floor (floor 1)."))
    area_m2 = DecimalField(_l("Area (m²)"), places=2, validators=[InputRequired()],
                           description=_l("At least 30 m²; smaller premises wait for an "
                                          "administrator's waiver."))
    registration_number = StringField(
        _l("Registration number (private non-enterprise unit, 民办非企业单位)"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("The unit's 18-character unified social credit code, starting with 52."))
    director = StringField(_l("Director"), validators=[DataRequired(), Length(max=100)])
    opening_hours = StringField(_l("Opening hours"), validators=[DataRequired(), Length(max=200)])
    social_workers = IntegerField(_l("Social-worker posts"), default=1,
                                  validators=[InputRequired()])
    volunteers = TextAreaField(_l("Volunteers"), validators=[Optional(), Length(max=20000)],
                               description=_l("One name per line; they join the station's "
                                              "volunteer register."))


class StationDecisionForm(FlaskForm):
    """The administrator's decision: a waiver needs its reason, so does a rejection."""

    waiver_reason = TextAreaField(_l("Reason for the waiver (premises under 30 m²)"),
                                  validators=[Optional(), Length(max=2000)])
    reason = TextAreaField(_l("Reason for rejecting"), validators=[Optional(), Length(max=2000)])


class OrganizationDecisionForm(FlaskForm):
    """Approving a signed-up organization, or rejecting it with the reason."""

    reason = TextAreaField(_l("Reason for rejecting the organization"),
                           description=_l("Needed to reject; kept with the decision."),
                           validators=[Optional(), Length(max=2000)])


class InspectionForm(FlaskForm):
    """Field names follow ``inspections.record_inspection`` so its refusals land next to them."""

    phase = SelectField(_l("Phase"), choices=[
        SelectChoice("site", _l("Site inspection")),
        SelectChoice("midterm", _l("Mid-term inspection")),
        SelectChoice("effect", _l("Effect evaluation"))],
        description=_l("A site inspection is of a station still pending; the others are of "
                       "one of its projects."))
    project_id = SelectField(_l("Project"), choices=[], validate_choice=False,
                             description=_l("For a mid-term or effect inspection."))
    inspected_on = DateField(_l("Date of the inspection"), validators=[InputRequired()])
    rating = SelectField(_l("Rating"), choices=[
        SelectChoice("excellent", _l("Excellent")), SelectChoice("good", _l("Good")),
        SelectChoice("pass", _l("Pass")), SelectChoice("fail", _l("Fail"))])
    findings = TextAreaField(_l("Findings"), validators=[Length(max=10000)])
    follow_up = TextAreaField(_l("Follow-up"), validators=[Length(max=10000)],
                              description=_l("What must be done, by whom and by when; "
                                             "needed when the rating is a fail."))


class FundIncomeForm(FlaskForm):
    """Money paid into one of the fund's sources; shown back once for confirmation."""

    source = SelectField(_l("Fund source"), choices=[])
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=[InputRequired()])
    reason = TextAreaField(_l("Where it came from"),
                           description=_l("The budget line, grant letter or donor, as the "
                                          "fund's page will show it."),
                           validators=[DataRequired(), Length(max=2000)])
    confirmed = HiddenField()


class MoveCreditForm(FlaskForm):
    """Credit moved to a project in subscription; shown back once for confirmation."""

    project = SelectField(_l("Project"), coerce=whole, choices=[], validate_choice=False)
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=[InputRequired()])
    confirmed = HiddenField()


class WithdrawCreditForm(FlaskForm):
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    confirmed = HiddenField()


class EvaluationAwardForm(FlaskForm):
    amount = DecimalField(_l("Award (yuan)"), places=2, validators=[InputRequired()])
    citation = TextAreaField(_l("Citation"), validators=[Optional(), Length(max=2000)])


class MatchOfferForm(FlaskForm):
    """Field names follow ``matching.OfferDraft`` so the service's refusals land next to them."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    source_code = SelectField(_l("Fund source"), choices=[])
    ratio_pct = IntegerField(_l("Match ratio (%)"),
                             description=_l("Fen matched per 100 fen subscribed: 100 is "
                                            "one-to-one."),
                             validators=[InputRequired(), NumberRange(min=1, max=1000)])
    cap_per_subscription_fen = DecimalField(_l("Cap per subscription (yuan)"), places=2,
                                            validators=[InputRequired()])
    cap_per_project_fen = DecimalField(_l("Cap per project (yuan)"), places=2,
                                       validators=[InputRequired()])
    budget_fen = DecimalField(_l("Budget (yuan)"), places=2, validators=[InputRequired()])
    service_areas = SelectMultipleField(_l("Eligible service areas"), choices=[],
                                        description=_l("None chosen: every area."))
    counties = StringField(_l("Eligible counties"), validators=[Optional(), Length(max=500)],
                           description=_l("Separated by commas; empty for every county."))
    opens_at = DateField(_l("Opens"), validators=[InputRequired()])
    closes_at = DateField(_l("Closes"), validators=[InputRequired()])


class NamingForm(FlaskForm):
    station = SelectField(_l("Station"), coerce=whole, choices=[], validate_choice=False)
    name = StringField(_l("Name the station would carry"),
                       validators=[DataRequired(), Length(max=200)])
    donation = DecimalField(_l("Directed donation (yuan)"), places=2,
                            description=_l("At least 100,000 yuan, for one year."),
                            validators=[InputRequired()])
