"""Development of the Leefbaarometer between two measurements.

Input is the long shape of the ``lbm_scores`` table: one row per area, year,
version and indicator (``area_code, level, year, version, indicator, value``).
For every area the result gives the total score and each dimension at both
times and their change, and the class (1–9) at both times and the class
change.

Indicators (names are matched case-insensitively):

* version 3: ``lbm`` (total), ``afw`` (deviation from the national level, the
  sum of the dimensions), and the dimensions ``won``, ``fys``, ``vrz``,
  ``soc``, ``onv`` (:data:`V3_INDICATORS`);
* version 2: ``rlbrmtr`` (deviation of the total) and the dimensions
  ``rlbwon``, ``rlbbev``, ``rlbvrz``, ``rlbvei``, ``rlbfys``
  (:data:`V2_INDICATORS`).

Scores of the two versions come from different models and are never mixed: a
development is computed within one version.

Classes: taken from a class indicator in the data (``class``, as
:mod:`wijkmix.io.leefbaarometer` stores the published version 2 classes, or
``klasse``/``kl``), or, when ``class_bounds`` are given, derived from
the total score with those eight cut points (a score exactly at a cut point
falls in the class above it). Without either, the classes are missing.

The Leefbaarometer signals, it does not explain: every result carries
:data:`NOTE`, and no dimension should be presented as a lever.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkmix.errors import InputError, Location

__all__ = [
    "CLASS_INDICATORS",
    "CLASS_LABELS",
    "INDICATOR_LABELS",
    "NOTE",
    "V2_INDICATORS",
    "V3_INDICATORS",
    "LbmDevelopment",
    "lbm_development",
]

#: Shown with every Leefbaarometer development.
NOTE = (
    "De Leefbaarometer signaleert, maar verklaart niet: "
    "een dimensie is geen knop om aan te draaien."
)

#: Version 3 indicators: total, deviation, dimensions.
V3_INDICATORS: tuple[str, ...] = ("lbm", "afw", "won", "fys", "vrz", "soc", "onv")
#: Version 2 indicators: deviation of the total, dimensions.
V2_INDICATORS: tuple[str, ...] = ("rlbrmtr", "rlbwon", "rlbbev", "rlbvrz", "rlbvei", "rlbfys")
_INDICATORS = {"3": V3_INDICATORS, "2": V2_INDICATORS}
_TOTAL = {"3": "lbm", "2": "rlbrmtr"}
#: Indicator names recognised as the class (1–9).
CLASS_INDICATORS: tuple[str, ...] = ("class", "klasse", "kl")

#: Dutch labels of the indicators.
INDICATOR_LABELS: dict[str, str] = {
    "lbm": "Leefbaarheid (totaalscore)",
    "afw": "Afwijking van het landelijk niveau",
    "won": "Woningvoorraad",
    "fys": "Fysieke omgeving",
    "vrz": "Voorzieningen",
    "soc": "Sociale samenhang",
    "onv": "Overlast en onveiligheid",
    "rlbrmtr": "Afwijking totaalscore",
    "rlbwon": "Woningvoorraad",
    "rlbbev": "Bewoners",
    "rlbvrz": "Voorzieningen",
    "rlbvei": "Veiligheid",
    "rlbfys": "Fysieke omgeving",
}

#: Leefbaarometer classes and their Dutch names.
CLASS_LABELS: dict[int, str] = {
    1: "Zeer onvoldoende",
    2: "Ruim onvoldoende",
    3: "Onvoldoende",
    4: "Zwak",
    5: "Voldoende",
    6: "Ruim voldoende",
    7: "Goed",
    8: "Zeer goed",
    9: "Uitstekend",
}

_COLUMNS = ("area_code", "level", "year", "version", "indicator", "value")


@dataclass(frozen=True)
class LbmDevelopment:
    """Leefbaarometer development per area.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per area (``area_code, level``); per indicator ``<ind>_0``,
        ``<ind>_1`` and ``<ind>_change`` (= ``_1 - _0``); ``class_0``,
        ``class_1``, ``class_change`` (nullable integers; a positive change is
        an improvement) and ``class_label_0``, ``class_label_1`` (Dutch). An
        area measured at one time only has missing values at the other.
    version : str
        ``"2"`` or ``"3"``.
    year0, year1 : int
    indicators : tuple of str
        The indicators present, in the version's order.
    class_source : {'data', 'bounds', 'none'}
        Where the classes came from.
    note : str
        :data:`NOTE`.
    """

    table: pd.DataFrame
    version: str
    year0: int
    year1: int
    indicators: tuple[str, ...]
    class_source: str
    note: str = NOTE

    def labels(self) -> dict[str, str]:
        """Dutch labels of the indicator columns of :attr:`table`."""
        out: dict[str, str] = {}
        for ind in self.indicators:
            lab = INDICATOR_LABELS[ind]
            out[f"{ind}_0"] = f"{lab} {self.year0}"
            out[f"{ind}_1"] = f"{lab} {self.year1}"
            out[f"{ind}_change"] = f"{lab}, verandering"
        out.update(
            {
                "class_0": f"Klasse {self.year0}",
                "class_1": f"Klasse {self.year1}",
                "class_change": "Verandering klasse",
            }
        )
        return out


def _major(version: object) -> str | None:
    m = re.search(r"([23])", str(version))
    return m.group(1) if m else None


def _classes_from_scores(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    out = np.searchsorted(bounds, values, side="right").astype(float) + 1.0
    out[np.isnan(values)] = np.nan
    return out


def lbm_development(
    scores: pd.DataFrame,
    *,
    year0: int,
    year1: int,
    version: str | int | None = None,
    level: str | None = None,
    class_indicator: str | None = None,
    class_bounds: Sequence[float] | None = None,
    source: str = "lbm_scores",
) -> LbmDevelopment:
    """Change of the Leefbaarometer total, dimensions and class per area.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long table with columns ``area_code, level, year, version, indicator,
        value``.
    year0, year1 : int
        The two measurements (``year1`` is compared with ``year0``).
    version : str or int, optional
        ``2`` or ``3``; required when the data hold both for these years.
    level : str, optional
        Keep only this level (``wijk``, ``buurt``, ...).
    class_indicator : str, optional
        Name of the class indicator; default the first of
        :data:`CLASS_INDICATORS` present.
    class_bounds : sequence of 8 floats, optional
        Increasing cut points on the total score (``lbm`` in version 3,
        ``rlbrmtr`` in version 2) from class 1 to 9; when given, they define
        the classes (also where the data hold a class).
    source : str
        Name of the input, for error messages.

    Returns
    -------
    LbmDevelopment

    Raises
    ------
    InputError
        If a column is missing, the years are equal or absent, versions are
        mixed, a value is given twice with different numbers, or a class is
        not 1–9.

    Examples
    --------
    >>> s = pd.DataFrame({"area_code": ["WK1"] * 4, "level": ["wijk"] * 4,
    ...     "year": [2018, 2018, 2022, 2022], "version": ["3"] * 4,
    ...     "indicator": ["lbm", "class", "lbm", "class"],
    ...     "value": [4.0, 5.0, 4.25, 6.0]})
    >>> d = lbm_development(s, year0=2018, year1=2022)
    >>> row = d.table.iloc[0]
    >>> float(row["lbm_change"]), int(row["class_0"]), int(row["class_1"]), int(row["class_change"])
    (0.25, 5, 6, 1)
    """
    for name in _COLUMNS:
        if name not in scores.columns:
            raise InputError(
                "missing column",
                where=Location(file=source, column=name),
                expected="columns " + ", ".join(_COLUMNS),
                found=list(scores.columns),
            )
    if year0 == year1:
        raise InputError(
            "same year twice", where="year1", expected=f"a year other than {year0}", found=year1
        )
    f = scores[list(_COLUMNS)].reset_index(drop=True)
    years = pd.to_numeric(f["year"], errors="coerce")
    f = f.assign(
        year=years,
        indicator=f["indicator"].astype(str).str.strip().str.lower(),
        major=pd.array([_major(v) for v in f["version"].tolist()], dtype="str"),
        value=pd.to_numeric(f["value"], errors="coerce"),
    )
    if level is not None:
        f = f[f["level"] == level]
    f = f[f["year"].isin([year0, year1])]
    f = f.assign(year=f["year"].astype("int64"))
    if version is not None:
        want = _major(version)
        if want is None:
            raise InputError(
                "unknown Leefbaarometer version", where="version", expected="2 or 3", found=version
            )
        f = f[f["major"] == want]
    else:
        present = sorted({m for m in f["major"].tolist() if isinstance(m, str)})
        if len(present) > 1:
            raise InputError(
                "several Leefbaarometer versions",
                where="version",
                expected="one version; scores of version 2 and 3 are not comparable",
                found=", ".join(present),
                hint="pass version=2 or version=3",
            )
        if not present:
            raise InputError(
                "no Leefbaarometer scores",
                where="year0",
                expected=f"scores of version 2 or 3 for {year0} and {year1}",
                found="none",
            )
        want = present[0]
    for y in (year0, year1):
        if not (f["year"] == y).any():
            avail = sorted({int(v) for v in scores["year"].dropna().tolist()})
            raise InputError(
                "no Leefbaarometer scores for this year",
                where="year0" if y == year0 else "year1",
                expected="one of " + ", ".join(map(str, avail)),
                found=y,
            )
    indicators = _INDICATORS[want]
    if class_indicator is None:
        class_ind = next((c for c in CLASS_INDICATORS if (f["indicator"] == c).any()), None)
    else:
        class_ind = class_indicator.strip().lower()
    keep = set(indicators) | ({class_ind} if class_ind else set())
    f = f[f["indicator"].isin(keep)]
    key = ["area_code", "level", "year", "indicator"]
    f = f.drop_duplicates([*key, "value"])
    dup = f.duplicated(key, keep=False)
    if dup.any():
        d = f[dup].iloc[0]
        raise InputError(
            "value given twice",
            where=Location(file=source, column="value"),
            expected="one value per area, level, year and indicator",
            found=f"{d['area_code']} {int(d['year'])} {d['indicator']}: "
            + " and ".join(str(v) for v in f[dup].iloc[:2]["value"]),
        )
    wide = f.pivot_table(
        index=["area_code", "level"],
        columns=["indicator", "year"],
        values="value",
        aggfunc="first",
        dropna=False,
    )
    out = pd.DataFrame(index=wide.index)
    present_inds = tuple(i for i in indicators if i in set(f["indicator"]))

    def col(ind: str, y: int) -> np.ndarray:
        if (ind, y) in wide.columns:
            return wide[(ind, y)].to_numpy(dtype=float, na_value=np.nan)
        return np.full(len(wide), np.nan)

    for ind in present_inds:
        v0, v1 = col(ind, year0), col(ind, year1)
        out[f"{ind}_0"] = v0
        out[f"{ind}_1"] = v1
        out[f"{ind}_change"] = v1 - v0

    if class_bounds is not None:
        bounds = np.asarray(class_bounds, dtype=float)
        if bounds.shape != (8,) or not np.all(np.isfinite(bounds)) or np.any(np.diff(bounds) <= 0):
            raise InputError(
                "invalid class bounds",
                where="class_bounds",
                expected="8 increasing finite cut points (classes 1-9)",
                found=list(class_bounds),
            )
        total = _TOTAL[want]
        c0 = _classes_from_scores(col(total, year0), bounds)
        c1 = _classes_from_scores(col(total, year1), bounds)
        class_source = "bounds"
    elif class_ind is not None and (f["indicator"] == class_ind).any():
        c0, c1 = col(class_ind, year0), col(class_ind, year1)
        for arr in (c0, c1):
            bad = ~np.isnan(arr) & ~np.isin(arr, np.arange(1, 10))
            if np.any(bad):
                raise InputError(
                    "invalid Leefbaarometer class",
                    where=Location(file=source, column="value"),
                    expected=f"a class 1-9 for indicator {class_ind!r}",
                    found=float(arr[bad][0]),
                )
        class_source = "data"
    else:
        c0 = c1 = np.full(len(wide), np.nan)
        class_source = "none"

    def as_int(a: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.array([None if np.isnan(x) else int(x) for x in a], dtype="Int64")

    out["class_0"] = as_int(c0)
    out["class_1"] = as_int(c1)
    out["class_change"] = out["class_1"] - out["class_0"]
    out["class_label_0"] = pd.array(
        [CLASS_LABELS.get(int(x)) if not np.isnan(x) else None for x in c0], dtype="str"
    )
    out["class_label_1"] = pd.array(
        [CLASS_LABELS.get(int(x)) if not np.isnan(x) else None for x in c1], dtype="str"
    )
    out = out.reset_index().sort_values(["level", "area_code"]).reset_index(drop=True)
    out.columns.name = None
    return LbmDevelopment(
        table=out,
        version=want,
        year0=int(year0),
        year1=int(year1),
        indicators=present_inds,
        class_source=class_source,
    )
