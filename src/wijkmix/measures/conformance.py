"""Conformance check that every segregation index must pass.

:func:`check_index` runs an index on generated tables and checks the
properties every aspatial index over a units × groups count table must have,
plus the ones its definition promises (declared per index in the single
registry :data:`INDEX_PROPERTIES`):

``scale``
    invariant to multiplying all counts by a positive constant;
``unit_order``
    invariant to the order of the units (rows);
``empty_unit``
    unchanged by adding a unit with no population;
``group_order``
    (multigroup indices) invariant to the order of the groups (columns);
``bounded``
    within the declared bounds on every generated table;
``at_even``
    the declared value when every unit has the overall composition (0 for a
    segregation index; the overall share of a group for isolation/exposure);
``at_separation``
    the declared value when every unit holds one group only (1 for a
    normalised segregation index, 0 for exposure, E for M);
``rejects_invalid``
    raises :class:`~wijkmix.errors.InputError` for a negative, missing or
    infinite count.

A new index gets an entry in :data:`INDEX_PROPERTIES`; the test suite runs
:func:`check_registered` on every public function of
:mod:`wijkmix.measures.segregation`, so an index without an entry fails.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from wijkmix.errors import InputError

__all__ = [
    "INDEX_PROPERTIES",
    "ConformanceError",
    "ConformanceResult",
    "IndexProperties",
    "check_index",
    "check_registered",
]

Kind = Literal["multigroup", "twogroup"]
#: A declared value: a number, a function of the overall group shares
#: ``P_k`` of the table, or None when the property does not apply.
Expected = float | Callable[[npt.NDArray[np.float64]], float] | None

#: Relative tolerance for invariances, absolute tolerance for declared values.
_REL = 1e-9
_ABS = 1e-9


class ConformanceError(AssertionError):
    """An index violates one or more of the properties it must have."""


@dataclass(frozen=True)
class ConformanceResult:
    """The outcome of a passed :func:`check_index`.

    Attributes
    ----------
    name : str
        Name of the checked function.
    checked : tuple of str
        The properties that were checked (see the module docstring).
    values : mapping of str to float
        The index on the even and the separated tables (where checked).
    """

    name: str
    checked: tuple[str, ...]
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexProperties:
    """Which properties an index has, as :func:`check_index` arguments.

    Attributes
    ----------
    kind : {"multigroup", "twogroup"}
        A multigroup index is called as ``fn(table)`` on tables with three and
        four groups; a two-group index as ``fn(table)`` on two-column tables
        (the first column is the focal group).
    bounded : tuple of float, optional
        Inclusive bounds, or None if unbounded.
    at_even : float or callable, optional
        Value when every unit has the overall composition (a callable gets the
        overall shares ``P_k``), or None if not a property of the index.
    at_separation : float or callable, optional
        Value when every unit holds one group only, or None.
    """

    kind: Kind
    bounded: tuple[float, float] | None = (0.0, 1.0)
    at_even: Expected = 0.0
    at_separation: Expected = 1.0

    def as_kwargs(self) -> dict[str, Any]:
        """Return the properties as keyword arguments of :func:`check_index`."""
        return {
            "kind": self.kind,
            "bounded": self.bounded,
            "at_even": self.at_even,
            "at_separation": self.at_separation,
        }


def _entropy(shares: npt.NDArray[np.float64]) -> float:
    s = shares[shares > 0]
    return float(-np.sum(s * np.log(s)))


def _share0(shares: npt.NDArray[np.float64]) -> float:
    return float(shares[0])


def _share1(shares: npt.NDArray[np.float64]) -> float:
    return float(shares[1])


def _interaction(shares: npt.NDArray[np.float64]) -> float:
    return float(np.sum(shares * (1 - shares)))


def _concentration(shares: npt.NDArray[np.float64]) -> float:
    return float(np.sum(shares * shares))


_TWO = IndexProperties("twogroup")
_MULTI = IndexProperties("multigroup")

#: The one registry: properties of every public index, keyed by
#: ``"<module in wijkmix.measures>.<function>"``.
INDEX_PROPERTIES: Mapping[str, IndexProperties] = MappingProxyType(
    {
        "segregation.dissimilarity": _TWO,
        "segregation.gini": _TWO,
        "segregation.correlation_ratio": _TWO,
        # P_x at evenness, 1 when the group lives apart
        "segregation.isolation": IndexProperties("twogroup", at_even=_share0),
        # exposure of the first group to the second: P_y at evenness, 0 apart
        "segregation.exposure": IndexProperties("twogroup", at_even=_share1, at_separation=0.0),
        "segregation.multigroup_dissimilarity": _MULTI,
        "segregation.multigroup_gini": _MULTI,
        "segregation.theil_h": _MULTI,
        "segregation.relative_diversity": _MULTI,
        "segregation.normalized_exposure": _MULTI,
        # not normalised: 0 <= M <= E (E is reached at complete separation)
        "segregation.mutual_information": IndexProperties(
            "multigroup", bounded=(0.0, math.inf), at_separation=_entropy
        ),
        # overall diversity: depends on the group totals only
        "segregation.simpson_interaction": IndexProperties(
            "multigroup", at_even=_interaction, at_separation=_interaction
        ),
        "segregation.simpson_concentration": IndexProperties(
            "multigroup", at_even=_concentration, at_separation=_concentration
        ),
    }
)


def check_registered(name: str, *, rng: np.random.Generator | None = None) -> ConformanceResult:
    """Run :func:`check_index` on a registered index.

    Parameters
    ----------
    name : str
        Registry key, ``"<module>.<function>"`` relative to
        :mod:`wijkmix.measures` (``"segregation.gini"``).
    rng : numpy.random.Generator, optional
        Source of the random tables; a fixed seed by default.

    Returns
    -------
    ConformanceResult

    Raises
    ------
    KeyError
        If the index has no registry entry.
    ConformanceError
        If the index violates a property.
    """
    props = INDEX_PROPERTIES[name]
    module, func = name.rsplit(".", 1)
    fn = getattr(importlib.import_module(f"wijkmix.measures.{module}"), func)
    return check_index(fn, rng=rng, **props.as_kwargs())


def _random_tables(kind: Kind, rng: np.random.Generator) -> list[npt.NDArray[np.float64]]:
    """Tables with empty units, empty cells and fractional counts; every group present."""
    widths = (2, 2, 2) if kind == "twogroup" else (3, 4, 3)
    tables = []
    for i, k in enumerate(widths):
        n = int(rng.integers(5, 40))
        t = rng.poisson(rng.uniform(0.5, 20.0, size=k), size=(n, k)).astype(np.float64)
        t[rng.random(n) < 0.1] = 0.0  # empty units
        if i == 2:
            t *= rng.uniform(0.1, 3.0, size=t.shape)  # weighted counts
        t[0] += 1.0  # every group present
        tables.append(t)
    return tables


def _even(kind: Kind) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    comp = np.array([2.0, 3.0]) if kind == "twogroup" else np.array([2.0, 3.0, 5.0])
    sizes = np.array([1.0, 4.0, 7.0, 10.0, 3.0])
    return np.outer(sizes, comp), comp / comp.sum()


def _separated(kind: Kind) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    k = 2 if kind == "twogroup" else 3
    sizes = np.array([5.0, 1.0, 9.0, 2.0, 4.0, 7.0, 3.0])
    t = np.zeros((sizes.size, k))
    t[np.arange(sizes.size), np.arange(sizes.size) % k] = sizes
    return t, t.sum(axis=0) / t.sum()


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_REL, abs_tol=1e-12)


def check_index(
    fn: Callable[..., float],
    *,
    kind: Kind = "multigroup",
    bounded: tuple[float, float] | None = (0.0, 1.0),
    at_even: Expected = 0.0,
    at_separation: Expected = 1.0,
    rng: np.random.Generator | None = None,
) -> ConformanceResult:
    """Check that an index has the properties it must have.

    Parameters
    ----------
    fn : callable
        The index: ``fn(table) -> float`` for a units × groups table.
    kind : {"multigroup", "twogroup"}, default "multigroup"
        Two-group indices are run on two-column tables (first column focal).
    bounded : tuple of float, optional
        Inclusive bounds the index must respect; None to skip.
    at_even : float or callable, optional
        Expected value when all units have the overall composition (callable:
        of the overall shares); None to skip.
    at_separation : float or callable, optional
        Expected value when every unit holds one group only; None to skip.
    rng : numpy.random.Generator, optional
        Source of the random tables; ``default_rng(20240601)`` by default.

    Returns
    -------
    ConformanceResult
        The properties checked.

    Raises
    ------
    ConformanceError
        Listing every violated property.
    """
    if kind not in ("multigroup", "twogroup"):
        raise InputError(
            "unknown index kind", where="kind", expected="'multigroup' or 'twogroup'", found=kind
        )
    gen = rng if rng is not None else np.random.default_rng(20240601)
    name = getattr(fn, "__name__", repr(fn))
    failures: list[str] = []
    checked: list[str] = []
    values: dict[str, float] = {}
    tables = _random_tables(kind, gen)

    def value(t: npt.NDArray[np.float64], what: str) -> float:
        try:
            return float(fn(t))
        except Exception as exc:  # report, do not hide, any crash of the index
            failures.append(f"{what}: raised {type(exc).__name__}: {exc}")
            return math.nan

    base = [value(t, "random table") for t in tables]

    checked.append("scale")
    for t, v in zip(tables, base, strict=True):
        for factor in (0.37, 7.0, 1e6):
            w = value(t * factor, "scaled table")
            if not _close(w, v):
                failures.append(f"scale: {v!r} became {w!r} after multiplying counts by {factor}")

    checked.append("unit_order")
    for t, v in zip(tables, base, strict=True):
        w = value(t[gen.permutation(t.shape[0])], "permuted table")
        if not _close(w, v):
            failures.append(f"unit_order: {v!r} became {w!r} after reordering the units")

    checked.append("empty_unit")
    for t, v in zip(tables, base, strict=True):
        w = value(np.vstack([t[:1], np.zeros((1, t.shape[1])), t[1:]]), "table with empty unit")
        if not _close(w, v):
            failures.append(f"empty_unit: {v!r} became {w!r} after adding an empty unit")

    if kind == "multigroup":
        checked.append("group_order")
        for t, v in zip(tables, base, strict=True):
            w = value(t[:, gen.permutation(t.shape[1])], "table with groups reordered")
            if not _close(w, v):
                failures.append(f"group_order: {v!r} became {w!r} after reordering the groups")

    even, even_shares = _even(kind)
    sep, sep_shares = _separated(kind)
    specials = {"even": value(even, "even table"), "separated": value(sep, "separated table")}

    if bounded is not None:
        checked.append("bounded")
        lo, hi = bounded
        for v in [*base, *specials.values()]:
            if not (lo - _ABS <= v <= hi + _ABS):
                failures.append(f"bounded: {v!r} is outside [{lo}, {hi}]")

    for prop, expected, shares, key in (
        ("at_even", at_even, even_shares, "even"),
        ("at_separation", at_separation, sep_shares, "separated"),
    ):
        if expected is None:
            continue
        checked.append(prop)
        want = float(expected(shares)) if callable(expected) else float(expected)
        got = specials[key]
        values[key] = got
        if not math.isclose(got, want, rel_tol=_REL, abs_tol=_ABS):
            failures.append(f"{prop}: expected {want!r}, got {got!r}")

    checked.append("rejects_invalid")
    for bad in (-1.0, math.nan, math.inf):
        t = tables[0].copy()
        t[1, 0] = bad
        try:
            fn(t)
        except InputError:
            continue
        except Exception as exc:
            failures.append(
                f"rejects_invalid: count {bad} raised {type(exc).__name__}, not InputError"
            )
        else:
            failures.append(f"rejects_invalid: count {bad} was accepted")

    if failures:
        raise ConformanceError(f"{name} fails conformance:\n  - " + "\n  - ".join(failures))
    return ConformanceResult(name=name, checked=tuple(checked), values=MappingProxyType(values))
