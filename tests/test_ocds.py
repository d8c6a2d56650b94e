"""Every project, in every state, is valid OCDS 1.1.5 whose releases are each as it was then.

Checked by the standard's own tools, offline: the official schemas with jsonschema (closed
codelists only their codes), the Data Review Tool's library on the whole package, and the
reference merge compiling each record.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import ocdsmerge
import pytest
from jsonschema import Draft4Validator
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdsextensionregistry.versioned_release_schema import get_versioned_release_schema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from marketplace.demo import seed
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Project
from marketplace.ocds import canonical, record_package, release_package, releases
from marketplace.services.finance.ledger import transactions_of
from marketplace.services.finance.money import matches_of
from marketplace.services.implementation import delivery
from marketplace.services.subscription.matching import OfferDraft, open_offer
from tests.factories import at, gen_cast, gen_project

SCHEMAS = Path(__file__).parent / "data" / "ocds"  # release 1.1.5 of the standard
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
RELEASE_SCHEMA = json.loads((SCHEMAS / "release-schema.json").read_text())


def _validator() -> Draft4Validator:
    """The official package schema; its $ref to the release schema resolves to the local copy."""
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    registry = Registry().with_resource(RELEASE_URL,
                                        Resource.from_contents(RELEASE_SCHEMA, DRAFT4))
    return Draft4Validator(package, registry=registry)


VALIDATOR = _validator()
CODES = {path.name: {row["Code"] for row in csv.DictReader(io.StringIO(path.read_text("utf-8")))}
         for path in (SCHEMAS / "codelists").glob("*.csv")}


def _closed_codes(schema: dict[str, Any], data: Any, where: str, found: list[str]) -> None:
    """Walk the data beside the schema; a closed codelist's field holds only its codes."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = {**RELEASE_SCHEMA["definitions"][name], **{k: v for k, v in schema.items()
                                                           if k != "$ref"}}
    if "codelist" in schema and not schema.get("openCodelist", True):
        values = data if isinstance(data, list) else [data]
        found += [f"{where}: {v!r} not in {schema['codelist']}" for v in values
                  if v is not None and v not in CODES[schema["codelist"]]]
    if isinstance(data, dict):
        for key, child in data.items():
            if key in schema.get("properties", {}):
                _closed_codes(schema["properties"][key], child, f"{where}.{key}", found)
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for n, child in enumerate(data):
            _closed_codes(schema["items"], child, f"{where}[{n}]", found)


def _errors(package: dict) -> list[str]:
    found = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(package)]
    for n, release in enumerate(package.get("releases", [])):
        _closed_codes(RELEASE_SCHEMA, release, f"releases[{n}]", found)
    return found


def _standard_zip() -> bytes:
    """The standard's schema folder as the review library reads it, from the local copy."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for name in ("release-schema.json", "release-package-schema.json"):
            archive.write(SCHEMAS / name, f"standard-1__1__5/schema/{name}")
        versioned = get_versioned_release_schema(RELEASE_SCHEMA, "1__1__5")
        archive.writestr("standard-1__1__5/schema/versioned-release-validation-schema.json",
                         json.dumps(versioned))
        for path in sorted((SCHEMAS / "codelists").glob("*.csv")):
            archive.write(path, f"standard-1__1__5/schema/codelists/{path.name}")
    return buffer.getvalue()


def _reviewed(package: dict, tmp_path: Path) -> dict[str, Any]:
    """The Data Review Tool's checks, offline: the extension's own schema is not fetched."""
    config = LibCoveOCDSConfig()
    config.config["standard_zip"] = _standard_zip()
    config.config["context"] = "api"
    offline = {key: v for key, v in package.items() if key != "extensions"}
    return ocds_json_output(str(tmp_path), json_data=offline, lib_cove_ocds_config=config,
                            schema_version="1.1")


@pytest.fixture
def demo(app) -> dict[State, Project]:
    seed()
    projects = db.session.execute(db.select(Project)).scalars().all()
    return {p.state: p for p in projects}


def test_the_validator_rejects_a_broken_package(demo) -> None:
    package = release_package(demo[State.COMPLETED], uri="https://example.org/p", now=at(0))
    del package["releases"][0]["ocid"]
    package["releases"][1]["tag"] = ["finished"]
    package["releases"][2]["tender"]["status"] = "done"
    assert len(_errors(package)) == 5  # three from the schema, two closed codelists


def test_a_demo_project_in_every_state_is_valid_ocds(demo, app, tmp_path) -> None:
    assert set(demo) == set(State)
    merger = ocdsmerge.Merger(schema=RELEASE_SCHEMA)
    for state, project in demo.items():
        package = release_package(project, uri="https://example.org/p",
                                  now=project.created_at + timedelta(days=400))
        assert _errors(package) == [], state
        prefix = app.config["OCID_PREFIX"]
        assert all(r["ocid"] == f"{prefix}-{project.id}" for r in package["releases"])
        assert len({r["id"] for r in package["releases"]}) == len(package["releases"])
        review = _reviewed(package, tmp_path / state.value)
        assert review.get("validation_errors", []) == [], state
        assert review["version_used"] == "1.1"
        compiled = merger.create_compiled_release(package["releases"])
        assert compiled["ocid"] == f"{prefix}-{project.id}"
        assert _errors({**package, "releases": [compiled]}) == [], state


def test_the_ocid_prefix_has_the_registered_form(app) -> None:
    prefix = app.config["OCID_PREFIX"]
    assert prefix.startswith("ocds-") and len(prefix) == len("ocds-") + 6


EXPECTED_TAGS = {
    State.PACKAGING: ["planning"],
    State.PUBLICATION: ["planning", "tender"],
    State.SUBSCRIPTION: ["planning", "tender", "tenderUpdate"],
    State.TENDERING: ["planning", "tender", "tenderUpdate", "tenderUpdate",
                      "tenderUpdate"],  # the last: a question answered
    State.UNFUNDED: ["planning", "tender", "tenderUpdate", "tenderCancellation"],
    State.CANCELLED: ["planning", "tender", "tenderCancellation"],
    State.IMPLEMENTATION: ["planning", "tender", "tenderUpdate", "tenderUpdate", "award",
                           "contract", "implementation"],
    State.COMPLETED: ["planning", "tender", "tenderUpdate", "tenderUpdate", "award",
                      "contract", "implementation", "implementation", "implementation",
                      "contractTermination"],
}


def test_each_event_is_one_release_with_the_tag_of_its_moment(demo) -> None:
    for state, tags in EXPECTED_TAGS.items():
        package = release_package(demo[state], uri="u", now=demo[state].created_at)
        assert [r["tag"][0] for r in package["releases"]] == tags, state


@pytest.mark.parametrize("state", [State.IMPLEMENTATION, State.EVALUATION, State.COMPLETED,
                                   State.TERMINATED])
def test_early_releases_know_nothing_later(demo, state) -> None:
    """Found on main: planning and tender releases named the supplier and said complete."""
    project = demo[state]
    supplier = f"org-{project.award.organization_id}"
    for release in package_releases(project):
        if release["tag"][0] in ("planning", "tender", "tenderUpdate"):
            assert release["tender"]["status"] in ("planning", "planned", "active")
            assert "awards" not in release and "contracts" not in release
            assert "numberOfTenderers" not in release["tender"]
            assert all("supplier" not in p["roles"] for p in release["parties"])
            assert supplier not in json.dumps(release["tender"])


def package_releases(project: Project) -> list[dict[str, Any]]:
    return release_package(project, uri="u", now=at(400))["releases"]


@pytest.mark.parametrize("state", [State.UNFUNDED, State.CANCELLED])
def test_a_tender_release_at_publication_is_not_yet_cancelled(demo, state) -> None:
    by_tag = {r["tag"][0]: r for r in package_releases(demo[state])}
    assert by_tag["tender"]["tender"]["status"] == "planned"
    assert by_tag["tenderCancellation"]["tender"]["status"] == "cancelled"
    assert by_tag["tenderCancellation"]["date"] == by_tag["tenderCancellation"]["date"]


def test_the_rectification_is_a_contract_amendment_with_its_milestone(demo) -> None:
    project = demo[State.TERMINATED]
    found = package_releases(project)
    n = next(i for i, r in enumerate(found) if r["tag"] == ["contractAmendment"])
    contract = found[n]["contracts"][0]
    assert contract["amendments"][0]["rationale"] == "服务记录不全，受益人回访满意度低。"
    assert "amendments" not in found[n - 1]["contracts"][0]
    before = [m["id"] for m in found[n - 1]["contracts"][0]["implementation"]["milestones"]]
    assert [m["id"] for m in contract["implementation"]["milestones"]] == \
        [*before, f"milestone-{len(before) + 1}"]
    last = found[-1]["contracts"][0]
    assert last["status"] == "terminated" and found[-1]["tag"] == ["contractTermination"]


def test_a_release_built_again_later_is_the_same_bytes(app) -> None:
    """Each release once it is made; moves after it change none of its bytes."""
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    first = {r["id"]: canonical(r) for r in releases(project)}
    milestone = next(m for m in project.milestones if m.accepted_at is None)
    worker = next(n for n in cast.ngos if n.organization_id == project.award.organization_id)
    delivery.report_progress(project.id, milestone.id, actor=worker, body="完成", now=at(380))
    delivery.review_milestone(project.id, milestone.id, actor=cast.community, accept=True,
                              now=at(381))
    db.session.expire_all()
    again = {r["id"]: canonical(r) for r in releases(db.session.get(Project, project.id))}
    assert {key: again[key] for key in first} == first
    assert len(again) == len(first) + 1


def test_planning_carries_the_budget_and_the_catalog_items(demo) -> None:
    project = demo[State.PACKAGING]
    planning = release_package(project, uri="u", now=at(0))["releases"][0]
    assert planning["planning"]["budget"]["amount"] == {"amount": project.budget_fen / 100,
                                                        "currency": "CNY"}
    items = planning["tender"]["items"]
    assert [i["classification"]["id"] for i in items] == [i.service_code for i in project.items]
    assert items[0]["classification"]["scheme"] == "LOVESTN-SERVICES"


def test_bids_stay_sealed_until_the_tender_closes(app) -> None:
    project = gen_project(gen_cast(), State.IMPLEMENTATION)
    found = package_releases(project)
    tendering = next(r for r in found if r["tender"]["status"] == "active")
    award = next(r for r in found if r["tag"] == ["award"])
    assert "numberOfTenderers" not in tendering["tender"]
    assert award["tender"]["numberOfTenderers"] == 2 == len(award["tender"]["tenderers"])
    assert sum("tenderer" in p["roles"] for p in award["parties"]) == 2


def test_the_contract_shows_its_milestones_in_the_standards_form(demo) -> None:
    project = demo[State.IMPLEMENTATION]
    last = package_releases(project)[-1]
    milestones = last["contracts"][0]["implementation"]["milestones"]
    assert [m["status"] for m in milestones] == ["met", "scheduled"]
    assert all("value" not in m for m in milestones)
    supplier = next(p for p in last["parties"] if "supplier" in p["roles"])
    assert supplier["id"] == f"org-{project.award.organization_id}"


def test_the_ocid_prefix_comes_from_config(demo, app) -> None:
    app.config["OCID_PREFIX"] = "ocds-abc123"
    package = release_package(demo[State.PACKAGING], uri="u", now=at(0))
    assert package["releases"][0]["ocid"].startswith("ocds-abc123-")


def test_the_record_compiles_and_versions_the_releases(app) -> None:
    project = gen_project(gen_cast(), State.COMPLETED)
    package = record_package(project, uri="https://example.org/r", now=at(400))
    record = package["records"][0]
    assert [r["id"] for r in record["releases"]] == [r["id"] for r in package_releases(project)]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["ocid"] == record["ocid"]
    assert compiled["contracts"][0]["value"] == record["releases"][-1]["contracts"][0]["value"]
    history = record["versionedRelease"]["contracts"][0]["status"]
    assert {v["value"] for v in history} == {"active", "terminated"}
    assert {v["releaseID"] for v in history} <= {r["id"] for r in record["releases"]}


def test_the_fund_evaluation_award_is_not_a_contract_payment(demo) -> None:
    """Found on main: project 7 showed more paid than its contract's value."""
    project = demo[State.COMPLETED]
    contract = package_releases(project)[-1]["contracts"][0]
    paid = sum(t["value"]["amount"] for t in contract["implementation"]["transactions"])
    assert 0 < paid <= contract["value"]["amount"]


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
    implementation = package["releases"][-1]
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
    assert parties[supplier] == ["tenderer", "supplier", "payee"]


def test_the_funding_names_each_subscriber_and_the_fund_match(app) -> None:
    project = _matched_project(State.IMPLEMENTATION)
    found = package_releases(project)
    budget = found[-1]["planning"]["budget"]
    sources = [(b["sourceParty"]["id"], b["amount"]["amount"]) for b in budget["budgetBreakdown"]]
    matches = matches_of(project)
    expected = []
    for s in sorted(project.subscriptions, key=lambda s: s.id):
        expected.append((f"org-{s.enterprise_id}", s.amount_fen / 100))
        if s.id in matches:
            expected.append(("lovestn-fund", matches[s.id].amount_fen / 100))
    assert sources == expected and "lovestn-fund" in {who for who, _ in sources}
    assert "budgetBreakdown" not in found[0]["planning"]["budget"]
    assert found[0]["planning"]["budget"]["amount"]["amount"] == project.budget_fen / 100
    paid = releases(project)[-1]["contracts"][0]["implementation"]["transactions"]
    assert paid and "source" not in paid[0]  # no site address known: no relative link


def test_a_deadline_extended_later_leaves_earlier_releases_as_they_were(app) -> None:
    from marketplace.services.core.deadlines import extend_deadline

    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    first = {r["id"]: canonical(r) for r in releases(project)}
    old_end = json.loads(list(first.values())[-1])["tender"]["tenderPeriod"]["endDate"]
    new_end = project.tender_closes_at + timedelta(days=3)
    extend_deadline(project.id, "tender_closes_at", new_end, "多给几天准备", actor=cast.community,
                    now=at(20))
    db.session.expire_all()
    again = releases(db.session.get(Project, project.id))
    assert {r["id"]: canonical(r) for r in again[:-1]} == first
    assert again[-1]["tag"] == ["tenderUpdate"]
    assert (old_end, again[-1]["tender"]["tenderPeriod"]["endDate"]) == (
        old_end, new_end.isoformat() + "Z") and old_end != new_end.isoformat() + "Z"


def test_accepted_evidence_is_a_document_of_the_contract(demo) -> None:
    project = demo[State.IMPLEMENTATION]
    found = release_package(project, uri="https://example.org/p", now=at(400))["releases"]
    contract = found[-1]["contracts"][0]
    documents = contract["implementation"]["documents"]
    assert documents and all(d["url"].startswith("https://example.org/evidence/")
                             for d in documents)
    assert found[-1]["awards"][0]["documents"][0]["documentType"] == "awardNotice"
    assert found[1]["tender"]["documents"][0]["url"] == f"https://example.org/projects/{project.id}"
    signed = next(r for r in found if r["tag"] == ["contract"])["contracts"][0]
    assert "documents" not in signed["implementation"]  # not yet accepted then


def test_the_tender_publishes_its_rated_award_criteria(app) -> None:
    project = gen_project(gen_cast(), State.TENDERING)
    tender = releases(project)[-1]["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"].startswith("价格 30%，质量 70%")
    assert "price 30%, quality 70%" in tender["awardCriteriaDetails"]
    assert tender["submissionMethod"] == ["electronicSubmission"]
