"""Tests of wijkmix.plan.simulate: a plan as a scenario, its goals scored on the run.

The population is synthesised (wijkmix.synth) from a small hand-built KWB frame:
gemeente GM0999 with two wijken and four buurten (about 2 000 households); wijk
WK099901 is the post-war corporation wijk. A hand-written plan demolishes,
builds, sells, liberalises and buys there; it runs for three years with two
replicates. Expected events are written out by hand from the mapping of the
module docstring; expected scores are recomputed in the test from the
result's outcome tables (composition, social_rent, groups, change), and the
status rules are checked at their boundaries with hand-made numbers.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

from sim_helpers import kwb_frame
from wijkmix.errors import InputError
from wijkmix.plan import load_plan, plan_from_dict
from wijkmix.plan.simulate import (
    GoalScores,
    goal_status,
    plan_to_scenario,
    score_goals,
    translate_plan,
)
from wijkmix.sim import AllocationRules, MixItem, Outcomes, PlanEvent, Scenario, run
from wijkmix.sim.runner import SimulationResult
from wijkmix.synth import SyntheticPopulation, SynthResult

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------
# a small population
# --------------------------------------------------------------------------
# code, wijk, households, % corporation, % owner-occupied, % low income
_BUURTEN = [
    ("BU09990101", "WK099901", 600, 75, 10, 25.0),
    ("BU09990102", "WK099901", 500, 70, 15, 22.0),
    ("BU09990201", "WK099902", 500, 30, 55, 8.0),
    ("BU09990202", "WK099902", 400, 40, 40, 12.0),
]


@pytest.fixture(scope="module")
def population() -> SynthResult:
    return SyntheticPopulation(2019).generate(
        kwb_frame(_BUURTEN), "GM0999", np.random.default_rng(7)
    )


# --------------------------------------------------------------------------
# a hand-written plan
# --------------------------------------------------------------------------
def goal(gid: str, indicator: str, level: str, area: str, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": gid,
        "indicator": indicator,
        "level": level,
        "area": area,
        "baseline": {"value": kw.pop("baseline", 50.0), "year": 2019, "source": "test"},
        "target": kw.pop("target", 40.0),
        "target_year": kw.pop("target_year", 2022),
        "direction": kw.pop("direction", "omlaag"),
    }
    out.update(kw)
    return out


def measure(mid: str, instrument: str, level: str, area: str, years: list[int], **kw: Any) -> dict:
    out: dict[str, Any] = {
        "id": mid,
        "instrument": instrument,
        "party": kw.pop("party", "corporatie"),
        "level": level,
        "area": area,
        "years": years,
    }
    out.update(kw)
    return out


def plan_dict() -> dict[str, Any]:
    return {
        "plan": {
            "name": "Testplan",
            "gemeente": "GM0999",
            "areas": [
                {"level": "wijk", "code": "WK099901"},
                {"level": "buurt", "code": "BU09990101"},
                {"level": "gemeente", "code": "GM0999"},
            ],
            "start_year": 2020,
            "horizon": 3,
            "description": "Klein plan voor de tests.",
            "stock": {"BU09990102": {"dwellings": 520, "social_rent": 350}},
        },
        "questions": {
            "what_is_mixed": "woningen",
            "who_gains_who_bears": "bewoners",
            "theory_of_change": "menging",
            "problem_means_or_goal": "middel",
            "spatial_scale": "buurt",
            "time_scale": {"text": "drie jaar", "years": 3},
        },
        "parties": [
            {
                "id": "corporatie",
                "name": "C",
                "kind": "woningcorporatie",
                "interest": 5,
                "influence": 5,
            },
            {"id": "gemeente", "name": "G", "kind": "gemeente", "interest": 5, "influence": 5},
            {"id": "belegger", "name": "B", "kind": "overig", "interest": 2, "influence": 2},
            {"id": "bewoners", "name": "R", "kind": "bewoners", "interest": 5, "influence": 2},
        ],
        "goals": [
            goal("g_social", "pct_social_rent", "wijk", "WK099901", baseline=70.0, target=60.0),
            goal(
                "g_social_gm", "pct_social_rent", "gemeente", "GM0999", baseline=45.0, target=40.0
            ),
            goal("g_corp", "pct_corporation", "wijk", "WK099901", baseline=72.0, target=65.0),
            goal(
                "g_low", "pct_low_income_households", "wijk", "WK099901", baseline=24.0, target=20.0
            ),
            goal(
                "g_forced",
                "displacement_forced_out",
                "wijk",
                "WK099901",
                baseline=100.0,
                target=50.0,
            ),
            goal(
                "g_forced_pct",
                "displacement_forced_out",
                "wijk",
                "WK099901",
                baseline=60.0,
                target=30.0,
                unit="%",
            ),
            goal(
                "g_returned",
                "displacement_returned",
                "wijk",
                "WK099901",
                baseline=10.0,
                target=30.0,
                direction="omhoog",
                unit="%",
            ),
            goal(
                "g_waterbed",
                "waterbed_pct_low_income_households",
                "wijk",
                "WK099902",
                baseline=10.0,
                target=10.0,
                direction="gelijk",
                tolerance=2.0,
            ),
            goal(
                "g_hh",
                "households",
                "buurt",
                "BU09990201",
                baseline=500.0,
                target=520.0,
                direction="omhoog",
                target_year=2021,
            ),
            goal(
                "g_income",
                "mean_household_income",
                "wijk",
                "WK099901",
                baseline=40000.0,
                target=45000.0,
                direction="omhoog",
            ),
            goal(
                "g_lbm",
                "lbm_klasse",
                "wijk",
                "WK099901",
                baseline=3.0,
                target=5.0,
                direction="omhoog",
            ),
        ],
        "measures": [
            measure(
                "nieuwbouw",
                "nieuwbouw",
                "wijk",
                "WK099901",
                [2020, 2021],
                quantities={
                    "dwellings": 300,
                    "mix": {"sociale_huur": 0.4, "middenhuur": 0.3, "koop_betaalbaar": 0.3},
                },
            ),
            measure(
                "sloop", "sloop", "buurt", "BU09990101", [2021, 2022], quantities={"dwellings": 201}
            ),
            measure(
                "verkoop", "verkoop", "buurt", "BU09990102", [2020, 2022], quantities={"share": 0.2}
            ),
            measure(
                "liberalisatie",
                "liberalisatie",
                "buurt",
                "BU09990102",
                [2021, 2021],
                quantities={"dwellings": 10, "mix": {"middenhuur": 0.5, "vrije_huur": 0.5}},
            ),
            measure(
                "inponden",
                "inponden",
                "wijk",
                "WK099902",
                [2022, 2022],
                quantities={"dwellings": 5, "rent": 650.0},
            ),
            measure(
                "middenhuur_belegger",
                "nieuwbouw",
                "buurt",
                "BU09990202",
                [2021, 2022],
                party="belegger",
                quantities={
                    "dwellings": 20,
                    "rent": 1100.0,
                    "mix": {"middenhuur": 0.75, "koop_duur": 0.25},
                },
            ),
            measure(
                "binding",
                "lokale_binding",
                "wijk",
                "WK099901",
                [2020, 2022],
                party="gemeente",
                quantities={"share": 0.3},
            ),
            measure(
                "loting",
                "loting",
                "gemeente",
                "GM0999",
                [2020, 2022],
                party="gemeente",
                quantities={"share": 0.2},
            ),
            measure(
                "huiskamer",
                "ontmoetingsplekken",
                "buurt",
                "BU09990101",
                [2020, 2022],
                party="gemeente",
                quantities={"units": 1, "budget": 1000.0},
            ),
        ],
        "allocation": {
            "local_tie_share": 0.25,
            "local_tie_scope": "regio",
            "return_scope": "buurt",
        },
    }


def with_measures(*measures: dict[str, Any], **plan_kw: Any) -> dict[str, Any]:
    d = plan_dict()
    d["measures"] = list(measures)
    d["plan"].update(plan_kw)
    return d


# --------------------------------------------------------------------------
# translation
# --------------------------------------------------------------------------
def test_translation_gives_the_expected_events_and_rules() -> None:
    sc = plan_to_scenario(plan_from_dict(plan_dict()))
    assert (sc.gemeente, sc.start_year, sc.horizon) == ("GM0999", 2020, 3)
    common: dict[str, Any] = {
        "area_level": "buurt",
        "owner": ("corporatie",),
        "segment": ("sociale_huur",),
    }
    expected = [
        # nieuwbouw 2020-2021: one event, completion in simulated year 2; the party is a
        # corporation, so middenhuur is corporatie
        PlanEvent(
            kind="new_construction", year=1, completion_year=2, area_level="wijk",
            area_code="WK099901", dwellings=300,
            mix=(MixItem("corporatie", "sociale_huur", 0.4),
                 MixItem("corporatie", "middenhuur", 0.3),
                 MixItem("eigenaar_bewoner", "koop_betaalbaar", 0.3)),
        ),
        # sloop 201 over 2021-2022: 101 + 100, corporation social rent
        PlanEvent(kind="demolition", year=2, area_code="BU09990101", dwellings=101, **common),
        PlanEvent(kind="demolition", year=3, area_code="BU09990101", dwellings=100, **common),
        # verkoop share 0.2 of 350 social rent (plan.stock) = 70 over 2020-2022: 24, 23, 23
        PlanEvent(kind="sale", year=1, area_code="BU09990102", dwellings=24, **common),
        PlanEvent(kind="sale", year=2, area_code="BU09990102", dwellings=23, **common),
        PlanEvent(kind="sale", year=3, area_code="BU09990102", dwellings=23, **common),
        # liberalisatie 10 in 2021, split 5/5 over the segments after liberalisation
        PlanEvent(kind="liberalisation", year=2, area_code="BU09990102", dwellings=5,
                  to_segment="middenhuur", **common),
        PlanEvent(kind="liberalisation", year=2, area_code="BU09990102", dwellings=5,
                  to_segment="vrije_huur", **common),
        # inponden 5 in 2022 at € 650, default segment after purchase sociale_huur
        PlanEvent(kind="purchase", year=3, area_level="wijk", area_code="WK099902", dwellings=5,
                  rent=650.0),
        # a private party's middenhuur is a private landlord's; the rent goes to it
        PlanEvent(
            kind="new_construction", year=2, completion_year=3, area_level="buurt",
            area_code="BU09990202", dwellings=20,
            mix=(MixItem("particuliere_verhuurder", "middenhuur", 0.75, rent=1100.0),
                 MixItem("eigenaar_bewoner", "koop_duur", 0.25)),
        ),
    ]  # fmt: skip
    assert list(sc.events) == expected
    assert [e.where for e in sc.events] == [
        "measures[0]", *["measures[1]"] * 2, *["measures[2]"] * 3, *["measures[3]"] * 2,
        "measures[4]", "measures[5]",
    ]  # fmt: skip
    assert sc.rules == AllocationRules(
        local_tie_share=0.25, local_tie_scope="regio", return_scope="buurt"
    )
    assert sc.baseline_rules == AllocationRules()
    # plan areas: the wijk and buurt of the plan (the gemeente is not a plan area)
    assert sc.plan_areas == (("wijk", "WK099901"), ("buurt", "BU09990101"))
    assert sc.outcome_settings().levels == ("buurt", "wijk", "gemeente")


def test_measures_that_are_not_simulated_are_listed() -> None:
    t = translate_plan(plan_from_dict(plan_dict()))
    assert [m.measure_id for m in t.not_simulated] == ["loting", "huiskamer"]
    sc = t.scenario
    assert "Niet gesimuleerd: volgen met de monitor: loting (Loting); huiskamer " in (
        sc.description
    )
    assert sc.description.startswith("Klein plan voor de tests.")
    huiskamer = t.measure("huiskamer").note
    assert huiskamer == (
        "measures[8] 'huiskamer' (Ontmoetingsplekken): niet gesimuleerd: volgen met de monitor"
    )
    assert huiskamer in sc.notes
    # an allocation measure whose rule is not in [allocation] says which key to add
    assert "lottery_share = 0,2" in t.measure("loting").note
    assert "niet gesimuleerd: volgen met de monitor" in t.measure("loting").note
    # simulated through [allocation]: the difference with the measure is noted
    binding = t.measure("binding")
    assert binding.simulated and binding.rule == "local_tie_share"
    assert "= 0,25 uit [allocation]" in binding.note and "noemt 0,3" in binding.note
    assert t.measure("verkoop").note.endswith(
        "Aandeel 0,2 van 350 sociale huurwoningen (plan.stock) = 70 woningen."
    )
    # the gemeente area is not followed as a plan area, and says so
    assert any(n.startswith("plan.areas[2] (gemeente GM0999)") for n in sc.notes)


def test_only_marked_translates_measures_marked_simulated() -> None:
    d = plan_dict()
    d["measures"][1]["simulated"] = True
    t = translate_plan(plan_from_dict(d), only_marked=True)
    assert [(e.kind, e.year) for e in t.scenario.events] == [("demolition", 2), ("demolition", 3)]
    assert "staat op simulated = false" in t.measure("nieuwbouw").note


def test_share_spread_and_years_at_the_horizon() -> None:
    d = with_measures(
        # demolition of 60 % over three years: 20 %, then 25 % and 1/3 of what is left
        measure("sloop", "sloop", "buurt", "BU09990101", [2020, 2022], quantities={"share": 0.6}),
        # starts in the last simulated year, continues after it
        measure("sloop_laat", "sloop", "buurt", "BU09990102", [2022, 2024],
                quantities={"dwellings": 9}),
        # completion after the horizon: kept, noted
        measure("nieuwbouw", "nieuwbouw", "buurt", "BU09990102", [2021, 2025],
                quantities={"dwellings": 10, "mix": {"sociale_huur": 1.0}}),
        # begins after the horizon: not simulated
        measure("later", "sloop", "buurt", "BU09990102", [2024, 2024],
                quantities={"dwellings": 5}),
    )  # fmt: skip
    t = translate_plan(plan_from_dict(d), horizon=3)
    ev = t.scenario.events
    shares = [e.share for e in ev if e.where == "measures[0]"]
    assert shares == pytest.approx([0.2, 0.25, 1 / 3])
    # 0.2 + 0.8 * 0.25 + 0.6 * (1/3) = 0.6 of the stock of 2020
    assert [(e.year, e.dwellings) for e in ev if e.where == "measures[1]"] == [(3, 3)]
    assert t.measure("sloop_laat").note == (
        "measures[1] 'sloop_laat': 1 plangebeurtenis(sen) 'demolition'. Het deel in "
        "2023–2024 valt na het einde van de simulatie (2022) en is niet gesimuleerd."
    )
    assert t.measure("sloop_laat").note in t.scenario.notes
    (build,) = [e for e in ev if e.where == "measures[2]"]
    assert (build.year, build.completion_year) == (2, 6)
    assert "Oplevering in 2025, na het einde van de simulatie (2022)" in (
        t.measure("nieuwbouw").note
    )
    assert not t.measure("later").simulated
    assert "begint in 2024" in t.measure("later").note


def test_default_horizon_covers_the_latest_goal() -> None:
    d = plan_dict()
    d["goals"][0]["target_year"] = 2026
    assert plan_to_scenario(plan_from_dict(d)).horizon == 7
    assert plan_to_scenario(plan_from_dict(d), horizon=2).horizon == 2
    with pytest.raises(InputError, match="field 'horizon'"):
        plan_to_scenario(plan_from_dict(d), horizon=0)


@pytest.mark.parametrize(
    ("m", "field"),
    [
        # new construction without a mix
        (measure("x", "nieuwbouw", "buurt", "BU09990101", [2020, 2021],
                 quantities={"dwellings": 10}), "quantities.mix"),
        # new construction given as a share
        (measure("x", "nieuwbouw", "buurt", "BU09990101", [2020, 2021],
                 quantities={"share": 0.1, "mix": {"sociale_huur": 1.0}}), "quantities.share"),
        # a rent for a mix with two rental segments
        (measure("x", "nieuwbouw", "buurt", "BU09990101", [2020, 2021],
                 quantities={"dwellings": 10, "rent": 700.0,
                             "mix": {"sociale_huur": 0.5, "vrije_huur": 0.5}}),
         "quantities.rent"),
        # demolition without a quantity would take every dwelling
        (measure("x", "sloop", "buurt", "BU09990101", [2020, 2021]), "quantities.dwellings"),
        # demolition with a rent
        (measure("x", "sloop", "buurt", "BU09990101", [2020, 2021],
                 quantities={"dwellings": 10, "rent": 500.0}), "quantities.rent"),
        # sale as a share of an area without stock
        (measure("x", "verkoop", "buurt", "BU09990101", [2020, 2021],
                 quantities={"share": 0.1}), "quantities.share"),
        # liberalisation to an owner-occupied segment
        (measure("x", "liberalisatie", "buurt", "BU09990101", [2020, 2020],
                 quantities={"dwellings": 4, "mix": {"koop_duur": 1.0}}),
         "quantities.mix.koop_duur"),
        # a mix of what disappears with a share
        (measure("x", "sloop", "buurt", "BU09990101", [2020, 2020],
                 quantities={"share": 0.1, "mix": {"sociale_huur": 1.0}}), "quantities.mix"),
        # no dwellings at all
        (measure("x", "sloop", "buurt", "BU09990101", [2020, 2020],
                 quantities={"dwellings": 0}), "quantities.dwellings"),
        # begins before the plan
        (measure("x", "sloop", "buurt", "BU09990101", [2019, 2020],
                 quantities={"dwellings": 5}), "years"),
        # a level the simulation cannot place an event on
        (measure("x", "sloop", "regio", "Haaglanden", [2020, 2020],
                 quantities={"dwellings": 5}), "level"),
    ],
)  # fmt: skip
def test_a_bad_quantity_names_the_field(m: dict[str, Any], field: str) -> None:
    plan = plan_from_dict(with_measures(m))
    pattern = re.escape(f"field 'measures[0].{field}'")
    with pytest.raises(InputError, match=pattern):
        plan_to_scenario(plan)


def test_example_plan_translates() -> None:
    path = ROOT / "examples" / "plans" / "herstructurering_goed.toml"
    if not path.exists():
        pytest.skip("examples/plans/herstructurering_goed.toml is not there")
    plan = load_plan(path)
    t = translate_plan(plan)
    sc = t.scenario
    assert sc.start_year == plan.plan.start_year
    assert sc.horizon >= max(g.target_year for g in plan.goals) - plan.plan.start_year + 1
    # every physical measure became events; the demolitions take corporation social rent
    for i, m in enumerate(plan.measures):
        ins = m.instrument
        mt = t.measures[i]
        if ins in ("sloop", "nieuwbouw", "verkoop"):
            assert mt.events, m.id
        if ins == "sloop":
            assert sum(e.dwellings or 0 for e in mt.events) == m.quantities.dwellings
            assert all(e.owner == ("corporatie",) for e in mt.events)
    social = [m.id for m in plan.measures if m.instrument in ("sociaal_plan", "wijkfonds")]
    assert social and all(m in sc.description for m in social)
    assert {m.measure_id for m in t.not_simulated} >= set(social)


# --------------------------------------------------------------------------
# scoring on a real run
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def plan() -> Any:
    return plan_from_dict(plan_dict())


@pytest.fixture(scope="module")
def result(population: SynthResult, plan: Any) -> SimulationResult:
    return run(
        plan_to_scenario(plan),
        dwellings=population.dwellings,
        households=population.households,
        seed=5,
        replicates=2,
    )


@pytest.fixture(scope="module")
def scores(plan: Any, result: SimulationResult) -> GoalScores:
    return score_goals(plan, result)


def comp_pct(o: Outcomes, year: int, level: str, code: str, variable: str, cat: str) -> float:
    c = o.composition.astype({"level": str, "code": str, "variable": str, "category": str})
    c = c[(c["year"] == year) & (c["level"] == level) & (c["code"] == code)]
    total = c[c["variable"] == "households"]["households"].sum()
    n = c[(c["variable"] == variable) & (c["category"] == cat)]["households"].sum()
    return 100.0 * n / total


def band(values: list[float]) -> tuple[float, float, float]:
    """Mean and the 2.5/97.5 percentiles (linear interpolation) of two values, by hand."""
    a, b = sorted(values)
    return (a + b) / 2, a + 0.025 * (b - a), b - 0.025 * (b - a)


def test_social_rent_share_is_the_mean_over_replicates(
    result: SimulationResult, scores: GoalScores
) -> None:
    s = scores.score("g_social")
    plan_v = [
        comp_pct(o, 3, "wijk", "WK099901", "segment", "sociale_huur") for o in result.outcomes
    ]
    base_v = [
        comp_pct(o, 3, "wijk", "WK099901", "segment", "sociale_huur")
        for o in result.baseline_outcomes
    ]
    mean, lo, hi = band(plan_v)
    assert (s.year, s.sim_year, s.n_replicates) == (2022, 3, 2)
    assert s.expected == pytest.approx(mean, rel=1e-12)
    assert (s.lo, s.hi) == pytest.approx((lo, hi), rel=1e-12)
    assert s.baseline == pytest.approx(sum(base_v) / 2, rel=1e-12)
    diffs = [p - b for p, b in zip(plan_v, base_v, strict=True)]
    e_mean, e_lo, e_hi = band(diffs)
    assert (s.effect, s.effect_lo, s.effect_hi) == pytest.approx((e_mean, e_lo, e_hi), rel=1e-9)
    # demolition of social rent and building with 40 % social rent lowers the share
    assert s.effect < 0
    assert s.status == goal_status("omlaag", 60.0, s.expected, s.lo, s.hi)


def test_gemeente_social_rent_comes_from_the_social_rent_table(
    result: SimulationResult, scores: GoalScores
) -> None:
    s = scores.score("g_social_gm")
    vals, dwellings = [], []
    for o in result.outcomes:
        row = o.social_rent[(o.social_rent["year"] == 3) & (o.social_rent["gemeente"] == "GM0999")]
        vals.append(100.0 * float(row["social_rent"].iloc[0]) / float(row["dwellings"].iloc[0]))
        dwellings.append(float(row["dwellings"].iloc[0]))
    assert s.expected == pytest.approx(sum(vals) / 2, rel=1e-12)
    assert s.households == pytest.approx(sum(dwellings) / 2)


def test_corporation_and_low_income_shares(result: SimulationResult, scores: GoalScores) -> None:
    for gid, var, cat in (("g_corp", "owner", "corporatie"), ("g_low", "income_class", "laag")):
        vals = [comp_pct(o, 3, "wijk", "WK099901", var, cat) for o in result.outcomes]
        assert scores.score(gid).expected == pytest.approx(sum(vals) / 2, rel=1e-12), gid
    # waterbed: the same share in the other wijk
    vals = [comp_pct(o, 3, "wijk", "WK099902", "income_class", "laag") for o in result.outcomes]
    wb = scores.score("g_waterbed")
    assert wb.expected == pytest.approx(sum(vals) / 2, rel=1e-12)
    assert wb.status == goal_status("gelijk", 10.0, wb.expected, wb.lo, wb.hi, tolerance=2.0)


def test_households_at_an_earlier_target_year(result: SimulationResult, scores: GoalScores) -> None:
    s = scores.score("g_hh")
    counts = []
    for o in result.outcomes:
        c = o.composition.astype({"level": str, "code": str, "variable": str})
        row = c[(c["year"] == 2) & (c["code"] == "BU09990201") & (c["variable"] == "households")]
        counts.append(float(row["households"].iloc[0]))
    assert (s.year, s.sim_year) == (2021, 2)
    assert s.expected == pytest.approx(sum(counts) / 2)
    assert s.households == pytest.approx(sum(counts) / 2)


def test_displacement_from_the_groups_table(result: SimulationResult, scores: GoalScores) -> None:
    out, forced, returned = [], [], []
    for o in result.outcomes:
        g = o.groups[(o.groups["plan_level"] == "wijk") & (o.groups["plan_code"] == "WK099901")]

        def n(group: str, kind: str, g: pd.DataFrame = g) -> float:
            return float(g[(g["group"] == group) & (g["kind"] == kind)]["households"].iloc[0])

        out.append(n("vertrekkers", "gedwongen"))
        forced.append(n("gedwongen_verhuisd", "totaal"))
        returned.append(n("gedwongen_verhuisd", "teruggekeerd"))
    assert min(forced) > 0  # the demolition forced households to move
    count = scores.score("g_forced")
    assert count.expected == pytest.approx(sum(out) / 2)
    assert count.sim_year == 3
    pct = scores.score("g_forced_pct")
    assert pct.expected == pytest.approx(
        sum(100 * a / b for a, b in zip(out, forced, strict=True)) / 2
    )
    assert pct.households == pytest.approx(sum(forced) / 2)
    ret = scores.score("g_returned")
    assert ret.expected == pytest.approx(
        sum(100 * a / b for a, b in zip(returned, forced, strict=True)) / 2
    )
    # without the plan nobody is forced to move: 0 forced leavers, no share
    assert count.baseline == 0.0
    assert math.isnan(pct.baseline)


def test_mean_income_at_the_last_year(result: SimulationResult, scores: GoalScores) -> None:
    vals = []
    for o in result.outcomes:
        c = o.change
        row = c[(c["plan_code"] == "WK099901") & (c["indicator"] == "gemiddeld_inkomen")]
        vals.append(float(row["xT"].iloc[0]))
    assert scores.score("g_income").expected == pytest.approx(sum(vals) / 2, rel=1e-12)


def test_a_goal_the_simulation_cannot_compute(scores: GoalScores) -> None:
    s = scores.score("g_lbm")
    assert s.status == "niet gesimuleerd"
    assert s.reason.startswith("niet gesimuleerd: de simulatie berekent 'lbm_klasse' niet")
    assert math.isnan(s.expected)


def test_status_with_targets_chosen_around_the_band(
    plan: Any, result: SimulationResult, scores: GoalScores
) -> None:
    s = scores.score("g_social")
    assert s.lo < s.hi
    d = plan_dict()
    mid = (s.lo + s.hi) / 2
    d["goals"] = [
        goal("below", "pct_social_rent", "wijk", "WK099901", baseline=s.hi + 20,
             target=s.hi + 1),  # omlaag, whole band below the target
        goal("touch", "pct_social_rent", "wijk", "WK099901", baseline=s.hi + 20,
             target=s.hi),  # the band's top exactly on the target
        goal("mid", "pct_social_rent", "wijk", "WK099901", baseline=s.hi + 20, target=mid),
        goal("above", "pct_social_rent", "wijk", "WK099901", baseline=s.hi + 20,
             target=s.lo - 1),
    ]  # fmt: skip
    other = score_goals(plan_from_dict(d), result)
    assert [x.status for x in other.scores] == [
        "haalbaar",
        "haalbaar",
        "onzeker",
        "niet haalbaar",
    ]


def test_disclosed_frame_has_dutch_columns(scores: GoalScores) -> None:
    f = scores.to_frame()
    assert list(f.columns[:4]) == ["doel", "indicator", "niveau", "gebied"]
    assert {"verwacht", "band laag", "band hoog", "zonder plan", "effect plan", "status"} <= set(
        f.columns
    )
    assert list(f["doel"]) == [g["id"] for g in plan_dict()["goals"]]
    english = scores.to_frame(dutch=False)
    assert list(english.columns) == list(scores.frame.columns)
    assert any("2,5e tot 97,5e percentiel over 2 replicaties" in n for n in scores.notes)


# --------------------------------------------------------------------------
# status rules and the gate with hand-made numbers
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("direction", "target", "value", "lo", "hi", "tol", "status"),
    [
        ("omhoog", 10.0, 10.0, None, None, 0.0, "haalbaar"),  # on the target
        ("omhoog", 10.0, 9.99, None, None, 0.0, "niet haalbaar"),
        ("omhoog", 10.0, 9.5, None, None, 0.5, "haalbaar"),  # within the tolerance
        ("omhoog", 10.0, 11.0, 10.0, 12.0, 0.0, "haalbaar"),  # band's foot on the target
        ("omhoog", 10.0, 10.5, 9.9, 11.0, 0.0, "onzeker"),  # value reaches, band straddles
        ("omhoog", 10.0, 9.8, 9.5, 10.0, 0.0, "onzeker"),  # band's top touches
        ("omhoog", 10.0, 9.8, 9.5, 9.99, 0.0, "niet haalbaar"),
        ("omlaag", 10.0, 10.0, 10.0, 10.0, 0.0, "haalbaar"),
        ("omlaag", 10.0, 9.0, 8.0, 10.0, 0.0, "haalbaar"),
        ("omlaag", 10.0, 9.0, 8.0, 10.01, 0.0, "onzeker"),
        ("omlaag", 10.0, 10.5, 10.2, 11.0, 0.0, "niet haalbaar"),
        ("omlaag", 10.0, 10.5, 10.2, 11.0, 0.2, "onzeker"),
        ("gelijk", 19.6, 21.6, 21.6, 21.6, 2.0, "haalbaar"),  # at the edge of the tolerance
        ("gelijk", 19.6, 21.7, 21.7, 21.7, 2.0, "niet haalbaar"),
        ("gelijk", 19.6, 19.6, 17.6, 21.6, 2.0, "haalbaar"),
        ("gelijk", 19.6, 19.6, 17.0, 22.0, 2.0, "onzeker"),
        ("gelijk", 19.6, 24.0, 15.0, 26.0, 2.0, "onzeker"),  # band spans the whole interval
        ("gelijk", 19.6, 16.0, 15.0, 17.5, 2.0, "niet haalbaar"),
        ("omhoog", 10.0, math.nan, None, None, 0.0, "niet gesimuleerd"),
    ],
)
def test_goal_status_at_the_boundaries(
    direction: str,
    target: float,
    value: float,
    lo: float | None,
    hi: float | None,
    tol: float,
    status: str,
) -> None:
    assert goal_status(direction, target, value, lo, hi, tolerance=tol) == status


def test_goal_status_rejects_an_unknown_direction() -> None:
    with pytest.raises(InputError, match="field 'direction'"):
        goal_status("hoger", 1.0, 1.0)


def fake_outcomes(laag: dict[str, int], totals: dict[str, int]) -> Outcomes:
    """Composition of year 1 at buurt level: ``laag`` of ``totals`` households per buurt."""
    rows = []
    for code, total in totals.items():
        rows.append((1, "buurt", code, "households", "totaal", total, total, 1.0))
        rows.append((1, "buurt", code, "income_class", "laag", laag[code], total,
                     laag[code] / total))  # fmt: skip
    comp = pd.DataFrame(
        rows,
        columns=[
            "year", "level", "code", "variable", "category", "households", "unit_households",
            "share",
        ],
    )  # fmt: skip
    return Outcomes(composition=comp, years=(0, 1))


def fake_plan() -> Any:
    d = plan_dict()
    d["measures"] = []
    d["goals"] = [
        goal("big", "pct_low_income_households", "buurt", "BU09990101", baseline=45.0,
             target=30.0, target_year=2020),
        goal("small", "pct_low_income_households", "buurt", "BU09990102", baseline=45.0,
             target=30.0, target_year=2020),
    ]  # fmt: skip
    return plan_from_dict(d)


def fake_result(n_replicates: int) -> SimulationResult:
    totals = {"BU09990101": 40, "BU09990102": 8}
    plan = [
        fake_outcomes({"BU09990101": 10, "BU09990102": 2}, totals),
        fake_outcomes({"BU09990101": 20, "BU09990102": 4}, totals),
    ][:n_replicates]
    base = [fake_outcomes({"BU09990101": 16, "BU09990102": 4}, totals)] * n_replicates
    sc = Scenario(name="nep", gemeente="GM0999", start_year=2020, horizon=1)
    return cast(
        SimulationResult,
        SimpleNamespace(scenario=sc, outcomes=tuple(plan), baseline_outcomes=tuple(base)),
    )


def test_hand_made_result_values_band_and_gate() -> None:
    scores = score_goals(fake_plan(), fake_result(2))
    big = scores.score("big")
    # replicates: 10/40 = 25 % and 20/40 = 50 %; baseline 40 % twice
    assert big.expected == pytest.approx(37.5)
    assert (big.lo, big.hi) == pytest.approx((25.0 + 0.025 * 25.0, 50.0 - 0.025 * 25.0))
    assert big.baseline == pytest.approx(40.0)
    assert (big.effect, big.effect_lo, big.effect_hi) == pytest.approx(
        (-2.5, -15.0 + 0.025 * 25.0, 10.0 - 0.025 * 25.0)
    )
    assert big.households == 40.0
    assert big.status == "onzeker"  # the band 25,6–49,4 straddles the target 30
    small = scores.score("small")
    assert small.expected == pytest.approx(37.5) and small.households == 8.0
    f = scores.to_frame()
    shown = f[f["doel"] == "big"].iloc[0]
    assert shown["verwacht"] == pytest.approx(37.5) and shown["status"] == "onzeker"
    hidden = f[f["doel"] == "small"].iloc[0]
    # 8 households: every value suppressed, and the status with it
    for col in ("verwacht", "band laag", "band hoog", "zonder plan", "effect plan", "huishoudens"):
        assert pd.isna(hidden[col]), col
    assert hidden["status"] == "onderdrukt"
    assert "minder dan 10 huishoudens" in hidden["toelichting"]
    # the raw frame keeps them (not for publication)
    assert scores.frame.loc[1, "expected"] == pytest.approx(37.5)
    assert scores.to_frame(threshold=5).iloc[1]["verwacht"] == pytest.approx(37.5)


def test_one_replicate_band_is_the_point() -> None:
    scores = score_goals(fake_plan(), fake_result(1))
    big = scores.score("big")
    assert big.expected == big.lo == big.hi == pytest.approx(25.0)
    assert big.status == "haalbaar"  # 25 % ≤ 30 %
    assert any(
        n.startswith("Eén replicatie: de band valt samen met de puntschatting")
        for n in scores.notes
    )


def test_a_result_of_another_start_year_is_refused() -> None:
    res = fake_result(1)
    moved = SimpleNamespace(
        scenario=Scenario(name="x", gemeente="GM0999", start_year=2021, horizon=1),
        outcomes=res.outcomes,
        baseline_outcomes=res.baseline_outcomes,
    )
    with pytest.raises(InputError, match="start_year"):
        score_goals(fake_plan(), cast(SimulationResult, moved))


def test_goal_after_the_horizon_is_not_simulated() -> None:
    d = copy.deepcopy(plan_dict())
    d["measures"] = []
    d["goals"] = [goal("late", "pct_corporation", "buurt", "BU09990101", target_year=2023)]
    s = score_goals(plan_from_dict(d), fake_result(1)).score("late")
    assert s.status == "niet gesimuleerd"
    assert "streefjaar 2023 valt buiten de simulatie (2020–2020)" in s.reason


def test_allocation_beyond_the_law_names_the_rule() -> None:
    d = plan_dict()
    # before 2024 priority for ties to the municipality itself is at most 25 %
    d["allocation"] = {"local_tie_share": 0.4, "local_tie_scope": "gemeente"}
    with pytest.raises(InputError, match=r"field 'allocation\.local_tie_share'"):
        plan_to_scenario(plan_from_dict(d))


def test_an_area_missing_from_the_registers_is_not_simulated(result: SimulationResult) -> None:
    d = plan_dict()
    d["measures"] = []
    d["goals"] = [goal("elders", "pct_corporation", "buurt", "BU09990109")]
    s = score_goals(plan_from_dict(d), result).score("elders")
    assert s.status == "niet gesimuleerd"
    assert s.reason == (
        "niet gesimuleerd: buurt BU09990109 komt niet voor in de gesimuleerde registers."
    )
