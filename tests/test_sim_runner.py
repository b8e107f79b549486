"""Tests of the simulation runner (wijkmix.sim.runner).

The population is synthesised (wijkmix.synth) from a small hand-built KWB frame:
gemeente GM0999 with three wijken and five buurten, 2 900 households. Wijk
WK099901 is the post-war corporation wijk: 75 % and 70 % corporation dwellings
in its two buurten.

Checks are computed independently of the runner: household and dwelling counts
from the final state and the ledger, parquet bytes, and the stayer/leaver
groups recounted from the ledger and the final state.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim_helpers import kwb_frame
from wijkmix.disclosure import MIN_HOUSEHOLDS
from wijkmix.errors import InputError
from wijkmix.sim import (
    AllocationRules,
    MixItem,
    PlanEvent,
    Scenario,
    SimulationResult,
    compare,
    read_result,
    run,
    run_replicate,
)
from wijkmix.sim.events import households_away
from wijkmix.sim.state import Cause, HouseholdState, State
from wijkmix.synth import SyntheticPopulation, SynthResult

# code, wijk, households, % corporation, % owner-occupied, % low income
_BUURTEN = [
    ("BU09990101", "WK099901", 600, 75, 10, 25.0),
    ("BU09990102", "WK099901", 500, 70, 15, 22.0),
    ("BU09990201", "WK099902", 700, 30, 55, 8.0),
    ("BU09990202", "WK099902", 500, 40, 40, 12.0),
    ("BU09990301", "WK099903", 600, 20, 60, 6.0),
]
WIJK = "WK099901"


@pytest.fixture(scope="module")
def population() -> SynthResult:
    return SyntheticPopulation(2019).generate(
        kwb_frame(_BUURTEN), "GM0999", np.random.default_rng(7)
    )


MIX = (
    MixItem("corporatie", "sociale_huur", 0.5),
    MixItem("corporatie", "middenhuur", 0.2),
    MixItem("eigenaar_bewoner", "koop_betaalbaar", 0.2),
    MixItem("eigenaar_bewoner", "koop_duur", 0.1),
)


def small_scenario(horizon: int = 3) -> Scenario:
    """Demolish 40 % of the wijk's corporation stock in year 2, build 400 new in year 2-3."""
    events = (
        PlanEvent(
            kind="demolition",
            year=2,
            area_level="wijk",
            area_code=WIJK,
            share=0.4,
            owner=("corporatie",),
            where="events[0]",
        ),
        PlanEvent(
            kind="new_construction",
            year=2,
            completion_year=3,
            area_level="wijk",
            area_code=WIJK,
            dwellings=400,
            mix=MIX,
            where="events[1]",
        ),
    )
    return Scenario(
        name="klein",
        gemeente="GM0999",
        start_year=2020,
        horizon=horizon,
        events=events,
        rules=AllocationRules(return_scope="buurt", lottery_share=0.2),
        plan_areas=(("wijk", WIJK), ("buurt", "BU09990101")),
    )


def run_small(population: SynthResult, **kw: Any) -> SimulationResult:
    kw.setdefault("seed", 11)
    return run(
        small_scenario(),
        dwellings=population.dwellings,
        households=population.households,
        **kw,
    )


@pytest.fixture(scope="module")
def single(population: SynthResult) -> SimulationResult:
    return run_small(population)


@pytest.fixture(scope="module")
def double(population: SynthResult) -> SimulationResult:
    return run_small(population, replicates=2)


def parquet_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.parquet"))}


# --------------------------------------------------------------------------
# invariants of a checked run
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def checked(population: SynthResult) -> tuple[State, pd.DataFrame, object]:
    state0 = State.from_registers(population.dwellings, population.households)
    rep = run_replicate(small_scenario(), state0, seed=5, replicate=0, check=True, keep_state=True)
    assert rep.state is not None
    return rep.state, rep.ledger, rep


def test_households_are_conserved_and_reconcile_with_the_ledger(
    population: SynthResult, checked: tuple[State, pd.DataFrame, object]
) -> None:
    state, ledger, rep = checked
    n0 = len(population.households)
    steps = rep.steps  # type: ignore[attr-defined]
    plan = steps[steps["world"] == "plan"]

    def total(step: str, measure: str) -> int:
        m = plan[(plan["step"] == step) & (plan["measure"] == measure)]["value"]
        return int(m.sum())

    created = total("demography", "new_households") + total("moves", "inflow")
    assert state.n_households == n0 + created
    assert set(np.unique(state.h_state)) <= {s.value for s in HouseholdState}
    # every household that left has exactly one OUTFLOW row, every ended one one DISSOLUTION row
    for st, cause in (
        (HouseholdState.LEFT, Cause.OUTFLOW),
        (HouseholdState.DISSOLVED, Cause.DISSOLUTION),
    ):
        ids = np.sort(state.h_id[state.h_state == st])
        rows = ledger[ledger["cause"] == cause]["household_id"].to_numpy()
        assert len(rows) == len(np.unique(rows))
        np.testing.assert_array_equal(np.sort(rows), ids)
    # ACTIVE households are housed, seeking, or temporarily away during a renovation
    active = state.h_state == HouseholdState.ACTIVE
    housed = state.h_dwelling >= 0
    seeking = state.h_seek_cause >= 0
    away = np.zeros(state.n_households, dtype=bool)
    away[households_away(state)] = True
    assert not (housed & ~active).any()
    assert (housed | seeking | away)[active].all()
    # the ledger's outflow and dissolution counts are the step reports' counts
    assert (state.h_state == HouseholdState.LEFT).sum() == total("moves", "outflow") + total(
        "moves", "expired"
    ) + total("moves", "gave_up")
    assert (state.h_state == HouseholdState.DISSOLVED).sum() == total("demography", "dissolved")


def test_dwellings_are_conserved_and_never_shared(
    population: SynthResult, checked: tuple[State, pd.DataFrame, object]
) -> None:
    state, _, rep = checked
    n0 = len(population.dwellings)
    assert state.n_dwellings == n0 + 400  # the new construction
    occ = state.d_occupant[state.d_occupant >= 0]
    assert len(occ) == len(np.unique(occ))  # no household in two dwellings
    hd = state.h_dwelling[state.h_dwelling >= 0]
    assert len(hd) == len(np.unique(hd))  # no dwelling with two households
    assert len(occ) == len(hd)
    # 40 % of the wijk's corporation stock demolished (rounded half up), nothing else
    d = population.dwellings
    corp = int(((d["wijk_code"] == WIJK) & (d["owner"] == "corporatie")).sum())
    assert int((state.d_status == 3).sum()) == int(np.floor(0.4 * corp + 0.5))
    # the recorded composition at the horizon counts the housed households
    comp = rep.outcomes.composition  # type: ignore[attr-defined]
    tot = comp[
        (comp["year"] == 3) & (comp["level"] == "gemeente") & (comp["variable"] == "households")
    ]
    assert int(tot["households"].sum()) == len(hd)


def test_stayers_and_leavers_recounted_from_the_state(
    population: SynthResult, checked: tuple[State, pd.DataFrame, object]
) -> None:
    state, _, rep = checked
    wijk = state.areas.index("wijk", WIJK)
    in_wijk_T = np.zeros(state.n_households, dtype=bool)
    housed = state.h_dwelling >= 0
    in_wijk_T[housed] = state.areas.buurt_wijk[state.d_buurt[state.h_dwelling[housed]]] == wijk
    n0 = len(population.households)
    in_wijk_0 = np.zeros(state.n_households, dtype=bool)
    in_wijk_0[:n0] = (state.h_origin_buurt[:n0] >= 0) & (
        state.areas.buurt_wijk[state.h_origin_buurt[:n0]] == wijk
    )
    g = rep.outcomes.groups  # type: ignore[attr-defined]
    g = g[g["plan_code"] == WIJK].set_index(["group", "kind"])["households"]
    assert g[("blijvers", "totaal")] == int((in_wijk_0 & in_wijk_T).sum())
    assert g[("vertrekkers", "totaal")] == int((in_wijk_0 & ~in_wijk_T).sum())
    assert g[("nieuwkomers", "totaal")] == int((~in_wijk_0 & in_wijk_T).sum())


# --------------------------------------------------------------------------
# determinism and executors
# --------------------------------------------------------------------------
def test_same_seed_gives_byte_identical_parquet(
    population: SynthResult, single: SimulationResult, tmp_path: Path
) -> None:
    a = single.write(tmp_path / "a")
    b = run_small(population).write(tmp_path / "b")
    fa, fb = parquet_files(a), parquet_files(b)
    assert len(fa) == 18  # 7 plan + 7 baseline tables, waterbed, ledger, steps, plan_events
    assert fa == fb
    c = run_small(population, seed=12).write(tmp_path / "c")
    assert parquet_files(c)["ledger.parquet"] != fa["ledger.parquet"]


def _replicate_tables(res: SimulationResult, r: int) -> dict[str, pd.DataFrame]:
    out = {}
    for name, t in res.tables().items():
        if "replicate" in t.columns:
            out[name] = t[t["replicate"] == r].reset_index(drop=True)
    return out


def _bytes(frame: pd.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def test_replicate_alone_equals_replicate_in_a_batch(
    population: SynthResult, double: SimulationResult
) -> None:
    batch = double
    alone = run_small(population, replicate_ids=[1])
    assert batch.replicates == (0, 1) and alone.replicates == (1,)
    tb, ta = _replicate_tables(batch, 1), _replicate_tables(alone, 1)
    assert set(tb) == set(ta) and len(ta) == 17
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_categorical=False)
        assert len(ta[name]) > 0 or name == "plan_events"
    for name in ("ledger", "steps", "groups", "change", "destinations"):
        assert _bytes(ta[name]) == _bytes(tb[name]), name
    # and the two replicates differ (their random numbers do)
    t0 = _replicate_tables(batch, 0)["ledger"].drop(columns="replicate")
    assert not t0.equals(tb["ledger"].drop(columns="replicate"))


def test_process_executor_equals_in_process(
    population: SynthResult, double: SimulationResult
) -> None:
    here = double
    pool = run_small(population, replicates=2, executor="process")
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        given = run_small(population, replicates=2, executor=ex)
    for other in (pool, given):
        for name, t in here.tables().items():
            pd.testing.assert_frame_equal(t, other.tables()[name])


# --------------------------------------------------------------------------
# the acceptance test: build before demolish keeps people in the wijk
# --------------------------------------------------------------------------
def _phased(population: SynthResult, build_first: bool) -> Scenario:
    """Demolish the oldest corporation complexes (40 % of the stock) in years 2-4."""
    d = population.dwellings
    w = d[d["wijk_code"] == WIJK]
    corp_total = int((w["owner"] == "corporatie").sum())
    cx = (
        w.assign(corp=w["owner"] == "corporatie")
        .groupby(["buurt_code", "complex_code"], as_index=False)
        .agg(n=("corp", "size"), corp=("corp", "sum"), built=("build_year", "min"))
    )
    cx = cx[cx["corp"] > cx["n"] / 2].sort_values(["built", "complex_code"])
    cx = cx[cx["corp"].cumsum() <= 0.4 * corp_total]
    assert len(cx) >= 3
    events: list[PlanEvent] = []
    rows = zip(cx["buurt_code"], cx["complex_code"], cx["corp"], strict=True)
    for i, (buurt, complex_code, corp) in enumerate(rows):
        year = 2 + min(i, 2)  # one or more complexes in each of years 2, 3, 4
        new = round(1.3 * int(corp))
        start, done = (max(1, year - 1), year) if build_first else (year, year + 2)
        events.append(
            PlanEvent(
                kind="new_construction",
                year=start,
                completion_year=done,
                area_level="buurt",
                area_code=str(buurt),
                dwellings=new,
                mix=MIX,
                where=f"events[{len(events)}]",
            )
        )
        events.append(
            PlanEvent(
                kind="demolition",
                year=year,
                area_level="complex",
                area_code=str(complex_code),
                owner=("corporatie",),
                where=f"events[{len(events)}]",
            )
        )
    return Scenario(
        name="bouwen_eerst" if build_first else "slopen_eerst",
        gemeente="GM0999",
        start_year=2020,
        horizon=6,
        events=tuple(events),
        rules=AllocationRules(return_scope="buurt"),
        plan_areas=(("wijk", WIJK),),
    )


def test_build_before_demolish_gives_fewer_forced_moves_out_of_the_wijk(
    population: SynthResult, tmp_path: Path
) -> None:
    results = {}
    for build_first in (True, False):
        sc = _phased(population, build_first)
        res = run(
            sc,
            dwellings=population.dwellings,
            households=population.households,
            seed=3,
            with_baseline=False,
        )
        results[build_first] = res
    counts = {}
    for build_first, res in results.items():
        g = res.outcomes[0].groups.set_index(["group", "kind"])["households"]
        counts[build_first] = (
            int(g[("vertrekkers", "gedwongen")]),
            int(g[("gedwongen_verhuisd", "totaal")]),
            int(g[("gedwongen_verhuisd", "teruggekeerd")]),
        )
    print(
        "forced leavers out of the wijk / forced movers / returned: "
        f"build first {counts[True]}, demolish first {counts[False]}"
    )
    # the same complexes are demolished: about the same number of households is forced
    # to move (not exactly: which dwellings stand empty at demolition differs)
    assert (
        counts[True][1] > 100 and abs(counts[True][1] - counts[False][1]) < 0.05 * counts[True][1]
    )
    # building first: fewer of them leave the wijk, more come back
    assert counts[True][0] < counts[False][0]
    assert counts[True][2] > counts[False][2]
    # compare() on the written results shows the same difference
    a = results[False].write(tmp_path / "slopen")
    b = results[True].write(tmp_path / "bouwen")
    cmp = compare(a, b)
    sel = cmp[(cmp["indicator"] == "vertrekkers gedwongen") & (cmp["gebied"] == WIJK)]
    got = tuple(float(x) for x in sel[["a", "b", "verschil"]].to_numpy()[0])
    assert got == (
        counts[False][0],
        counts[True][0],
        counts[True][0] - counts[False][0],
    )


# --------------------------------------------------------------------------
# result files, summary, errors
# --------------------------------------------------------------------------
def test_written_result_reads_back_with_provenance(
    population: SynthResult, double: SimulationResult, tmp_path: Path
) -> None:
    res = double
    out = res.write(tmp_path / "r")
    back = read_result(out)
    prov = back.provenance
    assert prov["seed"] == 11 and prov["replicates"] == [0, 1]
    assert prov["scenario"] == "klein"
    for name, frame in (("dwellings", population.dwellings), ("households", population.households)):
        h = hashlib.sha256()
        h.update("\x1f".join(frame.columns).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        assert prov["input_hashes"][name] == h.hexdigest()
    assert prov["parameters"]["params"]["moves"]["max_seek_years"] == 5
    assert prov["seconds"] >= 0 and prov["started"] <= prov["finished"]
    for name, t in res.tables().items():
        pd.testing.assert_frame_equal(back.tables[name], t, check_categorical=False)
    # the waterbed pairs replicates: the baseline differs from the plan in the wijk
    assert res.waterbed is not None and res.waterbed.n_replicates == 2


def test_disclosed_write_suppresses_small_cells_and_drops_the_ledger(
    single: SimulationResult, tmp_path: Path
) -> None:
    res = single
    out = res.write(tmp_path / "d", disclosed=True)
    assert not (out / "ledger.parquet").exists()
    comp = pd.read_parquet(out / "composition.parquet")
    raw = res.tables()["composition"]
    small = raw["households"].to_numpy() < MIN_HOUSEHOLDS
    assert small.any()
    assert comp["households"].isna().to_numpy()[small].all()
    np.testing.assert_array_equal(
        comp["households"].to_numpy()[~small], raw["households"].to_numpy()[~small]
    )


def test_summary_is_dutch_and_passes_the_disclosure_gate(single: SimulationResult) -> None:
    res = single
    text = res.summary_nl()
    assert "Plangebied WK099901 (wijk)" in text
    assert "Sociale en economische maatregelen worden niet gesimuleerd" in text
    assert "doel 30 %" in text
    groups = res.outcomes[0].groups
    sel = groups[groups["plan_code"] == "BU09990101"]
    g = dict(zip(zip(sel["group"], sel["kind"], strict=True), sel["households"], strict=True))
    block = text.split("Plangebied BU09990101 (buurt)")[1]
    line = next(x for x in block.splitlines() if x.strip().startswith("Vertrekkers:"))
    labels = {
        "gedwongen": "gedwongen",
        "vrijwillig": "vrijwillig (binnen de regio)",
        "uit_regio": "uit de regio",
        "opgeheven": "opgeheven (overleden, opgenomen)",
    }
    for kind, label in labels.items():
        n = int(g[("vertrekkers", kind)])
        shown = "–" if n < MIN_HOUSEHOLDS else f"{n:,}".replace(",", ".")
        assert f"{label} {shown}" in line, (kind, n, line)
    assert any(int(g[("vertrekkers", k)]) < MIN_HOUSEHOLDS for k in labels)


def test_errors(population: SynthResult) -> None:
    d, h = population.dwellings, population.households
    bad_area = Scenario(
        name="x",
        gemeente="GM0999",
        start_year=2020,
        horizon=1,
        events=(
            PlanEvent(
                kind="demolition",
                year=1,
                area_level="buurt",
                area_code="BU09990999",
                where="events[4]",
            ),
        ),
    )
    with pytest.raises(InputError, match=r"field 'events\[4\]\.area_code'"):
        run(bad_area, dwellings=d, households=h, seed=1)
    other = Scenario(name="x", gemeente="GM0518", start_year=2020, horizon=1)
    with pytest.raises(InputError, match="field 'gemeente'"):
        run(other, dwellings=d, households=h, seed=1)
    ok = Scenario(name="x", gemeente="GM0999", start_year=2020, horizon=1)
    with pytest.raises(InputError, match="field 'seed'"):
        run(ok, dwellings=d, households=h, seed=-1)
    with pytest.raises(InputError, match="field 'executor'"):
        run(ok, dwellings=d, households=h, seed=1, executor="dask")
    with pytest.raises(InputError, match="field 'replicate_ids'"):
        run(ok, dwellings=d, households=h, seed=1, replicate_ids=[1, 1])
