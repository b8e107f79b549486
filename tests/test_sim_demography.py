"""Tests of step 2 of the simulation: ageing, deaths, separation, children leaving, income.

States are hand-built with :meth:`State.from_registers` from small frames with
the store/schema columns. Every expected value is counted by hand in the test
(or follows from the closed form named next to it). "Quiet" parameters switch
every event off, so that a test can switch on exactly the event it checks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim_helpers import add_unhoused, assert_identical, one_dwelling_each, permuted, run_step
from wijkmix.errors import InputError
from wijkmix.sim.crn import CrnKey, Step, crn_uniform
from wijkmix.sim.demography import (
    AgeRate,
    DemographyParams,
    apply_demography,
)
from wijkmix.sim.state import (
    HOUSEHOLD_TYPES,
    INCOME_SOURCES,
    LEEG,
    Cause,
    HouseholdState,
    Ledger,
    Route,
    State,
)

T = {t: i for i, t in enumerate(HOUSEHOLD_TYPES)}
S = {s: i for i, s in enumerate(INCOME_SOURCES)}
KEY = CrnKey(seed=11, replicate=0, year=1)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def make_state(rows: list[dict[str, Any]]) -> State:
    """One dwelling per household; ``rows`` give household columns (defaults: a single)."""
    return one_dwelling_each(rows, digits=3)


def quiet(**changes: Any) -> DemographyParams:
    """Parameters with every event and every income change switched off."""
    zero = (AgeRate(0, 0.0),)
    base = DemographyParams(
        mortality=zero,
        care_admission=zero,
        separation=zero,
        leaving_home=zero,
        income_growth=0.0,
        income_mobility=((1.0, 0.0), (0.0, 1.0)),
        benefit_to_work=0.0,
        work_to_benefit=0.0,
        study_to_work=0.0,
        pension_age=120,
    )
    return dataclasses.replace(base, **changes)


def run(state: State, params: DemographyParams, key: CrnKey = KEY) -> tuple[Any, Ledger]:
    return run_step(apply_demography, state, params, key)


def random_registers(n: int, seed: int) -> list[dict[str, Any]]:
    """A varied population (generated with a Generator; the step itself uses CRN)."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        t = str(rng.choice(HOUSEHOLD_TYPES))
        size = {"alleenstaand": 1, "paar": 2, "overig": int(rng.integers(1, 4))}.get(
            t, int(rng.integers(2 if t == "eenouder" else 3, 6))
        )
        rows.append(
            {
                "type": t,
                "size": size,
                "age_head": int(rng.integers(18, 95)),
                "income": float(rng.lognormal(10.5, 0.6)),
                "income_source": str(rng.choice(INCOME_SOURCES)),
                "owner": str(
                    rng.choice(["corporatie", "particuliere_verhuurder", "eigenaar_bewoner"])
                ),
                "years_in_dwelling": int(rng.integers(0, 30)),
            }
        )
    return rows


BUSY = dataclasses.replace(
    DemographyParams(),
    mortality=(AgeRate(0, 0.05), AgeRate(70, 0.3)),
    care_admission=(AgeRate(0, 0.0), AgeRate(75, 0.3)),
    separation=(AgeRate(0, 0.2),),
    leaving_home=(AgeRate(0, 0.5),),
    benefit_to_work=0.3,
    work_to_benefit=0.1,
)


def by_key(state: State) -> pd.DataFrame:
    """Every household by its text key, with dwellings as text keys too."""
    dkey = np.concatenate([state.d_key, np.array([None], dtype=object)])
    return (
        pd.DataFrame(
            {
                "h_key": state.h_key,
                "h_id": state.h_id,
                "state": state.h_state,
                "dwelling": dkey[state.h_dwelling],
                "seek_from": dkey[state.h_seek_from],
                "seek_cause": state.h_seek_cause,
                "size": state.h_size,
                "type": state.h_type,
                "age": state.h_age,
                "income": state.h_income,
                "source": state.h_source,
                "registration": state.h_registration,
                "years_region": state.h_years_region,
            }
        )
        .set_index("h_key")
        .sort_index()
    )


def ledger_by_key(state: State, ledger: Ledger) -> pd.DataFrame:
    a = ledger.arrays()
    dkey = np.concatenate([state.d_key, np.array([None], dtype=object)])
    return (
        pd.DataFrame(
            {
                "h_key": state.h_key[a["household"]],
                "from": dkey[a["from_dwelling"]],
                "cause": a["cause"],
            }
        )
        .sort_values("h_key")
        .reset_index(drop=True)
    )


# --------------------------------------------------------------------------
# ageing
# --------------------------------------------------------------------------
def test_ageing_adds_exactly_one() -> None:
    st = make_state([{"age_head": 30}, {"age_head": 64, "years_in_dwelling": 0}, {}])
    # an unhoused starter and a household that left the region
    add_unhoused(
        st,
        1,
        h_age=20,
        h_income=15000.0,
        h_source=S["studie"],
        h_years_region=20,
        h_registration=2.0,
        h_seek_cause=int(Cause.STARTER),
    )
    st.vacate(np.array([2]))
    st.h_state[2] = HouseholdState.LEFT
    before = {c: getattr(st, c).copy() for c in ("h_age", "h_years_region", "h_registration")}
    yd = st.h_years_dwelling.copy()
    income = st.h_income.copy()
    report, ledger = run(st, quiet())
    active = np.array([0, 1, 3])
    for c, old in before.items():
        new = getattr(st, c)
        assert (new[active] == old[active] + 1).all(), c
        assert new[2] == old[2], c  # the household that left does not age
    assert st.h_years_dwelling.tolist() == [yd[0] + 1, yd[1] + 1, yd[2], yd[3]]  # housed only
    assert (st.h_income == income).all()
    assert report.aged == 3
    assert len(ledger) == 0
    assert st.n_households == 4


# --------------------------------------------------------------------------
# death
# --------------------------------------------------------------------------
def test_mortality_one_ends_every_household_of_the_band() -> None:
    # ageing comes first, so the head of 79 is 80 when the rates apply
    ages = [30, 50, 79, 80, 85, 78, 90]
    types = ["alleenstaand", "paar", "alleenstaand", "eenouder", "paar", "paar", "overig"]
    sizes = [1, 2, 1, 3, 2, 2, 3]
    st = make_state(
        [{"age_head": a, "type": t, "size": s} for a, t, s in zip(ages, types, sizes, strict=True)]
    )
    dwell = st.h_dwelling.copy()
    p = quiet(mortality=(AgeRate(0, 0.0), AgeRate(80, 1.0)))
    report, ledger = run(st, p)
    ended = [2, 3, 4, 6]  # hand count: heads of 80+ after ageing; couples lose both adults
    assert np.flatnonzero(st.h_state == HouseholdState.DISSOLVED).tolist() == ended
    assert (st.h_state[[0, 1, 5]] == HouseholdState.ACTIVE).all()
    a = ledger.arrays()
    assert len(ledger) == 4
    assert sorted(a["household"].tolist()) == ended
    assert (a["cause"] == Cause.DISSOLUTION).all()
    assert (a["route"] == Route.NONE).all()
    assert (a["to_dwelling"] == -1).all() and (a["to_buurt"] == -1).all()
    assert sorted(a["from_dwelling"].tolist()) == sorted(dwell[ended].tolist())
    assert (a["from_buurt"] == st.d_buurt[a["from_dwelling"]]).all()
    assert (st.d_occupant[dwell[ended]] == -1).all()
    assert (st.d_status[dwell[ended]] == LEEG).all()
    assert (st.h_dwelling[ended] == -1).all()
    # deaths: 1 + 1 + 2 + 2 adults (alleenstaand, eenouder, paar, overig of 3)
    assert report.deaths == 6 and report.dissolved == 4 and report.widowed == 0


def _one_death_rate(h_id: int, key: CrnKey) -> float:
    """A probability at which exactly one of the two adults of household ``h_id`` dies."""
    u = [float(crn_uniform(key, Step.DEATH, np.array([h_id]), sub=s)[0]) for s in (0, 1)]
    return (u[0] + u[1]) / 2.0


def test_couple_loses_one_adult_and_continues() -> None:
    st = make_state(
        [
            {"type": "paar", "size": 2, "age_head": 40, "income": 50000.0},
            {"type": "paar_met_kinderen", "size": 4, "age_head": 60, "income": 80000.0},
            {"type": "alleenstaand", "size": 1, "age_head": 90},
        ]
    )
    q0, q1 = _one_death_rate(0, KEY), _one_death_rate(1, KEY)
    p = quiet(mortality=(AgeRate(0, 0.0), AgeRate(35, q0), AgeRate(55, q1), AgeRate(75, 0.0)))
    report, ledger = run(st, p)
    assert st.h_type[0] == T["alleenstaand"] and st.h_size[0] == 1
    assert st.h_type[1] == T["eenouder"] and st.h_size[1] == 3
    assert st.h_income[0] == pytest.approx(50000.0 * 0.7)
    assert st.h_income[1] == pytest.approx(80000.0 * 0.7)
    assert (st.h_state == HouseholdState.ACTIVE).all()
    assert (st.h_dwelling >= 0).all()
    assert report.deaths == 2 and report.widowed == 2 and report.dissolved == 0
    assert len(ledger) == 0


def test_single_person_moving_into_care_ends_the_household() -> None:
    st = make_state([{"age_head": 88}, {"age_head": 88, "type": "paar", "size": 2}])
    report, ledger = run(st, quiet(care_admission=(AgeRate(0, 0.0), AgeRate(85, 1.0))))
    assert st.h_state.tolist() == [HouseholdState.DISSOLVED, HouseholdState.ACTIVE]
    assert report.care_admissions == 1 and report.dissolved == 1 and report.deaths == 0
    assert ledger.arrays()["cause"].tolist() == [Cause.DISSOLUTION]


# --------------------------------------------------------------------------
# separation and children leaving home
# --------------------------------------------------------------------------
def test_separation_creates_one_voluntary_seeker_and_splits_income() -> None:
    st = make_state(
        [
            {"type": "paar", "size": 2, "age_head": 40, "income": 50000.0, "registration_years": 3},
            {"type": "paar_met_kinderen", "size": 4, "age_head": 45, "income": 70000.0},
            {"type": "alleenstaand", "size": 1, "age_head": 40},
        ]
    )
    dwell = st.h_dwelling.copy()
    report, ledger = run(st, quiet(separation=(AgeRate(0, 1.0),)))
    assert report.separations == 2 and report.new_households == 2
    assert st.n_households == 5
    assert st.h_type[:3].tolist() == [T["alleenstaand"], T["eenouder"], T["alleenstaand"]]
    assert st.h_size[:3].tolist() == [1, 3, 1]
    assert st.h_income[0] == pytest.approx(30000.0) and st.h_income[1] == pytest.approx(42000.0)
    new = np.arange(3, 5)  # appended in the order of the couple's id
    assert (st.h_seek_cause[new] == Cause.VOLUNTARY).all()
    assert (st.h_dwelling[new] == -1).all()
    assert st.h_seek_from[new].tolist() == dwell[:2].tolist()
    assert st.h_income[new].tolist() == pytest.approx([20000.0, 28000.0])
    assert (st.h_size[new] == 1).all() and (st.h_type[new] == T["alleenstaand"]).all()
    assert st.h_age[new].tolist() == [41, 46]
    assert st.h_registration[3] == pytest.approx(4.0)  # 3 + this year's ageing
    assert len(ledger) == 0  # recorded when housed


def test_child_leaving_creates_exactly_one_starter_and_decrements_size() -> None:
    st = make_state(
        [
            {"type": "paar_met_kinderen", "size": 3, "age_head": 50, "years_in_municipality": 12},
            {"type": "eenouder", "size": 2, "age_head": 52, "years_in_municipality": 30},
            {"type": "paar_met_kinderen", "size": 5, "age_head": 49},
            {"type": "paar", "size": 2, "age_head": 50},
            {"type": "alleenstaand", "size": 1, "age_head": 50},
        ]
    )
    dwell = st.h_dwelling.copy()
    years_region = st.h_years_region.copy() + 1  # after ageing
    p = quiet(leaving_home=(AgeRate(0, 1.0),), starter_registered_share=1.0)
    report, ledger = run(st, p)
    assert report.starters == 3 and report.separations == 0
    assert st.h_size[:5].tolist() == [2, 1, 4, 2, 1]
    assert st.h_type[:5].tolist() == [
        T["paar"],
        T["alleenstaand"],
        T["paar_met_kinderen"],
        T["paar"],
        T["alleenstaand"],
    ]
    new = np.arange(5, 8)
    assert st.n_households == 8
    assert (st.h_seek_cause[new] == Cause.STARTER).all()
    assert (st.h_state[new] == HouseholdState.ACTIVE).all()
    assert (st.h_dwelling[new] == -1).all()
    assert st.h_seek_from[new].tolist() == dwell[:3].tolist()
    age = st.h_age[new]
    assert ((age >= 18) & (age <= 25)).all()
    assert (st.h_registration[new] == age - 18).all()
    assert st.h_years_region[new].tolist() == np.minimum(age, years_region[:3]).tolist()
    assert np.isin(st.h_source[new], [S["werk"], S["studie"]]).all()
    assert (st.h_size[new] == 1).all() and (st.h_seek_years[new] == 0).all()
    assert len(ledger) == 0


# --------------------------------------------------------------------------
# income
# --------------------------------------------------------------------------
def test_income_class_transition_and_pension() -> None:
    incomes = [10000.0 * (i + 1) for i in range(10)]  # median 55 000
    st = make_state([{"income": x, "age_head": 40} for x in incomes])
    # every household of the lower half moves to the upper half (sociale stijgers)
    p = quiet(income_mobility=((0.0, 1.0), (0.0, 1.0)))
    report, _ = run(st, p)
    assert report.income_up == 5 and report.income_down == 0
    assert (st.h_income[:5] >= 55000.0).all() and (st.h_income[:5] <= 100000.0).all()
    assert st.h_income[5:].tolist() == incomes[5:]

    st = make_state(
        [
            {"age_head": 66, "income_source": "werk", "income": 40000.0},
            {"age_head": 66, "income_source": "uitkering", "income": 20000.0},
            {"age_head": 65, "income_source": "werk", "income": 40000.0},
        ]
    )
    report, _ = run(st, quiet(pension_age=67, pension_income_factor=0.75))
    assert st.h_source.tolist() == [S["pensioen"], S["pensioen"], S["werk"]]
    assert st.h_income.tolist() == pytest.approx([30000.0, 20000.0, 40000.0])
    assert report.to_pension == 2


def test_income_growth_is_nominal_for_everyone() -> None:
    st = make_state([{"income": 20000.0}, {"income": 50000.0}])
    run(st, quiet(income_growth=0.03))
    assert st.h_income.tolist() == pytest.approx([20600.0, 51500.0])


# --------------------------------------------------------------------------
# random numbers: order, keys, invariants
# --------------------------------------------------------------------------
def test_results_do_not_depend_on_household_order() -> None:
    st = make_state(random_registers(400, seed=3))
    other = permuted(st, seed=4)
    r1, l1 = run(st, BUSY)
    r2, l2 = run(other, BUSY)
    assert r1 == r2
    assert r1.dissolved > 0 and r1.separations > 0 and r1.starters > 0 and r1.income_up > 0
    pd.testing.assert_frame_equal(by_key(st), by_key(other))
    pd.testing.assert_frame_equal(ledger_by_key(st, l1), ledger_by_key(other, l2))


def test_same_key_identical_other_key_different() -> None:
    base = make_state(random_registers(300, seed=5))
    a, b, c = base.copy(), base.copy(), base.copy()
    ra, la = run(a, BUSY)
    rb, lb = run(b, BUSY)
    rc, _ = run(c, BUSY, key=CrnKey(seed=12, replicate=0, year=1))
    assert ra == rb
    assert_identical(a, b, la, lb)
    assert ra != rc


def test_invariants_hold_over_years_with_default_rates() -> None:
    st = make_state(random_registers(600, seed=8))
    ledger = Ledger()
    for year in range(1, 6):
        key = CrnKey(seed=1, replicate=2, year=year)
        apply_demography(
            st, year=year, key=key, params=DemographyParams(), ledger=ledger, replicate=2
        )
        st.check()
    ended = np.flatnonzero(st.h_state == HouseholdState.DISSOLVED)
    a = ledger.arrays()
    # one DISSOLUTION row per ended household, none for the others
    assert sorted(a["household"].tolist()) == ended.tolist()
    assert (a["replicate"] == 2).all()
    assert (st.h_dwelling[ended] == -1).all()


# --------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------
def test_from_dict_overrides_and_round_trips() -> None:
    d = DemographyParams()
    plain = {f.name: getattr(d, f.name) for f in dataclasses.fields(d) if f.name != "sources"}
    assert DemographyParams.from_dict(plain, field="params.demography") == d
    p = DemographyParams.from_dict(
        {"mortality": [{"min_age": 0, "rate": 0.01}, {"min_age": 70, "rate": 0.1}]},
        field="params.demography",
    )
    assert p.mortality == (AgeRate(0, 0.01), AgeRate(70, 0.1))
    assert p.sources["mortality"] == "opgegeven in params.demography.mortality"
    assert p.separation == d.separation
    # every default is a probability where it should be, and the matrix is doubly stochastic
    m = np.array(d.income_mobility)
    assert np.allclose(m.sum(axis=0), 1.0) and np.allclose(m.sum(axis=1), 1.0)
    assert set(d.sources) == {f.name for f in dataclasses.fields(d)} - {"sources"}


@pytest.mark.parametrize(
    ("table", "where"),
    [
        (
            {
                "mortality": [
                    {"min_age": 0, "rate": 0.1},
                    {"min_age": 50, "rate": 0.1},
                    {"min_age": 60, "rate": 1.5},
                ]
            },
            r"params\.demography\.mortality\[2\]\.rate",
        ),
        ({"mortalty": []}, r"params\.demography\.mortalty'"),
        (
            {"separation": [{"min_age": 0, "rate": 0.1}, {"min_age": 0, "rate": 0.1}]},
            r"params\.demography\.separation\[1\]\.min_age",
        ),
        ({"leaving_home": [{"min_age": 5, "rate": 0.1}]}, r"leaving_home\[0\]\.min_age"),
        ({"care_admission": [{"min_age": 0}]}, r"care_admission\[0\]\.rate"),
        ({"care_admission": [{"min_age": 0, "rate": 0, "x": 1}]}, r"care_admission\[0\]\.x"),
        ({"income_mobility": [[0.5, 0.6], [0.5, 0.5]]}, r"income_mobility\[0\]'"),
        ({"income_mobility": [[1.0, 0.0], [0.5]]}, r"income_mobility\[1\]'"),
        ({"pension_age": 67.5}, r"params\.demography\.pension_age'"),
        ({"pension_age": True}, r"params\.demography\.pension_age'"),
        ({"starter_age": [25, 18]}, r"starter_age\[1\]"),
        ({"work_income_quantiles": [0.5, 1.2]}, r"work_income_quantiles\[1\]"),
        ({"benefit_to_work": "veel"}, r"params\.demography\.benefit_to_work'"),
    ],
)
def test_from_dict_errors_name_the_field(table: dict[str, Any], where: str) -> None:
    with pytest.raises(InputError, match=where):
        DemographyParams.from_dict(table, field="params.demography")


def test_params_object_with_demography_attribute_is_accepted() -> None:
    @dataclasses.dataclass
    class Composite:
        demography: DemographyParams

    st = make_state([{"age_head": 30}])
    apply_demography(st, year=1, key=KEY, params=Composite(quiet()), ledger=Ledger(), replicate=0)
    assert st.h_age[0] == 31
    wrong: Any = object()
    with pytest.raises(TypeError):
        apply_demography(st, year=1, key=KEY, params=wrong, ledger=Ledger(), replicate=0)
