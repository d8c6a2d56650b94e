"""The shipped catalog loads, and every kind of mistake in it is reported with file and entry.

Each error test writes a small valid catalog into ``tmp_path``, breaks exactly one thing and
checks that the error names the file, the entry and the problem, as a person fixing the TOML by
hand would need.
"""

import shutil
from pathlib import Path

import pytest

import catalog
from catalog import CatalogError, load_catalog

SHIPPED = Path(catalog.__file__).parent

AREA = """\
[[areas]]
code = "material_aid"
name_zh = "实物助困"
name_en = "Material aid"
indicator_set = "material_aid"
"""

GROUPS = """
[[groups]]
code = "elderly_alone"
name_zh = "独居老人"
name_en = "Elderly living alone"

[[groups]]
code = "disabled"
name_zh = "残疾人"
name_en = "People with disabilities"
"""

SERVICE_TYPES = """
[[service_types]]
code = "MA-01"
area = "material_aid"
name_zh = "米油爱心包"
name_en = "Rice-and-oil parcel"
description_zh = "每月为困难家庭配送大米和食用油。"
description_en = "A monthly parcel of rice and cooking oil."
unit_zh = "份"
unit_en = "parcel"
typical_unit_cost_fen = 15000
groups = ["elderly_alone"]

[[service_types]]
code = "MA-02"
area = "material_aid"
name_zh = "冬季御寒衣被"
name_en = "Winter clothing and quilts"
description_zh = "入冬前发放棉衣和棉被。"
description_en = "Padded coats and quilts handed out before winter."
unit_zh = "套"
unit_en = "set"
typical_unit_cost_fen = 30000
groups = ["elderly_alone", "disabled"]
"""

SET_HEAD = """\
[[indicator_sets]]
code = "material_aid"
name_zh = "实物助困类评价指标"
name_en = "Material aid indicators"
"""

INDICATORS = """
[[indicator_sets.indicators]]
code = "targeting"
name_zh = "发放对象精准度"
name_en = "Targeting accuracy"
description_zh = "受助对象是否符合认定条件。"
description_en = "Whether recipients were eligible."
weight = 60
max_score = 100

[[indicator_sets.indicators]]
code = "satisfaction"
name_zh = "受益人满意度"
name_en = "Beneficiary satisfaction"
description_zh = "受助家庭的满意程度。"
description_en = "How satisfied recipients are."
weight = 40
max_score = 100
"""

SERVICES_TOML = AREA + GROUPS + SERVICE_TYPES
INDICATORS_TOML = SET_HEAD + INDICATORS


def write_catalog(directory: Path, file: str = "", old: str = "", new: str = "") -> Path:
    """Write the small catalog, with `old` replaced by `new` (first occurrence) in `file`."""
    texts = {"services.toml": SERVICES_TOML, "indicators.toml": INDICATORS_TOML}
    if file:
        assert old in texts[file], f"test setup: {old!r} not in {file}"
        texts[file] = texts[file].replace(old, new, 1)
    for name, text in texts.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def broken(tmp_path: Path, file: str, old: str, new: str) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load_catalog(write_catalog(tmp_path, file, old, new))
    return info.value


def assert_error(error: CatalogError, file: str, entry: str, message: str) -> None:
    assert (error.file, error.entry, error.message) == (file, entry, message)
    assert str(error) == f"{file}: {entry}: {message}"


# --- the shipped catalog -------------------------------------------------------------------


def test_shipped_catalog_loads():
    shipped = load_catalog()

    assert [a.code for a in shipped.areas] == [
        "material_aid", "service_aid", "spiritual_care", "rights_protection"
    ]
    assert [a.name_zh for a in shipped.areas] == ["实物助困", "服务助困", "精神关怀", "权益保障"]
    assert {g.code for g in shipped.groups} == {
        "elderly_alone", "empty_nest", "disabled", "five_guarantee", "minimum_allowance",
        "hardship",
    }
    assert len(shipped.service_types) >= 28
    prefixes = {"material_aid": "MA-", "service_aid": "SA-", "spiritual_care": "SC-",
                "rights_protection": "RP-"}
    for area in shipped.areas:
        types = shipped.service_types_in(area.code)
        assert len(types) >= 6, area.code
        assert all(st.code.startswith(prefixes[area.code]) for st in types), area.code
        assert shipped.indicator_set(area.indicator_set).code == area.code
    assert {s.code for s in shipped.indicator_sets} == set(prefixes) | {"general"}
    for indicator_set in shipped.indicator_sets:
        assert 4 <= len(indicator_set.indicators) <= 7, indicator_set.code
        assert sum(i.weight for i in indicator_set.indicators) == 100, indicator_set.code


def test_shipped_catalog_values_and_lookups():
    shipped = load_catalog(SHIPPED)

    meals = shipped.service_type("SA-01")
    assert (meals.name_zh, meals.unit_zh, meals.unit_en) == ("独居老人助餐", "份", "meal")
    assert meals.typical_unit_cost_fen == 1500
    assert "elderly_alone" in meals.groups and isinstance(meals.groups, tuple)
    assert shipped.group("five_guarantee").name_zh == "五保户"
    assert shipped.area("rights_protection").name_en == "Rights protection"
    with pytest.raises(KeyError):
        shipped.service_type("XX-99")
    assert load_catalog() == shipped


def test_small_catalog_loads(tmp_path):
    loaded = load_catalog(write_catalog(tmp_path))

    assert [st.code for st in loaded.service_types] == ["MA-01", "MA-02"]
    assert loaded.service_type("MA-02").groups == ("elderly_alone", "disabled")
    assert [i.weight for i in loaded.indicator_set("material_aid").indicators] == [60, 40]


# --- one test per kind of mistake ------------------------------------------------------------


def test_duplicate_code_in_shipped_copy(tmp_path):
    for name in ("services.toml", "indicators.toml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    services = tmp_path / "services.toml"
    services.write_text(
        services.read_text(encoding="utf-8").replace('code = "MA-04"', 'code = "MA-03"'),
        encoding="utf-8",
    )

    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)

    assert str(info.value) == "services.toml: service_types[3] (MA-03): duplicate code 'MA-03'"
    assert info.value.entry == "service_types[3] (MA-03)"


@pytest.mark.parametrize(
    ("file", "text", "old", "new"),
    [
        ("services.toml", SERVICES_TOML, 'name_en = "Material aid"', 'name_en = "Material aid'),
        ("indicators.toml", INDICATORS_TOML, "weight = 40", "weight = = 40"),
    ],
)
def test_toml_syntax_error_names_file_and_line(tmp_path, file, text, old, new):
    bad_line = text.splitlines().index(old) + 1
    assert bad_line > 1

    error = broken(tmp_path, file, old, new)

    assert error.file == file
    assert error.entry == f"line {bad_line}"
    assert error.message.startswith("invalid TOML: ")
    assert f"(at line {bad_line}, column" in error.message


def test_missing_field(tmp_path):
    error = broken(tmp_path, "services.toml", 'unit_en = "parcel"\n', "")
    assert_error(error, "services.toml", "service_types[0] (MA-01)", "missing field 'unit_en'")


def test_missing_code_names_entry_by_position(tmp_path):
    error = broken(tmp_path, "services.toml", 'code = "disabled"\n', "")
    assert_error(error, "services.toml", "groups[1]", "missing field 'code'")


@pytest.mark.parametrize(
    ("old", "new", "entry", "message"),
    [
        ('name_zh = "残疾人"', 'name_zh = "  "', "groups[1] (disabled)",
         "field 'name_zh' is empty"),
        ('groups = ["elderly_alone"]', "groups = []", "service_types[0] (MA-01)",
         "field 'groups' is empty"),
    ],
)
def test_empty_field(tmp_path, old, new, entry, message):
    assert_error(broken(tmp_path, "services.toml", old, new), "services.toml", entry, message)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ('typical_unit_cost_fen = "300.00"', "must be an integer, got string"),
        ("typical_unit_cost_fen = 300.5", "must be an integer, got float"),
        ("typical_unit_cost_fen = true", "must be an integer, got boolean"),
        ("typical_unit_cost_fen = 0", "must be greater than 0, got 0"),
        ("typical_unit_cost_fen = -3000", "must be greater than 0, got -3000"),
    ],
)
def test_cost_must_be_positive_integer_fen(tmp_path, new, message):
    error = broken(tmp_path, "services.toml", "typical_unit_cost_fen = 30000", new)
    assert_error(
        error, "services.toml", "service_types[1] (MA-02)",
        f"field 'typical_unit_cost_fen' {message}",
    )


@pytest.mark.parametrize(
    ("old", "new", "entry", "message"),
    [
        ('name_en = "Material aid"', "name_en = 7", "areas[0] (material_aid)",
         "field 'name_en' must be a string, got integer"),
        ('groups = ["elderly_alone"]', 'groups = "elderly_alone"', "service_types[0] (MA-01)",
         "field 'groups' must be an array of strings"),
        ('groups = ["elderly_alone"]', "groups = [1]", "service_types[0] (MA-01)",
         "field 'groups' must be an array of strings"),
    ],
)
def test_wrong_type(tmp_path, old, new, entry, message):
    assert_error(broken(tmp_path, "services.toml", old, new), "services.toml", entry, message)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("weight = 40.0", "field 'weight' must be an integer, got float"),
        ("weight = 0", "field 'weight' must be greater than 0, got 0"),
        ("weight = -40", "field 'weight' must be greater than 0, got -40"),
    ],
)
def test_weight_must_be_positive_integer(tmp_path, new, message):
    error = broken(tmp_path, "indicators.toml", "weight = 40", new)
    entry = "indicator_sets[0] (material_aid).indicators[1] (satisfaction)"
    assert_error(error, "indicators.toml", entry, message)


@pytest.mark.parametrize("max_score", [0, -5])
def test_max_score_must_be_positive(tmp_path, max_score):
    error = broken(tmp_path, "indicators.toml", "max_score = 100", f"max_score = {max_score}")
    entry = "indicator_sets[0] (material_aid).indicators[0] (targeting)"
    message = f"field 'max_score' must be greater than 0, got {max_score}"
    assert_error(error, "indicators.toml", entry, message)


@pytest.mark.parametrize(
    ("file", "old", "new", "entry", "code"),
    [
        ("services.toml", AREA, AREA + "\n" + AREA, "areas[1] (material_aid)", "material_aid"),
        ("services.toml", 'code = "disabled"', 'code = "elderly_alone"',
         "groups[1] (elderly_alone)", "elderly_alone"),
        ("services.toml", 'code = "MA-02"', 'code = "MA-01"', "service_types[1] (MA-01)", "MA-01"),
        ("indicators.toml", INDICATORS_TOML, INDICATORS_TOML + "\n" + INDICATORS_TOML,
         "indicator_sets[1] (material_aid)", "material_aid"),
        ("indicators.toml", 'code = "satisfaction"', 'code = "targeting"',
         "indicator_sets[0] (material_aid).indicators[1] (targeting)", "targeting"),
    ],
    ids=["area", "group", "service_type", "indicator_set", "indicator_in_set"],
)
def test_duplicate_code(tmp_path, file, old, new, entry, code):
    assert_error(broken(tmp_path, file, old, new), file, entry, f"duplicate code '{code}'")


def test_duplicate_group_in_service_type(tmp_path):
    error = broken(
        tmp_path, "services.toml", 'groups = ["elderly_alone", "disabled"]',
        'groups = ["disabled", "elderly_alone", "disabled"]',
    )
    assert_error(error, "services.toml", "service_types[1] (MA-02)", "duplicate group 'disabled'")


def test_unknown_area(tmp_path):
    error = broken(tmp_path, "services.toml", 'area = "material_aid"', 'area = "food_aid"')
    assert_error(error, "services.toml", "service_types[0] (MA-01)", "unknown area 'food_aid'")


def test_unknown_group(tmp_path):
    error = broken(
        tmp_path, "services.toml", 'groups = ["elderly_alone", "disabled"]',
        'groups = ["elderly_alone", "orphans"]',
    )
    assert_error(error, "services.toml", "service_types[1] (MA-02)", "unknown group 'orphans'")


def test_area_with_unknown_indicator_set(tmp_path):
    error = broken(
        tmp_path, "services.toml", 'indicator_set = "material_aid"', 'indicator_set = "health"'
    )
    message = "unknown indicator set 'health'"
    assert_error(error, "services.toml", "areas[0] (material_aid)", message)


@pytest.mark.parametrize(("new", "total"), [("weight = 35", 95), ("weight = 45", 105)])
def test_weights_must_sum_to_100(tmp_path, new, total):
    error = broken(tmp_path, "indicators.toml", "weight = 40", new)
    assert_error(
        error, "indicators.toml", "indicator_sets[0] (material_aid)",
        f"indicator weights sum to {total}, expected 100",
    )


@pytest.mark.parametrize("new", ["", "indicators = []\n"], ids=["absent", "empty"])
def test_set_without_indicators(tmp_path, new):
    error = broken(tmp_path, "indicators.toml", INDICATORS, new)
    assert_error(error, "indicators.toml", "indicator_sets[0] (material_aid)", "has no indicators")


# --- nothing is dropped silently ---------------------------------------------------------------


def test_unknown_field_is_refused(tmp_path):
    error = broken(tmp_path, "services.toml", 'unit_en = "set"', 'unit_en = "set"\nunti_zh = "套"')
    assert_error(error, "services.toml", "service_types[1] (MA-02)", "unknown field 'unti_zh'")


def test_misspelt_table_is_refused(tmp_path):
    error = broken(
        tmp_path, "services.toml", '[[service_types]]\ncode = "MA-02"',
        '[[service_type]]\ncode = "MA-02"',
    )
    assert (error.file, error.entry, error.message) == (
        "services.toml", "", "unknown field 'service_type'"
    )
    assert str(error) == "services.toml: unknown field 'service_type'"


def test_missing_file(tmp_path):
    write_catalog(tmp_path)
    (tmp_path / "indicators.toml").unlink()

    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)

    assert (info.value.file, info.value.entry) == ("indicators.toml", "")
    assert info.value.message == f"file not found in {tmp_path}"
