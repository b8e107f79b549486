"""Benchmark: 20 simulated years for 100 000 and 1 000 000 households.

The population is synthesised (:mod:`wijkmix.synth`) from the 114 buurten of
Den Haag (KWB 2019) copied and scaled into one fictitious gemeente, as in
``bench_synth.py``. The scenario has every rule active: plan events
(demolition of 40 % of the corporation stock of three wijken in years 2–8 with
1.3 times as much new construction, urgency and right to return), a Wbmgp art. 8
designation of three buurten (4 years, extended once), priority for local ties
on 25 % of the supply, a lottery share of 10 %, and the right to return to the
buurt. One replicate, without the baseline run (a run with baseline takes twice
as long), without the invariant checks.

Prints per size: seconds per simulated year, household-years per second (the
households housed at the end of each year, summed over the years, per second),
the time per step, and the peak resident memory; and, for scale, the throughput
of Mesa's own Schelling example measured in the same run (``pip install mesa``,
extra ``bench``; the issue quotes 0.04–0.24 million agent-steps per second on
this machine, used only when Mesa is not installed) against ours.
Target: 1 000 000 households × 20 years in < 90 s and < 3 GB.

Run: ``.venv/bin/python benchmarks/bench_sim.py [households ...]`` (default
``100000 1000000``; each size runs in its own process so that the peak memory
is that of one size).
"""

from __future__ import annotations

import math
import resource
import subprocess
import sys
import time

import numpy as np

from bench_synth import build_frame  # type: ignore[import-not-found]
from wijkmix.sim import AllocationRules, Designation, MixItem, PlanEvent, Scenario, run
from wijkmix.synth import SyntheticPopulation

DEN_HAAG_HOUSEHOLDS = 263_105  # KWB 2019, households of the 114 buurten
SCALE = 0.1
HORIZON = 20
MESA_SCHELLING = (0.04e6, 0.24e6)  # agent-steps per second


def scenario(dwellings: object, gemeente: str) -> Scenario:
    import pandas as pd

    d = dwellings if isinstance(dwellings, pd.DataFrame) else pd.DataFrame()
    wijken = sorted(d["wijk_code"].unique())[:3]
    buurten = sorted(d[d["wijk_code"] == wijken[-1]]["buurt_code"].unique())[:3]
    mix = (
        MixItem("corporatie", "sociale_huur", 0.5),
        MixItem("corporatie", "middenhuur", 0.2),
        MixItem("eigenaar_bewoner", "koop_betaalbaar", 0.2),
        MixItem("eigenaar_bewoner", "koop_duur", 0.1),
    )
    events: list[PlanEvent] = []
    for wk in wijken:
        corp = int(((d["wijk_code"] == wk) & (d["owner"] == "corporatie")).sum())
        per_year = max(1, round(0.4 * corp / 7))
        for year in range(2, 9):
            events.append(
                PlanEvent(
                    kind="new_construction",
                    year=year - 1,
                    completion_year=year,
                    area_level="wijk",
                    area_code=wk,
                    dwellings=round(1.3 * per_year),
                    mix=mix,
                    where=f"events[{len(events)}]",
                )
            )
            events.append(
                PlanEvent(
                    kind="demolition",
                    year=year,
                    area_level="wijk",
                    area_code=wk,
                    dwellings=per_year,
                    owner=("corporatie",),
                    segment=("sociale_huur",),
                    where=f"events[{len(events)}]",
                )
            )
    rules = AllocationRules(
        lottery_share=0.1,
        local_tie_share=0.25,
        return_scope="buurt",
        article8=tuple(
            Designation(level="buurt", code=b, start_year=2021, years=4, extended_years=4)
            for b in buurten
        ),
    )
    return Scenario(
        name="bench",
        gemeente=gemeente,
        start_year=2020,
        horizon=HORIZON,
        events=tuple(events),
        rules=rules,
        plan_areas=tuple(("wijk", w) for w in wijken),
    )


def one(target: int) -> None:
    copies = max(1, math.ceil(target / (DEN_HAAG_HOUSEHOLDS * SCALE)))
    scale = target / (copies * DEN_HAAG_HOUSEHOLDS)
    frame = build_frame(copies, scale, np.random.default_rng(2019))
    pop = SyntheticPopulation(2019).generate(frame, "GM9999", np.random.default_rng(1))
    sc = scenario(pop.dwellings, "GM9999")
    # warm-up: compile the numba kernels (cached on disk after the first run)
    small = build_frame(1, 0.02, np.random.default_rng(0))
    sp = SyntheticPopulation(2019).generate(small, "GM9999", np.random.default_rng(0))
    run(
        Scenario(name="warm", gemeente="GM9999", start_year=2020, horizon=2),
        dwellings=sp.dwellings,
        households=sp.households,
        seed=1,
        with_baseline=False,
    )
    del sp, small
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    res = run(sc, dwellings=pop.dwellings, households=pop.households, seed=1, with_baseline=False)
    seconds = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    comp = res.outcomes[0].composition
    tot = comp[
        (comp["level"] == "gemeente") & (comp["variable"] == "households") & (comp["year"] >= 1)
    ]
    household_years = float(tot["households"].sum())
    rate = household_years / seconds
    n_h = len(pop.households)
    print(f"\n== {n_h:,} households ({len(pop.dwellings):,} dwellings), {HORIZON} years ==")
    print(f"total:                   {seconds:.1f} s")
    print(f"seconds per year:        {seconds / HORIZON:.2f} s")
    print(f"household-years:         {household_years:,.0f}")
    print(f"household-years per s:   {rate:,.0f}")
    print(f"peak RSS:                {rss1 / 1024:,.0f} MiB (before: {rss0 / 1024:,.0f} MiB)")
    print(f"ledger rows:             {len(res.ledger):,}")
    print("seconds per step (all years):")
    for step, s in sorted(res.step_seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {step:<12} {s:7.1f} s  ({100 * s / seconds:4.1f} %)")
    measured = mesa_schelling()
    if measured is not None:
        print(
            f"Mesa {measured[0]} Schelling (measured now, {measured[1]:,} agents): "
            f"{measured[2] / 1e6:.3f} million agent-steps/s; wijkmix: {rate / 1e6:.2f} million "
            f"household-years/s ({rate / measured[2]:.1f} × faster, with the whole rulebook)"
        )
    else:
        lo, hi = MESA_SCHELLING
        print(
            f"Mesa not installed; the issue's figure for Mesa Schelling: {lo / 1e6:.2f}–"
            f"{hi / 1e6:.2f} million agent-steps/s; wijkmix: {rate / 1e6:.2f} million "
            f"household-years/s ({rate / hi:.0f}–{rate / lo:.0f} × faster)"
        )
    target_ok = seconds < 90 and rss1 / 1024**2 < 3
    if n_h >= 900_000:
        print(f"target 1M × 20 years < 90 s and < 3 GB: {'met' if target_ok else 'NOT met'}")


def mesa_schelling(seconds: float = 5.0) -> tuple[str, int, float] | None:
    """Run Mesa's Schelling example (100 × 100 grid, density 0.8) for ``seconds``.

    Returns (Mesa version, agents, agent-steps per second), or None without Mesa.
    """
    try:
        import mesa
        from mesa.examples.basic.schelling.model import Schelling
    except ImportError:
        return None
    model = Schelling(height=100, width=100, density=0.8, seed=1)
    n = len(model.agents)
    steps = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds and model.running:
        model.step()
        steps += 1
    return str(mesa.__version__), n, n * steps / (time.perf_counter() - t0)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    if len(sizes) == 1:
        one(sizes[0])
        return
    for n in sizes:  # each size in a fresh process: peak memory per size
        subprocess.run([sys.executable, __file__, str(n)], check=True)


if __name__ == "__main__":
    main()
