"""The single disclosure gate.

Household registers are personal data. Every aggregate computed from them that
leaves the program (terminal, CSV/JSON export, web, report) passes
:func:`gate`: a cell based on fewer than :data:`MIN_HOUSEHOLDS` households is
suppressed. A suppressed cell is missing (``None``), shown as ``"–"``, never 0.

Published CBS figures are already disclosure-controlled by CBS and are shown as
published; the gate is for what wijkmix computes from registers (real or
synthetic: the code path is the same, so nothing can slip through by
accident).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkmix.errors import InputError, Location

__all__ = ["MIN_HOUSEHOLDS", "SUPPRESSED", "DisclosedTable", "format_cell", "gate"]

#: Cells based on fewer households than this are suppressed.
MIN_HOUSEHOLDS = 10
#: How a suppressed cell is shown.
SUPPRESSED = "–"


@dataclass(frozen=True)
class DisclosedTable:
    """An aggregate table that passed the gate.

    Attributes
    ----------
    frame : pandas.DataFrame
        The table with suppressed cells set to missing (``NaN``/``None``).
    suppressed : pandas.DataFrame
        Boolean mask, same shape as the gated value columns: True where suppressed.
    threshold : int
        The minimum number of households a cell needed.
    """

    frame: pd.DataFrame
    suppressed: pd.DataFrame
    threshold: int

    @property
    def n_suppressed(self) -> int:
        """Number of suppressed cells."""
        return int(self.suppressed.to_numpy().sum())

    def formatted(self, decimals: int = 1) -> pd.DataFrame:
        """The table as text, with ``"–"`` in suppressed and missing cells."""
        out = self.frame.copy()
        for col in out.columns:
            out[col] = [format_cell(v, decimals) for v in out[col]]
        return out


def format_cell(value: object, decimals: int = 1) -> str:
    """Format one cell for display: missing → ``"–"``, floats with ``decimals``."""
    if value is None:
        return SUPPRESSED
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return SUPPRESSED
        if float(value).is_integer() and decimals == 0:
            return f"{int(value)}"
        return f"{value:.{decimals}f}"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if value is pd.NA or value is pd.NaT:
        return SUPPRESSED
    return str(value)


def gate(
    frame: pd.DataFrame,
    *,
    count: str | Sequence[str],
    values: Sequence[str] | None = None,
    threshold: int = MIN_HOUSEHOLDS,
) -> DisclosedTable:
    """Suppress cells of an aggregate table based on too few households.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area (or cell); must contain the ``count`` column(s).
    count : str or sequence of str
        The column with the number of households each row is based on. With
        several names, a value column ``v`` is gated by ``count[i]`` where
        ``values[i]`` is ``v`` (one count per value column).
    values : sequence of str, optional
        The value columns to gate; default all numeric columns except the key
        columns that are not numeric. Count columns are gated themselves: a
        count below the threshold is suppressed too.
    threshold : int, default 10
        Minimum number of households.

    Returns
    -------
    DisclosedTable

    Raises
    ------
    InputError
        If a count column is missing or ``threshold`` is below 1.

    Examples
    --------
    >>> t = pd.DataFrame({"buurt": ["a", "b"], "n": [12, 4], "pct": [50.0, 25.0]})
    >>> gate(t, count="n").formatted(0).to_dict("list")
    {'buurt': ['a', 'b'], 'n': ['12', '–'], 'pct': ['50', '–']}
    """
    if threshold < 1:
        raise InputError(
            "invalid disclosure threshold",
            where="threshold",
            expected="an integer of at least 1",
            found=threshold,
        )
    counts = [count] if isinstance(count, str) else list(count)
    for c in counts:
        if c not in frame.columns:
            raise InputError(
                "missing household count column",
                where=Location(field="count", column=c),
                expected="a column with the number of households per row",
                found=list(frame.columns),
            )
    if values is None:
        values = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    values = list(values)
    if len(counts) > 1 and len(counts) != len(values):
        raise InputError(
            "count and value columns do not pair up",
            where="count",
            expected=f"one count column per value column ({len(values)})",
            found=len(counts),
        )
    out = frame.copy()
    mask = pd.DataFrame(False, index=frame.index, columns=values)
    for i, col in enumerate(values):
        n = frame[counts[i] if len(counts) > 1 else counts[0]]
        small = n.isna() | (n.astype("float64") < threshold)
        mask[col] = small.to_numpy()
        if small.any():
            out[col] = (
                out[col].astype("float64")
                if pd.api.types.is_numeric_dtype(out[col])
                else out[col].astype(object)
            )
            out.loc[small, col] = np.nan
    return DisclosedTable(out, mask, threshold)
