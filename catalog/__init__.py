"""The service catalog (policy appendix 4) and evaluation indicators (appendix 7) as data."""

from catalog.loader import (
    Area,
    Catalog,
    CatalogError,
    Group,
    Indicator,
    IndicatorSet,
    ServiceType,
    load_catalog,
)

__all__ = [
    "Area",
    "Catalog",
    "CatalogError",
    "Group",
    "Indicator",
    "IndicatorSet",
    "ServiceType",
    "load_catalog",
]
