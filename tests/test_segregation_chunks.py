"""Tables larger than one kernel chunk (65 536 units) give the same numbers and errors."""

import numpy as np
import pytest

from wijkmix.errors import InputError
from wijkmix.measures import segregation as seg


def _table(n: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(rng.gamma(2.0, 3.0, size=(n, k))).astype(float)


def _m_by_hand(t: np.ndarray) -> float:
    p = t / t.sum()
    pu = p.sum(axis=1, keepdims=True)
    pg = p.sum(axis=0, keepdims=True)
    nz = p > 0
    return float((p[nz] * np.log(p[nz] / (pu * pg)[nz])).sum())


@pytest.mark.parametrize("order", ["C", "F"])
def test_chunked_tables_match_the_closed_form(order):
    t = np.asarray(_table(150_001, 3, 1), order=order)
    assert seg.mutual_information(t) == pytest.approx(_m_by_hand(t), abs=1e-12)
    e = -(t.sum(axis=0) / t.sum() * np.log(t.sum(axis=0) / t.sum())).sum()
    assert seg.theil_h(t) == pytest.approx(_m_by_hand(t) / e, abs=1e-12)
    tot = t.sum(axis=1)
    share = t.sum(axis=0) / t.sum()
    # multigroup D (Reardon & Firebaugh): sum_k sum_j t_j |p_jk - P_k| / (2 T I), I = sum P_k(1-P_k)
    with np.errstate(invalid="ignore", divide="ignore"):
        pjk = np.where(tot[:, None] > 0, t / tot[:, None], 0.0)
    i = (share * (1 - share)).sum()
    mdis = (tot[:, None] * np.abs(pjk - share)).sum() / (2 * t.sum() * i)
    assert seg.multigroup_dissimilarity(t) == pytest.approx(mdis, abs=1e-12)
    # the same numbers on every call (deterministic order of the partial sums)
    assert seg.mutual_information(t) == seg.mutual_information(t)


@pytest.mark.parametrize("row", [0, 70_000, 150_000])
def test_a_bad_count_in_any_chunk_is_named(row):
    t = _table(150_001, 2, 2)
    t[row, 1] = -3.0
    with pytest.raises(InputError, match=rf"found -3\.0 at unit {row}\b"):
        seg.mutual_information(t)
    t[row, 1] = np.nan
    with pytest.raises(InputError, match="finite non-negative"):
        seg.simpson_interaction(t)
