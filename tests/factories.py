"""Factories with overrides: the smallest valid world a test needs, made through the models."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from marketplace.demo import Cast, Walk, bundle_draft
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import (
    Account,
    Organization,
    OrgStatus,
    Project,
    Role,
    ServiceType,
    Station,
    StationStatus,
)
from marketplace.services.evaluation.evaluations import evaluate
from marketplace.services.packaging.bundles import create_bundle

_serial = count(1)
T0 = datetime(2026, 3, 1, 9, 0)  # creation time of factory projects; windows are timed from it
PASSWORD = "correct horse"


def gen_account(role: Role, **overrides: Any) -> Account:
    n = next(_serial)
    org = Organization(name=overrides.pop("org_name", f"{role.value} {n}"), role=role,
                       status=overrides.pop("status", OrgStatus.APPROVED), county="鹿城区")
    account = Account(email=overrides.pop("email", f"{role.value}{n}@example.org"),
                      name=f"Person {n}", organization=org, **overrides)
    account.set_password(PASSWORD)
    db.session.add(account)
    db.session.commit()
    return account


def gen_station(community: Account, **overrides: Any) -> Station:
    values: dict[str, Any] = dict(name="五马社区爱心驿站", county="鹿城区", town="五马街道",
                                  address="解放街 88 号", floor=1, area_m2=Decimal(40),
                                  status=StationStatus.APPROVED)
    values.update(overrides)
    station = Station(community=community.organization, **values)
    db.session.add(station)
    db.session.commit()
    return station


def gen_cast() -> Cast:
    return Cast(
        community=gen_account(Role.COMMUNITY),
        admin=gen_account(Role.ADMIN),
        enterprises=(gen_account(Role.ENTERPRISE), gen_account(Role.ENTERPRISE)),
        ngos=(gen_account(Role.SOCIAL_ORG), gen_account(Role.SOCIAL_ORG)),
        evaluators=tuple(gen_account(Role.EVALUATOR) for _ in range(3)),  # a full panel
    )


def services(n: int = 2) -> list[ServiceType]:
    return list(db.session.execute(
        db.select(ServiceType).order_by(ServiceType.code).limit(n)).scalars())


def gen_project(cast: Cast, state: State = State.PACKAGING, *, station: Station | None = None,
                start: datetime = T0) -> Project:
    """A project created at ``start`` and walked through the real services to ``state``."""
    station = station or gen_station(cast.community)
    project = create_bundle(station.id, bundle_draft("助餐服务包", start, services()),
                            actor=cast.community, now=start)
    if state is not State.PACKAGING:
        Walk(cast, project.id, start).to(state)
    db.session.expire_all()
    return db.session.get(Project, project.id)


def at(days: float) -> datetime:
    """A moment ``days`` after factory projects are created."""
    return T0 + timedelta(days=days)


def gen_sheets(project: Project, evaluators: list[Account], share: str = "0.9") -> None:
    """Each evaluator's sheet for the round, every indicator at ``share`` of its maximum."""
    for evaluator in evaluators:
        evaluate(project.id, actor=evaluator, no_conflict=True, now=at(60),
                 scores={i.code: i.max_score * Decimal(share)
                         for i in project.indicator_set.indicators})


def state_of(project_id: int) -> State:
    """The project's state as the database holds it now."""
    db.session.expire_all()
    return db.session.get(Project, project_id).state
