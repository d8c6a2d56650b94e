"""Demo data: organizations of every role, stations, and projects in every state.

Every project is walked to its state through the real services with back-dated times, so the
demo's audit trails, commitments and awards are what the product itself would have written.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app

from marketplace.clock import utcnow
from marketplace.extensions import db
from marketplace.lifecycle import DEFAULT_STANDSTILL_DAYS, State
from marketplace.models import (
    Account,
    Organization,
    OrgStatus,
    Project,
    Role,
    ServiceType,
    Station,
)
from marketplace.models.stations import StationStatus
from marketplace.services.core.moves import move
from marketplace.services.core.unit import atomic
from marketplace.services.evaluation import evaluation_awards, evaluations, panels
from marketplace.services.evaluation.inspections import record_inspection
from marketplace.services.finance import ledger
from marketplace.services.implementation import delivery
from marketplace.services.implementation.evidence import Upload
from marketplace.services.implementation.volunteers import add_volunteer, record_hours
from marketplace.services.packaging import naming
from marketplace.services.packaging.bundles import BundleDraft, ItemLine, create_bundle
from marketplace.services.packaging.stations import StationDraft, register_station
from marketplace.services.subscription import funding, matching
from marketplace.services.tendering import enquiries, tender

DEMO_PASSWORD = "demo1234"
OPENING_HOURS = "周一至周六 8:30–17:30"
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# (e-mail, person, organization, role, county)
ACCOUNTS = [
    ("admin@demo.cn", "王局长", "温州市民政局", Role.ADMIN, "鹿城区"),
    ("community@demo.cn", "陈主任", "五马街道五马社区", Role.COMMUNITY, "鹿城区"),
    ("community2@demo.cn", "林主任", "瑞安市安阳街道万松社区", Role.COMMUNITY, "瑞安市"),
    ("enterprise@demo.cn", "李经理", "温州正泰爱心企业有限公司", Role.ENTERPRISE, "乐清市"),
    ("enterprise2@demo.cn", "周经理", "瓯海眼镜行业协会会员企业", Role.ENTERPRISE, "瓯海区"),
    ("ngo@demo.cn", "张社工", "温州市鹿城区彩虹社工服务中心", Role.SOCIAL_ORG, "鹿城区"),
    ("ngo2@demo.cn", "赵社工", "瑞安市阳光公益服务社", Role.SOCIAL_ORG, "瑞安市"),
    ("evaluator@demo.cn", "刘教授", "温州大学社会评估中心", Role.EVALUATOR, "鹿城区"),
    ("evaluator2@demo.cn", "吴老师", "浙南公益评估所", Role.EVALUATOR, "瓯海区"),
    ("evaluator3@demo.cn", "徐老师", "温州医科大学公共卫生评估组", Role.EVALUATOR, "鹿城区"),
]
CREDIT_CODES = {  # valid 统一社会信用代码 (GB 32100-2015 check characters)
    "enterprise@demo.cn": "91330300MA2861X9X5",
    "enterprise2@demo.cn": "91330304MA2CP4YH1R",
    "ngo@demo.cn": "52330302MJ8936225D",
    "ngo2@demo.cn": "52330381MJ89A1B061",
}

# (target state, title, days before today the project was created)
PROJECTS = [
    (State.PACKAGING, "独居老人冬季暖心包", 0),
    (State.PUBLICATION, "空巢老人上门探访计划", 1),
    (State.SUBSCRIPTION, "助餐进社区：老人午餐补贴", 5),
    (State.TENDERING, "残疾人居家康复服务包", 20),
    (State.IMPLEMENTATION, "低保户子女课业辅导", 45),
    (State.EVALUATION, "五保户节日关怀活动", 60),
    (State.COMPLETED, "困难户法律援助驿站", 90),
    (State.UNFUNDED, "老年人防诈骗宣讲", 20),
    (State.CANCELLED, "社区义剪进家门", 10),
    (State.TERMINATED, "空巢老人心理疏导", 120),
]


def _accounts(now: datetime) -> dict[str, Account]:
    accounts = {}
    for email, person, org_name, role, county in ACCOUNTS:
        organization = Organization(name=org_name, role=role, status=OrgStatus.APPROVED,
                                    county=county, contact_name=person,
                                    credit_code=CREDIT_CODES.get(email), created_at=now)
        account = Account(email=email, name=person, organization=organization, created_at=now)
        account.set_password(DEMO_PASSWORD)
        db.session.add(account)
        accounts[email] = account
    return accounts


def _stations(accounts: dict[str, Account], now: datetime) -> list[Station]:
    rows = [
        ("五马社区爱心驿站", "community@demo.cn", "鹿城区", "五马街道", "解放街 88 号一楼", 45,
         "52330302MJ8936226G"),
        ("万松社区爱心驿站", "community2@demo.cn", "瑞安市", "安阳街道", "万松路 12 号一楼", 36,
         "52330381MJ89A1B074"),
    ]
    stations = [
        Station(name=name, community=accounts[email].organization, county=county, town=town,
                address=address, floor=1, area_m2=Decimal(area),
                status=StationStatus.APPROVED, created_at=now, registration_number=code,
                director=accounts[email].name, opening_hours=OPENING_HOURS, social_workers=2,
                decided_at=now, decided_by=accounts["admin@demo.cn"])
        for name, email, county, town, address, area, code in rows
    ]
    db.session.add_all(stations)
    return stations


def _pending_station(accounts: dict[str, Account], now: datetime) -> Station:
    """A small station waiting for the administrator: at 28 m² it needs a waiver."""
    community = accounts["community2@demo.cn"]
    draft = StationDraft(name="飞云社区爱心驿站", county="瑞安市", town="飞云街道",
                         address="飞云路 5 号一楼", floor=1, area_m2=28,
                         registration_number="52330328MJ00000122", director=community.name,
                         opening_hours=OPENING_HOURS, social_workers=1)
    return register_station(draft, actor=community, now=now)


def bundle_draft(title: str, start: datetime, services: list[ServiceType]) -> BundleDraft:
    """A realistic bundle of the given services, with windows timed from ``start``."""
    items = tuple(ItemLine(s.code, quantity=40 + 20 * n, unit_cost_fen=s.typical_unit_cost_fen)
                  for n, s in enumerate(services))
    budget = sum(i.quantity * i.unit_cost_fen for i in items)
    return BundleDraft(
        title=title, items=items, funding_target_fen=budget,
        funding_minimum_fen=budget * 6 // 10, subscription_opens_at=start + 2 * DAY,
        subscription_closes_at=start + 16 * DAY, tender_closes_at=start + 30 * DAY,
        group_codes=tuple(g.code for g in services[0].groups[:2]), people_served=0,
        summary=f"{title}：由社区社工调研居民需求后打包设计。",
    )


@dataclass(frozen=True)
class Cast:
    """The accounts that play each part when a project is walked through its life."""

    community: Account
    admin: Account
    enterprises: tuple[Account, Account]
    ngos: tuple[Account, Account]
    evaluators: tuple[Account, ...]


class Walk:
    """Moves one project along the happy path (or a failure exit) until its target state.

    Times are offsets from ``start`` (the project's creation): subscription opens after 2 days,
    closes after 16, the tender closes after 30; see ``bundle_draft``.
    """

    def __init__(self, cast: Cast, project_id: int, start: datetime,
                 evidence: Sequence[Upload] = ()) -> None:
        """``evidence``: files the organization attaches to each progress report."""
        self.cast, self.id, self.start = cast, project_id, start
        self.evidence = tuple(evidence)

    def project(self) -> Project:
        return db.session.get(Project, self.id)

    def to(self, target: State) -> None:
        c, pid, t = self.cast, self.id, self.start
        move(pid, "submit", actor=c.community, now=t + HOUR)
        if target is State.PACKAGING:
            return  # waiting for the administrator's review
        if target is State.CANCELLED:
            move(pid, "publish", actor=c.admin, now=t + 2 * HOUR)
            move(pid, "cancel", actor=c.community, now=t + 3 * HOUR,
                 reason="理发志愿者已由街道统一安排，项目不再需要。")
            return
        move(pid, "publish", actor=c.admin, now=t + 2 * HOUR)
        if target is State.PUBLICATION:
            return
        move(pid, "open_subscription", actor="scheduler", now=t + 2 * DAY)
        target_fen = self.project().funding_target_fen
        first = target_fen // 3 if target is not State.UNFUNDED else target_fen // 5
        funding.subscribe(pid, first, actor=c.enterprises[0], now=t + 3 * DAY)
        if target is State.SUBSCRIPTION:
            return
        if target is State.UNFUNDED:
            move(pid, "fail_funding", actor="scheduler", now=t + 16 * DAY)
            return
        # what remains, not target - first: an open match offer may have matched the first
        funding.subscribe(pid, self.project().remaining_fen, actor=c.enterprises[1],
                          now=t + 4 * DAY)
        self._bids(t + 10 * DAY, target_fen)
        if target is State.TENDERING:
            return
        award_at = t + 31 * DAY
        winner = self.project().bids[0].id
        move(pid, "award", actor=c.community, now=award_at, bid_id=winner)
        # the standstill passes with no complaint, and the clock starts the contract
        standstill = timedelta(days=current_app.config.get("STANDSTILL_DAYS",
                                                           DEFAULT_STANDSTILL_DAYS))
        move(pid, "start_contract", actor="scheduler", now=award_at + standstill)
        self._deliver(award_at + standstill, upto=1 if target is State.IMPLEMENTATION else None)
        if target is State.IMPLEMENTATION:
            return
        move(pid, "submit_for_evaluation", actor=c.community, now=award_at + 12 * DAY)
        panels.assign_panel(pid, [e.id for e in c.evaluators], actor=c.admin,
                            now=award_at + 12 * DAY + HOUR)
        if target is State.EVALUATION:
            return
        passing = target is State.COMPLETED
        self._evaluate(award_at + 14 * DAY, share=Decimal("0.86") if passing else Decimal("0.4"))
        if passing:
            move(pid, "close_out", actor=c.evaluators[0], now=award_at + 15 * DAY)
            return
        move(pid, "return_for_rectification", actor=c.evaluators[0],
             now=award_at + 15 * DAY, reason="服务记录不全，受益人回访满意度低。")
        self._deliver(award_at + 15 * DAY)
        move(pid, "submit_for_evaluation", actor=c.community, now=award_at + 27 * DAY)
        self._evaluate(award_at + 28 * DAY, share=Decimal("0.45"))
        move(pid, "terminate", actor=c.evaluators[0], now=award_at + 29 * DAY,
             reason="整改后仍未达到合格分。")

    def _bids(self, at: datetime, budget_fen: int) -> None:
        plan = [
            {"title": "前期走访与服务对象建档", "due": (at + 40 * DAY).date().isoformat(),
             "share_pct": 40},
            {"title": "服务全面实施与总结", "due": (at + 80 * DAY).date().isoformat(),
             "share_pct": 60},
        ]
        tender.submit_bid(self.id, actor=self.cast.ngos[0], price_fen=budget_fen * 95 // 100,
                          delivery_plan="社工带义工，分两期入户服务并建立服务档案。",
                          team="社工 2 名，义工 12 名", milestone_plan=plan, now=at)
        tender.submit_bid(self.id, actor=self.cast.ngos[1], price_fen=budget_fen * 98 // 100,
                          delivery_plan="以志愿者团队为主，集中活动与入户相结合。",
                          team="社工 1 名，义工 20 名", milestone_plan=plan, now=at + HOUR)

    def _deliver(self, since: datetime, upto: int | None = None) -> None:
        """Report and accept the pending milestones: the first five days after ``since``,
        accepted the next day; each next one an hour after the one before was accepted.

        All of them are accepted within a week of ``since``, before the community submits the
        work for evaluation (``to``: the award plus 12 days, the contract plus 7): the
        evaluation's guard wants every milestone accepted, and the trail must say so in time
        order too."""
        pending = [m for m in self.project().milestones if m.status.value != "accepted"]
        reported, accepted = since + 5 * DAY, since + 6 * DAY
        for milestone in pending[:upto] if upto else pending:
            delivery.report_progress(self.id, milestone.id, actor=self.cast.ngos[0],
                                     body=f"{milestone.title}：已完成，附服务签到表与照片。",
                                     people_served=30, evidence=self.evidence, now=reported)
            delivery.review_milestone(self.id, milestone.id, actor=self.cast.community,
                                      accept=True, comment="", now=accepted)
            reported, accepted = accepted + HOUR, accepted + 2 * HOUR

    def _evaluate(self, at: datetime, share: Decimal) -> None:
        indicators = self.project().indicator_set.indicators
        for evaluator in self.cast.evaluators:
            evaluations.evaluate(
                self.id, actor=evaluator, no_conflict=True, now=at,
                scores={i.code: (i.max_score * share).quantize(Decimal("1")) for i in indicators},
                comments="按指标逐项核查服务档案并电话回访受益人。",
            )


def _enquiry(project_id: int, asker: Account, community: Account, start: datetime) -> None:
    """A question in the tender's enquiry period and the community's public answer."""
    question = enquiries.ask_question(project_id, "康复器材由驿站提供，还是需要投标方自备？",
                                      actor=asker, now=start + 12 * DAY)
    enquiries.answer_question(project_id, question.id,
                              "轮椅、助行器等大件由驿站提供；耗材请在报价中列明。",
                              actor=community, now=start + 13 * DAY)


def sign_in_sheet() -> Upload:
    """A small real PNG (a green-and-white grid) standing for a photographed sign-in sheet, so
    the evidence service's byte sniffing sees what an upload would bring."""
    size = 16
    rows = b"".join(
        b"\x00" + b"".join(b"\x2e\x8b\x57" if (x // 4 + y // 4) % 2 else b"\xff\xff\xff"
                           for x in range(size))
        for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return Upload("服务签到表.png", png)


def _fund_and_sponsors(accounts: dict[str, Account], walked: dict[State, int],
                       stations: list[Station], now: datetime) -> None:
    """What the money pages show beyond the walks: the year's allocations paid into the fund,
    its open match offer, two competing naming applications for the community to choose from,
    an evaluation award."""
    admin = accounts["admin@demo.cn"]
    with atomic():  # the year's allocations, before the fund matches or awards anything
        for source, yuan, reason in (
                ("fund:source:fiscal", 500_000, "2026 年度市、县（市、区）财政专项资金"),
                ("fund:source:lottery", 100_000, "2026 年度福利彩票公益金"),
                ("fund:source:charity_federation", 50_000, "2026 年度慈善总会年度预算")):
            ledger.receive(source, yuan * 100, reason, now=now - 30 * DAY)
    matching.open_offer(matching.OfferDraft(
        name="2026 年度市级公益创投配捐", ratio_pct=50, cap_per_subscription_fen=2_000_000,
        cap_per_project_fen=5_000_000, budget_fen=50_000_000, opens_at=now - DAY,
        closes_at=now + 90 * DAY), actor=admin, now=now - DAY)
    station = stations[0]
    for email, name, yuan, days in (("enterprise@demo.cn", "正泰爱心驿站", 120_000, 4),
                                    ("enterprise2@demo.cn", "瓯海眼镜爱心驿站", 100_000, 2)):
        naming.apply_for_naming(station.id, name, yuan * 100, actor=accounts[email],
                                now=now - days * DAY)
    evaluation_awards.grant_award(walked[State.COMPLETED], 500_000,
                                  "服务档案完整，受益人回访满意度高，义工队伍可持续。",
                                  actor=admin, now=now - DAY)


def _oversight(accounts: dict[str, Account], walked: dict[State, int], pending: Station,
               now: datetime) -> None:
    """Inspections of each phase and volunteers' hours, so the oversight pages have content."""
    admin, evaluator = accounts["admin@demo.cn"], accounts["evaluator@demo.cn"]
    record_inspection("site", actor=admin, station_id=pending.id, rating="pass",
                      inspected_on=(now - 2 * DAY).date(), now=now - 2 * DAY,
                      findings="一楼临街，出入无台阶；使用面积 28 平方米，略低于 30 平方米标准。",
                      follow_up="建议与街道共用活动室，开展集中活动时借用。")
    record_inspection("midterm", actor=evaluator, project_id=walked[State.IMPLEMENTATION],
                      rating="good", inspected_on=(now - DAY).date(), now=now - DAY,
                      findings="首期走访建档已完成，服务签到表与照片齐全。")
    record_inspection("effect", actor=admin, project_id=walked[State.COMPLETED],
                      rating="excellent", inspected_on=(now - DAY).date(), now=now - DAY,
                      findings="受益人回访满意度高，义工队伍已能独立开展服务。")
    project = db.session.get(Project, walked[State.IMPLEMENTATION])
    community = next(a for a in accounts.values()
                     if a.organization_id == project.station.community_id)
    for name, minutes in (("李阿姨", 150), ("王同学", 90)):
        volunteer = add_volunteer(project.station_id, actor=community, name=name, now=now)
        record_hours(volunteer.id, actor=community, served_on=(now - DAY).date(),
                     minutes=minutes, project_id=project.id, now=now)


def seed(now: datetime | None = None) -> str:
    """Create the demo world; returns a one-line summary."""
    now = now or utcnow()
    accounts = _accounts(now - 200 * DAY)
    stations = _stations(accounts, now - 200 * DAY)
    db.session.commit()
    pending = _pending_station(accounts, now - 3 * DAY)
    cast = Cast(
        community=accounts["community@demo.cn"], admin=accounts["admin@demo.cn"],
        enterprises=(accounts["enterprise@demo.cn"], accounts["enterprise2@demo.cn"]),
        ngos=(accounts["ngo@demo.cn"], accounts["ngo2@demo.cn"]),
        evaluators=tuple(accounts[f"evaluator{n}@demo.cn"] for n in ("", "2", "3")),
    )
    areas = db.session.execute(
        db.select(ServiceType).order_by(ServiceType.area_code, ServiceType.code)
    ).scalars().all()
    by_area: dict[str, list[ServiceType]] = {}
    for service in areas:
        by_area.setdefault(service.area_code, []).append(service)
    area_lists = list(by_area.values())
    walked: dict[State, int] = {}
    for n, (target, title, days_ago) in enumerate(PROJECTS):
        start = now - days_ago * DAY
        station = stations[n % len(stations)]
        community = accounts["community@demo.cn" if n % 2 == 0 else "community2@demo.cn"]
        services = area_lists[n % len(area_lists)][n % 3:n % 3 + 2]
        project = create_bundle(station.id, bundle_draft(title, start, services),
                                actor=community, now=start)
        evidence = (sign_in_sheet(),) if target is State.IMPLEMENTATION else ()
        Walk(replace(cast, community=community), project.id, start, evidence).to(target)
        if target is State.TENDERING:
            _enquiry(project.id, cast.ngos[1], community, start)
        walked[target] = project.id
    _oversight(accounts, walked, pending, now)
    _fund_and_sponsors(accounts, walked, stations, now)
    return (f"Seeded {len(accounts)} accounts, {len(stations) + 1} stations, "
            f"{len(PROJECTS)} projects.")
