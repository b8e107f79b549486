"""Common random numbers keyed by (seed, replicate, year, step, household id).

Every random draw of the simulation is a pure function of its key, so results
do not depend on the order in which households are processed, on how the work
is split over processes or machines, or on whether the plan is switched on: a
baseline and a plan run with the same seed see the same random numbers for the
same household in the same step (the basis of the waterbed comparison).

The generator is a counter-based hash (SplitMix64 finaliser applied to a mix of
the key), vectorised over ids with numpy ``uint64`` arithmetic. Uniforms use the
top 53 bits, so they lie in ``[0, 1)`` with double precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

__all__ = ["CrnKey", "Step", "crn_normal", "crn_uniform", "mix64"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class Step(IntEnum):
    """The steps of a simulated year that draw random numbers (one stream each)."""

    PLAN = 1
    DEATH = 2
    DISSOLUTION = 3
    FORMATION = 4
    INCOME = 5
    MOVE = 6
    INFLOW = 7
    OUTFLOW = 8
    LOTTERY = 9
    SCREENING = 10
    MARKET = 11
    CHOICE = 12
    AGEING = 13
    SYNTH = 14
    EXTRA = 15


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on an array of ``uint64`` (wrapping arithmetic).

    >>> int(mix64(np.array([0], dtype=np.uint64))[0])
    0
    >>> int(mix64(np.array([1], dtype=np.uint64))[0]) == int(mix64(np.array([1], np.uint64))[0])
    True
    """
    z = np.asarray(x, dtype=np.uint64).copy()
    with np.errstate(over="ignore"):
        z ^= z >> np.uint64(30)
        z *= _M1
        z ^= z >> np.uint64(27)
        z *= _M2
        z ^= z >> np.uint64(31)
    return z


@dataclass(frozen=True)
class CrnKey:
    """The part of a random key fixed for one simulated year of one replicate.

    Parameters
    ----------
    seed : int
        The run's seed (non-negative, < 2**63).
    replicate : int
        Monte Carlo replicate number.
    year : int
        Simulated year (0 = first year).
    """

    seed: int
    replicate: int
    year: int

    def base(self, step: int, sub: int = 0) -> np.uint64:
        """Hash of (seed, replicate, year, step, sub) as one ``uint64``."""
        acc = np.array([self.seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
        for part in (self.replicate, self.year, int(step), sub):
            with np.errstate(over="ignore"):
                acc = mix64(acc ^ (np.uint64(part & 0xFFFFFFFFFFFFFFFF) + _GOLDEN))
        return np.uint64(acc[0])


def _bits(key: CrnKey, step: int, ids: np.ndarray, sub: int) -> np.ndarray:
    base = key.base(step, sub)
    ids64 = np.asarray(ids).astype(np.uint64, copy=False)
    with np.errstate(over="ignore"):
        return mix64(mix64(ids64 * _GOLDEN + base) ^ base)


def crn_uniform(key: CrnKey, step: int, ids: np.ndarray, sub: int = 0) -> np.ndarray:
    """Uniform numbers in [0, 1), one per id, a pure function of the key.

    Parameters
    ----------
    key : CrnKey
        Seed, replicate and year.
    step : int
        The step (:class:`Step`), so that every step has its own stream.
    ids : array of int
        Stable ids (household or dwelling ids as non-negative integers).
    sub : int, default 0
        A further sub-stream within a step (e.g. the k-th draw of a household).

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> k = CrnKey(seed=1, replicate=0, year=3)
    >>> u = crn_uniform(k, Step.MOVE, np.array([5, 7, 9]))
    >>> bool(((u >= 0) & (u < 1)).all())
    True
    >>> bool((crn_uniform(k, Step.MOVE, np.array([9, 5]))[::-1] == u[[0, 2]]).all())
    True
    """
    bits = _bits(key, step, ids, sub)
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def crn_normal(key: CrnKey, step: int, ids: np.ndarray, sub: int = 0) -> np.ndarray:
    """Standard normal numbers, one per id (Box–Muller on two CRN uniforms)."""
    u1 = crn_uniform(key, step, ids, 2 * sub)
    u2 = crn_uniform(key, step, ids, 2 * sub + 1)
    r = np.sqrt(-2.0 * np.log1p(-u1))
    return r * np.cos(2.0 * np.pi * u2)
