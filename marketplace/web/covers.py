"""A project's cover picture: the one place that says which picture a project shows.

Until a community uploads its own, the cover is a drawn default for the project's main service
area (the area with most of the bundle's money), from ``static/covers/``.
"""

from __future__ import annotations

from flask import url_for

from marketplace.models import Project

DRAWN = frozenset({"material_aid", "service_aid", "spiritual_care", "rights_protection"})


def main_area(project: Project) -> str | None:
    """The service area holding most of the bundle's money; None for an empty bundle."""
    totals: dict[str, int] = {}
    for item in project.items:
        totals[item.service.area_code] = totals.get(item.service.area_code, 0) + item.total_fen
    return max(sorted(totals), key=totals.__getitem__, default=None)


def cover_url(project: Project) -> str:
    area = main_area(project)
    return url_for("static", filename=f"covers/{area if area in DRAWN else 'default'}.svg")
