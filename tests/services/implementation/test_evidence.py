"""Evidence files: only real files of the listed kinds, within the limits, stored outside the web
root under generated names, and never left on disk by a report that did not happen."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import AuditEvent, Evidence, MilestoneStatus, ProgressReport
from marketplace.services.core.errors import Conflict, Forbidden, Invalid
from marketplace.services.core.visibility import may_see_evidence as may_see
from marketplace.services.implementation import delivery
from marketplace.services.implementation.evidence import Upload
from tests.evidence_files import EXE, GOOD, JPEG, PDF, PLAIN_ZIP, PNG, TEXT
from tests.factories import at, gen_cast, gen_project

NOW = at(60)  # the demo contract started at day 36; the second milestone is still open


@pytest.fixture
def setting(app):  # noqa: ANN001, ANN201
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    return cast, project, milestone


def _stored(app) -> list[Path]:  # noqa: ANN001
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


def _report(setting, files: dict[str, bytes]) -> ProgressReport:  # noqa: ANN001
    cast, project, milestone = setting
    return delivery.report_progress(project.id, milestone.id, actor=cast.ngos[0],
                                    body="入户 20 次", people_served=20, now=NOW,
                                    evidence=[Upload(n, d) for n, d in files.items()])


def test_every_listed_kind_is_kept_under_a_generated_name_outside_static(app, setting) -> None:
    kinds = dict(list(GOOD.items())[:5])
    report = _report(setting, kinds)
    rows = db.session.execute(db.select(Evidence).order_by(Evidence.id)).scalars().all()
    assert [r.original_name for r in rows] == list(kinds)
    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()
    static = Path(app.static_folder).resolve()
    for row, data in zip(rows, kinds.values(), strict=True):
        path = folder / row.stored_name
        assert path.read_bytes() == data
        assert row.stored_name != row.original_name and "." not in row.stored_name
        assert row.size_bytes == len(data) and row.sha256 == hashlib.sha256(data).hexdigest()
        assert static not in path.resolve().parents
    assert {r.content_type for r in rows} >= {"image/jpeg", "image/png", "application/pdf"}
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.trigger == "report")
                               .order_by(AuditEvent.id.desc())).scalars().first()
    assert event.details["evidence"] == [r.sha256 for r in rows]  # sealed onto the chain
    assert len(report.evidence) == 5


def test_text_and_csv_in_chinese_encodings_are_accepted(app, setting) -> None:
    _report(setting, {"名单.csv": GOOD["名单.csv"], "说明.txt": TEXT})
    assert len(_stored(app)) == 2


@pytest.mark.parametrize(("name", "data", "says"), [
    ("签到表.pdf", EXE, "is not really a PDF file"),
    ("photo.jpg", PNG, "is not really a JPG file"),
    ("台账.xlsx", PLAIN_ZIP, "is not really a XLSX file"),
    ("台账.xlsx", GOOD["总结.docx"], "is not really a XLSX file"),
    ("名单.csv", EXE, "is not really a CSV file"),
    ("setup.exe", EXE, "only photos"),
    ("no-extension", PDF, "only photos"),
    ("empty.pdf", b"", "is empty"),
])
def test_a_file_is_judged_by_its_bytes_as_well_as_its_name(app, setting, name, data,
                                                            says) -> None:
    reports = db.session.execute(db.select(db.func.count(ProgressReport.id))).scalar_one()
    with pytest.raises(Invalid, match=says) as refused:
        _report(setting, {"photo.jpg": JPEG, name: data})
    assert refused.value.field == "evidence"
    assert _stored(app) == []  # the good file of the same request was not written either
    assert db.session.execute(db.select(db.func.count(ProgressReport.id))).scalar_one() == reports
    assert db.session.execute(db.select(db.func.count(Evidence.id))).scalar_one() == 0


def test_size_and_count_limits_come_from_the_configuration(app, setting) -> None:
    app.config["UPLOAD_MAX_MB"] = 1
    big = PDF + b" " * (1024 * 1024)
    with pytest.raises(Invalid, match="larger than 1 MB"):
        _report(setting, {"big.pdf": big})
    app.config["UPLOAD_MAX_FILES"] = 2
    with pytest.raises(Invalid, match="at most 2 files"):
        _report(setting, {"a.pdf": PDF, "b.pdf": PDF, "c.pdf": PDF})
    assert _stored(app) == []
    _report(setting, {"a.pdf": PDF, "b.jpg": JPEG})
    cast, project, milestone = setting
    with pytest.raises(Invalid, match="at most 2 files"):  # the report's files count too
        delivery.add_evidence(project.id, milestone.id, actor=cast.ngos[0], now=NOW,
                              evidence=[Upload("c.pdf", PDF)])
    assert len(_stored(app)) == 2


def test_a_rolled_back_report_leaves_no_file_behind(app, setting, monkeypatch) -> None:
    def fail(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(delivery, "record", fail)  # after the files were written
    with pytest.raises(RuntimeError):
        _report(setting, {"photo.jpg": JPEG, "签到表.pdf": PDF})
    assert _stored(app) == []
    assert db.session.execute(db.select(db.func.count(Evidence.id))).scalar_one() == 0


def test_more_files_go_to_the_report_awaiting_review_and_only_then(app, setting) -> None:
    cast, project, milestone = setting
    report = _report(setting, {"photo.jpg": JPEG})
    added = delivery.add_evidence(project.id, milestone.id, actor=cast.ngos[0], now=NOW,
                                  evidence=[Upload("签到表.pdf", PDF)])
    assert [e.report_id for e in added] == [report.id]
    with pytest.raises(Forbidden):  # not the awarded organization's project to document
        delivery.add_evidence(project.id, milestone.id, actor=cast.ngos[1], now=NOW,
                              evidence=[Upload("x.pdf", PDF)])
    delivery.review_milestone(project.id, milestone.id, actor=cast.community, accept=True,
                              now=NOW)
    with pytest.raises(Conflict, match="awaits review"):
        delivery.add_evidence(project.id, milestone.id, actor=cast.ngos[0], now=NOW,
                              evidence=[Upload("late.pdf", PDF)])
    assert len(_stored(app)) == 2


def test_who_may_read_before_and_after_the_milestone_is_accepted(app, setting) -> None:
    cast, project, milestone = setting
    _report(setting, {"photo.jpg": JPEG})
    evidence = db.session.execute(db.select(Evidence)).scalar_one()
    insiders = [cast.community, cast.ngos[0], cast.admin]
    outsiders = [None, cast.ngos[1], cast.enterprises[0], cast.evaluators[0]]
    assert all(may_see(evidence, a) for a in insiders)
    assert not any(may_see(evidence, a) for a in outsiders)
    delivery.review_milestone(project.id, milestone.id, actor=cast.community, accept=True,
                              now=NOW)
    db.session.expire_all()
    assert all(may_see(evidence, a) for a in insiders + outsiders)
