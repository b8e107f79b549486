import numpy as np
import pandas as pd
import pytest

from wijkmix.areas import Hierarchy
from wijkmix.errors import InputError
from wijkmix.measures.composition import composition
from wijkmix.measures.concentration import (
    LABELS,
    ConcentrationRule,
    concentration,
    concentration_from_composition,
    corporation_dominance,
)


def _graph_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["a", "b", "c", "d", "e", "f"],
            "households": [100, 100, 100, 100, 100, 100],
            "kwetsbaar": [40, 35, 5, 30, 10, 45],
        }
    )


# a - b - c - f - e - d   (a path); only a, b and f exceed the threshold
NEIGHBOURS = {"a": ["b"], "b": ["a", "c"], "c": ["b", "f"], "f": ["c", "e"], "e": ["f", "d"]}


def test_clusters_on_a_hand_made_graph():
    r = concentration(
        _graph_frame(),
        count="kwetsbaar",
        neighbours=NEIGHBOURS,
        rule=ConcentrationRule(relative=1.2, min_households=0),
    )
    # reference = (40+35+5+30+10+45) / 600 = 165/600 = 27.5 %; threshold 1.2 x 27.5 = 33 %
    assert r.reference_pct == pytest.approx(27.5)
    assert r.threshold_pct == pytest.approx(33.0)
    assert r.areas["flagged"].tolist() == [True, True, False, False, False, True]
    # c is not flagged, so it does not join b and f: clusters {a, b} and {f}
    assert r.clusters["codes"].tolist() == [("a", "b"), ("f",)]
    assert r.clusters["households"].tolist() == [200.0, 100.0]
    assert r.clusters["pct"].tolist() == [pytest.approx(37.5), pytest.approx(45.0)]
    assert r.areas["cluster"].tolist() == [1, 1, pd.NA, pd.NA, pd.NA, 2]
    assert r.neighbourhood == "neighbours"


def test_neighbour_mapping_is_read_as_undirected():
    # only f lists a; the edge still joins a and f
    r = concentration(
        _graph_frame(),
        count="kwetsbaar",
        neighbours={"a": ["b"], "f": ["a"], "x": ["a"]},  # x is not in the frame: ignored
        rule=ConcentrationRule(relative=1.2, min_households=0),
    )
    assert r.clusters["codes"].tolist() == [("a", "b", "f")]
    assert r.clusters["n_areas"].tolist() == [3]
    # (40 + 35 + 45) / 300 = 40 %
    assert r.clusters["pct"].iloc[0] == pytest.approx(40.0)


def test_threshold_is_strict():
    f = pd.DataFrame({"code": ["a", "b"], "households": [100, 100], "n": [30, 31]})
    r = concentration(
        f,
        count="n",
        reference_pct=20.0,
        neighbours={},
        rule=ConcentrationRule(relative=1.5, min_households=0),
    )
    # threshold 1.5 x 20 = 30: exactly 30 % is not above it
    assert r.areas["flagged"].tolist() == [False, True]


def test_absolute_and_relative_combined():
    f = pd.DataFrame({"code": ["a"], "households": [100], "n": [28]})
    kw = {"count": "n", "reference_pct": 20.0, "neighbours": {}}
    both = ConcentrationRule(relative=1.5, absolute_pct=25.0, combine="all", min_households=0)
    either = ConcentrationRule(relative=1.5, absolute_pct=25.0, combine="any", min_households=0)
    only_abs = ConcentrationRule(relative=None, absolute_pct=25.0, min_households=0)
    # thresholds 30 (relative) and 25 (absolute); 28 % exceeds only the absolute one
    assert concentration(f, rule=both, **kw).threshold_pct == 30.0
    assert not concentration(f, rule=both, **kw).areas["flagged"].iloc[0]
    assert concentration(f, rule=either, **kw).areas["flagged"].iloc[0]
    assert concentration(f, rule=only_abs, **kw).areas["flagged"].iloc[0]


def test_small_and_unknown_areas_are_not_assessed():
    f = pd.DataFrame({"code": ["a", "b", "c"], "households": [5, 200, 100], "n": [5, 20, np.nan]})
    r = concentration(f, count="n", neighbours={})
    # reference over known areas: 25 / 205; area a (5 households, 100 %) is below the minimum 10
    assert r.reference_pct == pytest.approx(100 * 25 / 205)
    assert r.areas["assessed"].tolist() == [False, True, False]
    assert not r.areas["flagged"].any()
    assert r.clusters.empty


def test_parents_from_cbs_codes_and_from_a_hierarchy():
    codes = ["BU05180101", "BU05180102", "BU05180201", "BU05180202"]
    f = pd.DataFrame({"code": codes, "households": [100] * 4, "n": [50, 50, 50, 0]})
    rule = ConcentrationRule(relative=1.2, min_households=0)
    r = concentration(f, count="n", rule=rule)
    # reference 150/400 = 37.5 %, threshold 45 %: the first three are flagged;
    # 0101 and 0102 share wijk WK051801, 0201 is alone in WK051802 (0202 is not flagged)
    assert r.neighbourhood == "parents"
    assert r.clusters["codes"].tolist() == [("BU05180101", "BU05180102"), ("BU05180201",)]
    h = Hierarchy.from_cbs_codes([*codes, "WK051801", "WK051802", "GM0518"])
    r2 = concentration(f, count="n", rule=rule, parents=h)
    assert r2.clusters["codes"].tolist() == r.clusters["codes"].tolist()
    # an explicit parent mapping that puts all four under one parent
    r3 = concentration(f, count="n", rule=rule, parents={c: "X" for c in codes})
    assert r3.clusters["codes"].tolist() == [("BU05180101", "BU05180102", "BU05180201")]


def test_errors():
    f = pd.DataFrame({"code": ["a", "b"], "households": [10, 10], "n": [5, 11]})
    with pytest.raises(InputError, match=r"count above its total in frame, row 2, column 'n'"):
        concentration(f, count="n", neighbours={})
    ok = pd.DataFrame({"code": ["a", "b"], "households": [100, 100], "n": [90, 5]})
    with pytest.raises(InputError, match="cannot derive neighbours"):
        concentration(ok, count="n", rule=ConcentrationRule(min_households=0))
    with pytest.raises(InputError, match="column 'x'"):
        concentration(ok, count="x", neighbours={})
    dup = pd.DataFrame({"code": ["a", "a"], "households": [1, 1], "n": [0, 0]})
    with pytest.raises(InputError, match="occurs twice"):
        concentration(dup, count="n", neighbours={})
    with pytest.raises(InputError, match=r"rule\.relative"):
        ConcentrationRule(relative=None, absolute_pct=None)
    with pytest.raises(InputError, match=r"rule\.absolute_pct"):
        ConcentrationRule(absolute_pct=150)
    with pytest.raises(InputError, match=r"rule\.min_households"):
        ConcentrationRule(min_households=-1)


def test_from_composition_uses_known_households():
    hh = pd.DataFrame(
        {
            "buurt_code": ["BU05180101"] * 4 + ["BU05180102"] * 4,
            "vulnerable_care": [True, True, False, None, False, False, False, True],
        }
    )
    comp = composition(hh, level_column="buurt_code", by="vulnerability")
    r = concentration_from_composition(
        comp, "kwetsbaar", rule=ConcentrationRule(relative=1.2, min_households=0)
    )
    # 0101: 2 of 3 known = 66.7 %; 0102: 1 of 4 = 25 %; reference 3/7 = 42.9 %
    assert r.areas["pct"].tolist() == [pytest.approx(200 / 3), pytest.approx(25.0)]
    assert r.reference_pct == pytest.approx(300 / 7)
    assert r.areas["flagged"].tolist() == [True, False]
    with pytest.raises(InputError, match="field 'category'"):
        concentration_from_composition(comp, "laag")


def _kwb() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["GM0518", "BU05180001", "BU05180002", "BU05180003", "BU05180004"],
            "pct_corporation": [40.0, 80.0, 67.0, 66.0, 70.0],
            "pct_low_income_households": [15.0, 30.0, 20.0, 40.0, np.nan],
            "bijstand_persons": [500.0, 60.0, 100.0, 90.0, 0.0],
            "inhabitants": [10_000.0, 1000.0, 1000.0, 1000.0, 500.0],
            "households": [5000.0, 400.0, 600.0, 500.0, 250.0],
        }
    )


def test_corporation_dominance_against_the_gemeente():
    r = corporation_dominance(_kwb())
    t = r.table
    # 66 % is not above two thirds; 67 % is
    assert t["code"].tolist() == ["BU05180001", "BU05180002", "BU05180004"]
    # gemeente: 15 % low income, 500 / 10,000 x 1000 = 50 bijstand per 1 000 inhabitants
    assert t["gm_bijstand_per_1000"].tolist() == [50.0, 50.0, 50.0]
    # BU..01: 30 - 15 = 15 points; 60/1000 x 1000 = 60 -> +10
    assert t.loc[0, "excess_low_income"] == 15.0
    assert t.loc[0, "excess_bijstand"] == pytest.approx(10.0)
    # BU..02: 20 - 15 = 5; 100 -> +50
    assert t.loc[1, "excess_low_income"] == 5.0
    assert t.loc[1, "excess_bijstand"] == pytest.approx(50.0)
    # suppressed low income is missing and sorts last
    assert np.isnan(t.loc[2, "excess_low_income"])
    assert t["reference"].tolist() == ["gemeente"] * 3
    assert "per 1 000 inwoners" in r.note
    by_bij = corporation_dominance(_kwb(), sort_by="bijstand").table
    # excesses: 02 +50, 01 +10, 04 0/500 -> 0 - 50 = -50
    assert by_bij["code"].tolist() == ["BU05180002", "BU05180001", "BU05180004"]
    assert set(t.columns) <= set(LABELS)


def test_corporation_dominance_without_gemeente_row_uses_its_buurten():
    wide = _kwb().iloc[1:].reset_index(drop=True)
    t = corporation_dominance(wide, threshold_pct=75.0).table
    assert t["code"].tolist() == ["BU05180001"]
    # low income weighted by households over buurten with both known:
    # (30 x 400 + 20 x 600 + 40 x 500) / 1500 = 44,000 / 1,500
    assert t.loc[0, "gm_pct_low_income"] == pytest.approx(44_000 / 1_500)
    # bijstand: (60 + 100 + 90 + 0) / 3,500 x 1000
    assert t.loc[0, "gm_bijstand_per_1000"] == pytest.approx(250 / 3500 * 1000)
    assert t.loc[0, "reference"] == "buurten"


def test_corporation_dominance_errors():
    with pytest.raises(InputError, match="field 'threshold_pct'"):
        corporation_dominance(_kwb(), threshold_pct=120.0)
    with pytest.raises(InputError, match="column 'inhabitants'"):
        corporation_dominance(_kwb().drop(columns="inhabitants"))
