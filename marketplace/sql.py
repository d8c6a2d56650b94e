"""Query shapes the big batches need on both engines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam

from marketplace.extensions import db


def among(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as ``= ANY(array)``: one parameter, not thousands
    for the driver to parse and the server to plan (a sweep's batch names ~10,000 rows)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
