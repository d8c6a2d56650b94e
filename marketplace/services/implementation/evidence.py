"""Evidence files for progress reports: checked by their bytes, stored outside the web root.

A file is accepted when its extension is on the list AND its first bytes say the same thing
(an ``.exe`` renamed ``.pdf`` is refused). The bytes go to ``UPLOAD_FOLDER`` under a generated
name, only after every check passed, and are removed again if the unit of work rolls back.

Who may read a file: the station's community, the organization that reported, the administrator
and the evaluators seated on the project's panel; everyone (signed in or not) once the community
has accepted the milestone the report is about, because accepted work is public record.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from flask import current_app
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models import (
    Account,
    Evidence,
    Milestone,
    ProgressReport,
    Project,
)
from marketplace.services.core.errors import Invalid, NotFound
from marketplace.services.core.visibility import public_evidence_clause

FIELD = "evidence"
# extension → the kind its bytes must show
EXTENSIONS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "pdf": "pdf", "xlsx": "xlsx",
              "docx": "docx", "csv": "csv", "txt": "txt"}
CONTENT_TYPES = {
    "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8", "txt": "text/plain; charset=utf-8",
}
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13})  # tab, LF, FF, CR are fine in text


@dataclass(frozen=True)
class Upload:
    """One file as the web layer received it: the name the user gave and the bytes."""

    name: str
    data: bytes


def _office_kind(data: bytes) -> str | None:
    """xlsx and docx are zip archives; the parts inside tell which one (or neither)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    return None


def _is_text(data: bytes) -> bool:
    if len(data.translate(None, _CONTROL)) != len(data):  # NUL and friends: binary
        return False
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes are, whatever the name says; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return "text" if _is_text(data) else None


def clean_name(name: str) -> str:
    """The last part of what the browser sent (some send a whole path), at most 255 chars."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "file"
    return base[-255:]


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_MB", 10)) * 1024 * 1024


def max_files() -> int:
    return int(current_app.config.get("UPLOAD_MAX_FILES", 5))


def check(uploads: Sequence[Upload], *, already: int = 0) -> list[tuple[Upload, str]]:
    """Each upload with its sniffed kind, or Invalid next to the evidence field: nothing is
    written before every file of the request passed."""
    if already + len(uploads) > max_files():
        raise Invalid("A report takes at most %(n)s files.", field=FIELD, n=max_files())
    limit = max_bytes()
    checked = []
    for upload in uploads:
        name = clean_name(upload.name)
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        expected = EXTENSIONS.get(extension)
        if expected is None:
            raise Invalid("%(name)s: only photos (JPG, PNG), PDF, Excel (XLSX), Word (DOCX), "
                          "CSV and text files are accepted.", field=FIELD, name=name)
        if not upload.data:
            raise Invalid("%(name)s is empty.", field=FIELD, name=name)
        if len(upload.data) > limit:
            raise Invalid("%(name)s is larger than %(mb)s MB.", field=FIELD, name=name,
                          mb=limit // (1024 * 1024))
        kind = sniff(upload.data)
        if kind != expected and not (kind == "text" and expected in ("csv", "txt")):
            raise Invalid("%(name)s is not really a %(ext)s file.", field=FIELD, name=name,
                          ext=extension.upper())
        checked.append((upload, expected))
    return checked


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_of(evidence: Evidence) -> Path:
    return folder() / evidence.stored_name


@contextmanager
def kept_only_on_commit() -> Iterator[list[Path]]:
    """Wrap the unit of work: files written inside it are deleted again if it fails, so a
    rolled-back report leaves no orphan on disk. Use as ``with kept_only_on_commit() as
    written, atomic():`` so a failed commit is seen here too."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def write(data: bytes, written: list[Path]) -> str:
    """Write checked bytes under a new generated name (noted in ``written``, so a rolled-back
    unit removes them); returns the name. Evidence and project covers are stored alike."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = target / stored_name
    with path.open("xb") as out:  # "x": never overwrite, even on a name collision
        written.append(path)
        out.write(data)
    return stored_name


def store(report: ProgressReport, checked: list[tuple[Upload, str]], *, actor: Account,
          now: datetime, written: list[Path]) -> list[Evidence]:
    """Write the checked files under generated names and add their rows to the unit of work."""
    rows = []
    for upload, kind in checked:
        row = Evidence(report=report, **stored_fields(upload, kind, written),
                       uploaded_by_id=actor.id, uploaded_at=now)
        db.session.add(row)
        rows.append(row)
    return rows


def stored_fields(upload: Upload, kind: str, written: list[Path]) -> dict[str, Any]:
    """What every stored upload's row says of its file (evidence, a bid's documents): written
    under a generated name, the original's name cleaned, its type, size and SHA-256."""
    return {"stored_name": write(upload.data, written), "original_name": clean_name(upload.name),
            "content_type": CONTENT_TYPES[kind], "size_bytes": len(upload.data),
            "sha256": hashlib.sha256(upload.data).hexdigest()}


def get(evidence_id: int) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        raise NotFound("No evidence file %(id)s.", id=evidence_id)
    return evidence


def by_report(project: Project) -> dict[int, list[Evidence]]:
    """Every report's files in one query (the community's and the organization's pages list
    them under each report)."""
    query = (db.select(Evidence).join(ProgressReport)
             .where(ProgressReport.project_id == project.id).order_by(Evidence.id))
    files: dict[int, list[Evidence]] = {}
    for row in db.session.execute(query).scalars():
        files.setdefault(row.report_id, []).append(row)
    return files


@dataclass(frozen=True)
class AcceptedWork:
    """An accepted milestone as the public page shows it: the report the community accepted
    (its people served and the community's comment) and the files of its reports."""

    milestone: Milestone
    report: ProgressReport
    files: list[Evidence]


def public_by_milestone(project: Project) -> list[AcceptedWork]:
    """The reports and files anyone may see (``visibility.public_evidence_clause``), milestone
    by milestone, in two queries; a milestone's latest report is the one accepted."""
    rows = db.session.execute(
        db.select(ProgressReport, Milestone)
        .join(Milestone, ProgressReport.milestone_id == Milestone.id)
        .where(ProgressReport.project_id == project.id, public_evidence_clause())
        .options(selectinload(ProgressReport.evidence))
        .order_by(Milestone.sequence, ProgressReport.id)).all()
    work: dict[int, AcceptedWork] = {}
    for report, milestone in rows:
        earlier = work[milestone.id].files if milestone.id in work else []
        work[milestone.id] = AcceptedWork(milestone, report, [*earlier, *report.evidence])
    return list(work.values())
