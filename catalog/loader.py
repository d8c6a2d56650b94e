"""Load the service catalog (policy appendix 4) and the evaluation indicators (appendix 7).

The catalog is hand-edited data that projects, bids and evaluations refer to by code. A slip
there would surface much later as a project in an unknown area or a score that does not add
up to 100, so the loader refuses the whole catalog at the first mistake and names the file
and the entry to fix. It uses only the standard library so that tools and tests can read the
catalog without the web application.
"""

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NoReturn, TypeVar

SERVICES_FILE = "services.toml"
INDICATORS_FILE = "indicators.toml"
WEIGHT_TOTAL = 100  # weights are percentages, so a weighted total is itself a score out of 100

_TOML_KINDS = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
               dict: "table"}


class CatalogError(Exception):
    """A mistake in a catalog file, located precisely enough to be fixed by hand."""

    def __init__(self, file: str, entry: str, message: str) -> None:
        self.file = file
        self.entry = entry
        self.message = message
        super().__init__(": ".join(part for part in (file, entry, message) if part))


@dataclass(frozen=True)
class Area:
    code: str
    name_zh: str
    name_en: str
    indicator_set: str


@dataclass(frozen=True)
class Group:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class ServiceType:
    code: str
    area: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    unit_zh: str
    unit_en: str
    typical_unit_cost_fen: int
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    weight: int
    max_score: int


@dataclass(frozen=True)
class IndicatorSet:
    code: str
    name_zh: str
    name_en: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Catalog:
    """The whole validated catalog; lookups raise KeyError because codes come from our data."""

    areas: tuple[Area, ...]
    groups: tuple[Group, ...]
    service_types: tuple[ServiceType, ...]
    indicator_sets: tuple[IndicatorSet, ...]

    def area(self, code: str) -> Area:
        return {area.code: area for area in self.areas}[code]

    def group(self, code: str) -> Group:
        return {group.code: group for group in self.groups}[code]

    def service_type(self, code: str) -> ServiceType:
        return {st.code: st for st in self.service_types}[code]

    def indicator_set(self, code: str) -> IndicatorSet:
        return {s.code: s for s in self.indicator_sets}[code]

    def service_types_in(self, area: str) -> tuple[ServiceType, ...]:
        return tuple(st for st in self.service_types if st.area == area)


class _Entry:
    """One TOML table being read: knows its file and position, so every error can name them."""

    def __init__(self, file: str, where: str, raw: object) -> None:
        self.file = file
        self.name = where
        if not isinstance(raw, dict):
            self.fail(f"must be a table, got {_kind(raw)}")
        code = raw.get("code")
        if where and isinstance(code, str) and code.strip():
            self.name = f"{where} ({code})"
        self.raw: dict[str, Any] = raw
        self.read: set[str] = set()

    def fail(self, message: str) -> NoReturn:
        raise CatalogError(self.file, self.name, message)

    def _get(self, field: str) -> Any:
        self.read.add(field)
        if field not in self.raw:
            self.fail(f"missing field '{field}'")
        return self.raw[field]

    def text(self, field: str, known: Collection[str] | None = None, what: str = "") -> str:
        """A non-blank string; with `known`, also a reference that must resolve."""
        value = self._get(field)
        if not isinstance(value, str):
            self.fail(f"field '{field}' must be a string, got {_kind(value)}")
        if not value.strip():
            self.fail(f"field '{field}' is empty")
        if known is not None and value not in known:
            self.fail(f"unknown {what} '{value}'")
        return value

    def positive_int(self, field: str) -> int:
        value = self._get(field)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"field '{field}' must be an integer, got {_kind(value)}")
        if value <= 0:
            self.fail(f"field '{field}' must be greater than 0, got {value}")
        return value

    def codes(self, field: str, known: Collection[str], what: str) -> tuple[str, ...]:
        """A non-empty list of distinct references that must all resolve."""
        value = self._get(field)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(f"field '{field}' must be an array of strings")
        if not value:
            self.fail(f"field '{field}' is empty")
        for i, item in enumerate(value):
            if item not in known:
                self.fail(f"unknown {what} '{item}'")
            if item in value[:i]:
                self.fail(f"duplicate {what} '{item}'")
        return tuple(value)

    def tables(self, field: str) -> list["_Entry"]:
        self.read.add(field)
        value = self.raw.get(field)
        if not value:
            self.fail(f"has no {field}")
        if not isinstance(value, list):
            self.fail(f"field '{field}' must be an array of tables, got {_kind(value)}")
        prefix = f"{self.name}." if self.name else ""
        return [_Entry(self.file, f"{prefix}{field}[{i}]", raw) for i, raw in enumerate(value)]

    def close(self) -> None:
        """Refuse fields nobody reads: a misspelt key would otherwise vanish without a trace."""
        unknown = sorted(set(self.raw) - self.read)
        if unknown:
            self.fail(f"unknown field '{unknown[0]}'")


def _kind(value: object) -> str:
    return _TOML_KINDS.get(type(value), type(value).__name__)


_T = TypeVar("_T", Area, Group, ServiceType, Indicator, IndicatorSet)
_Refs = dict[str, tuple[Collection[str], str]]  # field -> (codes it may take, what they are)


def _build_all(entries: list[_Entry], cls: type[_T], refs: _Refs | None = None) -> tuple[_T, ...]:
    """Build every entry, refusing a code seen before, since all references go by code."""
    items: list[_T] = []
    for entry in entries:
        item = _build(entry, cls, refs or {})
        entry.close()
        if any(other.code == item.code for other in items):
            entry.fail(f"duplicate code '{item.code}'")
        items.append(item)
    return tuple(items)


def _build(e: _Entry, cls: type[_T], refs: _Refs) -> _T:
    """Read each field by its declared type, so the dataclass is the only schema to maintain."""
    values: dict[str, Any] = {}
    for f in fields(cls):
        known, what = refs.get(f.name, (None, ""))
        if f.type is str:
            values[f.name] = e.text(f.name, known, what)
        elif f.type is int:
            values[f.name] = e.positive_int(f.name)
        elif f.type == tuple[str, ...] and known is not None:
            values[f.name] = e.codes(f.name, known, what)
        elif f.type == tuple[Indicator, ...]:
            values[f.name] = _weighted(e, _build_all(e.tables(f.name), Indicator))
        else:
            raise TypeError(f"no reader for {cls.__name__}.{f.name}: {f.type}")
    return cls(**values)


def _weighted(e: _Entry, indicators: tuple[Indicator, ...]) -> tuple[Indicator, ...]:
    total = sum(indicator.weight for indicator in indicators)
    if total != WEIGHT_TOTAL:
        e.fail(f"indicator weights sum to {total}, expected {WEIGHT_TOTAL}")
    return indicators


def _read(directory: Path, name: str) -> _Entry:
    """Parse one file; a syntax error keeps tomllib's wording and names the line as the entry."""
    try:
        with (directory / name).open("rb") as f:
            return _Entry(name, "", tomllib.load(f))
    except FileNotFoundError:
        raise CatalogError(name, "", f"file not found in {directory}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line = re.search(r"at line (\d+)", str(exc))
        where = f"line {line.group(1)}" if line else ""
        raise CatalogError(name, where, f"invalid TOML: {exc}") from None


def load_catalog(directory: Path | None = None) -> Catalog:
    """Read and validate the catalog in `directory` (default: this package's own folder)."""
    directory = Path(__file__).parent if directory is None else Path(directory)
    services, indicators = _read(directory, SERVICES_FILE), _read(directory, INDICATORS_FILE)

    sets = _build_all(indicators.tables("indicator_sets"), IndicatorSet)
    indicators.close()

    set_refs: _Refs = {"indicator_set": ({s.code for s in sets}, "indicator set")}
    areas = _build_all(services.tables("areas"), Area, set_refs)
    groups = _build_all(services.tables("groups"), Group)
    type_refs: _Refs = {
        "area": ({a.code for a in areas}, "area"),
        "groups": ({g.code for g in groups}, "group"),
    }
    service_types = _build_all(services.tables("service_types"), ServiceType, type_refs)
    services.close()
    return Catalog(areas, groups, service_types, sets)
