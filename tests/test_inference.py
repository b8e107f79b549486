"""Tests for wijkmix.measures.inference: bootstrap and random allocation."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import hypergeom

from wijkmix.errors import InputError
from wijkmix.measures.inference import bootstrap, expected_under_random


def m_index(t: np.ndarray) -> float:
    """M of a units x groups table, written out (0 log 0 = 0)."""
    t = np.asarray(t, dtype=float)
    n = t.sum()
    n_u = t.sum(axis=1, keepdims=True)
    n_g = t.sum(axis=0, keepdims=True)
    mask = t > 0
    return float(np.sum(t[mask] / n * np.log((t * n / (n_u * n_g))[mask])))


def m_batched(stack: np.ndarray) -> np.ndarray:
    return np.array([m_index(t) for t in stack])


def share_first_group(t: np.ndarray) -> float:
    return float(t[:, 0].sum() / t.sum())


TABLE = np.array(
    [[120, 30, 10], [40, 90, 20], [15, 25, 160], [60, 60, 60], [5, 80, 15]], dtype=float
)


# ---------------------------------------------------------------------------
# bootstrap
# ---------------------------------------------------------------------------


def test_bootstrap_is_deterministic_per_seed() -> None:
    a = bootstrap(m_index, TABLE, n=60, rng=np.random.default_rng(42))
    b = bootstrap(m_index, TABLE, n=60, rng=np.random.default_rng(42))
    c = bootstrap(m_index, TABLE, n=60, rng=np.random.default_rng(43))
    assert np.array_equal(a.replicates, b.replicates)
    assert (a.mean, a.se, a.ci, a.bias_corrected) == (b.mean, b.se, b.ci, b.bias_corrected)
    assert not np.array_equal(a.replicates, c.replicates)
    assert not a.replicates.flags.writeable


def test_bootstrap_summary_and_ci_covers_estimate() -> None:
    r = bootstrap(m_index, TABLE, n=400, rng=np.random.default_rng(7), ci=0.95)
    assert r.estimate == pytest.approx(m_index(TABLE), abs=1e-15)
    assert r.ci[0] <= r.estimate <= r.ci[1]
    assert r.ci_debiased[0] <= r.estimate <= r.ci_debiased[1]
    assert r.mean == pytest.approx(float(np.mean(r.replicates)), abs=1e-15)
    assert r.se == pytest.approx(float(np.std(r.replicates, ddof=1)), abs=1e-15)
    assert r.bias_corrected == pytest.approx(2 * r.estimate - r.mean, abs=1e-15)
    assert r.bias == pytest.approx(r.mean - r.estimate, abs=1e-15)
    # M is biased upwards in resamples; the bias is of the order (U-1)(G-1)/(2N)
    assert 0 < r.bias < 5 * (5 - 1) * (3 - 1) / (2 * TABLE.sum())
    assert r.ci == (
        pytest.approx(float(np.quantile(r.replicates, 0.025))),
        pytest.approx(float(np.quantile(r.replicates, 0.975))),
    )
    frame = r.to_frame()
    assert frame.loc[0, "standaardfout"] == r.se


def test_bootstrap_se_of_a_share_matches_binomial() -> None:
    # resampling N individuals: the share of group 0 is Binomial(N, p) / N
    t = np.array([[30, 70], [50, 50], [80, 120]], dtype=float)
    n_total = t.sum()
    p = t[:, 0].sum() / n_total
    r = bootstrap(share_first_group, t, n=3000, rng=np.random.default_rng(1))
    se = math.sqrt(p * (1 - p) / n_total)
    assert r.se == pytest.approx(se, rel=0.08)
    assert abs(r.mean - p) < 4 * se / math.sqrt(3000)


def test_bootstrap_batched_gives_same_numbers() -> None:
    a = bootstrap(m_index, TABLE, n=50, rng=np.random.default_rng(3))
    b = bootstrap(m_batched, TABLE, n=50, rng=np.random.default_rng(3), batched=True)
    assert np.array_equal(a.replicates, b.replicates)


def test_bootstrap_input_errors() -> None:
    with pytest.raises(InputError, match="whole numbers"):
        bootstrap(m_index, [[1.5, 2.0], [3.0, 4.0]], n=10, rng=np.random.default_rng(0))
    with pytest.raises(InputError, match="Generator"):
        bootstrap(m_index, TABLE, n=10, rng=0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="at least 2"):
        bootstrap(m_index, TABLE, n=1, rng=np.random.default_rng(0))
    with pytest.raises(InputError, match="coverage"):
        bootstrap(m_index, TABLE, n=10, rng=np.random.default_rng(0), ci=1.5)
    with pytest.raises(InputError):
        bootstrap(m_index, [[1, -2], [3, 4]], n=10, rng=np.random.default_rng(0))


# ---------------------------------------------------------------------------
# random allocation
# ---------------------------------------------------------------------------


def margin_error(unit_n: np.ndarray, group_n: np.ndarray) -> Callable[[np.ndarray], float]:
    def f(t: np.ndarray) -> float:
        return float(np.abs(t.sum(axis=1) - unit_n).sum() + np.abs(t.sum(axis=0) - group_n).sum())

    return f


@pytest.mark.parametrize("n_units,n", [(4, 50), (60, 8)])  # by unit / by replicate
def test_random_tables_keep_both_margins(n_units: int, n: int) -> None:
    rng = np.random.default_rng(11)
    t = rng.integers(0, 9, size=(n_units, 3)).astype(float)
    t[0] = 0  # an empty unit stays empty
    r = expected_under_random(
        margin_error(t.sum(axis=1), t.sum(axis=0)), t, n=n, rng=np.random.default_rng(2)
    )
    assert np.all(r.replicates == 0)


def test_random_allocation_matches_exact_hypergeometric_2x2() -> None:
    t = np.array([[12.0, 8.0], [5.0, 25.0]])
    big_n, k, draws = int(t.sum()), int(t[:, 0].sum()), int(t[0].sum())
    # exact E[M] and sd over the hypergeometric law of the (0, 0) cell
    exact = second = 0.0
    for x in range(max(0, draws - (big_n - k)), min(k, draws) + 1):
        tab = np.array([[x, draws - x], [k - x, big_n - draws - (k - x)]], dtype=float)
        w = float(hypergeom.pmf(x, big_n, k, draws))
        exact += w * m_index(tab)
        second += w * m_index(tab) ** 2
    sd = math.sqrt(second - exact**2)
    reps = 3000
    r = expected_under_random(m_index, t, n=reps, rng=np.random.default_rng(9))
    assert r.expected == pytest.approx(exact, abs=4 * sd / math.sqrt(reps))
    assert r.se == pytest.approx(sd, rel=0.1)
    assert r.estimate == pytest.approx(m_index(t), abs=1e-15)
    assert r.excess == pytest.approx(r.estimate - r.expected, abs=1e-15)


def test_random_allocation_by_replicate_matches_exact_law() -> None:
    # 400 units and 300 replicates: the sampler loops over replicates
    t = np.ones((400, 2))
    t[0] = [6, 0]
    big_n, k = int(t.sum()), int(t[:, 0].sum())
    reps = 300
    r = expected_under_random(lambda tab: float(tab[0, 0]), t, n=reps, rng=np.random.default_rng(4))
    # the first unit's count of group 0 is Hypergeometric(N, K, 6)
    mean = 6 * k / big_n
    sd = math.sqrt(hypergeom.var(big_n, k, 6))
    assert abs(r.expected - mean) < 4 * sd / math.sqrt(reps)
    assert r.se == pytest.approx(sd, rel=0.2)


def test_expected_m_close_to_closed_form() -> None:
    rng = np.random.default_rng(123)
    n_units, n_groups = 20, 4
    unit_n = rng.integers(600, 1400, size=n_units)
    p = np.array([0.4, 0.3, 0.2, 0.1])
    t = np.array([rng.multinomial(k, p) for k in unit_n], dtype=float)
    big_n = t.sum()
    r = expected_under_random(m_index, t, n=400, rng=np.random.default_rng(8))
    closed = (n_units - 1) * (n_groups - 1) / (2 * big_n)
    assert r.expected == pytest.approx(closed, rel=0.06)
    # the chi-square approximation also gives the spread: sd = sqrt(2 df) / (2N)
    assert r.se == pytest.approx(
        math.sqrt(2 * (n_units - 1) * (n_groups - 1)) / (2 * big_n), rel=0.15
    )
    lo, mid, hi = r.quantiles
    assert lo <= mid <= hi
    assert r.quantile_levels == (0.025, 0.5, 0.975)
    assert 0 < r.p_value <= 1


def test_random_allocation_is_deterministic_and_detects_segregation() -> None:
    a = expected_under_random(m_index, TABLE, n=40, rng=np.random.default_rng(5))
    b = expected_under_random(m_index, TABLE, n=40, rng=np.random.default_rng(5))
    assert np.array_equal(a.replicates, b.replicates)
    assert a.expected == b.expected and a.quantiles == b.quantiles
    # TABLE is strongly segregated: far above every random allocation
    assert a.excess > 0.1
    assert a.p_value == pytest.approx(1 / 41)
    frame = a.to_frame()
    assert frame.loc[0, "verwacht_bij_toeval"] == a.expected


def test_random_allocation_input_errors() -> None:
    with pytest.raises(InputError, match="whole numbers"):
        expected_under_random(m_index, [[0.5, 1.0], [1.0, 1.0]], n=5, rng=np.random.default_rng(0))
    with pytest.raises(InputError, match="quantile"):
        expected_under_random(
            m_index, TABLE, n=5, rng=np.random.default_rng(0), quantiles=(0.5, 2.0)
        )
