"""Every project, in every state, is a valid OCDS 1.1 release package with the right stages."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project
from marketplace.ocds import release_package
from marketplace.services.ledger import transactions_of
from marketplace.services.matching import OfferDraft, open_offer
from marketplace.services.money import matches_of
from tests.factories import at, gen_cast, gen_project

SCHEMAS = Path(__file__).parent / "data" / "ocds"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def _validator() -> Draft4Validator:
    """The official package schema; its $ref to the release schema resolves to the local copy."""
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    registry = Registry().with_resource(RELEASE_URL, Resource.from_contents(release, DRAFT4))
    return Draft4Validator(package, registry=registry)


VALIDATOR = _validator()


def _errors(package: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(package)]


@pytest.fixture
def demo(app) -> dict[State, Project]:
    seed()
    projects = db.session.execute(db.select(Project)).scalars().all()
    return {p.state: p for p in projects}


def test_the_validator_rejects_a_broken_package(demo) -> None:
    package = release_package(demo[State.COMPLETED], uri="https://example.org/p", now=at(0))
    del package["releases"][0]["ocid"]
    package["releases"][1]["tag"] = ["finished"]
    assert len(_errors(package)) == 2


def test_a_demo_project_in_every_state_is_valid_ocds(demo) -> None:
    assert set(demo) == set(State)
    for state, project in demo.items():
        package = release_package(project, uri="https://example.org/p",
                                  now=project.created_at + timedelta(days=400))
        assert _errors(package) == [], state
        assert all(r["ocid"] == f"ocds-lovestn-{project.id}" for r in package["releases"])


EXPECTED_TAGS = {
    State.PACKAGING: ["planning"],
    State.PUBLICATION: ["planning", "tender"],
    State.SUBSCRIPTION: ["planning", "tender"],
    State.TENDERING: ["planning", "tender"],
    State.UNFUNDED: ["planning", "tender", "tenderCancellation"],
    State.CANCELLED: ["planning", "tender", "tenderCancellation"],
    State.IMPLEMENTATION: ["planning", "tender", "award", "contract", "implementation"],
    State.EVALUATION: ["planning", "tender", "award", "contract", "implementation"],
    State.COMPLETED: ["planning", "tender", "award", "contract", "implementation",
                      "contractTermination"],
    State.TERMINATED: ["planning", "tender", "award", "contract", "implementation",
                       "contractTermination"],
}


def test_each_stage_reached_is_one_release_with_its_tag(demo) -> None:
    for state, tags in EXPECTED_TAGS.items():
        package = release_package(demo[state], uri="u", now=demo[state].created_at)
        assert [r["tag"][0] for r in package["releases"]] == tags, state


def test_planning_carries_the_budget_and_the_catalog_items(demo) -> None:
    project = demo[State.PACKAGING]
    planning = release_package(project, uri="u", now=at(0))["releases"][0]
    assert planning["planning"]["budget"]["amount"] == {"amount": project.budget_fen / 100,
                                                        "currency": "CNY"}
    items = planning["tender"]["items"]
    assert [i["classification"]["id"] for i in items] == [i.service_code for i in project.items]
    assert items[0]["classification"]["scheme"] == "LOVESTN-SERVICES"


def test_bids_stay_sealed_until_the_tender_closes(app) -> None:
    project = gen_project(gen_cast(), State.TENDERING)
    before = release_package(project, uri="u", now=at(29))["releases"][-1]["tender"]
    after = release_package(project, uri="u", now=at(30))["releases"][-1]["tender"]
    assert "numberOfTenderers" not in before
    assert after["numberOfTenderers"] == 2
    assert after["tenderPeriod"]["endDate"] == "2026-03-31T09:00:00Z"


def test_the_contract_shows_its_milestones_as_met_or_scheduled(demo) -> None:
    project = demo[State.IMPLEMENTATION]
    last = release_package(project, uri="u", now=at(0))["releases"][-1]
    milestones = last["contracts"][0]["implementation"]["milestones"]
    assert [m["status"] for m in milestones] == ["met", "scheduled"]
    supplier = last["parties"][-1]
    assert "supplier" in supplier["roles"]
    assert supplier["id"] == f"org-{project.award.organization_id}"


def test_the_ocid_prefix_comes_from_config(demo, app) -> None:
    app.config["OCID_PREFIX"] = "ocds-abc123"
    package = release_package(demo[State.PACKAGING], uri="u", now=at(0))
    assert package["releases"][0]["ocid"].startswith("ocds-abc123-")


def _matched_project(state: State) -> Project:
    """A project whose subscriptions the fund matched half, walked to ``state``."""
    cast = gen_cast()
    open_offer(OfferDraft(name="福彩配捐", ratio_pct=50, cap_per_subscription_fen=10**12,
                          cap_per_project_fen=10**12, budget_fen=10**12, opens_at=at(0),
                          closes_at=at(60), source_code="fund:source:lottery"),
               actor=cast.admin, now=at(1))
    return gen_project(cast, state)


@pytest.mark.parametrize("state", [State.IMPLEMENTATION, State.COMPLETED, State.TERMINATED])
def test_paid_tranches_are_the_contract_transactions_from_the_ledger(app, state) -> None:
    project = _matched_project(state)
    package = release_package(project, uri="https://example.org/api/v1/projects/1/ocds",
                              now=at(400))
    assert _errors(package) == []
    implementation = next(r for r in package["releases"] if r["tag"] == ["implementation"])
    paid = [t for t in transactions_of(project) if t.trigger == "accept_milestone"]
    transactions = implementation["contracts"][0]["implementation"]["transactions"]
    supplier = f"org-{project.award.organization_id}"
    assert [t["id"] for t in transactions] == [str(t.id) for t in paid] != []
    assert sum(t["value"]["amount"] for t in transactions) * 100 == pytest.approx(
        sum(e.amount_fen for t in paid for e in t.entries if e.amount_fen > 0))
    assert {(t["payer"]["id"], t["payee"]["id"]) for t in transactions} == \
        {("lovestn-fund", supplier)}
    assert transactions[0]["source"] == "https://example.org/ledger.csv"
    parties = {p["id"]: p["roles"] for p in implementation["parties"]}
    assert parties["lovestn-fund"] == ["funder", "payer"]
    assert parties[supplier] == ["supplier", "payee"]


def test_the_funding_names_each_subscriber_and_the_fund_match(app) -> None:
    project = _matched_project(State.IMPLEMENTATION)
    releases = release_package(project, uri="u", now=at(400))["releases"]
    budget = next(r for r in releases if r["tag"] == ["implementation"])["planning"]["budget"]
    sources = [(b["sourceParty"]["id"], b["amount"]["amount"]) for b in budget["budgetBreakdown"]]
    matches = matches_of(project)
    expected = []
    for s in sorted(project.subscriptions, key=lambda s: s.id):
        expected.append((f"org-{s.enterprise_id}", s.amount_fen / 100))
        if s.id in matches:
            expected.append(("lovestn-fund", matches[s.id].amount_fen / 100))
    assert sources == expected and "lovestn-fund" in {who for who, _ in sources}
    assert budget["amount"]["amount"] == sum(amount for _, amount in sources)
    assert releases[0]["planning"]["budget"]["amount"]["amount"] == project.budget_fen / 100
    paid = releases[-1]["contracts"][0]["implementation"]["transactions"]
    assert paid and "source" not in paid[0]  # no site address known: no relative link
