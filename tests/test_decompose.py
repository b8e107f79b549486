"""Tests for wijkmix.measures.decompose: hierarchical and change decompositions of M."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from importlib.resources import files
from math import log
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wijkmix.errors import InputError
from wijkmix.measures.decompose import (
    decompose,
    decompose_change,
    decompose_from_shares,
)

# ---------------------------------------------------------------------------
# independent reference formulas (written out, no code shared with the module)
# ---------------------------------------------------------------------------


def m_direct(table: Mapping[Any, Sequence[float]]) -> float:
    """M = sum_ug p_ug log(p_ug / (p_u p_g)), cell by cell."""
    rows = list(table.values())
    n = sum(sum(r) for r in rows)
    n_groups = len(rows[0])
    col = [sum(r[g] for r in rows) for g in range(n_groups)]
    m = 0.0
    for r in rows:
        n_u = sum(r)
        for g, n_ug in enumerate(r):
            if n_ug > 0:
                m += n_ug / n * log(n_ug * n / (n_u * col[g]))
    return m


def entropy_direct(table: Mapping[Any, Sequence[float]]) -> float:
    rows = list(table.values())
    n = sum(sum(r) for r in rows)
    col = [sum(r[g] for r in rows) for g in range(len(rows[0]))]
    return -sum(c / n * log(c / n) for c in col if c > 0)


def aggregate(
    table: Mapping[Any, Sequence[float]], parent: Mapping[Any, Any]
) -> dict[Any, list[float]]:
    out: dict[Any, list[float]] = {}
    for unit, row in table.items():
        acc = out.setdefault(parent[unit], [0.0] * len(row))
        for g, v in enumerate(row):
            acc[g] += v
    return out


# ---------------------------------------------------------------------------
# a hand-computed example: 4 buurten in 2 wijken, 2 groups
# ---------------------------------------------------------------------------
#
#            laag  hoog   n    wijk
#   b1        30    10    40   w1
#   b2        20    20    40   w1
#   b3        10    10    20   w2
#   b4         0    20    20   w2
#
# N = 120, p(laag) = p(hoog) = 1/2, E = ln 2.
# w1 = (50, 30), p = 2/3; w2 = (10, 30), p = 1/3.
# Between wijken: 2/3 (5/8 ln(5/4) + 3/8 ln(3/4)) + 1/3 (1/4 ln(1/2) + 3/4 ln(3/2))
#               = 0.0646599735816878
# Within w1: 1/2 (3/4 ln(6/5) + 1/4 ln(2/3)) + 1/2 (1/2 ln(4/5) + 1/2 ln(4/3)) = 0.0338220755686052
# Within w2: 1/2 (1/2 ln 2 + 1/2 ln(2/3)) + 1/2 (1 ln(4/3))                     = 0.2157615543388357
# Within wijken: 2/3 * 0.03382... + 1/3 * 0.21576...                           = 0.0944685684920154
# Total between buurten: 1/3 (3/4 ln(3/2) + 1/4 ln(1/2)) + 1/3 * 0 + 1/6 * 0 + 1/6 ln 2
#               = 0.1591285420737032;  H = M / ln 2 = 0.2295739585136224

HAND_BETWEEN = 2 / 3 * (5 / 8 * log(5 / 4) + 3 / 8 * log(3 / 4)) + 1 / 3 * (
    1 / 4 * log(1 / 2) + 3 / 4 * log(3 / 2)
)
HAND_W1 = 1 / 2 * (3 / 4 * log(6 / 5) + 1 / 4 * log(2 / 3)) + 1 / 2 * (
    1 / 2 * log(4 / 5) + 1 / 2 * log(4 / 3)
)
HAND_W2 = 1 / 2 * (1 / 2 * log(2) + 1 / 2 * log(2 / 3)) + 1 / 2 * log(4 / 3)
HAND_WITHIN = 2 / 3 * HAND_W1 + 1 / 3 * HAND_W2
HAND_TOTAL = 1 / 3 * (3 / 4 * log(3 / 2) + 1 / 4 * log(1 / 2)) + 1 / 6 * log(2)


def hand_frame() -> pd.DataFrame:
    rows = []
    for buurt, wijk, laag, hoog in [
        ("b1", "w1", 30, 10),
        ("b2", "w1", 20, 20),
        ("b3", "w2", 10, 10),
        ("b4", "w2", 0, 20),
    ]:
        rows += [(buurt, wijk, "laag")] * laag + [(buurt, wijk, "hoog")] * hoog
    return pd.DataFrame(rows, columns=["buurt_code", "wijk_code", "inkomen"])


def test_hand_example_numbers() -> None:
    assert abs(HAND_BETWEEN - 0.0646599735816878) < 1e-15
    assert abs(HAND_WITHIN - 0.0944685684920154) < 1e-15
    assert abs(HAND_TOTAL - 0.1591285420737032) < 1e-15

    d = decompose(hand_frame(), ["buurt", "wijk"], group="inkomen")
    assert d.n == 120
    assert d.m == pytest.approx(HAND_TOTAL, abs=1e-14)
    assert d.entropy == pytest.approx(log(2), abs=1e-15)
    assert d.h == pytest.approx(HAND_TOTAL / log(2), abs=1e-14)
    assert d.component("wijk") == pytest.approx(HAND_BETWEEN, abs=1e-14)
    assert d.component("buurt") == pytest.approx(HAND_WITHIN, abs=1e-14)
    assert d.m_at("wijk") == pytest.approx(HAND_BETWEEN, abs=1e-14)
    assert d.share_within("wijk") == pytest.approx(HAND_WITHIN / HAND_TOTAL, abs=1e-12)
    assert d.share_within("buurt") == 0

    comp = d.components.set_index("level")
    assert list(comp.index) == ["wijk", "buurt"]  # coarsest first
    assert comp.loc["wijk", "label"] == "tussen wijken"
    assert comp.loc["buurt", "label"] == "tussen buurten binnen wijken"
    assert comp.loc["buurt", "h"] == pytest.approx(HAND_WITHIN / log(2), abs=1e-14)
    assert comp["share"].sum() == pytest.approx(1.0, abs=1e-12)

    wijken = d.units["wijk"].set_index("code")
    assert wijken.loc["w1", "m_within"] == pytest.approx(HAND_W1, abs=1e-14)
    assert wijken.loc["w2", "m_within"] == pytest.approx(HAND_W2, abs=1e-14)
    assert wijken.loc["w1", "share"] == pytest.approx(2 / 3)
    assert wijken.loc["w2", "ls"] == pytest.approx(1 / 4 * log(1 / 2) + 3 / 4 * log(3 / 2))

    buurten = d.units["buurt"].set_index("code")
    assert list(buurten["parent"]) == ["w1", "w1", "w2", "w2"]
    # local score of b4 against all: (0, 1) vs (1/2, 1/2) -> ln 2; against w2 = (1/4, 3/4): ln(4/3)
    assert buurten.loc["b4", "ls"] == pytest.approx(log(2), abs=1e-15)
    assert buurten.loc["b4", "ls_parent"] == pytest.approx(log(4 / 3), abs=1e-15)
    assert buurten.loc["b2", "ls"] == pytest.approx(0.0, abs=1e-15)
    assert buurten.loc["b4", "contribution"] == pytest.approx(1 / 6 * log(4 / 3), abs=1e-15)
    # local scores, weighted, give M at each level
    assert (buurten["share"] * buurten["ls"]).sum() == pytest.approx(HAND_TOTAL, abs=1e-14)
    assert (wijken["share"] * wijken["ls"]).sum() == pytest.approx(HAND_BETWEEN, abs=1e-14)

    counts = d.counts("wijk")
    assert counts.loc["w2", "laag"] == 10 and counts.loc["w2", "hoog"] == 30


def test_to_frame_is_dutch_and_adds_up() -> None:
    d = decompose(hand_frame(), ["buurt", "wijk"], group="inkomen")
    t = d.to_frame()
    assert list(t.columns) == ["niveau", "binnen", "omschrijving", "M", "H", "aandeel"]
    assert list(t["niveau"]) == ["wijk", "buurt", "totaal"]
    assert t["binnen"].tolist() == [None, "wijk", None]
    assert t["M"].iloc[:2].sum() == pytest.approx(t["M"].iloc[2], abs=1e-15)
    u = d.to_frame(units=True)
    assert len(u) == 2 + 4
    assert set(u["niveau"]) == {"wijk", "buurt"}


def test_input_shapes_agree_weights_long_and_wide() -> None:
    micro = decompose(hand_frame(), ["buurt", "wijk"], group="inkomen")
    long = (
        hand_frame()
        .groupby(["buurt_code", "wijk_code", "inkomen"], as_index=False)
        .size()
        .rename(columns={"size": "aantal"})
    )
    weighted = decompose(long, ["buurt", "wijk"], group="inkomen", weight="aantal")
    wide = pd.DataFrame(
        {
            "bu": ["b1", "b2", "b3", "b4"],
            "wk": ["w1", "w1", "w2", "w2"],
            "laag": [30, 20, 10, 0],
            "hoog": [10, 20, 10, 20],
        }
    )
    counted = decompose(wide, {"buurt": "bu", "wijk": "wk"}, group_columns=["laag", "hoog"])
    for d in (weighted, counted):
        assert d.m == pytest.approx(micro.m, abs=1e-14)
        assert d.component("wijk") == pytest.approx(micro.component("wijk"), abs=1e-14)
    assert counted.groups == ("laag", "hoog")


# ---------------------------------------------------------------------------
# property: random nesting trees
# ---------------------------------------------------------------------------


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[list[str], pd.DataFrame, int]:
    n_levels = draw(st.integers(1, 4))
    n_groups = draw(st.integers(2, 4))
    # build top-down: every unit gets 1-3 children
    units = [[f"L{n_levels - 1}_{i}" for i in range(draw(st.integers(1, 3)))]]
    parent_of: list[dict[str, str]] = []
    for depth in range(n_levels - 1, 0, -1):
        kids: list[str] = []
        mapping: dict[str, str] = {}
        for p in units[-1]:
            for _ in range(draw(st.integers(1, 3))):
                child = f"L{depth - 1}_{len(kids)}"
                kids.append(child)
                mapping[child] = p
        units.append(kids)
        parent_of.append(mapping)
    finest = units[-1]
    counts = draw(
        st.lists(
            st.lists(st.integers(0, 12), min_size=n_groups, max_size=n_groups),
            min_size=len(finest),
            max_size=len(finest),
        )
    )
    totals = [sum(r[g] for r in counts) for g in range(n_groups)]
    assume(sum(1 for t in totals if t > 0) >= 2)
    names = [f"niveau{k}" for k in range(n_levels)]  # finest first
    rows = []
    for unit, row in zip(finest, counts, strict=True):
        codes = [unit]
        for mapping in reversed(parent_of):
            codes.append(mapping[codes[-1]])
        rows.append(
            {**dict(zip(names, codes, strict=True)), **{f"g{g}": row[g] for g in range(n_groups)}}
        )
    frame = pd.DataFrame(rows)
    return names, frame, n_groups


@settings(max_examples=60, deadline=None)
@given(h=hierarchies(), shape=st.sampled_from(["wide", "micro"]), seed=st.integers(0, 2**16))
def test_decomposition_identity_on_random_hierarchies(
    h: tuple[list[str], pd.DataFrame, int], shape: str, seed: int
) -> None:
    names, frame, n_groups = h
    gcols = [f"g{g}" for g in range(n_groups)]
    if shape == "wide":
        d = decompose(frame, names, group_columns=gcols)
    else:
        long = frame.melt(id_vars=names, value_vars=gcols, var_name="groep", value_name="n")
        micro = long.loc[long.index.repeat(long["n"])].drop(columns="n")
        micro = micro.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        d = decompose(micro, names, group="groep")

    # reference tables per level, aggregated in the test with plain dicts
    finest = {row[names[0]]: [float(row[c]) for c in gcols] for _, row in frame.iterrows()}
    tables = [finest]
    for k in range(1, len(names)):
        parent = dict(zip(frame[names[k - 1]], frame[names[k]], strict=True))
        tables.append(aggregate(tables[-1], parent))
    m_ref = [m_direct(t) for t in tables]

    assert abs(d.components["m"].sum() - d.m) < 1e-12
    assert abs(d.m - m_ref[0]) < 1e-12
    assert abs(d.h - m_ref[0] / entropy_direct(finest)) < 1e-12
    for k, name in enumerate(names):
        upper = m_ref[k + 1] if k + 1 < len(names) else 0.0
        assert abs(d.component(name) - (m_ref[k] - upper)) < 1e-12
        u = d.units[name]
        # local scores: sum_u p_u ls_u = M at this level
        assert abs(np.nansum(u["share"] * u["ls"]) - m_ref[k]) < 1e-12
        assert abs(u["contribution"].sum() - d.component(name)) < 1e-12
        if k > 0:
            # parents' within-contributions sum to the component of the level below
            assert abs(u["within_contribution"].sum() - d.component(names[k - 1])) < 1e-12
    # M_within of one parent = M of its children's table
    if len(names) > 1:
        wp = d.units[names[1]]
        code = wp["code"].iloc[0]
        kids = {
            c: r for c, r in tables[0].items() if frame.set_index(names[0]).loc[c, names[1]] == code
        }
        if sum(sum(r) for r in kids.values()) > 0:
            assert abs(wp["m_within"].iloc[0] - m_direct(kids)) < 1e-12


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


def test_nesting_violation_names_level_and_code() -> None:
    df = hand_frame()
    df.loc[5, "wijk_code"] = "w2"  # b1 now lies in w1 and w2
    with pytest.raises(InputError, match=r"buurt 'b1' in wijk '(w1|w2)' and '(w1|w2)'"):
        decompose(df, ["buurt", "wijk"], group="inkomen")


def test_nesting_violation_at_a_coarser_level() -> None:
    df = pd.DataFrame(
        {
            "portiek": ["p1", "p2", "p3"],
            "complex": ["c1", "c1", "c2"],
            "buurt": ["b1", "b2", "b2"],  # c1 in b1 (via p1) and in b2 (via p2)
            "a": [1, 2, 3],
            "b": [3, 2, 1],
        }
    )
    with pytest.raises(InputError, match=r"every complex in exactly one buurt.*complex 'c1'"):
        decompose(df, ["portiek", "complex", "buurt"], group_columns=["a", "b"])


def test_input_errors() -> None:
    df = hand_frame()
    with pytest.raises(InputError, match="levels out of order"):
        decompose(df, ["wijk", "buurt"], group="inkomen")
    with pytest.raises(InputError, match=r"missing column.*straat_code"):
        decompose(df, ["straat", "wijk"], group="inkomen")
    bad = df.assign(inkomen=df["inkomen"].where(df.index != 3, None))
    with pytest.raises(InputError, match="row 4, column 'inkomen'"):
        decompose(bad, ["buurt", "wijk"], group="inkomen")
    neg = df.assign(w=1.0)
    neg.loc[7, "w"] = -1.0
    with pytest.raises(InputError, match=r"invalid weight.*row 8"):
        decompose(neg, ["buurt", "wijk"], group="inkomen", weight="w")
    with pytest.raises(InputError, match="at least two groups"):
        decompose(df.assign(inkomen="laag"), ["buurt", "wijk"], group="inkomen")
    with pytest.raises(InputError, match="either group"):
        decompose(df, ["buurt", "wijk"])


# ---------------------------------------------------------------------------
# published shares (KWB)
# ---------------------------------------------------------------------------


def test_from_shares_constructed() -> None:
    frame = pd.DataFrame(
        {
            "buurt_code": ["BU03630001", "BU03630002", "BU03630101", "BU03630102"],
            "p_koop": [50.0, 20.0, 80.0, np.nan],  # last buurt suppressed
            "p_corp": [30.0, 70.0, 10.0, 40.0],
            "p_rest": [20.0, 10.0, 10.0, 60.0],
            "woningen": [1000, 500, 2000, 300],
        }
    )
    d = decompose_from_shares(frame, ["buurt", "wijk"], ["p_koop", "p_corp", "p_rest"], "woningen")
    assert d.estimated is True
    assert "Schatting" in d.note and "1 rij" in d.note
    buurten = {
        "BU03630001": [500.0, 300.0, 200.0],
        "BU03630002": [100.0, 350.0, 50.0],
        "BU03630101": [1600.0, 200.0, 200.0],
    }
    wijken = aggregate(buurten, {"BU03630001": "W0", "BU03630002": "W0", "BU03630101": "W1"})
    assert d.m == pytest.approx(m_direct(buurten), abs=1e-13)
    assert d.component("wijk") == pytest.approx(m_direct(wijken), abs=1e-13)
    assert list(d.units["wijk"]["code"]) == ["WK036300", "WK036301"]


def test_zero_weight_unit_has_no_score_and_no_contribution() -> None:
    df = pd.DataFrame(
        {
            "buurt": ["b1", "b1", "b2", "b2", "b3", "b3"],
            "wijk": ["w1", "w1", "w1", "w1", "w2", "w2"],
            "groep": ["a", "b", "a", "b", "a", "b"],
            "n": [30.0, 10.0, 0.0, 0.0, 5.0, 15.0],
        }
    )
    d = decompose(df, ["buurt", "wijk"], group="groep", weight="n")
    b = d.units["buurt"].set_index("code")
    assert b.loc["b2", "n"] == 0 and bool(b["ls"].isna()["b2"])
    assert b.loc["b2", "contribution"] == 0
    ref = {"b1": [30.0, 10.0], "b3": [5.0, 15.0]}
    assert d.m == pytest.approx(m_direct(ref), abs=1e-14)
    assert d.components["m"].sum() == pytest.approx(d.m, abs=1e-15)


def test_from_shares_checks_ranges() -> None:
    frame = pd.DataFrame(
        {"buurt_code": ["BU03630001", "BU03630002"], "a": [60, 70], "b": [50, 30], "n": [10, 10]}
    )
    with pytest.raises(InputError, match=r"more than 100.*row 1"):
        decompose_from_shares(frame, ["buurt", "wijk"], ["a", "b"], "n")
    frame.loc[1, "a"] = 120
    with pytest.raises(InputError, match=r"out of range.*row 2"):
        decompose_from_shares(frame, ["buurt"], ["a", "b"], "n")
    frame.loc[:, "a"] = [40, 50]
    frame.loc[0, "buurt_code"] = None
    with pytest.raises(InputError, match=r"missing value.*row 1, column 'buurt_code'"):
        decompose_from_shares(frame, ["buurt", "wijk"], ["a", "b"], "n")


def test_from_shares_on_real_kwb_utrecht() -> None:
    path = files("wijkmix.data") / "kwb" / "utrecht_kwb-2023.xlsx"
    with path.open("rb") as fh:
        kwb = pd.read_excel(fh)
    buurten = kwb.loc[kwb["recs"] == "Buurt"].rename(columns={"gwb_code": "buurt_code"})
    cols = ["p_koopw", "p_wcorpw", "p_ov_hw", "a_woning"]
    num = buurten[["buurt_code"]].assign(
        **{c: pd.to_numeric(buurten[c], errors="coerce") for c in cols}
    )
    d = decompose_from_shares(
        num,
        ["buurt", "wijk", "gemeente"],
        ["p_koopw", "p_wcorpw", "p_ov_hw"],
        "a_woning",
        remainder="onbekend",
    )
    ok = num.dropna()
    table: dict[object, list[float]] = {}
    for _, r in ok.iterrows():
        shares = [r["p_koopw"], r["p_wcorpw"], r["p_ov_hw"]]
        rest = max(0.0, 100.0 - sum(shares))
        table[r["buurt_code"]] = [s / 100 * r["a_woning"] for s in [*shares, rest]]
    wijk_of = {b: "WK" + str(b)[2:8] for b in table}
    assert d.estimated
    assert d.groups == ("p_koopw", "p_wcorpw", "p_ov_hw", "onbekend")
    assert d.m == pytest.approx(m_direct(table), abs=1e-12)
    assert d.m_at("wijk") == pytest.approx(m_direct(aggregate(table, wijk_of)), abs=1e-12)
    assert d.component("gemeente") == 0.0  # one gemeente
    assert 0 < d.share_within("wijk") < 1
    assert len(d.units["wijk"]) == 10


# ---------------------------------------------------------------------------
# change over time
# ---------------------------------------------------------------------------


def wide(rows: Mapping[str, Sequence[float]], groups: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(dict(rows), orient="index", columns=groups)


def parts_sum(c: object) -> float:
    return (
        c.additions + c.removals + c.group_marginal + c.unit_marginal + c.structural  # type: ignore[attr-defined]
    )


def test_change_only_marginals() -> None:
    a = np.array([[40.0, 30, 20, 10], [5, 10, 15, 20], [12, 8, 30, 6]])
    # same odds ratios, other margins: n2_ug = r_u * s_g * n1_ug
    r = np.array([0.5, 2.0, 1.3])
    s = np.array([1.0, 3.0, 0.4, 2.2])
    b = a * r[:, None] * s[None, :]
    groups = ["g1", "g2", "g3", "g4"]
    before = wide({f"u{i}": list(a[i]) for i in range(3)}, groups)
    after = wide({f"u{i}": list(b[i]) for i in range(3)}, groups)
    c = decompose_change(before, after)
    m1 = m_direct({i: list(a[i]) for i in range(3)})
    m2 = m_direct({i: list(b[i]) for i in range(3)})
    assert c.m_before == pytest.approx(m1, abs=1e-14)
    assert c.m_after == pytest.approx(m2, abs=1e-14)
    assert abs(m2 - m1) > 0.01
    assert c.structural == pytest.approx(0.0, abs=1e-8)
    assert c.marginal == pytest.approx(m2 - m1, abs=1e-8)
    assert c.additions == 0 and c.removals == 0
    assert abs(parts_sum(c) - c.difference) < 1e-14


def test_change_only_association() -> None:
    before = wide({"u1": [30, 20], "u2": [20, 30]}, ["laag", "hoog"])
    after = wide({"u1": [40, 10], "u2": [10, 40]}, ["laag", "hoog"])
    m1 = 0.6 * log(1.2) + 0.4 * log(0.8)  # both units: (0.6, 0.4) against (0.5, 0.5)
    m2 = 0.8 * log(1.6) + 0.2 * log(0.4)
    c = decompose_change(before, after)
    assert c.m_before == pytest.approx(m1, abs=1e-15)
    assert c.m_after == pytest.approx(m2, abs=1e-15)
    assert c.group_marginal == pytest.approx(0.0, abs=1e-9)
    assert c.unit_marginal == pytest.approx(0.0, abs=1e-9)
    assert c.structural == pytest.approx(m2 - m1, abs=1e-9)
    assert c.units["total"].sum() == pytest.approx(c.structural, abs=1e-9)
    t = c.to_frame()
    assert list(t["stat"]) == [
        "M1",
        "M2",
        "diff",
        "additions",
        "removals",
        "group_marginal",
        "unit_marginal",
        "structural",
    ]


# the test data of the R package's test_mutual_difference.R
R_DATA1 = {"a": [40, 30, 20, 10], "b": [5, 10, 15, 20]}
R_DATA2 = {"a": [20, 20, 20, 15], "b": [5, 10, 10, 15]}


def test_change_symmetries_as_in_r_package_tests() -> None:
    g = ["1", "2", "3", "4"]
    d1, d2 = wide(R_DATA1, g), wide(R_DATA2, g)
    sh1 = decompose_change(d1, d2)
    sh2 = decompose_change(d1.T, d2.T)  # units and groups switched
    sh3 = decompose_change(d2, d1)  # data switched
    for c in (sh1, sh2, sh3):
        assert c.difference == pytest.approx(c.m_after - c.m_before, abs=1e-15)
        assert abs(parts_sum(c) - c.difference) < 1e-14
        assert c.additions == 0 and c.removals == 0
    assert sh1.m_before == pytest.approx(m_direct(R_DATA1), abs=1e-14)
    assert sh1.m_after == pytest.approx(m_direct(R_DATA2), abs=1e-14)
    assert sh2.m_before == pytest.approx(sh1.m_before, abs=1e-14)
    assert sh1.group_marginal == pytest.approx(sh2.unit_marginal, abs=1e-8)
    assert sh1.unit_marginal == pytest.approx(sh2.group_marginal, abs=1e-8)
    assert sh1.structural == pytest.approx(sh2.structural, abs=1e-8)
    assert sh1.group_marginal == pytest.approx(-sh3.group_marginal, abs=1e-8)
    assert sh1.unit_marginal == pytest.approx(-sh3.unit_marginal, abs=1e-8)
    assert sh1.structural == pytest.approx(-sh3.structural, abs=1e-8)


def test_change_additions_and_removals() -> None:
    g = ["x", "y", "z"]
    before = wide({"u1": [10, 5, 0], "u2": [3, 9, 2], "u3": [7, 7, 7], "gone": [9, 1, 0]}, g)
    after = wide({"u1": [12, 4, 0], "u2": [2, 14, 2], "u3": [5, 9, 6], "new": [0, 3, 12]}, g)
    c = decompose_change(before, after)
    assert c.units_added == ("new",) and c.units_removed == ("gone",)
    assert c.n_units == 3 and c.n_groups == 3
    common_a = {u: list(before.loc[u]) for u in ["u1", "u2", "u3"]}
    common_b = {u: list(after.loc[u]) for u in ["u1", "u2", "u3"]}
    full_a = {u: list(before.loc[u]) for u in before.index}
    full_b = {u: list(after.loc[u]) for u in after.index}
    assert c.removals == pytest.approx(m_direct(common_a) - m_direct(full_a), abs=1e-14)
    assert c.additions == pytest.approx(m_direct(full_b) - m_direct(common_b), abs=1e-14)
    assert abs(parts_sum(c) - c.difference) < 1e-14

    # long microdata give the same result
    def micro(t: pd.DataFrame) -> pd.DataFrame:
        long = t.rename_axis("buurt").reset_index().melt(id_vars="buurt", var_name="groep")
        return long.loc[long.index.repeat(long["value"].astype(int))].drop(columns="value")

    c2 = decompose_change(micro(before), micro(after), unit="buurt", group="groep")
    assert c2.structural == pytest.approx(c.structural, abs=1e-10)
    assert c2.additions == pytest.approx(c.additions, abs=1e-14)


def test_change_errors() -> None:
    with pytest.raises(InputError, match="no overlap in units"):
        decompose_change(wide({"a": [1, 2]}, ["x", "y"]), wide({"b": [1, 2]}, ["x", "y"]))
    with pytest.raises(InputError, match="invalid count"):
        decompose_change(wide({"a": [1, -2]}, ["x", "y"]), wide({"a": [1, 2]}, ["x", "y"]))


def test_local_scores_weighted_sum_is_m() -> None:
    rng = np.random.default_rng(5)
    n = 300
    df = pd.DataFrame(
        {
            "complex": rng.integers(0, 40, n),
            "groep": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
        }
    )
    df["buurt"] = df["complex"] // 8
    d = decompose(df, ["complex", "buurt"], group="groep")
    for level in ("complex", "buurt"):
        u = d.units[level]
        assert math.isclose((u["share"] * u["ls"]).sum(), d.m_at(level), abs_tol=1e-14)
    ref = pd.crosstab(df["complex"], df["groep"])
    assert d.m == pytest.approx(m_direct({i: list(r) for i, r in ref.iterrows()}), abs=1e-13)
