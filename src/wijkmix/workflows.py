"""Jobs that wire readers, the store and the computations together.

The command line and (later) the web server call these functions; each one
does one job and returns an immutable result. They are the only place where
``io``/``store`` meet ``synth`` and ``measures``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wijkmix.areas import level_rank, parse_code
from wijkmix.disclosure import DisclosedTable, gate
from wijkmix.errors import InputError
from wijkmix.store import ImportResult, Store

__all__ = [
    "DemoResult",
    "SynthRun",
    "areas_overview",
    "kwb_wide",
    "run_demo",
    "synthesize",
    "wijk_summary",
]

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def kwb_wide(store: Store, gemeente: str, *, year: int | None = None) -> pd.DataFrame:
    """Area statistics of one gemeente as one row per area with concept columns.

    Parameters
    ----------
    store : Store
        An initialised store with an imported KWB table.
    gemeente : str
        Gemeente code (``GM0518``).
    year : int, optional
        KWB year; default the latest imported for that gemeente.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, level, parent, gemeente_code, year`` and one
        column per concept (missing where CBS suppressed the value).

    Raises
    ------
    InputError
        If no KWB table for the gemeente (and year) was imported.
    """
    gm = parse_code(gemeente, level="gemeente").code
    areas = store.read("areas", {"gemeente_code": gm})
    if year is None and not areas.empty:
        year = int(areas["year"].max())
    if areas.empty or year is None:
        raise InputError(
            "no KWB data for this gemeente",
            where="gemeente",
            expected="a gemeente whose KWB table was imported ('wijkmix import kwb FILE')",
            found=gm,
        )
    areas = areas[areas["year"] == year].drop_duplicates("code", keep="last")
    stats = store.query(
        "SELECT area_code, concept, value FROM area_stats WHERE year = ? AND area_code IN "
        "(SELECT code FROM areas WHERE gemeente_code = ? AND year = ?)",
        [year, gm, year],
    )
    wide = stats.pivot_table(
        index="area_code", columns="concept", values="value", aggfunc="last", dropna=False
    )
    wide.columns.name = None
    base = areas[["code", "name", "level", "parent", "gemeente_code", "year"]].set_index("code")
    out = base.join(wide, how="left").reset_index()
    out["_rank"] = -out["level"].map(level_rank)
    return out.sort_values(["_rank", "code"]).drop(columns="_rank").reset_index(drop=True)


def areas_overview(
    store: Store, *, level: str | None = None, gemeente: str | None = None
) -> pd.DataFrame:
    """List areas with their CBS inhabitants, households and dwellings.

    Names come from the KWB table, else from imported boundaries.

    Returns
    -------
    pandas.DataFrame
        Columns ``code, name, level, parent, inhabitants, households, dwellings``,
        sorted coarse to fine, then by code.
    """
    if level is not None:
        level_rank(level)
    where: dict[str, object] = {}
    if gemeente is not None:
        where["gemeente_code"] = parse_code(gemeente, level="gemeente").code
    if level is not None:
        where["level"] = level
    areas = store.read("areas", where)
    if areas.empty:
        return pd.DataFrame(
            columns=["code", "name", "level", "parent", "inhabitants", "households", "dwellings"]
        )
    latest = areas.groupby("code")["year"].transform("max")
    areas = areas[areas["year"] == latest].drop_duplicates("code", keep="last")
    stats = store.read(
        "area_stats",
        {"area_code": list(areas["code"]), "concept": ["inhabitants", "households", "dwellings"]},
    )
    stats = stats.merge(
        areas[["code", "year"]], left_on=["area_code", "year"], right_on=["code", "year"]
    )
    wide = stats.pivot_table(index="area_code", columns="concept", values="value", aggfunc="last")
    out = areas[["code", "name", "level", "parent"]].set_index("code").join(wide, how="left")
    for c in ("inhabitants", "households", "dwellings"):
        if c not in out.columns:
            out[c] = np.nan
        out[c] = out[c].astype("Float64").round().astype("Int64")
    bnames = store.query(
        "SELECT area_code, name FROM boundaries WHERE name IS NOT NULL"
    ).drop_duplicates("area_code", keep="last")
    fill = out.index.map(dict(zip(bnames["area_code"], bnames["name"], strict=True)))
    out["name"] = out["name"].where(out["name"].notna(), pd.Series(fill, index=out.index))
    out = out.reset_index()
    out["_rank"] = -out["level"].map(level_rank)
    out = out.sort_values(["_rank", "code"]).drop(columns="_rank").reset_index(drop=True)
    return out[["code", "name", "level", "parent", "inhabitants", "households", "dwellings"]]


@dataclass(frozen=True)
class SynthRun:
    """A synthetic population generated and stored.

    Attributes
    ----------
    gemeente : str
    seed : int
    households : int
    dwellings : int
    seconds : float
        Generation time (without storing).
    fit_summary : pandas.DataFrame
        Per concept: buurten, mean and max absolute error.
    fit : pandas.DataFrame
        Per buurt and concept: target against generated.
    notes : tuple of str
        Dutch notes (borrowed values and the like).
    stored : ImportResult
    """

    gemeente: str
    seed: int
    households: int
    dwellings: int
    seconds: float
    fit_summary: pd.DataFrame
    fit: pd.DataFrame
    notes: tuple[str, ...]
    stored: ImportResult


def synthesize(
    store: Store,
    gemeente: str,
    *,
    seed: int = 20240101,
    year: int | None = None,
) -> SynthRun:
    """Generate the synthetic registers of a gemeente and store them.

    The registers replace earlier registers of the same gemeente; the fit is
    stored in ``synth_fit``.
    """
    from wijkmix.io.registers import RegisterSet, store_registers
    from wijkmix.synth import SyntheticPopulation

    wide = kwb_wide(store, gemeente, year=year)
    kwb_year = int(wide["year"].iloc[0])
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    t0 = time.perf_counter()
    result = SyntheticPopulation(year=kwb_year).generate(wide, gemeente, rng)
    seconds = time.perf_counter() - t0
    gm = parse_code(gemeente, level="gemeente").code
    regs = RegisterSet(
        dwellings=result.dwellings,
        households=result.households,
        dwellings_source=f"synth:{gm}:seed={seed}",
        households_source=f"synth:{gm}:seed={seed}",
    )
    digest = hashlib.sha256(f"synth|{gm}|{kwb_year}|{seed}".encode()).hexdigest()
    fit = result.fit.copy()
    fit["seed"] = seed
    with store.transaction():
        stored = store_registers(store, regs, source=f"synth:{gm}:seed={seed}", sha256=digest)
        store.execute("DELETE FROM synth_fit WHERE gemeente_code = ?", [gm])
        store.append(
            "synth_fit",
            fit.assign(source=f"synth:{gm}:seed={seed}")[
                [c for c in store.read("synth_fit").columns]
            ],
        )
    return SynthRun(
        gemeente=gm,
        seed=seed,
        households=len(result.households),
        dwellings=len(result.dwellings),
        seconds=seconds,
        fit_summary=result.fit_summary(),
        fit=result.fit,
        notes=tuple(result.notes),
        stored=stored,
    )


def wijk_summary(store: Store, gemeente: str) -> DisclosedTable:
    """Per wijk: CBS figures, the Leefbaarometer class and the synthetic registers.

    Columns: ``wijk, naam, inwoners, huishoudens, pct_corporatie,
    pct_laag_inkomen`` (CBS, as published), ``lbm_klasse`` and ``lbm_jaar`` (the
    latest Leefbaarometer class), and ``synth_huishoudens``,
    ``synth_pct_corporatie`` (computed from the registers, so they pass the
    disclosure gate).
    """
    gm = parse_code(gemeente, level="gemeente").code
    wide = kwb_wide(store, gm)
    wijken = wide[wide["level"] == "wijk"].reset_index(drop=True)
    reg = store.query(
        "SELECT d.wijk_code AS code, COUNT(h.household_id) AS n_hh, "
        "100.0 * AVG(CASE WHEN d.owner = 'corporatie' THEN 1.0 ELSE 0.0 END) AS pct_corp "
        "FROM dwellings d LEFT JOIN households h USING (dwelling_id) "
        "WHERE d.gemeente_code = ? AND d.status <> 'gesloopt' GROUP BY d.wijk_code",
        [gm],
    ).set_index("code")
    lbm = (
        store.query(
            "SELECT area_code, year, value FROM lbm_scores WHERE indicator = 'class' "
            "AND level = 'wijk' AND area_code LIKE ? ORDER BY year",
            ["WK" + gm[2:] + "%"],
        )
        .drop_duplicates("area_code", keep="last")
        .set_index("area_code")
    )
    names = areas_overview(store, level="wijk", gemeente=gm).set_index("code")["name"]

    def col(concept: str) -> np.ndarray:
        if concept in wijken.columns:
            return wijken[concept].astype("float64").to_numpy()
        return np.full(len(wijken), np.nan)

    out = pd.DataFrame(
        {
            "wijk": wijken["code"],
            "naam": wijken["code"].map(names),
            "inwoners": col("inhabitants"),
            "huishoudens": col("households"),
            "pct_corporatie": col("pct_corporation"),
            "pct_laag_inkomen": col("pct_low_income_households"),
            "lbm_klasse": wijken["code"].map(lbm["value"]).astype("float64"),
            "lbm_jaar": wijken["code"].map(lbm["year"]).astype("float64"),
        }
    )
    out["synth_huishoudens"] = out["wijk"].map(reg["n_hh"]).astype("float64")
    out["synth_pct_corporatie"] = out["wijk"].map(reg["pct_corp"]).astype("float64")
    return gate(
        out,
        count="synth_huishoudens",
        values=["synth_huishoudens", "synth_pct_corporatie"],
    )


@dataclass(frozen=True)
class DemoResult:
    """What ``wijkmix demo`` did."""

    db: str
    gemeente: str
    name: str
    imports: tuple[ImportResult, ...]
    synth: SynthRun
    summary: DisclosedTable
    seconds: float
    attributions: tuple[str, ...] = field(default_factory=tuple)


def run_demo(
    store: Store,
    *,
    gemeente: str = "GM0518",
    seed: int = 20240101,
    progress: Progress = _noop,
) -> DemoResult:
    """Import the shipped real data of a demo gemeente, synthesise, summarise."""
    from wijkmix.datasets import demo_files
    from wijkmix.io.cbs_kwb import import_kwb
    from wijkmix.io.geometry import import_geometry
    from wijkmix.io.leefbaarometer import import_lbm

    t0 = time.perf_counter()
    files = demo_files(gemeente)
    imports: list[ImportResult] = []
    progress("CBS Kerncijfers wijken en buurten importeren")
    imports.append(import_kwb(store, files.kwb, gemeente=files.gemeente))
    progress("Leefbaarometer importeren")
    imports.append(import_lbm(store, files.lbm_classes, gemeente=files.gemeente))
    imports.append(import_lbm(store, files.lbm_dimensions, gemeente=files.gemeente))
    progress("Grenzen van buurten en wijken importeren")
    imports.append(import_geometry(store, files.buurt_geometry, level="buurt"))
    imports.append(import_geometry(store, files.wijk_geometry, level="wijk"))
    progress("Synthetische woningen en huishoudens genereren")
    synth = synthesize(store, files.gemeente, seed=seed)
    summary = wijk_summary(store, files.gemeente)
    prov = store.read("provenance")
    attributions = tuple(dict.fromkeys(a for a in prov["attribution"] if isinstance(a, str)))
    return DemoResult(
        db=store.location,
        gemeente=files.gemeente,
        name=files.name,
        imports=tuple(imports),
        synth=synth,
        summary=summary,
        seconds=time.perf_counter() - t0,
        attributions=attributions,
    )


def resolve_level(level: str | None) -> str | None:
    """Validate an optional CBS level name."""
    if level is None:
        return None
    level_rank(level)
    return level


def read_path(path: str | Path) -> Path:
    """Return ``path`` as a Path, raising InputError when it does not exist."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", where=str(p), expected="an existing file", found=str(p))
    return p


def registers_of(store: Store, gemeente: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The dwelling and household registers of a gemeente, as stored.

    Raises
    ------
    InputError
        If the store holds no registers for the gemeente.
    """
    gm = parse_code(gemeente, level="gemeente").code
    dwellings = store.read("dwellings", {"gemeente_code": gm}).drop(columns="source")
    if dwellings.empty:
        raise InputError(
            "no registers for this gemeente",
            where="gemeente",
            expected="a gemeente whose registers were imported or synthesised "
            "('wijkmix import registers' or 'wijkmix synth')",
            found=gm,
        )
    households = store.query(
        "SELECT h.* EXCLUDE (source) FROM households h JOIN dwellings d USING (dwelling_id) "
        "WHERE d.gemeente_code = ?",
        [gm],
    )
    return dwellings, households


def simulate(
    store: Store,
    scenario_path: str | Path,
    *,
    years: int | None = None,
    replicates: int = 1,
    seed: int = 20240101,
    executor: str | None = None,
    with_baseline: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> object:
    """Run a scenario file on the registers of its gemeente.

    Returns
    -------
    wijkmix.sim.runner.SimulationResult
    """
    import dataclasses

    from wijkmix.sim import load_scenario, run

    scenario = load_scenario(read_path(scenario_path))
    if years is not None:
        if years < 1:
            raise InputError("invalid horizon", where="years", expected="at least 1", found=years)
        scenario = dataclasses.replace(scenario, horizon=years)
    dwellings, households = registers_of(store, scenario.gemeente)
    return run(
        scenario,
        dwellings=dwellings,
        households=households,
        seed=seed,
        replicates=replicates,
        executor=executor,
        with_baseline=with_baseline,
        progress=progress,
    )


def plan_stock(store: Store, plan: object) -> dict[str, dict[str, int]]:
    """Dwellings and social rent per plan area at the start, from the registers.

    Areas without registers are left out (the plan's own ``[plan.stock]`` or
    nothing then applies).
    """
    codes = {getattr(a, "code", None) for a in getattr(getattr(plan, "plan", None), "areas", ())}
    for coll in ("goals", "measures"):
        codes |= {getattr(x, "area", None) for x in getattr(plan, coll, ())}
    out: dict[str, dict[str, int]] = {}
    for code in sorted(c for c in codes if isinstance(c, str)):
        col = {"BU": "buurt_code", "WK": "wijk_code", "GM": "gemeente_code"}.get(code[:2])
        if col is None:
            continue
        q = store.query(
            f"SELECT COUNT(*) AS n, SUM(CASE WHEN owner = 'corporatie' AND segment = "
            f"'sociale_huur' THEN 1 ELSE 0 END) AS s FROM dwellings WHERE {col} = ? "
            "AND status <> 'gesloopt'",
            [code],
        )
        n = int(q["n"].iloc[0])
        if n:
            out[code] = {"dwellings": n, "social_rent": int(q["s"].iloc[0] or 0)}
    return out


def check_plan_file(store: Store | None, path: str | Path) -> tuple[object, object]:
    """Load a plan and run the precision checks (with the store's stock when given).

    Returns
    -------
    (Plan, CheckReport)
    """
    from wijkmix.plan import check_plan, load_plan

    plan = load_plan(read_path(path))
    stock = plan_stock(store, plan) if store is not None else None
    return plan, check_plan(plan, stock=stock)


@dataclass(frozen=True)
class MonitorRun:
    """Goals against results, and statistics against experience."""

    goals: pd.DataFrame
    divergence: pd.DataFrame
    counts: dict[str, int]
    notes: tuple[str, ...]


def monitor_plan(store: Store, path: str | Path, *, today_year: int | None = None) -> MonitorRun:
    """Follow the goals of a plan with the values in the store.

    Measured values are the imported monitor values plus every imported KWB
    figure and Leefbaarometer score (as statistics).
    """
    from wijkmix.io.monitor import values_from_kwb, values_from_lbm
    from wijkmix.plan import load_plan
    from wijkmix.plan.monitor import divergence, monitor

    plan = load_plan(read_path(path))
    values = pd.concat(
        [
            store.read("monitor_values"),
            values_from_kwb(store.read("area_stats")),
            values_from_lbm(store.read("lbm_scores")),
        ],
        ignore_index=True,
    )
    report = monitor(list(plan.goals), values, today_year=today_year)
    stats: dict[str, str] = {}
    for g in plan.goals:
        d = str(getattr(g.direction, "value", g.direction))
        if d in ("omhoog", "omlaag"):
            stats[g.indicator] = d
    if "lbm" in set(values["indicator"]):
        stats.setdefault("lbm", "omhoog")
    exp_names = sorted(set(values.loc[values["kind"] == "beleving", "indicator"]) - set(stats))
    exps = {n: ("omlaag" if "verhuis" in n else "omhoog") for n in exp_names}
    notes: list[str] = []
    if stats and exps:
        div = divergence(values, statistic_indicators=stats, experience_indicators=exps)
        div_frame = div.to_frame(dutch=True, flagged_only=True)
        notes += list(div.notes)
    else:
        div_frame = pd.DataFrame()
        notes.append(
            "Geen vergelijking van statistiek en beleving: importeer belevingscijfers "
            "(kind 'beleving') met 'wijkmix import monitor'."
        )
    return MonitorRun(report.to_frame(dutch=True), div_frame, report.counts(), tuple(notes))


@dataclass(frozen=True)
class PlanSimulation:
    """A plan translated, simulated with and without the plan, and its goals scored."""

    translation: object
    result: object
    scores: object


def plan_simulate(
    store: Store,
    path: str | Path,
    *,
    replicates: int = 2,
    seed: int = 20240101,
    years: int | None = None,
    executor: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PlanSimulation:
    """Turn a plan's quantitative measures into a scenario, run it and score the goals."""
    from wijkmix.plan import load_plan
    from wijkmix.plan.simulate import score_goals, translate_plan
    from wijkmix.sim import run

    plan = load_plan(read_path(path))
    translation = translate_plan(plan, horizon=years)
    scenario = translation.scenario
    dwellings, households = registers_of(store, scenario.gemeente)
    result = run(
        scenario,
        dwellings=dwellings,
        households=households,
        seed=seed,
        replicates=replicates,
        executor=executor,
        progress=progress,
    )
    return PlanSimulation(translation, result, score_goals(plan, result))
