"""Streets, complexes and portieken beneath every buurt.

The dwellings of a buurt are grouped the way Dutch stock is: in *complexes*
(a building or a corporation complex, 20-400 dwellings by default) that are
built for one owner (a corporation complex, a block of private rental, a row of
owner-occupied single-family houses), cut into *portieken* (entrances or, for
single-family rows, blocks; 4-12 dwellings), and lined up along *streets* of
several complexes.

How a buurt is laid out (all buurten at once, no loop):

1. Split the buurt's dwellings per owner (exact counts from the targets).
2. Every owner group of at least ``complex_size[0]`` dwellings is cut into
   complexes of about the owner's mean size (corporation complexes largest,
   owner-occupied rows smallest), each within the size bounds by construction
   (see :func:`build_layout`).
3. The dwellings of smaller owner groups (say 7 private rental dwellings among
   600 corporation dwellings) are spread over the buurt's complexes. A buurt
   without any group that large gets one complex with all its dwellings; a
   buurt with fewer than ``complex_size[0]`` dwellings therefore has one
   complex smaller than the minimum (a *tiny buurt*).
4. A small share of dwellings (``mixing``) swaps its owner with another
   dwelling of the same buurt, as happens through sales of corporation flats
   and purchases by landlords. The owner counts per buurt stay exact and a
   corporation complex stays mostly corporatie.
5. Each complex is cut into portieken of nearly equal size within the bounds
   (a complex smaller than ``portiek_size[0]`` is one portiek); consecutive
   complexes are grouped into streets of a random number of complexes within
   ``complexes_per_street`` (a buurt with one complex has a street of one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wijkmix.errors import InputError, Location
from wijkmix.synth._arrays import exclusive_cumsum, positions_in_groups

__all__ = ["Layout", "build_layout", "check_layout_settings"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Layout:
    """Dwellings grouped into complexes, portieken and streets.

    Dwelling arrays have length N (ordered by buurt, complex, portiek, number);
    complex arrays length C (ordered by buurt and complex number).

    Attributes
    ----------
    buurt : numpy.ndarray of int
        Buurt index of every dwelling.
    owner : numpy.ndarray of int
        Owner index (0 corporatie, 1 particuliere_verhuurder, 2 eigenaar_bewoner).
    complex : numpy.ndarray of int
        Global complex index of every dwelling.
    portiek_no, number : numpy.ndarray of int
        1-based portiek within the complex and dwelling within the portiek.
    complex_buurt, complex_no, complex_street_no : numpy.ndarray of int
        Buurt index, 1-based complex number and 1-based street number in the buurt.
    complex_owner : numpy.ndarray of int
        Owner the complex was built for (-1 for the one complex of a buurt
        without an owner group of minimum complex size).
    complex_size, complex_portieken : numpy.ndarray of int
        Dwellings and portieken per complex.
    """

    buurt: IntArray
    owner: IntArray
    complex: IntArray
    portiek_no: IntArray
    number: IntArray
    complex_buurt: IntArray
    complex_no: IntArray
    complex_street_no: IntArray
    complex_owner: IntArray
    complex_size: IntArray
    complex_portieken: IntArray


def check_layout_settings(
    complex_size: tuple[int, int],
    portiek_size: tuple[int, int],
    complexes_per_street: tuple[int, int],
    mean_complex_size: Sequence[float],
    mixing: float,
) -> None:
    """Validate the layout settings.

    The bounds must leave room for the construction of :func:`build_layout`:
    ``complex_size[1] >= 5 * complex_size[0]`` and
    ``portiek_size[1] >= 2 * portiek_size[0] - 1``.

    Raises
    ------
    InputError
        If a setting is out of range.
    """
    lo, hi = complex_size
    if not (lo >= 1 and hi >= 5 * lo):
        raise InputError(
            "invalid complex size bounds",
            where=Location(field="complex_size"),
            expected="(min, max) with min >= 1 and max >= 5 * min",
            found=complex_size,
        )
    plo, phi = portiek_size
    if not (plo >= 1 and phi >= 2 * plo - 1):
        raise InputError(
            "invalid portiek size bounds",
            where=Location(field="portiek_size"),
            expected="(min, max) with min >= 1 and max >= 2 * min - 1",
            found=portiek_size,
        )
    slo, shi = complexes_per_street
    if not (1 <= slo <= shi):
        raise InputError(
            "invalid complexes per street",
            where=Location(field="complexes_per_street"),
            expected="(min, max) with 1 <= min <= max",
            found=complexes_per_street,
        )
    if len(mean_complex_size) != 3 or any(not (m >= lo) for m in mean_complex_size):
        raise InputError(
            "invalid mean complex sizes",
            where=Location(field="mean_complex_size"),
            expected=f"three sizes (corporatie, particuliere_verhuurder, eigenaar_bewoner) >= {lo}",
            found=tuple(mean_complex_size),
        )
    if not (0.0 <= mixing <= 0.5):
        raise InputError(
            "invalid mixing share",
            where=Location(field="mixing"),
            expected="a share between 0 and 0.5",
            found=mixing,
        )


def build_layout(
    tenure: npt.ArrayLike,
    rng: np.random.Generator,
    *,
    complex_size: tuple[int, int] = (20, 400),
    portiek_size: tuple[int, int] = (4, 12),
    complexes_per_street: tuple[int, int] = (2, 6),
    mean_complex_size: Sequence[float] = (120.0, 60.0, 40.0),
    mixing: float = 0.06,
) -> Layout:
    """Lay out the dwellings of every buurt.

    Parameters
    ----------
    tenure : array_like of int, shape (B, 3)
        Dwellings per buurt and owner (corporatie, particuliere_verhuurder,
        eigenaar_bewoner).
    rng : numpy.random.Generator
    complex_size : (int, int)
        Bounds on the dwellings of a complex (except in tiny buurten).
    portiek_size : (int, int)
        Bounds on the dwellings of a portiek (except in complexes smaller than the minimum).
    complexes_per_street : (int, int)
        Range of the number of complexes per street, drawn per buurt.
    mean_complex_size : sequence of 3 float
        Mean complex size per owner.
    mixing : float
        Share of dwellings whose owner is swapped with another dwelling of the buurt.

    Returns
    -------
    Layout

    Notes
    -----
    Why the bounds hold: a group of ``n`` dwellings gets ``m`` complexes with
    ``ceil(n / cap) <= m <= floor(n / lo)`` where ``cap = (hi + lo) // 3``; each
    complex receives ``lo`` dwellings plus a share ``w_k / sum(w)`` of the
    remaining ``n - lo * m`` with weights ``w ~ U(0.5, 1.5)``, so it has at least
    ``lo`` and at most ``lo + 3 (n/m - lo) + 1 <= 3 cap - 2 lo + 1`` dwellings;
    the spread small groups (fewer than ``lo`` dwellings each, at most two per
    buurt when a large group exists) add at most ``lo - 1`` per complex when
    the buurt has two or more complexes, and at most ``2 (lo - 1)`` to a single
    complex of at most ``cap`` dwellings. Both stay within ``hi``.
    """
    check_layout_settings(
        complex_size, portiek_size, complexes_per_street, mean_complex_size, mixing
    )
    t = np.asarray(tenure, dtype=np.int64)
    n_b = len(t)
    lo, hi = complex_size
    cap = (hi + lo) // 3
    n_g = t.ravel()
    g_owner = np.tile(np.arange(3, dtype=np.int64), n_b)
    big = n_g >= lo
    mean_t = np.minimum(np.asarray(mean_complex_size, dtype=np.float64), cap)[g_owner]
    m_lo = -(-n_g // cap)
    m_hi = n_g // lo
    m = np.where(big, np.clip(np.rint(n_g / mean_t).astype(np.int64), m_lo, m_hi), 0)
    D = t.sum(axis=1)
    m_b = m.reshape(n_b, 3).sum(axis=1)
    lonely = (m_b == 0) & (D > 0)

    # complexes of the large groups, then one complex per "lonely" buurt
    cg, c_in_g = positions_in_groups(m)
    w = rng.uniform(0.5, 1.5, size=len(cg))
    sw = np.bincount(cg, weights=w, minlength=len(n_g))
    extra_g = n_g - lo * m
    raw = extra_g[cg] * w / np.where(sw[cg] > 0, sw[cg], 1.0)
    fl = np.floor(raw).astype(np.int64)
    rem = extra_g - np.bincount(cg, weights=fl, minlength=len(n_g)).astype(np.int64)
    base_g = lo + fl + (c_in_g < rem[cg])
    lonely_b = np.flatnonzero(lonely).astype(np.int64)
    c_buurt = np.concatenate([cg // 3, lonely_b])
    c_owner = np.concatenate([cg % 3, np.full(len(lonely_b), -1, dtype=np.int64)])
    c_base = np.concatenate([base_g, np.zeros(len(lonely_b), dtype=np.int64)])
    order = np.argsort(c_buurt * 4 + (c_owner + 1), kind="stable")
    c_buurt, c_owner, c_base = c_buurt[order], c_owner[order], c_base[order]
    n_c = len(c_buurt)
    per_b = np.bincount(c_buurt, minlength=n_b)
    c_k = np.arange(n_c, dtype=np.int64) - exclusive_cumsum(per_b)[c_buurt]

    # dwellings of small groups are dealt round-robin over the buurt's complexes
    small = np.where(big, 0, n_g).reshape(n_b, 3)
    s_b = small.sum(axis=1)
    M = per_b[c_buurt]
    c_extra = s_b[c_buurt] // M + (c_k < s_b[c_buurt] % M)
    c_size = c_base + c_extra

    d_complex, pos = positions_in_groups(c_size)
    d_buurt = c_buurt[d_complex]
    is_extra = pos >= c_base[d_complex]
    j = c_k[d_complex] + (pos - c_base[d_complex]) * M[d_complex]
    cum0 = small[:, 0][d_buurt]
    cum1 = cum0 + small[:, 1][d_buurt]
    small_owner = (j >= cum0).astype(np.int64) + (j >= cum1)
    owner = np.where(is_extra, small_owner, c_owner[d_complex]).astype(np.int64)

    # owner swaps within the buurt (keeps the counts per buurt exact)
    if mixing > 0 and len(owner):
        sel = np.flatnonzero(rng.random(len(owner)) < mixing)
        if len(sel) > 1:
            srt = sel[np.argsort(d_buurt[sel] + rng.random(len(sel)), kind="stable")]
            sb = d_buurt[srt]
            r = np.arange(len(srt)) - exclusive_cumsum(np.bincount(sb, minlength=n_b))[sb]
            first = np.flatnonzero((r[:-1] % 2 == 0) & (sb[:-1] == sb[1:]))
            a, b = srt[first], srt[first + 1]
            owner[a], owner[b] = owner[b].copy(), owner[a].copy()

    # portieken: nearly equal parts within the bounds
    plo, phi = portiek_size
    target = rng.uniform(plo + 1, max(phi - 2, plo + 1), size=n_c)
    p_n = np.rint(c_size / target).astype(np.int64)
    p_n = np.clip(p_n, -(-c_size // phi), np.maximum(c_size // plo, 1))
    p_n = np.maximum(p_n, 1)
    size_d = c_size[d_complex]
    pn_d = p_n[d_complex]
    q = (pos * pn_d) // size_d
    start = (q * size_d + pn_d - 1) // pn_d
    portiek_no = q + 1
    number = pos - start + 1

    # streets: consecutive complexes, a random number per street
    slo, shi = complexes_per_street
    per_street = rng.integers(slo, shi + 1, size=n_b)
    n_streets = np.maximum(np.rint(per_b / per_street).astype(np.int64), 1)
    c_street = (c_k * n_streets[c_buurt]) // np.maximum(per_b[c_buurt], 1) + 1

    return Layout(
        buurt=d_buurt,
        owner=owner,
        complex=d_complex,
        portiek_no=portiek_no,
        number=number,
        complex_buurt=c_buurt,
        complex_no=c_k + 1,
        complex_street_no=c_street,
        complex_owner=c_owner,
        complex_size=c_size,
        complex_portieken=p_n,
    )
