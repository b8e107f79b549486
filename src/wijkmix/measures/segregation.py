r"""Aspatial segregation indices over a units × groups count table.

Every function takes a table of counts ``t[j, k]``: rows ``j`` are units
(buurten, complexes, streets, ...), columns ``k`` are groups (tenures, income
classes, household types, ...). A NumPy array, a nested list or a pandas data
frame (one numeric column per group) is accepted; see
:func:`wijkmix.measures._counts.as_count_table` for what is rejected. Counts
may be fractional (weighted) but must be finite and non-negative. Every
function returns a plain :class:`float`.

Notation used in the formulas: ``t_j = sum_k t_jk`` (unit total),
``T_k = sum_j t_jk`` (group total), ``T = sum_jk t_jk``, ``p_jk = t_jk / t_j``
(composition of unit ``j``), ``P_k = T_k / T`` (overall composition),
``I = sum_k P_k (1 - P_k)`` (Simpson's interaction, the overall diversity),
``E = -sum_k P_k ln P_k`` (the overall entropy, natural logarithm).

Two-group indices (:func:`dissimilarity`, :func:`gini`, :func:`isolation`,
:func:`exposure`, :func:`correlation_ratio`) compare a focal group ``x`` with
the rest ``y = t - x``: either the table has exactly two columns (the focal
group is the first unless ``group`` says otherwise), or ``group`` names one
column (a data-frame label or a position) and the other columns together are
the rest. For them ``x_j``, ``y_j``, ``X = sum_j x_j``, ``P = X / T``.

Conventions, following the definitions:

* A unit with no population contributes nothing: its composition is
  undefined, but every term it would add carries the weight ``t_j = 0``.
* A group with no members (a column of zeros) changes no index: its terms
  are 0, with ``0 ln 0 = 0``.
* An index whose definition divides by a quantity that is zero for the given
  table is undefined and returned as ``nan`` (without a warning): a
  two-group index when the focal group or the rest is absent, a normalised
  multigroup index when only one group is present, the isolation or exposure
  of an absent group. A table with a single unit gives 0 (to rounding) for
  every segregation index: it has the overall composition.
* A table whose counts are all zero has no population and raises
  :class:`~wijkmix.errors.InputError`.
* Indices bounded by [0, 1] are clipped to it: rounding can otherwise step
  over a bound by one unit in the last place (for example 1.0000000000000002
  for complete separation, or -1e-17 for identical units).

The functions agree with PySAL ``segregation`` (2.5: ``singlegroup.Dissim``,
``Gini``, ``Isolation``, ``Interaction``, ``CorrelationR``, ``Entropy``;
``multigroup.MultiDissim``, ``MultiGini``, ``MultiInfoTheory``,
``MultiDivergence``, ``MultiRelativeDiversity``, ``MultiNormExposure``,
``SimpsonsInteraction``, ``SimpsonsConcentration``) and with the R package
``segregation`` (``mutual_total``: M and H, natural logarithm by default) on
the same input, to rounding. They are written for large tables: the check
of the counts and the sums an index needs share one compiled pass over the
table (numba, compiled at the first call and cached on disk; see
:mod:`wijkmix.measures._kernels`), other sweeps go over blocks of units that
stay in the CPU cache (no Python loop over units), no ``n × n`` matrix (the
Gini indices use the exact ``O(n log n)`` sorted form), and M and H take
``x ln x`` of whole-number counts from a table (one logarithm per distinct
value, not per cell).

References
----------
.. [MD88] Massey, D. S. and Denton, N. A. (1988). The dimensions of
   residential segregation. *Social Forces* 67(2), 281-315.
.. [RF02] Reardon, S. F. and Firebaugh, G. (2002). Measures of multigroup
   segregation. *Sociological Methodology* 32, 33-67.
.. [MR11] Mora, R. and Ruiz-Castillo, J. (2011). Entropy-based segregation
   indices. *Sociological Methodology* 41, 159-194.
.. [E23] Elbers, B. (2023). A method for studying differences in segregation
   across time and space. *Sociological Methods & Research* 52(1), 5-42.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wijkmix.errors import InputError
from wijkmix.measures._counts import CountTable, as_float_table, check_scanned, group_index

__all__ = [
    "correlation_ratio",
    "dissimilarity",
    "exposure",
    "gini",
    "isolation",
    "multigroup_dissimilarity",
    "multigroup_gini",
    "mutual_information",
    "normalized_exposure",
    "relative_diversity",
    "simpson_concentration",
    "simpson_interaction",
    "theil_h",
]

_F64 = npt.NDArray[np.float64]

# Smallest normal float64. 1 / max(t, _TINY) is finite for t = 0, and in an
# empty unit every count is 0, so count * (1 / max(t, _TINY)) is exactly 0
# there and exactly count / t elsewhere (totals below 2.2e-308 do not occur).
_TINY = float(np.finfo(np.float64).tiny)
# Smallest subnormal float64: ln of it is finite (-744.4), so 0 * ln(max(p, _SUB))
# is exactly 0 and implements 0 ln 0 = 0 without a mask.
_SUB = float(np.nextafter(0.0, 1.0))
_NAN = float("nan")
# Sweeps over the table go in blocks of about this many cells (512 KiB), so
# that a block and its temporaries stay in the CPU cache and the table is read
# from memory once per sweep, not once per arithmetic step (2-3x faster for
# a million units; smaller blocks cost more in per-call overhead).
_BLOCK = 1 << 16
# NumPy reduces a C-ordered table along an axis with few elements one short
# inner loop at a time (about 20x slower than adding whole columns), so with
# up to this many groups sums add columns. Vector products use einsum, not
# np.dot: BLAS wakes its threads for long vectors, which costs milliseconds
# when the other cores are busy, and einsum's own loop is as fast.
_FEW_GROUPS = 16


# ---------------------------------------------------------------------------
# shared preparation and sweeps
# ---------------------------------------------------------------------------


def _columns(counts: object) -> Sequence[Hashable] | None:
    return list(counts.columns) if isinstance(counts, pd.DataFrame) else None


def _checked_total(c: _F64, counts: object, col: _F64, minimum: float) -> float:
    """Check the counts from one pass's group totals and minimum; return ``T``."""
    total = float(col.sum())
    check_scanned(c, counts, minimum=minimum, total=total)
    if not total > 0:
        raise InputError(
            "no population",
            where="counts",
            expected="at least one positive count",
            found="a table whose counts are all 0",
        )
    return total


def _table(counts: CountTable) -> tuple[_F64, _F64, float]:
    """Validate the table; return it, the group totals ``T_k`` and the total ``T``."""
    from wijkmix.measures import _kernels  # imports numba: only when first needed

    c = as_float_table(counts)
    col, minimum = _kernels.column_sums(c)
    return c, col, _checked_total(c, counts, col, minimum)


def _squares(counts: CountTable) -> tuple[_F64, _F64, float, _F64]:
    """As :func:`_table`, and ``q_k = sum_j t_jk^2 / t_j`` from the same pass."""
    from wijkmix.measures import _kernels

    c = as_float_table(counts)
    col, minimum, q = _kernels.square_sums(c)
    return c, col, _checked_total(c, counts, col, minimum), q


def _mutual_information(counts: CountTable) -> tuple[float, _F64, float]:
    """M in nats, the group totals and ``T``, from one pass over the table.

    ``M = (sum t_jk ln t_jk - sum t_j ln t_j - sum T_k ln P_k) / T``.
    """
    from wijkmix.measures import _kernels

    c = as_float_table(counts)
    col, minimum, cells, units = _kernels.entropy_sums(c)
    total = _checked_total(c, counts, col, minimum)
    present = col[col > 0]
    between = float(np.dot(present, np.log(present / total)))
    return max((cells - units - between) / total, 0.0), col, total


def _row_totals(c: _F64, out: _F64 | None = None) -> _F64:
    """Return the unit totals ``t_j`` (in ``out`` if given)."""
    k = c.shape[1]
    if k > _FEW_GROUPS and c.flags.c_contiguous:
        return np.sum(c, axis=1, out=out)
    if k == 1:
        if out is None:
            return c[:, 0].copy()
        np.copyto(out, c[:, 0])
        return out
    t = np.add(c[:, 0], c[:, 1], out=out)
    for j in range(2, k):
        np.add(t, c[:, j], out=t)
    return t


def _blocks(c: _F64) -> tuple[int, Iterator[_F64]]:
    """Consecutive blocks of units of about ``_BLOCK`` cells, and their maximum length."""
    n, k = c.shape
    step = min(max(_BLOCK // k, 1), n)
    return step, (c[a : a + step] for a in range(0, n, step))


def _unit(v: float) -> float:
    """Clip a normalised index to [0, 1] (rounding can step over by 1 ulp)."""
    return float(min(max(v, 0.0), 1.0))


def _dot(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    """``sum a * b`` over all elements (single-threaded, any strides)."""
    axes = "ij"[: a.ndim]
    return float(np.einsum(f"{axes},{axes}->", a, b))


def _safe_totals(t: _F64) -> _F64:
    """Replace empty-unit totals by the smallest normal float, in place.

    Every count of an empty unit is 0, so ``count / t`` becomes exactly 0
    there instead of ``0 / 0``, and stays exactly ``count / t`` elsewhere
    (totals below 2.2e-308 do not occur).
    """
    return np.maximum(t, _TINY, out=t)


def _over_totals(c: _F64, pairs: Sequence[tuple[int, int | None]]) -> list[float]:
    """``sum_j t_ja y_j / t_j`` per pair ``(a, b)``: ``y = t_b``, or the rest if b is None."""
    step, blocks = _blocks(c)
    t_buf, w_buf, y_buf = np.empty(step), np.empty(step), np.empty(step)
    acc = np.zeros(len(pairs))
    for blk in blocks:
        m = blk.shape[0]
        t = _safe_totals(_row_totals(blk, out=t_buf[:m]))
        w = w_buf[:m]
        for i, (a, b) in enumerate(pairs):
            np.divide(blk[:, a], t, out=w)
            y = blk[:, b] if b is not None else np.subtract(t, blk[:, a], out=y_buf[:m])
            acc[i] += _dot(w, y)
    return [float(v) for v in acc]


def _abs_deviations(c: _F64, shares: Sequence[tuple[int, float]]) -> float:
    """``sum_j |t_jk - t_j P_k|`` summed over the given ``(k, P_k)``."""
    step, blocks = _blocks(c)
    t_buf, d_buf = np.empty(step), np.empty(step)
    acc = 0.0
    for blk in blocks:
        m = blk.shape[0]
        t = _row_totals(blk, out=t_buf[:m])
        d = d_buf[:m]
        for k, share in shares:
            np.multiply(t, share, out=d)
            np.subtract(blk[:, k], d, out=d)
            np.abs(d, out=d)
            acc += float(d.sum())
    return acc


def _inverse(t: _F64) -> _F64:
    """``1 / t_j``, finite (and irrelevant) for empty units."""
    inv = np.maximum(t, _TINY)
    np.reciprocal(inv, out=inv)
    return inv


def _gini_pairs(p: _F64, t: _F64, total: float) -> float:
    """``sum_i sum_j t_i t_j |p_i - p_j| / (2 T^2)`` in O(n log n).

    Sorted by ``p``, the pairs that straddle the gap between the ``m``-th and
    ``m+1``-th value have total weight ``W_m (T - W_m)`` (``W_m`` the weight up
    to ``m``), so the double sum is ``2 sum_m (p_(m+1) - p_(m)) W_m (T - W_m)``:
    a sum of non-negative terms, without cancellation. Weights are taken
    relative to ``T`` so that nothing overflows.
    """
    if p.shape[0] < 2:
        return 0.0
    order = np.argsort(p)
    w = np.cumsum(t[order][:-1])
    w /= total
    gaps = np.diff(p[order])
    np.multiply(w, 1.0 - w, out=w)
    return _dot(gaps, w)


class _TwoGroup:
    """Focal group ``k`` against the rest: the table and the shares."""

    __slots__ = ("c", "k", "p_rest", "p_x", "q", "total", "x_total")

    def __init__(self, c: _F64, col: _F64, total: float, k: int, q: _F64 | None = None) -> None:
        self.c = c
        self.k = k
        self.q = q  # q_k = sum_j t_jk^2 / t_j when computed (see _squares)
        self.total = total
        self.x_total = float(col[k])
        self.p_x = self.x_total / total
        # a sum of non-negative numbers is 0 exactly when all of them are 0
        self.p_rest = float(np.delete(col, k).sum()) / total

    @property
    def defined(self) -> bool:
        """Both the focal group and the rest are present."""
        return self.x_total > 0 and self.p_rest > 0

    def with_rest(self, b: int | None) -> tuple[int, int | None]:
        """Return (focal, b) for :func:`_over_totals`; with two groups the rest is a column."""
        if b is None and self.c.shape[1] == 2:
            return self.k, 1 - self.k
        return self.k, b


def _two_group(
    counts: CountTable, group: Hashable | None, name: str = "group", *, squares: bool = False
) -> _TwoGroup:
    q = None
    if squares:
        c, col, total, q = _squares(counts)
    else:
        c, col, total = _table(counts)
    k = group_index(group, n_groups=c.shape[1], columns=_columns(counts), name=name)
    return _TwoGroup(c, col, total, k, q)


def _dissimilarity(g: _TwoGroup) -> float:
    if not g.defined:
        return _NAN
    s = _abs_deviations(g.c, [(g.k, g.p_x)])
    return _unit(s / (2.0 * g.total * g.p_x * g.p_rest))


def _gini(g: _TwoGroup) -> float:
    if not g.defined:
        return _NAN
    t = _row_totals(g.c)
    p = np.multiply(g.c[:, g.k], _inverse(t))
    return _unit(_gini_pairs(p, t, g.total) / (g.p_x * g.p_rest))


def _correlation_ratio(g: _TwoGroup) -> float:
    if not g.defined:
        return _NAN
    assert g.q is not None
    q = float(g.q[g.k])  # q >= X P (Cauchy-Schwarz)
    return _unit((q - g.x_total * g.p_x) / (g.x_total * g.p_rest))


# ---------------------------------------------------------------------------
# two-group indices
# ---------------------------------------------------------------------------


def dissimilarity(counts: CountTable, group: Hashable | None = None) -> float:
    r"""Index of dissimilarity D of one group versus the rest.

    The share of the focal group (or, equally, of the rest) that would have to
    move to another unit for every unit to have the overall composition.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).
    group : hashable, optional
        The focal group: a column label or position. Optional when the table
        has exactly two columns (then the first is the focal group); with more
        columns the others together are the rest.

    Returns
    -------
    float
        D in [0, 1]; ``nan`` if the focal group or the rest is absent.

    Notes
    -----
    .. math:: D = \frac{\sum_j t_j |p_j - P|}{2 T P (1 - P)}
             = \frac{1}{2} \sum_j \left| \frac{x_j}{X} - \frac{y_j}{Y} \right|

    with :math:`p_j = x_j / t_j` and :math:`P = X / T` [MD88]_. Equals PySAL
    ``singlegroup.Dissim``.

    Examples
    --------
    Three units of 10 with 8, 5 and 2 members of group 0: ``P = 15/30 = 1/2``,
    ``sum_j |x_j - t_j P| = 3 + 0 + 3 = 6`` and ``D = 6 / (2 * 30 / 4) = 0.4``.

    >>> round(dissimilarity([[8, 2], [5, 5], [2, 8]]), 12)
    0.4
    """
    return _dissimilarity(_two_group(counts, group))


def gini(counts: CountTable, group: Hashable | None = None) -> float:
    r"""Gini segregation index G of one group versus the rest.

    The mean absolute difference between the group shares of all pairs of
    units (weighted by their populations), relative to its maximum.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).
    group : hashable, optional
        The focal group (see :func:`dissimilarity`).

    Returns
    -------
    float
        G in [0, 1]; ``nan`` if the focal group or the rest is absent.

    Notes
    -----
    .. math:: G = \frac{\sum_i \sum_j t_i t_j |p_i - p_j|}{2 T^2 P (1 - P)}

    [MD88]_. Computed exactly in :math:`O(n \log n)`: with the units sorted
    by :math:`p`, :math:`\sum_i \sum_j t_i t_j |p_i - p_j| = 2 \sum_m
    (p_{(m+1)} - p_{(m)}) W_m (T - W_m)`, :math:`W_m` the population of the
    first :math:`m` units. Equals PySAL ``singlegroup.Gini`` (which sums
    all :math:`n^2` pairs).

    Examples
    --------
    Shares 0.8, 0.5 and 0.2 in three units of 10: the pairwise differences
    are 0.3, 0.6 and 0.3, so the double sum is ``2 * 100 * 1.2 = 240`` and
    ``G = 240 / (2 * 900 / 4) = 8/15``.

    >>> round(gini([[8, 2], [5, 5], [2, 8]]), 12)
    0.533333333333
    """
    return _gini(_two_group(counts, group))


def isolation(counts: CountTable, group: Hashable | None = None) -> float:
    r"""Isolation index xPx of a group.

    The share of the own group in the unit of an average member of the group:
    the probability that a person a member meets in their unit is of the same
    group.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).
    group : hashable, optional
        The group (see :func:`dissimilarity`).

    Returns
    -------
    float
        xPx in [0, 1]: ``P`` when every unit has the overall composition, 1
        when the group lives apart; ``nan`` if the group is absent.

    Notes
    -----
    .. math:: {}_xP_x = \sum_j \frac{x_j}{X} \frac{x_j}{t_j}

    [MD88]_. Equals PySAL ``singlegroup.Isolation``.

    Examples
    --------
    ``X = 15``: ``(8/15)(8/10) + (5/15)(5/10) + (2/15)(2/10) = 9.3/15 = 0.62``.

    >>> round(isolation([[8, 2], [5, 5], [2, 8]]), 12)
    0.62
    """
    g = _two_group(counts, group, squares=True)
    if not g.x_total > 0 or g.q is None:
        return _NAN
    return _unit(float(g.q[g.k]) / g.x_total)


def exposure(counts: CountTable, a: Hashable | None = None, b: Hashable | None = None) -> float:
    r"""Exposure (interaction) index xPy of group ``a`` to group ``b``.

    The share of group ``b`` in the unit of an average member of group ``a``:
    the probability that a person a member of ``a`` meets in their unit is of
    group ``b``. Not symmetric: ``xPy * X = yPx * Y``.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).
    a : hashable, optional
        The exposed group: a column label or position. Optional when the table
        has exactly two columns (then it is the first).
    b : hashable, optional
        The group ``a`` is exposed to. By default all groups other than ``a``
        (with two columns: the other one). ``b == a`` gives the isolation.

    Returns
    -------
    float
        xPy in [0, 1]: ``P_b`` when every unit has the overall composition, 0
        when ``a`` and ``b`` never share a unit; ``nan`` if ``a`` is absent.

    Notes
    -----
    .. math:: {}_xP_y = \sum_j \frac{x_j}{X} \frac{y_j}{t_j}

    with :math:`t_j` the total of unit :math:`j` over all groups [MD88]_. With
    ``b`` the rest this equals PySAL ``singlegroup.Interaction`` and
    ``1 - isolation``.

    Examples
    --------
    ``(8/15)(2/10) + (5/15)(5/10) + (2/15)(8/10) = 5.7/15 = 0.38``.

    >>> round(exposure([[8, 2], [5, 5], [2, 8]]), 12)
    0.38
    """
    g = _two_group(counts, a, name="a")
    if not g.x_total > 0:
        return _NAN
    if b is not None:
        b = group_index(b, n_groups=g.c.shape[1], columns=_columns(counts), name="b")
    (s,) = _over_totals(g.c, [g.with_rest(b)])
    return _unit(s / g.x_total)


def correlation_ratio(counts: CountTable, group: Hashable | None = None) -> float:
    r"""Correlation ratio V (eta squared) of one group versus the rest.

    The isolation index corrected for the group's overall share: the share of
    the variance of group membership that lies between units.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).
    group : hashable, optional
        The focal group (see :func:`dissimilarity`).

    Returns
    -------
    float
        V in [0, 1]; ``nan`` if the focal group or the rest is absent.

    Notes
    -----
    .. math:: V = \frac{{}_xP_x - P}{1 - P}
              = \frac{\sum_j t_j (p_j - P)^2}{T P (1 - P)}

    [MD88]_. With two groups it equals :func:`relative_diversity` and
    :func:`normalized_exposure`. Equals PySAL ``singlegroup.CorrelationR``.

    Examples
    --------
    ``xPx = 0.62`` (see :func:`isolation`) and ``P = 1/2``:
    ``V = (0.62 - 0.5) / 0.5 = 0.24``.

    >>> round(correlation_ratio([[8, 2], [5, 5], [2, 8]]), 12)
    0.24
    """
    return _correlation_ratio(_two_group(counts, group, squares=True))


# ---------------------------------------------------------------------------
# multigroup indices
# ---------------------------------------------------------------------------


def multigroup_dissimilarity(counts: CountTable) -> float:
    r"""Multigroup dissimilarity index D.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        D in [0, 1]; ``nan`` if fewer than two groups are present. With two
        groups it equals :func:`dissimilarity`.

    Notes
    -----
    .. math:: D = \frac{1}{2 T I} \sum_j \sum_k t_j |p_{jk} - P_k|,
              \quad I = \sum_k P_k (1 - P_k)

    [RF02]_. Equals PySAL ``multigroup.MultiDissim``.

    Examples
    --------
    Units of 10 with counts (5, 3, 2), (1, 6, 3), (2, 1, 7): ``T = 30``,
    ``P = (8, 10, 12) / 30``, ``I = (44 + 50 + 54) / 225 = 148/225``; the
    absolute deviations ``|t_jk - t_j P_k|`` sum to ``14/3 + 16/3 + 18/3 = 16``,
    so ``D = 16 / (2 * 30 * 148/225) = 15/37``.

    >>> round(multigroup_dissimilarity([[5, 3, 2], [1, 6, 3], [2, 1, 7]]), 12)
    0.405405405405
    """
    c, col, total = _table(counts)
    if c.shape[1] == 2:  # the deviations of the two groups are opposite
        return _dissimilarity(_TwoGroup(c, col, total, 0))
    shares = col / total
    interaction = float(np.dot(shares, 1.0 - shares))
    if not interaction > 0:
        return _NAN
    s = _abs_deviations(c, [(k, float(shares[k])) for k in range(c.shape[1]) if col[k] > 0])
    return _unit(s / (2.0 * total * interaction))


def multigroup_gini(counts: CountTable) -> float:
    r"""Multigroup Gini index G.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        G in [0, 1]; ``nan`` if fewer than two groups are present. With two
        groups it equals :func:`gini`.

    Notes
    -----
    .. math:: G = \frac{1}{2 T^2 I} \sum_k \sum_i \sum_j t_i t_j |p_{ik} - p_{jk}|

    [RF02]_, computed per group with the sorted :math:`O(n \log n)` form of
    :func:`gini` (no :math:`n \times n` matrix). Equals PySAL
    ``multigroup.MultiGini``.

    Examples
    --------
    For the table of :func:`multigroup_dissimilarity` the shares per group are
    (0.5, 0.1, 0.2), (0.3, 0.6, 0.1) and (0.2, 0.3, 0.7); the pairwise
    differences sum to 0.8, 1.0 and 1.0, so the double sums are
    ``2 * 100 * (0.8 + 1.0 + 1.0) = 560`` and
    ``G = 560 / (2 * 900 * 148/225) = 35/74``.

    >>> round(multigroup_gini([[5, 3, 2], [1, 6, 3], [2, 1, 7]]), 12)
    0.472972972973
    """
    c, col, total = _table(counts)
    if c.shape[1] == 2:  # the shares of the two groups add up to 1: one sort does
        return _gini(_TwoGroup(c, col, total, 0))
    shares = col / total
    interaction = float(np.dot(shares, 1.0 - shares))
    if not interaction > 0:
        return _NAN
    t = _row_totals(c)
    inv_t = _inverse(t)
    buf = np.empty_like(t)
    num = 0.0
    for k in range(c.shape[1]):
        if col[k] > 0:
            num += _gini_pairs(np.multiply(c[:, k], inv_t, out=buf), t, total)
    return _unit(num / interaction)


def _entropy(col: _F64, total: float) -> float:
    shares = col[col > 0] / total
    return float(-np.dot(shares, np.log(shares)))


def mutual_information(counts: CountTable) -> float:
    r"""Mutual information index M between units and groups (natural log).

    The expected information about a person's group gained by learning their
    unit. Unlike H it is not normalised, which makes it decomposable: M of a
    fine level equals M between coarse units plus the population-weighted M
    within them.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        M in [0, min(ln n_groups, ln n_units)], in nats; 0 when every unit has
        the overall composition, ``E`` when every unit holds one group.

    Notes
    -----
    .. math:: M = \sum_j \sum_k \frac{t_{jk}}{T}
              \ln \frac{t_{jk} / T}{(t_j / T) (T_k / T)}
              = \sum_j \sum_k \frac{t_{jk}}{T} \ln \frac{p_{jk}}{P_k}

    with :math:`0 \ln 0 = 0` [MR11]_ [E23]_. Equals ``M`` of R
    ``segregation::mutual_total`` (default base e) and PySAL
    ``multigroup.MultiDivergence``. In bits: ``M / ln 2``.

    Examples
    --------
    Units (2, 0), (1, 1), (0, 2): ``T = 6``, ``P = (1/2, 1/2)``. The first
    and last unit each give ``(2/6) ln(1 / (1/2)) = (1/3) ln 2``, the middle
    unit ``2 (1/6) ln((1/2)/(1/2)) = 0``, so ``M = (2/3) ln 2``.

    >>> round(mutual_information([[2, 0], [1, 1], [0, 2]]), 12)
    0.462098120373
    """
    return _mutual_information(counts)[0]


def theil_h(counts: CountTable) -> float:
    r"""Theil's information theory index H (the entropy index).

    M normalised by the overall entropy: the share of the group entropy that is
    explained by the units.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        H in [0, 1]; ``nan`` if fewer than two groups are present.

    Notes
    -----
    .. math:: H = \frac{M}{E} = 1 - \sum_j \frac{t_j E_j}{T E},
              \quad E = -\sum_k P_k \ln P_k,
              \quad E_j = -\sum_k p_{jk} \ln p_{jk}

    [RF02]_ [MR11]_. The logarithm base cancels. Equals ``H`` of R
    ``segregation::mutual_total``, PySAL ``multigroup.MultiInfoTheory`` and,
    for two groups, ``singlegroup.Entropy``.

    Examples
    --------
    For the table of :func:`mutual_information` ``M = (2/3) ln 2`` and
    ``E = ln 2``, so ``H = 2/3``.

    >>> round(theil_h([[2, 0], [1, 1], [0, 2]]), 12)
    0.666666666667
    """
    m, col, total = _mutual_information(counts)
    e = _entropy(col, total)
    if not e > 0:
        return _NAN
    return _unit(m / e)


def relative_diversity(counts: CountTable) -> float:
    r"""Relative diversity index R (multigroup variance ratio).

    The share of the overall diversity (Simpson's interaction) that lies
    between units.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        R in [0, 1]; ``nan`` if fewer than two groups are present. With two
        groups it equals :func:`correlation_ratio`.

    Notes
    -----
    .. math:: R = \frac{1}{T I} \sum_j \sum_k t_j (p_{jk} - P_k)^2
              = 1 - \sum_j \frac{t_j I_j}{T I}

    [RF02]_. Computed as :math:`(\sum_k q_k - T \sum_k P_k^2) / (T I)` with
    :math:`q_k = \sum_j t_{jk}^2 / t_j`. Equals PySAL
    ``multigroup.MultiRelativeDiversity``.

    Examples
    --------
    For the table of :func:`multigroup_dissimilarity` the squared deviations
    ``sum_k (p_jk - P_k)^2`` of the three units are 86/900, 98/900 and
    134/900; weighted by ``t_j = 10`` they sum to 53/15, and
    ``R = (53/15) / (30 * 148/225) = 53/296``.

    >>> round(relative_diversity([[5, 3, 2], [1, 6, 3], [2, 1, 7]]), 12)
    0.179054054054
    """
    c, col, total, q = _squares(counts)
    if c.shape[1] == 2:
        return _correlation_ratio(_TwoGroup(c, col, total, 0, q))
    shares = col / total
    interaction = float(np.dot(shares, 1.0 - shares))
    if not interaction > 0:
        return _NAN
    between = float(q.sum()) - total * float(np.dot(shares, shares))
    return _unit(between / (total * interaction))


def normalized_exposure(counts: CountTable) -> float:
    r"""Normalised exposure index P (multigroup).

    The average, over groups, of how much the group's exposure to itself
    exceeds its overall share, normalised per group.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        P in [0, 1]; ``nan`` if fewer than two groups are present. With two
        groups it equals :func:`correlation_ratio`.

    Notes
    -----
    .. math:: P = \sum_k \sum_j \frac{t_j}{T} \frac{(p_{jk} - P_k)^2}{1 - P_k}

    [RF02]_. Computed as :math:`\sum_k (q_k - T_k P_k) / ((1 - P_k) T)` with
    :math:`q_k = \sum_j t_{jk}^2 / t_j`. Equals PySAL
    ``multigroup.MultiNormExposure``.

    Examples
    --------
    For the table of :func:`multigroup_dissimilarity`, per group
    ``sum_j t_j (p_jk - P_k)^2`` is ``13/15``, ``19/15`` and ``7/5``; divided
    by ``1 - P_k`` (11/15, 2/3, 3/5) and by ``T = 30`` this gives
    ``(13/11 + 19/10 + 7/3) / 30 = 1787/9900``.

    >>> round(normalized_exposure([[5, 3, 2], [1, 6, 3], [2, 1, 7]]), 12)
    0.180505050505
    """
    c, col, total, q = _squares(counts)
    if c.shape[1] == 2:
        return _correlation_ratio(_TwoGroup(c, col, total, 0, q))
    shares = col / total
    if not np.count_nonzero(col) > 1:
        return _NAN
    present = np.flatnonzero(col)
    dev = np.maximum(q[present] - col[present] * shares[present], 0.0)
    return _unit(float(np.sum(dev / (1.0 - shares[present]))) / total)


def simpson_interaction(counts: CountTable) -> float:
    r"""Simpson's interaction index I of the whole population.

    The probability that two people drawn at random (with replacement) from
    the whole population belong to different groups: a diversity index of the
    overall composition, not of its spread over units. It is the
    normalisation of :func:`multigroup_dissimilarity`, :func:`multigroup_gini`
    and :func:`relative_diversity`.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        I in [0, 1 - 1/n_groups].

    Notes
    -----
    .. math:: I = \sum_k P_k (1 - P_k) = 1 - \sum_k P_k^2

    [RF02]_. Equals PySAL ``multigroup.SimpsonsInteraction``.

    Examples
    --------
    ``P = (8, 10, 12) / 30``: ``I = (8*22 + 10*20 + 12*18) / 900 = 148/225``.

    >>> round(simpson_interaction([[5, 3, 2], [1, 6, 3], [2, 1, 7]]), 12)
    0.657777777778
    """
    _, col, total = _table(counts)
    shares = col / total
    return float(np.dot(shares, 1.0 - shares))


def simpson_concentration(counts: CountTable) -> float:
    r"""Simpson's concentration index lambda of the whole population.

    The probability that two people drawn at random (with replacement) from
    the whole population belong to the same group; ``1 -``
    :func:`simpson_interaction`.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Counts per unit (rows) and group (columns).

    Returns
    -------
    float
        lambda in [1/n_groups, 1].

    Notes
    -----
    .. math:: \lambda = \sum_k P_k^2

    Simpson (1949); [RF02]_. Equals PySAL ``multigroup.SimpsonsConcentration``.

    Examples
    --------
    ``P = (8, 10, 12) / 30``: ``lambda = (64 + 100 + 144) / 900 = 77/225``.

    >>> round(simpson_concentration([[5, 3, 2], [1, 6, 3], [2, 1, 7]]), 12)
    0.342222222222
    """
    _, col, total = _table(counts)
    shares = col / total
    return float(np.dot(shares, shares))
