"""Validation of a units × groups count table, shared by the measure modules.

Every measure over a count table (composition, segregation, decomposition,
inference) starts with :func:`as_count_table`, so that bad input is rejected in
one place and with one message: a table is two-dimensional, has at least one
unit (row) and one group (column), and holds finite non-negative numbers.
Counts need not be integers (weighted or estimated counts are allowed).

:func:`group_index` resolves the ``group`` argument of the two-group indices
(a column label of a data frame, or a position) to a column position.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from wijkmix.errors import InputError

__all__ = ["CountTable", "as_count_table", "as_float_table", "check_scanned", "group_index"]

#: What the count-table functions accept: a 2-D array-like or a data frame
#: (rows are units, columns are groups).
CountTable = npt.ArrayLike | pd.DataFrame

# Bit pattern of +inf. A float64 is finite and >= +0.0 exactly when its bits,
# read as an unsigned integer, are below this: the sign bit is clear and the
# exponent is not all ones (inf, nan). One integer max() therefore checks a
# whole table for negative, infinite and missing values in a single pass.
_POS_INF_BITS = np.uint64(0x7FF0000000000000)

_EXPECTED = "finite non-negative counts"
_HINT = (
    "counts must be numbers >= 0; a suppressed or missing value is not a zero: "
    "drop the unit or fill the value in explicitly"
)


@dataclass(frozen=True)
class _Cell:
    """An offending value and where it is, shown as ``-1.0 at unit 2, group 'b'``."""

    value: object
    unit: object
    group: object

    def __str__(self) -> str:
        return f"{self.value!r} at unit {self.unit!r}, group {self.group!r}"


def as_count_table(counts: CountTable, *, name: str = "counts") -> npt.NDArray[np.float64]:
    """Validate a units × groups count table and return it as a float64 array.

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Rows are units (areas), columns are groups. Counts may be fractional
        (weighted counts) but must be finite and non-negative.
    name : str, default "counts"
        Name of the argument, used in error messages.

    Returns
    -------
    numpy.ndarray of float64, shape (n_units, n_groups)
        The table. It is not copied when the input already is a C- or
        F-contiguous float64 array (or a data frame backed by one), so it may
        share memory with the input and may be read-only: treat it as
        read-only.

    Raises
    ------
    InputError
        If the table is not two-dimensional, has no unit or no group, holds
        non-numeric data, or holds a negative, infinite or missing value (the
        message names the first such value and its unit and group).

    Examples
    --------
    >>> as_count_table([[1, 2], [3, 0]])
    array([[1., 2.],
           [3., 0.]])
    >>> as_count_table([[1, -2]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: invalid count in field 'counts': ... found -2.0 at unit 0, group 1...
    """
    arr = as_float_table(counts, name=name)
    if arr.view(np.uint64).max() >= _POS_INF_BITS:
        _raise_first_invalid(arr, counts, name)
    return arr


def as_float_table(counts: CountTable, *, name: str = "counts") -> npt.NDArray[np.float64]:
    """Convert a units × groups table to float64 without checking its values.

    Does everything :func:`as_count_table` does except the check for
    negative, infinite and missing values, for callers that check them while
    summing the table (see :func:`check_scanned`).

    Parameters
    ----------
    counts : array-like or pandas.DataFrame, shape (n_units, n_groups)
        Rows are units (areas), columns are groups.
    name : str, default "counts"
        Name of the argument, used in error messages.

    Returns
    -------
    numpy.ndarray of float64, shape (n_units, n_groups)
        The table, C- or F-contiguous; not copied when it already is a
        contiguous float64 array (treat it as read-only).

    Raises
    ------
    InputError
        If the table is not two-dimensional, has no unit or no group, or holds
        non-numeric data.

    Examples
    --------
    >>> as_float_table([[1, -2]])
    array([[ 1., -2.]])
    """
    if isinstance(counts, pd.DataFrame):
        raw = counts.to_numpy()  # a view for a frame of one float64 block
        if raw.dtype.kind in "biuf":
            arr = raw.astype(np.float64, copy=False)
        else:  # text, or nullable columns holding pd.NA
            bad = [
                (c, dt) for c, dt in counts.dtypes.items() if not pd.api.types.is_numeric_dtype(dt)
            ]
            if bad:
                raise InputError(
                    "non-numeric counts",
                    where=name,
                    expected="numeric columns (one per group)",
                    found=f"column {bad[0][0]!r} of type {bad[0][1]}",
                )
            arr = counts.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        raw = np.asarray(counts)
        if raw.dtype.kind not in "biufO":
            raise InputError(
                "non-numeric counts",
                where=name,
                expected="numbers",
                found=f"an array of type {raw.dtype}",
            )
        try:
            arr = raw.astype(np.float64, copy=False)
        except (TypeError, ValueError) as exc:
            raise InputError(
                "non-numeric counts", where=name, expected="numbers", found=str(exc)
            ) from None
    if arr.ndim != 2:
        raise InputError(
            "wrong shape",
            where=name,
            expected="a 2-D table (units × groups)",
            found=f"a {arr.ndim}-D array of shape {arr.shape}",
        )
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InputError(
            "empty table",
            where=name,
            expected="at least 1 unit (row) and 1 group (column)",
            found=f"shape {arr.shape}",
        )
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        arr = np.ascontiguousarray(arr)
    return arr


def check_scanned(
    arr: npt.NDArray[np.float64],
    counts: object,
    *,
    minimum: float,
    total: float,
    name: str = "counts",
) -> None:
    """Check a table from the smallest value and the sum of all values of one pass.

    A negative value makes ``minimum`` negative; an infinite or missing one
    makes ``total`` infinite or ``nan``. Only then is the table searched for
    the offending value, to report it as :func:`as_count_table` does.

    Parameters
    ----------
    arr : numpy.ndarray of float64, shape (n_units, n_groups)
        The table from :func:`as_float_table`.
    counts : object
        The table as given (for the unit and group labels of a data frame).
    minimum : float
        ``min(0, smallest value)`` (``-0.0`` counts as 0).
    total : float
        The sum of all values.
    name : str, default "counts"
        Name of the argument, used in error messages.

    Raises
    ------
    InputError
        For the first negative, infinite or missing value (row by row).

    Examples
    --------
    >>> a = as_float_table([[1.0, float("inf")]])
    >>> check_scanned(a, a, minimum=0.0, total=float(a.sum()))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: invalid count in field 'counts': ... found inf at unit 0, group 1...
    """
    if minimum < 0 or not math.isfinite(total):
        _raise_first_invalid(arr, counts, name)


def _raise_first_invalid(arr: npt.NDArray[np.float64], counts: object, name: str) -> None:
    """Raise for the first negative or non-finite value; -0.0 is a valid zero."""
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(arr) & (arr >= 0))
    if not bad.any():  # only negative zeros: fine
        return
    i, j = (int(v) for v in np.argwhere(bad)[0])
    value = float(arr[i, j])
    unit: object = i
    group: object = j
    if isinstance(counts, pd.DataFrame):
        unit, group = counts.index[i], counts.columns[j]
    raise InputError(
        "invalid count", where=name, expected=_EXPECTED, found=_Cell(value, unit, group), hint=_HINT
    )


def group_index(
    group: Hashable | None,
    *,
    n_groups: int,
    columns: Sequence[Hashable] | None = None,
    name: str = "group",
) -> int:
    """Resolve a ``group`` argument to a column position.

    Parameters
    ----------
    group : hashable or None
        A column label (when ``columns`` is given and holds it), else a
        position ``0 <= group < n_groups``. ``None`` is allowed only when the
        table has exactly two groups and means the first one.
    n_groups : int
        Number of columns of the table.
    columns : sequence of hashable, optional
        Column labels (``DataFrame.columns``), when the table came with them.
    name : str, default "group"
        Name of the argument, used in error messages.

    Returns
    -------
    int
        The column position.

    Raises
    ------
    InputError
        If ``group`` is None and the table does not have two groups, or if it is
        neither a known label nor a valid position.

    Examples
    --------
    >>> group_index(None, n_groups=2)
    0
    >>> group_index("b", n_groups=3, columns=["a", "b", "c"])
    1
    >>> group_index(2, n_groups=3)
    2
    """
    if group is None:
        if n_groups != 2:
            raise InputError(
                "group not given",
                where=name,
                expected="a group (column label or position) unless the table has exactly 2 groups",
                found=f"a table with {n_groups} group{'s' if n_groups != 1 else ''}",
            )
        return 0
    if columns is not None:
        matches = [i for i, c in enumerate(columns) if _same_label(c, group)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InputError(
                "ambiguous group",
                where=name,
                expected="a column label that occurs once",
                found=f"{group!r} in columns {matches}",
            )
    if isinstance(group, int | np.integer) and not isinstance(group, bool | np.bool_):
        if 0 <= int(group) < n_groups:
            return int(group)
        raise InputError(
            "group out of range",
            where=name,
            expected=f"a position from 0 to {n_groups - 1}",
            found=int(group),
        )
    known = f"one of {list(columns)!r}" if columns is not None else "a column position"
    raise InputError("unknown group", where=name, expected=known, found=group)


def _same_label(label: Hashable, group: Hashable) -> bool:
    if isinstance(group, bool | np.bool_) or isinstance(label, bool | np.bool_):
        return label is group
    try:
        return bool(label == group)
    except (TypeError, ValueError):
        return False
