"""Run a scenario: the year loop, replicates, the baseline and the result files.

:func:`run` builds the state from the registers once, and for every Monte
Carlo replicate ``r`` runs the plan and (with ``with_baseline``) the same
scenario without the plan (:meth:`~wijkmix.sim.scenario.Scenario.baseline`)
with the same common random numbers ``CrnKey(seed, r, year)``. One simulated
year is, in this order (``docs/scenario.md``; the simulation contract):

1. plan events (:func:`wijkmix.sim.events.apply_plan_events`);
2. demography and income (:func:`wijkmix.sim.demography.apply_demography`);
3. move decisions, outflow and inflow (:func:`wijkmix.sim.moves.apply_moves`);
4. social-rent allocation (:func:`wijkmix.sim.allocation.allocate_social`)
   under the law of the calendar year (:meth:`Scenario.legal`);
5. the market (:func:`wijkmix.sim.market.apply_market`);
6. outcomes (:meth:`wijkmix.sim.outcomes.OutcomeRecorder.record_year`).

Replicates are independent units of work: run in this process, in a process
pool, or on any :class:`concurrent.futures.Executor` (a Dask client's
executor). Every random number is a pure function of (seed, replicate, year,
step, id), so the result of replicate ``r`` does not depend on where or with
which other replicates it ran.

:class:`SimulationResult` holds the outcomes and writes them as Parquet files
with a ``provenance.json``; :func:`read_result` and :func:`compare` read such
directories back.
"""

from __future__ import annotations

import concurrent.futures as cf
import copyreg
import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from wijkmix.disclosure import MIN_HOUSEHOLDS, SUPPRESSED, gate
from wijkmix.errors import InputError, Location
from wijkmix.sim.allocation import AllocationReport, allocate_social
from wijkmix.sim.crn import CrnKey
from wijkmix.sim.demography import apply_demography
from wijkmix.sim.events import EventReport, apply_plan_events
from wijkmix.sim.market import apply_market
from wijkmix.sim.moves import apply_moves
from wijkmix.sim.outcomes import (
    NOTE_NOT_SIMULATED,
    TABLES,
    OutcomeRecorder,
    Outcomes,
    Waterbed,
    waterbed,
)
from wijkmix.sim.scenario import Scenario
from wijkmix.sim.state import OWNERS, Cause, Ledger, Route, State

__all__ = [
    "OUTCOME_TABLES",
    "STEP_NAMES",
    "ReplicateRun",
    "ResultDir",
    "SimulationResult",
    "compare",
    "frame_sha256",
    "read_result",
    "run",
    "run_replicate",
]

#: The steps of a simulated year, in order (keys of the step timings).
STEP_NAMES: tuple[str, ...] = ("events", "demography", "moves", "allocation", "market", "outcomes")
#: The outcome tables of one world (plan or baseline), as in :class:`Outcomes`.
OUTCOME_TABLES: tuple[str, ...] = tuple(TABLES)
_BASELINE_PREFIX = "baseline_"
_PROVENANCE = "provenance.json"


def _mappingproxy(d: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(d)


def _reduce_mappingproxy(m: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _mappingproxy, (dict(m),)


# Parameters and settings keep read-only mappings (MappingProxyType), which the
# standard pickle cannot serialise; executors pickle the scenario and the
# results. A read-only mapping pickles as a new read-only mapping of a copy.
copyreg.pickle(MappingProxyType, _reduce_mappingproxy)

_CAUSE_NAMES = np.array([c.name.lower() for c in Cause], dtype=object)
_ROUTE_NAMES = np.array([r.name.lower() for r in Route], dtype=object)


# ---------------------------------------------------------------------------
# hashing
# ---------------------------------------------------------------------------
def frame_sha256(frame: pd.DataFrame) -> str:
    """sha256 of a frame's content: its column names and row hashes (not the index).

    The row hashes are :func:`pandas.util.hash_pandas_object` values, so the
    digest does not depend on the dtype used for text (``object`` or ``str``).

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    >>> frame_sha256(a) == frame_sha256(a.astype({"y": object}))
    True
    >>> frame_sha256(a) == frame_sha256(a.iloc[::-1])
    False
    """
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


# ---------------------------------------------------------------------------
# one replicate
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ReplicateRun:
    """The results of one replicate (plan and, optionally, baseline).

    Attributes
    ----------
    replicate : int
    outcomes : Outcomes
        With the plan.
    baseline : Outcomes or None
        Without the plan (same random numbers); None when not run.
    ledger : pandas.DataFrame
        Every move of the plan run (:func:`ledger_frame`).
    steps : pandas.DataFrame
        Per world, year and step the counts of the step report
        (``world, year, step, measure, value``).
    plan_events : pandas.DataFrame
        Per year and plan event: requested and realised dwellings.
    seconds : Mapping[str, float]
        Time spent per step (plan and baseline together).
    state : State or None
        The state of the plan run at the horizon (only with ``keep_state``).
    """

    replicate: int
    outcomes: Outcomes
    baseline: Outcomes | None
    ledger: pd.DataFrame
    steps: pd.DataFrame
    plan_events: pd.DataFrame
    seconds: Mapping[str, float]
    state: State | None = None


def ledger_frame(ledger: Ledger, state: State) -> pd.DataFrame:
    """The ledger as a frame with buurt codes and cause/route names (vectorised)."""
    arr = ledger.arrays()
    df = pd.DataFrame(arr)
    buurt = np.array((*state.areas.buurt, None), dtype=object)
    nb = len(state.areas.buurt)
    for col in ("from_buurt", "to_buurt"):
        b = arr[col].astype(np.int64)
        df[f"{col}_code"] = buurt[np.where(b >= 0, b, nb)]
    df["cause_name"] = _CAUSE_NAMES[arr["cause"].astype(np.int64)]
    df["route_name"] = _ROUTE_NAMES[arr["route"].astype(np.int64)]
    return df


def _flatten(prefix: str, value: object, out: list[tuple[str, float]]) -> None:
    if isinstance(value, bool | int | float | np.bool_ | np.integer | np.floating):
        out.append((prefix, float(value)))
    elif isinstance(value, Mapping):
        for k in sorted(value, key=str):
            _flatten(f"{prefix}.{k}", value[k], out)
    elif (
        isinstance(value, tuple)
        and value
        and all(isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) for v in value)
    ):
        for k, v in value:
            _flatten(f"{prefix}.{k}", v, out)
    elif (
        isinstance(value, tuple)
        and len(value) == len(OWNERS)
        and prefix.endswith("_by_owner")
        and all(isinstance(v, int | np.integer) for v in value)
    ):
        for k, v in zip(OWNERS, value, strict=True):
            out.append((f"{prefix}.{k}", float(v)))


def _report_rows(year: int, step: str, report: object) -> list[tuple[int, str, str, float]]:
    """The scalar counts of a step report as (year, step, measure, value) rows."""
    flat: list[tuple[str, float]] = []
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        for f in dataclasses.fields(report):
            if f.name in ("year", "calendar_year"):
                continue
            _flatten(f.name, getattr(report, f.name), flat)
    return [(year, step, m, v) for m, v in flat]


def _for_outcomes(report: AllocationReport) -> Mapping[str, object]:
    """The allocation report as the outcome recorder reads it (waiting time by group)."""
    return MappingProxyType(
        {
            "placed_by_group": report.placed_by_group,
            "unplaced_by_group": report.unplaced_by_group,
            "mean_wait_by_group": report.mean_seek_years_placed,
        }
    )


def _simulate(
    scenario: Scenario,
    state: State,
    *,
    seed: int,
    replicate: int,
    check: bool,
    seconds: dict[str, float],
    world: str,
    on_year: Callable[[], None] | None = None,
) -> tuple[Outcomes, Ledger, list[tuple[Any, ...]], list[pd.DataFrame]]:
    """Run the year loop on ``state`` (mutated); return outcomes, ledger and report rows."""
    params = scenario.params
    ledger = Ledger()
    recorder = OutcomeRecorder(scenario.outcome_settings(), state.areas)
    t = time.perf_counter()
    recorder.start(state)
    seconds["outcomes"] += time.perf_counter() - t
    rows: list[tuple[Any, ...]] = []
    event_frames: list[pd.DataFrame] = []

    def done(step: str, t0: float) -> float:
        if check:
            state.check()
        t1 = time.perf_counter()
        seconds[step] += t1 - t0
        return t1

    for year in range(1, scenario.horizon + 1):
        key = CrnKey(seed, replicate, year)
        t = time.perf_counter()
        ev: EventReport = apply_plan_events(
            state,
            events=scenario.events_of(year),
            year=year,
            key=key,
            params=params.events,
            ledger=ledger,
            replicate=replicate,
            start_year=scenario.start_year,
        )
        t = done("events", t)
        dm = apply_demography(
            state, year=year, key=key, params=params.demography, ledger=ledger, replicate=replicate
        )
        t = done("demography", t)
        mv = apply_moves(
            state, year=year, key=key, params=params.moves, ledger=ledger, replicate=replicate
        )
        t = done("moves", t)
        al = allocate_social(
            state,
            year=year,
            key=key,
            rules=scenario.rules,
            legal=scenario.legal(year),
            ledger=ledger,
            replicate=replicate,
            calendar_year=scenario.calendar_year(year),
        )
        t = done("allocation", t)
        mk = apply_market(
            state, year=year, key=key, params=params.market, ledger=ledger, replicate=replicate
        )
        t = done("market", t)
        reports: dict[str, object] = {
            "events": ev,
            "demography": dm,
            "moves": mv,
            "allocation": _for_outcomes(al),
            "market": mk,
        }
        recorder.record_year(state, year, reports)
        seconds["outcomes"] += time.perf_counter() - t
        if on_year is not None:
            on_year()
        for step, rep in (
            ("events", ev),
            ("demography", dm),
            ("moves", mv),
            ("allocation", al),
            ("market", mk),
        ):
            rows += [(world, *r) for r in _report_rows(year, step, rep)]
        if ev.events:
            event_frames.append(ev.to_frame())
    t = time.perf_counter()
    outcomes = recorder.finish(state, ledger)
    seconds["outcomes"] += time.perf_counter() - t
    return outcomes, ledger, rows, event_frames


def _check_areas(scenario: Scenario, state: State) -> None:
    """Every area the scenario names must be in the registers."""
    a = state.areas
    if scenario.gemeente not in a.gemeente:
        raise InputError(
            "gemeente not in the registers",
            where=Location(field="gemeente"),
            expected="a gemeente of the registers: " + ", ".join(a.gemeente),
            found=scenario.gemeente,
        )
    for i, (level, code) in enumerate(scenario.plan_areas):
        if code not in getattr(a, level):
            raise InputError(
                "unknown plan area",
                where=Location(field=f"plan_areas[{i}]"),
                expected=f"a {level} code of the registers",
                found=code,
            )
    for ev in scenario.events:
        if ev.area_code not in getattr(a, ev.area_level):
            raise InputError(
                "unknown area",
                where=Location(field=f"{ev.where}.area_code"),
                expected=f"a {ev.area_level} code of the registers",
                found=ev.area_code,
            )


def run_replicate(
    scenario: Scenario,
    state: State,
    *,
    seed: int,
    replicate: int,
    with_baseline: bool = True,
    check: bool = False,
    keep_state: bool = False,
    on_year: Callable[[], None] | None = None,
) -> ReplicateRun:
    """Run one replicate: the plan and, optionally, the baseline.

    ``state`` is not changed: each world runs on its own copy. A scenario
    without plan (no events, the same rules as its baseline) is run once and
    its outcomes serve as the baseline too (they would be identical).
    With ``keep_state`` the plan's final state is returned as well;
    ``on_year`` is called after every simulated year of every world (for a
    progress bar).

    This is the unit of work that :func:`run` hands to an executor.
    """
    seconds = dict.fromkeys(STEP_NAMES, 0.0)
    plan_state = state.copy()
    outcomes, ledger, rows, events = _simulate(
        scenario,
        plan_state,
        seed=seed,
        replicate=replicate,
        check=check,
        seconds=seconds,
        world="plan",
        on_year=on_year,
    )
    plan_ledger = ledger_frame(ledger, plan_state)
    base: Outcomes | None = None
    if with_baseline:
        if scenario.has_plan:
            base, _, brows, _ = _simulate(
                scenario.baseline(),
                state.copy(),
                seed=seed,
                replicate=replicate,
                check=check,
                seconds=seconds,
                world="basis",
                on_year=on_year,
            )
            rows += brows
        else:
            base = outcomes
            rows += [("basis", *r[1:]) for r in rows if r[0] == "plan"]
    steps = pd.DataFrame(rows, columns=["world", "year", "step", "measure", "value"])
    steps.insert(0, "replicate", np.int32(replicate))
    plan_events = (
        pd.concat(events, ignore_index=True)
        if events
        else pd.DataFrame(
            {
                c: pd.Series([], dtype=t)
                for c, t in (
                    ("jaar", "int64"),
                    ("veld", object),
                    ("soort", object),
                    ("niveau", object),
                    ("gebied", object),
                    ("gevraagd", "int64"),
                    ("gerealiseerd", "int64"),
                    ("huishoudens", "int64"),
                )
            }
        )
    )
    plan_events.insert(0, "replicate", np.int32(replicate))
    return ReplicateRun(
        replicate=replicate,
        outcomes=outcomes,
        baseline=base,
        ledger=plan_ledger,
        steps=steps,
        plan_events=plan_events,
        seconds=MappingProxyType(seconds),
        state=plan_state if keep_state else None,
    )


def _replicate_task(
    scenario: Scenario, state: State, seed: int, replicate: int, with_baseline: bool, check: bool
) -> ReplicateRun:
    """Module-level (picklable) entry point for executors."""
    return run_replicate(
        scenario, state, seed=seed, replicate=replicate, with_baseline=with_baseline, check=check
    )


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------
def _with_replicate(frames: Sequence[tuple[int, pd.DataFrame]]) -> pd.DataFrame:
    parts = []
    for r, f in frames:
        g = f.copy()
        if "replicate" in g.columns:
            g = g.drop(columns="replicate")
        g.insert(0, "replicate", np.int32(r))
        parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    # categories may differ per replicate: concat then falls back to object
    return out


def _nl(x: float, decimals: int = 0) -> str:
    """A number the Dutch way: 12.345,6."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return SUPPRESSED
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _pct(x: float, decimals: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return SUPPRESSED
    return f"{_nl(100.0 * x, decimals)} %"


def _gated(value: float, count: float, decimals: int = 0) -> str:
    """A household-based number through the disclosure gate."""
    t = gate(pd.DataFrame({"n": [count], "v": [value]}), count="n", values=["v"])
    v = t.frame["v"].iloc[0]
    return _nl(float(v), decimals) if pd.notna(v) else SUPPRESSED


@dataclass(frozen=True)
class SimulationResult:
    """The outcome of :func:`run` (immutable).

    Attributes
    ----------
    scenario : Scenario
    seed : int
    replicates : tuple of int
        The replicate numbers, in order.
    outcomes : tuple of Outcomes
        Per replicate, with the plan.
    baseline_outcomes : tuple of Outcomes
        Per replicate, without the plan (empty without baseline).
    waterbed : Waterbed or None
        Plan minus baseline per area over the replicates
        (:func:`wijkmix.sim.outcomes.waterbed`, the cell of
        :attr:`Scenario.waterbed`); None without baseline.
    ledger : pandas.DataFrame
        Every move of the plan runs, with a ``replicate`` column.
    steps : pandas.DataFrame
        Counts of every step report: ``replicate, world, year, step, measure, value``.
    plan_events : pandas.DataFrame
        Per replicate, year and plan event: requested and realised dwellings.
    input_hashes : Mapping[str, str]
        sha256 of the register frames (:func:`frame_sha256`).
    started, finished : str
        UTC times (ISO 8601).
    seconds : float
        Wall time of the run.
    step_seconds : Mapping[str, float]
        Time per step summed over replicates and worlds.
    notes : tuple of str
        Dutch notes (scenario, law, outcomes).
    """

    scenario: Scenario
    seed: int
    replicates: tuple[int, ...]
    outcomes: tuple[Outcomes, ...]
    baseline_outcomes: tuple[Outcomes, ...]
    waterbed: Waterbed | None
    ledger: pd.DataFrame
    steps: pd.DataFrame
    plan_events: pd.DataFrame
    input_hashes: Mapping[str, str]
    started: str
    finished: str
    seconds: float
    step_seconds: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    # -- tables ------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the run, each with a ``replicate`` column where it applies.

        Names: the outcome tables (``composition``, ``segregation``,
        ``social_rent``, ``waiting``, ``groups``, ``destinations``, ``change``)
        of the plan, the same with prefix ``baseline_`` (with baseline),
        ``waterbed`` (with baseline), ``ledger``, ``steps`` and ``plan_events``.
        The values are not disclosure-controlled (see :meth:`write`).
        """
        out: dict[str, pd.DataFrame] = {}
        for name in OUTCOME_TABLES:
            out[name] = _with_replicate(
                [(r, getattr(o, name)) for r, o in zip(self.replicates, self.outcomes, strict=True)]
            )
        if self.baseline_outcomes:
            for name in OUTCOME_TABLES:
                out[_BASELINE_PREFIX + name] = _with_replicate(
                    [
                        (r, getattr(o, name))
                        for r, o in zip(self.replicates, self.baseline_outcomes, strict=True)
                    ]
                )
        if self.waterbed is not None:
            wb = self.waterbed.frame.copy()
            wb["variable"] = self.waterbed.variable
            wb["category"] = self.waterbed.category
            wb["measure"] = self.waterbed.measure
            wb["year"] = np.int32(self.waterbed.year)
            out["waterbed"] = wb
        out["ledger"] = self.ledger
        out["steps"] = self.steps
        out["plan_events"] = self.plan_events
        return out

    def provenance(self) -> dict[str, Any]:
        """What :meth:`write` puts in ``provenance.json``."""
        from wijkmix import __version__

        return {
            "seed": self.seed,
            "replicates": list(self.replicates),
            "with_baseline": bool(self.baseline_outcomes),
            "scenario": self.scenario.name,
            "scenario_file": self.scenario.source,
            "scenario_sha256": self.scenario.sha256,
            "input_hashes": dict(self.input_hashes),
            "wijkmix_version": __version__,
            "parameters": self.scenario.to_dict(),
            "started": self.started,
            "finished": self.finished,
            "seconds": round(self.seconds, 3),
            "step_seconds": {k: round(v, 3) for k, v in self.step_seconds.items()},
            "notes": list(self.notes),
        }

    def write(self, out_dir: str | Path, *, disclosed: bool = False) -> Path:
        """Write one Parquet file per table and ``provenance.json``.

        Parameters
        ----------
        out_dir : str or Path
            Created when missing; files of the same names are replaced.
        disclosed : bool, default False
            Pass every outcome table through the disclosure gate (cells based
            on fewer than 10 households become missing) and leave out the
            ledger (one row per move of a household). Without it the
            directory holds the raw tables: treat it like the registers.

        Returns
        -------
        Path
            The directory.

        Notes
        -----
        The same seed and inputs give byte-identical Parquet files;
        ``provenance.json`` differs in its times.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        tables = self.tables()
        if disclosed:
            tables.pop("ledger")
            for name in list(tables):
                base = name.removeprefix(_BASELINE_PREFIX)
                if base in TABLES:
                    spec = TABLES[base]
                    frame = tables[name].copy()
                    for c in {*spec, *spec.values()}:
                        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
                    tables[name] = gate(
                        frame, count=[spec[v] for v in spec], values=list(spec)
                    ).frame
                elif name == "waterbed" and self.waterbed is not None:
                    wb = self.waterbed.disclosed().frame.copy()
                    for c in ("variable", "category", "measure", "year"):
                        wb[c] = tables[name][c]
                    tables[name] = wb
        for name, frame in tables.items():
            frame.to_parquet(out / f"{name}.parquet", index=False)
        prov = self.provenance()
        prov["tables"] = sorted(tables)
        prov["disclosed"] = disclosed
        (out / _PROVENANCE).write_text(
            json.dumps(prov, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        return out

    # -- the Dutch summary ------------------------------------------------------------------
    def summary_nl(self) -> str:
        """A Dutch summary for the terminal.

        Per plan area: stayers, leavers (forced, voluntary, …) and newcomers,
        where the forced leavers went, how many returned, and the change
        decomposition of the mean income and the share of low incomes; the
        waterbed buurten; the social-rent share against 30 %; unplaced seekers
        per year. Household numbers are means over the replicates and pass the
        disclosure gate (fewer than 10 households: "–").
        """
        return _summary(self)


# ---------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------
_LEAVER_LABELS = {
    "gedwongen": "gedwongen",
    "vrijwillig": "vrijwillig (binnen de regio)",
    "uit_regio": "uit de regio",
    "opgeheven": "opgeheven (overleden, opgenomen)",
}
_KIND_LABELS = {
    "demolition": "sloop",
    "new_construction": "nieuwbouw",
    "densification": "verdichting",
    "sale": "verkoop",
    "purchase": "aankoop (inponden)",
    "renovation": "renovatie",
    "liberalisation": "liberalisatie",
    "transformation": "transformatie",
}
_VARIABLE_LABELS = {
    ("income_class", "laag"): "huishoudens met een laag inkomen",
    ("income_class", "midden"): "huishoudens met een middeninkomen",
    ("income_class", "hoog"): "huishoudens met een hoog inkomen",
    ("vulnerable", "ja"): "kwetsbare huishoudens",
    ("households", "totaal"): "huishoudens",
}
_ORIGIN_LABELS = {
    "zelfde_buurt": "zelfde buurt",
    "andere_buurt_gemeente": "andere buurt in de gemeente",
    "andere_gemeente_regio": "andere gemeente in de regio",
    "buiten_regio": "van buiten de regio",
    "nieuw_huishouden": "nieuw gevormd huishouden",
    "zonder_woning": "eerder zonder woning",
}


def _mean_groups(outcomes: Sequence[Outcomes]) -> pd.DataFrame:
    g = pd.concat([o.groups for o in outcomes], ignore_index=True)
    g["households"] = pd.to_numeric(g["households"], errors="coerce").astype("float64")
    return (
        g.groupby(["plan_level", "plan_code", "group", "kind"], sort=False)["households"]
        .mean()
        .reset_index()
    )


def _summary(res: SimulationResult) -> str:
    sc = res.scenario
    n_rep = len(res.replicates)
    first, last = sc.calendar_years
    lines: list[str] = []
    lines.append(f"Scenario: {sc.name}")
    if sc.description:
        lines.append(sc.description)
    basis = (
        "met basisrun (zelfde toevalsgetallen, zonder plan)"
        if res.baseline_outcomes
        else "zonder basisrun"
    )
    lines.append(
        f"Gemeente {sc.gemeente}, {first}–{last} ({sc.horizon} jaar), seed {res.seed}, "
        f"{n_rep} replicatie{'s' if n_rep != 1 else ''}, {basis}. "
        f"Rekentijd {_nl(res.seconds, 1)} s."
    )
    if n_rep > 1:
        lines.append("Aantallen huishoudens: gemiddelde over de replicaties.")

    # plan events
    pe = res.plan_events
    if len(pe):
        lines.append("")
        lines.append("Planonderdelen (woningen, gemiddeld over de replicaties):")
        agg = (
            pe.groupby(["soort"], sort=True)[["gevraagd", "gerealiseerd"]].sum() / n_rep
        ).reset_index()
        for _, r in agg.iterrows():
            lines.append(
                f"  {_KIND_LABELS.get(str(r['soort']), str(r['soort']))}: "
                f"{_nl(r['gerealiseerd'])} gerealiseerd van "
                f"{_nl(r['gevraagd'])} gevraagd"
            )

    # plan areas
    if sc.plan_areas:
        groups = _mean_groups(res.outcomes)
        dest = pd.concat([o.destinations for o in res.outcomes], ignore_index=True)
        change = pd.concat([o.change for o in res.outcomes], ignore_index=True)
        for level, code in sc.plan_areas:
            lines.append("")
            lines.append(f"Plangebied {code} ({level}), {first} → einde {last}:")
            g = groups[(groups["plan_level"] == level) & (groups["plan_code"] == code)]

            def n(group: str, kind: str, _g: pd.DataFrame = g) -> float:
                s = _g[(_g["group"] == group) & (_g["kind"] == kind)]["households"]
                return float(s.iloc[0]) if len(s) else 0.0

            def show(v: float) -> str:
                return _gated(v, v)

            lines.append(f"  Blijvers:     {show(n('blijvers', 'totaal'))}")
            leaver_parts = ", ".join(
                f"{lab} {show(n('vertrekkers', k))}" for k, lab in _LEAVER_LABELS.items()
            )
            lines.append(f"  Vertrekkers:  {show(n('vertrekkers', 'totaal'))} ({leaver_parts})")
            origin_parts = ", ".join(
                f"{lab} {show(n('nieuwkomers', k))}"
                for k, lab in _ORIGIN_LABELS.items()
                if n("nieuwkomers", k) > 0
            )
            lines.append(f"  Nieuwkomers:  {show(n('nieuwkomers', 'totaal'))} ({origin_parts})")
            forced = n("gedwongen_verhuisd", "totaal")
            if forced > 0:
                lines.append(
                    f"  Gedwongen verhuisd: {show(forced)}, waarvan teruggekeerd "
                    f"{show(n('gedwongen_verhuisd', 'teruggekeerd'))}, niet teruggekeerd "
                    f"{show(n('gedwongen_verhuisd', 'niet_teruggekeerd'))}"
                )
                d = dest[
                    (dest["plan_level"] == level)
                    & (dest["plan_code"] == code)
                    & (dest["kind"] == "gedwongen")
                ]
                if len(d):
                    top = (
                        d.groupby("destination")["households"].sum().astype("float64") / n_rep
                    ).sort_values(ascending=False, kind="stable")
                    shown = [(k, v) for k, v in top.items() if v >= MIN_HOUSEHOLDS][:5]
                    hidden = len(top) - len([v for v in top if v >= MIN_HOUSEHOLDS])
                    where = ", ".join(f"{k} {_nl(v)}" for k, v in shown)
                    extra = (
                        f"; {hidden} bestemming(en) met minder dan {MIN_HOUSEHOLDS} "
                        "huishoudens niet getoond"
                        if hidden
                        else ""
                    )
                    lines.append(
                        f"  Waarheen gingen de gedwongen vertrekkers: {where or SUPPRESSED}{extra}"
                    )
            c = change[(change["plan_level"] == level) & (change["plan_code"] == code)]
            for ind, label, unit in (
                ("gemiddeld_inkomen", "Gemiddeld inkomen", "€"),
                ("aandeel_laag_inkomen", "% laag inkomen", "%-punt"),
            ):
                ci = c[c["indicator"] == ind]
                if not len(ci):
                    continue
                num = ci[["x0", "xT", "delta", "stayers", "replacement", "shift"]].apply(
                    pd.to_numeric, errors="coerce"
                )
                m = num.mean()
                base_n = float(pd.to_numeric(ci["n_terms"], errors="coerce").mean())
                dec = 0 if unit == "€" else 1
                vals = {k: _gated(float(m[k]), base_n, dec) for k in m.index}
                if unit == "€":
                    vals = {k: v if v == SUPPRESSED else f"€ {v}" for k, v in vals.items()}
                    lines.append(
                        f"  {label}: {vals['x0']} → {vals['xT']} (verandering {vals['delta']}: "
                        f"door blijvers {vals['stayers']}, door vervanging "
                        f"{vals['replacement']}, door verschuiving {vals['shift']})"
                    )
                else:
                    lines.append(
                        f"  {label}: {vals['x0']} → {vals['xT']} (verandering {vals['delta']} "
                        f"{unit}: door blijvers {vals['stayers']}, door vervanging "
                        f"{vals['replacement']}, door verschuiving {vals['shift']})"
                    )

    # waterbed
    if res.waterbed is not None:
        wb = res.waterbed
        lines.append("")
        what = _VARIABLE_LABELS.get((wb.variable, wb.category))
        if what is None:
            cat = wb.category.replace("_", " ")
            what = (
                f"huishoudens met inkomen uit {cat}"
                if wb.variable == "income_source"
                else f"huishoudens in {cat}"
            )
        unit = "aantal" if wb.measure == "households" else "aandeel"
        lines.append(
            f"Waterbedeffect (plan − basis): {what}, {unit} per {wb.level}, eind "
            f"{sc.calendar_year(wb.year)}; grootste verschillen:"
        )
        f = wb.disclosed().frame
        f = f[f["mean_diff"].notna() & (f["mean_diff"] != 0)].head(5)
        if len(f) == 0:
            lines.append("  geen verschil (of alleen in cellen met minder dan 10 huishoudens)")
        for _, r in f.iterrows():
            dec = 0 if wb.measure == "households" else 3
            band = (
                f" (band {_nl(r['lo'], dec)} tot {_nl(r['hi'], dec)})"
                if wb.n_replicates > 1
                else ""
            )
            sign = "+" if r["mean_diff"] > 0 else ""
            lines.append(f"  {r['code']}: {sign}{_nl(r['mean_diff'], dec)}{band}")
        lines.append(f"  {wb.note}")

    # social rent
    sr = pd.concat([o.social_rent for o in res.outcomes], ignore_index=True)
    if len(sr):
        lines.append("")
        target = float(pd.to_numeric(sr["target"]).iloc[0])
        lines.append(f"Aandeel sociale huur (corporatie) per gemeente, doel {_pct(target, 0)}:")
        sr = sr.assign(share=pd.to_numeric(sr["share"], errors="coerce"))
        m = sr.groupby(["gemeente", "year"])["share"].mean().reset_index()
        y0, yT = int(m["year"].min()), int(m["year"].max())
        for gm, part in m.groupby("gemeente", sort=True):
            s0 = float(part[part["year"] == y0]["share"].iloc[0])
            sT = float(part[part["year"] == yT]["share"].iloc[0])
            verdict = "haalt het doel" if sT >= target else "onder het doel"
            start = f"begin {first}" if y0 == 0 else f"eind {sc.calendar_year(y0)}"
            lines.append(
                f"  {gm}: {_pct(s0)} {start} → {_pct(sT)} eind {sc.calendar_year(yT)} ({verdict})"
            )

    # unplaced seekers per year
    w = pd.concat([o.waiting for o in res.outcomes], ignore_index=True)
    w = w[w["channel"] == "zoekend"]
    if len(w):
        lines.append("")
        lines.append("Zoekenden zonder woning of nog zoekend aan het eind van het jaar:")
        w = w.assign(unplaced=pd.to_numeric(w["unplaced"], errors="coerce"))
        per = w.groupby("year", as_index=False)["unplaced"].sum()
        forced_per = dict(
            w[w["group"] == "gedwongen"]
            .groupby("year", as_index=False)["unplaced"]
            .sum()
            .itertuples(index=False, name=None)
        )
        parts = []
        for y, total in per.itertuples(index=False, name=None):
            yy = int(y)
            if yy == 0:
                continue
            v = float(total) / n_rep
            fv = float(forced_per.get(y, 0.0)) / n_rep
            parts.append(
                f"{sc.calendar_year(yy)}: {_gated(float(v), float(v))}"
                + (f" (gedwongen {_gated(fv, fv)})" if fv > 0 else "")
            )
        for i in range(0, len(parts), 4):
            lines.append("  " + "; ".join(parts[i : i + 4]))

    # notes
    lines.append("")
    lines.append(NOTE_NOT_SIMULATED)
    lines.append(
        f"Aantallen onder {MIN_HOUSEHOLDS} huishoudens worden niet getoond ({SUPPRESSED})."
    )
    for note in res.notes:
        if note != NOTE_NOT_SIMULATED and "onderdrukt" not in note:
            lines.append(note)
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------
def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise InputError(
            "invalid seed",
            where=Location(field="seed"),
            expected="a whole number from 0 to 2**63 - 1",
            found=seed,
        )
    return int(seed)


def _replicate_list(replicates: object, replicate_ids: Sequence[int] | None) -> tuple[int, ...]:
    if replicate_ids is not None:
        ids = tuple(replicate_ids)
        if (
            not ids
            or any(isinstance(r, bool) or not isinstance(r, int | np.integer) or r < 0 for r in ids)
            or len(set(ids)) != len(ids)
        ):
            raise InputError(
                "invalid replicate numbers",
                where=Location(field="replicate_ids"),
                expected="distinct whole numbers of at least 0",
                found=list(ids),
            )
        return tuple(int(r) for r in ids)
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, int | np.integer)
        or replicates < 1
    ):
        raise InputError(
            "invalid number of replicates",
            where=Location(field="replicates"),
            expected="a whole number of at least 1",
            found=replicates,
        )
    return tuple(range(int(replicates)))


def run(
    scenario: Scenario,
    *,
    dwellings: pd.DataFrame,
    households: pd.DataFrame,
    seed: int,
    replicates: int = 1,
    executor: str | cf.Executor | None = None,
    with_baseline: bool = True,
    check: bool = False,
    replicate_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Run a scenario on the registers.

    Parameters
    ----------
    scenario : Scenario
        See :func:`wijkmix.sim.scenario.load_scenario`; its rules are checked
        against the law of every year of the run first.
    dwellings, households : pandas.DataFrame
        The registers (store schema columns), as read from the store.
    seed : int
        The seed of every random number (0 … 2**63 − 1).
    replicates : int, default 1
        Number of Monte Carlo replicates (numbered 0 … replicates − 1).
    executor : None, "process" or concurrent.futures.Executor
        Where the replicates run: None in this process, one after another;
        ``"process"`` in a pool of two processes; an Executor as given (for
        example the executor of a Dask client). The numbers do not depend on it.
    with_baseline : bool, default True
        Also run the scenario without the plan (for the waterbed effect).
    check : bool, default False
        Check the invariants of the state after every step (slower).
    replicate_ids : sequence of int, optional
        Run exactly these replicate numbers instead of ``range(replicates)``;
        replicate ``r`` gives the same tables whichever others run with it.
    progress : callable, optional
        Called as ``progress(done, total)`` with the number of simulated years
        finished (over replicates and worlds) and the total; with an executor,
        once per finished replicate.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InputError
        Bad seed, replicates or executor, invalid registers, a rule beyond the
        law, or an area of the scenario that is not in the registers.
    """
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.perf_counter()
    seed = _check_seed(seed)
    reps = _replicate_list(replicates, replicate_ids)
    if not (executor is None or executor == "process" or isinstance(executor, cf.Executor)):
        raise InputError(
            "invalid executor",
            where=Location(field="executor"),
            expected="None (in this process), 'process' or a concurrent.futures.Executor",
            found=executor if isinstance(executor, str) else type(executor).__name__,
        )
    law_notes = scenario.check()
    hashes = {"dwellings": frame_sha256(dwellings), "households": frame_sha256(households)}
    state = State.from_registers(dwellings, households)
    _check_areas(scenario, state)

    worlds = 2 if with_baseline and scenario.has_plan else 1
    total = len(reps) * scenario.horizon * worlds
    done = [0]

    def tick(n: int = 1) -> None:
        done[0] += n
        if progress is not None:
            progress(done[0], total)

    runs: list[ReplicateRun]
    if executor is None:
        runs = [
            run_replicate(
                scenario,
                state,
                seed=seed,
                replicate=r,
                with_baseline=with_baseline,
                check=check,
                on_year=tick,
            )
            for r in reps
        ]
    else:
        own = executor == "process"
        pool: cf.Executor = cf.ProcessPoolExecutor(max_workers=2) if own else executor  # type: ignore[assignment]
        try:
            futures = [
                pool.submit(_replicate_task, scenario, state, seed, r, with_baseline, check)
                for r in reps
            ]
            runs = []
            for f in futures:
                runs.append(f.result())
                tick(scenario.horizon * worlds)
        finally:
            if own:
                pool.shutdown()

    plan = tuple(r.outcomes for r in runs)
    base = tuple(r.baseline for r in runs if r.baseline is not None)
    wb = None
    if with_baseline:
        spec = scenario.waterbed
        wb = waterbed(
            plan,
            base,
            variable=spec.variable,
            category=spec.category,
            level=spec.level,
            measure=spec.measure,
        )
    seconds = dict.fromkeys(STEP_NAMES, 0.0)
    for r in runs:
        for k, v in r.seconds.items():
            seconds[k] += v
    notes = list(dict.fromkeys([*law_notes, *plan[0].notes]))
    return SimulationResult(
        scenario=scenario,
        seed=seed,
        replicates=reps,
        outcomes=plan,
        baseline_outcomes=base,
        waterbed=wb,
        ledger=pd.concat([r.ledger for r in runs], ignore_index=True),
        steps=pd.concat([r.steps for r in runs], ignore_index=True),
        plan_events=pd.concat([r.plan_events for r in runs], ignore_index=True),
        input_hashes=MappingProxyType(hashes),
        started=started,
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=time.perf_counter() - t0,
        step_seconds=MappingProxyType(seconds),
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------
# reading results back
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ResultDir:
    """A result directory written by :meth:`SimulationResult.write`.

    Attributes
    ----------
    path : Path
    tables : Mapping[str, pandas.DataFrame]
    provenance : Mapping[str, Any]
    """

    path: Path
    tables: Mapping[str, pd.DataFrame]
    provenance: Mapping[str, Any]


def read_result(path: str | Path) -> ResultDir:
    """Read a result directory (every ``*.parquet`` and ``provenance.json``).

    Raises
    ------
    InputError
        If the directory or its ``provenance.json`` is missing.
    """
    p = Path(path)
    prov_file = p / _PROVENANCE
    if not p.is_dir() or not prov_file.is_file():
        raise InputError(
            "not a result directory",
            where=Location(file=str(p)),
            expected="a directory written by 'wijkmix simulate' (with provenance.json)",
            found=str(p),
        )
    try:
        prov = json.loads(prov_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(
            "invalid provenance.json",
            where=Location(file=str(prov_file)),
            expected="valid JSON",
            found=str(e),
        ) from None
    tables = {f.stem: pd.read_parquet(f) for f in sorted(p.glob("*.parquet"))}
    return ResultDir(path=p, tables=MappingProxyType(tables), provenance=MappingProxyType(prov))


def _indicators(res: ResultDir) -> pd.DataFrame:
    """The main indicators of a result: one row per (indicator, area) with its base count."""
    t = res.tables
    reps = max(len(res.provenance.get("replicates", [])), 1)
    rows: list[dict[str, Any]] = []

    def add(ind: str, area: str, value: float, base: float) -> None:
        rows.append({"indicator": ind, "gebied": area, "waarde": value, "basis": base})

    if "groups" in t and len(t["groups"]):
        g = t["groups"].copy()
        g["households"] = pd.to_numeric(g["households"], errors="coerce")
        sums = g.groupby(["plan_code", "group", "kind"], as_index=False)["households"].sum()
        for code, group, kind, v in sums.itertuples(index=False, name=None):
            label = {
                ("blijvers", "totaal"): "blijvers",
                ("vertrekkers", "totaal"): "vertrekkers",
                ("vertrekkers", "gedwongen"): "vertrekkers gedwongen",
                ("vertrekkers", "vrijwillig"): "vertrekkers vrijwillig",
                ("vertrekkers", "uit_regio"): "vertrekkers uit de regio",
                ("nieuwkomers", "totaal"): "nieuwkomers",
                ("gedwongen_verhuisd", "totaal"): "gedwongen verhuisd",
                ("gedwongen_verhuisd", "teruggekeerd"): "gedwongen verhuisd, teruggekeerd",
            }.get((group, kind))
            if label:
                add(label, str(code), float(v) / reps, float(v) / reps)
    if "change" in t and len(t["change"]):
        c = t["change"].copy()
        for col in ("xT", "delta", "n_terms", "n_T"):
            c[col] = pd.to_numeric(c[col], errors="coerce")
        means = c.groupby(["plan_code", "indicator"], as_index=False)[
            ["xT", "delta", "n_terms", "n_T"]
        ].mean()
        labels = {
            "gemiddeld_inkomen": "gemiddeld inkomen",
            "aandeel_laag_inkomen": "% laag inkomen",
            "aandeel_kwetsbaar": "% kwetsbaar",
        }
        for code, ind, x_t, delta, n_terms, n_t in means.itertuples(index=False, name=None):
            label = labels.get(str(ind), str(ind))
            add(f"{label} (eind)", str(code), float(x_t), float(n_t))
            add(f"{label} (verandering)", str(code), float(delta), float(n_terms))
    if "social_rent" in t and len(t["social_rent"]):
        s = t["social_rent"].copy()
        s["share"] = pd.to_numeric(s["share"], errors="coerce")
        s["dwellings"] = pd.to_numeric(s["dwellings"], errors="coerce")
        last = s[s["year"] == s["year"].max()]
        sr = last.groupby("gemeente", as_index=False, observed=True)[["share", "dwellings"]].mean()
        for gm, share, dwellings in sr.itertuples(index=False, name=None):
            add("aandeel sociale huur (eind)", str(gm), float(share), float(dwellings))
    if "segregation" in t and len(t["segregation"]):
        s = t["segregation"].copy()
        # a level with one unit (one gemeente) has no segregation between units
        s = s[pd.to_numeric(s["n_units"], errors="coerce") > 1]
        last = s[s["year"] == s["year"].max()]
        for col in ("M", "H", "D_laag", "households"):
            last = last.assign(**{col: pd.to_numeric(last[col], errors="coerce")})
        seg = last.groupby("level", as_index=False, observed=True)[
            ["M", "H", "D_laag", "households"]
        ].mean()
        for lv, m_, h_, d_, n_ in seg.itertuples(index=False, name=None):
            for ind, val in (("M", m_), ("H", h_), ("D_laag", d_)):
                add(f"segregatie {ind} (eind)", str(lv), float(val), float(n_))
    if "waiting" in t and len(t["waiting"]):
        w = t["waiting"]
        w = w[w["channel"] == "zoekend"]
        if len(w):
            last = w[w["year"] == w["year"].max()]
            v = float(pd.to_numeric(last["unplaced"], errors="coerce").sum()) / reps
            add("zoekenden zonder plaatsing (eind)", "regio", v, v)
    return pd.DataFrame(rows, columns=["indicator", "gebied", "waarde", "basis"])


def compare(dir_a: str | Path, dir_b: str | Path) -> pd.DataFrame:
    """The main indicators of two result directories and their difference.

    Parameters
    ----------
    dir_a, dir_b : str or Path
        Directories written by :meth:`SimulationResult.write`.

    Returns
    -------
    pandas.DataFrame
        ``indicator, gebied, a, b, verschil`` (``b − a``) and ``basis`` (the
        smaller of the two counts the values rest on: households, or dwellings
        for the social-rent share). Household values resting on fewer than 10
        households are missing (disclosure); an indicator one result lacks is
        missing there.

    Raises
    ------
    InputError
        If a directory is not a result directory.
    """
    a = _indicators(read_result(dir_a))
    b = _indicators(read_result(dir_b))
    m = a.merge(b, on=["indicator", "gebied"], how="outer", suffixes=("_a", "_b"), sort=False)
    out = pd.DataFrame(
        {
            "indicator": m["indicator"],
            "gebied": m["gebied"],
            "a": m["waarde_a"].astype("float64"),
            "b": m["waarde_b"].astype("float64"),
            "verschil": (m["waarde_b"] - m["waarde_a"]).astype("float64"),
            "basis": np.fmin(m["basis_a"].astype("float64"), m["basis_b"].astype("float64")),
        }
    )
    gated = gate(out, count="basis", values=["a", "b", "verschil"]).frame
    # a value present in one result only keeps its own base
    for side in ("a", "b"):
        only = m[f"waarde_{'b' if side == 'a' else 'a'}"].isna() & (
            m[f"basis_{side}"].astype("float64") >= MIN_HOUSEHOLDS
        )
        gated.loc[only.to_numpy(), side] = out.loc[only.to_numpy(), side]
    return gated.reset_index(drop=True)
