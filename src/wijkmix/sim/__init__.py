"""The microsimulation: what would a plan do in 20 years, to whom, and where.

Read a scenario, run it on the registers, look at the result::

    from wijkmix.sim import load_scenario, run

    scenario = load_scenario("examples/scenarios/herstructurering_bouwen_eerst.toml")
    result = run(scenario, dwellings=dwellings, households=households, seed=1, replicates=4)
    print(result.summary_nl())
    result.write("uitvoer/bouwen_eerst")

The scenario file format is documented in ``docs/scenario.md``. A run is a
pure function of the scenario, the registers and the seed: the same inputs
give byte-identical result tables, wherever the replicates ran.

Modules: :mod:`~wijkmix.sim.state` (the arrays), :mod:`~wijkmix.sim.crn`
(common random numbers), one module per step (:mod:`~wijkmix.sim.events`,
:mod:`~wijkmix.sim.demography`, :mod:`~wijkmix.sim.moves`,
:mod:`~wijkmix.sim.allocation`, :mod:`~wijkmix.sim.market`),
:mod:`~wijkmix.sim.outcomes`, :mod:`~wijkmix.sim.params`,
:mod:`~wijkmix.sim.scenario` and :mod:`~wijkmix.sim.runner`.
"""

from wijkmix.sim.allocation import AllocationRules, Designation
from wijkmix.sim.crn import CrnKey, Step
from wijkmix.sim.events import MixItem, PlanEvent
from wijkmix.sim.outcomes import Outcomes, OutcomeSettings, Waterbed, waterbed
from wijkmix.sim.params import SimParams
from wijkmix.sim.runner import (
    ReplicateRun,
    ResultDir,
    SimulationResult,
    compare,
    frame_sha256,
    read_result,
    run,
    run_replicate,
)
from wijkmix.sim.scenario import Scenario, WaterbedSpec, legal_for_year, load_scenario
from wijkmix.sim.state import Cause, HouseholdState, Ledger, Route, State

__all__ = [
    "AllocationRules",
    "Cause",
    "CrnKey",
    "Designation",
    "HouseholdState",
    "Ledger",
    "MixItem",
    "OutcomeSettings",
    "Outcomes",
    "PlanEvent",
    "ReplicateRun",
    "ResultDir",
    "Route",
    "Scenario",
    "SimParams",
    "SimulationResult",
    "State",
    "Step",
    "Waterbed",
    "WaterbedSpec",
    "compare",
    "frame_sha256",
    "legal_for_year",
    "load_scenario",
    "read_result",
    "run",
    "run_replicate",
    "waterbed",
]
