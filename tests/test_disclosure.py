import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkmix.disclosure import MIN_HOUSEHOLDS, SUPPRESSED, format_cell, gate
from wijkmix.errors import InputError


def test_cells_under_ten_households_are_suppressed_not_zero():
    t = pd.DataFrame({"buurt": ["a", "b", "c"], "n": [9, 10, 250], "pct": [11.1, 20.0, 5.5]})
    d = gate(t, count="n")
    assert MIN_HOUSEHOLDS == 10
    assert np.isnan(d.frame.loc[0, "pct"]) and np.isnan(d.frame.loc[0, "n"])
    assert d.frame.loc[1, "pct"] == 20.0 and d.frame.loc[2, "n"] == 250
    assert d.n_suppressed == 2
    shown = d.formatted(1)
    assert shown.loc[0, "pct"] == SUPPRESSED and shown.loc[0, "pct"] != "0"
    assert shown.loc[2, "pct"] == "5.5"


def test_one_count_per_value_column():
    t = pd.DataFrame({"n1": [5, 50], "n2": [50, 5], "a": [1.0, 2.0], "b": [3.0, 4.0]})
    d = gate(t, count=["n1", "n2"], values=["a", "b"])
    assert np.isnan(d.frame.loc[0, "a"]) and d.frame.loc[0, "b"] == 3.0
    assert d.frame.loc[1, "a"] == 2.0 and np.isnan(d.frame.loc[1, "b"])


def test_bad_gate_arguments():
    t = pd.DataFrame({"n": [1]})
    with pytest.raises(InputError, match="missing household count column"):
        gate(t, count="households")
    with pytest.raises(InputError, match="at least 1"):
        gate(t, count="n", threshold=0)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=30))
@settings(max_examples=100, deadline=None)
def test_no_small_cell_survives(ns):
    t = pd.DataFrame({"n": ns, "v": np.arange(len(ns), dtype=float)})
    d = gate(t, count="n")
    small = np.array(ns) < 10
    assert d.frame["v"][small].isna().all()
    assert (d.frame["v"][~small] == t["v"][~small]).all()


def test_format_cell():
    assert format_cell(None) == SUPPRESSED
    assert format_cell(float("nan")) == SUPPRESSED
    assert format_cell(3) == "3"
    assert format_cell(2.345, 2) == "2.35"
