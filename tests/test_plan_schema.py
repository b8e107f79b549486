"""The plan file: loading, validation errors that name the field, JSON Schema, docs."""

import copy
import json
import math
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_origin

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from wijkmix.errors import InputError, InputErrors
from wijkmix.plan import load_plan, plan_from_dict, plan_json_schema, write_plan_json_schema
from wijkmix.plan.schema import PLAN_MODELS, Plan, area_within

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "examples" / "plans" / "herstructurering_goed.toml"
FLAWED = ROOT / "examples" / "plans" / "herstructurering_gebrekkig.toml"


# --- a minimal TOML writer (tomli_w is not installed) -------------------------------------
def _toml_str(s: str) -> str:
    out = []
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_str(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def toml_dumps(d: dict[str, Any]) -> str:
    """Every top-level key as ``"key" = value`` with inline tables (valid TOML 1.0)."""
    return "".join(f"{_toml_str(k)} = {_toml_value(v)}\n" for k, v in d.items())


def good_dict() -> dict[str, Any]:
    return tomllib.loads(GOOD.read_text(encoding="utf-8"))


GOOD_DICT = good_dict()


def _errors(e: InputError) -> list[InputError]:
    return list(e.errors) if isinstance(e, InputErrors) else [e]


def test_toml_writer_round_trips_the_good_plan():
    assert tomllib.loads(toml_dumps(GOOD_DICT)) == GOOD_DICT


# --- the example plans --------------------------------------------------------------------
def _kwb() -> pd.DataFrame:
    path = resources.files("wijkmix") / "data" / "kwb" / "denhaag_kwb-2019_84583NED_statline.csv"
    with resources.as_file(path) as p:
        df = pd.read_csv(p, sep=";", dtype=str, encoding="utf-8-sig")
    df = df.apply(lambda c: c.str.strip())
    return df.set_index("Codering_3")


def test_good_plan_loads_with_baselines_from_kwb_2019():
    plan = load_plan(GOOD)
    kwb = _kwb()
    assert plan.plan.gemeente == "GM0518"
    assert plan.plan.areas[0].code == "WK051833"
    assert plan.plan.last_year == 2035
    # the buurten of the plan are the buurten of WK051833 in the KWB file
    buurten = sorted(c for c in kwb.index if c.startswith("BU051833"))
    assert sorted(a.code for a in plan.plan.areas if a.level == "buurt") == buurten
    for code, entry in plan.plan.stock.items():
        dwellings = int(kwb.loc[code, "Woningvoorraad_34"])
        pct = float(kwb.loc[code, "InBezitWoningcorporatie_42"])
        assert entry.dwellings == dwellings
        assert entry.social_rent == round(pct / 100 * dwellings)
    assert plan.goal("corporatiebezit").baseline.value == float(
        kwb.loc["WK051833", "InBezitWoningcorporatie_42"]
    )
    assert plan.goal("lage_inkomens").baseline.value == float(
        kwb.loc["WK051833", "HuishoudensMetEenLaagInkomen_78"]
    )
    assert plan.goal("waterbed_morgenstond").baseline.value == float(
        kwb.loc["WK051834", "HuishoudensMetEenLaagInkomen_78"]
    )
    # sloop 40 % of the corporation stock, new construction 1.3 times that
    corp = plan.plan.stock["WK051833"].social_rent
    sloop = sum(m.quantities.dwellings or 0 for m in plan.measures if m.instrument == "sloop")
    new = sum(m.quantities.dwellings or 0 for m in plan.measures if m.instrument == "nieuwbouw")
    assert sloop == round(0.4 * corp)
    assert new == round(1.3 * sloop)
    sloop_years = [m.years for m in plan.measures if m.instrument == "sloop"]
    assert min(y[0] for y in sloop_years) == 2022 and max(y[1] for y in sloop_years) == 2028


def test_good_plan_leefbaarometer_baseline_is_the_2016_class():
    import openpyxl

    path = (
        resources.files("wijkmix") / "data" / "leefbaarometer" / "lbm2_wijk_klassen_2002-2016.xlsx"
    )
    with resources.as_file(path) as p:
        wb = openpyxl.load_workbook(p, read_only=True)
        rows = list(wb.active.iter_rows(values_only=True))
    header = rows[0]
    row = next(r for r in rows[1:] if str(r[0]).strip() == "WK051833")
    assert load_plan(GOOD).goal("leefbaarheid").baseline.value == row[header.index("KL16")]


def test_flawed_plan_loads():
    plan = load_plan(FLAWED)
    assert plan.plan.name.endswith("(gebrekkig voorbeeld)")
    assert not any(p.kind == "bewoners" for p in plan.parties)


# --- immutability and round trip ----------------------------------------------------------
def test_plan_is_immutable():
    plan = load_plan(GOOD)
    with pytest.raises(ValidationError):
        plan.plan.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        plan.goals[0].target = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.plan.stock["WK051833"] = plan.plan.stock["BU05183387"]  # type: ignore[index]
    with pytest.raises(TypeError):
        plan.measures[0].quantities.mix["sociale_huur"] = 1.0  # type: ignore[index]
    assert plan.allocation is not None
    with pytest.raises(TypeError):
        plan.allocation["local_tie_share"] = 0.9  # type: ignore[index]
    assert isinstance(plan.allocation["order"], tuple)
    assert isinstance(plan.measures, tuple) and isinstance(plan.measures[0].years, tuple)


def test_dump_and_reload_gives_the_same_plan():
    plan = load_plan(GOOD)
    dumped = plan.model_dump()
    assert isinstance(dumped["plan"]["stock"], dict)
    assert isinstance(dumped["allocation"]["order"], list)
    again = plan_from_dict(dumped)
    assert again == plan
    # and through TOML (absent optional values dropped: TOML has no null)
    assert load_plan_text(toml_dumps(plan.model_dump(exclude_none=True))) == plan


def load_plan_text(text: str, tmp: Path | None = None) -> Plan:
    return plan_from_dict(tomllib.loads(text))


def test_codes_are_normalised():
    d = good_dict()
    d["plan"]["gemeente"] = " gm0518 "
    d["goals"][0]["area"] = "WK051833   "
    stock = d["plan"]["stock"]
    stock["wk051833 "] = stock.pop("WK051833")
    plan = plan_from_dict(d)
    assert plan.plan.gemeente == "GM0518"
    assert plan.goals[0].area == "WK051833"
    assert "WK051833" in plan.plan.stock


@pytest.mark.parametrize(
    ("inner", "outer", "expected"),
    [
        ("BU05183398", "WK051833", True),
        ("BU05183398", "GM0518", True),
        ("WK051833", "GM0518", True),
        ("WK051833", "BU05183398", False),
        ("BU05183398", "WK051834", False),
        ("WK036301", "GM0518", False),
        ("complex-1", "complex-1", True),
        ("complex-1", "WK051833", False),
        ("Haaglanden", "GM0518", False),
    ],
)
def test_area_within(inner, outer, expected):
    assert area_within(inner, outer) is expected


# --- errors that name the field -----------------------------------------------------------
def _m(d: dict, ident: str) -> dict:
    return next(m for m in d["measures"] if m["id"] == ident)


CASES = [
    # (name, mutation, field, message fragment)
    ("missing key", lambda d: d["plan"].pop("horizon"), "plan.horizon", "missing field"),
    ("unknown field", lambda d: d["goals"][0].update(taget=1.0), "goals[0].taget",
     "did you mean 'target'"),
    ("wrong type", lambda d: d["measures"][2].update(years="2024-2026"), "measures[2].years",
     "wrong type"),
    ("year order", lambda d: d["measures"][2].update(years=[2026, 2024]),
     "measures[2].years[1]", "end before start"),
    ("three years", lambda d: d["measures"][2].update(years=[2024, 2025, 2026]),
     "measures[2].years", "wrong number of items"),
    ("bad enum", lambda d: d["parties"][0].update(kind="stadsdeel"), "parties[0].kind",
     "invalid value"),
    ("bad code", lambda d: d["goals"][1].update(area="WK05183"), "goals[1].area",
     "invalid area code"),
    ("code of wrong level", lambda d: d["goals"][1].update(area="BU05183398"), "goals[1].area",
     "wrong level"),
    ("code outside gemeente", lambda d: _m(d, "sloop_dg1").update(area="BU03630000"),
     "measures[1].area", "outside the plan's gemeente"),
    ("duplicate id", lambda d: d["goals"][2].update(id="corporatiebezit"), "goals[2].id",
     "duplicate goal id"),
    ("unknown party", lambda d: d["measures"][0].update(party="aannemer"), "measures[0].party",
     "unknown party"),
    ("unknown goal", lambda d: d["measures"][0].update(goals=["corporatiebezit", "geluk"]),
     "measures[0].goals[1]", "unknown goal"),
    ("unknown flanking", lambda d: d["measures"][0].update(flanking=["sociaal_pln"]),
     "measures[0].flanking[0]", "did you mean 'sociaal_plan'"),
    ("expected goal not served", lambda d: _m(d, "sloop_dg1").update(
        expected=[{"goal": "leefbaarheid", "contribution": 1.0}]),
     "measures[1].expected[0].goal", "does not serve"),
    ("interest out of range", lambda d: d["parties"][1].update(interest=6),
     "parties[1].interest", "at most 5"),
    ("share out of range", lambda d: _m(d, "lokale_binding")["quantities"].update(share=1.2),
     "measures[7].quantities.share", "at most 1"),
    ("mix does not add up", lambda d: d["measures"][0]["quantities"]["mix"].update(koop_duur=0.5),
     "measures[0].quantities.mix", "add up to 1"),
    ("mix segment", lambda d: d["measures"][0]["quantities"]["mix"].update(sociaal=0.0),
     "measures[0].quantities.mix.sociaal", "sociale_huur"),
    ("stock social above dwellings", lambda d: d["plan"]["stock"]["BU05183399"].update(
        social_rent=791), "plan.stock.BU05183399.social_rent", "at most dwellings"),
    ("target wrong way", lambda d: d["goals"][0].update(target=70.0), "goals[0].target",
     "below the baseline"),
    ("milestone order", lambda d: d["goals"][0].update(milestones=[{"year": 2030, "value": 50.0}]),
     "goals[0].milestones[0].year", "before the target year"),
    ("nan", lambda d: d["goals"][0].update(tolerance=float("nan")), "goals[0].tolerance",
     "finite"),
    ("fund balance", lambda d: d["fund"].update(balance=1.0), "fund.balance",
     "202000.00"),
    ("personal data", lambda d: d["treasure_map"][0].update(contact_role="bel 06-12345678"),
     "treasure_map[0].contact_role", "personal data"),
    ("stop owner", lambda d: d["routekaart"]["richten"][0].update(owner="wethouder"),
     "routekaart.richten[0].owner", "unknown party"),
    ("allocation key", lambda d: d["allocation"].update(local_tie=0.3),
     "allocation.local_tie", "unknown key"),
    ("allocation range", lambda d: d["allocation"].update(lottery_share=1.5),
     "allocation.lottery_share", "out of range"),
    ("empty text", lambda d: d["plan"].update(name="   "), "plan.name", "non-empty"),
    ("bad id", lambda d: d["parties"][0].update(id="de gemeente"), "parties[0].id",
     "without spaces"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "mutate", "field", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_invalid_plan_names_the_field(name, mutate, field, fragment, tmp_path):
    d = good_dict()
    mutate(d)
    path = tmp_path / "plan.toml"
    path.write_text(toml_dumps(d), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_plan(path)
    errs = _errors(info.value)
    hits = [e for e in errs if e.where.field == field]
    assert hits, [str(e) for e in errs]
    assert fragment in str(hits[0])
    assert all(e.where.file == str(path) for e in errs)
    assert f"{path}, field '{field}'" in str(info.value)


def test_single_error_matches_the_documented_shape(tmp_path):
    d = good_dict()
    d["measures"][2]["years"] = [2026, 2024]
    path = tmp_path / "plan.toml"
    path.write_text(toml_dumps(d), encoding="utf-8")
    with pytest.raises(InputError, match=r"plan\.toml, field 'measures\[2\]\.years\[1\]'"):
        load_plan(path)


def test_several_errors_are_reported_together(tmp_path):
    d = good_dict()
    d["parties"][0]["interest"] = 0
    d["goals"][0]["direction"] = "beter"
    path = tmp_path / "plan.toml"
    path.write_text(toml_dumps(d), encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_plan(path)
    fields = [e.where.field for e in info.value.errors]
    assert fields == ["parties[0].interest", "goals[0].direction"]
    assert "2 problems" in str(info.value)


def test_missing_file_directory_encoding_and_syntax(tmp_path):
    with pytest.raises(InputError, match="cannot read the plan file"):
        load_plan(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="cannot read the plan file"):
        load_plan(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('name = "Caf\xe9"'.encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8.*0xe9"):
        load_plan(bad)
    syntax = tmp_path / "syntax.toml"
    syntax.write_text('[plan]\nname = "x"\ncode = WK051833\n', encoding="utf-8")
    with pytest.raises(InputError, match="invalid TOML at line 3") as info:
        load_plan(syntax)
    assert info.value.where.row == 3
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputErrors) as info2:
        load_plan(empty)
    assert [e.where.field for e in info2.value.errors] == ["plan", "questions", "parties"]


def test_plan_from_dict_rejects_a_non_table():
    with pytest.raises(InputError, match="not a table"):
        plan_from_dict([1, 2])


# --- property tests: every invalid plan is an InputError naming the field -----------------
def _field(path: tuple) -> str:
    out = ""
    for x in path:
        out += f"[{x}]" if isinstance(x, int) else (f".{x}" if out else str(x))
    return out


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        m = _model_of(arg)
        if m is not None:
            return m
    return None


def _is_mapping(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is not None and isinstance(origin, type) and hasattr(origin, "keys"):
        return True
    return any(_is_mapping(a) for a in get_args(annotation))


_ENUMS = {"level", "kind", "direction", "status", "problem_means_or_goal", "spatial_scale"}
_BOUNDED = {
    "interest": 6,
    "influence": 0,
    "likelihood": 7,
    "impact": -1,
    "share": 1.5,
    "horizon": 0,
    "dwellings": -1,
    "tolerance": -0.5,
    "start_year": 1800,
    "target_year": 2300,
}


def _candidates(d: Any, model: type[BaseModel], path: tuple) -> list[tuple[str, tuple]]:
    """Mutations (kind, path) that make the plan invalid at exactly ``path``."""
    out: list[tuple[str, tuple]] = []
    for key, value in d.items():
        info = model.model_fields.get(key)
        if info is None:
            continue
        p = (*path, key)
        if info.is_required():
            out.append(("delete", p))
        if key in _ENUMS:
            out.append(("enum", p))
        if key in _BOUNDED:
            out.append(("range", p))
        if key in ("code", "area", "gemeente") and (
            d.get("level") in ("buurt", "wijk", "gemeente") or key == "gemeente"
        ):
            out.append(("code", p))
        inner = _model_of(info.annotation)
        if isinstance(value, dict) and inner is not None:
            if _is_mapping(info.annotation):
                for k, v in value.items():
                    out += _candidates(v, inner, (*p, k))
            else:
                out += _candidates(value, inner, p)
            out.append(("type", p))
        elif isinstance(value, list) and inner is not None:
            for i, item in enumerate(value):
                out += _candidates(item, inner, (*p, i))
            out.append(("type", p))
        elif key != "allocation":
            out.append(("type", p))
    return out


CANDIDATES = _candidates(GOOD_DICT, Plan, ())
DUPLICATES = [
    (lst, j) for lst in ("parties", "goals", "measures") for j in range(1, len(GOOD_DICT[lst]))
]


def _get(d: Any, path: tuple) -> Any:
    for x in path:
        d = d[x]
    return d


def _mutate(d: dict, kind: str, path: tuple) -> None:
    parent, key = _get(d, path[:-1]), path[-1]
    if kind == "delete":
        del parent[key]
    elif kind == "enum":
        parent[key] = "onzin"
    elif kind == "range":
        parent[key] = _BOUNDED[key]
    elif kind == "code":
        parent[key] = "XX1234"
    elif kind == "type":
        v = parent[key]
        parent[key] = "tekst" if not isinstance(v, str) else 12345


def test_there_are_many_mutation_candidates():
    kinds = {k for k, _ in CANDIDATES}
    assert kinds == {"delete", "enum", "range", "code", "type"}
    assert len(CANDIDATES) > 300


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.sampled_from(CANDIDATES),
        st.sampled_from(DUPLICATES).map(lambda t: ("duplicate", t)),
    )
)
def test_mutated_plan_gives_input_error_naming_the_field(mutation):
    kind, where = mutation
    d = copy.deepcopy(GOOD_DICT)
    if kind == "duplicate":
        lst, j = where
        d[lst][j]["id"] = d[lst][0]["id"]
        field = f"{lst}[{j}].id"
    else:
        _mutate(d, kind, where)
        field = _field(where)
    text = toml_dumps(d)
    with pytest.raises(InputError) as info:
        plan_from_dict(tomllib.loads(text), source="plan.toml")
    errs = _errors(info.value)
    assert any(e.where.field == field for e in errs), (kind, field, [str(e) for e in errs])
    assert all(e.where.file == "plan.toml" for e in errs)


_KEYS = st.sampled_from(
    [
        "plan", "questions", "parties", "goals", "measures", "routekaart", "risks", "fund",
        "treasure_map", "allocation", "name", "gemeente", "areas", "level", "code", "id",
        "years", "quantities", "mix", "stock", "baseline", "value", "year", "richten",
        "local_tie_share", "article8", "order",
    ]
) | st.text(max_size=6)  # fmt: skip
_SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["GM0518", "WK051833", "BU05183398", "buurt", "wijk", "omhoog"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_random_toml_documents_never_crash_the_loader(doc):
    text = toml_dumps(doc)
    data = tomllib.loads(text)
    with pytest.raises(InputError):
        plan_from_dict(data, source="x.toml")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_random_allocation_tables_never_crash_the_loader(table):
    d = copy.deepcopy(GOOD_DICT)
    d["allocation"] = table
    data = tomllib.loads(toml_dumps(d))
    try:
        plan = plan_from_dict(data, source="plan.toml")
    except InputError as e:
        assert all((x.where.field or "").startswith("allocation") for x in _errors(e)), str(e)
    else:
        assert plan.allocation_dict() == data["allocation"]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_the_loader(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("raw") / "plan.toml"
    path.write_bytes(raw)
    with pytest.raises(InputError):
        load_plan(path)


# --- JSON Schema and docs kept true -------------------------------------------------------
def test_json_schema_file_is_up_to_date(tmp_path):
    written = write_plan_json_schema(tmp_path / "plan.schema.json")
    shipped = ROOT / "docs" / "plan.schema.json"
    assert shipped.read_text(encoding="utf-8") == written.read_text(encoding="utf-8"), (
        "run wijkmix.plan.write_plan_json_schema('docs/plan.schema.json')"
    )
    assert json.loads(shipped.read_text(encoding="utf-8")) == plan_json_schema()


def test_json_schema_describes_the_plan():
    schema = plan_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) == {"plan", "questions", "parties"}
    assert schema["additionalProperties"] is False
    goal = schema["$defs"]["Goal"]
    assert goal["properties"]["direction"]["enum"] == ["omhoog", "omlaag", "gelijk"]
    assert set(goal["required"]) >= {"id", "indicator", "area", "baseline", "target"}
    party = schema["$defs"]["Party"]["properties"]
    assert (party["interest"]["minimum"], party["interest"]["maximum"]) == (1, 5)
    # every field carries a Dutch description for the editor
    for name, model in schema["$defs"].items():
        for field, spec in model.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field}"


def test_docs_document_every_field():
    text = (ROOT / "docs" / "plan.md").read_text(encoding="utf-8")
    missing = [
        f"{model.__name__}.{name}"
        for model in PLAN_MODELS
        for name in model.model_fields
        if f"`{name}`" not in text
    ]
    assert not missing, f"fields missing from docs/plan.md: {missing}"


def test_every_model_of_the_plan_is_in_plan_models():
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for info in model.model_fields.values():
            inner = _model_of(info.annotation)
            if inner is not None:
                walk(inner)

    walk(Plan)
    assert seen == set(PLAN_MODELS)


def test_docs_example_error_is_what_the_loader_says():
    text = (ROOT / "docs" / "plan.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(unknown field in plan\.toml.*?)```", text, re.S)
    assert block is not None
    d = good_dict()
    d["goals"][0]["taget"] = 1.0
    with pytest.raises(InputError) as info:
        plan_from_dict(d, source="plan.toml")
    assert " ".join(block.group(1).split()) == " ".join(str(info.value).split())
