"""GET /catalog: what bundles are built from (areas, service types, groups, indicator sets)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models import BeneficiaryGroup, IndicatorSet, ServiceArea, ServiceType
from marketplace.web.api import bp


def _names(row: object) -> dict[str, str]:
    return {"name_zh": row.name_zh, "name_en": row.name_en}  # type: ignore[attr-defined]


@bp.get("/catalog")
def catalog() -> ResponseReturnValue:
    areas = db.session.execute(db.select(ServiceArea).order_by(ServiceArea.code)).scalars()
    services = db.session.execute(
        db.select(ServiceType).options(selectinload(ServiceType.groups))
        .order_by(ServiceType.code)).scalars()
    groups = db.session.execute(
        db.select(BeneficiaryGroup).order_by(BeneficiaryGroup.code)).scalars()
    sets = db.session.execute(
        db.select(IndicatorSet).options(selectinload(IndicatorSet.indicators))
        .order_by(IndicatorSet.code)).scalars()
    return {
        "areas": [{"code": a.code, **_names(a), "indicator_set": a.indicator_set_code}
                  for a in areas],
        "service_types": [
            {"code": s.code, "area": s.area_code, **_names(s), "unit_zh": s.unit_zh,
             "unit_en": s.unit_en, "typical_unit_cost_fen": s.typical_unit_cost_fen,
             "groups": [g.code for g in s.groups]}
            for s in services
        ],
        "beneficiary_groups": [{"code": g.code, **_names(g)} for g in groups],
        "indicator_sets": [
            {"code": s.code, **_names(s),
             "indicators": [{"code": i.code, **_names(i), "weight": i.weight,
                             "max_score": i.max_score} for i in s.indicators]}
            for s in sets
        ],
    }
