"""The progress callback of wijkmix.sim.run counts simulated years."""

import numpy as np

from sim_helpers import kwb_frame
from wijkmix.sim import MixItem, PlanEvent, Scenario, run
from wijkmix.synth import SyntheticPopulation

BUURTEN = [
    ("BU09990101", "WK099901", 300, 70, 10, 20.0),
    ("BU09990201", "WK099902", 300, 30, 50, 8.0),
]


def _pop():
    return SyntheticPopulation(2019).generate(
        kwb_frame(BUURTEN), "GM0999", np.random.default_rng(1)
    )


def test_progress_reaches_replicates_times_years_times_worlds():
    pop = _pop()
    build = PlanEvent(
        kind="new_construction", year=1, area_level="buurt", area_code="BU09990101",
        dwellings=20, mix=(MixItem("corporatie", "sociale_huur", 1.0),), completion_year=2,
    )  # fmt: skip
    scenario = Scenario(name="p", gemeente="GM0999", start_year=2020, horizon=3, events=(build,))
    calls: list[tuple[int, int]] = []
    run(scenario, dwellings=pop.dwellings, households=pop.households, seed=1, replicates=2,
        progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    # 2 replicates × 3 years × 2 worlds (plan and baseline), one call per simulated year
    assert calls == [(k, 12) for k in range(1, 13)]
    calls.clear()
    plain = Scenario(name="b", gemeente="GM0999", start_year=2020, horizon=3)
    run(plain, dwellings=pop.dwellings, households=pop.households, seed=1, replicates=1,
        progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    # a scenario without plan runs one world (its outcomes serve as the baseline)
    assert calls == [(1, 3), (2, 3), (3, 3)]
