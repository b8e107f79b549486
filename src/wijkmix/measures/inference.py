"""Inference for segregation indices: bootstrap and random allocation.

Small units inflate every segregation index: with a handful of households per
portiek, chance alone puts them unevenly over the groups. Two tools quantify
this for any index ``f(counts) -> float`` over a units × groups count table:

* :func:`bootstrap` resamples households: a table with the same total ``N`` is
  drawn from a multinomial distribution with the observed cell proportions
  (as the R package *segregation* does). It gives a standard error, a
  percentile confidence interval and a bias-corrected estimate
  ``2 * estimate - mean of the replicates``.
* :func:`expected_under_random` keeps every unit's size and every group's
  total fixed and allocates households to units at random (a permutation of
  individuals: a multivariate hypergeometric draw per unit). The mean of the
  index under random allocation is what the index would be without any
  segregation; ``estimate - expected`` is the excess. For M, asymptotically
  ``E[M] ≈ (U - 1)(G - 1) / (2N)`` (2N·M is the likelihood-ratio statistic of
  independence).

Both take one :class:`numpy.random.Generator`; the same seed gives the same
numbers. Replicate tables are drawn in vectorised batches, chunked to bound
memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from wijkmix.errors import InputError, Location
from wijkmix.measures._counts import CountTable, as_count_table

__all__ = [
    "BootstrapResult",
    "RandomAllocationResult",
    "bootstrap",
    "expected_under_random",
]

FloatArray = npt.NDArray[np.float64]
#: An index: a table (or, batched, a stack of tables) to a number (or one per table).
IndexFunction = Callable[[FloatArray], float | npt.ArrayLike]

# Largest number of table cells drawn at once (all replicates of a chunk together).
_CHUNK_CELLS = 1 << 24


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap of an index.

    Attributes
    ----------
    estimate : float
        The index on the observed table.
    mean : float
        Mean of the bootstrap replicates.
    se : float
        Standard deviation of the replicates (ddof = 1): the standard error.
    ci : tuple of float
        Percentile confidence interval of the replicates.
    ci_level : float
        Coverage of ``ci`` (0.95).
    bias_corrected : float
        ``2 * estimate - mean``.
    ci_debiased : tuple of float
        The R package's interval: percentiles of ``2 * estimate - replicate``.
    n : int
        Number of replicates.
    replicates : numpy.ndarray
        The replicate values (read-only).
    """

    estimate: float
    mean: float
    se: float
    ci: tuple[float, float]
    ci_level: float
    bias_corrected: float
    ci_debiased: tuple[float, float]
    n: int
    replicates: FloatArray = field(repr=False, compare=False)

    @property
    def bias(self) -> float:
        """Estimated bias: ``mean - estimate``."""
        return self.mean - self.estimate

    def to_frame(self) -> pd.DataFrame:
        """One-row table for users (Dutch column names)."""
        pct = f"{self.ci_level * 100:g}%"
        return pd.DataFrame(
            {
                "schatting": [self.estimate],
                "gemiddelde_bootstrap": [self.mean],
                "standaardfout": [self.se],
                f"ondergrens_{pct}": [self.ci[0]],
                f"bovengrens_{pct}": [self.ci[1]],
                "gecorrigeerd_voor_vertekening": [self.bias_corrected],
                "herhalingen": [self.n],
            }
        )


@dataclass(frozen=True)
class RandomAllocationResult:
    """An index against its distribution under random allocation.

    Attributes
    ----------
    estimate : float
        The index on the observed table.
    expected : float
        Mean of the index over random allocations with the same unit sizes
        and group totals.
    se : float
        Standard deviation of the index under random allocation (ddof = 1).
    quantile_levels, quantiles : tuple of float
        Quantiles of the random-allocation distribution.
    excess : float
        ``estimate - expected``.
    p_value : float
        ``(1 + #{replicate >= estimate}) / (n + 1)``: how often random
        allocation gives at least the observed value.
    n : int
        Number of random allocations.
    replicates : numpy.ndarray
        The replicate values (read-only).
    """

    estimate: float
    expected: float
    se: float
    quantile_levels: tuple[float, ...]
    quantiles: tuple[float, ...]
    excess: float
    p_value: float
    n: int
    replicates: FloatArray = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One-row table for users (Dutch column names)."""
        data: dict[str, list[float | int]] = {
            "schatting": [self.estimate],
            "verwacht_bij_toeval": [self.expected],
            "standaardfout_bij_toeval": [self.se],
            "boven_toeval": [self.excess],
            "p_waarde": [self.p_value],
        }
        for q, v in zip(self.quantile_levels, self.quantiles, strict=True):
            data[f"kwantiel_{q:g}"] = [v]
        data["herhalingen"] = [self.n]
        return pd.DataFrame(data)


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _whole_counts(counts: CountTable) -> FloatArray:
    table = np.asarray(as_count_table(counts, name="counts"), dtype=np.float64)
    if not np.array_equal(table, np.round(table)):
        i, j = (int(x) for x in np.argwhere(table != np.round(table))[0])
        raise InputError(
            "counts are not whole numbers",
            where=Location(row=i + 1, column=str(j), field="counts"),
            expected="whole numbers of households (resampling draws individuals)",
            found=float(table[i, j]),
            hint="scale the weights to whole numbers of households",
        )
    if table.sum() < 1:
        raise InputError(
            "empty table",
            where="counts",
            expected="at least one household",
            found=float(table.sum()),
        )
    return table


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise InputError(
            "invalid number of replicates",
            where="n",
            expected="a whole number of at least 2",
            found=n,
        )


def _check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise InputError(
            "no random generator",
            where="rng",
            expected="a numpy.random.Generator (np.random.default_rng(seed))",
            found=type(rng).__name__,
            hint="pass one Generator down; wijkmix never uses global random state",
        )


def _evaluate(
    f: IndexFunction,
    tables: FloatArray,
    batched: bool,
) -> FloatArray:
    if batched:
        out = np.asarray(f(tables), dtype=np.float64).reshape(-1)
        if out.shape[0] != tables.shape[0]:
            raise InputError(
                "batched index returned the wrong number of values",
                where="f",
                expected=f"{tables.shape[0]} values (one per table)",
                found=out.shape[0],
            )
        return out
    return np.array([float(np.asarray(f(t))) for t in tables], dtype=np.float64)


def _freeze(a: FloatArray) -> FloatArray:
    a.flags.writeable = False
    return a


# ---------------------------------------------------------------------------
# bootstrap
# ---------------------------------------------------------------------------


def bootstrap(
    f: IndexFunction,
    counts: CountTable,
    *,
    n: int = 500,
    rng: np.random.Generator,
    ci: float = 0.95,
    batched: bool = False,
) -> BootstrapResult:
    """Bootstrap an index by resampling households.

    Each replicate is a table with the same total ``N``, drawn from a
    multinomial distribution with the observed cell proportions (R package
    *segregation*: ``rmultinom(n_bootstrap, N, freq / N)``). Units that
    receive no households stay in the table as empty rows.

    Parameters
    ----------
    f : callable
        The index: takes a units × groups table (float array) and returns a
        number. It must accept empty units (rows of zeros).
    counts : array-like
        The observed units × groups table of whole counts.
    n : int, default 500
        Number of replicates.
    rng : numpy.random.Generator
        The random stream.
    ci : float, default 0.95
        Coverage of the percentile interval.
    batched : bool, default False
        True when ``f`` takes a stack of tables (replicates × units × groups)
        and returns one value per table.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    InputError
        Counts that are not whole non-negative numbers, ``n < 2``, ``ci``
        outside (0, 1), or no Generator.

    Examples
    --------
    >>> share = lambda t: t[:, 0].sum() / t.sum()
    >>> r = bootstrap(share, [[30, 70], [50, 50]], n=200, rng=np.random.default_rng(1))
    >>> round(r.estimate, 3), 0.01 < r.se < 0.05
    (0.4, True)
    """
    _check_n(n)
    _check_rng(rng)
    if not 0 < ci < 1:
        raise InputError(
            "invalid coverage", where="ci", expected="a number between 0 and 1", found=ci
        )
    table = _whole_counts(counts)
    estimate = float(_evaluate(f, table[None, :, :], batched)[0])
    total = round(float(table.sum()))
    flat = table.ravel()
    pvals = flat / flat.sum()
    chunk = max(1, min(int(n), _CHUNK_CELLS // max(1, flat.size)))
    values = np.empty(int(n), dtype=np.float64)
    done = 0
    while done < n:
        m = min(chunk, int(n) - done)
        draws = rng.multinomial(total, pvals, size=m).astype(np.float64)
        values[done : done + m] = _evaluate(f, draws.reshape((m, *table.shape)), batched)
        done += m
    mean = float(values.mean())
    lo, hi = (1 - ci) / 2, 1 - (1 - ci) / 2
    q = np.quantile(values, [lo, hi])
    qd = np.quantile(2 * estimate - values, [lo, hi])
    return BootstrapResult(
        estimate=estimate,
        mean=mean,
        se=float(values.std(ddof=1)),
        ci=(float(q[0]), float(q[1])),
        ci_level=float(ci),
        bias_corrected=2 * estimate - mean,
        ci_debiased=(float(qd[0]), float(qd[1])),
        n=int(n),
        replicates=_freeze(values),
    )


# ---------------------------------------------------------------------------
# random allocation
# ---------------------------------------------------------------------------


def _random_by_unit(
    unit_n: npt.NDArray[np.int64],
    group_n: npt.NDArray[np.int64],
    size: int,
    rng: np.random.Generator,
) -> FloatArray:
    """``size`` random tables; loop over units, vectorised over replicates."""
    n_units, n_groups = len(unit_n), len(group_n)
    out = np.zeros((size, n_units, n_groups), dtype=np.float64)
    pool = np.tile(group_n, (size, 1))
    for u in range(n_units):
        if unit_n[u] == 0:
            continue
        if u == n_units - 1:
            out[:, u, :] = pool
            break
        need = np.full(size, unit_n[u], dtype=np.int64)
        rest = pool.sum(axis=1)
        for g in range(n_groups - 1):
            rest -= pool[:, g]
            x = rng.hypergeometric(pool[:, g], rest, need)
            out[:, u, g] = x
            pool[:, g] -= x
            need -= x
        out[:, u, n_groups - 1] = need
        pool[:, n_groups - 1] -= need
    return out


def _random_by_replicate(
    unit_n: npt.NDArray[np.int64],
    group_n: npt.NDArray[np.int64],
    size: int,
    rng: np.random.Generator,
) -> FloatArray:
    """``size`` random tables; loop over replicates and groups, vectorised over units."""
    n_units, n_groups = len(unit_n), len(group_n)
    out = np.zeros((size, n_units, n_groups), dtype=np.float64)
    for r in range(size):
        capacity = unit_n.copy()
        for g in range(n_groups - 1):
            if group_n[g] == 0:
                continue
            x = rng.multivariate_hypergeometric(capacity, int(group_n[g]))
            out[r, :, g] = x
            capacity -= x
        out[r, :, n_groups - 1] = capacity
    return out


def expected_under_random(
    f: IndexFunction,
    counts: CountTable,
    *,
    n: int = 500,
    rng: np.random.Generator,
    quantiles: Sequence[float] = (0.025, 0.5, 0.975),
    batched: bool = False,
) -> RandomAllocationResult:
    """Compare an index with its distribution under random allocation.

    Unit sizes and group totals stay fixed; households are permuted over
    the units (R: ``r2dtable``, ``mutual_total_expected(fixed_margins =
    TRUE)``). A random table is drawn as a sequence of multivariate
    hypergeometric draws, one per unit (or one per group when there are
    more units than replicates), vectorised over replicates (or units).

    Parameters
    ----------
    f : callable
        The index, as in :func:`bootstrap`.
    counts : array-like
        The observed units × groups table of whole counts.
    n : int, default 500
        Number of random allocations.
    rng : numpy.random.Generator
        The random stream.
    quantiles : sequence of float, default (0.025, 0.5, 0.975)
        Quantiles of the random-allocation distribution to report.
    batched : bool, default False
        True when ``f`` takes a stack of tables.

    Returns
    -------
    RandomAllocationResult

    Raises
    ------
    InputError
        As :func:`bootstrap`, or quantiles outside [0, 1].
    """
    _check_n(n)
    _check_rng(rng)
    levels = tuple(float(q) for q in quantiles)
    if any(not 0 <= q <= 1 for q in levels):
        raise InputError(
            "invalid quantile", where="quantiles", expected="numbers from 0 to 1", found=levels
        )
    table = _whole_counts(counts)
    estimate = float(_evaluate(f, table[None, :, :], batched)[0])
    unit_n = np.round(table.sum(axis=1)).astype(np.int64)
    group_n = np.round(table.sum(axis=0)).astype(np.int64)
    n_units, n_groups = table.shape
    # pick the loop with fewer Python-level draws; fixed by the shape, so deterministic
    by_unit = (n_units - 1) * (n_groups - 1) <= int(n) * (n_groups - 1)
    chunk = max(1, min(int(n), _CHUNK_CELLS // max(1, table.size)))
    values = np.empty(int(n), dtype=np.float64)
    done = 0
    while done < n:
        m = min(chunk, int(n) - done)
        draw = _random_by_unit if by_unit else _random_by_replicate
        tables = draw(unit_n, group_n, m, rng)
        values[done : done + m] = _evaluate(f, tables, batched)
        done += m
    expected = float(values.mean())
    qs = np.quantile(values, levels) if levels else np.empty(0)
    return RandomAllocationResult(
        estimate=estimate,
        expected=expected,
        se=float(values.std(ddof=1)),
        quantile_levels=levels,
        quantiles=tuple(float(v) for v in qs),
        excess=estimate - expected,
        p_value=(1 + int(np.sum(values >= estimate))) / (int(n) + 1),
        n=int(n),
        replicates=_freeze(values),
    )
