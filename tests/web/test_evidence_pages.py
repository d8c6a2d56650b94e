"""Evidence on the pages: the organization attaches files to its report, the community reviews
them, the public sees them once the milestone is accepted; a bad file is refused at the field."""

from __future__ import annotations

import io
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Evidence, MilestoneStatus, ProgressReport
from tests.evidence_files import EXE, JPEG, PDF
from tests.factories import at, gen_cast, gen_project


def _files(**named: bytes) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name.replace("_", ".")) for name, data in named.items()]


def _post_report(client, project, milestone, files, body="入户 20 次"):  # noqa: ANN001, ANN202
    return client.post(f"/ngo/projects/{project.id}/milestones/{milestone.id}/report?lang=en",
                       data={"body": body, "people_served": "20", "evidence": files},
                       content_type="multipart/form-data")


def test_a_report_with_files_reaches_the_community_and_then_the_public(app, client, auth,
                                                                       clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    clock(at(60))
    auth.login(cast.ngos[0])
    assert _post_report(client, project, milestone,
                        _files(签到表_pdf=PDF, photo_jpg=JPEG)).status_code == 302
    assert "签到表.pdf" in client.get(f"/ngo/projects/{project.id}").get_data(as_text=True)
    rows = db.session.execute(db.select(Evidence).order_by(Evidence.id)).scalars().all()
    assert [r.original_name for r in rows] == ["签到表.pdf", "photo.jpg"]
    stored = Path(app.config["UPLOAD_FOLDER"]) / rows[0].stored_name
    assert stored.read_bytes() == PDF

    auth.logout()
    assert "签到表.pdf" not in client.get(f"/projects/{project.id}").get_data(as_text=True)
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}").get_data(as_text=True)
    assert "签到表.pdf" in page and f"/evidence/{rows[0].id}" in page
    with client.get(f"/evidence/{rows[0].id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Type"] == "application/pdf"
        assert "no-store" in download.headers["Cache-Control"]
    client.post(f"/community/projects/{project.id}/milestones/{milestone.id}",
                data={"decision": "accept"})

    auth.logout()
    public = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "签到表.pdf" in public and "photo.jpg" in public
    with client.get(f"/evidence/{rows[1].id}") as download:
        assert download.data == JPEG


def test_a_disguised_file_is_refused_next_to_the_field_and_nothing_is_kept(app, client, auth,
                                                                          clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    reports = len(project.progress_reports)
    clock(at(60))
    auth.login(cast.ngos[0])
    response = _post_report(client, project, milestone,
                            _files(photo_jpg=JPEG, 签到表_pdf=EXE), body="typed before")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="evidence-error">签到表.pdf is not really a PDF file.' in page
    assert "typed before" in page  # what was typed is kept
    app.config["UPLOAD_MAX_FILES"] = 1
    too_many = _post_report(client, project, milestone, _files(a_pdf=PDF, b_pdf=PDF))
    assert "A report takes at most 1 files." in too_many.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(ProgressReport.id))).scalar_one() == reports
    assert db.session.execute(db.select(db.func.count(Evidence.id))).scalar_one() == 0
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.iterdir())


def test_report_bodies_get_their_own_limit_and_other_forms_keep_theirs(app, client, auth,
                                                                       clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    clock(at(60))
    auth.login(cast.ngos[0])
    app.config.update(MAX_CONTENT_LENGTH=4096, UPLOAD_MAX_MB=1, UPLOAD_MAX_FILES=1)
    question = client.post(f"/ngo/projects/{project.id}/questions",
                           data={"body": "x" * 8192})
    assert question.status_code == 413  # an ordinary form: the general 4 KB cap
    medium = PDF + bytes(8192)  # above the general cap, within the upload route's 2 MB
    assert _post_report(client, project, milestone, _files(a_pdf=medium)).status_code == 302
    # encoded in memory: the test client would spool a body this large to an unclosed tempfile
    boundary, huge = encode_multipart({"body": "x", "people_served": "1", "evidence": FileStorage(
        io.BytesIO(PDF + bytes(2 * 1024 * 1024)), "b.pdf")})
    refused = client.post(f"/ngo/projects/{project.id}/milestones/{milestone.id}/report",
                          data=huge, content_type=f"multipart/form-data; boundary={boundary}")
    assert refused.status_code == 413
    db.session.expire_all()
    assert [e.size_bytes for e in db.session.execute(db.select(Evidence)).scalars()] == \
        [len(medium)]
