"""Tests of wijkmix.io.registers: reading, checking and storing registers."""

from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkmix.errors import InputError, InputErrors
from wijkmix.io.registers import (
    DWELLING_SPECS,
    HOUSEHOLD_SPECS,
    RegisterSet,
    import_registers,
    read_dwellings,
    read_households,
    read_registers,
    registers_sha256,
    store_registers,
    validate_dwellings,
    validate_households,
)
from wijkmix.store import TABLES, file_sha256, open_store
from wijkmix.store.schema import DWELLING_COLUMNS, HOUSEHOLD_COLUMNS

# ---------------------------------------------------------------------------
# generated registers

#: gemeente → wijk → buurten (with the letter codes Amsterdam uses since 2023)
AREAS = {
    "GM0518": {"WK051801": ["BU05180170", "BU05180171"], "WK0518AB": ["BU0518AB01"]},
    "GM0363": {"WK036301": ["BU03630101"], "WK0363AF": ["BU0363AF01", "BU0363AF02"]},
}
REGIO = {"GM0518": "Haaglanden", "GM0363": "Amsterdam"}
SIZE_RANGE = {
    "alleenstaand": (1, 1),
    "paar": (2, 3),
    "paar_met_kinderen": (3, 6),
    "eenouder": (2, 4),
    "overig": (2, 4),
}


def make_registers(
    rng: np.random.Generator, n: int = 30, gemeente: str = "GM0518", prefix: str = "D"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Valid typed registers: n dwellings and a household in most occupied ones."""
    units = [(wk, bu) for wk, bus in AREAS[gemeente].items() for bu in bus]
    rows = []
    for i in range(n):
        wk, bu = units[rng.integers(len(units))]
        owner = str(rng.choice(["corporatie", "particuliere_verhuurder", "eigenaar_bewoner"]))
        if owner in ("corporatie", "particuliere_verhuurder"):
            segment = str(rng.choice(["sociale_huur", "middenhuur", "vrije_huur"]))
        else:
            segment = str(rng.choice(["koop_betaalbaar", "koop_duur"]))
        rental = owner != "eigenaar_bewoner"
        complex_code = f"{prefix}C{bu[-4:]}-{rng.integers(2)}" if rental else None
        portiek = f"{complex_code}-P{rng.integers(2)}" if complex_code else None
        rows.append(
            {
                "dwelling_id": f"{prefix}{i:05d}",
                "regio_code": REGIO[gemeente],
                "gemeente_code": gemeente,
                # some rows leave the wijk empty: it is derived from the buurt
                "wijk_code": wk if rng.random() < 0.8 else None,
                "buurt_code": bu,
                "straat_code": f"S{rng.integers(5)}",
                "complex_code": complex_code,
                "portiek_code": portiek,
                "owner": owner,
                "segment": segment,
                "rent": round(float(rng.uniform(400, 1400)), 2) if rental else np.nan,
                "woz_value": float(rng.integers(150, 600)) * 1000 if rng.random() < 0.9 else np.nan,
                "rooms": int(rng.integers(1, 7)),
                "floor_area": round(float(rng.uniform(30, 150)), 1),
                "build_year": int(rng.integers(1900, 2024)),
                "wws_points": round(float(rng.uniform(100, 220)), 1) if rental else np.nan,
                "status": "bewoond" if rng.random() < 0.85 else "leeg",
            }
        )
    dw = pd.DataFrame(rows)
    hh_rows = []
    for i, d in enumerate(dw.itertuples()):
        if d.status != "bewoond" or rng.random() < 0.1:
            continue
        htype = str(rng.choice(list(SIZE_RANGE)))
        lo, hi = SIZE_RANGE[htype]
        ym = int(rng.integers(0, 40))

        def flag() -> bool | None:
            return None if rng.random() < 0.1 else bool(rng.random() < 0.3)

        hh_rows.append(
            {
                "household_id": f"{prefix}H{i:05d}",
                "dwelling_id": d.dwelling_id,
                "size": int(rng.integers(lo, hi + 1)),
                "type": htype,
                "age_head": int(rng.integers(18, 95)),
                "income": round(float(rng.normal(38000, 20000)), 0),
                "income_source": str(rng.choice(["werk", "uitkering", "pensioen", "studie"])),
                "vulnerable_care": flag(),
                "statushouder": flag(),
                "urgent": flag(),
                "years_in_dwelling": int(rng.integers(0, ym + 1)),
                "years_in_municipality": ym,
                "crucial_profession": flag(),
                "registration_years": round(float(rng.uniform(0, 15)), 1),
            }
        )
    return dw, pd.DataFrame(hh_rows)


def expected_typed(dw: pd.DataFrame, hh: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The typed frames the reader must return for generated registers."""
    dw = dw.copy()
    derived = "WK" + dw["buurt_code"].str[2:8]
    dw["wijk_code"] = dw["wijk_code"].where(dw["wijk_code"].notna(), derived)
    out_dw = pd.DataFrame(
        {
            c: dw[c].astype({"TEXT": "str", "BIGINT": "Int64", "DOUBLE": "float64"}[t])
            for c, t in DWELLING_COLUMNS
            if c != "source"
        }
    )
    types = {"TEXT": "str", "BIGINT": "Int64", "DOUBLE": "float64", "BOOLEAN": "boolean"}
    out_hh = pd.DataFrame(
        {c: hh[c].astype(types[t]) for c, t in HOUSEHOLD_COLUMNS if c != "source"}
    )
    return out_dw, out_hh


TRUE_TEXT = ["ja", "J", "waar", "TRUE", "1"]
FALSE_TEXT = ["nee", "n", "Onwaar", "false", "0"]


def render(frame: pd.DataFrame, *, dutch: bool, seed: int) -> pd.DataFrame:
    """Write a typed frame as text cells, the way a user's file holds them."""
    rng = np.random.default_rng(seed)
    out = {}
    for c in frame.columns:
        cells = []
        for v in frame[c].tolist():
            if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
                cells.append("")
            elif isinstance(v, bool):
                cells.append(str(rng.choice(TRUE_TEXT if v else FALSE_TEXT)))
            elif isinstance(v, float):
                text = f"{v:.10g}"
                cells.append(text.replace(".", ",") if dutch else text)
            else:
                cells.append(str(v))
        out[c] = cells
    return pd.DataFrame(out, dtype=object)


def write_csv(text: pd.DataFrame, path: Path, *, dutch: bool, bom: bool = False) -> Path:
    text.to_csv(
        path, sep=";" if dutch else ",", index=False, encoding="utf-8-sig" if bom else "utf-8"
    )
    return path


def store_checksum(store) -> tuple[dict[str, int], str]:
    """Row counts and a digest of the contents of every table."""
    counts, h = {}, hashlib.sha256()
    for table, cols in TABLES.items():
        names = ", ".join(c for c, _ in cols)
        frame = store.query(f"SELECT {names} FROM {table} ORDER BY ALL")
        counts[table] = len(frame)
        h.update(table.encode())
        h.update(frame.to_csv(index=False).encode())
    return counts, h.hexdigest()


BASE_DW, BASE_HH = make_registers(np.random.default_rng(20240611), n=30)
OTHER_DW, OTHER_HH = make_registers(np.random.default_rng(7), n=12, gemeente="GM0363", prefix="A")


# ---------------------------------------------------------------------------
# hand-made files with values checked by hand

DW_HEADER = (
    "dwelling_id,regio_code,gemeente_code,wijk_code,buurt_code,straat_code,complex_code,"
    "portiek_code,owner,segment,rent,woz_value,rooms,floor_area,build_year,wws_points,status"
)
HH_HEADER = (
    "household_id,dwelling_id,size,type,age_head,income,income_source,vulnerable_care,"
    "statushouder,urgent,years_in_dwelling,years_in_municipality,crucial_profession,"
    "registration_years"
)
DW_CSV = (
    DW_HEADER
    + """
0518000000000001,Haaglanden,GM0518,WK051801,BU05180170,S1,C1,C1-A,corporatie,sociale_huur,612.50,189000,3,62.5,1965,141.5,bewoond
0518000000000002,Haaglanden,,,BU0518AB01,S2,,,Eigenaar_Bewoner,Koop duur,,455000,5,131,2001,,bewoond
0518000000000003,Haaglanden,GM0518,WK051801,BU05180171,S1,C2,C2-A,particuliere_verhuurder,vrije_huur,1450,320000,4,95.25,2019,,leeg
"""
)
HH_CSV = (
    HH_HEADER
    + """
H1,0518000000000001,1,alleenstaand,67,21500.5,pensioen,nee,N,0,12,40,onwaar,
H2,0518000000000002,4,paar_met_kinderen,41,-2500,werk,,WAAR,false,3,3,ja,7.5
"""
)


def _dutch(text: str) -> str:
    """The same table as Dutch CSV: ';' separator, decimal comma."""
    out = []
    for line in text.splitlines():
        cells = line.split(",")
        cells = [
            c.replace(".", ",") if c.replace(".", "").lstrip("-").isdigit() else c for c in cells
        ]
        out.append(";".join(cells))
    return "\n".join(out) + "\n"


def _check_hand_values(dw: pd.DataFrame, hh: pd.DataFrame) -> None:
    assert list(dw.columns) == [c for c, _ in DWELLING_COLUMNS if c != "source"]
    assert list(hh.columns) == [c for c, _ in HOUSEHOLD_COLUMNS if c != "source"]
    assert dw["dwelling_id"].tolist() == [
        "0518000000000001",
        "0518000000000002",
        "0518000000000003",
    ]  # leading zeros kept: ids are text
    assert dw["rent"].iloc[0] == 612.5 and np.isnan(dw["rent"].iloc[1])
    assert dw["rent"].iloc[2] == 1450.0
    assert dw["floor_area"].tolist() == [62.5, 131.0, 95.25]
    assert dw["wws_points"].iloc[0] == 141.5
    assert dw["build_year"].dtype == "Int64" and dw["build_year"].tolist() == [1965, 2001, 2019]
    assert dw["rooms"].tolist() == [3, 5, 4]
    # derived from BU0518AB01
    assert dw["wijk_code"].iloc[1] == "WK0518AB" and dw["gemeente_code"].iloc[1] == "GM0518"
    assert dw["owner"].iloc[1] == "eigenaar_bewoner" and dw["segment"].iloc[1] == "koop_duur"
    assert pd.isna(dw["complex_code"].iloc[1])
    assert hh["income"].tolist() == [21500.5, -2500.0]
    assert hh["size"].tolist() == [1, 4]
    assert hh["vulnerable_care"].iloc[0] is np.False_ or hh["vulnerable_care"].iloc[0] == False  # noqa: E712
    assert pd.isna(hh["vulnerable_care"].iloc[1])
    assert hh["statushouder"].tolist() == [False, True]
    assert hh["urgent"].tolist() == [False, False]
    assert hh["crucial_profession"].tolist() == [False, True]
    assert np.isnan(hh["registration_years"].iloc[0]) and hh["registration_years"].iloc[1] == 7.5
    assert hh["years_in_municipality"].tolist() == [40, 3]


def test_specs_follow_the_store_schema():
    assert [s.name for s in DWELLING_SPECS] == [c for c, _ in DWELLING_COLUMNS if c != "source"]
    assert [s.name for s in HOUSEHOLD_SPECS] == [c for c, _ in HOUSEHOLD_COLUMNS if c != "source"]


def test_csv_values_by_hand(tmp_path):
    (tmp_path / "w.csv").write_text(DW_CSV, encoding="utf-8")
    (tmp_path / "h.csv").write_text(HH_CSV, encoding="utf-8")
    regs = read_registers(tmp_path / "w.csv", tmp_path / "h.csv")
    _check_hand_values(regs.dwellings, regs.households)
    assert regs.dwellings_source == "w.csv" and regs.households_source == "h.csv"


def test_dutch_csv_with_bom_values_by_hand(tmp_path):
    dw_text, hh_text = _dutch(DW_CSV), _dutch(HH_CSV)
    assert "612,50" in dw_text and ";" in dw_text  # really the Dutch flavour
    (tmp_path / "w.csv").write_bytes(b"\xef\xbb\xbf" + dw_text.encode())
    (tmp_path / "h.csv").write_bytes(b"\xef\xbb\xbf" + hh_text.encode())
    dw = read_dwellings(tmp_path / "w.csv")
    hh = read_households(tmp_path / "h.csv", dwellings=dw)
    _check_hand_values(dw, hh)


def test_dutch_file_refuses_a_decimal_point(tmp_path):
    text = _dutch(DW_CSV).replace("612,50", "612.50")
    (tmp_path / "w.csv").write_text(text)
    with pytest.raises(InputError, match=r"row 1, column 'rent'.*decimal comma") as ei:
        read_dwellings(tmp_path / "w.csv")
    assert len(ei.value.errors) == 1 and ei.value.errors[0].found == "612.50"


def test_explicit_separator_and_decimal(tmp_path):
    # tab-separated with decimal comma: not sniffed as Dutch, so given explicitly
    text = _dutch(DW_CSV).replace(";", "\t")
    (tmp_path / "w.tsv").write_text(text)
    dw = read_dwellings(tmp_path / "w.tsv", sep="\t", decimal=",")
    assert dw["rent"].iloc[0] == 612.5 and dw["floor_area"].iloc[2] == 95.25


def test_import_stores_typed_rows(tmp_path):
    (tmp_path / "w.csv").write_text(DW_CSV)
    (tmp_path / "h.csv").write_text(HH_CSV)
    store = open_store(":memory:")
    res = import_registers(store, dwellings=tmp_path / "w.csv", households=tmp_path / "h.csv")
    assert res.rows == {"dwellings": 3, "households": 2} and not res.skipped
    both = f"{file_sha256(tmp_path / 'w.csv')}:{file_sha256(tmp_path / 'h.csv')}"
    assert res.sha256 == hashlib.sha256(both.encode()).hexdigest()
    assert res.sha256 == registers_sha256(tmp_path / "w.csv", tmp_path / "h.csv")
    got = store.read("dwellings").sort_values("dwelling_id").reset_index(drop=True)
    assert got["rent"].iloc[0] == 612.5 and got["wijk_code"].iloc[1] == "WK0518AB"
    assert got["source"].unique().tolist() == ["w.csv + h.csv"]
    hh = store.read("households").sort_values("household_id").reset_index(drop=True)
    assert hh["income"].tolist() == [21500.5, -2500.0]
    assert hh["statushouder"].tolist() == [False, True]
    assert store.count("provenance") == 1
    again = import_registers(store, dwellings=tmp_path / "w.csv", households=tmp_path / "h.csv")
    assert again.skipped and store.count("dwellings") == 3
    # rows read back from the store (with their 'source' column) pass the same check
    back = validate_dwellings(store.read("dwellings"))
    assert back.sort_values("dwelling_id")["rent"].iloc[0] == 612.5


@pytest.mark.parametrize("dutch", [False, True])
def test_generated_registers_round_trip_csv(tmp_path, dutch):
    dw_path = write_csv(render(BASE_DW, dutch=dutch, seed=1), tmp_path / "w.csv", dutch=dutch)
    hh_path = write_csv(render(BASE_HH, dutch=dutch, seed=2), tmp_path / "h.csv", dutch=dutch)
    regs = read_registers(dw_path, hh_path)
    want_dw, want_hh = expected_typed(BASE_DW, BASE_HH)
    pd.testing.assert_frame_equal(regs.dwellings, want_dw)
    pd.testing.assert_frame_equal(regs.households, want_hh)


def test_parquet_keeps_types_and_values(tmp_path):
    BASE_DW.to_parquet(tmp_path / "w.parquet")
    BASE_HH.to_parquet(tmp_path / "h.parquet")
    store = open_store(":memory:")
    res = import_registers(
        store, dwellings=tmp_path / "w.parquet", households=tmp_path / "h.parquet"
    )
    assert res.rows == {"dwellings": len(BASE_DW), "households": len(BASE_HH)}
    want_dw, want_hh = expected_typed(BASE_DW, BASE_HH)
    got_dw = read_dwellings(tmp_path / "w.parquet")
    pd.testing.assert_frame_equal(got_dw, want_dw)
    got_hh = read_households(tmp_path / "h.parquet", dwellings=got_dw)
    pd.testing.assert_frame_equal(got_hh, want_hh)
    stored = store.read("households").sort_values("household_id").reset_index(drop=True)
    first = BASE_HH.sort_values("household_id").iloc[0]
    assert stored["income"].iloc[0] == first["income"]
    assert stored["size"].iloc[0] == first["size"]
    assert stored["dwelling_id"].iloc[0] == first["dwelling_id"]


def test_in_memory_typed_frames_validate():
    dw = validate_dwellings(BASE_DW)
    hh = validate_households(BASE_HH, dwellings=dw)
    want_dw, want_hh = expected_typed(BASE_DW, BASE_HH)
    pd.testing.assert_frame_equal(dw, want_dw)
    pd.testing.assert_frame_equal(hh, want_hh)
    # validating the output again changes nothing
    pd.testing.assert_frame_equal(validate_dwellings(dw), dw)
    pd.testing.assert_frame_equal(validate_households(hh, dwellings=dw), hh)


def test_store_registers_from_memory():
    store = open_store(":memory:")
    regs = RegisterSet(BASE_DW, BASE_HH, "synth dwellings", "synth households")
    res = store_registers(store, regs, source="synth seed 1", sha256="s1")
    assert res.rows == {"dwellings": len(BASE_DW), "households": len(BASE_HH)}
    assert store.read("dwellings")["source"].unique().tolist() == ["synth seed 1"]
    bad = RegisterSet(BASE_DW.assign(rooms=0), BASE_HH, "synth dwellings", "synth households")
    before = store_checksum(store)
    with pytest.raises(InputError, match=r"synth dwellings, row 1, column 'rooms'"):
        store_registers(store, bad, source="synth seed 2", sha256="s2")
    assert store_checksum(store) == before


# ---------------------------------------------------------------------------
# bad input: named, all reported, and nothing written


def _store_with_earlier_import(tmp_path: Path):
    store = open_store(":memory:")
    d = write_csv(render(OTHER_DW, dutch=True, seed=3), tmp_path / "ams_w.csv", dutch=True)
    h = write_csv(render(OTHER_HH, dutch=True, seed=4), tmp_path / "ams_h.csv", dutch=True)
    import_registers(store, dwellings=d, households=h)
    assert store.count("dwellings") == len(OTHER_DW)
    return store


def test_bad_value_in_row_17_changes_nothing(tmp_path):
    store = _store_with_earlier_import(tmp_path)
    before = store_checksum(store)
    text = render(BASE_DW, dutch=False, seed=5)
    text.loc[16, "rent"] = "zeshonderd"  # data row 17 (row 1 = first row after the header)
    d = write_csv(text, tmp_path / "woningen.csv", dutch=False)
    h = write_csv(render(BASE_HH, dutch=False, seed=6), tmp_path / "huishoudens.csv", dutch=False)
    with pytest.raises(InputError, match=r"woningen\.csv, row 17, column 'rent'") as ei:
        import_registers(store, dwellings=d, households=h)
    assert len(ei.value.errors) == 1
    err = ei.value.errors[0]
    assert err.found == "zeshonderd" and err.what == "invalid number"
    assert "nothing was imported" in str(ei.value)
    assert store_checksum(store) == before
    # the line in the file is row 17 + 1 (the header): check the numbering
    lines = d.read_text().splitlines()
    assert "zeshonderd" in lines[17]


def test_every_violation_is_reported(tmp_path):
    text_dw = render(BASE_DW, dutch=False, seed=8)
    text_dw.loc[2, "rooms"] = "2.5"  # row 3: not whole
    text_dw.loc[4, "status"] = "verhuurd"  # row 5: unknown
    text_dw.loc[4, "build_year"] = "1066"  # row 5: before 1200
    text_dw.loc[9, "buurt_code"] = "BU0518"  # row 10: malformed
    text_hh = render(BASE_HH, dutch=False, seed=9)
    text_hh.loc[0, "age_head"] = "12"  # row 1: too young
    text_hh.loc[6, "urgent"] = "misschien"  # row 7
    d = write_csv(text_dw, tmp_path / "w.csv", dutch=False)
    h = write_csv(text_hh, tmp_path / "h.csv", dutch=False)
    with pytest.raises(InputErrors) as ei:
        read_registers(d, h)
    got = [(e.where.file, e.where.row, e.where.column) for e in ei.value.errors]
    assert got == [
        ("w.csv", 3, "rooms"),
        ("w.csv", 5, "build_year"),
        ("w.csv", 5, "status"),
        ("w.csv", 10, "buurt_code"),
        ("h.csv", 1, "age_head"),
        ("h.csv", 7, "urgent"),
    ]
    assert str(ei.value).startswith("6 problems in w.csv and h.csv")


def test_limit_truncates(tmp_path):
    rng = np.random.default_rng(3)
    dw, _ = make_registers(rng, n=150)
    text = render(dw, dutch=False, seed=1)
    text["rooms"] = "0"
    d = write_csv(text, tmp_path / "w.csv", dutch=False)
    with pytest.raises(InputErrors) as ei:
        read_dwellings(d)
    assert len(ei.value.errors) == 100 and ei.value.truncated
    assert [e.where.row for e in ei.value.errors] == list(range(1, 101))
    assert "or more" in str(ei.value)
    with pytest.raises(InputErrors) as ei:
        read_dwellings(d, limit=5)
    assert len(ei.value.errors) == 5


def test_missing_and_unknown_columns(tmp_path):
    text = render(BASE_DW, dutch=False, seed=1).drop(columns=["floor_area"])
    text["kleur"] = "rood"
    d = write_csv(text, tmp_path / "w.csv", dutch=False)
    with pytest.raises(InputErrors) as ei:
        read_dwellings(d)
    errs = ei.value.errors
    assert [(e.what, e.where.column) for e in errs] == [
        ("unknown column", "kleur"),
        ("missing column", "floor_area"),
    ]
    assert "dwelling_id" in errs[0].expected and "extra='ignore'" in str(errs[0].hint)
    text_ok = render(BASE_DW, dutch=False, seed=1).assign(kleur="rood")
    dw = read_dwellings(write_csv(text_ok, tmp_path / "w3.csv", dutch=False), extra="ignore")
    assert "kleur" not in dw.columns and len(dw) == len(BASE_DW)
    # ignoring the extra column still leaves the missing one
    with pytest.raises(InputError, match=r"missing column in w\.csv, column 'floor_area'"):
        read_dwellings(d, extra="ignore")
    # an optional column may be absent
    text2 = render(BASE_DW, dutch=False, seed=1).drop(columns=["wws_points"])
    dw = read_dwellings(write_csv(text2, tmp_path / "w2.csv", dutch=False))
    assert dw["wws_points"].isna().all() and list(dw.columns)[15] == "wws_points"


def _hh_error(hh: pd.DataFrame, dw: pd.DataFrame = BASE_DW) -> InputErrors:
    with pytest.raises(InputErrors) as ei:
        validate_households(hh, dwellings=validate_dwellings(dw), source="hh")
    return ei.value


def test_household_in_missing_dwelling():
    hh = BASE_HH.copy()
    hh.loc[3, "dwelling_id"] = "D99999"
    err = _hh_error(hh)
    assert len(err.errors) == 1
    e = err.errors[0]
    assert (e.what, e.where.row, e.where.column, e.found) == (
        "unknown dwelling",
        4,
        "dwelling_id",
        "D99999",
    )


def test_two_households_in_one_dwelling():
    hh = BASE_HH.copy()
    hh.loc[7, "dwelling_id"] = hh.loc[2, "dwelling_id"]
    err = _hh_error(hh)
    assert len(err.errors) == 1
    e = err.errors[0]
    assert (e.what, e.where.row, e.where.column) == (
        "second household in one dwelling",
        8,
        "dwelling_id",
    )
    assert "row 3" in e.expected


def test_household_in_demolished_dwelling():
    dw = BASE_DW.copy()
    target = BASE_HH.loc[5, "dwelling_id"]
    dw.loc[dw["dwelling_id"] == target, "status"] = "gesloopt"
    err = _hh_error(BASE_HH, dw)
    assert [(e.where.row, e.where.column) for e in err.errors] == [(6, "dwelling_id")]
    assert "status gesloopt" in str(err.errors[0].found)


def test_duplicate_ids():
    dw = BASE_DW.copy()
    dw.loc[11, "dwelling_id"] = dw.loc[4, "dwelling_id"]
    with pytest.raises(InputErrors, match=r"dwelling_id occurs twice in dw, row 12") as ei:
        validate_dwellings(dw, source="dw")
    assert len(ei.value.errors) == 1 and "row 5" in ei.value.errors[0].expected
    hh = BASE_HH.copy()
    hh.loc[9, "household_id"] = hh.loc[0, "household_id"]
    err = _hh_error(hh)
    assert [(e.what, e.where.row) for e in err.errors] == [("household_id occurs twice", 10)]


def test_inconsistent_area_codes():
    dw = BASE_DW.copy()
    i = int(np.flatnonzero(dw["wijk_code"].notna() & (dw["buurt_code"] == "BU05180170"))[0])
    dw.loc[i, "wijk_code"] = "WK0518AB"  # BU05180170 lies in WK051801
    j = int(np.flatnonzero(dw["wijk_code"].notna())[-1])
    dw.loc[j, "gemeente_code"] = "GM0363"
    with pytest.raises(InputErrors) as ei:
        validate_dwellings(dw)
    got = [(e.what, e.where.row, e.where.column) for e in ei.value.errors]
    assert got == [
        ("buurt not in wijk", i + 1, "wijk_code"),
        ("area not in gemeente", j + 1, "gemeente_code"),
    ]
    assert ei.value.errors[0].expected == "WK051801, the wijk of buurt BU05180170"
    assert ei.value.errors[0].found == "WK0518AB"


def test_complex_and_portiek_have_one_parent():
    dw = BASE_DW.copy()
    rows = np.flatnonzero(dw["complex_code"].notna())
    a = int(rows[0])
    same = np.flatnonzero(dw["complex_code"] == dw.loc[a, "complex_code"])
    other = [k for k in range(len(dw)) if dw.loc[k, "buurt_code"] != dw.loc[a, "buurt_code"]]
    b = int(other[-1])
    dw.loc[b, ["complex_code", "portiek_code"]] = [dw.loc[a, "complex_code"], "P-new"]
    dw.loc[b, ["owner", "segment"]] = ["corporatie", "sociale_huur"]
    with pytest.raises(InputErrors) as ei:
        validate_dwellings(dw)
    assert [(e.what, e.where.row, e.where.column) for e in ei.value.errors] == [
        ("complex in two buurten", max(b, int(same[0])) + 1, "buurt_code")
    ]
    # a portiek in two complexes
    dw = BASE_DW.copy()
    cx = dw["complex_code"].dropna().unique()
    p_rows = np.flatnonzero(dw["complex_code"] == cx[0])
    q = int(np.flatnonzero(dw["complex_code"] == cx[1])[0])
    dw.loc[q, "portiek_code"] = dw.loc[int(p_rows[0]), "portiek_code"]
    with pytest.raises(InputErrors) as ei:
        validate_dwellings(dw)
    e = ei.value.errors[0]
    assert len(ei.value.errors) == 1
    assert (e.what, e.where.row, e.where.column) == (
        "portiek in two complexen",
        max(q, int(p_rows[0])) + 1,
        "complex_code",
    )


def test_owner_segment_rules_follow_practice():
    base = BASE_DW.iloc[:3].copy()
    base["complex_code"] = None
    base["portiek_code"] = None
    ok = base.copy()
    # a private landlord may let social rent; a corporation may let middle rent;
    # a vacant koop dwelling may still be held by a corporation that sells it
    ok.loc[0, ["owner", "segment", "status"]] = [
        "particuliere_verhuurder",
        "sociale_huur",
        "bewoond",
    ]
    ok.loc[1, ["owner", "segment", "status"]] = ["corporatie", "middenhuur", "bewoond"]
    ok.loc[2, ["owner", "segment", "status"]] = ["corporatie", "koop_betaalbaar", "leeg"]
    assert len(validate_dwellings(ok)) == 3
    bad = base.copy()
    bad.loc[0, ["owner", "segment", "status"]] = ["eigenaar_bewoner", "vrije_huur", "bewoond"]
    bad.loc[1, ["owner", "segment", "status"]] = ["corporatie", "koop_duur", "bewoond"]
    bad.loc[2, ["owner", "segment", "status"]] = ["corporatie", "sociale_huur", "bewoond"]
    with pytest.raises(InputErrors) as ei:
        validate_dwellings(bad)
    assert [(e.where.row, e.where.column) for e in ei.value.errors] == [
        (1, "segment"),
        (2, "owner"),
    ]


def test_household_rules():
    hh = BASE_HH.copy()
    a = int(np.flatnonzero(hh["type"] == "alleenstaand")[0])
    hh.loc[a, "size"] = 2
    b = int(np.flatnonzero(hh["type"] == "paar_met_kinderen")[0])
    hh.loc[b, "size"] = 2
    c = int(np.flatnonzero(hh["years_in_municipality"] < 30)[0])
    hh.loc[c, "years_in_dwelling"] = int(hh.loc[c, "years_in_municipality"]) + 1
    err = _hh_error(hh)
    got = sorted((e.where.row, e.where.column) for e in err.errors)
    assert got == sorted([(a + 1, "size"), (b + 1, "size"), (c + 1, "years_in_dwelling")])
    # a couple with someone living in (CBS: other member) may count 3; a loss is allowed
    hh = BASE_HH.copy()
    p = int(np.flatnonzero(hh["type"] == "paar")[0])
    hh.loc[p, "size"] = 3
    hh.loc[0, "income"] = -40000.0
    assert validate_households(hh)["income"].iloc[0] == -40000.0
    hh.loc[0, "income"] = -2_000_000.0
    with pytest.raises(InputError, match=r"row 1, column 'income'"):
        validate_households(hh)


def test_new_import_replaces_same_gemeente_only(tmp_path):
    store = _store_with_earlier_import(tmp_path)
    v1 = [
        write_csv(render(BASE_DW, dutch=False, seed=1), tmp_path / "w1.csv", dutch=False),
        write_csv(render(BASE_HH, dutch=False, seed=1), tmp_path / "h1.csv", dutch=False),
    ]
    import_registers(store, dwellings=v1[0], households=v1[1])
    dw2, hh2 = make_registers(np.random.default_rng(99), n=20)
    v2 = [
        write_csv(render(dw2, dutch=False, seed=1), tmp_path / "w2.csv", dutch=False),
        write_csv(render(hh2, dutch=False, seed=1), tmp_path / "h2.csv", dutch=False),
    ]
    # without replacing, the same ids would be in the store twice: refused
    before = store_checksum(store)
    with pytest.raises(InputError, match=r"w2\.csv, row 1, column 'dwelling_id'"):
        import_registers(store, dwellings=v2[0], households=v2[1], replace_gemeente=False)
    assert store_checksum(store) == before
    res = import_registers(store, dwellings=v2[0], households=v2[1])
    assert res.rows == {"dwellings": 20, "households": len(hh2)}
    assert store.count("dwellings") == len(OTHER_DW) + 20
    assert store.count("households") == len(OTHER_HH) + len(hh2)
    got = store.query("SELECT gemeente_code, COUNT(*) AS n FROM dwellings GROUP BY 1 ORDER BY 1")
    assert got.to_dict("list") == {"gemeente_code": ["GM0363", "GM0518"], "n": [12, 20]}
    stored_hh = set(store.read("households")["household_id"])
    assert stored_hh == set(OTHER_HH["household_id"]) | set(hh2["household_id"])


def test_failed_write_rolls_back_everything(tmp_path, monkeypatch):
    store = _store_with_earlier_import(tmp_path)
    v1 = [
        write_csv(render(BASE_DW, dutch=False, seed=1), tmp_path / "w1.csv", dutch=False),
        write_csv(render(BASE_HH, dutch=False, seed=1), tmp_path / "h1.csv", dutch=False),
    ]
    import_registers(store, dwellings=v1[0], households=v1[1])
    before = store_checksum(store)
    dw2, hh2 = make_registers(np.random.default_rng(5), n=10)
    v2 = [
        write_csv(render(dw2, dutch=False, seed=1), tmp_path / "w2.csv", dutch=False),
        write_csv(render(hh2, dutch=False, seed=1), tmp_path / "h2.csv", dutch=False),
    ]
    append = store.append

    def failing_append(table, frame):
        if table == "households":  # after the old rows were deleted and dwellings written
            raise RuntimeError("disk full")
        append(table, frame)

    monkeypatch.setattr(store, "append", failing_append)
    with pytest.raises(RuntimeError, match="disk full"):
        import_registers(store, dwellings=v2[0], households=v2[1])
    assert store_checksum(store) == before


def test_id_used_by_another_gemeente_is_refused(tmp_path):
    store = _store_with_earlier_import(tmp_path)
    before = store_checksum(store)
    dw = BASE_DW.copy()
    hh = BASE_HH.copy()
    old = hh.loc[0, "dwelling_id"]
    dw.loc[dw["dwelling_id"] == old, "dwelling_id"] = OTHER_DW.loc[2, "dwelling_id"]
    hh.loc[0, "dwelling_id"] = OTHER_DW.loc[2, "dwelling_id"]
    with pytest.raises(InputError, match="dwelling_id already in the store") as ei:
        store_registers(store, RegisterSet(dw, hh), source="x", sha256="x")
    assert "GM0363" in ei.value.errors[0].expected
    assert store_checksum(store) == before


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_dwellings(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty file"):
        read_dwellings(tmp_path / "empty.csv")
    (tmp_path / "latin.csv").write_bytes(
        DW_CSV.replace("Haaglanden", "Zoetermeer é").encode("cp1252")
    )
    with pytest.raises(InputError, match="not UTF-8"):
        read_dwellings(tmp_path / "latin.csv")
    (tmp_path / "ragged.csv").write_text(DW_CSV + "x,y\n" + DW_CSV.splitlines()[1] + ",extra\n")
    with pytest.raises(InputError, match=r"malformed CSV in ragged\.csv, row 5") as ei:
        read_dwellings(tmp_path / "ragged.csv")  # line 6 of the file = data row 5
    assert ei.value.found == "18 fields"
    with pytest.raises(InputError, match="file not found"):
        import_registers(
            open_store(":memory:"), dwellings=tmp_path / "missing.csv", households=tmp_path / "x"
        )


def test_header_only_files_give_empty_typed_frames(tmp_path):
    (tmp_path / "w.csv").write_text(DW_CSV.splitlines()[0] + "\n")
    (tmp_path / "h.csv").write_text(HH_CSV.splitlines()[0] + "\n")
    store = open_store(":memory:")
    res = import_registers(store, dwellings=tmp_path / "w.csv", households=tmp_path / "h.csv")
    assert res.rows == {"dwellings": 0, "households": 0}
    regs = read_registers(tmp_path / "w.csv", tmp_path / "h.csv")
    assert len(regs.dwellings) == 0 and regs.dwellings["rooms"].dtype == "Int64"
    assert regs.households["urgent"].dtype == "boolean"


# ---------------------------------------------------------------------------
# property: one corrupted cell is found exactly, and nothing is written


def _corruptions() -> list[tuple[str, str, str]]:
    out = []
    for table, specs in (("dwellings", DWELLING_SPECS), ("households", HOUSEHOLD_SPECS)):
        for s in specs:
            if s.kind in ("int", "float"):
                out.append((table, s.name, "non_numeric"))
                if s.minimum is not None and s.minimum >= 0:
                    out.append((table, s.name, "negative"))
            if s.kind in ("category", "bool"):
                out.append((table, s.name, "unknown_category"))
            if s.kind == "code":
                out.append((table, s.name, "malformed_code"))
            if s.required:
                out.append((table, s.name, "empty_required"))
    return out


CORRUPTIONS = _corruptions()
BAD_TEXT = {
    "non_numeric": ["abc", "12a", "1.234,5", "€ 500", "n.v.t.", "1 000", "nan", "inf"],
    "negative": ["-1", "-3"],
    "unknown_category": ["onbekend", "misschien", "x", "sociale huur plus", "2"],
    "malformed_code": ["BU123", "XX05180170", "0518", "BU0518017", "WK05-801", "BU 0518 0170"],
    "empty_required": ["", "   "],
}
WRONG_LEVEL = {"gemeente_code": "BU05180170", "wijk_code": "GM0518", "buurt_code": "WK051801"}


@functools.cache
def _shared_store():
    """A store with an earlier import, and its checksum (no example may change it)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = _store_with_earlier_import(Path(tmp))
    return store, store_checksum(store)


@settings(max_examples=50, deadline=None)
@given(
    corruption=st.sampled_from(CORRUPTIONS),
    row=st.integers(0, min(len(BASE_DW), len(BASE_HH)) - 1),
    pick=st.integers(0, 100),
    dutch=st.booleans(),
    bom=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_corrupted_cell_is_named_exactly(corruption, row, pick, dutch, bom, seed):
    table, column, kind = corruption
    choices = BAD_TEXT[kind] + ([WRONG_LEVEL[column]] if kind == "malformed_code" else [])
    bad = choices[pick % len(choices)]
    store, before = _shared_store()
    with tempfile.TemporaryDirectory() as tmp:
        texts = {
            "dwellings": render(BASE_DW, dutch=dutch, seed=seed),
            "households": render(BASE_HH, dutch=dutch, seed=seed + 1),
        }
        texts[table].loc[row, column] = bad
        d = write_csv(texts["dwellings"], Path(tmp) / "woningen.csv", dutch=dutch, bom=bom)
        h = write_csv(texts["households"], Path(tmp) / "huishoudens.csv", dutch=dutch, bom=bom)
        with pytest.raises(InputError) as ei:
            import_registers(store, dwellings=d, households=h)
    errs = ei.value.errors
    first = errs[0].where
    name = "woningen.csv" if table == "dwellings" else "huishoudens.csv"
    assert (first.file, first.row, first.column) == (name, row + 1, column), str(ei.value)
    assert len(errs) == 1, str(ei.value)
    assert f"row {row + 1}, column '{column}'" in str(ei.value)
    assert store_checksum(store) == before
