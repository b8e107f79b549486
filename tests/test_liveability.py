from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from wijkmix.errors import InputError
from wijkmix.measures.liveability import NOTE, V3_INDICATORS, lbm_development


def _long(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["area_code", "level", "year", "version", "indicator", "value"]
    )


def _v3() -> pd.DataFrame:
    rows = []
    values = {
        ("WK000101", 2018): {"lbm": 4.00, "afw": -0.10, "won": -0.05, "fys": 0.01,
                             "vrz": 0.02, "soc": -0.03, "onv": -0.05, "class": 4},
        ("WK000101", 2022): {"lbm": 4.12, "afw": 0.02, "won": 0.00, "fys": 0.02,
                             "vrz": 0.02, "soc": 0.00, "onv": -0.02, "class": 6},
        ("WK000102", 2018): {"lbm": 4.30, "afw": 0.20, "won": 0.05, "fys": 0.05,
                             "vrz": 0.05, "soc": 0.03, "onv": 0.02, "class": 9},
        ("WK000102", 2022): {"lbm": 4.25, "afw": 0.15, "won": 0.04, "fys": 0.04,
                             "vrz": 0.03, "soc": 0.02, "onv": 0.02, "class": 8},
    }  # fmt: skip
    for (code, year), inds in values.items():
        for ind, v in inds.items():
            rows.append((code, "wijk", year, "3.0", ind.upper() if ind == "lbm" else ind, v))
    return _long(rows)


def test_v3_development_by_hand():
    d = lbm_development(_v3(), year0=2018, year1=2022)
    assert d.version == "3" and d.indicators == V3_INDICATORS
    assert d.note == NOTE
    assert NOTE == (
        "De Leefbaarometer signaleert, maar verklaart niet: "
        "een dimensie is geen knop om aan te draaien."
    )
    t = d.table.set_index("area_code")
    # WK000101: lbm 4.12 - 4.00 = 0.12; won 0.00 - (-0.05) = 0.05; onv -0.02 - (-0.05) = 0.03
    assert t.loc["WK000101", "lbm_change"] == pytest.approx(0.12)
    assert t.loc["WK000101", "won_change"] == pytest.approx(0.05)
    assert t.loc["WK000101", "onv_change"] == pytest.approx(0.03)
    assert t.loc["WK000101", "afw_0"] == -0.10 and t.loc["WK000101", "afw_1"] == 0.02
    # classes from the data: 4 -> 6 (+2) and 9 -> 8 (-1)
    assert t["class_0"].tolist() == [4, 9]
    assert t["class_1"].tolist() == [6, 8]
    assert t["class_change"].tolist() == [2, -1]
    assert t["class_label_0"].tolist() == ["Zwak", "Uitstekend"]
    assert t["class_label_1"].tolist() == ["Ruim voldoende", "Zeer goed"]
    assert d.class_source == "data"
    assert d.labels()["soc_change"] == "Sociale samenhang, verandering"


def test_class_bounds_define_classes_and_a_bound_falls_in_the_class_above():
    bounds = [3.9, 3.95, 4.0, 4.05, 4.1, 4.15, 4.2, 4.25]
    d = lbm_development(_v3(), year0=2018, year1=2022, class_bounds=bounds)
    t = d.table.set_index("area_code")
    # 4.00 is the third bound -> class 4; 4.12 lies between 4.10 and 4.15 -> class 6;
    # 4.30 above the last bound -> 9; 4.25 equal to the last bound -> 9
    assert t["class_0"].tolist() == [4, 9]
    assert t["class_1"].tolist() == [6, 9]
    assert d.class_source == "bounds"
    with pytest.raises(InputError, match="field 'class_bounds'"):
        lbm_development(_v3(), year0=2018, year1=2022, class_bounds=[1, 2, 3])


def test_without_classes_they_are_missing():
    s = _v3()
    s = s[s["indicator"] != "class"]
    d = lbm_development(s, year0=2018, year1=2022)
    assert d.class_source == "none"
    assert d.table["class_0"].isna().all()


def test_v2_dimensions_and_uppercase_class_indicator():
    s = _long(
        [
            ("WK051801", "wijk", 2012, "2", "RLBRMTR", -0.20),
            ("WK051801", "wijk", 2012, "2", "RLBWON", -0.05),
            ("WK051801", "wijk", 2012, "2", "RLBVEI", -0.08),
            ("WK051801", "wijk", 2012, "2", "KL", 3),
            ("WK051801", "wijk", 2016, "2", "RLBRMTR", -0.10),
            ("WK051801", "wijk", 2016, "2", "RLBWON", -0.04),
            ("WK051801", "wijk", 2016, "2", "RLBVEI", -0.02),
            ("WK051801", "wijk", 2016, "2", "KL", 4),
        ]
    )
    d = lbm_development(s, year0=2012, year1=2016)
    assert d.version == "2"
    assert d.indicators == ("rlbrmtr", "rlbwon", "rlbvei")
    row = d.table.iloc[0]
    assert row["rlbrmtr_change"] == pytest.approx(0.10)
    assert row["rlbvei_change"] == pytest.approx(0.06)
    assert (row["class_0"], row["class_1"], row["class_change"]) == (3, 4, 1)


def test_area_measured_once_has_missing_change():
    s = pd.concat([_v3(), _long([("WK000103", "wijk", 2022, "3", "lbm", 4.1)])])
    t = lbm_development(s, year0=2018, year1=2022).table.set_index("area_code")
    assert np.isnan(t.loc["WK000103", "lbm_0"]) and t.loc["WK000103", "lbm_1"] == 4.1
    assert np.isnan(t.loc["WK000103", "lbm_change"])


def test_errors():
    s = _v3()
    mixed = pd.concat([s, _long([("WK000101", "wijk", 2018, "2", "rlbrmtr", 0.1)])])
    with pytest.raises(InputError, match="several Leefbaarometer versions"):
        lbm_development(mixed, year0=2018, year1=2022)
    # choosing the version resolves it
    assert lbm_development(mixed, year0=2018, year1=2022, version=3).version == "3"
    with pytest.raises(InputError, match=r"field 'year1'.*one of 2018, 2022"):
        lbm_development(s, year0=2018, year1=2020)
    with pytest.raises(InputError, match="same year twice"):
        lbm_development(s, year0=2018, year1=2018)
    twice = pd.concat([s, _long([("WK000101", "wijk", 2018, "3", "lbm", 3.9)])])
    with pytest.raises(InputError, match=r"value given twice.*WK000101 2018 lbm"):
        lbm_development(twice, year0=2018, year1=2022)
    # an exact repeat is harmless
    again = pd.concat([s, s])
    assert len(lbm_development(again, year0=2018, year1=2022).table) == 2
    bad_class = s.copy()
    bad_class.loc[bad_class["indicator"] == "class", "value"] = 12
    with pytest.raises(InputError, match="class 1-9"):
        lbm_development(bad_class, year0=2018, year1=2022)
    with pytest.raises(InputError, match="column 'version'"):
        lbm_development(s.drop(columns="version"), year0=2018, year1=2022)


def test_amstelveen_real_scores_dimensions_add_up():
    path = (
        files("wijkmix") / "data" / "leefbaarometer" / "amstelveen_lbm3_wijk_scores_2002-2022.csv"
    )
    with path.open("r", encoding="utf-8") as fh:
        raw = pd.read_csv(fh, index_col=0, dtype={"wk_code": str})
    dims = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"]
    long = raw.melt(id_vars=["wk_code", "jaar"], value_vars=dims, var_name="indicator")
    long = long.rename(columns={"wk_code": "area_code", "jaar": "year"})
    long = long.assign(level="wijk", version="3.0")
    d = lbm_development(long, year0=2014, year1=2022)
    t = d.table.set_index("area_code")
    assert len(t) == raw["wk_code"].nunique() == 14
    # afw is the sum of the dimensions, so its change is the sum of their changes
    dim_sum = t[[f"{x}_change" for x in ("won", "fys", "vrz", "soc", "onv")]].sum(axis=1)
    assert np.allclose(t["afw_change"], dim_sum, atol=1e-9)
    # lbm = afw + a national constant, so both change by the same amount
    assert np.allclose(t["lbm_change"], t["afw_change"], atol=1e-9)
    # Randwijck: 4.328186939975703 (2022) - 4.270599604867483 (2014)
    assert t.loc["WK036201", "lbm_change"] == pytest.approx(
        4.328186939975703 - 4.270599604867483, abs=1e-15
    )
