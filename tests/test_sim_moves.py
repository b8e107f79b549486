"""Tests of step 3 of the simulation: move decisions, outflow and inflow.

Small states are hand-built with :meth:`State.from_registers`; expected values
are counted by hand or follow from the closed form of
:func:`voluntary_move_probability`. One statistical test runs the default
demography and move parameters on a synthetic population of about 50 000
households (seven wijken of Den Haag, KWB 2019, shipped with the package) and
checks the yearly turnover of corporation tenants against the national re-let
rate of about 7 % (DESIGN §8), with a tolerance of ±1.5 percentage points
(the sampling error on ~14 000 corporation tenants is about 0.2 points; the
tolerance is for the model, not for chance).
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim_helpers import add_unhoused, assert_identical, one_dwelling_each, permuted, run_step
from wijkmix.errors import InputError
from wijkmix.io.cbs_kwb import read_kwb
from wijkmix.sim.crn import CrnKey
from wijkmix.sim.demography import AgeRate, DemographyParams, apply_demography
from wijkmix.sim.moves import (
    AgeFactor,
    ByOwner,
    DurationFactor,
    InflowStream,
    MoveParams,
    SourceShares,
    apply_moves,
    voluntary_move_probability,
)
from wijkmix.sim.state import (
    CORPORATIE,
    EIGENAAR,
    HOUSEHOLD_TYPES,
    INCOME_SOURCES,
    LEEG,
    PARTICULIER,
    Cause,
    HouseholdState,
    Ledger,
    Route,
    State,
)
from wijkmix.synth import SyntheticPopulation

T = {t: i for i, t in enumerate(HOUSEHOLD_TYPES)}
S = {s: i for i, s in enumerate(INCOME_SOURCES)}
KEY = CrnKey(seed=21, replicate=0, year=1)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def make_state(rows: list[dict[str, Any]]) -> State:
    """One dwelling per household; ``rows`` give household and dwelling columns."""
    return one_dwelling_each(rows, digits=4, size=2, type="paar", years_in_dwelling=7)


def add_seekers(state: State, n: int, *, cause: Cause, seek_years: int, **flags: bool) -> None:
    add_unhoused(
        state,
        n,
        h_income=20000.0,
        h_vulnerable=flags.get("vulnerable", False),
        h_statushouder=flags.get("statushouder", False),
        h_urgent=flags.get("urgent", False),
        h_seek_cause=int(cause),
        h_seek_years=seek_years,
    )


def quiet(**changes: Any) -> MoveParams:
    """No voluntary moves, no outflow, no inflow, no giving up."""
    base = MoveParams(
        base_rate=ByOwner(0.0, 0.0, 0.0),
        outflow_rate=(AgeRate(0, 0.0),),
        inflow=(),
        inflow_give_up=0.0,
    )
    return dataclasses.replace(base, **changes)


def run(state: State, params: MoveParams, key: CrnKey = KEY) -> tuple[Any, Ledger]:
    return run_step(apply_moves, state, params, key)


def random_registers(n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    owners = ["corporatie", "particuliere_verhuurder", "eigenaar_bewoner"]
    segment = {
        "corporatie": "sociale_huur",
        "particuliere_verhuurder": "vrije_huur",
        "eigenaar_bewoner": "koop_duur",
    }
    rows = []
    for _ in range(n):
        o = str(rng.choice(owners))
        rows.append(
            {
                "owner": o,
                "segment": segment[o],
                "rent": float(rng.uniform(400, 1500)),
                "rooms": int(rng.integers(1, 6)),
                "size": int(rng.integers(1, 6)),
                "age_head": int(rng.integers(18, 90)),
                "income": float(rng.lognormal(10.5, 0.6)),
                "years_in_dwelling": int(rng.integers(0, 30)),
            }
        )
    return rows


BUSY = dataclasses.replace(
    MoveParams(),
    base_rate=ByOwner(0.3, 0.4, 0.2),
    outflow_rate=(AgeRate(0, 0.15),),
    inflow_give_up=0.5,
    max_seek_years=2,
)


def by_key(state: State) -> pd.DataFrame:
    dkey = np.concatenate([state.d_key, np.array([None], dtype=object)])
    cols = {
        "h_id": state.h_id,
        "state": state.h_state,
        "dwelling": dkey[state.h_dwelling],
        "seek_cause": state.h_seek_cause,
        "seek_years": state.h_seek_years,
        "size": state.h_size,
        "type": state.h_type,
        "age": state.h_age,
        "income": state.h_income,
        "source": state.h_source,
        "urgent": state.h_urgent,
        "statushouder": state.h_statushouder,
    }
    return pd.DataFrame({"h_key": state.h_key, **cols}).set_index("h_key").sort_index()


# --------------------------------------------------------------------------
# voluntary moves and mismatch
# --------------------------------------------------------------------------
def test_probability_of_the_reference_household_is_the_base_rate() -> None:
    # head 35-44, 5-9 years in the dwelling, 2 persons in 3 rooms, no income mismatch
    st = make_state(
        [
            {"owner": "corporatie", "income": 30000.0},
            {"owner": "particuliere_verhuurder", "segment": "vrije_huur", "rent": 1000.0,
             "income": 60000.0},
            {"owner": "eigenaar_bewoner", "segment": "koop_duur", "rent": float("nan")},
        ]
    )  # fmt: skip
    p = MoveParams()
    got = voluntary_move_probability(st, np.arange(3), p)
    # the median income of the three (30 000) is not above itself: no scheefwonen
    assert got.tolist() == pytest.approx([0.05, 0.085, 0.042])
    # age 22 and 25 years in the dwelling: 2.6 × 0.65
    st.h_age[0], st.h_years_dwelling[0] = 22, 25
    assert voluntary_move_probability(st, np.array([0]), p)[0] == pytest.approx(0.05 * 2.6 * 0.65)


def test_mismatch_factors_raise_the_probability() -> None:
    rows: list[dict[str, Any]] = [
        {"income": 20000.0},  # 0: low-income social tenant (reference)
        {"income": 90000.0},  # 1: high-income social tenant (scheefwoner)
        {"income": 20000.0, "size": 5, "rooms": 3},  # 2: overcrowded
        {"income": 20000.0, "size": 1, "rooms": 5, "type": "alleenstaand"},  # 3: ruim
        {"owner": "particuliere_verhuurder", "segment": "vrije_huur", "rent": 1200.0,
         "income": 30000.0},  # 4: 14 400 a year is 48 % of the income
        {"owner": "particuliere_verhuurder", "segment": "vrije_huur", "rent": 1200.0,
         "income": 60000.0},  # 5: 24 %
        {"income": 60000.0},  # 6: the median of the seven incomes is 30 000
    ]  # fmt: skip
    st = make_state(rows)
    p = MoveParams()
    prob = voluntary_move_probability(st, np.arange(7), p)
    assert prob[1] / prob[0] == pytest.approx(p.high_income_social_factor)
    assert prob[6] / prob[0] == pytest.approx(p.high_income_social_factor)
    assert prob[2] / prob[0] == pytest.approx(p.overcrowding_factor)
    assert prob[3] / prob[0] == pytest.approx(p.underoccupation_factor)
    assert prob[4] / prob[5] == pytest.approx(p.rent_burden_factor)
    assert prob[1] > prob[0]


def test_high_income_social_tenants_decide_to_move_more_often() -> None:
    # 3 000 identical social tenants at 20 000 and 3 000 at 90 000 (above the median)
    rows = [{"income": 20000.0}] * 3000 + [{"income": 90000.0}] * 3000
    st = make_state(rows)
    p = quiet(base_rate=ByOwner(0.1, 0.1, 0.1))
    report, ledger = run(st, p)
    low = (st.h_seek_cause[:3000] == Cause.VOLUNTARY).mean()
    high = (st.h_seek_cause[3000:] == Cause.VOLUNTARY).mean()
    # expected 0.10 and 0.14; the binomial sd of a share is about 0.006
    assert abs(low - 0.10) < 0.025 and abs(high - 0.14) < 0.025
    assert high > low
    # voluntary seekers keep their dwelling and start at one year of search
    movers = np.flatnonzero(st.h_seek_cause == Cause.VOLUNTARY)
    assert (st.h_dwelling[movers] >= 0).all() and (st.h_seek_years[movers] == 1).all()
    assert report.voluntary == len(movers) == report.voluntary_by_owner[CORPORATIE]
    assert len(ledger) == 0


# --------------------------------------------------------------------------
# outflow and seekers without a dwelling
# --------------------------------------------------------------------------
def test_outflow_rate_one_empties_the_band() -> None:
    ages = [20, 24, 25, 40, 70]
    owners = [
        "corporatie",
        "particuliere_verhuurder",
        "corporatie",
        "eigenaar_bewoner",
        "corporatie",
    ]
    st = make_state([{"age_head": a, "owner": o} for a, o in zip(ages, owners, strict=True)])
    dwell = st.h_dwelling.copy()
    p = quiet(
        outflow_rate=(AgeRate(0, 1.0), AgeRate(25, 0.0)),
        outflow_owner_factor=ByOwner(1.0, 1.0, 1.0),
    )
    report, ledger = run(st, p)
    assert st.h_state.tolist() == [HouseholdState.LEFT] * 2 + [HouseholdState.ACTIVE] * 3
    a = ledger.arrays()
    assert sorted(a["household"].tolist()) == [0, 1]
    assert (a["cause"] == Cause.OUTFLOW).all() and (a["route"] == Route.NONE).all()
    assert (a["to_dwelling"] == -1).all() and sorted(a["from_dwelling"]) == sorted(dwell[:2])
    assert (st.d_status[dwell[:2]] == LEEG).all() and (st.d_occupant[dwell[:2]] == -1).all()
    assert report.outflow == 2
    assert report.outflow_by_owner == (1, 1, 0)


def test_unhoused_seekers_leave_after_max_seek_years() -> None:
    st = make_state([{}, {}])
    add_seekers(st, 1, cause=Cause.STARTER, seek_years=4)  # 2: will have searched 5 years
    add_seekers(st, 1, cause=Cause.FORCED, seek_years=5)  # 3: 6 years > 5
    add_seekers(st, 1, cause=Cause.VOLUNTARY, seek_years=0)  # 4: separated partner, 1 year
    st.h_seek_cause[1], st.h_seek_years[1] = int(Cause.VOLUNTARY), 3  # housed, 4th year > 3
    p = quiet(max_seek_years=5, max_search_years_housed=3)
    report, ledger = run(st, p)
    assert st.h_state.tolist() == [0, 0, 0, HouseholdState.LEFT, 0]
    assert st.h_seek_years.tolist() == [0, 0, 5, 6, 1]
    a = ledger.arrays()
    assert a["household"].tolist() == [3]
    assert a["cause"].tolist() == [Cause.OUTFLOW] and a["from_dwelling"].tolist() == [-1]
    assert report.expired == 1 and report.seekers == 4
    # the housed voluntary seeker searched long enough and stops
    assert st.h_seek_cause[1] == -1 and report.search_ended == 1
    # next year the starter has searched 6 years and leaves too
    report, ledger = run(st, p, key=CrnKey(seed=21, replicate=0, year=2))
    assert st.h_state[2] == HouseholdState.LEFT and ledger.arrays()["household"].tolist() == [2]
    assert st.h_state[4] == HouseholdState.ACTIVE


def test_newcomers_without_flags_may_give_up() -> None:
    st = make_state([{}])
    add_seekers(st, 1, cause=Cause.INFLOW, seek_years=1)  # 1: gives up
    add_seekers(st, 1, cause=Cause.INFLOW, seek_years=1, urgent=True)  # 2: urgent, stays
    add_seekers(st, 1, cause=Cause.INFLOW, seek_years=1, statushouder=True)  # 3: stays
    add_seekers(st, 1, cause=Cause.STARTER, seek_years=1)  # 4: not a newcomer
    # 2 + 4 × 1 = 6 inhabitants at 500 per 1 000: 3 newcomers of one person
    stream = InflowStream(name="test", persons_per_1000=500.0)
    report, ledger = run(st, quiet(inflow_give_up=1.0, inflow=(stream,)))
    assert st.h_state.tolist() == [0, HouseholdState.LEFT, 0, 0, 0, 0, 0, 0]
    assert report.gave_up == 1 and report.inflow == 3
    assert ledger.arrays()["household"].tolist() == [1]
    assert (st.h_seek_cause[5:] == Cause.INFLOW).all()  # this year's newcomers did not give up


# --------------------------------------------------------------------------
# inflow
# --------------------------------------------------------------------------
def test_inflow_counts_and_properties() -> None:
    # 500 households of 2 persons: 1 000 inhabitants
    st = make_state([{"income": 1000.0 * (i + 1)} for i in range(500)])
    status = InflowStream(
        name="statushouders",
        persons_per_1000=20.0,
        size_shares=(0.0, 1.0),
        single_parent_share=1.0,
        ages=(20, 29),
        income_quantiles=(0.1, 0.2),
        source_shares=SourceShares(uitkering=1.0),
        statushouder=True,
        urgent=True,
    )
    young = InflowStream(name="starters", persons_per_1000=7.0, ages=(18, 18))
    report, ledger = run(st, quiet(inflow=(status, young)))
    # 20 persons in 2-person households = 10 households; 7 one-person households
    assert report.inhabitants == 1000
    assert report.inflow_by_stream == (("statushouders", 10), ("starters", 7))
    assert report.inflow == 17 and report.inflow_persons == 27
    new = np.arange(500, 517)
    s, y = new[:10], new[10:]
    assert (st.h_dwelling[new] == -1).all() and (st.h_seek_cause[new] == Cause.INFLOW).all()
    assert (st.h_seek_years[new] == 1).all() and (st.h_state[new] == 0).all()
    assert (st.h_size[s] == 2).all() and (st.h_type[s] == T["eenouder"]).all()
    assert (st.h_source[s] == S["uitkering"]).all()
    assert st.h_statushouder[s].all() and st.h_urgent[s].all() and not st.h_vulnerable[s].any()
    assert ((st.h_age[s] >= 20) & (st.h_age[s] <= 29)).all()
    # incomes 1 000 … 500 000 step 1 000: quantile q is 1 000 + q × 499 000
    assert ((st.h_income[s] >= 50900.0) & (st.h_income[s] <= 100800.0)).all()
    assert (st.h_size[y] == 1).all() and (st.h_type[y] == T["alleenstaand"]).all()
    assert (st.h_age[y] == 18).all() and (st.h_source[y] == S["werk"]).all()
    assert not st.h_statushouder[y].any() and not st.h_urgent[y].any()
    assert len(ledger) == 0


def test_fractional_inflow_is_rounded_stochastically() -> None:
    st = make_state([{"size": 1, "type": "alleenstaand"}] * 100)  # 100 inhabitants
    stream = InflowStream(name="x", persons_per_1000=25.0)  # 2.5 households a year
    counts = []
    for year in range(1, 201):
        s = st.copy()
        r, _ = run(s, quiet(inflow=(stream,)), key=CrnKey(seed=3, replicate=0, year=year))
        counts.append(r.inflow)
    assert set(counts) == {2, 3}
    assert abs(np.mean(counts) - 2.5) < 0.12  # sd of the mean of 200 Bernoulli(0.5): 0.035


# --------------------------------------------------------------------------
# random numbers: order, keys, invariants
# --------------------------------------------------------------------------
def test_results_do_not_depend_on_household_order() -> None:
    st = make_state(random_registers(400, seed=1))
    add_seekers(st, 30, cause=Cause.INFLOW, seek_years=1)
    add_seekers(st, 10, cause=Cause.STARTER, seek_years=2)
    other = permuted(st, seed=2)
    r1, l1 = run(st, BUSY)
    r2, l2 = run(other, BUSY)
    assert r1 == r2
    assert r1.voluntary > 0 and r1.outflow > 0 and r1.expired > 0 and r1.gave_up > 0
    assert r1.inflow > 0
    pd.testing.assert_frame_equal(by_key(st), by_key(other))
    k1 = sorted(st.h_key[l1.arrays()["household"]])
    k2 = sorted(other.h_key[l2.arrays()["household"]])
    assert k1 == k2


def test_same_key_identical_other_key_different() -> None:
    base = make_state(random_registers(300, seed=5))
    a, b, c = base.copy(), base.copy(), base.copy()
    ra, la = run(a, BUSY)
    rb, lb = run(b, BUSY)
    rc, _ = run(c, BUSY, key=CrnKey(seed=22, replicate=0, year=1))
    assert ra == rb and ra != rc
    assert_identical(a, b, la, lb)


def test_invariants_hold_over_years_with_demography() -> None:
    st = make_state(random_registers(800, seed=9))
    ledger = Ledger()
    for year in range(1, 7):
        key = CrnKey(seed=4, replicate=1, year=year)
        apply_demography(
            st, year=year, key=key, params=DemographyParams(), ledger=ledger, replicate=1
        )
        st.check()
        apply_moves(st, year=year, key=key, params=MoveParams(), ledger=ledger, replicate=1)
        st.check()
    gone = np.flatnonzero(st.h_state != HouseholdState.ACTIVE)
    a = ledger.arrays()
    # exactly one ledger row for every household that left or ended (no placements here)
    assert sorted(a["household"].tolist()) == gone.tolist()
    left = st.h_state[a["household"]] == HouseholdState.LEFT
    assert (a["cause"][left] == Cause.OUTFLOW).all()
    assert (a["cause"][~left] == Cause.DISSOLUTION).all()
    # nobody without a dwelling has searched more than max_seek_years
    active = st.h_state == HouseholdState.ACTIVE
    assert (st.h_seek_years[active & (st.h_dwelling < 0)] <= MoveParams().max_seek_years).all()


# --------------------------------------------------------------------------
# calibration on a generated population
# --------------------------------------------------------------------------
WIJKEN = ("WK051802", "WK051808", "WK051812", "WK051819", "WK051820", "WK051821", "WK051829")


@pytest.fixture(scope="module")
def den_haag() -> State:
    path = resources.files("wijkmix") / "data" / "kwb" / "denhaag_kwb-2019_84583NED_statline.csv"
    with resources.as_file(path) as p:
        wide = read_kwb(p).wide()
    keep = wide["code"].isin(WIJKEN) | wide["parent"].isin(WIJKEN) | (wide["level"] == "gemeente")
    res = SyntheticPopulation(2019).generate(wide[keep], "GM0518", np.random.default_rng(2019))
    return State.from_registers(res.dwellings, res.households)


def test_default_turnover_of_corporation_tenants_is_about_seven_percent(den_haag: State) -> None:
    st = den_haag.copy()
    n0 = st.n_households
    assert 45000 < n0 < 55000
    owner = st.d_owner[st.h_dwelling[:n0]]
    key = CrnKey(seed=2024, replicate=0, year=1)
    ledger = Ledger()
    apply_demography(st, year=1, key=key, params=DemographyParams(), ledger=ledger, replicate=0)
    apply_moves(st, year=1, key=key, params=MoveParams(), ledger=ledger, replicate=0)
    st.check()
    h = np.arange(n0)
    turnover = (st.h_state[h] != HouseholdState.ACTIVE) | (
        (st.h_seek_cause[h] == Cause.VOLUNTARY) & (st.h_dwelling[h] >= 0)
    )
    rate = {o: turnover[owner == o].mean() for o in (CORPORATIE, PARTICULIER, EIGENAAR)}
    assert abs(rate[CORPORATIE] - 0.07) <= 0.015  # DESIGN §8: ~7 % re-let per year
    assert 0.15 <= rate[PARTICULIER] <= 0.20  # private renters: 15-20 %
    assert 0.045 <= rate[EIGENAAR] <= 0.065  # owner-occupiers: 5-6 %


# --------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------
def test_from_dict_overrides_and_round_trips() -> None:
    d = MoveParams()
    plain = {f.name: getattr(d, f.name) for f in dataclasses.fields(d) if f.name != "sources"}
    assert MoveParams.from_dict(plain, field="params.moves") == d
    p = MoveParams.from_dict(
        {
            "base_rate": {"corporatie": 0.06},
            "age_factor": [{"min_age": 0, "factor": 2.0}, {"min_age": 30, "factor": 1.0}],
            "duration_factor": [{"min_years": 0, "factor": 1.0}],
            "inflow": {
                "statushouders": {"persons_per_1000": 2.0},
                "arbeidsmigranten": {"persons_per_1000": 1.0, "ages": [20, 40]},
            },
        },
        field="params.moves",
    )
    assert p.base_rate == ByOwner(0.06, 0.085, 0.042)
    assert p.age_factor == (AgeFactor(0, 2.0), AgeFactor(30, 1.0))
    assert p.duration_factor == (DurationFactor(0, 1.0),)
    names = [s.name for s in p.inflow]
    assert names == [s.name for s in d.inflow] + ["arbeidsmigranten"]
    status = p.inflow[names.index("statushouders")]
    assert status.persons_per_1000 == 2.0 and status.statushouder and status.urgent
    assert p.sources["base_rate"] == "opgegeven in params.moves.base_rate"
    assert set(d.sources) == {f.name for f in dataclasses.fields(d)} - {"sources"}
    listed = MoveParams.from_dict(
        {"inflow": [{"name": "a", "persons_per_1000": 1.0}]}, field="params.moves"
    )
    assert listed.inflow == (InflowStream(name="a", persons_per_1000=1.0),)


@pytest.mark.parametrize(
    ("table", "where"),
    [
        ({"base_rat": 0.1}, r"params\.moves\.base_rat'"),
        ({"base_rate": 1.2}, r"params\.moves\.base_rate'"),
        ({"base_rate": {"corporaties": 0.1}}, r"params\.moves\.base_rate\.corporaties'"),
        ({"base_rate": {"corporatie": -0.1}}, r"params\.moves\.base_rate\.corporatie'"),
        (
            {"outflow_rate": [{"min_age": 0, "rate": 0.1}, {"min_age": 30, "rate": 2}]},
            r"params\.moves\.outflow_rate\[1\]\.rate",
        ),
        ({"age_factor": [{"min_age": 0, "rate": 1}]}, r"age_factor\[0\]\.rate"),
        ({"duration_factor": [{"min_years": 3, "factor": 1}]}, r"duration_factor\[0\]\.min_years"),
        ({"max_seek_years": 2.5}, r"params\.moves\.max_seek_years'"),
        ({"inflow": [{"name": "a", "persons_per_1000": 1}, {"name": "a", "persons_per_1000": 2}]},
         r"params\.moves\.inflow\[1\]\.name"),
        ({"inflow": [{"name": "a"}]}, r"params\.moves\.inflow\[0\]\.persons_per_1000"),
        ({"inflow": {"nieuw": {"ages": [20, 30]}}},
         r"params\.moves\.inflow\.nieuw\.persons_per_1000"),
        ({"inflow": {"statushouders": {"persons": 2}}}, r"inflow\.statushouders\.persons'"),
        ({"inflow": {"urgenten": {"size_shares": [0.5, 0.4]}}}, r"inflow\.urgenten\.size_shares'"),
        ({"inflow": {"urgenten": {"source_shares": {"werk": 0.3}}}},
         r"inflow\.urgenten\.source_shares'"),
        ({"inflow": {"urgenten": {"source_shares": {"loon": 1.0}}}},
         r"inflow\.urgenten\.source_shares\.loon'"),
        ({"inflow": {"urgenten": {"urgent": "ja"}}}, r"inflow\.urgenten\.urgent'"),
        ({"inflow": "veel"}, r"params\.moves\.inflow'"),
    ],
)  # fmt: skip
def test_from_dict_errors_name_the_field(table: dict[str, Any], where: str) -> None:
    with pytest.raises(InputError, match=where):
        MoveParams.from_dict(table, field="params.moves")
