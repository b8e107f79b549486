"""Agreement with PySAL ``segregation`` on random tables, to 1e-9.

PySAL's classes take a data frame: the single-group ones a column with the
focal group and one with the unit total (``Dissim(df, "g1", "total")``), the
multigroup ones a list of group columns (``MultiDissim(df, groups)``); the
value is ``.statistic``.

PySAL differences, handled here:

* A group with no members at all makes PySAL's entropy ``E`` nan
  (``0 * log(1/0)``), so ``MultiInfoTheory`` is nan; by definition
  ``0 ln 0 = 0`` and the empty group changes nothing, so wijkmix's H equals
  PySAL's H on the table without that column (tested below).
* PySAL's ``Gini`` sums all n² pairs in parallel with ``fastmath``, so it
  differs from the sorted form in the last bits only.
* Importing PySAL sets numpy's global error state to "ignore" (it does not
  change any value).
"""

import numpy as np
import pandas as pd
import pytest

pysal = pytest.importorskip("segregation")

from wijkmix.measures import segregation as seg  # noqa: E402

TOL = {"rel": 1e-9, "abs": 1e-12}


def random_table(seed, n_groups, n_units=300):
    """Counts with unequal group sizes, small and empty units, and zero cells."""
    rng = np.random.default_rng(seed)
    sizes = rng.uniform(0.5, 40.0, size=n_groups)
    # units differ in composition: a gamma-distributed tilt per unit and group
    tilt = rng.gamma(1.5, 1.0, size=(n_units, n_groups))
    table = rng.poisson(sizes * tilt).astype(float)
    table[rng.random(n_units) < 0.05] = 0.0  # empty units
    return table


def frame(table):
    cols = [f"g{k}" for k in range(table.shape[1])]
    df = pd.DataFrame(table, columns=cols)
    df["total"] = table.sum(axis=1)
    return df, cols


CASES = [(seed, k) for seed in range(4) for k in (2, 3, 4, 5)]


@pytest.mark.parametrize(("seed", "n_groups"), CASES)
def test_multigroup_indices_agree(seed, n_groups):
    table = random_table(seed, n_groups)
    df, cols = frame(table)
    mg = pysal.multigroup
    pairs = {
        "MultiDissim": (mg.MultiDissim, seg.multigroup_dissimilarity),
        "MultiGini": (mg.MultiGini, seg.multigroup_gini),
        "MultiInfoTheory": (mg.MultiInfoTheory, seg.theil_h),
        "MultiDivergence": (mg.MultiDivergence, seg.mutual_information),
        "MultiRelativeDiversity": (mg.MultiRelativeDiversity, seg.relative_diversity),
        "MultiNormExposure": (mg.MultiNormExposure, seg.normalized_exposure),
        "SimpsonsInteraction": (mg.SimpsonsInteraction, seg.simpson_interaction),
        "SimpsonsConcentration": (mg.SimpsonsConcentration, seg.simpson_concentration),
    }
    for name, (cls, ours) in pairs.items():
        theirs = float(cls(df, cols).statistic)
        assert ours(table) == pytest.approx(theirs, **TOL), name
        assert ours(df[cols]) == pytest.approx(theirs, **TOL), name


@pytest.mark.parametrize(("seed", "n_groups"), CASES)
def test_single_group_indices_agree(seed, n_groups):
    table = random_table(seed, n_groups)
    df, cols = frame(table)
    sg = pysal.singlegroup
    for k, col in enumerate(cols):
        x = table[:, k]
        vs_rest = np.column_stack([x, table.sum(axis=1) - x])
        pairs = {
            "Dissim": (sg.Dissim, seg.dissimilarity(table, k)),
            "Gini": (sg.Gini, seg.gini(table, k)),
            "Isolation": (sg.Isolation, seg.isolation(table, k)),
            "Interaction": (sg.Interaction, seg.exposure(table, k)),
            "CorrelationR": (sg.CorrelationR, seg.correlation_ratio(table, k)),
            "Entropy": (sg.Entropy, seg.theil_h(vs_rest)),
        }
        for name, (cls, ours) in pairs.items():
            theirs = float(cls(df, col, "total").statistic)
            assert ours == pytest.approx(theirs, **TOL), (name, k)
        # the label form gives the same as the position form
        assert seg.dissimilarity(df[cols], col) == seg.dissimilarity(table, k)


def test_two_column_tables_agree_with_single_group_indices():
    table = random_table(11, 2)
    df, _ = frame(table)
    sg = pysal.singlegroup
    assert seg.dissimilarity(table) == pytest.approx(sg.Dissim(df, "g0", "total").statistic, **TOL)
    assert seg.gini(table) == pytest.approx(sg.Gini(df, "g0", "total").statistic, **TOL)
    assert seg.exposure(table) == pytest.approx(sg.Interaction(df, "g0", "total").statistic, **TOL)
    assert seg.theil_h(table) == pytest.approx(sg.Entropy(df, "g0", "total").statistic, **TOL)


def test_an_empty_group_is_nan_in_pysal_but_changes_nothing_by_definition():
    table = random_table(5, 3)
    with_empty = np.column_stack([table, np.zeros(table.shape[0])])
    df, cols = frame(with_empty)
    assert np.isnan(pysal.multigroup.MultiInfoTheory(df, cols).statistic)
    df_without, cols_without = frame(table)
    want = float(pysal.multigroup.MultiInfoTheory(df_without, cols_without).statistic)
    assert seg.theil_h(with_empty) == pytest.approx(want, **TOL)
    # the other indices already agree with an empty group present
    assert seg.multigroup_dissimilarity(with_empty) == pytest.approx(
        float(pysal.multigroup.MultiDissim(df, cols).statistic), **TOL
    )
    assert seg.normalized_exposure(with_empty) == pytest.approx(
        float(pysal.multigroup.MultiNormExposure(df, cols).statistic), **TOL
    )
