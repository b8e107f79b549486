"""Vectorised group operations shared by the synthesis modules.

Everything works on flat arrays with an integer group label per element (the
buurt, a complex, a (buurt, tenure) pair); there is no Python loop over
elements or groups.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "assign_by_rank",
    "exclusive_cumsum",
    "largest_remainder",
    "positions_in_groups",
    "rank_in_group",
    "to_unit_interval",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def exclusive_cumsum(counts: npt.ArrayLike) -> IntArray:
    """Start offsets of consecutive blocks of the given sizes.

    >>> exclusive_cumsum([3, 0, 2]).tolist()
    [0, 3, 3]
    """
    c = np.asarray(counts, dtype=np.int64)
    out = np.zeros(len(c), dtype=np.int64)
    if len(c) > 1:
        np.cumsum(c[:-1], out=out[1:])
    return out


def positions_in_groups(counts: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """Group label and position within the group for blocks of the given sizes.

    Returns
    -------
    group, position : numpy.ndarray
        For ``counts = [2, 0, 3]``: group ``[0, 0, 2, 2, 2]``, position
        ``[0, 1, 0, 1, 2]``.
    """
    c = np.asarray(counts, dtype=np.int64)
    group = np.repeat(np.arange(len(c), dtype=np.int64), c)
    pos = np.arange(len(group), dtype=np.int64) - exclusive_cumsum(c)[group]
    return group, pos


def to_unit_interval(z: npt.ArrayLike) -> FloatArray:
    """Map real keys monotonically into [0, 1) (a linear rescaling).

    >>> to_unit_interval([2.0, -1.0, 0.5]).round(3).tolist()
    [1.0, 0.0, 0.5]
    """
    zz = np.asarray(z, dtype=np.float64)
    if len(zz) == 0:
        return zz.copy()
    lo = float(zz.min())
    span = float(zz.max()) - lo
    return (zz - lo) * ((1.0 - 1e-6) / span if span > 0 else 0.0)


def assign_by_rank(group: npt.ArrayLike, key: npt.ArrayLike, counts: npt.ArrayLike) -> IntArray:
    """Give each element a category so that every group gets exact counts.

    Within each group the elements are ordered by ``key``; the first
    ``counts[g, 0]`` get category 0, the next ``counts[g, 1]`` category 1, and so on.

    Parameters
    ----------
    group : array_like of int
        Group label per element.
    key : array_like of float
        Sort key in [0, 1).
    counts : array_like of int, shape (n_groups, k)
        Elements per group and category; row ``g`` must sum to the size of group ``g``.

    Returns
    -------
    numpy.ndarray of int64
        Category per element.

    Examples
    --------
    >>> assign_by_rank([0, 0, 0, 1], [0.9, 0.1, 0.5, 0.3], [[1, 2], [0, 1]]).tolist()
    [1, 0, 1, 1]
    """
    g = np.asarray(group, dtype=np.int64)
    c = np.asarray(counts, dtype=np.int64)
    order = np.argsort(g.astype(np.float64) + np.asarray(key, dtype=np.float64), kind="stable")
    labels = np.tile(np.arange(c.shape[1], dtype=np.int64), c.shape[0])
    out = np.empty(len(g), dtype=np.int64)
    out[order] = np.repeat(labels, c.ravel())
    return out


def rank_in_group(group: npt.ArrayLike, key: npt.ArrayLike, n_groups: int) -> IntArray:
    """0-based rank of every element within its group, by ascending ``key``.

    Parameters
    ----------
    group : array_like of int
        Group label per element, ``0 <= group < n_groups``.
    key : array_like of float
        Sort key in ``[0, 1)`` (use :func:`to_unit_interval` for other keys).
        Ties keep the element order.
    n_groups : int

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> rank_in_group([0, 0, 1, 0], [0.5, 0.1, 0.3, 0.9], 2).tolist()
    [1, 0, 0, 2]
    """
    g = np.asarray(group, dtype=np.int64)
    k = np.asarray(key, dtype=np.float64)
    order = np.argsort(g.astype(np.float64) + k, kind="stable")
    starts = exclusive_cumsum(np.bincount(g, minlength=n_groups))
    rank = np.empty(len(g), dtype=np.int64)
    rank[order] = np.arange(len(g), dtype=np.int64) - starts[g[order]]
    return rank


def largest_remainder(weights: npt.ArrayLike, totals: npt.ArrayLike) -> IntArray:
    """Split integer totals into parts proportional to weights (Hamilton's method).

    Parameters
    ----------
    weights : array_like, shape (n, k)
        Non-negative weights per row; a row of zeros is split equally.
    totals : array_like of int, shape (n,)

    Returns
    -------
    numpy.ndarray of int64, shape (n, k)
        Each row sums to its total; each part is the floor or the ceiling of
        its exact share. Ties go to the leftmost column.

    Examples
    --------
    >>> largest_remainder([[1, 1, 1], [0, 0, 0]], [10, 2]).tolist()
    [[4, 3, 3], [1, 1, 0]]
    """
    w = np.asarray(weights, dtype=np.float64)
    t = np.asarray(totals, dtype=np.int64)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    s = w.sum(axis=1, keepdims=True)
    share = np.where(s > 0, w / np.where(s > 0, s, 1.0), 1.0 / w.shape[1])
    raw = share * t[:, None]
    fl = np.floor(raw).astype(np.int64)
    rem = t - fl.sum(axis=1)
    frac = raw - fl
    order = np.argsort(-frac, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(w.shape[1])[None, :].repeat(len(w), 0), axis=1)
    return fl + (ranks < rem[:, None]).astype(np.int64)
