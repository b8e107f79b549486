"""Read and import Leefbaarometer scores and classes (versions 2 and 3).

The Leefbaarometer (Ministerie van BZK) estimates liveability per area and
year. It *signals*; it does not explain: a dimension is never a lever.

Two versions are read, each in the shapes in which it is published:

Leefbaarometer 3 (CSV or Excel, one row per area and year)
    Columns ``wk_code`` (or ``bu_code`` / ``gm_code``), optional ``wk_naam``,
    ``jaar``, the total score ``lbm``, its deviation ``afw`` from the national
    mean and the five dimensions ``won`` (woningen), ``fys`` (fysieke
    omgeving), ``vrz`` (voorzieningen), ``soc`` (sociale samenhang), ``onv``
    (overlast en onveiligheid). Two identities hold and are checked:
    ``afw = fys + onv + soc + vrz + won`` and ``lbm = afw + c`` with ``c`` a
    national constant of the year (4.102265 in the 2014-2022 releases).
Leefbaarometer 2 (Excel workbooks of the 2016 measurement)
    * classes: a code column (``WK_CODE``/``GM_CODE``/``BU_CODE``), ``KLyy``
      (class 1-9 in year 20yy) and ``VKLaabb`` (development class 1-7 from
      20aa to 20bb);
    * dimension scores, long (``GBD, JAAR, RLBRMTR, RLBWON, RLBBEV, RLBVRZ,
      RLBVEI, RLBFYS``) or wide (``RLBWON12``, ...); ``RLBRMTR`` is the total
      deviation and equals the sum of the five dimensions (checked);
    * development of the dimension scores, long (``GBD, BEGIN, EINDE,
      DLBRMTR, ...``) or wide (``DLBWON1214``, ...), checked the same way.

The shape is recognised from the column names; in a workbook the first sheet
with a recognised shape is read. Every shape becomes the same long table, the
shape of the store table ``lbm_scores``: ``area_code, level, year, version,
indicator, value, source``. Indicators:

* version 3: ``lbm, afw, won, fys, vrz, soc, onv``;
* version 2: ``class`` (KL), ``dev_class_<begin>_<end>`` (VKL), the
  dimension scores lowercased (``rlbrmtr``, ``rlbwon``, ...) and their
  development ``dlbrmtr_<begin>_<end>``, ... A development value is stored
  under its end year.

Empty cells and ``#N/A`` are missing values: they produce no row (never a
zero).
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import openpyxl
import pandas as pd

from wijkmix.areas import AreaCode, Level, parse_code
from wijkmix.errors import InputError, InputErrors, Location
from wijkmix.store.base import ImportResult, Store, file_sha256

__all__ = [
    "ATTRIBUTION",
    "LBM2_DIMENSIONS",
    "LBM3_DIMENSIONS",
    "LBM3_INDICATORS",
    "LBM_CLASSES",
    "LBM_DEVELOPMENT_CLASS_RANGE",
    "SUM_TOLERANCE",
    "LbmTable",
    "import_lbm",
    "read_lbm",
]

#: The five dimensions of Leefbaarometer 3, in the order of the published maps.
LBM3_DIMENSIONS: tuple[str, ...] = ("won", "fys", "vrz", "soc", "onv")
#: Indicators of Leefbaarometer 3 in the order of :meth:`LbmTable.wide`.
LBM3_INDICATORS: tuple[str, ...] = ("lbm", "afw", *LBM3_DIMENSIONS)
#: The five dimensions of Leefbaarometer 2 (lowercase indicator names); the
#: total deviation ``rlbrmtr`` is their sum.
LBM2_DIMENSIONS: tuple[str, ...] = ("rlbwon", "rlbbev", "rlbvrz", "rlbvei", "rlbfys")

#: The nine Leefbaarometer classes (1 = worst) with their Dutch labels as shown
#: in the Leefbaarometer legend. Note the published order: "Zwak" (4) ranks
#: above "Onvoldoende" (3).
LBM_CLASSES: Mapping[int, str] = MappingProxyType(
    {
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
)
#: Allowed values of a Leefbaarometer 2 development class (``VKL``): 1 to 7.
LBM_DEVELOPMENT_CLASS_RANGE: tuple[int, int] = (1, 7)

#: Attribution to show wherever Leefbaarometer data appear, per version.
ATTRIBUTION: Mapping[str, str] = MappingProxyType(
    {
        "2": "Bron: Leefbaarometer 2.0, Ministerie van BZK (open data)",
        "3": "Bron: Leefbaarometer 3.0, Ministerie van BZK (open data)",
    }
)

#: Absolute tolerance of the identity checks (sum of dimensions, constant).
SUM_TOLERANCE = 1e-6

#: Stop collecting violations after this many.
_MAX_ERRORS = 100

_CODE_COLUMNS: dict[str, Level | None] = {
    "wk_code": "wijk",
    "bu_code": "buurt",
    "gm_code": "gemeente",
    "gbd": None,
}
_NAME_COLUMNS = ("wk_naam", "bu_naam", "gm_naam", "naam")
_V3_VALUE_COLUMNS = ("lbm", "afw", "fys", "onv", "soc", "vrz", "won")
_V2_BASES = ("RMTR", "WON", "BEV", "VRZ", "VEI", "FYS")
_RE_KL = re.compile(r"^KL(\d{2})$")
_RE_VKL = re.compile(r"^VKL(\d{2})(\d{2})$")
_RE_RLB_WIDE = re.compile(r"^RLB(RMTR|WON|BEV|VRZ|VEI|FYS)(\d{2})$")
_RE_DLB_WIDE = re.compile(r"^DLB(RMTR|WON|BEV|VRZ|VEI|FYS)(\d{2})(\d{2})$")

Shape = Literal[
    "scores", "classes", "dimensions", "dimensions_wide", "development", "development_wide"
]

_SCORE_COLUMNS = ["area_code", "level", "year", "version", "indicator", "value", "source"]


@dataclass(frozen=True)
class LbmTable:
    """Leefbaarometer values read from one file.

    Attributes
    ----------
    version : {'2', '3'}
        Leefbaarometer version.
    source : str
        File name (with the gemeente when the rows were restricted to one).
    attribution : str
        Attribution to show with the data (Dutch).
    shape : str
        The shape recognised: ``scores`` (LBM 3), ``classes``, ``dimensions``,
        ``dimensions_wide``, ``development``, ``development_wide`` (LBM 2).
    scores : pandas.DataFrame
        Long table in the shape of store table ``lbm_scores``: ``area_code,
        level, year, version, indicator, value, source``, sorted by area,
        year and indicator order.
    names : Mapping[str, str]
        Area names when the file has them (LBM 3 ``wk_naam``), else empty.
    national_constant : Mapping[int, float]
        LBM 3 only: per year the constant ``lbm - afw`` (the national mean);
        empty for version 2.
    warnings : tuple of InputError
        Violations of the identity checks when read with ``check=False``
        (with ``check=True`` they raise instead).
    """

    version: Literal["2", "3"]
    source: str
    attribution: str
    shape: Shape
    scores: pd.DataFrame
    names: Mapping[str, str] = field(default_factory=dict)
    national_constant: Mapping[int, float] = field(default_factory=dict)
    warnings: tuple[InputError, ...] = ()

    @property
    def constant(self) -> float | None:
        """The national constant ``lbm - afw`` if it is the same in every year.

        None for version 2, or when the yearly constants differ by more than
        :data:`SUM_TOLERANCE`.
        """
        vals = list(self.national_constant.values())
        if not vals or max(vals) - min(vals) > SUM_TOLERANCE:
            return None
        return float(np.mean(vals))

    def indicators(self) -> list[str]:
        """Return the indicators present, in table order."""
        return list(dict.fromkeys(self.scores["indicator"]))

    def wide(self) -> pd.DataFrame:
        """One row per area and year, one column per indicator.

        Returns
        -------
        pandas.DataFrame
            Columns ``area_code, level, year`` and then the indicators in
            table order; a missing value is NaN.
        """
        order = self.indicators()
        if self.scores.empty:
            return pd.DataFrame(columns=["area_code", "level", "year", *order])
        w = self.scores.pivot(
            index=["area_code", "level", "year"], columns="indicator", values="value"
        )
        w = w[order].reset_index()
        w.columns.name = None
        return w


class _Collector:
    """Collects input errors up to a limit."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[InputError] = []
        self.truncated = False

    def add(self, err: InputError) -> None:
        if len(self.errors) >= _MAX_ERRORS:
            self.truncated = True
            return
        self.errors.append(err)

    def full(self) -> bool:
        return len(self.errors) >= _MAX_ERRORS

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputErrors(self.errors, source=self.source, truncated=self.truncated)


# --------------------------------------------------------------------------- reading


def _read_frames(path: Path) -> list[tuple[str | None, pd.DataFrame]]:
    """Read a CSV (one frame) or every sheet of a workbook, all cells as objects."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            first_line = fh.readline()
            fh.seek(0)
            delim = max(",;\t", key=first_line.count)
            rows = list(csv.reader(fh, delimiter=delim))
        if not rows:
            return [(None, pd.DataFrame())]
        header = [h.strip() for h in rows[0]]
        body = [r + [""] * (len(header) - len(r)) for r in rows[1:] if any(c.strip() for c in r)]
        frame = pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=object)
        return [(None, frame)]
    if suffix in (".xlsx", ".xlsm"):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            out: list[tuple[str | None, pd.DataFrame]] = []
            for ws in wb.worksheets:
                it = ws.iter_rows(values_only=True)
                first = next(it, None)
                if first is None:
                    continue
                header = ["" if h is None else str(h).strip() for h in first]
                if _detect(header) is None:
                    out.append((ws.title, pd.DataFrame(columns=header)))
                    continue
                data = [r for r in it if any(v is not None and v != "" for v in r)]
                n = len(header)
                frame = pd.DataFrame(
                    [tuple(r[:n]) + (None,) * (n - len(r)) for r in data],
                    columns=header,
                    dtype=object,
                )
                out.append((ws.title, frame))
                # the first recognised sheet is the one read
                break
            return out
        finally:
            wb.close()
    raise InputError(
        "unsupported file type",
        where=Location(file=path.name),
        expected="a .csv or .xlsx file",
        found=path.suffix or "no suffix",
    )


def _lower_map(columns: Sequence[str]) -> dict[str, str]:
    return {str(c).strip().lower(): str(c) for c in columns}


def _detect(columns: Sequence[str]) -> Shape | None:
    """Recognise the shape of a Leefbaarometer table from its columns."""
    low = _lower_map(columns)
    up = {c.upper() for c in low}
    if "lbm" in low or "afw" in low:
        return "scores"
    if any(_RE_KL.match(c) or _RE_VKL.match(c) for c in up):
        return "classes"
    if "JAAR" in up and any(c.startswith("RLB") for c in up):
        return "dimensions"
    if "BEGIN" in up and "EINDE" in up and any(c.startswith("DLB") for c in up):
        return "development"
    if any(_RE_RLB_WIDE.match(c) for c in up):
        return "dimensions_wide"
    if any(_RE_DLB_WIDE.match(c) for c in up):
        return "development_wide"
    return None


def _year2(yy: str) -> int:
    """Two-digit year of a Leefbaarometer column name to a full year."""
    y = int(yy)
    return 2000 + y if y < 90 else 1900 + y


#: Cell texts that mean "not available" (Excel's ``#N/A`` and the usual spellings).
_NA_TEXTS = frozenset({"", "#N/A", "#N/A N/A", "#NA", "N/A", "NA", "NAN", "NULL"})


def _is_blank(v: object) -> bool:
    """Tell whether a cell is empty or not available (a missing value)."""
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip().upper() in _NA_TEXTS
    return isinstance(v, float) and math.isnan(v)


def _numeric(
    frame: pd.DataFrame, column: str, rows: np.ndarray, errors: _Collector, *, file: str
) -> np.ndarray:
    """Convert a column to float; report cells that are not numbers.

    Empty cells become NaN (missing, never zero).
    """
    raw = frame[column].tolist()
    out = np.full(len(raw), np.nan)
    for i, v in enumerate(raw):
        if _is_blank(v):
            continue
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            out[i] = float(v)
            continue
        if isinstance(v, str):
            try:
                out[i] = float(v.strip().replace(",", "."))
                continue
            except ValueError:
                pass
        errors.add(
            InputError(
                "not a number",
                where=Location(file=file, row=int(rows[i]), column=column),
                expected="a number (decimal point or comma) or an empty cell",
                found=v,
            )
        )
    return out


def _year_column(
    frame: pd.DataFrame, column: str, rows: np.ndarray, errors: _Collector, *, file: str
) -> np.ndarray:
    """Convert a required whole-number year column."""
    vals = _numeric(frame, column, rows, errors, file=file)
    out = np.zeros(len(vals), dtype=np.int64)
    for i, v in enumerate(vals):
        if math.isnan(v) or v != int(v) or not 1900 <= v <= 2100:
            if not _is_blank(frame[column].iat[i]) and math.isnan(v):
                continue  # already reported as not a number
            errors.add(
                InputError(
                    "invalid year",
                    where=Location(file=file, row=int(rows[i]), column=column),
                    expected="a year such as 2022",
                    found=frame[column].iat[i],
                )
            )
            continue
        out[i] = int(v)
    return out


def _codes(
    frame: pd.DataFrame,
    column: str,
    level: Level | None,
    rows: np.ndarray,
    errors: _Collector,
    *,
    file: str,
) -> list[AreaCode | None]:
    """Parse the area codes of a column (None where invalid, with an error)."""
    cache: dict[str, AreaCode] = {}
    out: list[AreaCode | None] = []
    for i, v in enumerate(frame[column].tolist()):
        where = Location(file=file, row=int(rows[i]), column=column)
        if _is_blank(v):
            errors.add(
                InputError(
                    "missing area code",
                    where=where,
                    expected="a CBS code (GM+4, WK+6 or BU+8 characters)",
                    found="an empty cell",
                )
            )
            out.append(None)
            continue
        key = str(v)
        if key in cache:
            out.append(cache[key])
            continue
        try:
            ac = parse_code(key, level=level, where=where)
        except InputError as exc:
            errors.add(exc)
            out.append(None)
            continue
        cache[key] = ac
        out.append(ac)
    return out


def _gemeente(gemeente: str | None) -> str | None:
    if gemeente is None:
        return None
    g = str(gemeente).strip().upper()
    if re.fullmatch(r"\d{4}", g):
        g = "GM" + g
    return parse_code(g, level="gemeente", where=Location(field="gemeente")).code


def _code_column(frame: pd.DataFrame, file: str) -> tuple[str, Level | None]:
    low = _lower_map(list(frame.columns))
    for key, level in _CODE_COLUMNS.items():
        if key in low:
            return low[key], level
    raise InputError(
        "missing column",
        where=Location(file=file, column="wk_code"),
        expected="an area code column: " + ", ".join(_CODE_COLUMNS),
        found=list(frame.columns),
    )


@dataclass
class _Long:
    """Long rows under construction, with their origin for error messages."""

    codes: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def add(self, code: AreaCode, year: int, indicator: str, value: float) -> None:
        if math.isnan(value):
            return
        self.codes.append(code.code)
        self.levels.append(code.level)
        self.years.append(year)
        self.indicators.append(indicator)
        self.values.append(value)


def _select(codes: list[AreaCode | None], gm: str | None) -> np.ndarray:
    """Positions of rows with a valid code in the selected gemeente."""
    keep = [i for i, c in enumerate(codes) if c is not None and (gm is None or c.gemeente == gm)]
    return np.asarray(keep, dtype=np.int64)


def _duplicates(
    keys: list[tuple[str, int]],
    rows: np.ndarray,
    column: str,
    errors: _Collector,
    file: str,
    *,
    what: str = "area and year occur twice",
    expected: str = "one row per area and year",
) -> None:
    """Report rows whose key occurred on an earlier row."""
    seen: dict[tuple[str, int], int] = {}
    for p, k in enumerate(keys):
        if not k[0]:
            continue  # invalid code, reported already
        if k in seen:
            errors.add(
                InputError(
                    what,
                    where=Location(file=file, row=int(rows[p]), column=column),
                    expected=f"{expected} (first at row {seen[k]})",
                    found=k[0] if k[1] == 0 else f"{k[0]} {k[1]}",
                )
            )
        else:
            seen[k] = int(rows[p])


def _sum_check(
    *,
    total: np.ndarray,
    parts: Sequence[np.ndarray],
    part_names: Sequence[str],
    total_column: str,
    positions: np.ndarray,
    rows: np.ndarray,
    file: str,
    tolerance: float,
) -> list[InputError]:
    """Rows where ``total`` differs from the sum of ``parts``."""
    out: list[InputError] = []
    stacked = np.vstack(parts) if parts else np.zeros((0, len(total)))
    expected = stacked.sum(axis=0)
    for p in positions:
        t = total[p]
        e = expected[p]
        if math.isnan(t) or math.isnan(e):
            continue
        if abs(t - e) > tolerance:
            out.append(
                InputError(
                    f"{total_column} is not the sum of the dimensions",
                    where=Location(file=file, row=int(rows[p]), column=total_column),
                    expected=f"{total_column} = {' + '.join(part_names)} = {e:.9g}",
                    found=float(t),
                    hint="the file was altered or rounded; "
                    "read it with check=False to keep it with warnings",
                )
            )
    return out


# --------------------------------------------------------------------------- shapes


def _read_scores(
    frame: pd.DataFrame, file: str, gm: str | None, errors: _Collector, tolerance: float
) -> tuple[_Long, dict[str, str], dict[int, float], list[InputError]]:
    """Leefbaarometer 3 scores."""
    low = _lower_map(list(frame.columns))
    code_col, level = _code_column(frame, file)
    missing = [c for c in ("jaar", *_V3_VALUE_COLUMNS) if c not in low]
    if missing:
        raise InputError(
            "missing column",
            where=Location(file=file, column=missing[0]),
            expected="columns " + ", ".join(("jaar", *_V3_VALUE_COLUMNS)),
            found=list(frame.columns),
        )
    rows = np.arange(1, len(frame) + 1)
    codes = _codes(frame, code_col, level, rows, errors, file=file)
    pos = _select(codes, gm)
    sub = frame.iloc[pos].reset_index(drop=True)
    srows = rows[pos]
    scodes = [codes[p] for p in pos]
    years = _year_column(sub, low["jaar"], srows, errors, file=file)
    vals = {c: _numeric(sub, low[c], srows, errors, file=file) for c in _V3_VALUE_COLUMNS}
    allpos = np.arange(len(sub))
    keys = [(c.code if c else "", int(y)) for c, y in zip(scodes, years, strict=True)]
    _duplicates(keys, srows, low["jaar"], errors, file)

    names: dict[str, str] = {}
    name_col = next((low[n] for n in _NAME_COLUMNS if n in low), None)
    if name_col is not None:
        for c, n in zip(scodes, sub[name_col].tolist(), strict=True):
            if c is not None and not _is_blank(n):
                names.setdefault(c.code, str(n).strip())

    # identity 1: afw = fys + onv + soc + vrz + won
    dims = ("fys", "onv", "soc", "vrz", "won")
    violations = _sum_check(
        total=vals["afw"],
        parts=[vals[d] for d in dims],
        part_names=dims,
        total_column=low["afw"],
        positions=allpos,
        rows=srows,
        file=file,
        tolerance=tolerance,
    )
    # identity 2: lbm - afw is one national constant per year
    diff = vals["lbm"] - vals["afw"]
    constants: dict[int, float] = {}
    for y in sorted(set(years.tolist())):
        at = np.flatnonzero((years == y) & ~np.isnan(diff))
        if at.size == 0:
            continue
        med = float(np.median(diff[at]))
        good = at[np.abs(diff[at] - med) <= tolerance]
        constants[int(y)] = float(np.mean(diff[good])) if good.size else med
        for p in at[np.abs(diff[at] - med) > tolerance]:
            violations.append(
                InputError(
                    "lbm - afw differs from the national constant of the year",
                    where=Location(file=file, row=int(srows[p]), column=low["lbm"]),
                    expected=f"lbm = afw + {med:.6f} = {vals['afw'][p] + med:.9g} (year {y})",
                    found=float(vals["lbm"][p]),
                    hint="the file was altered or rounded; "
                    "read it with check=False to keep it with warnings",
                )
            )
    violations.sort(key=lambda e: (e.where.row or 0, e.where.column or ""))

    long = _Long()
    for i, c in enumerate(scodes):
        if c is None:
            continue
        for ind in LBM3_INDICATORS:
            long.add(c, int(years[i]), ind, float(vals[ind][i]))
    return long, names, constants, violations


def _check_class(
    frame: pd.DataFrame,
    column: str,
    vals: np.ndarray,
    rows: np.ndarray,
    bounds: tuple[int, int],
    what: str,
    errors: _Collector,
    file: str,
) -> None:
    """Report class values that are not whole numbers within ``bounds``."""
    lo, hi = bounds
    for i, v in enumerate(vals):
        if math.isnan(v):
            continue
        if v != int(v) or not lo <= v <= hi:
            errors.add(
                InputError(
                    f"{what} out of range",
                    where=Location(file=file, row=int(rows[i]), column=column),
                    expected=f"a whole number from {lo} to {hi}",
                    found=frame[column].iat[i],
                )
            )


def _read_classes(frame: pd.DataFrame, file: str, gm: str | None, errors: _Collector) -> _Long:
    """Leefbaarometer 2 classes (KLyy) and development classes (VKLaabb)."""
    code_col, level = _code_column(frame, file)
    rows = np.arange(1, len(frame) + 1)
    codes = _codes(frame, code_col, level, rows, errors, file=file)
    pos = _select(codes, gm)
    sub = frame.iloc[pos].reset_index(drop=True)
    srows = rows[pos]
    scodes = [codes[p] for p in pos]
    _duplicates(
        [(c.code if c else "", 0) for c in scodes],
        srows,
        code_col,
        errors,
        file,
        what="area code occurs twice",
        expected="one row per area",
    )
    long = _Long()
    for col in sub.columns:
        name = str(col).strip().upper()
        m_kl = _RE_KL.match(name)
        m_vkl = _RE_VKL.match(name)
        if not (m_kl or m_vkl):
            continue
        vals = _numeric(sub, col, srows, errors, file=file)
        if m_kl:
            _check_class(sub, col, vals, srows, (1, len(LBM_CLASSES)), "class", errors, file)
            year = _year2(m_kl.group(1))
            indicator = "class"
        else:
            assert m_vkl is not None
            _check_class(
                sub,
                col,
                vals,
                srows,
                LBM_DEVELOPMENT_CLASS_RANGE,
                "development class",
                errors,
                file,
            )
            begin, end = _year2(m_vkl.group(1)), _year2(m_vkl.group(2))
            year = end
            indicator = f"dev_class_{begin}_{end}"
        for i, c in enumerate(scodes):
            if c is not None:
                long.add(c, year, indicator, float(vals[i]))
    return long


def _read_dimensions(
    frame: pd.DataFrame,
    shape: Shape,
    file: str,
    gm: str | None,
    errors: _Collector,
    tolerance: float,
) -> tuple[_Long, list[InputError]]:
    """Leefbaarometer 2 dimension scores and their development, long or wide."""
    code_col, level = _code_column(frame, file)
    rows = np.arange(1, len(frame) + 1)
    codes = _codes(frame, code_col, level, rows, errors, file=file)
    pos = _select(codes, gm)
    sub = frame.iloc[pos].reset_index(drop=True)
    srows = rows[pos]
    scodes = [codes[p] for p in pos]
    up = {str(c).strip().upper(): str(c) for c in sub.columns}
    dev = shape.startswith("development")
    prefix = "DLB" if dev else "RLB"
    allpos = np.arange(len(sub))

    # blocks: (begin, end-or-year column data, {base: column name})
    blocks: list[tuple[np.ndarray | None, np.ndarray, dict[str, str]]] = []
    if shape in ("dimensions", "development"):
        cols = {b: up[prefix + b] for b in _V2_BASES if prefix + b in up}
        if dev:
            begin = _year_column(sub, up["BEGIN"], srows, errors, file=file)
            end = _year_column(sub, up["EINDE"], srows, errors, file=file)
            keys = [
                (c.code if c else "", int(b) * 10000 + int(e))
                for c, b, e in zip(scodes, begin, end, strict=True)
            ]
            _duplicates(keys, srows, up["EINDE"], errors, file)
            blocks.append((begin, end, cols))
        else:
            year = _year_column(sub, up["JAAR"], srows, errors, file=file)
            keys = [(c.code if c else "", int(y)) for c, y in zip(scodes, year, strict=True)]
            _duplicates(keys, srows, up["JAAR"], errors, file)
            blocks.append((None, year, cols))
    else:
        rx = _RE_DLB_WIDE if dev else _RE_RLB_WIDE
        groups: dict[tuple[int, ...], dict[str, str]] = {}
        for name, col in up.items():
            m = rx.match(name)
            if m:
                key = tuple(_year2(g) for g in m.groups()[1:])
                groups.setdefault(key, {})[m.group(1)] = col
        for key, cols in groups.items():
            n = len(sub)
            if dev:
                blocks.append((np.full(n, key[0]), np.full(n, key[1]), cols))
            else:
                blocks.append((None, np.full(n, key[0]), cols))

    long = _Long()
    violations: list[InputError] = []
    for begin_arr, year_arr, cols in blocks:
        vals = {b: _numeric(sub, col, srows, errors, file=file) for b, col in cols.items()}
        parts = [b for b in _V2_BASES[1:] if b in vals]
        if "RMTR" in vals and len(parts) == len(_V2_BASES) - 1:
            violations += _sum_check(
                total=vals["RMTR"],
                parts=[vals[b] for b in parts],
                part_names=[cols[b] for b in parts],
                total_column=cols["RMTR"],
                positions=allpos,
                rows=srows,
                file=file,
                tolerance=tolerance,
            )
        for i, c in enumerate(scodes):
            if c is None:
                continue
            for b in _V2_BASES:
                if b not in vals:
                    continue
                ind = (prefix + b).lower()
                if begin_arr is not None:
                    ind = f"{ind}_{int(begin_arr[i])}_{int(year_arr[i])}"
                long.add(c, int(year_arr[i]), ind, float(vals[b][i]))
    violations.sort(key=lambda e: (e.where.row or 0, e.where.column or ""))
    return long, violations


# --------------------------------------------------------------------------- public


def read_lbm(
    path: str | Path,
    *,
    check: bool = True,
    gemeente: str | None = None,
    tolerance: float = SUM_TOLERANCE,
) -> LbmTable:
    """Read a Leefbaarometer file (version 2 or 3, any published shape).

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.xlsx`` file.
    check : bool, default True
        Check the identities (LBM 3: ``afw`` = sum of the dimensions and
        ``lbm - afw`` constant per year; LBM 2: ``RLBRMTR`` / ``DLBRMTR`` =
        sum of the dimensions). A violation raises :class:`InputErrors` naming
        file, row, column, expected and found; with ``check=False`` the
        violations are returned in :attr:`LbmTable.warnings` instead.
    gemeente : str, optional
        Keep only the areas of this gemeente (``GM0363`` or ``0363``); the
        other rows are not checked.
    tolerance : float, default 1e-6
        Absolute tolerance of the identity checks.

    Returns
    -------
    LbmTable

    Raises
    ------
    InputError
        Unknown file type or shape, a missing column, an invalid area code,
        a cell that is not a number, a class outside 1-9 (development class
        outside 1-7), an area and year that occur twice, no rows of the
        requested gemeente; with ``check=True`` also identity violations.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(
            "file not found",
            where=Location(file=str(p)),
            expected="an existing Leefbaarometer file",
            found=str(p),
        )
    gm = _gemeente(gemeente)
    file = p.name
    sheets = _read_frames(p)
    chosen = next(((s, f) for s, f in sheets if _detect(list(f.columns)) is not None), None)
    if chosen is None:
        found = [list(f.columns) for _, f in sheets]
        raise InputError(
            "not a recognised Leefbaarometer table",
            where=Location(file=file),
            expected="LBM 3 columns (wk_code, jaar, lbm, afw, fys, onv, soc, vrz, won) or "
            "LBM 2 columns (WK_CODE with KLyy/VKLaabb, or GBD with JAAR/BEGIN+EINDE "
            "and RLB*/DLB*)",
            found=found[0] if len(found) == 1 else found,
        )
    _, frame = chosen
    shape = _detect(list(frame.columns))
    assert shape is not None
    errors = _Collector(file)
    names: dict[str, str] = {}
    constants: dict[int, float] = {}
    violations: list[InputError] = []
    if shape == "scores":
        version: Literal["2", "3"] = "3"
        long, names, constants, violations = _read_scores(frame, file, gm, errors, tolerance)
    elif shape == "classes":
        version = "2"
        long = _read_classes(frame, file, gm, errors)
    else:
        version = "2"
        long, violations = _read_dimensions(frame, shape, file, gm, errors, tolerance)
    errors.raise_if_any()
    if check and violations:
        raise InputErrors(
            violations[:_MAX_ERRORS], source=file, truncated=len(violations) > _MAX_ERRORS
        )
    source = file if gm is None else f"{file} ({gm})"
    if gm is not None and not long.codes:
        raise InputError(
            "no areas of the gemeente in the file",
            where=Location(file=file, field="gemeente"),
            expected=f"rows with codes of {gm}",
            found="none",
        )
    scores = _scores_frame(long, version, source)
    return LbmTable(
        version=version,
        source=source,
        attribution=ATTRIBUTION[version],
        shape=shape,
        scores=scores,
        names=MappingProxyType(names),
        national_constant=MappingProxyType(constants),
        warnings=tuple(violations),
    )


def _scores_frame(long: _Long, version: str, source: str) -> pd.DataFrame:
    order = {ind: i for i, ind in enumerate(dict.fromkeys(long.indicators))}
    frame = pd.DataFrame(
        {
            "area_code": pd.Series(long.codes, dtype="str"),
            "level": pd.Series(long.levels, dtype="str"),
            "year": pd.Series(long.years, dtype="int64"),
            "version": pd.Series([version] * len(long.codes), dtype="str"),
            "indicator": pd.Series(long.indicators, dtype="str"),
            "value": pd.Series(long.values, dtype="float64"),
            "source": pd.Series([source] * len(long.codes), dtype="str"),
        }
    )
    frame["_o"] = frame["indicator"].map(order)
    frame = frame.sort_values(["area_code", "year", "_o"], kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)[_SCORE_COLUMNS]


def import_lbm(
    store: Store,
    path: str | Path,
    *,
    check: bool = True,
    gemeente: str | None = None,
    force: bool = False,
) -> ImportResult:
    """Import a Leefbaarometer file into the store table ``lbm_scores``.

    One transaction; the rows of an earlier import of the same source (file
    name, and gemeente when given) are replaced. A file imported before (same
    SHA-256, and the same gemeente selection) is skipped unless ``force``.

    Parameters
    ----------
    store : Store
        An initialised store.
    path : str or Path
        The file (see :func:`read_lbm`).
    check : bool, default True
        See :func:`read_lbm`.
    gemeente : str, optional
        Import only the areas of this gemeente.
    force : bool, default False
        Import even when the same input was imported before.

    Returns
    -------
    ImportResult
    """
    p = Path(path)
    gm = _gemeente(gemeente)
    digest = file_sha256(p) if p.is_file() else ""
    if gm is not None:
        # the input is the file *and* the selection: another gemeente of the
        # same national file is another input
        digest = hashlib.sha256(f"{digest}:{gm}".encode()).hexdigest()
    if digest and not force and store.already_imported("lbm", digest):
        source = p.name if gm is None else f"{p.name} ({gm})"
        return ImportResult("lbm", source, digest, {}, True)
    table = read_lbm(p, check=check, gemeente=gm)
    years = table.scores["year"]
    kwargs: dict[str, Any] = {}
    if len(years) and years.nunique() == 1:
        kwargs["year"] = int(years.iloc[0])
    return store.import_frames(
        kind="lbm",
        source=table.source,
        sha256=digest,
        frames={"lbm_scores": table.scores},
        replace={"lbm_scores": {"source": table.source}},
        attribution=table.attribution,
        force=force,
        **kwargs,
    )
