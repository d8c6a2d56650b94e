"""All models, imported once so Alembic and the app see the whole schema."""

from marketplace.models.accounts import Account, Organization, OrgStatus, PasswordReset, Role
from marketplace.models.audit import AuditEvent
from marketplace.models.catalog import (
    BeneficiaryGroup,
    Indicator,
    IndicatorSet,
    ServiceArea,
    ServiceType,
)
from marketplace.models.complaints import Complaint, ComplaintStatus
from marketplace.models.county_reports import CountyReport, ReportSchedule
from marketplace.models.delivery import Milestone, MilestoneStatus, ProgressReport
from marketplace.models.enquiries import Question
from marketplace.models.evaluation import Evaluation, IndicatorScore
from marketplace.models.evaluation_awards import EvaluationAward
from marketplace.models.evidence import Evidence
from marketplace.models.funding import Commitment, Subscription
from marketplace.models.idempotency import IdempotencyKey
from marketplace.models.inspections import Inspection, InspectionPhase, InspectionRating
from marketplace.models.ledger import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)
from marketplace.models.matching import Match, MatchOffer
from marketplace.models.naming import NamingRight, NamingStatus
from marketplace.models.notifications import Notification, OutboxMail
from marketplace.models.panels import PanelAssignment
from marketplace.models.projects import BundleItem, Project, Review
from marketplace.models.stations import Station, StationStatus
from marketplace.models.tender import Award, Bid, BidDocument, BidStatus
from marketplace.models.throttle import LoginFailure
from marketplace.models.tokens import ApiToken
from marketplace.models.volunteers import Volunteer, VolunteerHours

__all__ = [
    "Account",
    "AccountKind",
    "ApiToken",
    "AuditEvent",
    "Award",
    "BeneficiaryGroup",
    "Bid",
    "BidDocument",
    "BidStatus",
    "BundleItem",
    "Commitment",
    "CountyReport",
    "Complaint",
    "ComplaintStatus",
    "Evaluation",
    "Evidence",
    "IdempotencyKey",
    "EvaluationAward",
    "Indicator",
    "IndicatorScore",
    "IndicatorSet",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "LoginFailure",
    "Inspection",
    "InspectionPhase",
    "InspectionRating",
    "Match",
    "MatchOffer",
    "Milestone",
    "MilestoneStatus",
    "NamingRight",
    "NamingStatus",
    "Notification",
    "OrgStatus",
    "Organization",
    "PasswordReset",
    "OutboxMail",
    "PanelAssignment",
    "ProgressReport",
    "Question",
    "Project",
    "ReportSchedule",
    "Review",
    "Role",
    "ServiceArea",
    "ServiceType",
    "Station",
    "StationStatus",
    "Subscription",
    "Volunteer",
    "VolunteerHours",
]
