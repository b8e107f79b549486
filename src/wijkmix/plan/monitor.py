"""The monitor: goals against measured results, statistics against experience.

Two questions of *volgen* (follow):

1. **Are we on track?** :func:`monitor` compares every numeric goal of a plan
   with the values measured for its indicator and area and gives it a status.
2. **Do residents experience what the statistics say?** :func:`divergence`
   flags areas where a statistic (the Leefbaarometer, a CBS figure) improved
   while residents' experience (satisfaction, social cohesion) stayed among
   the lowest of the city or went down -- the pattern Amsterdam Nieuw-West
   showed after 25 years of renewal.

This module is pure: it takes goal records and a data frame of measured
values and returns immutable results; reading and storing values is
:mod:`wijkmix.io.monitor`.

Goals
-----
A goal is a mapping or an object with the fields of a plan's ``[[goals]]``
table: ``id``, ``indicator``, ``area``, ``level``, ``baseline`` (``value``,
``year``, ``source``), ``target``, ``target_year``, ``direction``,
``tolerance`` (default 0), ``milestones`` (a list of ``year``, ``value``)
and ``unit``. ``direction`` says which way is better:

``omhoog``
    higher is better; a value ``v`` reaches a reference ``r`` when
    ``v >= r - tolerance``;
``omlaag``
    lower is better; ``v`` reaches ``r`` when ``v <= r + tolerance``;
``gelijk``
    the value should equal the target; ``v`` reaches the target when
    ``|v - target| <= tolerance``.

Every comparison allows a rounding slack of ``1e-9 * max(1, |r|)``, so a
value exactly on a boundary counts as on it.

The path
    The *koers* (course) is the piecewise linear line through the baseline
    ``(baseline.year, baseline.value)``, the milestones in year order and the
    target ``(target_year, target)``; without milestones it is the straight
    line from baseline to target. Milestones lie strictly between the
    baseline year and the target year.

Status
------
Let ``today`` be ``today_year`` (default: the current calendar year) and
the *measurements* the values for the goal's indicator and area (and level,
when both carry one) with ``baseline.year < year <= today``. The *assessed*
measurement is the latest measurement with ``year <= target_year``; when
there is none, the latest measurement (after the target year).

``geen meting``
    there is no measurement (after the baseline year, up to today);
``gehaald``
    the assessed measurement is at or before the target year and reaches
    the target. A target reached in an earlier year but lost again by the
    assessed measurement is not ``gehaald``;
``gemist``
    not ``gehaald``, and the target year has passed (``today > target_year``)
    or the target year's own measurement is in (assessed year equals the
    target year), or every measurement is later than the target year (a
    target reached late is missed);
``op koers``
    otherwise (assessed year before the target year, today not after it) when
    the assessed value reaches the path at its year: for ``omhoog``
    ``v >= koers - tolerance``, for ``omlaag`` ``v <= koers + tolerance``,
    for ``gelijk`` at least as close to the target as the path:
    ``|v - target| <= |koers - target| + tolerance``;
``achter``
    otherwise: behind the path before the target year.

Progress
    ``progress = (v - baseline) / (target - baseline)`` for ``omhoog`` and
    ``omlaag``, and ``1 - |v - target| / |baseline - target|`` for
    ``gelijk``, for the assessed value ``v``. It is **not clipped**: above 1
    the value went beyond the target, below 0 it moved away from it (for
    ``gelijk`` it is at most 1). ``expected_progress`` is the same share for
    the path value at the assessed year. Both are missing when the target
    equals the baseline or there is no measurement.

Values
------
A data frame with columns ``indicator, area_code, year, value`` and
optionally ``level``, ``source``, ``kind``, ``unit`` and a count column
``respondents`` or ``households`` (the shape of store table
``monitor_values``). Missing values are left out (never read as zero).
Codes that look like CBS codes are compared in upper case without padding.
The same indicator, area and year with two different values is an error
(filter the frame by ``source`` first).

Disclosure
----------
Survey results are aggregates of households. When the values frame has a
``respondents`` or ``households`` column, every value with a count passes
:func:`wijkmix.disclosure.gate` (threshold ``threshold``, default
:data:`wijkmix.disclosure.MIN_HOUSEHOLDS`) *before* it is used: a value based
on too few respondents is suppressed -- it is missing for the status, for
the divergence rules and in every output, and counted in ``suppressed``.
With both columns the smaller count applies. A value without a count (an
empty cell) is a published figure, such as a CBS statistic, which CBS has
already disclosure-controlled; it passes as published. Supply the count for
every survey-based value.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from wijkmix.areas import LEVELS, parse_code
from wijkmix.disclosure import MIN_HOUSEHOLDS, gate
from wijkmix.errors import InputError, InputErrors, Location

__all__ = [
    "DIRECTIONS",
    "STATUSES",
    "Direction",
    "DivergencePair",
    "DivergenceReport",
    "DivergenceRule",
    "GoalResult",
    "MonitorReport",
    "Status",
    "divergence",
    "monitor",
]

Direction = Literal["omhoog", "omlaag", "gelijk"]
Status = Literal["gehaald", "op koers", "achter", "gemist", "geen meting"]

#: Which way is better: higher, lower, or equal to the target.
DIRECTIONS: tuple[Direction, ...] = ("omhoog", "omlaag", "gelijk")
#: The statuses of a goal, from good to unknown.
STATUSES: tuple[Status, ...] = ("gehaald", "op koers", "achter", "gemist", "geen meting")

#: Relative rounding slack of every comparison.
_EPS = 1e-9
_COUNT_COLUMNS = ("respondents", "households")

# --------------------------------------------------------------------------- goals


@dataclass(frozen=True)
class _Goal:
    id: str
    indicator: str
    area: str
    level: str | None
    baseline_value: float
    baseline_year: int
    baseline_source: str | None
    target: float
    target_year: int
    direction: Direction
    tolerance: float
    milestones: tuple[tuple[int, float], ...]
    unit: str | None


_ABSENT = object()


def _get(obj: object, name: str) -> Any:
    value = obj.get(name, _ABSENT) if isinstance(obj, Mapping) else getattr(obj, name, _ABSENT)
    if isinstance(value, enum.Enum):
        value = value.value
    return value


def _area(text: str) -> str:
    """Normalise an area code: CBS codes upper case without padding."""
    t = text.strip()
    if t[:2].upper() in ("GM", "WK", "BU"):
        try:
            return parse_code(t).code
        except InputError:
            return t
    return t


class _GoalReader:
    """Reads goal records field by field, collecting every violation."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def bad(self, field: str, what: str, expected: str, found: object) -> None:
        self.errors.append(
            InputError(what, where=Location(field=field), expected=expected, found=found)
        )

    def text(self, obj: object, name: str, field: str, *, required: bool = True) -> str | None:
        v = _get(obj, name)
        if v is _ABSENT or v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.bad(field, "missing field", "a non-empty text", None if v is _ABSENT else v)
            return None
        if not isinstance(v, str):
            self.bad(field, "invalid value", "a text", v)
            return None
        return v.strip()

    def number(
        self, obj: object, name: str, field: str, default: float | None = None
    ) -> float | None:
        v = _get(obj, name)
        if (v is _ABSENT or v is None) and default is not None:
            return default
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            self.bad(
                field,
                "missing field" if v is _ABSENT else "invalid value",
                "a number",
                None if v is _ABSENT else v,
            )
            return None
        f = float(v)
        if not math.isfinite(f):
            self.bad(field, "invalid value", "a finite number", v)
            return None
        return f

    def year(self, obj: object, name: str, field: str) -> int | None:
        v = _get(obj, name)
        ok = not isinstance(v, bool) and (
            isinstance(v, int | np.integer)
            or (isinstance(v, float | np.floating) and math.isfinite(v) and float(v).is_integer())
        )
        if not ok:
            self.bad(
                field,
                "missing field" if v is _ABSENT else "invalid year",
                "a year (a whole number)",
                None if v is _ABSENT else v,
            )
            return None
        return int(v)

    def goal(self, obj: object, i: int) -> _Goal | None:
        f = f"goals[{i}]"
        n0 = len(self.errors)
        gid = self.text(obj, "id", f"{f}.id")
        indicator = self.text(obj, "indicator", f"{f}.indicator")
        area = self.text(obj, "area", f"{f}.area")
        level = self.text(obj, "level", f"{f}.level", required=False)
        if level is not None and level not in LEVELS:
            self.bad(f"{f}.level", "unknown level", "one of " + ", ".join(LEVELS), level)
        unit = self.text(obj, "unit", f"{f}.unit", required=False)
        base = _get(obj, "baseline")
        if base is _ABSENT or base is None:
            self.bad(
                f"{f}.baseline", "missing field", "a baseline with value, year and source", None
            )
            b_value = b_year = b_source = None
        else:
            b_value = self.number(base, "value", f"{f}.baseline.value")
            b_year = self.year(base, "year", f"{f}.baseline.year")
            b_source = self.text(base, "source", f"{f}.baseline.source", required=False)
        target = self.number(obj, "target", f"{f}.target")
        t_year = self.year(obj, "target_year", f"{f}.target_year")
        direction = _get(obj, "direction")
        if direction not in DIRECTIONS:
            self.bad(
                f"{f}.direction",
                "invalid direction",
                "one of " + ", ".join(DIRECTIONS),
                None if direction is _ABSENT else direction,
            )
        tolerance = self.number(obj, "tolerance", f"{f}.tolerance", default=0.0)
        if tolerance is not None and tolerance < 0:
            self.bad(f"{f}.tolerance", "invalid tolerance", "a number of 0 or more", tolerance)
        if b_year is not None and t_year is not None and t_year <= b_year:
            self.bad(
                f"{f}.target_year",
                "target year not after the baseline year",
                f"a year after {b_year}",
                t_year,
            )
        milestones: list[tuple[int, float]] = []
        raw = _get(obj, "milestones")
        if raw is _ABSENT or raw is None:
            raw = []
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
            self.bad(f"{f}.milestones", "invalid milestones", "a list of {year, value}", raw)
            raw = []
        seen: set[int] = set()
        for j, m in enumerate(raw):
            my = self.year(m, "year", f"{f}.milestones[{j}].year")
            mv = self.number(m, "value", f"{f}.milestones[{j}].value")
            if my is None or mv is None:
                continue
            if b_year is not None and t_year is not None and not b_year < my < t_year:
                self.bad(
                    f"{f}.milestones[{j}].year",
                    "milestone outside the goal period",
                    f"a year after {b_year} and before {t_year}",
                    my,
                )
            elif my in seen:
                self.bad(
                    f"{f}.milestones[{j}].year",
                    "two milestones in one year",
                    "one milestone per year",
                    my,
                )
            seen.add(my)
            milestones.append((my, mv))
        if len(self.errors) > n0:
            return None
        assert gid and indicator and area and b_value is not None and b_year is not None
        assert target is not None and t_year is not None and tolerance is not None
        return _Goal(
            id=gid,
            indicator=indicator,
            area=_area(area),
            level=level,
            baseline_value=b_value,
            baseline_year=b_year,
            baseline_source=b_source,
            target=target,
            target_year=t_year,
            direction=direction,
            tolerance=tolerance,
            milestones=tuple(sorted(milestones)),
            unit=unit,
        )


def _read_goals(goals: Sequence[object] | Iterator[object]) -> list[_Goal]:
    if isinstance(goals, str | bytes | Mapping):
        raise InputError(
            "invalid goals",
            where="goals",
            expected="a list of goal records",
            found=type(goals).__name__,
        )
    reader = _GoalReader()
    out: list[_Goal] = []
    ids: dict[str, int] = {}
    for i, obj in enumerate(goals):
        g = reader.goal(obj, i)
        if g is None:
            continue
        if g.id in ids:
            reader.bad(
                f"goals[{i}].id",
                "duplicate goal id",
                f"an id not used before (goals[{ids[g.id]}] has it)",
                g.id,
            )
            continue
        ids[g.id] = i
        out.append(g)
    if reader.errors:
        raise InputErrors(reader.errors, source="goals")
    return out


# --------------------------------------------------------------------------- comparisons


def _slack(ref: float) -> float:
    return _EPS * max(1.0, abs(ref))


def _reaches(direction: str, value: float, ref: float, tolerance: float) -> bool:
    """True when ``value`` is at or beyond ``ref`` in the good direction."""
    s = _slack(ref)
    if direction == "omhoog":
        return value >= ref - tolerance - s
    if direction == "omlaag":
        return value <= ref + tolerance + s
    return abs(value - ref) <= tolerance + s


def _on_path(g: _Goal, value: float, path: float) -> bool:
    if g.direction == "gelijk":
        return abs(value - g.target) <= abs(path - g.target) + g.tolerance + _slack(g.target)
    return _reaches(g.direction, value, path, g.tolerance)


def _share(g: _Goal, value: float) -> float | None:
    if g.target == g.baseline_value:
        return None
    if g.direction == "gelijk":
        span = abs(g.baseline_value - g.target)
        return 1.0 - abs(value - g.target) / span
    return (value - g.baseline_value) / (g.target - g.baseline_value)


def _path_points(g: _Goal) -> tuple[list[int], list[float]]:
    xs = [g.baseline_year, *(y for y, _ in g.milestones), g.target_year]
    ys = [g.baseline_value, *(v for _, v in g.milestones), g.target]
    return xs, ys


# --------------------------------------------------------------------------- values


def _prepare_values(
    values: pd.DataFrame, indicators: set[str] | None, threshold: int
) -> pd.DataFrame:
    """Check, filter and gate the values frame.

    Returns columns ``indicator, area_code, level, year, value, source,
    suppressed``; suppressed values are NaN with ``suppressed`` True;
    missing values are dropped.
    """
    if not isinstance(values, pd.DataFrame):
        raise InputError(
            "invalid values",
            where="values",
            expected="a pandas DataFrame",
            found=type(values).__name__,
        )
    for col in ("indicator", "area_code", "year", "value"):
        if col not in values.columns:
            raise InputError(
                "missing column",
                where=Location(field="values", column=col),
                expected="columns indicator, area_code, year, value",
                found=[str(c) for c in values.columns],
            )
    frame = values
    if indicators is not None:
        names = frame["indicator"].astype("str").str.strip()
        frame = frame[names.isin(sorted(indicators)).to_numpy(dtype=bool)]
    frame = frame.reset_index(drop=True)
    value = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    bad = value.isna() & frame["value"].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "invalid value",
            where=Location(field="values", column="value"),
            expected="numbers",
            found=frame["value"].iloc[i],
        )
    year = pd.to_numeric(frame["year"], errors="coerce").astype("float64")
    bad_year = year.isna() | (year != np.floor(year))
    if bad_year.any():
        i = int(np.flatnonzero(bad_year.to_numpy())[0])
        raise InputError(
            "invalid year",
            where=Location(field="values", column="year"),
            expected="whole years",
            found=frame["year"].iloc[i],
        )
    out = pd.DataFrame(
        {
            "indicator": frame["indicator"].astype("str").str.strip(),
            "area_code": [_area(str(c)) for c in frame["area_code"].tolist()],
            "level": frame["level"].astype("object").where(frame["level"].notna(), None)
            if "level" in frame.columns
            else pd.Series([None] * len(frame), dtype="object"),
            "year": year.astype("int64"),
            "value": value.where(np.isfinite(value)),
            "source": frame["source"].astype("object").where(frame["source"].notna(), None)
            if "source" in frame.columns
            else pd.Series([None] * len(frame), dtype="object"),
        }
    )
    counts = [c for c in _COUNT_COLUMNS if c in frame.columns]
    out["suppressed"] = False
    if counts:
        n = pd.concat([pd.to_numeric(frame[c], errors="coerce") for c in counts], axis=1).min(
            axis=1, skipna=True
        )
        has = n.notna().to_numpy()
        if has.any():
            part = pd.DataFrame(
                {"n": n[has].to_numpy(dtype=float), "value": out.loc[has, "value"].to_numpy()}
            )
            gated = gate(part, count="n", values=["value"], threshold=threshold)
            mask = gated.suppressed["value"].to_numpy(dtype=bool) & part["value"].notna().to_numpy()
            idx = np.flatnonzero(has)[mask]
            out.loc[idx, "suppressed"] = True
            out.loc[idx, "value"] = np.nan
    keep = out["value"].notna() | out["suppressed"]
    return out[keep].reset_index(drop=True)


def _one_per_year(rows: pd.DataFrame, what: str) -> list[tuple[int, float, str | None]]:
    """(year, value, source) per year; two different values in one year is an error."""
    years = rows["year"].to_numpy(dtype=np.int64)
    vals = rows["value"].to_numpy(dtype=float)
    sources = rows["source"].tolist()
    out: list[tuple[int, float, str | None]] = []
    for year in np.unique(years):
        at = np.flatnonzero(years == year)
        v = vals[at]
        if np.ptp(v) > _slack(float(np.max(np.abs(v)))):
            raise InputError(
                "two values for one indicator, area and year",
                where=Location(field="values", column="value"),
                expected=f"one value for {what} in {int(year)}",
                found=sorted({float(x) for x in v}),
                hint="filter the values by source first",
            )
        src = [sources[i] for i in at if sources[i] is not None and not pd.isna(sources[i])]
        out.append((int(year), float(v[0]), str(src[0]) if src else None))
    return out


# --------------------------------------------------------------------------- monitor

_GOAL_DUTCH: dict[str, str] = {
    "goal_id": "doel",
    "indicator": "indicator",
    "area": "gebied",
    "level": "niveau",
    "unit": "eenheid",
    "direction": "richting",
    "tolerance": "marge",
    "baseline_year": "basisjaar",
    "baseline_value": "basiswaarde",
    "baseline_source": "bron basis",
    "target": "streefwaarde",
    "target_year": "streefjaar",
    "latest_year": "laatste meetjaar",
    "latest_value": "laatste meting",
    "latest_source": "bron meting",
    "assessed_year": "beoordeeld jaar",
    "assessed_value": "beoordeelde waarde",
    "path_value": "koerswaarde",
    "progress": "voortgang",
    "expected_progress": "verwachte voortgang",
    "status": "status",
    "suppressed": "onderdrukt",
}
_SERIES_DUTCH: dict[str, str] = {
    "year": "jaar",
    "baseline": "basis",
    "milestone": "mijlpaal",
    "target": "doel",
    "path": "koers",
    "measured": "meting",
}


@dataclass(frozen=True)
class GoalResult:
    """One goal against its measurements.

    Attributes
    ----------
    goal_id, indicator, area, level, unit, direction, tolerance
        From the goal (``area`` normalised).
    baseline_year, baseline_value, baseline_source
        The goal's baseline.
    target, target_year
        The goal's target.
    milestones : tuple of (year, value)
        The goal's milestones in year order.
    measurements : tuple of (year, value)
        Every usable measurement up to ``today_year`` (also those at or before
        the baseline year), in year order; suppressed values are left out.
    latest_year, latest_value, latest_source
        The latest measurement after the baseline year (None when none).
    assessed_year, assessed_value
        The measurement the status is based on (see the module documentation).
    path_value : float or None
        The path (koers) at the assessed year (the target after the target
        year).
    progress, expected_progress : float or None
        Share of the way from baseline to target of the assessed value and of
        the path value; not clipped.
    status : str
        One of :data:`STATUSES`.
    suppressed : int
        Number of measurements (up to ``today_year``) suppressed by the
        disclosure gate.
    """

    goal_id: str
    indicator: str
    area: str
    level: str | None
    unit: str | None
    direction: Direction
    tolerance: float
    baseline_year: int
    baseline_value: float
    baseline_source: str | None
    target: float
    target_year: int
    milestones: tuple[tuple[int, float], ...]
    measurements: tuple[tuple[int, float], ...]
    latest_year: int | None
    latest_value: float | None
    latest_source: str | None
    assessed_year: int | None
    assessed_value: float | None
    path_value: float | None
    progress: float | None
    expected_progress: float | None
    status: Status
    suppressed: int

    def path(self, year: int) -> float:
        """The path (koers) in ``year``: the baseline before it, the target after it."""
        xs = [self.baseline_year, *(y for y, _ in self.milestones), self.target_year]
        ys = [self.baseline_value, *(v for _, v in self.milestones), self.target]
        return float(np.interp(year, xs, ys))

    def summary(self) -> dict[str, object]:
        """The goal's row of :meth:`MonitorReport.to_frame` (English keys)."""
        return {k: getattr(self, k) for k in _GOAL_DUTCH}

    def to_frame(self, *, dutch: bool = False) -> pd.DataFrame:
        """The goal over time: one row per year with a baseline, milestone, target or measurement.

        Parameters
        ----------
        dutch : bool, default False
            Dutch column names (``jaar, basis, mijlpaal, doel, koers, meting``).

        Returns
        -------
        pandas.DataFrame
            Columns ``year, baseline, milestone, target, path, measured``;
            ``path`` is missing outside the goal period.
        """
        ms = dict(self.milestones)
        meas = dict(self.measurements)
        years = sorted({self.baseline_year, self.target_year, *ms, *meas})
        rows = []
        for y in years:
            inside = self.baseline_year <= y <= self.target_year
            rows.append(
                {
                    "year": y,
                    "baseline": self.baseline_value if y == self.baseline_year else np.nan,
                    "milestone": ms.get(y, np.nan),
                    "target": self.target if y == self.target_year else np.nan,
                    "path": self.path(y) if inside else np.nan,
                    "measured": meas.get(y, np.nan),
                }
            )
        out = pd.DataFrame(rows, columns=list(_SERIES_DUTCH))
        out["year"] = out["year"].astype("int64")
        return out.rename(columns=_SERIES_DUTCH) if dutch else out


@dataclass(frozen=True)
class MonitorReport:
    """Goals against results.

    Attributes
    ----------
    today_year : int
        The year the report is made for; later values are not used.
    threshold : int
        Disclosure threshold the values passed.
    results : tuple of GoalResult
        One per goal, in the order of the goals.
    """

    today_year: int
    threshold: int
    results: tuple[GoalResult, ...]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[GoalResult]:
        return iter(self.results)

    def __getitem__(self, goal_id: str) -> GoalResult:
        for r in self.results:
            if r.goal_id == goal_id:
                return r
        raise KeyError(goal_id)

    def counts(self) -> dict[str, int]:
        """Number of goals per status (every status, in :data:`STATUSES` order)."""
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def to_frame(self, *, dutch: bool = False) -> pd.DataFrame:
        """One row per goal.

        Parameters
        ----------
        dutch : bool, default False
            Dutch column names (``doel, gebied, basisjaar, ..., status``).

        Returns
        -------
        pandas.DataFrame
            Columns ``goal_id, indicator, area, level, unit, direction,
            tolerance, baseline_year, baseline_value, baseline_source, target,
            target_year, latest_year, latest_value, latest_source,
            assessed_year, assessed_value, path_value, progress,
            expected_progress, status, suppressed``.
        """
        out = pd.DataFrame([r.summary() for r in self.results], columns=list(_GOAL_DUTCH))
        for c in ("latest_year", "assessed_year"):
            out[c] = out[c].astype("Int64")
        for c in ("latest_value", "assessed_value", "path_value", "progress", "expected_progress"):
            out[c] = out[c].astype("float64")
        return out.rename(columns=_GOAL_DUTCH) if dutch else out

    def frames(self, *, dutch: bool = False) -> dict[str, pd.DataFrame]:
        """Per goal id the goal over time (:meth:`GoalResult.to_frame`)."""
        return {r.goal_id: r.to_frame(dutch=dutch) for r in self.results}


def _today(today_year: int | None) -> int:
    if today_year is None:
        return dt.date.today().year
    if isinstance(today_year, bool) or not isinstance(today_year, int | np.integer):
        raise InputError(
            "invalid year", where="today_year", expected="a year (a whole number)", found=today_year
        )
    return int(today_year)


def _threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise InputError(
            "invalid disclosure threshold",
            where="threshold",
            expected="a whole number of at least 1",
            found=threshold,
        )
    return int(threshold)


def _assess(g: _Goal, frame: pd.DataFrame, today: int) -> GoalResult:
    rows = frame[(frame["indicator"] == g.indicator) & (frame["area_code"] == g.area)]
    if g.level is not None:
        rows = rows[rows["level"].isna() | (rows["level"] == g.level)]
    rows = rows[rows["year"] <= today]
    suppressed = int(rows["suppressed"].sum())
    rows = rows[~rows["suppressed"]]
    meas = _one_per_year(rows, f"{g.indicator} in {g.area}")
    after = [m for m in meas if m[0] > g.baseline_year]
    latest = after[-1] if after else None
    in_time = [m for m in after if m[0] <= g.target_year]
    assessed = in_time[-1] if in_time else latest
    status: Status
    path_value = progress = expected = None
    if assessed is None:
        status = "geen meting"
    else:
        year, value = assessed[0], assessed[1]
        xs, ys = _path_points(g)
        path_value = float(np.interp(year, xs, ys))
        progress = _share(g, value)
        expected = _share(g, path_value)
        if year <= g.target_year and _reaches(g.direction, value, g.target, g.tolerance):
            status = "gehaald"
        elif today > g.target_year or year >= g.target_year:
            status = "gemist"
        elif _on_path(g, value, path_value):
            status = "op koers"
        else:
            status = "achter"
    return GoalResult(
        goal_id=g.id,
        indicator=g.indicator,
        area=g.area,
        level=g.level,
        unit=g.unit,
        direction=g.direction,
        tolerance=g.tolerance,
        baseline_year=g.baseline_year,
        baseline_value=g.baseline_value,
        baseline_source=g.baseline_source,
        target=g.target,
        target_year=g.target_year,
        milestones=g.milestones,
        measurements=tuple((y, v) for y, v, _ in meas),
        latest_year=latest[0] if latest else None,
        latest_value=latest[1] if latest else None,
        latest_source=latest[2] if latest else None,
        assessed_year=assessed[0] if assessed else None,
        assessed_value=assessed[1] if assessed else None,
        path_value=path_value,
        progress=progress,
        expected_progress=expected,
        status=status,
        suppressed=suppressed,
    )


def monitor(
    goals: Sequence[object],
    values: pd.DataFrame,
    *,
    today_year: int | None = None,
    threshold: int = MIN_HOUSEHOLDS,
) -> MonitorReport:
    """Follow goals against measured values.

    Parameters
    ----------
    goals : sequence of goal records
        Mappings or objects with the fields of a plan's ``[[goals]]`` (see the
        module documentation).
    values : pandas.DataFrame
        Measured values: ``indicator, area_code, year, value`` and optionally
        ``level, source, respondents`` or ``households``.
    today_year : int, optional
        The year to report for; values of later years are ignored. Default:
        the current calendar year.
    threshold : int, default :data:`wijkmix.disclosure.MIN_HOUSEHOLDS`
        Disclosure threshold for values with a respondent count.

    Returns
    -------
    MonitorReport

    Raises
    ------
    InputErrors
        With every invalid goal field (``goals[i].target`` and so on).
    InputError
        When ``values`` lacks a column or holds two different values for one
        indicator, area and year.

    Examples
    --------
    >>> goal = {"id": "g1", "indicator": "pct_corporation", "area": "WK051833",
    ...         "level": "wijk", "baseline": {"value": 62, "year": 2019, "source": "CBS"},
    ...         "target": 54, "target_year": 2027, "direction": "omlaag"}
    >>> vals = pd.DataFrame({"indicator": ["pct_corporation"], "area_code": ["WK051833"],
    ...                      "year": [2023], "value": [59.0]})
    >>> r = monitor([goal], vals, today_year=2024)["g1"]
    >>> r.status, r.path_value, r.progress
    ('achter', 58.0, 0.375)
    """
    specs = _read_goals(goals)
    today = _today(today_year)
    thr = _threshold(threshold)
    frame = _prepare_values(values, {g.indicator for g in specs}, thr)
    return MonitorReport(today, thr, tuple(_assess(g, frame, today) for g in specs))


# --------------------------------------------------------------------------- divergence


@dataclass(frozen=True)
class DivergenceRule:
    """When statistics and experience count as diverging.

    A *pair* (an area, a statistic, an experience indicator) diverges when the
    statistic **improved** between the start and the end year while the
    experience indicator **lagged**: it stayed low or went down.

    Parameters
    ----------
    statistic_change : float, default 0
        A statistic improved when its change in its good direction exceeds
        this (in the indicator's own units; strictly more, with a rounding
        slack of 1e-9).
    experience_decline : float, default 0
        An experience indicator went down when its change against its good
        direction exceeds this.
    bottom_quantile : float, default 0.2
        An experience value is *low* when it is at or below the
        ``bottom_quantile`` quantile (linear interpolation, as
        :func:`numpy.quantile`) of the values of the areas of the same level
        and gemeente; for an indicator where lower is better, at or above the
        ``1 - bottom_quantile`` quantile. It *stayed low* when low in both
        years.
    min_areas : int, default 5
        Fewest areas (of one level and gemeente, with a value) needed to
        judge "low"; with fewer only a decline counts.
    year_window : int, default 0
        A value may come from up to this many years from the start or end
        year (the nearest year; on a tie the one inside the period). Lets a
        Leefbaarometer of 2022 meet a survey of 2023.

    Raises
    ------
    InputError
        Naming the field (``DivergenceRule.bottom_quantile``) of an invalid
        setting.
    """

    statistic_change: float = 0.0
    experience_decline: float = 0.0
    bottom_quantile: float = 0.2
    min_areas: int = 5
    year_window: int = 0

    def __post_init__(self) -> None:
        for name in ("statistic_change", "experience_decline"):
            v = getattr(self, name)
            if (
                isinstance(v, bool)
                or not isinstance(v, int | float)
                or not math.isfinite(v)
                or v < 0
            ):
                raise InputError(
                    "invalid rule setting",
                    where=f"DivergenceRule.{name}",
                    expected="a finite number of 0 or more",
                    found=v,
                )
        q = self.bottom_quantile
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 < q < 1:
            raise InputError(
                "invalid rule setting",
                where="DivergenceRule.bottom_quantile",
                expected="a number between 0 and 1 (exclusive)",
                found=q,
            )
        for name, lo in (("min_areas", 2), ("year_window", 0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise InputError(
                    "invalid rule setting",
                    where=f"DivergenceRule.{name}",
                    expected=f"a whole number of {lo} or more",
                    found=v,
                )


_PAIR_DUTCH: dict[str, str] = {
    "area_code": "gebied",
    "level": "niveau",
    "statistic": "statistiek",
    "experience": "beleving",
    "statistic_start_year": "statistiek beginjaar",
    "statistic_end_year": "statistiek eindjaar",
    "statistic_start": "statistiek begin",
    "statistic_end": "statistiek eind",
    "statistic_change": "statistiek verandering",
    "statistic_improved": "statistiek verbeterd",
    "experience_start_year": "beleving beginjaar",
    "experience_end_year": "beleving eindjaar",
    "experience_start": "beleving begin",
    "experience_end": "beleving eind",
    "experience_change": "beleving verandering",
    "experience_low_start": "beleving laag begin",
    "experience_low_end": "beleving laag eind",
    "experience_declined": "beleving gedaald",
    "flagged": "signaal",
    "reason": "reden",
}


@dataclass(frozen=True)
class DivergencePair:
    """One area, statistic and experience indicator, judged.

    Attributes
    ----------
    area_code, level : str
        The area.
    statistic, experience : str
        The two indicators.
    statistic_start_year, statistic_end_year, statistic_start, statistic_end
        The statistic's years and values used.
    statistic_change : float
        ``statistic_end - statistic_start`` (raw, not direction-adjusted).
    statistic_improved : bool
        Changed in its good direction by more than the rule's threshold.
    experience_start_year, experience_end_year, experience_start, experience_end
        The experience indicator's years and values used.
    experience_change : float
        ``experience_end - experience_start`` (raw).
    experience_low_start, experience_low_end : bool or None
        Low among the areas of its level and gemeente; None when too few
        areas had a value.
    experience_declined : bool
        Changed against its good direction by more than the rule's threshold.
    flagged : bool
        ``statistic_improved`` and (stayed low or declined).
    reason : str
        ``"bleef laag"``, ``"daalde"``, ``"bleef laag en daalde"`` or ``""``.
    """

    area_code: str
    level: str | None
    statistic: str
    experience: str
    statistic_start_year: int
    statistic_end_year: int
    statistic_start: float
    statistic_end: float
    statistic_change: float
    statistic_improved: bool
    experience_start_year: int
    experience_end_year: int
    experience_start: float
    experience_end: float
    experience_change: float
    experience_low_start: bool | None
    experience_low_end: bool | None
    experience_declined: bool
    flagged: bool
    reason: str


@dataclass(frozen=True)
class DivergenceReport:
    """Where statistics and residents' experience diverge.

    Attributes
    ----------
    rule : DivergenceRule
        The rule applied.
    start_year, end_year : int
        The period.
    threshold : int
        Disclosure threshold the values passed.
    pairs : tuple of DivergencePair
        Every assessed (area, statistic, experience) pair with values in both
        years, sorted by area, statistic and experience.
    notes : tuple of str
        What could not be judged (Dutch, for the user).
    """

    rule: DivergenceRule
    start_year: int
    end_year: int
    threshold: int
    pairs: tuple[DivergencePair, ...]
    notes: tuple[str, ...]

    @property
    def flagged_areas(self) -> tuple[str, ...]:
        """Codes of the areas with at least one diverging pair, sorted."""
        return tuple(sorted({p.area_code for p in self.pairs if p.flagged}))

    def to_frame(self, *, dutch: bool = False, flagged_only: bool = False) -> pd.DataFrame:
        """One row per pair (columns as the attributes of :class:`DivergencePair`).

        Parameters
        ----------
        dutch : bool, default False
            Dutch column names (``gebied, statistiek, beleving, ..., signaal, reden``).
        flagged_only : bool, default False
            Only the diverging pairs.
        """
        names = [f.name for f in fields(DivergencePair)]
        rows = [
            {n: getattr(p, n) for n in names} for p in self.pairs if p.flagged or not flagged_only
        ]
        out = pd.DataFrame(rows, columns=names)
        return out.rename(columns=_PAIR_DUTCH) if dutch else out


def _directions(indicators: Sequence[str] | Mapping[str, str], name: str) -> dict[str, str]:
    if isinstance(indicators, str):
        raise InputError(
            "invalid indicators",
            where=name,
            expected="a list of indicator names or a mapping name → direction",
            found=indicators,
        )
    items = (
        dict(indicators) if isinstance(indicators, Mapping) else dict.fromkeys(indicators, "omhoog")
    )
    if not items:
        raise InputError("no indicators", where=name, expected="at least one indicator", found=[])
    for k, d in items.items():
        if not isinstance(k, str) or not k:
            raise InputError(
                "invalid indicator name", where=name, expected="a non-empty text", found=k
            )
        if d not in ("omhoog", "omlaag"):
            raise InputError(
                "invalid direction",
                where=f"{name}[{k!r}]",
                expected="'omhoog' (higher is better) or 'omlaag' (lower is better)",
                found=d,
            )
    return items


def _pick(years: np.ndarray, target: int, window: int, prefer_later: bool) -> int | None:
    """The year nearest ``target`` within ``window`` (tie: later or earlier)."""
    near = years[np.abs(years - target) <= window]
    if near.size == 0:
        return None
    dist = np.abs(near - target)
    best = near[dist == dist.min()]
    return int(best.max() if prefer_later else best.min())


def _gemeente(code: str) -> str | None:
    if code[:2] in ("GM", "WK", "BU"):
        try:
            return parse_code(code).gemeente
        except InputError:
            return None
    return None


def _level_of(code: str, level: object) -> str | None:
    if isinstance(level, str) and level:
        return level
    if code[:2] in ("GM", "WK", "BU"):
        try:
            return parse_code(code).level
        except InputError:
            return None
    return None


@dataclass(frozen=True)
class _Span:
    start_year: int
    end_year: int
    start: float
    end: float


def _spans(frame: pd.DataFrame, start: int, end: int, window: int) -> dict[tuple[str, str], _Span]:
    """Per (indicator, area) the start and end value, when both exist."""
    out: dict[tuple[str, str], _Span] = {}
    for (ind, area), grp in frame.groupby(["indicator", "area_code"], sort=True):
        per_year = _one_per_year(grp, f"{ind} in {area}")
        years = np.array([y for y, _, _ in per_year], dtype=np.int64)
        vals = {y: v for y, v, _ in per_year}
        y0 = _pick(years, start, window, prefer_later=True)
        y1 = _pick(years, end, window, prefer_later=False)
        if y0 is None or y1 is None or y0 >= y1:
            continue
        out[(str(ind), str(area))] = _Span(y0, y1, vals[y0], vals[y1])
    return out


def divergence(
    values: pd.DataFrame,
    *,
    statistic_indicators: Sequence[str] | Mapping[str, str],
    experience_indicators: Sequence[str] | Mapping[str, str],
    start_year: int | None = None,
    end_year: int | None = None,
    rule: DivergenceRule | None = None,
    level: str | None = None,
    threshold: int = MIN_HOUSEHOLDS,
) -> DivergenceReport:
    """Flag areas where statistics improved but residents' experience lagged.

    For every area, every statistic and every experience indicator with a
    value at (or, with ``rule.year_window``, near) both the start and the end
    year, the pair is flagged when the statistic improved and the experience
    indicator stayed low (low among the areas of its level and gemeente in
    both years) or went down; see :class:`DivergenceRule`.

    Parameters
    ----------
    values : pandas.DataFrame
        Measured values (as for :func:`monitor`).
    statistic_indicators, experience_indicators : sequence or mapping
        Indicator names; a sequence means higher is better for each; a
        mapping gives the direction per name (``"omhoog"`` or ``"omlaag"``,
        e.g. ``{"verhuisgeneigdheid": "omlaag"}``).
    start_year, end_year : int, optional
        The period; default the earliest and latest year with a value of one
        of the indicators.
    rule : DivergenceRule, optional
        Thresholds; default ``DivergenceRule()``.
    level : str, optional
        Only areas of this level (taken from ``values["level"]``, or from a
        CBS code when that is empty).
    threshold : int, default :data:`wijkmix.disclosure.MIN_HOUSEHOLDS`
        Disclosure threshold for values with a respondent count; a suppressed
        value is missing.

    Returns
    -------
    DivergenceReport

    Raises
    ------
    InputError
        For invalid indicators, years, level or values.
    """
    rule = DivergenceRule() if rule is None else rule
    if not isinstance(rule, DivergenceRule):
        raise InputError(
            "invalid rule", where="rule", expected="a DivergenceRule", found=type(rule).__name__
        )
    stats = _directions(statistic_indicators, "statistic_indicators")
    exps = _directions(experience_indicators, "experience_indicators")
    both = sorted(set(stats) & set(exps))
    if both:
        raise InputError(
            "indicator is both statistic and experience",
            where="experience_indicators",
            expected="indicators not among the statistic indicators",
            found=both,
        )
    if level is not None and level not in LEVELS:
        raise InputError(
            "unknown level", where="level", expected="one of " + ", ".join(LEVELS), found=level
        )
    thr = _threshold(threshold)
    frame = _prepare_values(values, set(stats) | set(exps), thr)
    notes: list[str] = []
    n_supp = int(frame["suppressed"].sum())
    if n_supp:
        notes.append(f"{n_supp} waarden onderdrukt: gebaseerd op minder dan {thr} respondenten.")
    frame = frame[~frame["suppressed"]].copy()
    frame["level"] = [
        _level_of(c, lv) for c, lv in zip(frame["area_code"], frame["level"], strict=True)
    ]
    if level is not None:
        frame = frame[frame["level"] == level]
    years = frame["year"].to_numpy(dtype=np.int64)
    if start_year is None:
        start_year = int(years.min()) if years.size else None
    if end_year is None:
        end_year = int(years.max()) if years.size else None
    if start_year is None or end_year is None:
        raise InputError(
            "no values",
            where="values",
            expected="values of the statistic and experience indicators",
            found="none",
        )
    for name, y in (("start_year", start_year), ("end_year", end_year)):
        if isinstance(y, bool) or not isinstance(y, int | np.integer):
            raise InputError(
                "invalid year", where=name, expected="a year (a whole number)", found=y
            )
    if start_year >= end_year:
        raise InputError(
            "empty period",
            where="end_year",
            expected=f"a year after the start year {start_year}",
            found=end_year,
        )
    start, end = int(start_year), int(end_year)
    spans = _spans(frame, start, end, rule.year_window)
    area_level = dict(zip(frame["area_code"], frame["level"], strict=False))

    # experience: low in start and end year among areas of one level and gemeente
    low: dict[tuple[str, str], tuple[bool | None, bool | None]] = {}
    for ind, direction in exps.items():
        groups: dict[tuple[str | None, str | None], list[str]] = {}
        for i2, area in spans:
            if i2 == ind:
                groups.setdefault((area_level.get(area), _gemeente(area)), []).append(area)
        for (lvl, gm), areas in sorted(
            groups.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))
        ):
            if len(areas) < rule.min_areas:
                notes.append(
                    f"{ind}: {len(areas)} gebieden ({lvl or 'onbekend niveau'}"
                    f"{', ' + gm if gm else ''}) -- te weinig om 'laag in de stad' te bepalen "
                    f"(minimaal {rule.min_areas}); alleen een daling telt."
                )
                for a in areas:
                    low[(ind, a)] = (None, None)
                continue
            flags: list[list[bool]] = []
            for attr in ("start", "end"):
                v = np.array([getattr(spans[(ind, a)], attr) for a in areas], dtype=float)
                if direction == "omhoog":
                    cut = float(np.quantile(v, rule.bottom_quantile))
                    flags.append([bool(x <= cut + _slack(cut)) for x in v])
                else:
                    cut = float(np.quantile(v, 1.0 - rule.bottom_quantile))
                    flags.append([bool(x >= cut - _slack(cut)) for x in v])
            for k, a in enumerate(areas):
                low[(ind, a)] = (flags[0][k], flags[1][k])

    missing = [i for i in [*stats, *exps] if not any(k[0] == i for k in spans)]
    if missing:
        notes.append(
            "geen waarden in begin- en eindjaar voor: " + ", ".join(missing) + f" ({start}-{end})."
        )
    pairs: list[DivergencePair] = []
    areas_all = sorted({a for _, a in spans})
    for area in areas_all:
        for s_ind, s_dir in sorted(stats.items()):
            s = spans.get((s_ind, area))
            if s is None:
                continue
            s_change = s.end - s.start
            s_good = s_change if s_dir == "omhoog" else -s_change
            improved = s_good - rule.statistic_change > _slack(max(abs(s.start), abs(s.end)))
            for e_ind, e_dir in sorted(exps.items()):
                e = spans.get((e_ind, area))
                if e is None:
                    continue
                e_change = e.end - e.start
                e_good = e_change if e_dir == "omhoog" else -e_change
                declined = -e_good - rule.experience_decline > _slack(max(abs(e.start), abs(e.end)))
                low_start, low_end = low.get((e_ind, area), (None, None))
                stayed_low = bool(low_start) and bool(low_end)
                reasons = [r for r, on in (("bleef laag", stayed_low), ("daalde", declined)) if on]
                flagged = bool(improved and reasons)
                pairs.append(
                    DivergencePair(
                        area_code=area,
                        level=area_level.get(area),
                        statistic=s_ind,
                        experience=e_ind,
                        statistic_start_year=s.start_year,
                        statistic_end_year=s.end_year,
                        statistic_start=s.start,
                        statistic_end=s.end,
                        statistic_change=s_change,
                        statistic_improved=bool(improved),
                        experience_start_year=e.start_year,
                        experience_end_year=e.end_year,
                        experience_start=e.start,
                        experience_end=e.end,
                        experience_change=e_change,
                        experience_low_start=low_start,
                        experience_low_end=low_end,
                        experience_declined=bool(declined),
                        flagged=flagged,
                        reason=" en ".join(reasons) if flagged else "",
                    )
                )
    return DivergenceReport(rule, start, end, thr, tuple(pairs), tuple(notes))
