"""Tests of the CBS KWB reader against the real extracts in wijkmix/data/kwb.

Expected values are read from the raw files by independent means (the csv
module, openpyxl, json) or were read off the files by hand (noted inline).
"""

import csv
import hashlib
import json
import math
import re
import shutil
import sys
import tempfile
import types
from importlib.resources import files
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wijkmix.concepts import CONCEPTS
from wijkmix.errors import InputError
from wijkmix.io.cbs_kwb import (
    KWB_CATALOGUE,
    import_kwb,
    read_kwb,
    read_kwb_odata_folder,
    read_kwb_online,
)
from wijkmix.store import open_store

KWB = Path(str(files("wijkmix").joinpath("data", "kwb")))
DENHAAG = KWB / "denhaag_kwb-2019_84583NED_statline.csv"
AMSTERDAM = KWB / "amsterdam_kwb-2019_84583NED_statline.csv"
UTRECHT = KWB / "utrecht_kwb-2023.xlsx"
PROPS = KWB / "kwb2024_85984NED_DataProperties.json"
INFOS = KWB / "kwb2024_85984NED_TableInfos.json"
SEL = KWB / "kwb2024_85984NED_gemeenten_wijken_selected.json"
FIXTURES = Path(__file__).parent / "data" / "kwb"

ORIGIN = {
    "origin_netherlands",
    "origin_europe",
    "origin_outside_europe",
    "born_nl_origin_europe",
    "born_nl_origin_outside_europe",
    "born_abroad_europe",
    "born_abroad_outside_europe",
}
MIGR = {c for c in CONCEPTS if c.startswith("migr_")}


# -- independent readers -------------------------------------------------------
def _csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _cell(text):
    s = text.strip()
    return math.nan if s in ("", ".") else float(s)


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def _value(table, code, concept):
    s = table.stats
    v = s.loc[(s["area_code"] == code) & (s["concept"] == concept), "value"]
    assert len(v) == 1, (code, concept)
    return float(v.iloc[0])


@pytest.fixture(scope="module")
def denhaag():
    return read_kwb(DENHAAG)


@pytest.fixture(scope="module")
def kwb2024():
    return read_kwb(SEL)


@pytest.fixture(scope="module")
def raw2024():
    return json.loads(SEL.read_text(encoding="utf-8"))


# -- catalogue -----------------------------------------------------------------
def test_catalogue_covers_every_concept_and_no_full_keys():
    assert set(KWB_CATALOGUE) == set(CONCEPTS)
    for rule in KWB_CATALOGUE.values():
        for stem in rule.stems:
            assert not re.search(r"_\d+$", stem), stem  # never a full _NN key


# -- StatLine CSV 2019 -----------------------------------------------------------
def test_denhaag_levels_and_hierarchy(denhaag):
    a = denhaag.areas
    assert a["level"].value_counts().to_dict() == {"gemeente": 1, "wijk": 44, "buurt": 114}
    assert denhaag.table_id == "84583NED" and denhaag.year == 2019
    assert denhaag.attribution == (
        "Bron: CBS, Kerncijfers wijken en buurten 2019 (tabel 84583NED), CC BY 4.0"
    )
    wijken = set(a.loc[a["level"] == "wijk", "code"])
    buurt_parents = set(a.loc[a["level"] == "buurt", "parent"])
    assert buurt_parents <= wijken
    assert set(a.loc[a["level"] == "wijk", "parent"]) == {"GM0518"}
    assert set(a["gemeente_code"]) == {"GM0518"}
    assert (a["year"] == 2019).all()
    # codes are stripped of CBS padding: compare with the raw file
    raw_codes = [r["WijkenEnBuurten"].strip() for r in _csv_rows(DENHAAG)]
    assert list(a["code"]) == raw_codes
    # the 2019 CSV has no wijk/buurt names; the gemeente name comes from Gemeentenaam_1
    g = a[a["code"] == "GM0518"].iloc[0]
    assert g["name"] == "'s-Gravenhage"
    assert a.loc[a["level"] != "gemeente", "name"].isna().all()


def test_denhaag_gemeente_values(denhaag):
    # read off the file by hand (row GM0518) ...
    assert _value(denhaag, "GM0518", "inhabitants") == 537833
    assert _value(denhaag, "GM0518", "households") == 263371
    assert _value(denhaag, "GM0518", "pct_corporation") == 31
    assert _value(denhaag, "GM0518", "pct_low_income_households") == 12.4
    # ... and the same cells through the csv module
    gm = next(r for r in _csv_rows(DENHAAG) if r["WijkenEnBuurten"].strip() == "GM0518")
    assert float(gm["AantalInwoners_5"]) == 537833
    assert float(gm["HuishoudensTotaal_28"]) == 263371
    assert float(gm["InBezitWoningcorporatie_42"]) == 31
    assert float(gm["HuishoudensMetEenLaagInkomen_78"]) == 12.4
    assert denhaag.columns["pct_corporation"] == "InBezitWoningcorporatie_42"
    assert denhaag.columns["pct_owner_occupied"] == "Koopwoningen_40"
    assert denhaag.columns["pct_low_income_households"] == "HuishoudensMetEenLaagInkomen_78"
    assert denhaag.columns["pct_households_lowest_40"] == "k_40HuishoudensMetLaagsteInkomen_76"
    assert denhaag.columns["bijstand_persons"] == "PersonenPerSoortUitkeringBijstand_83"
    # 2019 has the westers/niet-westers classification, not herkomstland
    assert set(denhaag.columns) == set(CONCEPTS) - ORIGIN


def test_denhaag_every_mapped_cell_matches_the_file(denhaag):
    rows = _csv_rows(DENHAAG)
    wide = denhaag.wide().set_index("code")
    n_nan = 0
    for r in rows:
        code = r["WijkenEnBuurten"].strip()
        for concept, key in denhaag.columns.items():
            expected = _cell(r[key])
            n_nan += math.isnan(expected)
            assert _same(float(wide.at[code, concept]), expected), (code, concept)
    assert n_nan > 0
    assert int(denhaag.stats["value"].isna().sum()) == n_nan


def test_suppressed_is_nan_not_zero(denhaag):
    rows = _csv_rows(DENHAAG)
    dot = next(r for r in rows if r["InBezitWoningcorporatie_42"].strip() == ".")
    zero = next(r for r in rows if r["InBezitWoningcorporatie_42"].strip() == "0")
    assert math.isnan(_value(denhaag, dot["WijkenEnBuurten"].strip(), "pct_corporation"))
    assert _value(denhaag, zero["WijkenEnBuurten"].strip(), "pct_corporation") == 0.0
    # WK051801 has no inhabitants: count 0 stays 0, the average household size is '.'
    assert _value(denhaag, "WK051801", "inhabitants") == 0.0
    assert math.isnan(_value(denhaag, "WK051801", "avg_household_size"))


def test_units_as_cbs_gives_them(denhaag, kwb2024):
    units = denhaag.stats.drop_duplicates("concept").set_index("concept")["unit"]
    assert units["inhabitants"] == "aantal"
    assert units["pct_corporation"] == "%"
    assert units["avg_woz"] == "x 1 000 euro"
    assert units["pct_low_income_households"] == "%"
    u24 = kwb2024.stats.drop_duplicates("concept").set_index("concept")["unit"]
    props = {d["Key"]: d for d in json.loads(PROPS.read_text(encoding="utf-8"))}
    assert u24["land_area_ha"] == props["OppervlakteLand_123"]["Unit"] == "ha"
    assert u24["dwellings"] == props["Woningvoorraad_35"]["Unit"] == "aantal"


def test_amsterdam_levels():
    t = read_kwb(AMSTERDAM)
    counts = t.areas["level"].value_counts().to_dict()
    assert counts == {"gemeente": 1, "wijk": 99, "buurt": 479}
    gm = next(r for r in _csv_rows(AMSTERDAM) if r["WijkenEnBuurten"].strip() == "GM0363")
    assert _value(t, "GM0363", "inhabitants") == float(gm["AantalInwoners_5"]) == 862965


def test_wide_by_level(denhaag):
    w = denhaag.wide("buurt")
    assert len(w) == 114 and set(w["level"]) == {"buurt"}
    assert list(w.columns[:6]) == ["code", "name", "level", "parent", "gemeente_code", "year"]
    with pytest.raises(InputError, match="unknown level"):
        denhaag.wide("provincie")


# -- CBS Excel release 2023 ------------------------------------------------------
def test_utrecht_excel():
    t = read_kwb(UTRECHT)
    assert t.year == 2023 and t.table_id == "85618NED"
    counts = t.areas["level"].value_counts().to_dict()
    assert counts == {"gemeente": 1, "wijk": 10, "buurt": 111}
    # meanings checked against CBS "Toelichting variabelen KWB 2023":
    # p_hh_li = 40% huishoudens met laagste inkomen, p_hh_lkk = met een laag inkomen
    assert t.columns["pct_low_income_households"] == "p_hh_lkk"
    assert t.columns["pct_households_lowest_40"] == "p_hh_li"
    assert t.columns["pct_households_social_minimum"] == "p_hh_osm"
    assert t.columns["pct_corporation"] == "p_wcorpw"
    assert t.columns["avg_woz"] == "g_wozbag"
    assert t.columns["bijstand_persons"] == "a_soz_wb"
    assert t.columns["origin_netherlands"] == "a_nl_all"
    assert set(t.columns) == set(CONCEPTS) - MIGR

    ws = openpyxl.load_workbook(UTRECHT, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    by_code = {r[head.index("gwb_code")]: r for r in rows[1:] if r[0] is not None}
    gm = by_code["GM0344"]
    # read off the workbook by hand: a_inw 367947, a_hh 187640, a_woning 165400,
    # p_wcorpw 31, g_wozbag 458, a_nl_all '222298' (stored as text)
    assert _value(t, "GM0344", "inhabitants") == gm[head.index("a_inw")] == 367947
    assert _value(t, "GM0344", "households") == gm[head.index("a_hh")] == 187640
    assert _value(t, "GM0344", "dwellings") == gm[head.index("a_woning")] == 165400
    assert _value(t, "GM0344", "pct_corporation") == gm[head.index("p_wcorpw")] == 31
    assert _value(t, "GM0344", "avg_woz") == gm[head.index("g_wozbag")] == 458
    assert _value(t, "GM0344", "origin_netherlands") == float(gm[head.index("a_nl_all")])
    assert gm[head.index("a_nl_all")] == "222298"
    # every income cell of this release is '.' → NaN for every area
    income = ["pct_low_income_households", "pct_households_lowest_40", "avg_income_per_inhabitant"]
    for c in income:
        key = t.columns[c]
        assert {r[head.index(key)] for r in by_code.values()} == {"."}
        assert t.stats.loc[t.stats["concept"] == c, "value"].isna().all()
        assert (t.stats["concept"] == c).sum() == 122
    # names come from 'regio'
    names = dict(zip(t.areas["code"], t.areas["name"], strict=True))
    for code, r in by_code.items():
        assert names[code] == r[head.index("regio")].strip()


# -- OData JSON 2024 -------------------------------------------------------------
def test_2024_json_object_keyed_by_code(kwb2024, raw2024):
    counts = kwb2024.areas["level"].value_counts().to_dict()
    assert counts == {"gemeente": 342, "wijk": 3393}
    assert kwb2024.year == 2024 and kwb2024.table_id == "85984NED"
    assert kwb2024.columns["dwellings"] == "Woningvoorraad_35"
    assert kwb2024.columns["inhabitants"] == "AantalInwoners_5"
    assert kwb2024.columns["land_area_ha"] == "OppervlakteLand_123"
    wide = kwb2024.wide().set_index("code")
    for code, rec in raw2024.items():
        for concept, key in kwb2024.columns.items():
            v = rec[key]
            assert _same(float(wide.at[code, concept]), math.nan if v is None else float(v))
    assert _value(kwb2024, "GM1680", "inhabitants") == 25845  # by hand: first record


def _renumber(key, by):
    m = re.match(r"^(.*)_(\d+)$", key)
    return f"{m.group(1)}_{int(m.group(2)) + by}" if m else key


def _copy_2024(tmp_path, rename):
    props = json.loads(PROPS.read_text(encoding="utf-8"))
    for d in props:
        if d.get("Type") == "Topic":
            d["Key"] = rename(d["Key"])
    recs = json.loads(SEL.read_text(encoding="utf-8"))
    recs = {code: {rename(k): v for k, v in rec.items()} for code, rec in recs.items()}
    (tmp_path / PROPS.name).write_text(json.dumps(props), encoding="utf-8")
    (tmp_path / SEL.name).write_text(json.dumps(recs), encoding="utf-8")
    shutil.copy(INFOS, tmp_path / INFOS.name)
    return read_kwb(tmp_path / SEL.name)


def _values(table):
    s = table.stats.sort_values(["area_code", "concept"])
    return list(zip(s["area_code"], s["concept"], s["value"].fillna(-1.0), strict=True))


def test_renumbered_suffixes_give_the_same_values(tmp_path, kwb2024):
    t = _copy_2024(tmp_path, lambda k: _renumber(k, 7))
    assert t.columns["dwellings"] == "Woningvoorraad_42"
    assert t.columns["inhabitants"] == "AantalInwoners_12"
    assert set(t.columns) == set(kwb2024.columns)
    assert _values(t) == _values(kwb2024)


def test_metadata_resolves_by_title_not_by_key(tmp_path, kwb2024):
    # keys that share nothing with the CBS keys: only the titles can find them
    t = _copy_2024(tmp_path, _opaque)
    assert t.columns["dwellings"] == _opaque("Woningvoorraad_35")
    assert set(t.columns) == set(kwb2024.columns)
    assert _values(t) == _values(kwb2024)


def _opaque(key):
    if not re.search(r"_\d+$", key):
        return key
    return "X" + hashlib.sha1(key.encode()).hexdigest()[:8]


def _origin_folder(folder, props):
    """An OData folder with the 2024 metadata and two records with origin columns."""
    folder.mkdir()
    keys = [
        "Nederland_17",
        "EuropaExclusiefNederland_18",
        "BuitenEuropa_19",
        "Nederland_20",
        "EuropaExclusiefNederland_21",
        "BuitenEuropa_22",
        "EuropaExclusiefNederland_23",
        "BuitenEuropa_24",
        "AantalInwoners_5",
    ]
    recs = [
        {"ID": 0, "WijkenEnBuurten": "GM0518    ", **{k: 100 + i for i, k in enumerate(keys)}},
        {"ID": 1, "WijkenEnBuurten": "WK051801  ", **{k: 200 + i for i, k in enumerate(keys)}},
    ]
    (folder / "TypedDataSet.json").write_text(json.dumps(recs), encoding="utf-8")
    (folder / "DataProperties.json").write_text(json.dumps(props), encoding="utf-8")
    shutil.copy(INFOS, folder / "TableInfos.json")
    dim = [
        {"Key": "GM0518    ", "Title": "'s-Gravenhage"},
        {"Key": "WK051801  ", "Title": "Wijk 01"},
    ]
    (folder / "WijkenEnBuurten.json").write_text(json.dumps(dim), encoding="utf-8")


def test_odata_folder_disambiguates_titles_by_group(tmp_path):
    props = json.loads(PROPS.read_text(encoding="utf-8"))
    _origin_folder(tmp_path / "f", props)
    t = read_kwb_odata_folder(tmp_path / "f")
    assert t.year == 2024 and t.table_id == "85984NED"
    assert t.columns["origin_netherlands"] == "Nederland_17"
    assert t.columns["origin_europe"] == "EuropaExclusiefNederland_18"
    assert t.columns["born_nl_origin_europe"] == "EuropaExclusiefNederland_21"
    assert t.columns["born_nl_origin_outside_europe"] == "BuitenEuropa_22"
    assert t.columns["born_abroad_europe"] == "EuropaExclusiefNederland_23"
    assert t.columns["born_abroad_outside_europe"] == "BuitenEuropa_24"
    assert _value(t, "WK051801", "born_nl_origin_outside_europe") == 205  # 200 + index 5
    assert dict(zip(t.areas["code"], t.areas["name"], strict=True)) == {
        "GM0518": "'s-Gravenhage",
        "WK051801": "Wijk 01",
    }
    # read_kwb dispatches a folder to the same reader
    assert _values(read_kwb(tmp_path / "f")) == _values(t)

    # without the group path the titles are ambiguous: left unresolved, never guessed
    flat = [dict(d, ParentID=None) for d in props]
    _origin_folder(tmp_path / "g", flat)
    u = read_kwb(tmp_path / "g")
    assert "origin_netherlands" not in u.columns
    assert "Nederland_17" in u.unresolved["origin_netherlands"]
    assert "Nederland_20" in u.unresolved["origin_netherlands"]
    assert u.columns["inhabitants"] == "AantalInwoners_5"


# -- stems without metadata --------------------------------------------------------
def _write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL).writerows([header, *rows])
    return path


def test_repeated_stems_by_position_or_unresolved(tmp_path):
    keys = [
        "Nederland_17",
        "EuropaExclusiefNederland_18",
        "BuitenEuropa_19",
        "Nederland_20",
        "EuropaExclusiefNederland_21",
        "BuitenEuropa_22",
        "EuropaExclusiefNederland_23",
        "BuitenEuropa_24",
    ]
    header = ["WijkenEnBuurten", *keys]
    p = _write_csv(tmp_path / "kwb-2024_85984NED.csv", header, [["GM0518", *map(str, range(8))]])
    t = read_kwb(p)
    assert t.columns["origin_netherlands"] == "Nederland_17"
    assert t.columns["born_nl_origin_europe"] == "EuropaExclusiefNederland_21"
    assert t.columns["born_abroad_outside_europe"] == "BuitenEuropa_24"
    assert _value(t, "GM0518", "born_abroad_outside_europe") == 7

    # one 'Nederland' where two are expected: which one is it? -> unresolved
    header = ["WijkenEnBuurten", "Nederland_20", "Koopwoningen_40", "Koopwoningen_41"]
    p = _write_csv(tmp_path / "kwb-2024_85984NED.csv", header, [["GM0518", "1", "2", "3"]])
    t = read_kwb(p)
    assert "origin_netherlands" not in t.columns
    assert "expected 2" in t.unresolved["origin_netherlands"]
    # a stem expected once that occurs twice is not silently taken either
    assert "pct_owner_occupied" not in t.columns
    assert "Koopwoningen_41" in t.unresolved["pct_owner_occupied"]


# -- cbsodata ------------------------------------------------------------------------
class FakeCbs:
    """Stands in for the cbsodata module: get_data puts names in WijkenEnBuurten."""

    def __init__(self, raw):
        self.calls = []
        self.records = []
        for i, (code, rec) in enumerate(raw.items()):
            level = {"GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}[code[:2]]
            self.records.append(
                {
                    "ID": i,
                    "WijkenEnBuurten": f"Gebied {code.lower()}",
                    "Gemeentenaam_1": "Naam".ljust(40),
                    "SoortRegio_2": level.ljust(10),
                    "Codering_3": code.ljust(10),
                    **rec,
                }
            )
        self.meta = {
            "DataProperties": json.loads(PROPS.read_text(encoding="utf-8")),
            "TableInfos": json.loads(INFOS.read_text(encoding="utf-8")),
        }

    def get_data(self, table_id, typed=False, filters=None, **kw):
        self.calls.append(("get_data", table_id, filters))
        return [dict(r) for r in self.records]

    def get_meta(self, table_id, name):
        self.calls.append(("get_meta", table_id, name))
        return self.meta[name]


def test_online_with_fake_client(raw2024):
    fake = FakeCbs(raw2024)
    t = read_kwb_online("85984NED", gemeente="GM0518", client=fake)
    expected_codes = [c for c in raw2024 if c[2:6] == "0518"]
    assert list(t.areas["code"]) == expected_codes
    assert len(expected_codes) == 45  # 1 gemeente + 44 wijken (by hand from the JSON)
    assert list(t.areas["name"]) == [f"Gebied {c.lower()}" for c in expected_codes]
    assert t.year == 2024 and t.table_id == "85984NED"
    assert t.source == "cbsodata:85984NED#GM0518"
    assert t.columns["inhabitants"] == "AantalInwoners_5"
    for code in expected_codes:
        assert _value(t, code, "dwellings") == raw2024[code]["Woningvoorraad_35"]
    data_calls = [c for c in fake.calls if c[0] == "get_data"]
    assert data_calls and "GM0518" in data_calls[0][2] and "BU0518" in data_calls[0][2]


def test_online_default_client_is_imported_lazily(monkeypatch, raw2024):
    fake = FakeCbs({k: v for k, v in list(raw2024.items())[:5]})
    module = types.ModuleType("cbsodata")
    module.get_data = fake.get_data
    module.get_meta = fake.get_meta
    monkeypatch.setitem(sys.modules, "cbsodata", module)
    t = read_kwb_online("85984ned")
    assert list(t.areas["code"]) == list(raw2024)[:5]
    assert fake.calls[0] == ("get_data", "85984NED", None)


# -- errors ------------------------------------------------------------------------
def test_bad_value_names_file_row_and_column():
    with pytest.raises(InputError) as exc:
        read_kwb(FIXTURES / "bad_value_kwb-2019_84583NED.csv")
    msg = str(exc.value)
    assert "bad_value_kwb-2019_84583NED.csv, row 2, column 'InBezitWoningcorporatie_42'" in msg
    assert "expected a number or '.'" in msg
    assert "found '    12,5'" in msg


def test_bad_code_and_missing_code_column(tmp_path):
    header = ["WijkenEnBuurten", "AantalInwoners_5"]
    p = _write_csv(tmp_path / "kwb-2019.csv", header, [["GM0518", "1"], ["WK05X801", "2"]])
    with pytest.raises(InputError, match=r"row 2, column 'WijkenEnBuurten'.*'WK05X801'"):
        read_kwb(p)
    p = _write_csv(tmp_path / "kwb-2019.csv", ["Regio", "AantalInwoners_5"], [["GM0518", "1"]])
    with pytest.raises(InputError, match="no area code column"):
        read_kwb(p)


def test_year_and_table_id(tmp_path):
    with pytest.raises(InputError, match="year given differs"):
        read_kwb(DENHAAG, year=2020)
    p = tmp_path / "extract.csv"
    shutil.copy(DENHAAG, p)
    with pytest.raises(InputError, match="unknown KWB year"):
        read_kwb(p)
    t = read_kwb(p, year=2019)
    assert t.table_id == "84583NED" and t.year == 2019


def test_gemeente_filter(raw2024):
    t = read_kwb(SEL, gemeente="0518")
    assert list(t.areas["code"]) == [c for c in raw2024 if c[2:6] == "0518"]
    assert t.source.endswith("#GM0518")
    with pytest.raises(InputError, match="gemeente not in the file"):
        read_kwb(DENHAAG, gemeente="GM0363")


# -- store -------------------------------------------------------------------------
def test_import_twice_changes_nothing():
    store = open_store(":memory:")
    r1 = import_kwb(store, DENHAAG)
    n_concepts = len(CONCEPTS) - len(ORIGIN)
    assert not r1.skipped
    assert r1.rows == {"areas": 159, "area_stats": 159 * n_concepts}
    r2 = import_kwb(store, DENHAAG)
    assert r2.skipped and r2.rows == {}
    assert store.count("areas") == 159
    assert store.count("area_stats") == 159 * n_concepts
    assert store.count("provenance") == 1
    prov = store.read("provenance").iloc[0]
    assert prov["table_id"] == "84583NED" and prov["year"] == 2019
    assert prov["attribution"].startswith("Bron: CBS, Kerncijfers wijken en buurten 2019")
    got = store.read("area_stats", {"area_code": "GM0518", "concept": "inhabitants"})
    assert got["value"].tolist() == [537833.0]
    nan = store.read("area_stats", {"area_code": "WK051801", "concept": "avg_household_size"})
    assert nan["value"].isna().all()  # suppressed stays missing in the store


# -- property: CBS padding and quoting ------------------------------------------------
_number = st.one_of(
    st.integers(-(10**7), 10**7).map(lambda k: (str(k), float(k))),
    st.integers(-(10**6), 10**6).map(
        lambda k: (f"{'-' if k < 0 else ''}{abs(k) // 10}.{abs(k) % 10}", k / 10)
    ),
    st.sampled_from([(".", math.nan), ("", math.nan)]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    buurten=st.lists(st.integers(0, 9999), min_size=1, max_size=6, unique=True),
    data=st.data(),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
    bom=st.booleans(),
    suffixes=st.tuples(st.integers(1, 300), st.integers(1, 300)),
)
def test_padding_and_quoting_round_trip(buurten, data, quoting, bom, suffixes):
    k1, k2 = f"AantalInwoners_{suffixes[0]}", f"HuishoudensMetEenLaagInkomen_{suffixes[1]}"
    rows, expected = [], {}
    for b in buurten:
        code = f"BU0518{b:04d}"
        left, right = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 4))
        cells = []
        for concept in ("inhabitants", "pct_low_income_households"):
            text, value = data.draw(_number)
            cells.append(" " * data.draw(st.integers(0, 10)) + text)
            expected[(code, concept)] = value
        rows.append([" " * left + code + " " * right, *cells])
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "kwb-2019_84583NED.csv"
        with open(p, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            csv.writer(fh, delimiter=";", quoting=quoting).writerows(
                [["WijkenEnBuurten", k1, k2], *rows]
            )
        t = read_kwb(p)
    assert list(t.areas["code"]) == [f"BU0518{b:04d}" for b in buurten]
    assert t.columns == {"inhabitants": k1, "pct_low_income_households": k2}
    for (code, concept), value in expected.items():
        assert _same(_value(t, code, concept), value)
