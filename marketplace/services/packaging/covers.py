"""A project's cover picture: the community uploads one photo, the public page leads with it.

The photo is checked and stored as evidence files are (``services/evidence.py``: by its bytes,
outside the web root, under a generated name, removed again if the unit of work rolls back),
but only a JPEG or PNG is taken. A project without one shows the drawn picture of its first
service area (``static/covers/<area>.svg``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from marketplace.models import Account, Project, Role
from marketplace.services.core.access import owns_station, require
from marketplace.services.core.errors import Forbidden, Invalid
from marketplace.services.core.unit import atomic, lock_project
from marketplace.services.implementation import evidence as files
from marketplace.services.record.audit import record

FIELD = "cover"
PICTURES = frozenset({"jpeg", "png"})
DRAWN_AREAS = frozenset({"material_aid", "service_aid", "spiritual_care", "rights_protection"})


def set_cover(project_id: int, upload: files.Upload, *, actor: Account,
              now: datetime) -> Project:
    """The station's community puts a photo on its project; the previous one is replaced."""
    require(actor, Role.COMMUNITY)
    try:
        [(checked, kind)] = files.check([upload])
    except Invalid as refused:
        refused.field = FIELD  # the same rules as evidence, said next to the cover's field
        raise
    if kind not in PICTURES:
        raise Invalid("%(name)s: a cover must be a photo (JPG or PNG).", field=FIELD,
                      name=files.clean_name(upload.name))
    replaced: Path | None = None
    with files.kept_only_on_commit() as written, atomic():
        project = lock_project(project_id)
        if not owns_station(actor, project):
            raise Forbidden("Only the station's own community may change its project's cover.")
        if project.cover_stored_name:
            replaced = files.folder() / project.cover_stored_name
        stored_name = files.write(checked.data, written)
        project.cover_stored_name = stored_name
        project.cover_content_type = files.CONTENT_TYPES[kind]
        record(project, actor, "set_cover", now=now, from_state=project.state.value,
               to_state=project.state.value, details={"bytes": len(checked.data)})
    if replaced is not None:  # only once the new one is committed
        replaced.unlink(missing_ok=True)
    return project


def cover_path(project: Project) -> Path | None:
    """Where the uploaded cover is on disk; None when the project has none."""
    return files.folder() / project.cover_stored_name if project.cover_stored_name else None


def drawn_area(project: Project) -> str:
    """The drawn picture that stands in for a missing cover: the one of the service area holding
    most of the bundle's money, or the default for an area without a drawing."""
    totals: dict[str, int] = {}
    for item in project.items:
        totals[item.service.area_code] = totals.get(item.service.area_code, 0) + item.total_fen
    area = max(sorted(totals), key=totals.__getitem__, default=None)
    return area if area in DRAWN_AREAS else "default"
