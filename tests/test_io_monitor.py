"""Tests of wijkmix.io.monitor: reading, checking and storing measured monitor values."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wijkmix.errors import InputError, InputErrors, StoreError
from wijkmix.io.monitor import (
    MONITOR_COLUMNS,
    MONITOR_TABLE,
    import_monitor,
    read_monitor_values,
    values_from_kwb,
    values_from_lbm,
)
from wijkmix.store import file_sha256, open_store, schema

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "examples" / "monitor" / "denhaag_bouwlust_vrederust.csv"
)
NAMES = [c for c, _ in MONITOR_COLUMNS]


@pytest.fixture
def store(monkeypatch):
    """An in-memory store whose schema has the monitor table."""
    monkeypatch.setitem(schema.TABLES, MONITOR_TABLE, MONITOR_COLUMNS)
    s = open_store(":memory:")
    yield s
    s.close()


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# --------------------------------------------------------------------------- reading


def test_read_plain_csv(tmp_path):
    f = _write(
        tmp_path / "m.csv",
        "indicator,area_code,year,value,unit,kind,respondents\n"
        "pct_corporation,WK051833  ,2023,59.5,%,statistiek,\n"
        "tevredenheid_buurt,bu05183387,2023,6.1,rapportcijfer,beleving,112\n"
        "tevredenheid_buurt,BU05183396,2023,,rapportcijfer,beleving,98\n"
        "lbm,GM0518,2022,4.05,score,,\n",
    )
    df = read_monitor_values(f)
    assert list(df.columns) == NAMES
    # the empty value (third data row) produces no row: missing, never zero
    assert df["area_code"].tolist() == ["WK051833", "BU05183387", "GM0518"]
    assert df["level"].tolist() == ["wijk", "buurt", "gemeente"]
    assert df["year"].tolist() == [2023, 2023, 2022]
    assert df["value"].tolist() == [59.5, 6.1, 4.05]
    assert df["kind"].tolist()[:2] == ["statistiek", "beleving"] and pd.isna(df["kind"].iloc[2])
    assert pd.isna(df["respondents"].iloc[0]) and df["respondents"].iloc[1] == 112
    assert df["source"].tolist() == ["m.csv"] * 3
    assert str(df["year"].dtype) == "Int64" and str(df["value"].dtype) == "float64"


def test_read_dutch_csv_with_comments_bom_and_dutch_headers(tmp_path):
    text = (
        "# voorbeeld\n"
        "# nog een opmerking\n"
        "Indicator;Gebied;Niveau;Jaar;Waarde;Eenheid;Soort;Respondenten;Bron\n"
        "sociale_cohesie;BU05183398;buurt;2019;5,3;schaalscore 0-10;beleving;150;Burgerpeiling\n"
        "pct_low_income_households;WK051833;;2023;18,05;%;statistiek;;\n"
        "veiligheidsgevoel;C-17;complex;2023;-1,5e1;%;Beleving;40;Enquête\n"
        ";;;;;;;;\n"
        "verhuisgeneigdheid;BU05183398;buurt;2023;.;%;beleving;150;Burgerpeiling\n"
    )
    f = _write(tmp_path / "nl.csv", "\ufeff" + text)
    df = read_monitor_values(f)
    assert df["indicator"].tolist() == [
        "sociale_cohesie",
        "pct_low_income_households",
        "veiligheidsgevoel",
    ]
    assert df["value"].tolist() == [5.3, 18.05, -15.0]
    assert df["level"].tolist() == ["buurt", "wijk", "complex"]
    assert df["area_code"].tolist() == ["BU05183398", "WK051833", "C-17"]
    assert df["kind"].tolist() == ["statistiek" if i == 1 else "beleving" for i in range(3)]
    assert df["source"].tolist() == ["Burgerpeiling", "nl.csv", "Enquête"]
    assert df["respondents"].tolist()[0] == 150 and df["respondents"].tolist()[2] == 40


def test_every_violation_named_with_row_and_column(tmp_path):
    f = _write(
        tmp_path / "bad.csv",
        "indicator;area_code;year;value;kind;respondents\n"
        "tevredenheid_buurt;BU05183387;2023;6,1;beleving;112\n"  # row 1 fine
        "tevredenheid_buurt;BU05183396;2023;6.8;beleving;98\n"  # row 2: decimal point
        "tevredenheid_buurt;BU05183398;23;6,5;beleving;141\n"  # row 3: year
        "tevredenheid_buurt;BU05183399;2023;7,5;enquete;8\n"  # row 4: kind
        "tevredenheid buurt;BU051833;2023;6,5;beleving;-3\n",  # row 5: 3 problems
    )
    with pytest.raises(InputErrors) as info:
        read_monitor_values(f)
    errs = info.value.errors
    got = [(e.where.file, e.where.row, e.where.column) for e in errs]
    assert got == [
        ("bad.csv", 2, "value"),
        ("bad.csv", 3, "year"),
        ("bad.csv", 4, "kind"),
        ("bad.csv", 5, "indicator"),
        ("bad.csv", 5, "area_code"),
        ("bad.csv", 5, "respondents"),
    ]
    assert errs[0].found == "6.8" and "decimal comma" in errs[0].expected
    assert errs[1].found == "23"
    assert errs[2].found == "enquete" and "statistiek" in errs[2].expected
    msg = str(info.value)
    assert msg.startswith("6 problems in bad.csv; nothing was imported:")
    assert "invalid number in bad.csv, row 2, column 'value'" in msg
    assert "invalid area code in bad.csv, row 5, column 'area_code'" in msg


def test_decimal_comma_in_plain_csv_is_an_error(tmp_path):
    f = _write(tmp_path / "p.csv", 'indicator,area_code,year,value\nlbm,WK051833,2020,"4,1"\n')
    with pytest.raises(InputError, match=r"p.csv, row 1, column 'value'.*decimal point"):
        read_monitor_values(f)
    # with the decimal mark given explicitly it reads
    assert read_monitor_values(f, decimal=",")["value"].tolist() == [4.1]


def test_limit_stops_collecting(tmp_path):
    rows = "".join(f"lbm,WK051833,{2000 + i},x\n" for i in range(6))
    f = _write(tmp_path / "many.csv", "indicator,area_code,year,value\n" + rows)
    with pytest.raises(InputErrors) as info:
        read_monitor_values(f, limit=3)
    assert len(info.value.errors) == 3 and info.value.truncated
    assert [e.where.row for e in info.value.errors] == [1, 2, 3]
    assert "or more" in str(info.value)


def test_header_problems(tmp_path):
    f = _write(tmp_path / "h.csv", "indicator;gebied;waarde;opmerking\nlbm;WK051833;4,1;x\n")
    with pytest.raises(InputErrors) as info:
        read_monitor_values(f)
    got = [(e.what, e.where.row, e.where.column) for e in info.value.errors]
    assert got == [("unknown column", 0, "opmerking"), ("missing column", 0, "year")]
    g = _write(
        tmp_path / "g.csv", "indicator;gebied;jaar;waarde;opmerking\nlbm;WK051833;2020;4,1;x\n"
    )
    assert read_monitor_values(g, extra="ignore")["value"].tolist() == [4.1]


def test_duplicate_and_level_rules(tmp_path):
    f = _write(
        tmp_path / "d.csv",
        "indicator,area_code,level,year,value\n"
        "lbm,WK051833,,2020,4.1\n"
        "lbm,WK051833,,2020,4.2\n"  # row 2: duplicate of row 1
        "lbm,BU05183387,wijk,2020,4.0\n"  # row 3: level does not fit the code
        "lbm,C-17,,2020,4.0\n"  # row 4: own id without level
        "lbm,C-18,blok,2020,4.0\n",  # row 5: unknown level
    )
    with pytest.raises(InputErrors) as info:
        read_monitor_values(f)
    errs = info.value.errors
    assert [(e.what, e.where.row, e.where.column) for e in errs] == [
        ("duplicate measurement", 2, "area_code"),
        ("level does not match the area code", 3, "level"),
        ("missing value", 4, "level"),
        ("unknown level", 5, "level"),
    ]
    assert "row 1" in errs[0].expected
    assert errs[1].found == "wijk" and "'buurt'" in errs[1].expected


def test_malformed_row_and_empty_file(tmp_path):
    f = _write(tmp_path / "m.csv", "indicator,area_code,year,value\nlbm,WK051833,2020,4,1\n")
    with pytest.raises(
        InputError, match=r"malformed row in m.csv, row 1.*4 fields.*found '5 fields'"
    ):
        read_monitor_values(f)
    e = _write(tmp_path / "e.csv", "# alleen een opmerking\n\n")
    with pytest.raises(InputError, match=r"empty file in e\.csv, row 0"):
        read_monitor_values(e)
    h = _write(tmp_path / "only_header.csv", "indicator,area_code,year,value\n")
    with pytest.raises(InputError, match=r"no values in only_header\.csv"):
        read_monitor_values(h)
    with pytest.raises(InputError, match="file not found"):
        read_monitor_values(tmp_path / "absent.csv")
    b = tmp_path / "latin1.csv"
    b.write_bytes(
        "indicator;gebied;jaar;waarde;bron\nlbm;WK051833;2020;4,1;Enquête\n".encode("latin-1")
    )
    with pytest.raises(InputError, match="not UTF-8"):
        read_monitor_values(b)


# --------------------------------------------------------------------------- storing


def test_import_then_import_again_is_skipped(store, tmp_path):
    f = _write(
        tmp_path / "v.csv",
        "indicator;gebied;jaar;waarde;soort;respondenten\n"
        "tevredenheid_buurt;BU05183387;2023;6,1;beleving;112\n"
        "tevredenheid_buurt;BU05183396;2023;6,8;beleving;98\n",
    )
    r1 = import_monitor(store, f)
    assert not r1.skipped and r1.kind == "monitor" and r1.rows == {MONITOR_TABLE: 2}
    assert r1.sha256 == file_sha256(f)
    r2 = import_monitor(store, f)
    assert r2.skipped and r2.rows == {}
    assert store.count(MONITOR_TABLE) == 2
    prov = store.read("provenance")
    assert prov["kind"].tolist() == ["monitor"] and prov["year"].tolist() == [2023]
    got = store.read(MONITOR_TABLE).sort_values("area_code")
    assert got["value"].tolist() == [6.1, 6.8]
    assert got["respondents"].tolist() == [112, 98]
    assert got["source"].tolist() == ["v.csv", "v.csv"]


def test_later_import_replaces_same_indicator_area_year(store, tmp_path):
    a = _write(
        tmp_path / "a.csv",
        "indicator,area_code,year,value\n"
        "lbm,WK051833,2020,4.1\n"
        "lbm,WK051833,2022,4.2\n"
        "lbm,WK051834,2022,3.9\n",
    )
    b = _write(tmp_path / "b.csv", "indicator,area_code,year,value\nlbm,WK051833,2022,4.25\n")
    import_monitor(store, a)
    r = import_monitor(store, b)
    assert r.rows == {MONITOR_TABLE: 1}
    got = store.read(MONITOR_TABLE).sort_values(["area_code", "year"])
    assert list(zip(got["area_code"], got["year"], got["value"], got["source"], strict=True)) == [
        ("WK051833", 2020, 4.1, "a.csv"),
        ("WK051833", 2022, 4.25, "b.csv"),
        ("WK051834", 2022, 3.9, "a.csv"),
    ]


def test_bad_file_leaves_store_unchanged(store, tmp_path):
    good = _write(tmp_path / "g.csv", "indicator,area_code,year,value\nlbm,WK051833,2022,4.2\n")
    import_monitor(store, good)
    bad = _write(
        tmp_path / "b.csv",
        "indicator,area_code,year,value\nlbm,WK051833,2022,4.3\nlbm,WK051833,20x2,4.3\n",
    )
    with pytest.raises(InputErrors, match="row 2, column 'year'"):
        import_monitor(store, bad)
    assert store.read(MONITOR_TABLE)["value"].tolist() == [4.2]
    assert store.count("provenance") == 1


def test_store_without_monitor_table(monkeypatch):
    monkeypatch.delitem(schema.TABLES, MONITOR_TABLE, raising=False)
    s = open_store(":memory:")
    with pytest.raises(StoreError, match="no table monitor_values"):
        import_monitor(s, EXAMPLE)


# --------------------------------------------------------------------------- other tables


def test_values_from_kwb_maps_rows():
    stats = pd.DataFrame(
        {
            "area_code": ["WK051833", "BU05183387", "BU05183399", "GM0518"],
            "level": ["wijk", "buurt", "buurt", "gemeente"],
            "year": [2019, 2019, 2019, 2019],
            "concept": ["pct_corporation", "pct_low_income_households", "pct_corporation", "x_own"],
            "value": [62.0, 21.7, np.nan, 5.0],
            "unit": [None, "%", "%", None],
            "source": ["kwb.csv", None, "kwb.csv", "kwb.csv"],
        }
    )
    out = values_from_kwb(stats)
    assert list(out.columns) == NAMES
    rows = list(
        zip(
            out["indicator"], out["area_code"], out["level"], out["year"], out["value"], strict=True
        )
    )
    assert rows == [
        ("pct_corporation", "WK051833", "wijk", 2019, 62.0),
        ("pct_low_income_households", "BU05183387", "buurt", 2019, 21.7),
        ("x_own", "GM0518", "gemeente", 2019, 5.0),
    ]
    # unit: the row's, else the concept's (pct_corporation is '%'), else missing
    assert out["unit"].tolist()[:2] == ["%", "%"] and pd.isna(out["unit"].iloc[2])
    assert out["kind"].tolist() == ["statistiek"] * 3
    assert out["source"].tolist() == ["kwb.csv", "CBS KWB", "kwb.csv"]
    assert out["respondents"].isna().all()


def test_values_from_lbm_maps_rows():
    lbm = pd.DataFrame(
        {
            "area_code": ["WK036379", "WK036379", "WK036379", "WK036380"],
            "level": ["wijk"] * 4,
            "year": [2020, 2016, 2016, 2020],
            "version": ["3", "2", "2", "3"],
            "indicator": ["lbm", "class", "dev_class_12_16", "afw"],
            "value": [4.01, 5.0, 4.0, np.nan],
            "source": [None, "lbm2.xlsx", None, None],
        }
    )
    out = values_from_lbm(lbm)
    assert out["indicator"].tolist() == ["lbm", "class", "dev_class_12_16"]
    assert out["value"].tolist() == [4.01, 5.0, 4.0]
    assert out["year"].tolist() == [2020, 2016, 2016]
    assert out["unit"].tolist() == ["score", "klasse 1-9", "ontwikkelklasse 1-7"]
    assert out["source"].tolist() == ["Leefbaarometer 3", "lbm2.xlsx", "Leefbaarometer 2"]
    assert out["kind"].tolist() == ["statistiek"] * 3


def test_values_from_tables_need_their_columns():
    with pytest.raises(InputError, match="column 'concept'"):
        values_from_kwb(pd.DataFrame({"area_code": [], "level": [], "year": [], "value": []}))
    with pytest.raises(InputError, match="column 'indicator'"):
        values_from_lbm(pd.DataFrame({"area_code": [], "level": [], "year": [], "value": []}))
    empty = values_from_lbm(
        pd.DataFrame({"area_code": [], "level": [], "year": [], "indicator": [], "value": []})
    )
    assert list(empty.columns) == NAMES and empty.empty


# --------------------------------------------------------------------------- the example


def test_example_is_labelled_and_uses_real_codes(store):
    head = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert "VOORBEELD" in head and "GEEN echte metingen" in head
    df = read_monitor_values(EXAMPLE)
    assert set(df["source"]) == {"voorbeeld"}
    # every code exists in the shipped KWB 2019 extract of Den Haag
    kwb = resources.files("wijkmix") / "data" / "kwb" / "denhaag_kwb-2019_84583NED_statline.csv"
    with kwb.open(encoding="utf-8-sig") as fh:
        codes = {row[1].strip() for row in csv.reader(fh, delimiter=";")}
    assert set(df["area_code"]) == {
        "WK051833",
        "BU05183387",
        "BU05183396",
        "BU05183398",
        "BU05183399",
    }
    assert set(df["area_code"]) <= codes
    geo = resources.files("wijkmix") / "data" / "geo" / "buurt_2019_GM0518.geojson"
    names = {
        f["properties"]["statcode"]: f["properties"]["statnaam"]
        for f in json.loads(geo.read_text(encoding="utf-8"))["features"]
    }
    assert names["BU05183399"] == "De Uithof"
    stat = df[df["kind"] == "statistiek"]
    assert set(stat["indicator"]) == {"pct_corporation", "pct_low_income_households"}
    assert set(stat["year"]) == {2023}
    bel = df[df["kind"] == "beleving"]
    assert set(bel["indicator"]) == {
        "tevredenheid_buurt",
        "sociale_cohesie",
        "veiligheidsgevoel",
        "verhuisgeneigdheid",
    }
    assert set(bel["year"]) == {2019, 2023} and bel["respondents"].notna().all()
    r = import_monitor(store, EXAMPLE)
    assert r.rows == {MONITOR_TABLE: len(df)} == {MONITOR_TABLE: 50}
