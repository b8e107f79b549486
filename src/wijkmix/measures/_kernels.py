r"""Compiled single-pass sweeps over a units × groups count table.

Each kernel reads the table once, unit by unit, and returns the group totals
``T_k`` and the smallest count together with what one index needs, so that
validation and the index share the only full pass over the data:

* :func:`column_sums` — ``T_k`` (the Simpson indices, and the start of every
  other index);
* :func:`entropy_sums` — also ``sum_jk t_jk ln t_jk`` and
  ``sum_j t_j ln t_j`` (mutual information M and Theil's H);
* :func:`square_sums` — also ``q_k = sum_j t_jk^2 / t_j`` (relative diversity
  R and normalised exposure P).

A negative count shows in the minimum and an infinite or missing one makes
the totals non-finite; the caller locates the offending cell only then (see
:func:`wijkmix.measures._counts.raise_invalid`). Each sum is accumulated in
unit order, so results are deterministic (they may differ from NumPy's
pairwise sums in the last bits).

``x ln x`` of a whole number below :data:`XLOGX_SIZE` is read from a table
computed once per process (:func:`xlogx_table`), one logarithm per distinct
value instead of one per cell; other values take the logarithm.

The kernels are compiled by numba at their first call (and cached on disk);
this module imports numba, so the measure modules import it only when a
kernel is first needed.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["CHUNK", "XLOGX_SIZE", "column_sums", "entropy_sums", "square_sums", "xlogx_table"]

_F64 = npt.NDArray[np.float64]

#: Whole numbers below this take ``x ln x`` from :func:`xlogx_table` (512 KiB).
XLOGX_SIZE = 1 << 16

#: Units per chunk. A table with more units is summed chunk by chunk, by this
#: thread and helper threads (the kernels release the GIL); the partial sums
#: are added in chunk order, so the result depends on this size only, not on
#: the number of threads or on which thread did which chunk.
CHUNK = 1 << 16

_T = TypeVar("_T")
_helpers: list[tuple[ThreadPoolExecutor, int]] = []


def _helper_pool() -> tuple[ThreadPoolExecutor, int] | None:
    """One pool of ``cores - 1`` helper threads for the process and its size, or None."""
    if not _helpers:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        if cores < 2:
            return None
        pool = ThreadPoolExecutor(max_workers=cores - 1, thread_name_prefix="wijkmix-sum")
        _helpers.append((pool, cores - 1))
    return _helpers[0]


def _chunked(block: Callable[[int, int], _T], n: int) -> list[_T]:
    """``block(a, b)`` for consecutive chunks of ``CHUNK`` units, in chunk order.

    The calling thread and the helpers take the next chunk from a shared
    counter until none is left, and the caller waits only for chunks a helper
    has taken: when other processes keep the helpers off the cores, the
    caller does all the work instead of waiting for the scheduler.
    """
    n_chunks = max(-(-n // CHUNK), 1)
    helpers = _helper_pool() if n_chunks > 1 else None
    if helpers is None:
        return [block(i * CHUNK, min(i * CHUNK + CHUNK, n)) for i in range(n_chunks)]
    results: list[_T | None] = [None] * n_chunks
    errors: list[BaseException] = []
    done = [threading.Event() for _ in range(n_chunks)]
    counter = itertools.count()  # next() is atomic under the GIL

    def work() -> None:
        while (i := next(counter)) < n_chunks:
            try:
                results[i] = block(i * CHUNK, min(i * CHUNK + CHUNK, n))
            except BaseException as exc:  # re-raised by the caller
                errors.append(exc)
            finally:
                done[i].set()

    pool, size = helpers
    for _ in range(size):
        pool.submit(work)
    work()
    for event in done:
        event.wait()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


_table_cache: list[_F64] = []


def xlogx_table() -> _F64:
    """Return ``m ln m`` for ``m = 0 .. XLOGX_SIZE - 1`` (``0 ln 0 = 0``), read-only."""
    if not _table_cache:
        m = np.arange(XLOGX_SIZE, dtype=np.float64)
        m[0] = 1.0
        out = m * np.log(m)
        out.flags.writeable = False
        _table_cache.append(out)
    return _table_cache[0]


@numba.njit(cache=True, fastmath=False, nogil=True, inline="always")
def _xlogx(v: float, table: _F64) -> float:  # pragma: no cover - compiled
    if v >= 0.0 and v < table.shape[0]:
        i = int(v)
        if i == v:
            return float(table[i])
    if v > 0.0:
        return v * math.log(v)
    return 0.0


# Rows per block: the block's unit totals (4 KiB) stay in the L1 cache while
# each group column of the block is swept.
_ROWS = 512


@numba.njit(cache=True, fastmath=False, nogil=True)
def _sum_min(c: _F64, g: int, a: int, b: int) -> tuple[float, float]:  # pragma: no cover
    # sum and minimum of c[a:b, g]; eight independent partial sums for speed
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    lo0 = lo1 = lo2 = lo3 = 0.0
    m = a + (b - a) // 8 * 8
    for j in range(a, m, 8):
        x0, x1, x2, x3 = c[j, g], c[j + 1, g], c[j + 2, g], c[j + 3, g]
        y0, y1, y2, y3 = c[j + 4, g], c[j + 5, g], c[j + 6, g], c[j + 7, g]
        s0 += x0
        s1 += x1
        s2 += x2
        s3 += x3
        s4 += y0
        s5 += y1
        s6 += y2
        s7 += y3
        lo0 = min(lo0, min(x0, y0))
        lo1 = min(lo1, min(x1, y1))
        lo2 = min(lo2, min(x2, y2))
        lo3 = min(lo3, min(x3, y3))
    for j in range(m, b):
        s0 += c[j, g]
        lo0 = min(lo0, c[j, g])
    s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    return s, min(min(lo0, lo1), min(lo2, lo3))


@numba.njit(cache=True, fastmath=False, nogil=True)
def _column_block(c: _F64, a: int, b: int, rows: int) -> tuple[_F64, float]:  # pragma: no cover
    # units a..b-1 in blocks of `rows` units, each swept column by column
    k = c.shape[1]
    col = np.zeros(k)
    lo = 0.0
    for r in range(a, b, rows):
        e = min(r + rows, b)
        for g in range(k):
            s, m = _sum_min(c, g, r, e)
            col[g] += s
            lo = min(lo, m)
    return col, lo


@numba.njit(cache=True, fastmath=False, nogil=True)
def _unit_totals(c: _F64, a: int, b: int, t: _F64) -> None:  # pragma: no cover - compiled
    # t[:b - a] = sum_g c[a:b, g], added in group order
    m = b - a
    for i in range(m):
        t[i] = c[a + i, 0]
    for g in range(1, c.shape[1]):
        for i in range(m):
            t[i] += c[a + i, g]


@numba.njit(cache=True, fastmath=False, nogil=True)
def _entropy_block(
    c: _F64, table: _F64, start: int, stop: int
) -> tuple[_F64, float, float, float]:  # pragma: no cover - compiled
    k = c.shape[1]
    col = np.zeros(k)
    t = np.empty(_ROWS)
    lo = 0.0
    cells = 0.0
    units = 0.0
    for a in range(start, stop, _ROWS):
        b = min(a + _ROWS, stop)
        _unit_totals(c, a, b, t)
        u0 = u1 = 0.0
        m = b - a
        h = m // 2 * 2
        for i in range(0, h, 2):
            u0 += _xlogx(t[i], table)
            u1 += _xlogx(t[i + 1], table)
        if h < m:
            u0 += _xlogx(t[h], table)
        units += u0 + u1
        for g in range(k):
            s0 = s1 = x0 = x1 = 0.0
            lo0 = lo1 = 0.0
            e = a + h
            for j in range(a, e, 2):
                v0, v1 = c[j, g], c[j + 1, g]
                s0 += v0
                s1 += v1
                lo0 = min(lo0, v0)
                lo1 = min(lo1, v1)
                x0 += _xlogx(v0, table)
                x1 += _xlogx(v1, table)
            if e < b:
                v0 = c[e, g]
                s0 += v0
                lo0 = min(lo0, v0)
                x0 += _xlogx(v0, table)
            col[g] += s0 + s1
            cells += x0 + x1
            lo = min(lo, min(lo0, lo1))
    return col, lo, cells, units


@numba.njit(cache=True, fastmath=False, nogil=True)
def _square_block(
    c: _F64, start: int, stop: int
) -> tuple[_F64, float, _F64]:  # pragma: no cover - compiled
    k = c.shape[1]
    col = np.zeros(k)
    q = np.zeros(k)
    t = np.empty(_ROWS)
    lo = 0.0
    for a in range(start, stop, _ROWS):
        b = min(a + _ROWS, stop)
        _unit_totals(c, a, b, t)
        m = b - a
        for i in range(m):  # 1 / t_j, and 0 for an empty unit (its counts are 0)
            t[i] = 1.0 / t[i] if t[i] > 0.0 else 0.0
        h = a + m // 4 * 4
        for g in range(k):
            s0 = s1 = s2 = s3 = 0.0
            q0 = q1 = q2 = q3 = 0.0
            lo0 = lo1 = 0.0
            for j in range(a, h, 4):
                v0, v1, v2, v3 = c[j, g], c[j + 1, g], c[j + 2, g], c[j + 3, g]
                s0 += v0
                s1 += v1
                s2 += v2
                s3 += v3
                i = j - a
                q0 += v0 * (v0 * t[i])
                q1 += v1 * (v1 * t[i + 1])
                q2 += v2 * (v2 * t[i + 2])
                q3 += v3 * (v3 * t[i + 3])
                lo0 = min(lo0, min(v0, v1))
                lo1 = min(lo1, min(v2, v3))
            for j in range(h, b):
                v0 = c[j, g]
                s0 += v0
                q0 += v0 * (v0 * t[j - a])
                lo0 = min(lo0, v0)
            col[g] += (s0 + s1) + (s2 + s3)
            q[g] += (q0 + q1) + (q2 + q3)
            lo = min(lo, min(lo0, lo1))
    return col, lo, q


def column_sums(c: _F64) -> tuple[_F64, float]:
    """Group totals ``T_k`` and the smallest count (at most 0).

    Parameters
    ----------
    c : numpy.ndarray of float64, shape (n_units, n_groups)
        The table, C- or F-contiguous.

    Returns
    -------
    tuple of (numpy.ndarray, float)
        ``T_k`` and ``min(0, min_jk t_jk)``.
    """
    # a column of an F-ordered table is contiguous: sweep it whole; in a
    # C-ordered table sweep blocks of rows that stay in the cache
    rows = CHUNK if c.flags.f_contiguous else _ROWS * 16
    parts = _chunked(lambda a, b: _column_block(c, a, b, rows), c.shape[0])
    col, lo = parts[0]
    for part_col, part_lo in parts[1:]:
        col = col + part_col
        lo = min(lo, part_lo)
    return col, lo


def entropy_sums(c: _F64) -> tuple[_F64, float, float, float]:
    """``T_k``, the smallest count, ``sum_jk t_jk ln t_jk`` and ``sum_j t_j ln t_j``.

    Parameters
    ----------
    c : numpy.ndarray of float64, shape (n_units, n_groups)
        The table, C- or F-contiguous.

    Returns
    -------
    tuple of (numpy.ndarray, float, float, float)
        ``T_k``, ``min(0, min_jk t_jk)``, the cell sum and the unit sum of
        ``x ln x`` (with ``0 ln 0 = 0``).
    """
    table = xlogx_table()
    parts = _chunked(lambda a, b: _entropy_block(c, table, a, b), c.shape[0])
    col, lo, cells, units = parts[0]
    for part_col, part_lo, part_cells, part_units in parts[1:]:
        col = col + part_col
        lo = min(lo, part_lo)
        cells += part_cells
        units += part_units
    return col, lo, cells, units


def square_sums(c: _F64) -> tuple[_F64, float, _F64]:
    """``T_k``, the smallest count and ``q_k = sum_j t_jk^2 / t_j`` (empty units add 0).

    Parameters
    ----------
    c : numpy.ndarray of float64, shape (n_units, n_groups)
        The table, C- or F-contiguous.

    Returns
    -------
    tuple of (numpy.ndarray, float, numpy.ndarray)
        ``T_k``, ``min(0, min_jk t_jk)`` and ``q_k``.
    """
    parts = _chunked(lambda a, b: _square_block(c, a, b), c.shape[0])
    col, lo, q = parts[0]
    for part_col, part_lo, part_q in parts[1:]:
        col = col + part_col
        lo = min(lo, part_lo)
        q = q + part_q
    return col, lo, q
