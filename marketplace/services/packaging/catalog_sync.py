"""Loading ``catalog/`` into the database, idempotently: codes are the keys."""

from __future__ import annotations

from pathlib import Path

import catalog as catalog_data
from marketplace.extensions import db
from marketplace.models import BeneficiaryGroup, Indicator, IndicatorSet, ServiceArea, ServiceType
from marketplace.services.core.unit import atomic


def _upsert(model: type, key: dict[str, object], **values: object) -> object:
    row = db.session.execute(db.select(model).filter_by(**key)).scalar_one_or_none()
    if row is None:
        row = model(**key)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    return row


def load_catalog(directory: Path | None = None) -> dict[str, int]:
    """Validate the data files, then insert or update every entry; returns counts."""
    data = catalog_data.load_catalog(directory)
    with atomic():
        groups = {
            g.code: _upsert(BeneficiaryGroup, {"code": g.code}, name_zh=g.name_zh,
                            name_en=g.name_en)
            for g in data.groups
        }
        for indicator_set in data.indicator_sets:
            _upsert(IndicatorSet, {"code": indicator_set.code}, name_zh=indicator_set.name_zh,
                    name_en=indicator_set.name_en)
            for position, ind in enumerate(indicator_set.indicators):
                _upsert(Indicator, {"set_code": indicator_set.code, "code": ind.code},
                        position=position, name_zh=ind.name_zh, name_en=ind.name_en,
                        description_zh=ind.description_zh, description_en=ind.description_en,
                        weight=ind.weight, max_score=ind.max_score)
        db.session.flush()
        for area in data.areas:
            _upsert(ServiceArea, {"code": area.code}, name_zh=area.name_zh,
                    name_en=area.name_en, indicator_set_code=area.indicator_set)
        db.session.flush()
        for st in data.service_types:
            _upsert(ServiceType, {"code": st.code}, area_code=st.area, name_zh=st.name_zh,
                    name_en=st.name_en, description_zh=st.description_zh,
                    description_en=st.description_en, unit_zh=st.unit_zh, unit_en=st.unit_en,
                    typical_unit_cost_fen=st.typical_unit_cost_fen,
                    groups=[groups[code] for code in st.groups])
    return {
        "areas": len(data.areas),
        "groups": len(data.groups),
        "service_types": len(data.service_types),
        "indicator_sets": len(data.indicator_sets),
    }
