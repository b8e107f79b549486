r"""Change of an area indicator split over stayers, leavers and newcomers.

Did the area improve because its people did, or because people were replaced?
Between :math:`t_0` and :math:`T` the households of an area fall in three
groups: **stayers** S (in the area at both times), **leavers** L (in the area
at :math:`t_0`, not at :math:`T`) and **newcomers** N (in the area at
:math:`T`, not at :math:`t_0`). With group means :math:`S_0, S_T, L_0, N_T` of
an indicator X and the stayer shares of the population at each time,

.. math::

    w_0 = \frac{n_S}{n_S + n_L}, \qquad w_T = \frac{n_S}{n_S + n_N},

the area means are :math:`X_0 = w_0 S_0 + (1 - w_0) L_0` and
:math:`X_T = w_T S_T + (1 - w_T) N_T`, and

.. math::

    \Delta X = \underbrace{w_T (S_T - S_0)}_{\text{stayers changed}}
             + \underbrace{(1 - w_T)(N_T - L_0)}_{\text{replacement}}
             + \underbrace{(w_T - w_0)(S_0 - L_0)}_{\text{stayer share shifted}}.

Proof that the three terms add up to :math:`\Delta X = X_T - X_0` exactly:
expanding,

.. math::

    &w_T S_T - w_T S_0 + (1 - w_T) N_T - (1 - w_T) L_0 + w_T S_0 - w_T L_0
      - w_0 S_0 + w_0 L_0 \\
    &= w_T S_T + (1 - w_T) N_T - w_0 S_0 - (1 - w_0) L_0 = X_T - X_0,

because :math:`-(1 - w_T) L_0 - w_T L_0 + w_0 L_0 = -(1 - w_0) L_0` and the
:math:`\pm w_T S_0` cancel. It is an algebraic identity in the six numbers,
so it holds for any values, also shares that did not come from counts.

Empty groups
------------
A mean over an empty group is undefined (NaN). The terms are then defined so
that they still add up to :math:`\Delta X`:

* no stayers (:math:`w_0 = w_T = 0`): the stayer term and the shift term
  have weight 0 and are 0; everything is replacement, :math:`N_T - L_0`;
* no newcomers (:math:`w_T = 1`): the replacement term has weight 0 and is 0;
* no leavers (:math:`w_0 = 1`): :math:`L_0` is undefined but it drops out of
  the sum of the last two terms, :math:`(1 - w_T)(N_T - S_0)`; :math:`L_0` is
  then taken as :math:`S_0` (the newcomers are compared with the stayers'
  starting point), so the shift term is 0;
* nobody at :math:`t_0` (or nobody at :math:`T`): :math:`\Delta X` is
  undefined and every term is NaN.

Any other NaN (a genuinely missing mean) propagates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkmix.errors import InputError, Location

__all__ = ["LABELS", "ChangeTerms", "PanelChange", "decompose_change", "panel_change"]

#: Dutch labels of the terms and columns.
LABELS: dict[str, str] = {
    "stayers": "Verandering bij blijvers",
    "replacement": "Vervanging (nieuwkomers tegenover vertrekkers)",
    "shift": "Verschuiving aandeel blijvers",
    "total": "Totale verandering",
    "n_stayers": "Blijvers",
    "n_leavers": "Vertrekkers",
    "n_newcomers": "Nieuwkomers",
    "s0": "Blijvers, begin",
    "sT": "Blijvers, eind",
    "l0": "Vertrekkers, begin",
    "nT": "Nieuwkomers, eind",
    "w0": "Aandeel blijvers, begin",
    "wT": "Aandeel blijvers, eind",
    "x0": "Gemiddelde, begin",
    "xT": "Gemiddelde, eind",
    "delta": "Verandering",
}


@dataclass(frozen=True)
class ChangeTerms:
    r"""The three terms of the change decomposition (arrays, or 0-d for scalars).

    Attributes
    ----------
    stayers : numpy.ndarray
        :math:`w_T (S_T - S_0)`: change of the stayers themselves.
    replacement : numpy.ndarray
        :math:`(1 - w_T)(N_T - L_0)`: newcomers differ from those who left.
    shift : numpy.ndarray
        :math:`(w_T - w_0)(S_0 - L_0)`: the stayers' share of the population
        changed.
    total : numpy.ndarray
        The sum of the three, :math:`\Delta X`.
    """

    stayers: np.ndarray
    replacement: np.ndarray
    shift: np.ndarray
    total: np.ndarray


def _as_array(x: object, name: str) -> np.ndarray:
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            "not a number", where=name, expected="numbers (a scalar or an array)", found=x
        ) from None


def decompose_change(
    s0: object, sT: object, l0: object, nT: object, w0: object, wT: object
) -> ChangeTerms:
    r"""Split :math:`\Delta X` given group means and stayer shares.

    Parameters
    ----------
    s0, sT : float or array
        Mean of the stayers at :math:`t_0` and at :math:`T`.
    l0 : float or array
        Mean of the leavers at :math:`t_0`.
    nT : float or array
        Mean of the newcomers at :math:`T`.
    w0, wT : float or array
        Stayer share of the population at :math:`t_0` and at :math:`T`, 0–1.
        Both are 0 when there are no stayers (one without the other is an
        error).

    Returns
    -------
    ChangeTerms
        Arrays broadcast from the inputs.

    Raises
    ------
    InputError
        If a share lies outside 0–1 or exactly one of ``w0``, ``wT`` is 0.

    Examples
    --------
    Stayers' income grows from 20 to 24; leavers had 30, newcomers have 40;
    stayers are half of the population at the start and 60 % at the end:

    >>> t = decompose_change(20.0, 24.0, 30.0, 40.0, 0.5, 0.6)
    >>> [round(float(x), 12) for x in (t.stayers, t.replacement, t.shift, t.total)]
    [2.4, 4.0, -1.0, 5.4]

    Check: :math:`X_0 = 0.5·20 + 0.5·30 = 25`,
    :math:`X_T = 0.6·24 + 0.4·40 = 30.4`, :math:`\Delta X = 5.4`.
    """
    arrays = np.broadcast_arrays(
        _as_array(s0, "s0"),
        _as_array(sT, "sT"),
        _as_array(l0, "l0"),
        _as_array(nT, "nT"),
        _as_array(w0, "w0"),
        _as_array(wT, "wT"),
    )
    s0a, sTa, l0a, nTa, w0a, wTa = (np.array(a, dtype=float) for a in arrays)
    for name, w in (("w0", w0a), ("wT", wTa)):
        bad = ~np.isnan(w) & ((w < 0) | (w > 1))
        if np.any(bad):
            raise InputError(
                "stayer share out of range",
                where=name,
                expected="a share between 0 and 1",
                found=float(w[bad].flat[0]),
            )
    one_zero = ~np.isnan(w0a) & ~np.isnan(wTa) & ((w0a == 0) != (wTa == 0))
    if np.any(one_zero):
        k = int(np.flatnonzero(one_zero.ravel())[0])
        raise InputError(
            "inconsistent stayer shares",
            where="w0",
            expected="w0 and wT both 0 (no stayers) or both above 0",
            found=f"w0={w0a.flat[k]}, wT={wTa.flat[k]} at position {k}",
        )
    no_stayers = w0a == 0
    no_leavers = w0a == 1
    no_newcomers = wTa == 1
    # substitute admissible values for means of empty groups (see module docs)
    s0a[no_stayers] = 0.0
    sTa[no_stayers] = 0.0
    l0a[no_leavers] = s0a[no_leavers]
    nTa[no_newcomers] = 0.0
    stayers = wTa * (sTa - s0a)
    replacement = (1.0 - wTa) * (nTa - l0a)
    shift = (wTa - w0a) * (s0a - l0a)
    total = stayers + replacement + shift
    return ChangeTerms(stayers=stayers, replacement=replacement, shift=shift, total=total)


@dataclass(frozen=True)
class PanelChange:
    """The change decomposition per area from panel microdata.

    Attributes
    ----------
    table : pandas.DataFrame
        Index: area code. Columns ``n_stayers, n_leavers, n_newcomers, s0, sT,
        l0, nT, w0, wT, x0, xT, delta`` (``delta`` = ``xT - x0`` computed
        directly from the two frames) and the terms ``stayers, replacement,
        shift`` with ``total`` = their sum.
    value : str
        The indicator column.
    """

    table: pd.DataFrame
    value: str

    @property
    def max_gap(self) -> float:
        """Largest ``|total - delta|`` over the areas (rounding only)."""
        gap = (self.table["total"] - self.table["delta"]).abs()
        return float(gap.max()) if gap.notna().any() else 0.0


def _prepare(
    frame: pd.DataFrame, id_column: str, area_column: str, value: str, name: str
) -> pd.DataFrame:
    for col in (id_column, area_column, value):
        if col not in frame.columns:
            raise InputError(
                "missing column",
                where=Location(file=name, column=col),
                expected=f"columns {id_column}, {area_column}, {value}",
                found=list(frame.columns),
            )
    f = frame[[id_column, area_column, value]].reset_index(drop=True)
    for col in (id_column, area_column):
        if f[col].isna().any():
            i = int(np.flatnonzero(f[col].isna().to_numpy())[0])
            raise InputError(
                "missing value",
                where=Location(file=name, row=i + 1, column=col),
                expected="a value on every row",
                found="nothing",
            )
    dup = f[id_column].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            "household occurs twice",
            where=Location(file=name, row=i + 1, column=id_column),
            expected="one row per household",
            found=f[id_column].iloc[i],
        )
    v = pd.to_numeric(f[value], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(v).any():
        i = int(np.flatnonzero(np.isnan(v))[0])
        raise InputError(
            "missing or invalid value",
            where=Location(file=name, row=i + 1, column=value),
            expected="a number for every household",
            found=f[value].iloc[i],
            hint="drop households without a value from both frames first",
        )
    return pd.DataFrame(
        {
            "id": f[id_column].astype(str).to_numpy(),
            "area": f[area_column].astype(str).to_numpy(),
            "v": v,
        }
    )


def panel_change(
    frame0: pd.DataFrame,
    frameT: pd.DataFrame,
    *,
    id_column: str = "household_id",
    area_column: str = "area_code",
    value: str = "value",
) -> PanelChange:
    """Classify households as stayers, leavers, newcomers and split the change.

    A **stayer** of an area is a household in that area in both frames; a
    household that moved from area A to area B is a **leaver** of A and a
    **newcomer** of B; a household only in ``frame0`` (left the region,
    dissolved) is a leaver, one only in ``frameT`` a newcomer. The indicator
    of a stayer may differ between the frames (its income changed).

    Parameters
    ----------
    frame0, frameT : pandas.DataFrame
        One row per household at :math:`t_0` and at :math:`T`.
    id_column, area_column, value : str
        Household id, area code and indicator columns (in both frames).

    Returns
    -------
    PanelChange
        One row per area that has households in either frame, sorted by code.

    Raises
    ------
    InputError
        If a column is missing, an id occurs twice in a frame, or a value is
        missing.

    Examples
    --------
    >>> f0 = pd.DataFrame({"household_id": [1, 2], "area_code": ["A", "A"],
    ...                    "value": [10.0, 20.0]})
    >>> fT = pd.DataFrame({"household_id": [1, 3], "area_code": ["A", "A"],
    ...                    "value": [12.0, 30.0]})
    >>> row = panel_change(f0, fT).table.loc["A"]
    >>> float(row["delta"]), float(row["stayers"]), float(row["replacement"])
    (6.0, 1.0, 5.0)
    """
    a = _prepare(frame0, id_column, area_column, value, "frame0")
    b = _prepare(frameT, id_column, area_column, value, "frameT")
    m = a.merge(b, on="id", how="outer", suffixes=("0", "T"))
    stay = m["area0"].notna() & m["areaT"].notna() & (m["area0"] == m["areaT"])
    stay = stay.fillna(False).astype(bool)
    leave = m["area0"].notna() & ~stay
    new = m["areaT"].notna() & ~stay

    def group(mask: pd.Series, area: str, v: str) -> pd.DataFrame:
        g = m.loc[mask, [area, v]].groupby(area)[v]
        return pd.DataFrame({"n": g.size(), "mean": g.mean()})

    gs0 = group(stay, "area0", "v0")
    gsT = group(stay, "area0", "vT")
    gl = group(leave, "area0", "v0")
    gn = group(new, "areaT", "vT")
    x0 = a.groupby("area")["v"].mean()
    xT = b.groupby("area")["v"].mean()
    areas = sorted(set(a["area"]) | set(b["area"]))
    t = pd.DataFrame(index=pd.Index(areas, name=area_column))
    t["n_stayers"] = gs0["n"].reindex(areas, fill_value=0).to_numpy(dtype=np.int64)
    t["n_leavers"] = gl["n"].reindex(areas, fill_value=0).to_numpy(dtype=np.int64)
    t["n_newcomers"] = gn["n"].reindex(areas, fill_value=0).to_numpy(dtype=np.int64)
    t["s0"] = gs0["mean"].reindex(areas).to_numpy(dtype=float)
    t["sT"] = gsT["mean"].reindex(areas).to_numpy(dtype=float)
    t["l0"] = gl["mean"].reindex(areas).to_numpy(dtype=float)
    t["nT"] = gn["mean"].reindex(areas).to_numpy(dtype=float)
    ns = t["n_stayers"].to_numpy(dtype=float)
    n0 = ns + t["n_leavers"].to_numpy(dtype=float)
    nT = ns + t["n_newcomers"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t["w0"] = np.where(n0 > 0, ns / n0, np.nan)
        t["wT"] = np.where(nT > 0, ns / nT, np.nan)
    t["x0"] = x0.reindex(areas).to_numpy(dtype=float)
    t["xT"] = xT.reindex(areas).to_numpy(dtype=float)
    t["delta"] = t["xT"] - t["x0"]
    terms = decompose_change(t["s0"], t["sT"], t["l0"], t["nT"], t["w0"], t["wT"])
    t["stayers"] = terms.stayers
    t["replacement"] = terms.replacement
    t["shift"] = terms.shift
    t["total"] = terms.total
    return PanelChange(table=t, value=value)
