"""Tests of wijkmix.io.leefbaarometer on the real LBM 2 and LBM 3 extracts."""

from __future__ import annotations

import csv
import math
from importlib.resources import files
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from wijkmix.errors import InputError, InputErrors
from wijkmix.io.leefbaarometer import (
    LBM3_INDICATORS,
    LBM_CLASSES,
    LbmTable,
    import_lbm,
    read_lbm,
)
from wijkmix.store import open_store

LBM = Path(str(files("wijkmix") / "data" / "leefbaarometer"))
AMSTELVEEN = LBM / "amstelveen_lbm3_wijk_scores_2002-2022.csv"
WIJK_KLASSEN = LBM / "lbm2_wijk_klassen_2002-2016.xlsx"
GM_KLASSEN = LBM / "lbm2_gemeente_klassen_2002-2016.xlsx"
GM_STAND = LBM / "lbm2_dimensiescore_gemeente_stand.xlsx"
GM_ONTW = LBM / "lbm2_dimensiescore_gemeente_ontwikkeling.xlsx"


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _sheet_cells(path: Path, sheet: str | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(it)]
    body = [r for r in it if any(v is not None for v in r)]
    wb.close()
    return header, body


# --------------------------------------------------------------------------- LBM 3


@pytest.fixture(scope="module")
def amstelveen() -> LbmTable:
    return read_lbm(AMSTELVEEN)


def test_lbm3_real_file_passes_and_matches_the_csv_cells(amstelveen: LbmTable) -> None:
    header, rows = _csv_rows(AMSTELVEEN)
    assert amstelveen.version == "3"
    assert amstelveen.shape == "scores"
    assert amstelveen.warnings == ()
    # 56 data rows x 7 indicators, no missing cells in this file
    assert len(rows) == 56
    assert len(amstelveen.scores) == 56 * 7
    assert list(amstelveen.scores.columns) == [
        "area_code",
        "level",
        "year",
        "version",
        "indicator",
        "value",
        "source",
    ]
    assert set(amstelveen.scores["level"]) == {"wijk"}
    assert set(amstelveen.scores["version"]) == {"3"}
    assert amstelveen.indicators() == list(LBM3_INDICATORS)
    # every value equals the cell of the CSV read independently
    idx = {name: k for k, name in enumerate(header)}
    s = amstelveen.scores.set_index(["area_code", "year", "indicator"])["value"]
    for r in rows:
        for ind in LBM3_INDICATORS:
            assert s[(r[idx["wk_code"]], int(r[idx["jaar"]]), ind)] == float(r[idx[ind]])
    assert amstelveen.names["WK036201"] == "Randwijck"
    assert "Leefbaarometer" in amstelveen.attribution
    assert "BZK" in amstelveen.attribution


def test_lbm3_national_constant_is_recovered(amstelveen: LbmTable) -> None:
    assert set(amstelveen.national_constant) == {2014, 2018, 2020, 2022}
    for c in amstelveen.national_constant.values():
        assert c == pytest.approx(4.102265, abs=1e-6)
    assert amstelveen.constant == pytest.approx(4.102265, abs=1e-6)


def test_lbm3_wide_reproduces_afw_identity(amstelveen: LbmTable) -> None:
    w = amstelveen.wide()
    assert len(w) == 56
    assert list(w.columns) == ["area_code", "level", "year", *LBM3_INDICATORS]
    dims = w[["fys", "onv", "soc", "vrz", "won"]].sum(axis=1)
    assert (w["afw"] - dims).abs().max() < 1e-12


def test_lbm3_altered_dimension_names_row_and_column(tmp_path: Path) -> None:
    header, rows = _csv_rows(AMSTELVEEN)
    i_won, i_afw = header.index("won"), header.index("afw")
    dims = [header.index(c) for c in ("fys", "onv", "soc", "vrz")]
    rows[4][i_won] = str(float(rows[4][i_won]) + 0.01)  # data row 5
    bad = _write_csv(tmp_path / "lbm3_altered.csv", header, rows)
    expected = sum(float(rows[4][k]) for k in dims) + float(rows[4][i_won])
    with pytest.raises(InputErrors, match=r"row 5, column 'afw'") as exc:
        read_lbm(bad)
    err = exc.value
    assert len(err.errors) == 1
    assert err.errors[0].where.file == "lbm3_altered.csv"
    assert err.errors[0].where.row == 5
    assert err.errors[0].where.column == "afw"
    assert err.errors[0].found == float(rows[4][i_afw])
    assert f"{expected:.9g}" in err.errors[0].expected
    assert "fys + onv + soc + vrz + won" in err.errors[0].expected

    # with check=False the table is read and the violation is a warning
    t = read_lbm(bad, check=False)
    assert [(w.where.row, w.where.column) for w in t.warnings] == [(5, "afw")]
    assert len(t.scores) == 56 * 7


def test_lbm3_altered_total_breaks_the_constant(tmp_path: Path) -> None:
    header, rows = _csv_rows(AMSTELVEEN)
    i_lbm = header.index("lbm")
    rows[9][i_lbm] = str(float(rows[9][i_lbm]) + 0.5)  # data row 10
    bad = _write_csv(tmp_path / "lbm3_total.csv", header, rows)
    with pytest.raises(InputErrors, match=r"row 10, column 'lbm'") as exc:
        read_lbm(bad)
    assert [(e.where.row, e.where.column) for e in exc.value.errors] == [(10, "lbm")]
    # the constant of the year ignores the bad row
    t = read_lbm(bad, check=False)
    year = int(rows[9][header.index("jaar")])
    assert t.national_constant[year] == pytest.approx(4.102265, abs=1e-6)


def test_lbm3_buurt_codes_and_level_from_code(tmp_path: Path) -> None:
    header = ["bu_code", "bu_naam", "jaar", "lbm", "afw", "fys", "onv", "soc", "vrz", "won"]
    # afw = 0.1 + 0.2 - 0.05 + 0 + 0.05 = 0.3; lbm = afw + 4
    rows = [["BU03620101", "Test", "2022", "4.3", "0.3", "0.1", "0.2", "-0.05", "0", "0.05"]]
    t = read_lbm(_write_csv(tmp_path / "b.csv", header, rows))
    assert set(t.scores["level"]) == {"buurt"}
    assert t.national_constant == {2022: pytest.approx(4.0)}
    # a wijk code in a bu_code column is an error naming row and column
    rows[0][0] = "WK036201"
    with pytest.raises(InputError, match=r"row 1, column 'bu_code'"):
        read_lbm(_write_csv(tmp_path / "c.csv", header, rows))


def test_lbm3_missing_cells_give_no_rows_and_bad_cells_fail(tmp_path: Path) -> None:
    header = ["wk_code", "jaar", "lbm", "afw", "fys", "onv", "soc", "vrz", "won"]
    rows = [
        ["WK036201", "2022", "", "", "", "", "", "", ""],
        ["WK036202", "2022", "4.1", "0.1", "0.1", "0", "0", "0", "0"],
    ]
    t = read_lbm(_write_csv(tmp_path / "m.csv", header, rows))
    assert set(t.scores["area_code"]) == {"WK036202"}
    assert len(t.scores) == 7
    rows[1][4] = "veel"
    with pytest.raises(InputError, match=r"row 2, column 'fys'.*'veel'"):
        read_lbm(_write_csv(tmp_path / "n.csv", header, rows))
    rows[1][4] = "0.1"
    rows.append(list(rows[1]))
    with pytest.raises(InputError, match=r"occur twice.*row 3, column 'jaar'"):
        read_lbm(_write_csv(tmp_path / "d.csv", header, rows))


# --------------------------------------------------------------------------- LBM 2


@pytest.fixture(scope="module")
def wijk_klassen() -> LbmTable:
    return read_lbm(WIJK_KLASSEN)


def test_lbm2_wijk_classes_match_openpyxl_cells(wijk_klassen: LbmTable) -> None:
    header, body = _sheet_cells(WIJK_KLASSEN)
    row = next(r for r in body if r[0] == "WK036301")
    cell = dict(zip(header, row, strict=True))
    s = wijk_klassen.scores.set_index(["area_code", "year", "indicator"])["value"]
    for col, year, ind in [
        ("KL02", 2002, "class"),
        ("KL08", 2008, "class"),
        ("KL16", 2016, "class"),
        ("VKL0216", 2016, "dev_class_2002_2016"),
        ("VKL1416", 2016, "dev_class_2014_2016"),
    ]:
        v = cell[col]
        if isinstance(v, (int, float)) and not math.isnan(v):
            assert s[("WK036301", year, ind)] == v
        else:
            assert ("WK036301", year, ind) not in s.index
    assert wijk_klassen.version == "2"
    assert wijk_klassen.shape == "classes"
    assert set(wijk_klassen.scores["level"]) == {"wijk"}
    # every non-missing numeric cell became one row
    n_cells = sum(
        1 for r in body for v in r[1:] if isinstance(v, (int, float)) and not math.isnan(v)
    )
    assert len(wijk_klassen.scores) == n_cells
    classes = wijk_klassen.scores.loc[wijk_klassen.scores["indicator"] == "class", "value"]
    assert set(classes) <= set(LBM_CLASSES)


def test_lbm2_gemeente_filter_keeps_exactly_its_wijken(wijk_klassen: LbmTable) -> None:
    _, body = _sheet_cells(WIJK_KLASSEN)
    expected = {r[0] for r in body if r[0].startswith("WK0518")}
    t = read_lbm(WIJK_KLASSEN, gemeente="GM0518")
    assert set(t.scores["area_code"]) <= expected
    full = wijk_klassen.scores
    pd.testing.assert_frame_equal(
        t.scores.drop(columns="source"),
        full[full["area_code"].str.startswith("WK0518")]
        .drop(columns="source")
        .reset_index(drop=True),
    )
    assert t.source.endswith("(GM0518)")
    # WK051801 has '#N/A' in every cell: missing, so no rows (never zero)
    assert "WK051801" in expected
    assert "WK051801" not in set(t.scores["area_code"])
    with pytest.raises(InputError, match="gemeente"):
        read_lbm(GM_KLASSEN, gemeente="GM9999")


def test_lbm2_class_labels() -> None:
    assert len(LBM_CLASSES) == 9
    assert LBM_CLASSES[1] == "Zeer onvoldoende"
    assert LBM_CLASSES[4] == "Zwak"
    assert LBM_CLASSES[5] == "Voldoende"
    assert LBM_CLASSES[9] == "Uitstekend"


def _write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "wijk"
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_lbm2_class_out_of_range_is_an_error(tmp_path: Path) -> None:
    header = ["WK_CODE", "KL14", "KL16", "VKL1416"]
    good = [["WK051801", 5, 6, 4], ["WK051802", 7, 7, 4]]
    t = read_lbm(_write_xlsx(tmp_path / "ok.xlsx", header, good))
    assert t.wide().set_index("area_code").loc["WK051802"]["class"].tolist() == [7.0, 7.0]

    bad = [["WK051801", 5, 6, 4], ["WK051802", 7, 10, 4]]
    with pytest.raises(InputErrors, match=r"class out of range.*row 2, column 'KL16'") as exc:
        read_lbm(_write_xlsx(tmp_path / "kl.xlsx", header, bad))
    assert exc.value.errors[0].found == 10

    bad = [["WK051801", 0, 6, 4], ["WK051802", 7, 7, 8]]
    with pytest.raises(InputErrors) as exc:
        read_lbm(_write_xlsx(tmp_path / "vkl.xlsx", header, bad))
    assert [(e.where.row, e.where.column) for e in exc.value.errors] == [
        (1, "KL14"),
        (2, "VKL1416"),
    ]
    assert "from 1 to 7" in exc.value.errors[1].expected

    bad = [["WK051801", 5.5, 6, 4]]
    with pytest.raises(InputError, match=r"row 1, column 'KL14'"):
        read_lbm(_write_xlsx(tmp_path / "half.xlsx", header, bad))


def test_lbm2_dimension_scores_long_sheet_matches_cells_and_identity() -> None:
    t = read_lbm(GM_STAND)
    header, body = _sheet_cells(GM_STAND, "data(1)")
    cell = dict(
        zip(header, next(r for r in body if r[0] == "GM0518" and r[1] == 2016), strict=True)
    )
    s = t.scores.set_index(["area_code", "year", "indicator"])["value"]
    for col in ("RLBRMTR", "RLBWON", "RLBBEV", "RLBVRZ", "RLBVEI", "RLBFYS"):
        assert s[("GM0518", 2016, col.lower())] == cell[col]
    assert t.shape == "dimensions"
    assert set(t.scores["level"]) == {"gemeente"}
    assert len(t.scores) == len(body) * 6


def test_lbm2_wide_sheet_gives_the_same_table_as_the_long_sheet(tmp_path: Path) -> None:
    long = read_lbm(GM_STAND)
    wb = openpyxl.load_workbook(GM_STAND)
    del wb["data(1)"]
    wb.save(tmp_path / "wide_only.xlsx")
    wide = read_lbm(tmp_path / "wide_only.xlsx")
    assert wide.shape == "dimensions_wide"
    pd.testing.assert_frame_equal(
        wide.scores.drop(columns="source"), long.scores.drop(columns="source")
    )


def test_lbm2_development_uses_begin_end_names_and_end_year() -> None:
    t = read_lbm(GM_ONTW)
    header, body = _sheet_cells(GM_ONTW, "data(1)")
    row = next(r for r in body if r[0] == "GM0363" and r[1] == 2012 and r[2] == 2016)
    cell = dict(zip(header, row, strict=True))
    s = t.scores.set_index(["area_code", "year", "indicator"])["value"]
    assert s[("GM0363", 2016, "dlbrmtr_2012_2016")] == cell["DLBRMTR"]
    assert s[("GM0363", 2016, "dlbvei_2012_2016")] == cell["DLBVEI"]
    assert t.shape == "development"


def test_lbm2_total_deviation_must_be_the_sum_of_dimensions(tmp_path: Path) -> None:
    header = ["GBD", "JAAR", "RLBRMTR", "RLBWON", "RLBBEV", "RLBVRZ", "RLBVEI", "RLBFYS"]
    rows: list[list[object]] = [
        ["GM0518", 2016, 0.15, 0.1, 0.0, 0.05, -0.02, 0.02],  # sum 0.15
        ["GM0363", 2016, 0.20, 0.1, 0.0, 0.05, -0.02, 0.02],  # sum 0.15, total 0.20
    ]
    path = _write_xlsx(tmp_path / "stand.xlsx", header, rows)
    with pytest.raises(InputError, match=r"row 2, column 'RLBRMTR'"):
        read_lbm(path)
    t = read_lbm(path, check=False)
    assert [(w.where.row, w.where.column) for w in t.warnings] == [(2, "RLBRMTR")]


def test_unrecognised_file_is_an_error(tmp_path: Path) -> None:
    p = _write_csv(tmp_path / "x.csv", ["a", "b"], [["1", "2"]])
    with pytest.raises(InputError, match="not a recognised Leefbaarometer table"):
        read_lbm(p)


# --------------------------------------------------------------------------- store


def test_import_twice_is_skipped_and_rows_match() -> None:
    store = open_store(":memory:")
    first = import_lbm(store, AMSTELVEEN)
    assert not first.skipped
    assert first.rows == {"lbm_scores": 392}
    again = import_lbm(store, AMSTELVEEN)
    assert again.skipped
    assert again.rows == {}
    assert store.count("lbm_scores") == 392
    got = store.read("lbm_scores", {"area_code": "WK036201", "year": 2022, "indicator": "lbm"})
    _, rows = _csv_rows(AMSTELVEEN)
    assert got["value"].iloc[0] == float(rows[3][4])
    prov = store.read("provenance")
    assert len(prov) == 1
    assert "Leefbaarometer" in prov["attribution"].iloc[0]
    store.close()


def test_import_per_gemeente_keeps_both_selections() -> None:
    store = open_store(":memory:")
    a = import_lbm(store, GM_KLASSEN, gemeente="GM0518")
    b = import_lbm(store, GM_KLASSEN, gemeente="GM0363")
    assert not a.skipped
    assert not b.skipped
    assert import_lbm(store, GM_KLASSEN, gemeente="GM0363").skipped
    codes = set(store.read("lbm_scores")["area_code"])
    assert codes == {"GM0518", "GM0363"}
    store.close()
