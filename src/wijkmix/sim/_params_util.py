"""Parameter tables of the simulation steps: validation helpers shared by the steps.

Every parameter record of a step (:class:`~wijkmix.sim.demography.DemographyParams`,
:class:`~wijkmix.sim.moves.MoveParams`) is a frozen dataclass whose fields are
validated and normalised by a parser per field (``parse(value, field) -> value``);
the parsers are built from the helpers here. A bad value raises an
:class:`~wijkmix.errors.InputError` whose ``where`` is the dotted field name
(``params.demography.mortality[2].rate``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np

from wijkmix.errors import InputError, Location

__all__ = [
    "AgeRate",
    "bad_param",
    "band_values",
    "check_table",
    "normalise_fields",
    "param_age",
    "param_ages",
    "param_bands",
    "param_bool",
    "param_factor",
    "param_matrix",
    "param_number",
    "param_range",
    "param_rates",
    "param_share",
    "param_shares",
    "params_of",
    "parse_fields",
    "with_sources",
]


def bad_param(where: str, what: str, expected: str, found: object) -> InputError:
    """The error for a bad parameter value; ``where`` is the dotted field name."""
    return InputError(what, where=Location(field=where), expected=expected, found=found)


def check_table(d: object, field: str, allowed: Iterable[str]) -> Mapping[str, Any]:
    """Check that ``d`` is a table whose keys are all in ``allowed``.

    Parameters
    ----------
    d : object
        The value read for ``field``.
    field : str
        Dotted name of the table (``params.demography``).
    allowed : iterable of str
        The keys the table may have.

    Returns
    -------
    Mapping
        ``d``.

    Raises
    ------
    InputError
        ``where`` = ``field`` when ``d`` is not a table, ``field.key`` for an
        unknown key.

    Examples
    --------
    >>> check_table({"a": 1}, "params.x", ["a", "b"])
    {'a': 1}
    >>> check_table({"c": 1}, "params.x", ["a", "b"])
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: unknown parameter in field 'params.x.c': expected one of a, b, \
found 'c'.
    """
    if not isinstance(d, Mapping):
        raise bad_param(
            field, "parameters are not a table", "a table of key = value", type(d).__name__
        )
    names = tuple(allowed)
    for k in d:
        if k not in names:
            raise bad_param(f"{field}.{k}", "unknown parameter", "one of " + ", ".join(names), k)
    return d


def param_number(
    v: object,
    field: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    integer: bool = False,
) -> float:
    """A finite number (or whole number) within ``[lo, hi]``.

    Booleans are not numbers. Returns a float (an int when ``integer``).

    Examples
    --------
    >>> param_number(3, "f", lo=0, integer=True)
    3
    >>> param_number(1.5, "params.x.rate", lo=0, hi=1)
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: value out of range in field 'params.x.rate': expected a number \
from 0 to 1, found 1.5.
    """
    kind = "a whole number" if integer else "a number"
    if lo is not None and hi is not None:
        expected = f"{kind} from {lo:g} to {hi:g}"
    elif lo is not None:
        expected = f"{kind} of at least {lo:g}"
    elif hi is not None:
        expected = f"{kind} of at most {hi:g}"
    else:
        expected = kind
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.integer | np.floating):
        raise bad_param(field, "invalid value", expected, v)
    x = float(v)
    if not math.isfinite(x) or (integer and not x.is_integer()):
        raise bad_param(field, "invalid value", expected, v)
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        raise bad_param(field, "value out of range", expected, v)
    return int(x) if integer else x


def param_bool(v: object, field: str) -> bool:
    """``true`` or ``false``.

    Examples
    --------
    >>> param_bool(True, "f")
    True
    """
    if not isinstance(v, bool | np.bool_):
        raise bad_param(field, "invalid value", "true or false", v)
    return bool(v)


def param_range(v: object, field: str) -> tuple[float, float]:
    """A pair ``[lo, hi]`` of quantiles with ``0 <= lo <= hi <= 1``.

    Examples
    --------
    >>> param_range([0.1, 0.4], "f")
    (0.1, 0.4)
    """
    if isinstance(v, str | bytes) or not isinstance(v, Sequence) or len(v) != 2:
        raise bad_param(field, "invalid value", "two numbers [low, high] from 0 to 1", v)
    lo = param_number(v[0], f"{field}[0]", lo=0.0, hi=1.0)
    hi = param_number(v[1], f"{field}[1]", lo=lo, hi=1.0)
    return (lo, hi)


def param_shares(v: object, field: str, *, minimum_length: int = 1) -> tuple[float, ...]:
    """A list of shares (each 0–1) that add up to 1 (within 1e-6).

    Examples
    --------
    >>> param_shares([0.25, 0.75], "f")
    (0.25, 0.75)
    """
    if isinstance(v, str | bytes) or not isinstance(v, Sequence) or len(v) < minimum_length:
        raise bad_param(
            field, "invalid value", f"a list of at least {minimum_length} shares adding to 1", v
        )
    out = tuple(param_number(x, f"{field}[{i}]", lo=0.0, hi=1.0) for i, x in enumerate(v))
    if abs(sum(out) - 1.0) > 1e-6:
        raise bad_param(field, "shares do not add up to 1", "shares adding up to 1", list(out))
    return out


_B = TypeVar("_B")


def param_bands(
    v: object,
    field: str,
    *,
    cls: Callable[..., _B],
    lower: str,
    value: str,
    value_hi: float | None = None,
) -> tuple[_B, ...]:
    """A list of bands ``[{<lower> = 0, <value> = x}, {<lower> = 45, <value> = y}, …]``.

    The lower bounds are whole numbers, the first is 0 and they increase
    strictly, so every age (or duration) falls in exactly one band; a band runs
    from its lower bound up to the next one. Items may be tables or instances of
    ``cls``.

    Parameters
    ----------
    v : object
        The list read for ``field``.
    field : str
        Dotted name (errors name ``field[i].<key>``).
    cls : callable
        Builds one band from keyword arguments ``lower`` and ``value``.
    lower, value : str
        Names of the two keys of a band.
    value_hi : float, optional
        Upper limit of the values (1 for probabilities); the lower limit is 0.

    Examples
    --------
    >>> param_bands([{"min_age": 0, "rate": 0.1}, {"min_age": 50, "rate": 0.2}], "f",
    ...             cls=AgeRate, lower="min_age", value="rate", value_hi=1.0)
    (AgeRate(min_age=0, rate=0.1), AgeRate(min_age=50, rate=0.2))
    >>> param_bands([{"min_age": 0, "rate": 2}], "params.demography.mortality",
    ...             cls=AgeRate, lower="min_age", value="rate", value_hi=1.0)
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: value out of range in field 'params.demography.mortality[0].rate': \
expected a number from 0 to 1, found 2.
    """
    if isinstance(v, str | bytes) or not isinstance(v, Sequence) or len(v) == 0:
        raise bad_param(
            field,
            "invalid value",
            f"a non-empty list of tables {{{lower} = …, {value} = …}}",
            v if not isinstance(v, Mapping) else "a table",
        )
    out: list[_B] = []
    previous = -1
    for i, item in enumerate(v):
        where = f"{field}[{i}]"
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            item = dataclasses.asdict(item)
        table = check_table(item, where, (lower, value))
        for k in (lower, value):
            if k not in table:
                raise bad_param(f"{where}.{k}", "missing parameter", f"a value for {k}", None)
        low = int(param_number(table[lower], f"{where}.{lower}", lo=0.0, integer=True))
        if i == 0 and low != 0:
            raise bad_param(f"{where}.{lower}", "first band does not start at 0", "0", table[lower])
        if low <= previous:
            raise bad_param(
                f"{where}.{lower}",
                "bands not in increasing order",
                f"a value above {previous}",
                table[lower],
            )
        previous = low
        val = param_number(table[value], f"{where}.{value}", lo=0.0, hi=value_hi)
        out.append(cls(**{lower: low, value: val}))
    return tuple(out)


def param_matrix(v: object, field: str) -> tuple[tuple[float, ...], ...]:
    """A square transition matrix (k ≥ 2) whose rows are shares adding up to 1.

    Examples
    --------
    >>> param_matrix([[0.9, 0.1], [0.2, 0.8]], "f")
    ((0.9, 0.1), (0.2, 0.8))
    """
    if isinstance(v, str | bytes) or not isinstance(v, Sequence) or len(v) < 2:
        raise bad_param(field, "invalid value", "a square matrix (list of rows) of at least 2×2", v)
    k = len(v)
    rows = []
    for i, row in enumerate(v):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or len(row) != k:
            raise bad_param(f"{field}[{i}]", "invalid row", f"a row of {k} shares", row)
        rows.append(param_shares(row, f"{field}[{i}]"))
    return tuple(rows)


def band_values(bands: Sequence[Any], lower: str, value: str, x: np.ndarray) -> np.ndarray:
    """The value of the band each element of ``x`` falls in.

    Examples
    --------
    >>> b = (AgeRate(0, 0.1), AgeRate(50, 0.2))
    >>> band_values(b, "min_age", "rate", np.array([0, 49, 50, 90])).tolist()
    [0.1, 0.1, 0.2, 0.2]
    """
    lows = np.array([getattr(b, lower) for b in bands], dtype=np.int64)
    vals = np.array([getattr(b, value) for b in bands], dtype=np.float64)
    idx = np.searchsorted(lows, np.asarray(x, dtype=np.int64), side="right") - 1
    return vals[np.clip(idx, 0, len(vals) - 1)]


def normalise_fields(obj: object, parsers: Mapping[str, Callable[[Any, str], Any]]) -> None:
    """Validate and normalise the fields of a frozen dataclass in ``__post_init__``."""
    prefix = type(obj).__name__
    for name, parse in parsers.items():
        object.__setattr__(obj, name, parse(getattr(obj, name), f"{prefix}.{name}"))


def parse_fields(
    d: Mapping[str, Any],
    field: str,
    parsers: Mapping[str, Callable[[Any, str], Any]],
) -> dict[str, Any]:
    """Parse the keys of a table with ``parsers`` (errors name ``field.key``)."""
    check_table(d, field, parsers)
    return {k: parsers[k](v, f"{field}.{k}") for k, v in d.items()}


def with_sources(
    defaults: Mapping[str, str], field: str, given: Iterable[str]
) -> MappingProxyType[str, str]:
    """The default sources, with "opgegeven in <field>.<key>" for the keys given."""
    out = dict(defaults)
    for k in given:
        out[k] = f"opgegeven in {field}.{k}"
    return MappingProxyType(out)


# -- band records and the small parsers of the steps ----------------------------------------
@dataclass(frozen=True)
class AgeRate:
    """A yearly probability from ``min_age`` up to the next band's ``min_age``."""

    min_age: int
    rate: float


def param_rates(v: Any, f: str) -> tuple[AgeRate, ...]:
    """Age bands of yearly probabilities (``{min_age = …, rate = …}``, rates 0–1)."""
    return param_bands(v, f, cls=AgeRate, lower="min_age", value="rate", value_hi=1.0)


def param_share(v: Any, f: str) -> float:
    """A share or probability from 0 to 1."""
    return param_number(v, f, lo=0.0, hi=1.0)


def param_factor(v: Any, f: str) -> float:
    """A non-negative factor."""
    return param_number(v, f, lo=0.0)


def param_age(v: Any, f: str) -> int:
    """An age in whole years from 0 to 120."""
    return int(param_number(v, f, lo=0.0, hi=120.0, integer=True))


def param_ages(v: Any, f: str) -> tuple[int, int]:
    """Two ages ``[youngest, oldest]`` with ``0 <= youngest <= oldest <= 120``."""
    if isinstance(v, str | bytes) or not isinstance(v, Sequence) or len(v) != 2:
        raise bad_param(f, "invalid value", "two ages [youngest, oldest]", v)
    lo = param_age(v[0], f"{f}[0]")
    hi = int(param_number(v[1], f"{f}[1]", lo=lo, hi=120.0, integer=True))
    return (lo, hi)


_P = TypeVar("_P")


def params_of(params: object, cls: type[_P], attribute: str, caller: str) -> _P:
    """The parameters of one step: ``params`` itself, or its ``attribute`` (``SimParams``).

    Raises
    ------
    TypeError
        When ``params`` is neither a ``cls`` nor has an ``attribute`` that is one.
    """
    if isinstance(params, cls):
        return params
    p = getattr(params, attribute, None)
    if not isinstance(p, cls):
        raise TypeError(f"{caller}: params must be {cls.__name__} or have .{attribute}")
    return p
