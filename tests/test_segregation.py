"""Segregation indices: hand-computed values, edge cases and properties.

Expected values are computed here from the textbook formulas, in exact
rational arithmetic (fractions.Fraction) where the index is rational, with
plain loops over units and pairs — never by calling wijkmix another way.
"""

import math
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wijkmix.errors import InputError
from wijkmix.measures import segregation as seg
from wijkmix.measures._counts import as_count_table, group_index

# ---------------------------------------------------------------------------
# reference formulas (exact, slow, loops over units and pairs)
# ---------------------------------------------------------------------------


def F(table):
    return [[Fraction(v) for v in row] for row in table]


def margins(table):
    t = [sum(row) for row in table]
    cols = [sum(row[k] for row in table) for k in range(len(table[0]))]
    return t, cols, sum(t)


def two(table, k):
    """Focal group x and unit totals t (group k versus the rest)."""
    x = [row[k] for row in table]
    t = [sum(row) for row in table]
    return x, t, sum(x), sum(t)


def ref_dissimilarity(table, k):
    x, t, X, T = two(F(table), k)
    P = X / T
    return sum(tj * abs(xj / tj - P) for xj, tj in zip(x, t, strict=True) if tj) / (
        2 * T * P * (1 - P)
    )


def ref_gini(table, k):
    x, t, X, T = two(F(table), k)
    P = X / T
    p = [xj / tj if tj else Fraction(0) for xj, tj in zip(x, t, strict=True)]
    s = sum(t[i] * t[j] * abs(p[i] - p[j]) for i in range(len(t)) for j in range(len(t)))
    return s / (2 * T * T * P * (1 - P))


def ref_isolation(table, k):
    x, t, X, _ = two(F(table), k)
    return sum((xj / X) * (xj / tj) for xj, tj in zip(x, t, strict=True) if tj)


def ref_exposure(table, a, b=None):
    rows = F(table)
    x, t, X, _ = two(rows, a)
    y = [tj - xj for xj, tj in zip(x, t, strict=True)] if b is None else [row[b] for row in rows]
    return sum((xj / X) * (yj / tj) for xj, yj, tj in zip(x, y, t, strict=True) if tj)


def ref_correlation_ratio(table, k):
    _, _, X, T = two(F(table), k)
    P = X / T
    return (ref_isolation(table, k) - P) / (1 - P)


def ref_interaction(table):
    _, cols, T = margins(F(table))
    return sum((c / T) * (1 - c / T) for c in cols)


def ref_multigroup_dissimilarity(table):
    rows = F(table)
    t, cols, T = margins(rows)
    P = [c / T for c in cols]
    s = sum(
        tj * abs(row[k] / tj - P[k])
        for row, tj in zip(rows, t, strict=True)
        if tj
        for k in range(len(cols))
    )
    return s / (2 * T * ref_interaction(table))


def ref_multigroup_gini(table):
    rows = F(table)
    t, cols, T = margins(rows)
    p = [[v / tj if tj else Fraction(0) for v in row] for row, tj in zip(rows, t, strict=True)]
    n = len(rows)
    s = sum(
        t[i] * t[j] * abs(p[i][k] - p[j][k])
        for k in range(len(cols))
        for i in range(n)
        for j in range(n)
    )
    return s / (2 * T * T * ref_interaction(table))


def ref_relative_diversity(table):
    rows = F(table)
    t, cols, T = margins(rows)
    P = [c / T for c in cols]
    s = sum(
        tj * (row[k] / tj - P[k]) ** 2
        for row, tj in zip(rows, t, strict=True)
        if tj
        for k in range(len(cols))
    )
    return s / (T * ref_interaction(table))


def ref_normalized_exposure(table):
    rows = F(table)
    t, cols, T = margins(rows)
    P = [c / T for c in cols]
    return sum(
        (tj / T) * (row[k] / tj - P[k]) ** 2 / (1 - P[k])
        for row, tj in zip(rows, t, strict=True)
        if tj
        for k in range(len(cols))
        if P[k] < 1
    )


def ref_mutual_information(table):
    """M = sum_jk p_jk ln(p_jk / (p_j p_k)), the joint-probability form."""
    t, cols, T = margins(table)
    total = 0.0
    for row, tj in zip(table, t, strict=True):
        for k, v in enumerate(row):
            if v:
                total += (v / T) * math.log((v / T) / ((tj / T) * (cols[k] / T)))
    return total


def ref_entropy(table):
    _, cols, T = margins(table)
    return -sum((c / T) * math.log(c / T) for c in cols if c)


# ---------------------------------------------------------------------------
# hand-computed 3-unit tables
# ---------------------------------------------------------------------------

# unequal unit sizes and a zero cell
TWO = [[3, 1], [2, 6], [0, 5]]
THREE = [[6, 2, 0], [3, 9, 4], [1, 1, 14]]


def test_two_group_indices_on_a_hand_computed_table():
    # TWO: t = (4, 8, 5), T = 17, X = 5, P = 5/17, p = (3/4, 1/4, 0)
    P = Fraction(5, 17)
    d = (4 * abs(Fraction(3, 4) - P) + 8 * abs(Fraction(1, 4) - P) + 5 * P) / (2 * 17 * P * (1 - P))
    assert d == ref_dissimilarity(TWO, 0)  # the reference agrees with the arithmetic above
    assert seg.dissimilarity(TWO) == pytest.approx(float(d), abs=1e-15)
    # pairs: |3/4-1/4| t=4*8, |3/4-0| 4*5, |1/4-0| 8*5, each counted twice
    g = (
        2
        * (32 * Fraction(1, 2) + 20 * Fraction(3, 4) + 40 * Fraction(1, 4))
        / (2 * 17**2 * P * (1 - P))
    )
    assert seg.gini(TWO) == pytest.approx(float(g), abs=1e-15)
    iso = Fraction(3, 5) * Fraction(3, 4) + Fraction(2, 5) * Fraction(2, 8)
    assert seg.isolation(TWO) == pytest.approx(float(iso), abs=1e-15)
    exp_ = Fraction(3, 5) * Fraction(1, 4) + Fraction(2, 5) * Fraction(6, 8)
    assert seg.exposure(TWO) == pytest.approx(float(exp_), abs=1e-15)
    assert seg.correlation_ratio(TWO) == pytest.approx(float((iso - P) / (1 - P)), abs=1e-15)
    # the other group as focal group
    exp_back = (
        Fraction(1, 12) * Fraction(3, 4) + Fraction(6, 12) * Fraction(2, 8) + Fraction(5, 12) * 0
    )
    assert seg.exposure(TWO, a=1) == pytest.approx(float(exp_back), abs=1e-15)
    assert seg.dissimilarity(TWO, 1) == pytest.approx(float(d), abs=1e-15)


def test_two_group_indices_of_one_group_versus_the_rest():
    for k in range(3):
        assert seg.dissimilarity(THREE, k) == pytest.approx(float(ref_dissimilarity(THREE, k)))
        assert seg.gini(THREE, k) == pytest.approx(float(ref_gini(THREE, k)))
        assert seg.isolation(THREE, k) == pytest.approx(float(ref_isolation(THREE, k)))
        assert seg.exposure(THREE, k) == pytest.approx(float(ref_exposure(THREE, k)))
        assert seg.correlation_ratio(THREE, k) == pytest.approx(
            float(ref_correlation_ratio(THREE, k))
        )
        for b in range(3):
            assert seg.exposure(THREE, k, b) == pytest.approx(float(ref_exposure(THREE, k, b)))
    # group 0: X = 10, units (6 of 8), (3 of 16), (1 of 16)
    iso0 = (
        Fraction(6, 10) * Fraction(6, 8)
        + Fraction(3, 10) * Fraction(3, 16)
        + Fraction(1, 10) * Fraction(1, 16)
    )
    assert seg.isolation(THREE, 0) == pytest.approx(float(iso0), abs=1e-15)


def test_multigroup_indices_on_a_hand_computed_table():
    # THREE: t = (8, 16, 16), T = 40, T_k = (10, 12, 18), P = (1/4, 3/10, 9/20)
    P = [Fraction(1, 4), Fraction(3, 10), Fraction(9, 20)]
    interaction = sum(p * (1 - p) for p in P)
    assert interaction == Fraction(1 * 3, 16) + Fraction(21, 100) + Fraction(99, 400)
    assert seg.simpson_interaction(THREE) == pytest.approx(float(interaction), abs=1e-15)
    assert seg.simpson_concentration(THREE) == pytest.approx(
        float(sum(p * p for p in P)), abs=1e-15
    )
    absdev = sum(
        abs(v - tj * P[k])
        for row, tj in zip(THREE, (8, 16, 16), strict=True)
        for k, v in enumerate(row)
    )
    # unit 1 expects (2, 12/5, 18/5), unit 2 and 3 expect (4, 24/5, 36/5)
    assert absdev == (4 + Fraction(2, 5) + Fraction(18, 5)) + (
        1 + Fraction(21, 5) + Fraction(16, 5)
    ) + (3 + Fraction(19, 5) + Fraction(34, 5))
    assert absdev == 30
    assert absdev / (2 * 40 * interaction) == Fraction(25, 43)
    assert seg.multigroup_dissimilarity(THREE) == pytest.approx(
        float(absdev / (2 * 40 * interaction)), abs=1e-15
    )
    assert seg.multigroup_dissimilarity(THREE) == pytest.approx(
        float(ref_multigroup_dissimilarity(THREE)), abs=1e-15
    )
    assert seg.multigroup_gini(THREE) == pytest.approx(float(ref_multigroup_gini(THREE)), abs=1e-15)
    assert seg.relative_diversity(THREE) == pytest.approx(
        float(ref_relative_diversity(THREE)), abs=1e-15
    )
    assert seg.normalized_exposure(THREE) == pytest.approx(
        float(ref_normalized_exposure(THREE)), abs=1e-15
    )
    # M by hand: sum over nonzero cells of (t_jk / T) ln(t_jk T / (t_j T_k))
    m = (
        6 / 40 * math.log(6 * 40 / (8 * 10))
        + 2 / 40 * math.log(2 * 40 / (8 * 12))
        + 3 / 40 * math.log(3 * 40 / (16 * 10))
        + 9 / 40 * math.log(9 * 40 / (16 * 12))
        + 4 / 40 * math.log(4 * 40 / (16 * 18))
        + 1 / 40 * math.log(1 * 40 / (16 * 10))
        + 1 / 40 * math.log(1 * 40 / (16 * 12))
        + 14 / 40 * math.log(14 * 40 / (16 * 18))
    )
    e = -(0.25 * math.log(0.25) + 0.3 * math.log(0.3) + 0.45 * math.log(0.45))
    assert seg.mutual_information(THREE) == pytest.approx(m, rel=1e-13)
    assert seg.theil_h(THREE) == pytest.approx(m / e, rel=1e-13)


def test_docstring_tables_by_hand():
    # the worked examples in the docstrings, recomputed from the formulas
    t2 = [[8, 2], [5, 5], [2, 8]]
    assert ref_dissimilarity(t2, 0) == Fraction(2, 5)
    assert ref_gini(t2, 0) == Fraction(8, 15)
    assert ref_isolation(t2, 0) == Fraction(31, 50)
    assert ref_exposure(t2, 0) == Fraction(19, 50)
    assert ref_correlation_ratio(t2, 0) == Fraction(6, 25)
    t3 = [[5, 3, 2], [1, 6, 3], [2, 1, 7]]
    assert ref_multigroup_dissimilarity(t3) == Fraction(15, 37)
    assert ref_multigroup_gini(t3) == Fraction(35, 74)
    assert ref_relative_diversity(t3) == Fraction(53, 296)
    assert ref_normalized_exposure(t3) == Fraction(1787, 9900)
    assert ref_interaction(t3) == Fraction(148, 225)
    m = [[2, 0], [1, 1], [0, 2]]
    assert ref_mutual_information(m) == pytest.approx(2 / 3 * math.log(2), rel=1e-15)
    assert seg.theil_h(m) == pytest.approx(2 / 3, rel=1e-14)


# ---------------------------------------------------------------------------
# edge cases
# ---------------------------------------------------------------------------

ALL = [getattr(seg, name) for name in seg.__all__]
TWO_GROUP = {seg.dissimilarity, seg.gini, seg.isolation, seg.exposure, seg.correlation_ratio}


def call(fn, table):
    """Two-group indices with group 0 as focal group, multigroup ones as they are."""
    return fn(table, 0) if fn in TWO_GROUP else fn(table)


SEGREGATION = [
    seg.dissimilarity,
    seg.gini,
    seg.correlation_ratio,
    seg.multigroup_dissimilarity,
    seg.multigroup_gini,
    seg.mutual_information,
    seg.theil_h,
    seg.relative_diversity,
    seg.normalized_exposure,
]


def strict_numpy():
    """Turn every floating-point problem into an error.

    PySAL sets numpy's global error state to 'ignore' when imported (in the
    same test session), so the test sets it explicitly.
    """
    return np.errstate(divide="raise", over="raise", invalid="raise")


@pytest.mark.parametrize("fn", ALL, ids=seg.__all__)
def test_results_are_plain_floats(fn):
    assert type(fn(np.array([[3, 1], [2, 6], [0, 5]]))) is float
    assert type(fn(pd.DataFrame({"a": [3, 2], "b": [1, 6]}))) is float


@pytest.mark.parametrize("fn", SEGREGATION, ids=lambda f: f.__name__)
def test_single_unit_is_not_segregated_and_warns_nothing(fn):
    with warnings.catch_warnings(), strict_numpy():
        warnings.simplefilter("error")
        assert fn([[3.0, 7.0]]) == pytest.approx(0.0, abs=1e-15)
        assert fn(np.array([[0.0, 0.0], [3.0, 7.0], [0.0, 0.0]])) == pytest.approx(0.0, abs=1e-15)


def test_single_unit_simpson_indices_and_exposure():
    with warnings.catch_warnings(), strict_numpy():
        warnings.simplefilter("error")
        assert seg.simpson_interaction([[3, 7]]) == pytest.approx(0.42)
        assert seg.simpson_concentration([[3, 7]]) == pytest.approx(0.58)
        assert seg.isolation([[3, 7]]) == pytest.approx(0.3)
        assert seg.exposure([[3, 7]]) == pytest.approx(0.7)


@pytest.mark.parametrize("fn", ALL, ids=seg.__all__)
def test_empty_units_contribute_nothing(fn):
    table = np.array(TWO if fn in TWO_GROUP else THREE, dtype=float)
    padded = np.vstack([np.zeros((2, table.shape[1])), table, np.zeros((1, table.shape[1]))])
    with warnings.catch_warnings(), strict_numpy():
        warnings.simplefilter("error")
        assert fn(padded) == pytest.approx(fn(table), rel=1e-14, abs=1e-15)


@pytest.mark.parametrize(
    "fn",
    [f for f in ALL if f not in TWO_GROUP] + [seg.isolation, seg.exposure],
    ids=lambda f: f.__name__,
)
def test_an_empty_group_changes_nothing(fn):
    table = np.array(THREE, dtype=float)
    with_empty = np.column_stack([table[:, :1], np.zeros(3), table[:, 1:]])
    with warnings.catch_warnings(), strict_numpy():
        warnings.simplefilter("error")
        assert call(fn, with_empty) == pytest.approx(call(fn, table), rel=1e-14)


def test_undefined_indices_are_nan_without_warnings():
    one_group = [[3, 0], [5, 0]]
    with warnings.catch_warnings(), strict_numpy():
        warnings.simplefilter("error")
        for fn in (seg.dissimilarity, seg.gini, seg.correlation_ratio):
            assert math.isnan(fn(one_group))  # the rest is absent
            assert math.isnan(fn(one_group, group=1))  # the focal group is absent
        assert math.isnan(seg.isolation(one_group, group=1))
        assert math.isnan(seg.exposure(one_group, a=1))
        assert seg.exposure(one_group, a=0) == 0.0  # exposure to an absent group
        assert seg.isolation(one_group) == 1.0
        for fn in (
            seg.multigroup_dissimilarity,
            seg.multigroup_gini,
            seg.theil_h,
            seg.relative_diversity,
            seg.normalized_exposure,
        ):
            assert math.isnan(fn(one_group))
            assert math.isnan(fn([[1], [4]]))
        assert seg.mutual_information(one_group) == 0.0
        assert seg.simpson_interaction(one_group) == 0.0
        assert seg.simpson_concentration(one_group) == 1.0


@pytest.mark.parametrize("fn", ALL, ids=seg.__all__)
def test_no_population_is_an_input_error(fn):
    with pytest.raises(InputError, match=r"no population.*at least one positive count"):
        fn([[0, 0], [0, 0]])


@pytest.mark.parametrize("fn", ALL, ids=seg.__all__)
@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, -math.inf])
def test_invalid_counts_are_input_errors(fn, bad):
    table = np.array([[3.0, 1.0], [2.0, 6.0], [0.0, 5.0]])
    table[2, 1] = bad
    with pytest.raises(InputError) as info:
        fn(table)
    err = info.value
    assert err.where.field == "counts"
    assert err.expected == "finite non-negative counts"
    assert f"{bad!r} at unit 2, group 1" in str(err)


def test_invalid_count_in_a_data_frame_names_unit_and_group():
    df = pd.DataFrame(
        {"huur": [10, 4], "koop": [3.0, -2.0]}, index=pd.Index(["BU03630001", "BU03630002"])
    )
    with pytest.raises(
        InputError,
        match=r"invalid count in field 'counts': expected finite non-negative counts, "
        r"found -2\.0 at unit 'BU03630002', group 'koop'",
    ):
        seg.dissimilarity(df)
    nullable = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [1, 2]})
    with pytest.raises(InputError, match=r"found nan at unit 1, group 'a'"):
        seg.theil_h(nullable)


def test_negative_zero_is_a_zero():
    assert seg.dissimilarity([[-0.0, 2.0], [2.0, 0.0]]) == 1.0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([1.0, 2.0], "wrong shape.*2-D table.*1-D array"),
        (np.ones((2, 2, 2)), "wrong shape.*3-D"),
        (np.ones((0, 2)), "empty table.*at least 1 unit"),
        (np.ones((3, 0)), "empty table"),
        ([["a", "b"]], "non-numeric counts"),
        (pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), "non-numeric counts.*column 'b'"),
        (np.array([[1 + 1j, 2]]), "non-numeric counts"),
    ],
)
def test_malformed_tables_are_input_errors(table, message):
    with pytest.raises(InputError, match=message):
        seg.multigroup_dissimilarity(table)
    with pytest.raises(InputError, match=message):
        as_count_table(table, name="tabel")


def test_error_names_the_argument():
    with pytest.raises(InputError, match="field 'tabel'"):
        as_count_table([[1, -1]], name="tabel")


def test_group_argument():
    df = pd.DataFrame({"huur": [3, 2, 0], "koop": [1, 6, 5], "overig": [0, 1, 1]})
    assert seg.dissimilarity(df, "koop") == pytest.approx(seg.dissimilarity(df, 1))
    vs_rest = np.column_stack([df["koop"], df["huur"] + df["overig"]])
    assert seg.dissimilarity(df, "koop") == pytest.approx(seg.dissimilarity(vs_rest))
    assert seg.exposure(df, "huur", "overig") == pytest.approx(
        float(ref_exposure(df.to_numpy().tolist(), 0, 2))
    )
    with pytest.raises(InputError, match=r"group not given.*exactly 2 groups.*3 groups"):
        seg.dissimilarity(df)
    with pytest.raises(InputError, match=r"unknown group.*'huur', 'koop', 'overig'.*'sociaal'"):
        seg.gini(df, "sociaal")
    with pytest.raises(InputError, match=r"group out of range.*0 to 2.*found 3"):
        seg.isolation(df.to_numpy(), 3)
    with pytest.raises(InputError, match="field 'b'"):
        seg.exposure(df, "huur", 7)
    with pytest.raises(InputError, match="field 'a'"):
        seg.exposure(df)
    with pytest.raises(InputError, match="unknown group"):
        seg.isolation(df.to_numpy(), True)
    assert group_index(np.int64(1), n_groups=2) == 1
    with pytest.raises(InputError, match="ambiguous group"):
        group_index("a", n_groups=2, columns=["a", "a"])


def test_input_forms_agree_and_input_is_not_modified():
    table = np.array(THREE, dtype=np.int64)
    f_order = np.asfortranarray(table.astype(float))
    strided = np.zeros((3, 6))
    strided[:, ::2] = table
    read_only = table.astype(float)
    read_only.flags.writeable = False
    before = read_only.copy()
    df = pd.DataFrame(table, columns=["a", "b", "c"], index=["x", "y", "z"])
    for fn in ALL:
        want = call(fn, THREE)
        for form in (table, f_order, strided[:, ::2], read_only, df):
            assert call(fn, form) == pytest.approx(want, rel=1e-14, abs=1e-15)
    assert np.array_equal(read_only, before)


def test_as_count_table_returns_float64_without_copying_float_input():
    a = np.asfortranarray(np.ones((4, 2)))
    assert as_count_table(a) is a
    out = as_count_table([[1, 2]])
    assert out.dtype == np.float64 and out.shape == (1, 2)
    assert as_count_table(pd.DataFrame({"a": [True, False]})).tolist() == [[1.0], [0.0]]


def test_large_counts_do_not_overflow():
    table = np.array(THREE, dtype=float) * 1e300
    with strict_numpy():
        assert seg.multigroup_dissimilarity(table) == pytest.approx(
            float(ref_multigroup_dissimilarity(THREE)), rel=1e-12
        )
        assert seg.mutual_information(table) == pytest.approx(
            ref_mutual_information(THREE), rel=1e-12
        )


def test_gini_sorted_form_handles_ties_and_many_units():
    rng = np.random.default_rng(7)
    table = rng.integers(0, 4, size=(400, 2)).astype(float)  # many tied shares
    x, t = table[:, 0], table.sum(axis=1)
    p = np.divide(x, t, out=np.zeros_like(x), where=t > 0)
    P = x.sum() / t.sum()
    pairwise = (np.outer(t, t) * np.abs(p[:, None] - p[None, :])).sum()
    assert seg.gini(table) == pytest.approx(pairwise / (2 * t.sum() ** 2 * P * (1 - P)), rel=1e-12)


# ---------------------------------------------------------------------------
# properties on random tables
# ---------------------------------------------------------------------------


@st.composite
def tables(draw, min_groups=2, max_groups=5):
    k = draw(st.integers(min_groups, max_groups))
    n = draw(st.integers(1, 12))
    table = draw(arrays(np.int64, (n, k), elements=st.integers(0, 25)))
    assume(table.sum() > 0)
    return table


def present_groups(table):
    return int(np.count_nonzero(table.sum(axis=0)))


@given(tables())
@settings(max_examples=80, deadline=None)
def test_mutual_information_and_theil_h(table):
    m = seg.mutual_information(table)
    e = ref_entropy(table.tolist())
    assert m >= 0.0
    assert m == pytest.approx(ref_mutual_information(table.tolist()), rel=1e-10, abs=1e-13)
    assert m <= e + 1e-12
    if present_groups(table) >= 2:
        h = seg.theil_h(table)
        assert 0.0 <= h <= 1.0
        assert h == pytest.approx(m / e, rel=1e-10, abs=1e-13)


@given(tables(2, 2))
@settings(max_examples=80, deadline=None)
def test_two_groups_multigroup_indices_reduce_to_two_group_ones(table):
    assume(present_groups(table) == 2)
    d = seg.dissimilarity(table)
    assert seg.multigroup_dissimilarity(table) == pytest.approx(d, rel=1e-12, abs=1e-14)
    assert seg.multigroup_gini(table) == pytest.approx(seg.gini(table), rel=1e-12, abs=1e-14)
    v = seg.correlation_ratio(table)
    assert seg.relative_diversity(table) == pytest.approx(v, rel=1e-10, abs=1e-13)
    assert seg.normalized_exposure(table) == pytest.approx(v, rel=1e-10, abs=1e-13)
    assert seg.dissimilarity(table, 1) == pytest.approx(d, rel=1e-12, abs=1e-14)


@given(tables())
@settings(max_examples=60, deadline=None)
def test_two_group_indices_match_the_formulas(table):
    rows = table.tolist()
    cols = table.sum(axis=0)
    for k in range(table.shape[1]):
        if cols[k] == 0:
            assert math.isnan(seg.isolation(table, k))
            continue
        assert seg.isolation(table, k) == pytest.approx(float(ref_isolation(rows, k)), rel=1e-12)
        assert seg.exposure(table, k) == pytest.approx(
            float(ref_exposure(rows, k)), rel=1e-12, abs=1e-14
        )
        assert seg.isolation(table, k) + seg.exposure(table, k) == pytest.approx(1.0, rel=1e-12)
        total_exposure = sum(seg.exposure(table, k, b) for b in range(table.shape[1]))
        assert total_exposure == pytest.approx(1.0, rel=1e-12)
        if cols[k] == cols.sum():
            continue
        for fn, ref in (
            (seg.dissimilarity, ref_dissimilarity),
            (seg.gini, ref_gini),
            (seg.correlation_ratio, ref_correlation_ratio),
        ):
            got = fn(table, k)
            assert 0.0 <= got <= 1.0
            assert got == pytest.approx(float(ref(rows, k)), rel=1e-10, abs=1e-13)


@given(tables(3, 5))
@settings(max_examples=60, deadline=None)
def test_multigroup_indices_match_the_formulas(table):
    assume(present_groups(table) >= 2)
    rows = table.tolist()
    for fn, ref in (
        (seg.multigroup_dissimilarity, ref_multigroup_dissimilarity),
        (seg.multigroup_gini, ref_multigroup_gini),
        (seg.relative_diversity, ref_relative_diversity),
        (seg.normalized_exposure, ref_normalized_exposure),
        (seg.simpson_interaction, ref_interaction),
    ):
        got = fn(table)
        assert 0.0 <= got <= 1.0
        assert got == pytest.approx(float(ref(rows)), rel=1e-10, abs=1e-13)


@given(tables(2, 4))
@settings(max_examples=40, deadline=None)
def test_exposure_is_reciprocal(table):
    cols = table.sum(axis=0)
    assume(cols[0] > 0 and cols[1] > 0)
    assert seg.exposure(table, 0, 1) * cols[0] == pytest.approx(
        seg.exposure(table, 1, 0) * cols[1], rel=1e-12
    )


# ---------------------------------------------------------------------------
# large tables go in blocks; M counts whole numbers by frequency
# ---------------------------------------------------------------------------


def direct(table):
    """The indices by the formulas, as whole-array numpy expressions."""
    c = np.asarray(table, dtype=float)
    t = c.sum(axis=1)
    col = c.sum(axis=0)
    T = c.sum()
    P = col / T
    p = np.divide(c, t[:, None], out=np.zeros_like(c), where=t[:, None] > 0)
    interaction = (P * (1 - P)).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(c > 0, np.log(p / P), 0.0)
    return {
        "multigroup_dissimilarity": (t[:, None] * np.abs(p - P)).sum() / (2 * T * interaction),
        "relative_diversity": (t[:, None] * (p - P) ** 2).sum() / (T * interaction),
        "normalized_exposure": ((t[:, None] * (p - P) ** 2) / (1 - P)).sum() / T,
        "mutual_information": (c * logs).sum() / T,
        "isolation": ((c[:, 0] / col[0]) * p[:, 0]).sum(),
        "exposure": ((c[:, 0] / col[0]) * (1 - p[:, 0])).sum(),
        "dissimilarity": (t * np.abs(p[:, 0] - P[0])).sum() / (2 * T * P[0] * (1 - P[0])),
        "correlation_ratio": (t * (p[:, 0] - P[0]) ** 2).sum() / (T * P[0] * (1 - P[0])),
    }


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("weighted", [False, True])
def test_many_blocks_agree_with_whole_array_formulas(order, weighted):
    rng = np.random.default_rng(3)
    table = rng.poisson(rng.uniform(1, 30, size=3) * rng.gamma(1.5, 1, size=(50_000, 3)))
    table = table.astype(float)
    table[rng.random(50_000) < 0.03] = 0
    if weighted:  # fractional counts: M takes logarithms
        table *= rng.uniform(0.5, 1.5, size=table.shape)
    table = np.asarray(table, order=order)
    want = direct(table)
    for name, value in want.items():
        fn = getattr(seg, name)
        got = call(fn, table)
        assert got == pytest.approx(value, rel=1e-10), name


def test_block_boundaries(monkeypatch):
    # blocks of 5 cells: 2 units per block for 2 groups, a short last block
    monkeypatch.setattr(seg, "_BLOCK", 5)
    rows = [[3, 1], [2, 6], [0, 0], [0, 5], [7, 2], [1, 1], [4, 0]]
    for fn, ref in (
        (seg.dissimilarity, ref_dissimilarity),
        (seg.isolation, ref_isolation),
        (seg.exposure, ref_exposure),
        (seg.correlation_ratio, ref_correlation_ratio),
    ):
        assert fn(rows, 0) == pytest.approx(float(ref(rows, 0)), rel=1e-13)
    three = [*THREE, [0, 0, 0], [2, 5, 1], [9, 0, 3]]
    assert seg.multigroup_dissimilarity(three) == pytest.approx(
        float(ref_multigroup_dissimilarity(three)), rel=1e-13
    )
    assert seg.relative_diversity(three) == pytest.approx(
        float(ref_relative_diversity(three)), rel=1e-13
    )
    assert seg.normalized_exposure(three) == pytest.approx(
        float(ref_normalized_exposure(three)), rel=1e-13
    )
    assert seg.mutual_information(three) == pytest.approx(ref_mutual_information(three), rel=1e-12)


@pytest.mark.parametrize(
    "table",
    [
        [[2.5, 1.0], [0.5, 3.0], [1.0, 1.0]],  # fractional: logarithms
        [[30000, 20000, 1], [1, 40000, 30000]],  # unit totals above the frequency limit
        [[70000, 1], [2, 90000]],  # counts above the frequency limit
        [[1, 2], [3, 4.5], [5, 6]],  # one fractional count
    ],
)
def test_mutual_information_paths(table, monkeypatch):
    want = ref_mutual_information(table)
    assert seg.mutual_information(table) == pytest.approx(want, rel=1e-12)
    # mixed blocks: some by frequency, some by logarithms
    monkeypatch.setattr(seg, "_BLOCK", 2)
    assert seg.mutual_information(table) == pytest.approx(want, rel=1e-12)
