"""Matchfunding: the fund matches eligible subscriptions within its caps and budget, and the
matched money shares the project's outcome with the subscription it matched."""

from __future__ import annotations

from dataclasses import replace

import pytest

from marketplace.lifecycle import State
from marketplace.models import Match, Project
from marketplace.services.core.errors import Forbidden, Invalid
from marketplace.services.core.moves import move
from marketplace.services.finance.ledger import balance, fund_account, transactions_of
from marketplace.services.finance.money import pro_rata
from marketplace.services.subscription import funding
from marketplace.services.subscription.matching import OfferDraft, open_offer
from tests.factories import at, gen_account, gen_cast, gen_project
from tests.services.finance.test_ledger import assert_sound, escrow, held, org

BIG = 10**12


def draft(**overrides) -> OfferDraft:
    base = OfferDraft(name="福彩配捐", ratio_pct=100, cap_per_subscription_fen=BIG,
                      cap_per_project_fen=BIG, budget_fen=BIG, opens_at=at(0),
                      closes_at=at(60), source_code="fund:source:lottery")
    return replace(base, **overrides)


def offer(cast, **overrides):
    return open_offer(draft(**overrides), actor=cast.admin, now=at(1))


def lottery() -> int:
    return balance(fund_account("fund:source:lottery"))


def subscribe(project: Project, enterprise, amount: int, day: float = 5):
    subscription = funding.subscribe(project.id, amount, actor=enterprise, now=at(day))
    return subscription, subscription.project


def matched(subscription) -> int:
    from marketplace.extensions import db

    found = db.session.execute(db.select(Match).where(
        Match.subscription_id == subscription.id)).scalar_one_or_none()
    return found.amount_fen if found else 0


def test_a_subscription_is_matched_at_the_ratio_and_counts_toward_the_target(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    before = project.committed_fen
    offer(cast, ratio_pct=50)
    subscription, project = subscribe(project, cast.enterprises[1], 1_000_00)
    assert matched(subscription) == 500_00
    assert project.committed_fen == before + 1_500_00 == held(project)
    assert lottery() == -500_00 and org(cast.enterprises[1]) == -1_000_00
    assert [t.trigger for t in transactions_of(project)][-2:] == ["subscribe", "match"]
    assert_sound()


def test_caps_per_subscription_per_project_and_the_target_limit_the_match(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    offer(cast, cap_per_subscription_fen=300_00, cap_per_project_fen=500_00)
    first, project = subscribe(project, cast.enterprises[1], 1_000_00)
    second, project = subscribe(project, cast.enterprises[1], 1_000_00)
    third, project = subscribe(project, cast.enterprises[1], 1_000_00)
    assert [matched(first), matched(second), matched(third)] == [300_00, 200_00, 0]
    other = gen_project(cast, State.SUBSCRIPTION)
    offer(cast, name="满额配捐")  # no caps: only the target limits it
    last, other = subscribe(other, cast.enterprises[1], other.remaining_fen - 10)
    assert matched(last) == 10, "the match only fills what the project still needs"
    assert other.committed_fen == other.funding_target_fen
    assert other.state is State.TENDERING and escrow(other) == other.funding_target_fen
    assert_sound()


def test_the_budget_is_never_exceeded_and_exhausts(app) -> None:
    cast = gen_cast()
    one, two = gen_project(cast, State.SUBSCRIPTION), gen_project(cast, State.SUBSCRIPTION)
    fund = offer(cast, budget_fen=1_500_00)
    a, _ = subscribe(one, cast.enterprises[1], 1_000_00)
    b, _ = subscribe(two, cast.enterprises[1], 1_000_00)
    c, _ = subscribe(two, cast.enterprises[0], 1_000_00)
    assert [matched(a), matched(b), matched(c)] == [1_000_00, 500_00, 0]
    from marketplace.extensions import db

    db.session.refresh(fund)
    assert fund.matched_fen == fund.budget_fen and lottery() == -1_500_00
    assert_sound()


@pytest.mark.parametrize("overrides", [
    {"counties": ["泰顺县"]},
    {"service_areas": ["no_such_area"]},
    {"opens_at": at(10)},
    {"closes_at": at(4)},
])
def test_an_ineligible_subscription_is_not_matched(app, overrides) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    offer(cast, **overrides)
    subscription, _ = subscribe(project, cast.enterprises[1], 1_000_00)
    assert matched(subscription) == 0 and lottery() == 0


def test_an_eligible_county_and_area_are_matched(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    area = project.items[0].service.area_code
    offer(cast, counties=[project.station.county, "泰顺县"], service_areas=[area])
    subscription, _ = subscribe(project, cast.enterprises[1], 1_000_00)
    assert matched(subscription) == 1_000_00


def test_cancelling_releases_the_match_to_the_fund_and_frees_the_budget(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    fund = offer(cast, budget_fen=800_00)
    subscribe(project, cast.enterprises[1], 1_000_00)
    move(project.id, "cancel", actor=cast.admin, now=at(6), reason="站点搬迁")
    from marketplace.extensions import db

    db.session.refresh(fund)
    assert lottery() == 0 and held(project) == 0 and fund.matched_fen == 0
    assert org(cast.enterprises[1]) == 0
    assert_sound()


def test_a_collected_match_goes_back_from_escrow_when_the_tender_is_cancelled(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    offer(cast, ratio_pct=50)
    _, project = subscribe(project, cast.enterprises[1], -(-project.remaining_fen * 2 // 3))
    assert project.state is State.TENDERING and escrow(project) == project.funding_target_fen
    move(project.id, "cancel", actor=cast.admin, now=at(20), reason="站点搬迁")
    assert escrow(project) == 0 and lottery() == 0
    assert_sound()


@pytest.mark.parametrize("end", [State.TERMINATED, State.COMPLETED])
def test_a_finished_project_returns_its_escrow_to_subscribers_and_the_fund_pro_rata(
        app, end) -> None:
    cast = gen_cast()
    offer(cast, ratio_pct=50)
    project = gen_project(cast, end)  # the walk's first subscription is matched by half
    first, second = project.subscriptions
    weights = [first.amount_fen, matched(first), second.amount_fen]
    assert weights[1] == first.amount_fen // 2 and matched(second) == 0
    assert sum(weights) == project.funding_target_fen
    refund = pro_rata(project.funding_target_fen - project.award.amount_fen, weights)
    assert escrow(project) == 0
    assert org(cast.enterprises[0]) == -weights[0] + refund[0]
    assert lottery() == -weights[1] + refund[1]
    assert org(cast.enterprises[1]) == -weights[2] + refund[2]
    assert org(cast.ngos[0]) == project.award.amount_fen
    assert_sound()


def test_only_the_administrator_opens_a_valid_offer(app) -> None:
    cast = gen_cast()
    with pytest.raises(Forbidden):
        open_offer(draft(), actor=cast.enterprises[0], now=at(1))
    for bad in ({"ratio_pct": 0}, {"budget_fen": -1}, {"closes_at": at(0)},
                {"source_code": "fund:use:evaluation_awards"}, {"name": " "}):
        with pytest.raises(Invalid) as refused:
            open_offer(draft(**bad), actor=cast.admin, now=at(1))
        assert "%(" not in str(refused.value), "the message is filled in"
        assert refused.value.field == next(iter(bad))
    from marketplace.extensions import db
    from marketplace.models import MatchOffer

    assert db.session.execute(db.select(MatchOffer)).first() is None


@pytest.mark.postgres
def test_concurrent_subscribers_on_many_projects_never_exceed_the_budget(app) -> None:
    import threading

    from marketplace.extensions import db
    from marketplace.models import Account, MatchOffer, Role
    from marketplace.services.finance.ledger_verify import discrepancies

    cast = gen_cast()
    projects = [gen_project(cast, State.SUBSCRIPTION).id for _ in range(4)]
    fund_id = offer(cast, budget_fen=2_500_00).id
    enterprises = [gen_account(Role.ENTERPRISE).id for _ in projects]
    db.session.remove()
    barrier = threading.Barrier(len(projects))
    errors: list[str] = []

    def attempt(project_id: int, enterprise_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                funding.subscribe(project_id, 1_000_00,
                                  actor=db.session.get(Account, enterprise_id), now=at(5))
            except Exception as error:  # noqa: BLE001 - any failure is the bug we look for
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(projects, enterprises,
                                                                       strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    fund = db.session.get(MatchOffer, fund_id)
    given = sorted(m.amount_fen for m in db.session.execute(db.select(Match)).scalars())
    assert sum(given) == fund.matched_fen == fund.budget_fen == -lottery()
    assert given == [500_00, 1_000_00, 1_000_00], "the last subscriber found nothing left"
    assert list(discrepancies()) == []
