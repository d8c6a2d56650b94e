"""Kept figures and choices are never older than the database: writes from another connection
(a catalog load in another process) show at once, and a write rolled back never shows."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import create_engine, text

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import BeneficiaryGroup, Project
from marketplace.services.core.memo import kept
from marketplace.services.finance.ledger import (
    Cause,
    commitments_account,
    organization_account,
    post,
)
from marketplace.services.reports.showcase import showcase
from tests.factories import at, gen_cast, gen_project


def _kept_while_nothing_changes() -> bool:
    """The value is read once and kept while the database does not change. On PostgreSQL a
    commit anywhere on the server (another test worker's) changes the version, so the pair
    of reads is tried again until one pair met no commit; never kept, it fails."""
    tries = 50 if db.engine.dialect.name == "postgresql" else 1
    return any(showcase(kept()) is showcase(kept()) for _ in range(tries))


def test_a_catalog_change_committed_by_another_connection_shows_at_once(app: Flask) -> None:
    group = db.session.execute(db.select(BeneficiaryGroup).order_by(BeneficiaryGroup.code)
                               ).scalars().first()
    code, name = group.code, group.name_zh
    assert _kept_while_nothing_changes()
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    rename = text("UPDATE beneficiary_groups SET name_zh = :name WHERE code = :code")
    try:
        with other.begin() as connection:
            connection.execute(rename, {"name": "改过的名称", "code": code})
        assert {g.code: g.name_zh for g in showcase(kept()).groups}[code] == "改过的名称"
    finally:
        with other.begin() as connection:  # the catalog is shared by every test
            connection.execute(rename, {"name": name, "code": code})
        other.dispose()
    assert {g.code: g.name_zh for g in showcase(kept()).groups}[code] == name


def test_what_a_transaction_read_after_writing_is_not_kept_when_it_rolls_back(app) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    raised = showcase(kept()).figures.raised_fen
    # a commitment posted in this transaction and not committed (raised is the ledger's)
    post("uncommitted", [(organization_account(cast.enterprises[0].organization), -1_000_000),
                         (commitments_account(db.session.get(Project, project.id)), 1_000_000)],
         Cause("subscribe", project.id), now=at(5))
    assert showcase(kept()).figures.raised_fen == raised + 1_000_000  # its own write, not committed
    db.session.rollback()
    assert showcase(kept()).figures.raised_fen == raised
