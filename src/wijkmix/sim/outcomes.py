"""Outcome tables of a simulation run: who lives where, who left, who came.

The :class:`OutcomeRecorder` follows one replicate of a run. The runner calls
:meth:`~OutcomeRecorder.start` once on the initial state (year 0),
:meth:`~OutcomeRecorder.record_year` after the steps of every simulated year,
and :meth:`~OutcomeRecorder.finish` at the horizon; ``finish`` returns the
immutable :class:`Outcomes`.

Memory: the recorder keeps a household-level snapshot only at the start
(:math:`t_0`) and at the end (:math:`T`). For the years in between it keeps
aggregates (unit × category count matrices, a few indices per level, counts
per gemeente and per group), whose size depends on the number of areas, not on
the number of households.

What is recorded
----------------
Per year (0 = the start, before the first simulated year) and level:

* ``composition``: households per unit by tenure (``owner``), ``segment``,
  ``income_class`` (``laag``/``midden``/``hoog``), ``income_source`` and
  ``vulnerable`` (``ja``/``nee``), plus the unit total (variable
  ``households``, category ``totaal``). Category cells with 0 households are
  left out (a missing cell means 0); the total row is there for every unit.
* ``segregation``: M, H (:mod:`wijkmix.measures.segregation`) and the
  dissimilarity of low income against the rest over the units of each level,
  and the exact hierarchical decomposition of M
  (:func:`wijkmix.measures.decompose.decompose`) over the nested levels
  complex (or straat) ⊂ buurt ⊂ wijk ⊂ gemeente.
* ``social_rent``: the share of social rent among existing dwellings (status
  ``bewoond`` or ``leeg``) per gemeente against the target (30 %).
* ``waiting``: placements, unplaced seekers, success rate and mean waiting
  time per group, read from the step reports (see
  :meth:`OutcomeRecorder.record_year`), and the households still seeking at
  the end of the year by the cause of their search (from the state).

Per plan area, between :math:`t_0` and :math:`T`:

* ``groups``: **stayers** (in the area at both times, the same household),
  **leavers** by kind and **newcomers** by origin, and how many households
  were forced to move out of a dwelling in the area and how many of them came
  back;
* ``destinations``: where the leavers went (buurt at :math:`T`, or out of the
  region, dissolved, without a dwelling), and how the share of vulnerable
  households and the mean income of their new buurt compare with those of
  their old buurt, both at :math:`T`;
* ``change``: the change decomposition of DESIGN §4
  (:func:`wijkmix.measures.change.panel_change`) for the mean income and the
  percentages of low-income and vulnerable households.

Classification of leavers (in this order): **gedwongen** when the ledger has a
``FORCED`` or ``TEMPORARY`` move from a dwelling in the area (the step that
displaces a household records the dwelling it lost as ``from_dwelling``; for
buurt and wijk areas ``from_buurt`` is used when ``from_dwelling`` is -1);
else **opgeheven** when the household ended (``DISSOLVED``) by :math:`T`; else
**uit_regio** when it left the region (``LEFT``); else **vrijwillig**. A
forced leaver who later left the region is counted as forced, with
destination "buiten de regio". Newcomers come from the **zelfde_buurt** (only
possible for complex and straat areas), **andere_buurt_gemeente**,
**andere_gemeente_regio**, **buiten_regio** (a new household with an
``INFLOW`` move in the ledger), **nieuw_huishouden** (formed in the region,
e.g. a starter) or **zonder_woning** (existed at :math:`t_0` without a
dwelling).

Privacy: every table carries the number of households each value is based on;
:meth:`Outcomes.disclosed` passes a table through :func:`wijkmix.disclosure.gate`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wijkmix.disclosure import MIN_HOUSEHOLDS, DisclosedTable, gate
from wijkmix.errors import InputError, Location
from wijkmix.measures.change import panel_change
from wijkmix.measures.decompose import decompose
from wijkmix.measures.segregation import dissimilarity, mutual_information, theil_h
from wijkmix.sim.state import (
    BEWOOND,
    CORPORATIE,
    INCOME_SOURCES,
    LEEG,
    OWNERS,
    SEGMENTS,
    SOCIALE_HUUR,
    AreaIndex,
    Cause,
    HouseholdState,
    Ledger,
    State,
)

__all__ = [
    "CAUSE_LABELS",
    "INCOME_CLASSES",
    "LEAVER_KINDS",
    "NEWCOMER_ORIGINS",
    "NOTE_NOT_SIMULATED",
    "PLAN_LEVELS",
    "REPORT_LEVELS",
    "TABLES",
    "VARIABLES",
    "OutcomeRecorder",
    "OutcomeSettings",
    "Outcomes",
    "Waterbed",
    "classify_income",
    "waterbed",
]

#: Income classes, lowest first.
INCOME_CLASSES: tuple[str, ...] = ("laag", "midden", "hoog")
#: Composition variables and their categories (in column order).
VARIABLES: Mapping[str, tuple[str, ...]] = {
    "households": ("totaal",),
    "owner": OWNERS,
    "segment": SEGMENTS,
    "income_class": INCOME_CLASSES,
    "income_source": INCOME_SOURCES,
    "vulnerable": ("ja", "nee"),
}
#: Levels that can be reported, finest first.
REPORT_LEVELS: tuple[str, ...] = ("complex", "straat", "buurt", "wijk", "gemeente")
#: Levels a plan area can have.
PLAN_LEVELS: tuple[str, ...] = ("complex", "straat", "buurt", "wijk")
#: Kinds of leavers, in the order of classification.
LEAVER_KINDS: tuple[str, ...] = ("gedwongen", "opgeheven", "uit_regio", "vrijwillig")
#: Origins of newcomers.
NEWCOMER_ORIGINS: tuple[str, ...] = (
    "zelfde_buurt",
    "andere_buurt_gemeente",
    "andere_gemeente_regio",
    "buiten_regio",
    "nieuw_huishouden",
    "zonder_woning",
)
#: Dutch labels of the ledger causes (used for seekers by the cause of their search).
CAUSE_LABELS: Mapping[int, str] = {
    Cause.FORCED: "gedwongen",
    Cause.VOLUNTARY: "vrijwillig",
    Cause.STARTER: "starter",
    Cause.INFLOW: "instroom",
    Cause.OUTFLOW: "uitstroom",
    Cause.RETURN: "terugkeer",
    Cause.TEMPORARY: "tijdelijk",
    Cause.DISSOLUTION: "opgeheven",
}
#: The note every outcome set carries (DESIGN §5).
NOTE_NOT_SIMULATED = (
    "Sociale en economische maatregelen worden niet gesimuleerd: volgen met de monitor."
)

_DEST_OUTSIDE = "buiten de regio"
_DEST_DISSOLVED = "opgeheven"
_DEST_UNHOUSED = "zonder woning"
_CHANNELS: tuple[tuple[str, str], ...] = (("allocation", "sociale_huur"), ("market", "markt"))
_INDICATORS: tuple[str, ...] = ("gemiddeld_inkomen", "aandeel_laag_inkomen", "aandeel_kwetsbaar")

# the flat category columns of the per-year count matrices
_CATEGORY_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (var, cat) for var, cats in VARIABLES.items() for cat in cats
)
_OFFSET: dict[str, int] = {}
_k = 0
for _var, _cats in VARIABLES.items():
    _OFFSET[_var] = _k
    _k += len(_cats)
del _k, _var, _cats

_COLUMNS: dict[str, tuple[str, ...]] = {
    "composition": (
        "year",
        "level",
        "code",
        "variable",
        "category",
        "households",
        "unit_households",
        "share",
    ),
    "segregation": (
        "year",
        "level",
        "n_units",
        "households",
        "M",
        "H",
        "D_laag",
        "within",
        "component_m",
        "component_h",
        "component_share",
        "share_within",
        "decomposition_households",
    ),
    "social_rent": (
        "year",
        "gemeente",
        "dwellings",
        "social_rent",
        "share",
        "target",
        "gap",
        "meets_target",
        "social_rent_all_owners",
        "share_all_owners",
    ),
    "waiting": (
        "year",
        "channel",
        "group",
        "placed",
        "unplaced",
        "seekers",
        "success_rate",
        "mean_wait",
        "mean_registration",
        "wait_households",
    ),
    "groups": (
        "plan_level",
        "plan_code",
        "group",
        "kind",
        "households",
        "compared",
        "vulnerable_share_old",
        "vulnerable_share_new",
        "mean_income_old",
        "mean_income_new",
    ),
    "destinations": (
        "plan_level",
        "plan_code",
        "kind",
        "destination",
        "households",
        "compared",
        "vulnerable_share_old",
        "vulnerable_share_new",
        "diff_vulnerable_share",
        "mean_income_old",
        "mean_income_new",
        "diff_mean_income",
    ),
    "change": (
        "plan_level",
        "plan_code",
        "indicator",
        "n_stayers",
        "n_leavers",
        "n_newcomers",
        "n_t0",
        "n_T",
        "n_terms",
        "s0",
        "sT",
        "l0",
        "nT",
        "w0",
        "wT",
        "x0",
        "xT",
        "delta",
        "stayers",
        "replacement",
        "shift",
        "total",
    ),
}

#: The tables of :class:`Outcomes` and, per table, the household count column
#: each value column is gated by (:meth:`Outcomes.disclosed`).
TABLES: Mapping[str, Mapping[str, str]] = {
    "composition": {
        "households": "households",
        "share": "households",
        "unit_households": "unit_households",
    },
    "segregation": {
        c: "households" for c in ("households", "M", "H", "D_laag", "component_m", "component_h")
    }
    | {"component_share": "households", "share_within": "households"},
    "social_rent": {
        c: "dwellings"
        for c in (
            "dwellings",
            "social_rent",
            "share",
            "gap",
            "social_rent_all_owners",
            "share_all_owners",
        )
    },
    "waiting": {
        "placed": "placed",
        "unplaced": "unplaced",
        "seekers": "seekers",
        "success_rate": "seekers",
        "mean_wait": "wait_households",
        "mean_registration": "wait_households",
    },
    "groups": {
        "households": "households",
        "vulnerable_share_old": "compared",
        "vulnerable_share_new": "compared",
        "mean_income_old": "compared",
        "mean_income_new": "compared",
    },
    "destinations": {
        "households": "households",
        "vulnerable_share_old": "compared",
        "vulnerable_share_new": "compared",
        "diff_vulnerable_share": "compared",
        "mean_income_old": "compared",
        "mean_income_new": "compared",
        "diff_mean_income": "compared",
    },
    "change": {
        "n_stayers": "n_stayers",
        "n_leavers": "n_leavers",
        "n_newcomers": "n_newcomers",
        "n_t0": "n_t0",
        "n_T": "n_T",
        "s0": "n_stayers",
        "sT": "n_stayers",
        "l0": "n_leavers",
        "nT": "n_newcomers",
        "w0": "n_terms",
        "wT": "n_terms",
        "x0": "n_t0",
        "xT": "n_T",
        "delta": "n_terms",
        "stayers": "n_terms",
        "replacement": "n_terms",
        "shift": "n_terms",
        "total": "n_terms",
    },
}


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in _COLUMNS[name]})


# ---------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeSettings:
    """What to record (the constructor only stores; :meth:`OutcomeRecorder.start` checks).

    Parameters
    ----------
    income_low : float
        Gross yearly household income below which a household is in the class
        ``laag`` (for example the DAEB income limit of the start year, or the
        CBS low-income line converted to gross income: the caller chooses).
    income_high : float
        Income from which a household is in the class ``hoog``; in between is
        ``midden``. Must be at least ``income_low``.
    plan_areas : sequence of (level, code)
        The areas of the plan, level one of ``complex``, ``straat``, ``buurt``,
        ``wijk``; for each the three groups, destinations and the change
        decomposition are reported.
    levels : sequence of str
        Levels for composition and segregation (a subset of ``complex``,
        ``straat``, ``buurt``, ``wijk``, ``gemeente``).
    social_rent_target : float, default 0.30
        Target share of social rent per gemeente (national policy: at least
        30 %).
    income_by_year : mapping of int to (float, float), optional
        Thresholds ``(low, high)`` per simulated year (0 = start) overriding
        ``income_low``/``income_high``, for incomes that are indexed over the
        run.
    """

    income_low: float
    income_high: float
    plan_areas: Sequence[tuple[str, str]] = ()
    levels: Sequence[str] = REPORT_LEVELS
    social_rent_target: float = 0.30
    income_by_year: Mapping[int, tuple[float, float]] = field(default_factory=dict)

    def thresholds(self, year: int) -> tuple[float, float]:
        """The ``(low, high)`` income thresholds of a simulated year."""
        if year in self.income_by_year:
            low, high = self.income_by_year[year]
            return float(low), float(high)
        return float(self.income_low), float(self.income_high)


def classify_income(income: np.ndarray, low: float, high: float) -> np.ndarray:
    """Income class codes: 0 ``laag`` (< low), 1 ``midden``, 2 ``hoog`` (>= high).

    >>> classify_income(np.array([10.0, 30.0, 50.0, 60.0]), 30.0, 60.0).tolist()
    [0, 1, 1, 2]
    """
    inc = np.asarray(income, dtype=np.float64)
    out = np.ones(len(inc), dtype=np.int8)
    out[inc < low] = 0
    out[inc >= high] = 2
    return out


def _check_number(value: object, name: str, *, lo: float | None = None) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x) or (lo is not None and x < lo):
        raise InputError(
            "invalid setting",
            where=Location(field=name),
            expected="a finite number" + (f" of at least {lo:g}" if lo is not None else ""),
            found=value,
        )
    return x


def _validate(settings: OutcomeSettings, areas: AreaIndex) -> tuple[str, ...]:
    """Check the settings against the areas; return the levels in hierarchy order."""
    low = _check_number(settings.income_low, "income_low")
    high = _check_number(settings.income_high, "income_high")
    if high < low:
        raise InputError(
            "income thresholds out of order",
            where=Location(field="income_high"),
            expected=f"a threshold of at least income_low ({low:g})",
            found=high,
        )
    for year, pair in settings.income_by_year.items():
        try:
            lo_y, hi_y = pair
        except (TypeError, ValueError):
            raise InputError(
                "invalid income thresholds",
                where=Location(field=f"income_by_year[{year}]"),
                expected="a pair (low, high)",
                found=pair,
            ) from None
        a = _check_number(lo_y, f"income_by_year[{year}]")
        b = _check_number(hi_y, f"income_by_year[{year}]")
        if b < a:
            raise InputError(
                "income thresholds out of order",
                where=Location(field=f"income_by_year[{year}]"),
                expected="low <= high",
                found=pair,
            )
    target = _check_number(settings.social_rent_target, "social_rent_target", lo=0.0)
    if target > 1:
        raise InputError(
            "invalid setting",
            where=Location(field="social_rent_target"),
            expected="a share between 0 and 1 (0.30 for 30 %)",
            found=settings.social_rent_target,
        )
    levels = [str(x) for x in settings.levels]
    bad = [x for x in levels if x not in REPORT_LEVELS]
    if bad or not levels or len(set(levels)) != len(levels):
        raise InputError(
            "invalid levels",
            where=Location(field="levels"),
            expected="distinct levels among " + ", ".join(REPORT_LEVELS),
            found=", ".join(levels) if levels else "nothing",
        )
    for i, item in enumerate(settings.plan_areas):
        where = Location(field=f"plan_areas[{i}]")
        try:
            level, code = item
        except (TypeError, ValueError):
            raise InputError(
                "invalid plan area", where=where, expected="a pair (level, code)", found=item
            ) from None
        if level not in PLAN_LEVELS:
            raise InputError(
                "invalid plan area level",
                where=where,
                expected="one of " + ", ".join(PLAN_LEVELS),
                found=level,
            )
        if code not in getattr(areas, level):
            raise InputError(
                "unknown plan area",
                where=where,
                expected=f"a {level} code of the simulated registers",
                found=code,
            )
    return tuple(x for x in REPORT_LEVELS if x in levels)


# ---------------------------------------------------------------------------
# snapshots and per-year aggregates
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """Household-level data of the active households at one moment."""

    ids: np.ndarray  # int64 h_id
    dwelling: np.ndarray  # int32, -1 not housed
    buurt: np.ndarray  # int32, -1 not housed
    complex: np.ndarray  # int32, -1 unknown or not housed
    straat: np.ndarray  # int32
    income: np.ndarray  # float64
    income_class: np.ndarray  # int8
    vulnerable: np.ndarray  # bool
    source: np.ndarray  # int8
    owner: np.ndarray  # int8, -1 not housed
    segment: np.ndarray  # int8, -1 not housed

    def unit(self, level: str, areas: AreaIndex) -> np.ndarray:
        """The unit index of every household at ``level`` (-1: none)."""
        if level == "complex":
            return self.complex
        if level == "straat":
            return self.straat
        if level == "buurt":
            return self.buurt
        parent = areas.buurt_wijk if level == "wijk" else areas.buurt_gemeente
        return np.where(self.buurt >= 0, parent[np.maximum(self.buurt, 0)], -1)


def _snapshot(state: State, low: float, high: float) -> _Snapshot:
    active = np.flatnonzero(state.h_state == HouseholdState.ACTIVE)
    dw = state.h_dwelling[active].astype(np.int32)
    housed = dw >= 0
    safe = np.where(housed, dw, 0)

    def at(col: np.ndarray, dtype: type) -> np.ndarray:
        return np.where(housed, col[safe], -1).astype(dtype)

    return _Snapshot(
        ids=state.h_id[active].astype(np.int64),
        dwelling=dw,
        buurt=at(state.d_buurt, np.int32),
        complex=at(state.d_complex, np.int32),
        straat=at(state.d_straat, np.int32),
        income=state.h_income[active].astype(np.float64),
        income_class=classify_income(state.h_income[active], low, high),
        vulnerable=state.h_vulnerable[active].astype(bool),
        source=state.h_source[active].astype(np.int8),
        owner=at(state.d_owner, np.int8),
        segment=at(state.d_segment, np.int8),
    )


@dataclass(frozen=True)
class _Year:
    """The aggregates of one year (no household-level arrays)."""

    year: int
    counts: Mapping[str, np.ndarray]  # level -> (n_units, n_categories) int32
    segregation: tuple[dict[str, Any], ...]
    dwellings: np.ndarray  # per gemeente: existing dwellings
    social: np.ndarray  # corporatie and sociale_huur
    social_all: np.ndarray  # sociale_huur, any owner
    waiting: tuple[dict[str, Any], ...]


def _n_units(areas: AreaIndex, level: str) -> int:
    return len(getattr(areas, level))


def _household_units(state: State, dw: np.ndarray) -> dict[str, np.ndarray]:
    a = state.areas
    b = state.d_buurt[dw]
    return {
        "complex": state.d_complex[dw],
        "straat": state.d_straat[dw],
        "buurt": b,
        "wijk": a.buurt_wijk[b],
        "gemeente": a.buurt_gemeente[b],
    }


def _count_matrix(unit: np.ndarray, cats: Mapping[str, np.ndarray], n_units: int) -> np.ndarray:
    ok = unit >= 0
    u = unit[ok].astype(np.int64)
    out = np.zeros((n_units, len(_CATEGORY_COLUMNS)), dtype=np.int32)
    out[:, 0] = np.bincount(u, minlength=n_units)[:n_units]
    for var, codes in cats.items():
        k = len(VARIABLES[var])
        c = codes[ok].astype(np.int64)
        counts = np.bincount(u * k + c, minlength=n_units * k)[: n_units * k]
        out[:, _OFFSET[var] : _OFFSET[var] + k] = counts.reshape(n_units, k)
    out.flags.writeable = False
    return out


def _indices(table: np.ndarray) -> tuple[float, float, float]:
    """M, H and the dissimilarity of column 0 (laag) against the rest."""
    t = table[table.sum(axis=1) > 0].astype(np.float64)
    if t.size == 0:
        return math.nan, math.nan, math.nan
    return mutual_information(t), theil_h(t), dissimilarity(t, group=0)


def _chain(levels: tuple[str, ...], areas: AreaIndex) -> list[str]:
    """The nested levels of the hierarchical decomposition, finest first."""
    chain: list[str] = []
    if "complex" in levels and len(areas.complex):
        chain.append("complex")
    elif "straat" in levels and len(areas.straat):
        chain.append("straat")
    chain += [x for x in ("buurt", "wijk", "gemeente") if x in levels]
    return chain


def _hierarchy(
    chain: list[str], units: Mapping[str, np.ndarray], cls: np.ndarray, areas: AreaIndex
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Components of M per chain level; notes (Dutch) on what was done."""
    notes: set[str] = set()
    if not chain:
        return {}, notes
    chain = list(chain)
    buurt = units["buurt"]
    finest: np.ndarray | None = None
    if chain[0] in ("complex", "straat"):
        sub = chain[0]
        u = units[sub]
        known = u >= 0
        n_sub = _n_units(areas, sub)
        parent = np.full(n_sub, -1, dtype=np.int64)
        parent[u[known]] = buurt[known]
        if np.array_equal(parent[u[known]], buurt[known]):
            if not known.all():
                notes.add(
                    f"In de hiërarchische ontleding vormen woningen zonder {sub} per buurt "
                    "samen één eenheid."
                )
            finest = np.where(known, u, n_sub + buurt).astype(np.int64)
        else:
            notes.add(
                f"Niet elk(e) {sub} ligt binnen één buurt: de hiërarchische ontleding "
                f"slaat het niveau {sub} over."
            )
            chain = chain[1:]
    if not chain:
        return {}, notes
    if finest is None:
        finest = units[chain[0]].astype(np.int64)
    n_f = int(finest.max()) + 1 if len(finest) else 0
    table = np.bincount(finest * 3 + cls, minlength=n_f * 3).reshape(n_f, 3)
    first = np.full(n_f, -1, dtype=np.int64)
    first[finest[::-1]] = np.arange(len(finest))[::-1]
    present = np.flatnonzero(table.sum(axis=1) > 0)
    rows = first[present]
    frame: dict[str, np.ndarray] = {chain[0]: np.repeat(present, 3)}
    for level in chain[1:]:
        frame[level] = np.repeat(units[level][rows].astype(np.int64), 3)
    frame["g"] = np.tile(np.arange(3), len(present))
    frame["n"] = table[present].ravel().astype(np.float64)
    df = pd.DataFrame(frame)
    try:
        d = decompose(df, {x: x for x in chain}, group="g", weight="n", source="simulatie")
    except InputError as exc:
        if "not nested" in str(exc):
            notes.add("De gebiedsindeling is niet genest: geen hiërarchische ontleding.")
        return {}, notes
    out: dict[str, dict[str, Any]] = {}
    comp: dict[Any, dict[Any, Any]] = d.components.set_index("level").to_dict("index")
    for level in chain:
        row = comp[level]
        out[level] = {
            "within": None if pd.isna(row["within"]) else str(row["within"]),
            "component_m": float(row["m"]),
            "component_h": float(row["h"]),
            "component_share": float(row["share"]),
            "share_within": d.share_within(level),
            "decomposition_households": round(d.n),
        }
    return out, notes


def _field(report: object, *names: str) -> Mapping[str, float] | None:
    """The first of ``names`` that the report has as a mapping (attribute or key)."""
    for name in names:
        value = report.get(name) if isinstance(report, Mapping) else getattr(report, name, None)
        if isinstance(value, Mapping):
            return value
    return None


def _waiting_rows(
    year: int, reports: Mapping[str, object], state: State, notes: set[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    nan = math.nan
    for key, channel in _CHANNELS:
        report = reports.get(key)
        if report is None:
            continue
        placed = _field(report, "placed_by_group", "placed_by_cause")
        unplaced = _field(report, "unplaced_by_group")
        wait = _field(report, "mean_wait_by_group", "mean_seek_years_placed")
        registration = _field(report, "mean_registration_placed")
        if placed is None and unplaced is None:
            notes.add(
                f"Het rapport '{key}' bevat geen plaatsingen per groep: "
                "geen slagingskansen voor dit kanaal."
            )
            continue
        groups = sorted({*(placed or {}), *(unplaced or {})}, key=str)
        for g in groups:
            p = float((placed or {}).get(g, 0))
            u = float(unplaced.get(g, 0)) if unplaced is not None else nan
            w = (wait or {}).get(g)
            r = (registration or {}).get(g)
            rows.append(
                {
                    "year": year,
                    "channel": channel,
                    "group": str(g),
                    "placed": p,
                    "unplaced": u,
                    "seekers": p + u,
                    "success_rate": p / (p + u) if p + u > 0 else nan,
                    "mean_wait": nan if w is None else float(w),
                    "mean_registration": nan if r is None else float(r),
                    "wait_households": p,
                }
            )
    seeking = (state.h_seek_cause >= 0) & (state.h_state == HouseholdState.ACTIVE)
    if seeking.any():
        cause = state.h_seek_cause[seeking].astype(np.int64)
        years = state.h_seek_years[seeking].astype(np.float64)
        n = np.bincount(cause, minlength=len(Cause))
        s = np.bincount(cause, weights=years, minlength=len(Cause))
        for c in np.flatnonzero(n):
            rows.append(
                {
                    "year": year,
                    "channel": "zoekend",
                    "group": CAUSE_LABELS.get(int(c), str(int(c))),
                    "placed": math.nan,
                    "unplaced": float(n[c]),
                    "seekers": float(n[c]),
                    "success_rate": math.nan,
                    "mean_wait": float(s[c] / n[c]),
                    "mean_registration": math.nan,
                    "wait_households": float(n[c]),
                }
            )
    return rows


def _aggregate(
    state: State,
    year: int,
    levels: tuple[str, ...],
    settings: OutcomeSettings,
    reports: Mapping[str, object],
    notes: set[str],
) -> _Year:
    areas = state.areas
    housed = np.flatnonzero(state.h_dwelling >= 0)
    dw = state.h_dwelling[housed]
    low, high = settings.thresholds(year)
    cls = classify_income(state.h_income[housed], low, high).astype(np.int64)
    cats = {
        "owner": state.d_owner[dw],
        "segment": state.d_segment[dw],
        "income_class": cls,
        "income_source": state.h_source[housed],
        "vulnerable": np.where(state.h_vulnerable[housed], 0, 1),
    }
    units = _household_units(state, dw)
    counts: dict[str, np.ndarray] = {}
    seg_rows: list[dict[str, Any]] = []
    off = _OFFSET["income_class"]
    hier, hier_notes = _hierarchy(_chain(levels, areas), units, cls, areas)
    notes |= hier_notes
    for level in levels:
        mat = _count_matrix(units[level], cats, _n_units(areas, level))
        counts[level] = mat
        m, h, d = _indices(mat[:, off : off + 3])
        row: dict[str, Any] = {
            "year": year,
            "level": level,
            "n_units": int(np.count_nonzero(mat[:, 0])),
            "households": int(mat[:, 0].sum()),
            "M": m,
            "H": h,
            "D_laag": d,
            "within": None,
            "component_m": math.nan,
            "component_h": math.nan,
            "component_share": math.nan,
            "share_within": math.nan,
            "decomposition_households": math.nan,
        }
        row.update(hier.get(level, {}))
        seg_rows.append(row)
    existing = (state.d_status == BEWOOND) | (state.d_status == LEEG)
    gem = areas.buurt_gemeente[state.d_buurt]
    n_gem = len(areas.gemeente)
    soc = existing & (state.d_segment == SOCIALE_HUUR)
    corp = soc & (state.d_owner == CORPORATIE)
    return _Year(
        year=year,
        counts=counts,
        segregation=tuple(seg_rows),
        dwellings=np.bincount(gem[existing], minlength=n_gem),
        social=np.bincount(gem[corp], minlength=n_gem),
        social_all=np.bincount(gem[soc], minlength=n_gem),
        waiting=tuple(_waiting_rows(year, reports, state, notes)),
    )


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcomes:
    """The outcome tables of one replicate (English column names, Dutch labels).

    Attributes
    ----------
    composition : pandas.DataFrame
        ``year, level, code, variable, category, households, unit_households,
        share``: households per unit and category (see :data:`VARIABLES`);
        ``share = households / unit_households``. Year 0 is the start.
    segregation : pandas.DataFrame
        ``year, level, n_units, households, M, H, D_laag`` (indices of income
        class over the units of the level; ``D_laag``: dissimilarity of low
        income against the rest) and the hierarchical decomposition ``within``
        (the parent level), ``component_m``/``component_h`` (M and H between
        the units of the level inside their parents), ``component_share``
        (fraction of total M), ``share_within`` (fraction of total M inside
        the units of the level), ``decomposition_households``.
    social_rent : pandas.DataFrame
        ``year, gemeente, dwellings`` (existing: ``bewoond`` or ``leeg``),
        ``social_rent`` (owned by a corporation and in the segment
        ``sociale_huur``), ``share``, ``target``, ``gap = share - target``,
        ``meets_target``, and ``social_rent_all_owners``/``share_all_owners``
        (segment ``sociale_huur`` whoever the owner).
    waiting : pandas.DataFrame
        ``year, channel, group, placed, unplaced, seekers, success_rate,
        mean_wait, mean_registration, wait_households`` (see
        :meth:`OutcomeRecorder.record_year`). Channels ``sociale_huur`` and
        ``markt`` come from the step reports (groups as the reports name
        them); channel ``zoekend`` counts the households still seeking at the
        end of the year by the cause of their search (``unplaced`` =
        ``seekers``, ``mean_wait`` = mean years sought so far).
    groups : pandas.DataFrame
        ``plan_level, plan_code, group, kind, households`` with groups
        ``blijvers``, ``vertrekkers`` (kinds :data:`LEAVER_KINDS`),
        ``nieuwkomers`` (kinds :data:`NEWCOMER_ORIGINS`) and
        ``gedwongen_verhuisd`` (``totaal``, ``teruggekeerd``,
        ``niet_teruggekeerd``), each with kind ``totaal``; for leavers also
        ``compared`` (housed in the region at T) and the buurt comparison
        ``vulnerable_share_old/new``, ``mean_income_old/new`` (old and new
        buurt, both at T, averaged over the leavers).
    destinations : pandas.DataFrame
        ``plan_level, plan_code, kind, destination, households, compared``
        and the buurt comparison with differences ``diff_* = new - old``.
    change : pandas.DataFrame
        Per plan area and indicator (:func:`wijkmix.measures.change.panel_change`
        columns): group sizes, ``n_t0``, ``n_T``, ``n_terms`` (smallest
        non-empty group, the count the terms are gated by), means, shares,
        ``delta`` and the terms ``stayers, replacement, shift, total``.
        Indicators: ``gemiddeld_inkomen`` (euro), ``aandeel_laag_inkomen`` and
        ``aandeel_kwetsbaar`` (percent).
    notes : tuple of str
        Notes for readers (Dutch).
    replicate : int
        The replicate number from the ledger (-1 when unknown).
    years : tuple of int
        The years recorded (0 = start).
    """

    composition: pd.DataFrame = field(default_factory=lambda: _empty("composition"))
    segregation: pd.DataFrame = field(default_factory=lambda: _empty("segregation"))
    social_rent: pd.DataFrame = field(default_factory=lambda: _empty("social_rent"))
    waiting: pd.DataFrame = field(default_factory=lambda: _empty("waiting"))
    groups: pd.DataFrame = field(default_factory=lambda: _empty("groups"))
    destinations: pd.DataFrame = field(default_factory=lambda: _empty("destinations"))
    change: pd.DataFrame = field(default_factory=lambda: _empty("change"))
    notes: tuple[str, ...] = (NOTE_NOT_SIMULATED,)
    replicate: int = -1
    years: tuple[int, ...] = ()

    def disclosed(self, name: str, *, threshold: int = MIN_HOUSEHOLDS) -> DisclosedTable:
        """A table passed through the disclosure gate.

        Every value column is suppressed where the household count it is based
        on (see :data:`TABLES`) is below ``threshold``.

        Raises
        ------
        InputError
            For an unknown table name.
        """
        if name not in TABLES:
            raise InputError(
                "unknown outcome table",
                where=Location(field="name"),
                expected="one of " + ", ".join(TABLES),
                found=name,
            )
        frame: pd.DataFrame = getattr(self, name)
        spec = TABLES[name]
        values = list(spec)
        counts = [spec[v] for v in values]
        out = frame.copy()
        for c in {*values, *counts}:
            if c in out.columns:
                out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
        return gate(out, count=counts, values=values, threshold=threshold)


# ---------------------------------------------------------------------------
# the recorder
# ---------------------------------------------------------------------------


def _positions(state: State, ids: np.ndarray) -> np.ndarray:
    """Index in the state of each household id (h_id is unique)."""
    ids = np.asarray(ids, dtype=np.int64)
    n = state.n_households
    if len(ids) == 0:
        return np.empty(0, dtype=np.int64)
    if ids.max() < n and np.array_equal(state.h_id[ids], ids):
        return ids
    pos = pd.Index(state.h_id).get_indexer(ids)
    if (pos < 0).any():
        raise ValueError("outcomes: a household id of the start is missing from the state")
    return np.asarray(pos, dtype=np.int64)


def _dwelling_unit(state: State, level: str, dw: np.ndarray) -> np.ndarray:
    out = np.full(len(dw), -1, dtype=np.int64)
    ok = (dw >= 0) & (dw < state.n_dwellings)
    d = dw[ok]
    if level == "complex":
        u = state.d_complex[d]
    elif level == "straat":
        u = state.d_straat[d]
    else:
        u = _buurt_unit(state.areas, level, state.d_buurt[d])
    out[ok] = u
    return out


def _buurt_unit(areas: AreaIndex, level: str, b: np.ndarray) -> np.ndarray:
    b = np.asarray(b, dtype=np.int64)
    out = np.full(len(b), -1, dtype=np.int64)
    ok = b >= 0
    if level == "buurt":
        out[ok] = b[ok]
    elif level == "wijk":
        out[ok] = areas.buurt_wijk[b[ok]]
    elif level == "gemeente":
        out[ok] = areas.buurt_gemeente[b[ok]]
    return out


def _moves_in_area(
    state: State, level: str, idx: int, dwelling: np.ndarray, buurt: np.ndarray
) -> np.ndarray:
    """Whether the dwelling (or, for buurt/wijk without a dwelling, the buurt) is in the area."""
    inside = _dwelling_unit(state, level, dwelling) == idx
    if level in ("buurt", "wijk"):
        fallback = (dwelling < 0) & (_buurt_unit(state.areas, level, buurt) == idx)
        inside |= fallback
    return inside


def _buurt_stats(snap: _Snapshot, n_buurt: int) -> tuple[np.ndarray, np.ndarray]:
    """Share of vulnerable households and mean income per buurt (NaN when empty)."""
    ok = snap.buurt >= 0
    b = snap.buurt[ok].astype(np.int64)
    n = np.bincount(b, minlength=n_buurt).astype(np.float64)
    v = np.bincount(b, weights=snap.vulnerable[ok].astype(np.float64), minlength=n_buurt)
    inc = np.bincount(b, weights=snap.income[ok], minlength=n_buurt)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / n, np.nan), np.where(n > 0, inc / n, np.nan)


def _euro(x: float) -> str:
    """Whole euros with a point as thousands separator (Dutch)."""
    return f"{x:,.0f}".replace(",", ".")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else math.nan


class OutcomeRecorder:
    """Record the outcomes of one replicate (constructor only stores).

    Parameters
    ----------
    settings : OutcomeSettings
        What to record.
    areas : AreaIndex
        The areas of the simulated state.
    """

    def __init__(self, settings: OutcomeSettings, areas: AreaIndex) -> None:
        self.settings = settings
        self.areas = areas
        self._levels: tuple[str, ...] = ()
        self._t0: _Snapshot | None = None
        self._tT: _Snapshot | None = None
        self._years: list[_Year] = []
        self._notes: set[str] = set()
        self._finished = False

    def _check_areas(self, state: State) -> None:
        if state.areas is not self.areas and (
            state.areas.buurt != self.areas.buurt or state.areas.complex != self.areas.complex
        ):
            raise ValueError("outcomes: the state has other areas than the recorder")

    def start(self, state: State) -> None:
        """Check the settings and snapshot the state at the start (year 0).

        Raises
        ------
        InputError
            If a setting is invalid or a plan area is not in the state.
        """
        self._levels = _validate(self.settings, self.areas)
        self._check_areas(state)
        low, high = self.settings.thresholds(0)
        self._t0 = _snapshot(state, low, high)
        self._tT = None
        self._years = [_aggregate(state, 0, self._levels, self.settings, {}, self._notes)]
        self._finished = False

    def record_year(self, state: State, year: int, reports: Mapping[str, object]) -> None:
        """Append the aggregates of a simulated year (1..horizon).

        Parameters
        ----------
        state : State
            The state after the steps of the year.
        year : int
            The simulated year.
        reports : mapping of str to object
            The step reports of the year by step name. Read defensively: from
            ``reports["allocation"]`` (social rent) and ``reports["market"]``
            (owner-occupied and private rent), when present, the attributes
            (or mapping keys) ``placed_by_group: Mapping[str, int]`` (or
            ``placed_by_cause``), ``unplaced_by_group: Mapping[str, int]``,
            ``mean_wait_by_group`` or ``mean_seek_years_placed:
            Mapping[str, float]`` (mean years sought by those placed) and
            ``mean_registration_placed: Mapping[str, float]`` (mean
            registration years of those placed). Without ``unplaced_by_group``
            the unplaced count and the success rate are missing (not 0). A
            report without placements per group is noted, not an error.
        """
        if self._t0 is None or self._finished:
            raise RuntimeError("outcomes: call start() before record_year() and not after finish()")
        self._check_areas(state)
        if any(y.year == year for y in self._years):
            raise ValueError(f"outcomes: year {year} was recorded already")
        self._years.append(
            _aggregate(state, int(year), self._levels, self.settings, reports, self._notes)
        )

    def finish(self, state: State, ledger: Ledger) -> Outcomes:
        """Snapshot the end state and build the outcome tables.

        Parameters
        ----------
        state : State
            The state at the horizon (after the last ``record_year``).
        ledger : Ledger
            All moves of the replicate.

        Returns
        -------
        Outcomes
        """
        if self._t0 is None or self._finished:
            raise RuntimeError("outcomes: call start() before finish(), and finish() once")
        self._check_areas(state)
        last = max(y.year for y in self._years)
        low, high = self.settings.thresholds(last)
        self._tT = _snapshot(state, low, high)
        lg = ledger.arrays()
        reps = np.unique(lg["replicate"])
        replicate = int(reps[0]) if len(reps) == 1 else -1
        groups, destinations, change = self._plan_tables(state, lg)
        notes = [NOTE_NOT_SIMULATED]
        l0, h0 = self.settings.thresholds(0)
        notes.append(
            f"Inkomensklassen: laag onder € {_euro(l0)}, hoog vanaf € {_euro(h0)} "
            "(bruto huishoudinkomen per jaar), midden daartussen."
        )
        if self.settings.income_by_year:
            notes.append("De inkomensgrenzen verschillen per jaar (geïndexeerd).")
        notes.append(
            "Kleine eenheden (complexen, straten) geven hogere segregatie-indices door toeval."
        )
        notes.append(
            f"Cellen met minder dan {MIN_HOUSEHOLDS} huishoudens worden onderdrukt bij "
            "publicatie (weergegeven als '–')."
        )
        waiting = self._frame("waiting")
        if not (waiting["channel"] != "zoekend").any():
            notes.append(
                "Geen wachttijden of slagingskansen uit de toewijzing ontvangen; "
                "alleen het aantal zoekenden aan het eind van elk jaar."
            )
        notes += sorted(self._notes)
        self._finished = True
        return Outcomes(
            composition=self._composition(),
            segregation=self._frame("segregation"),
            social_rent=self._social_rent(),
            waiting=waiting,
            groups=groups,
            destinations=destinations,
            change=change,
            notes=tuple(notes),
            replicate=replicate,
            years=tuple(y.year for y in self._years),
        )

    # -- building the frames -----------------------------------------------------
    def _frame(self, name: str) -> pd.DataFrame:
        rows = [r for y in self._years for r in getattr(y, name)]
        if not rows:
            return _empty(name)
        return pd.DataFrame(rows, columns=list(_COLUMNS[name]))

    def _composition(self) -> pd.DataFrame:
        parts: dict[str, list[np.ndarray]] = {
            k: [] for k in ("year", "level", "unit", "cat", "n", "total")
        }
        level_ids = {lv: i for i, lv in enumerate(self._levels)}
        code_offset: dict[str, int] = {}
        all_codes: list[str] = []
        for lv in self._levels:
            code_offset[lv] = len(all_codes)
            all_codes += list(getattr(self.areas, lv))
        for y in self._years:
            for lv, mat in y.counts.items():
                keep = mat > 0
                keep[:, 0] = True
                u, c = np.nonzero(keep)
                parts["year"].append(np.full(len(u), y.year, dtype=np.int32))
                parts["level"].append(np.full(len(u), level_ids[lv], dtype=np.int32))
                parts["unit"].append(u.astype(np.int64) + code_offset[lv])
                parts["cat"].append(c.astype(np.int64))
                parts["n"].append(mat[u, c].astype(np.int64))
                parts["total"].append(mat[u, 0].astype(np.int64))
        if not parts["year"] or sum(len(p) for p in parts["year"]) == 0:
            return _empty("composition")
        cat = {k: np.concatenate(v) for k, v in parts.items()}
        uniq = pd.Index(all_codes, dtype=object).unique()
        code_map = np.asarray(uniq.get_indexer(pd.Index(all_codes, dtype=object)), dtype=np.int64)
        var_names = [v for v, _ in _CATEGORY_COLUMNS]
        cat_names = [c for _, c in _CATEGORY_COLUMNS]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(cat["total"] > 0, cat["n"] / np.maximum(cat["total"], 1), np.nan)
        return pd.DataFrame(
            {
                "year": cat["year"],
                "level": pd.Categorical.from_codes(
                    cat["level"], categories=pd.Index(list(self._levels))
                ),
                "code": pd.Categorical.from_codes(code_map[cat["unit"]], categories=uniq),
                "variable": pd.Categorical(
                    np.array(var_names, dtype=object)[cat["cat"]], categories=list(VARIABLES)
                ),
                "category": pd.Categorical(np.array(cat_names, dtype=object)[cat["cat"]]),
                "households": cat["n"],
                "unit_households": cat["total"],
                "share": share,
            }
        )

    def _social_rent(self) -> pd.DataFrame:
        target = float(self.settings.social_rent_target)
        frames = []
        for y in self._years:
            n = y.dwellings.astype(np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(n > 0, y.social / np.maximum(n, 1), np.nan)
                share_all = np.where(n > 0, y.social_all / np.maximum(n, 1), np.nan)
            frames.append(
                pd.DataFrame(
                    {
                        "year": y.year,
                        "gemeente": list(self.areas.gemeente),
                        "dwellings": y.dwellings.astype(np.int64),
                        "social_rent": y.social.astype(np.int64),
                        "share": share,
                        "target": target,
                        "gap": share - target,
                        "meets_target": share >= target,
                        "social_rent_all_owners": y.social_all.astype(np.int64),
                        "share_all_owners": share_all,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True) if frames else _empty("social_rent")

    def _plan_tables(
        self, state: State, lg: Mapping[str, np.ndarray]
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        assert self._t0 is not None and self._tT is not None
        s0, sT = self._t0, self._tT
        areas = self.areas
        buurt_codes = np.array(areas.buurt, dtype=object)
        vuln_T, inc_T = _buurt_stats(sT, len(areas.buurt))
        hid = lg["household_id"]
        cause = lg["cause"]
        inflow_ids = np.unique(hid[cause == Cause.INFLOW])
        forced_rows = np.isin(cause, (Cause.FORCED, Cause.TEMPORARY))
        return_rows = cause == Cause.RETURN
        s0_index = pd.Index(s0.ids)
        group_rows: list[dict[str, Any]] = []
        dest_frames: list[pd.DataFrame] = []
        change_rows: list[pd.DataFrame] = []
        for level, code in self.settings.plan_areas:
            idx = areas.index(level, code)
            in0 = s0.unit(level, areas) == idx
            inT = sT.unit(level, areas) == idx
            ids0, idsT = s0.ids[in0], sT.ids[inT]
            stay0 = np.isin(ids0, idsT)
            new_T = ~np.isin(idsT, ids0)
            leavers = ids0[~stay0]
            newcomers = idsT[new_T]
            # forced moves out of a dwelling in the area, returns into it
            fr = forced_rows.copy()
            fr[fr] = _moves_in_area(
                state, level, idx, lg["from_dwelling"][fr], lg["from_buurt"][fr]
            )
            rr = return_rows.copy()
            rr[rr] = _moves_in_area(state, level, idx, lg["to_dwelling"][rr], lg["to_buurt"][rr])
            forced_ids = np.unique(hid[fr])
            returned_ids = np.unique(hid[rr])
            forced0 = ids0[np.isin(ids0, forced_ids)]
            forced_returned = int(np.isin(forced0, returned_ids).sum())
            # leavers: kind, destination, buurt comparison
            pos = _positions(state, leavers)
            st = state.h_state[pos]
            kind = np.full(len(leavers), "vrijwillig", dtype=object)
            kind[st == HouseholdState.LEFT] = "uit_regio"
            kind[st == HouseholdState.DISSOLVED] = "opgeheven"
            kind[np.isin(leavers, forced_ids)] = "gedwongen"
            dw_T = state.h_dwelling[pos]
            housed = dw_T >= 0
            new_b = np.where(housed, state.d_buurt[np.where(housed, dw_T, 0)], -1)
            old_b = s0.buurt[in0][~stay0]
            dest = np.where(
                housed,
                buurt_codes[np.maximum(new_b, 0)],
                np.where(
                    st == HouseholdState.LEFT,
                    _DEST_OUTSIDE,
                    np.where(st == HouseholdState.DISSOLVED, _DEST_DISSOLVED, _DEST_UNHOUSED),
                ),
            ).astype(object)
            ok_old = old_b >= 0
            v_old = np.where(housed & ok_old, vuln_T[np.maximum(old_b, 0)], np.nan)
            v_new = np.where(housed, vuln_T[np.maximum(new_b, 0)], np.nan)
            i_old = np.where(housed & ok_old, inc_T[np.maximum(old_b, 0)], np.nan)
            i_new = np.where(housed, inc_T[np.maximum(new_b, 0)], np.nan)
            # newcomers: origin
            p0 = s0_index.get_indexer(newcomers)
            existed = p0 >= 0
            b0 = np.where(existed, s0.buurt[np.maximum(p0, 0)], -1)
            bT = sT.buurt[inT][new_T]
            gem = areas.buurt_gemeente
            origin = np.full(len(newcomers), "nieuw_huishouden", dtype=object)
            origin[~existed & np.isin(newcomers, inflow_ids)] = "buiten_regio"
            origin[existed & (b0 < 0)] = "zonder_woning"
            has_b0 = existed & (b0 >= 0)
            same_gem = has_b0 & (gem[np.maximum(b0, 0)] == gem[np.maximum(bT, 0)])
            origin[has_b0] = "andere_gemeente_regio"
            origin[same_gem] = "andere_buurt_gemeente"
            origin[has_b0 & (b0 == bT)] = "zelfde_buurt"

            base = {"plan_level": level, "plan_code": code}
            cmp = {"housed": housed, "v_old": v_old, "v_new": v_new, "i_old": i_old, "i_new": i_new}
            everyone = np.ones(len(leavers), dtype=bool)
            group_rows.append(_group_row(base, "blijvers", "totaal", int(stay0.sum())))
            group_rows.append(
                _group_row(base, "vertrekkers", "totaal", len(leavers), everyone, cmp)
            )
            for k in LEAVER_KINDS:
                sel = kind == k
                group_rows.append(_group_row(base, "vertrekkers", k, int(sel.sum()), sel, cmp))
            group_rows.append(_group_row(base, "nieuwkomers", "totaal", len(newcomers)))
            for o in NEWCOMER_ORIGINS:
                group_rows.append(_group_row(base, "nieuwkomers", o, int((origin == o).sum())))
            n_forced = len(forced0)
            for k, n in (
                ("totaal", n_forced),
                ("teruggekeerd", forced_returned),
                ("niet_teruggekeerd", n_forced - forced_returned),
            ):
                group_rows.append(_group_row(base, "gedwongen_verhuisd", k, n))

            if len(leavers):
                d = pd.DataFrame(
                    {
                        "kind": kind.astype(str),
                        "destination": dest.astype(str),
                        "one": 1,
                        "cmp": housed.astype(np.int64),
                        "v_old": v_old,
                        "v_new": v_new,
                        "i_old": i_old,
                        "i_new": i_new,
                    }
                )
                g = d.groupby(["kind", "destination"], sort=False)
                agg = g.agg(
                    households=("one", "sum"),
                    compared=("cmp", "sum"),
                    vulnerable_share_old=("v_old", "mean"),
                    vulnerable_share_new=("v_new", "mean"),
                    mean_income_old=("i_old", "mean"),
                    mean_income_new=("i_new", "mean"),
                ).reset_index()
                agg["diff_vulnerable_share"] = (
                    agg["vulnerable_share_new"] - agg["vulnerable_share_old"]
                )
                agg["diff_mean_income"] = agg["mean_income_new"] - agg["mean_income_old"]
                agg["order"] = agg["kind"].map({k: i for i, k in enumerate(LEAVER_KINDS)})
                agg = agg.sort_values(
                    ["order", "households", "destination"], ascending=[True, False, True]
                )
                agg.insert(0, "plan_code", code)
                agg.insert(0, "plan_level", level)
                dest_frames.append(agg[list(_COLUMNS["destinations"])])

            # change decomposition
            values0 = {
                "gemiddeld_inkomen": s0.income[in0],
                "aandeel_laag_inkomen": 100.0 * (s0.income_class[in0] == 0),
                "aandeel_kwetsbaar": 100.0 * s0.vulnerable[in0],
            }
            valuesT = {
                "gemiddeld_inkomen": sT.income[inT],
                "aandeel_laag_inkomen": 100.0 * (sT.income_class[inT] == 0),
                "aandeel_kwetsbaar": 100.0 * sT.vulnerable[inT],
            }
            for ind in _INDICATORS:
                change_rows.append(
                    _change_row(level, code, ind, ids0, values0[ind], idsT, valuesT[ind])
                )
        groups = pd.DataFrame(group_rows, columns=list(_COLUMNS["groups"]))
        if not group_rows:
            groups = _empty("groups")
        destinations = (
            pd.concat(dest_frames, ignore_index=True) if dest_frames else _empty("destinations")
        )
        change = pd.concat(change_rows, ignore_index=True) if change_rows else _empty("change")
        return groups, destinations, change


def _group_row(
    base: Mapping[str, str],
    group: str,
    kind: str,
    n: int,
    sel: np.ndarray | None = None,
    cmp: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """One row of the groups table; with ``sel``, the buurt comparison of those leavers."""
    row: dict[str, Any] = {**base, "group": group, "kind": kind, "households": n}
    if sel is not None and cmp is not None:
        ok = sel & cmp["housed"]
        row.update(
            compared=int(ok.sum()),
            vulnerable_share_old=_mean(cmp["v_old"][ok]),
            vulnerable_share_new=_mean(cmp["v_new"][ok]),
            mean_income_old=_mean(cmp["i_old"][ok]),
            mean_income_new=_mean(cmp["i_new"][ok]),
        )
    return row


def _change_row(
    level: str,
    code: str,
    indicator: str,
    ids0: np.ndarray,
    v0: np.ndarray,
    idsT: np.ndarray,
    vT: np.ndarray,
) -> pd.DataFrame:
    f0 = pd.DataFrame({"household_id": ids0, "area_code": code, "value": v0.astype(float)})
    fT = pd.DataFrame({"household_id": idsT, "area_code": code, "value": vT.astype(float)})
    table = panel_change(f0, fT).table
    if len(table):
        row = table.iloc[0]
        rec: dict[str, Any] = {c: row[c] for c in table.columns}
    else:  # nobody in the area at either time
        rec = {c: math.nan for c in _COLUMNS["change"]}
        rec.update(n_stayers=0, n_leavers=0, n_newcomers=0)
    ns, nl, nn = int(rec["n_stayers"]), int(rec["n_leavers"]), int(rec["n_newcomers"])
    positive = [n for n in (ns, nl, nn) if n > 0]
    rec.update(
        plan_level=level,
        plan_code=code,
        indicator=indicator,
        n_stayers=ns,
        n_leavers=nl,
        n_newcomers=nn,
        n_t0=ns + nl,
        n_T=ns + nn,
        n_terms=min(positive) if positive else 0,
    )
    return pd.DataFrame([rec], columns=list(_COLUMNS["change"]))


# ---------------------------------------------------------------------------
# waterbed
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Waterbed:
    """Plan minus baseline, area by area, over paired replicates.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``code, level, mean_diff, lo, hi, n_replicates, plan_mean,
        baseline_mean, households``; ``lo``/``hi`` are the 2.5th and 97.5th
        percentiles of the replicate differences (numpy's default linear
        method), ``n_replicates`` how many replicates define the difference
        (a share is undefined where a world has no households),
        ``households`` the smaller of the mean unit totals of plan and
        baseline (the count the values are gated by). Sorted by
        ``|mean_diff|``, largest first.
    level, variable, category, measure : str
        What was compared (``measure``: ``households`` or ``share``).
    year : int
        The year compared.
    n_replicates : int
        Number of replicate pairs.
    note : str
        What the band means (Dutch).
    """

    frame: pd.DataFrame
    level: str
    variable: str
    category: str
    measure: str
    year: int
    n_replicates: int
    note: str

    def disclosed(self, *, threshold: int = MIN_HOUSEHOLDS) -> DisclosedTable:
        """The frame with values of units of fewer than ``threshold`` households suppressed."""
        values = ["mean_diff", "lo", "hi", "plan_mean", "baseline_mean", "households"]
        return gate(self.frame, count="households", values=values, threshold=threshold)


def _cells(
    comp: pd.DataFrame, year: int, level: str, variable: str, category: str
) -> tuple[pd.Series, pd.Series]:
    """Category counts and unit totals per code (missing category cells are 0)."""
    c = comp[(comp["year"] == year) & (comp["level"] == level)]
    tot = c[c["variable"] == "households"]
    totals = pd.Series(
        tot["households"].to_numpy(dtype=np.float64), index=tot["code"].astype(str).to_numpy()
    )
    cell = c[(c["variable"] == variable) & (c["category"] == category)]
    counts = pd.Series(
        cell["households"].to_numpy(dtype=np.float64), index=cell["code"].astype(str).to_numpy()
    )
    return counts, totals


def waterbed(
    plan: Sequence[Outcomes],
    baseline: Sequence[Outcomes],
    *,
    variable: str = "income_class",
    category: str = "laag",
    level: str = "buurt",
    year: int | None = None,
    measure: str = "households",
) -> Waterbed:
    """The waterbed effect: plan minus baseline per area, paired by replicate.

    ``plan[i]`` and ``baseline[i]`` must come from the same replicate (the same
    common random numbers); the difference is taken per replicate and then
    summarised: the mean and a Monte Carlo band (2.5th–97.5th percentile over
    the replicates). With one replicate the band is the point itself.

    Parameters
    ----------
    plan, baseline : sequence of Outcomes
        The replicates of the run with and without the plan, in the same order.
    variable, category : str
        The composition cell (:data:`VARIABLES`), e.g. ``income_class``/``laag``,
        ``vulnerable``/``ja`` or ``households``/``totaal`` (households per unit).
    level : str, default "buurt"
        The level of the areas compared.
    year : int, optional
        The year compared; default the last year of the first plan replicate.
    measure : {"households", "share"}
        Compare numbers of households or the share of the unit's households.

    Returns
    -------
    Waterbed

    Raises
    ------
    InputError
        If the sequences are empty or differ in length, a pair has different
        replicate numbers, the variable, category or measure is unknown, or a
        replicate lacks the year or the level.
    """
    if len(plan) == 0 or len(plan) != len(baseline):
        raise InputError(
            "replicates do not pair up",
            where=Location(field="baseline"),
            expected=f"as many baseline as plan replicates (at least 1; plan: {len(plan)})",
            found=len(baseline),
        )
    if variable not in VARIABLES:
        raise InputError(
            "unknown variable",
            where=Location(field="variable"),
            expected="one of " + ", ".join(VARIABLES),
            found=variable,
        )
    if category not in VARIABLES[variable]:
        raise InputError(
            "unknown category",
            where=Location(field="category"),
            expected=f"a category of {variable}: " + ", ".join(VARIABLES[variable]),
            found=category,
        )
    if measure not in ("households", "share"):
        raise InputError(
            "unknown measure",
            where=Location(field="measure"),
            expected="households or share",
            found=measure,
        )
    if year is None:
        years = plan[0].composition["year"]
        if len(years) == 0:
            raise InputError(
                "no composition recorded",
                where=Location(field="plan[0]"),
                expected="outcomes with a composition table",
                found="an empty table",
            )
        year = int(years.max())
    pairs = []
    for i, (p, b) in enumerate(zip(plan, baseline, strict=True)):
        if p.replicate >= 0 and b.replicate >= 0 and p.replicate != b.replicate:
            raise InputError(
                "replicates do not pair up",
                where=Location(field=f"baseline[{i}]"),
                expected=f"replicate {p.replicate} (as plan[{i}])",
                found=b.replicate,
            )
        pair = []
        for name, o in ((f"plan[{i}]", p), (f"baseline[{i}]", b)):
            comp = o.composition
            have = comp[(comp["year"] == year) & (comp["level"] == level)]
            if len(have) == 0:
                raise InputError(
                    "year or level not recorded",
                    where=Location(field=name),
                    expected=f"composition for year {year} at level {level}",
                    found="no rows",
                )
            pair.append(_cells(comp, year, level, variable, category))
        pairs.append(pair)
    codes = sorted({c for pair in pairs for counts, totals in pair for c in totals.index})
    r = len(pairs)
    diff = np.full((r, len(codes)), np.nan)
    pv = np.full((r, len(codes)), np.nan)
    bv = np.full((r, len(codes)), np.nan)
    pt = np.zeros((r, len(codes)))
    bt = np.zeros((r, len(codes)))
    for i, ((pc, ptot), (bc, btot)) in enumerate(pairs):
        for vals, tots, cnt, tot in ((pv, pt, pc, ptot), (bv, bt, bc, btot)):
            t = tot.reindex(codes, fill_value=0.0).to_numpy(dtype=np.float64)
            n = cnt.reindex(codes, fill_value=0.0).to_numpy(dtype=np.float64)
            tots[i] = t
            if measure == "households":
                vals[i] = n
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    vals[i] = np.where(t > 0, n / np.maximum(t, 1), np.nan)
        diff[i] = pv[i] - bv[i]
    defined = ~np.isnan(diff)
    n_rep = defined.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        mean = np.nanmean(diff, axis=0) if r else np.full(len(codes), np.nan)
        lo = np.nanpercentile(diff, 2.5, axis=0)
        hi = np.nanpercentile(diff, 97.5, axis=0)
        p_mean = np.nanmean(pv, axis=0)
        b_mean = np.nanmean(bv, axis=0)
    frame = pd.DataFrame(
        {
            "code": codes,
            "level": level,
            "mean_diff": mean,
            "lo": lo,
            "hi": hi,
            "n_replicates": n_rep.astype(np.int64),
            "plan_mean": p_mean,
            "baseline_mean": b_mean,
            "households": np.minimum(pt.mean(axis=0), bt.mean(axis=0)),
        }
    )
    frame["_abs"] = frame["mean_diff"].abs()
    frame = (
        frame.sort_values(["_abs", "code"], ascending=[False, True], na_position="last")
        .drop(columns="_abs")
        .reset_index(drop=True)
    )
    if r == 1:
        note = (
            "Eén replicatie: de band valt samen met de puntschatting en zegt niets over "
            "de onzekerheid; draai meer replicaties voor een Monte Carlo-band."
        )
    else:
        note = (
            f"Band: 2,5e tot 97,5e percentiel van het verschil over {r} gepaarde "
            "replicaties (zelfde toevalsgetallen met en zonder plan)."
        )
    return Waterbed(
        frame=frame,
        level=level,
        variable=variable,
        category=category,
        measure=measure,
        year=int(year),
        n_replicates=r,
        note=note,
    )
