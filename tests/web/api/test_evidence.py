"""Evidence over the API: multipart upload to the report awaiting review, list, download."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.lifecycle import State
from marketplace.models import MilestoneStatus
from tests.evidence_files import EXE, JPEG, PDF
from tests.factories import gen_project


def _setting(client, cast, auth, clock):  # noqa: ANN001, ANN202
    project = gen_project(cast, State.IMPLEMENTATION)
    milestone = next(m for m in project.milestones if m.status is MilestoneStatus.PENDING)
    clock.set(60)
    base = f"/api/v1/projects/{project.id}/milestones/{milestone.id}"
    ngo = auth(cast.ngos[0])
    assert client.post(f"{base}/reports", headers=ngo,
                       json={"body": "入户 20 次", "people_served": 20}).status_code == 201
    return base, ngo


def _upload(client, url, headers, **files):  # noqa: ANN001, ANN003, ANN202
    return client.post(url, headers=headers, content_type="multipart/form-data", data={
        "file": [(io.BytesIO(data), name.replace("_", ".")) for name, data in files.items()]})


def test_upload_list_and_download(client, cast, auth, clock) -> None:
    base, ngo = _setting(client, cast, auth, clock)
    uploaded = _upload(client, f"{base}/evidence", ngo, 签到表_pdf=PDF, photo_jpg=JPEG)
    assert uploaded.status_code == 201
    rows = uploaded.json["evidence"]
    assert [(r["name"], r["content_type"], r["public"]) for r in rows] == [
        ("签到表.pdf", "application/pdf", False), ("photo.jpg", "image/jpeg", False)]
    listed = client.get(f"{base}/evidence", headers=auth(cast.community)).json["evidence"]
    assert [r["id"] for r in listed] == [r["id"] for r in rows]
    assert client.get(f"{base}/evidence").json == {"evidence": []}  # not public yet
    with client.get(rows[0]["download_url"], headers=auth(cast.community)) as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
    anonymous = client.get(rows[0]["download_url"])
    assert anonymous.status_code == 401 and anonymous.json["error"] == "unauthorized"
    outsider = client.get(rows[0]["download_url"], headers=auth(cast.enterprises[0]))
    assert outsider.status_code == 403
    assert client.get("/api/v1/evidence/999999").status_code == 404


def test_bad_uploads_get_400_with_the_field_and_store_nothing(app, client, cast, auth,
                                                              clock) -> None:
    base, ngo = _setting(client, cast, auth, clock)
    disguised = _upload(client, f"{base}/evidence", ngo, setup_pdf=EXE)
    assert disguised.status_code == 400
    assert disguised.json["field"] == "evidence" and "setup.pdf" in disguised.json["message"]
    empty = client.post(f"{base}/evidence", headers=ngo, json={})
    assert empty.status_code == 400 and empty.json["field"] == "evidence"
    app.config["UPLOAD_MAX_FILES"] = 1
    assert _upload(client, f"{base}/evidence", ngo, a_pdf=PDF, b_pdf=PDF).status_code == 400
    app.config.update(UPLOAD_MAX_MB=1, UPLOAD_MAX_FILES=1)  # the route takes 2 MB bodies
    # encoded in memory: the test client would spool a body this large to an unclosed tempfile
    boundary, huge = encode_multipart({"file": FileStorage(io.BytesIO(PDF + bytes(2 * 1024 * 1024)),
                                                           "big.pdf")})
    too_big = client.post(f"{base}/evidence", headers=ngo, data=huge,
                          content_type=f"multipart/form-data; boundary={boundary}")
    assert too_big.status_code == 413 and too_big.json["error"] == "request_entity_too_large"
    assert client.get(f"{base}/evidence", headers=ngo).json == {"evidence": []}
    other = _upload(client, f"{base}/evidence", auth(cast.ngos[1]), a_pdf=PDF)
    assert other.status_code == 403
