"""Tests of wijkmix.sim.market: affordability, chains, homophily, determinism."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim_helpers import add_unhoused, permuted
from wijkmix.errors import InputError
from wijkmix.sim.crn import CrnKey
from wijkmix.sim.market import MarketParams, apply_market, market_vacancies
from wijkmix.sim.state import EIGENAAR, Cause, Ledger, Route, State

BU_LOW, BU_HIGH, BU_FAR = "BU05180101", "BU05180102", "BU05180201"


def dw(
    did: str,
    buurt: str = BU_LOW,
    *,
    owner: str = "particuliere_verhuurder",
    segment: str = "vrije_huur",
    rent: float | None = 1000.0,
    woz: float | None = None,
    status: str = "leeg",
) -> dict[str, Any]:
    return {
        "dwelling_id": did,
        "buurt_code": buurt,
        "owner": owner,
        "segment": segment,
        "rent": rent,
        "woz_value": woz,
        "status": status,
    }


def hh(hid: str, dwelling_id: str, income: float) -> dict[str, Any]:
    return {
        "household_id": hid,
        "dwelling_id": dwelling_id,
        "size": 1,
        "type": "alleenstaand",
        "age_head": 35,
        "income": income,
    }


def make_state(
    dwellings: list[dict[str, Any]],
    housed: list[dict[str, Any]],
    newcomers: list[float] = (),  # type: ignore[assignment]
    cause: int = Cause.INFLOW,
) -> State:
    """Housed households from the registers plus seeking newcomers without a dwelling."""
    columns = list(hh("x", "x", 0.0))
    state = State.from_registers(pd.DataFrame(dwellings), pd.DataFrame(housed, columns=columns))
    n = len(newcomers)
    if n:
        add_unhoused(state, n, h_income=np.asarray(newcomers, dtype=np.float64), h_seek_cause=cause)
    state.check()
    return state


def run(state: State, params: Any = None, seed: int = 3) -> tuple[Any, Ledger]:
    ledger = Ledger()
    report = apply_market(
        state,
        year=1,
        key=CrnKey(seed=seed, replicate=0, year=1),
        params=params or MarketParams(),
        ledger=ledger,
        replicate=0,
    )
    state.check()
    return report, ledger


def housing(state: State) -> dict[str, str | None]:
    """household key → dwelling key (None when not housed)."""
    return {
        str(k): (str(state.d_key[d]) if d >= 0 else None)
        for k, d in zip(state.h_key, state.h_dwelling, strict=True)
    }


def affordable_by_hand(income: float, rent: float, woz: float, buy: bool) -> bool:
    """The documented default rule, written out."""
    if income < 47_699:
        ratio, multiple = 0.40, 4.0
    elif income < 80_000:
        ratio, multiple = 0.33, 4.5
    else:
        ratio, multiple = 0.30, 5.0
    return woz <= multiple * income if buy else 12 * rent <= ratio * income


# ---------------------------------------------------------------------------


def test_seeker_who_cannot_afford_any_vacancy_stays_unplaced() -> None:
    state = make_state(
        [
            dw("V1", rent=1000.0),
            dw("V2", owner="eigenaar_bewoner", segment="koop_duur", rent=None, woz=400_000.0),
        ],
        [],
        newcomers=[10_000.0, 60_000.0],
    )
    r, ledger = run(state)
    # 10 000: at most 0.40 × 10 000 / 12 = 333 a month, 40 000 WOZ -> nothing;
    # 60 000: 0.33 × 60 000 / 12 = 1 650 a month -> V1 (or V2: 4.5 × 60 000 = 270 000 < 400 000)
    assert r.seekers == 2 and r.placed == 1 and r.unplaced == 1 and r.unaffordable == 1
    poor, rich = 0, 1
    assert state.h_dwelling[poor] == -1 and state.h_seek_cause[poor] == Cause.INFLOW
    assert state.d_key[state.h_dwelling[rich]] == "V1"
    assert state.h_seek_cause[rich] == -1
    assert r.vacancies == 2 and r.vacancies_left == 1
    led = ledger.arrays()
    assert len(ledger) == 1 and led["route"][0] == Route.MARKET
    assert led["cause"][0] == Cause.INFLOW and led["from_dwelling"][0] == -1


def random_market(seed: int = 0, n_vac: int = 150, n_new: int = 200) -> State:
    rng = np.random.default_rng(seed)
    buurten = [BU_LOW, BU_HIGH, BU_FAR]
    rows, housed = [], []
    for i in range(n_vac):
        kind = rng.integers(4)
        b = buurten[rng.integers(3)]
        if kind == 0:
            rows.append(dw(f"V{i}", b, rent=float(rng.integers(500, 2500))))
        elif kind == 1:
            rows.append(
                dw(
                    f"V{i}",
                    b,
                    owner="eigenaar_bewoner",
                    segment="koop_duur",
                    rent=None,
                    woz=float(rng.integers(150, 900)) * 1000,
                )
            )
        elif kind == 2:
            rows.append(
                dw(
                    f"V{i}",
                    b,
                    owner="corporatie",
                    segment="middenhuur",
                    rent=float(rng.integers(900, 1200)),
                )
            )
        else:  # social rent: not the market's
            rows.append(dw(f"V{i}", b, owner="corporatie", segment="sociale_huur", rent=600.0))
    for i in range(100):  # housed voluntary movers and stayers
        b = buurten[rng.integers(3)]
        rows.append(dw(f"O{i}", b, rent=float(rng.integers(500, 1500)), status="bewoond"))
        housed.append(hh(f"H{i}", f"O{i}", float(rng.lognormal(10.8, 0.6))))
    state = make_state(rows, housed, newcomers=list(rng.lognormal(10.6, 0.7, n_new)))
    movers = np.flatnonzero(np.arange(100) % 2 == 0)
    state.h_seek_cause[movers] = Cause.VOLUNTARY
    return state


def test_every_placement_is_affordable_and_a_market_dwelling() -> None:
    state = random_market()
    before = state.copy()
    social_vacant = np.flatnonzero(
        (before.d_segment == 0) & (before.d_owner == 0) & (before.d_status == 1)
    )
    r, ledger = run(state)
    led = ledger.arrays()
    assert r.placed == len(ledger) > 50
    for h, to in zip(led["household"], led["to_dwelling"], strict=True):
        buy = before.d_owner[to] == EIGENAAR
        assert affordable_by_hand(before.h_income[h], before.d_rent[to], before.d_woz[to], buy)
        assert state.h_dwelling[h] == to
    assert (state.d_occupant[social_vacant] == -1).all()
    assert (led["route"] == Route.MARKET).all()
    # cause is the seeker's cause before the move; from_dwelling its old dwelling
    assert (led["cause"] == before.h_seek_cause[led["household"]]).all()
    assert (led["from_dwelling"] == before.h_dwelling[led["household"]]).all()
    assert r.placed_by_cause["inflow"] + r.placed_by_cause.get("voluntary", 0) == r.placed
    assert r.unplaced == int((state.h_seek_cause >= 0).sum())
    assert r.seekers == r.placed + r.unplaced
    # nobody placed twice, no dwelling given twice
    assert len(np.unique(led["household"])) == len(ledger)
    assert len(np.unique(led["to_dwelling"])) == len(ledger)


def test_vacancy_chain_within_the_year() -> None:
    rows = [dw("X", rent=800.0, status="bewoond"), dw("Y", BU_HIGH, rent=2000.0)]
    state = make_state(rows, [hh("A", "X", 100_000.0)], newcomers=[30_000.0], cause=Cause.STARTER)
    state.h_seek_cause[0] = Cause.VOLUNTARY  # A wants to move and keeps X until it finds one
    r, ledger = run(state)
    # A (limit 0.30 × 100 000 = 30 000 a year) takes Y (24 000); B (0.40 × 30 000 = 12 000)
    # cannot afford Y, but takes X (9 600) once A has left it
    assert housing(state) == {"A": "Y", "sim-h1": "X"}
    assert r.placed == 2 and r.chain_vacancies == 1 and r.unaffordable == 1
    led = ledger.arrays()
    rows_ = sorted(
        zip(led["household"], led["from_dwelling"], led["to_dwelling"], led["cause"], strict=True)
    )
    assert rows_ == [(0, 0, 1, Cause.VOLUNTARY), (1, -1, 0, Cause.STARTER)]


def homophily_case() -> State:
    rows, housed = [], []
    for b, (n_low, n_high) in ((BU_LOW, (100, 10)), (BU_HIGH, (10, 100))):
        for i in range(n_low + n_high):
            rows.append(dw(f"{b}-O{i}", b, status="bewoond"))
            housed.append(hh(f"{b}-H{i}", f"{b}-O{i}", 20_000.0 if i < n_low else 120_000.0))
        rows += [dw(f"{b}-V{i}", b, rent=500.0) for i in range(150)]
    return make_state(rows, housed, newcomers=[25_000.0] * 100)


def share_into_low(state: State, ledger: Ledger) -> float:
    led = ledger.arrays()
    low = state.areas.buurt.index(BU_LOW)
    return float(np.mean(led["to_buurt"] == low))


def test_homophily_sorts_low_incomes_into_the_low_income_buurt() -> None:
    shares = {}
    for h in (0.0, 1.0, 4.0):
        state = homophily_case()
        r, ledger = run(state, MarketParams(homophily=h))
        assert r.placed == 100
        shares[h] = share_into_low(state, ledger)
    # without homophily the two equal buurten draw about equally; with it, the
    # low-income newcomers go where 100 of 110 neighbours are in their class
    assert 0.35 < shares[0.0] < 0.65
    assert shares[0.0] < shares[1.0] < shares[4.0]
    assert shares[4.0] > 0.85


def test_same_wijk_preference() -> None:
    rows = [dw(f"O{i}", BU_LOW, status="bewoond") for i in range(60)]
    rows += [dw(f"N{i}", BU_LOW, rent=700.0) for i in range(60)]
    rows += [dw(f"F{i}", BU_FAR, rent=700.0) for i in range(60)]
    housed = [hh(f"H{i}", f"O{i}", 40_000.0) for i in range(60)]
    moved_near = []
    for bonus in (0.0, 3.0):
        state = make_state(rows, housed)
        state.h_seek_cause[:] = Cause.VOLUNTARY
        _, ledger = run(state, MarketParams(same_wijk=bonus, same_gemeente=0.0, local_sample=0))
        led = ledger.arrays()
        moved_near.append(float(np.mean(led["to_buurt"] == state.areas.buurt.index(BU_LOW))))
    assert moved_near[1] > moved_near[0] + 0.2


def test_same_key_same_result_and_other_seed_differs() -> None:
    a, b, c = random_market(1), random_market(1), random_market(1)
    ra, la = run(a)
    rb, lb = run(b)
    run(c, seed=99)
    assert ra == rb
    for k, v in la.arrays().items():
        assert np.array_equal(v, lb.arrays()[k])
    assert housing(a) == housing(b)
    assert housing(a) != housing(c)


def test_result_independent_of_household_and_dwelling_order() -> None:
    base = random_market(2)
    results = []
    for s in (
        base.copy(),
        permuted(base, 5, dwellings_first=True),
        permuted(base, 6, dwellings_first=True),
    ):
        r, ledger = run(s)
        led = ledger.arrays()
        moves = sorted(
            zip(led["household_id"], s.d_id[led["to_dwelling"]], led["cause"], strict=True)
        )
        results.append((r, housing(s), moves))
    assert results[0] == results[1] == results[2]


def test_unpriced_vacancies_are_not_offered() -> None:
    state = make_state([dw("V1", rent=None), dw("V2", rent=700.0)], [], newcomers=[50_000.0] * 2)
    r, _ = run(state)
    assert r.unpriced == 1 and r.vacancies == 1 and r.placed == 1
    assert [state.d_key[i] for i in market_vacancies(state)] == []


def test_params_from_dict_and_composite() -> None:
    p = MarketParams.from_dict(
        {
            "homophily": 2,
            "income_bounds": [30_000],
            "max_rent_ratio": [0.4, 0.3],
            "max_price_multiple": [4, 5],
        },
        field="params.market",
    )
    assert p.homophily == 2.0 and p.n_bands == 2
    assert p.sources["homophily"] == "opgegeven in params.market.homophily"
    assert "Nibud" in MarketParams().sources["max_price_multiple"]
    assert p.rent_limit(np.array([20_000.0, 40_000.0])).tolist() == [8_000.0, 12_000.0]
    assert p.price_limit(np.array([20_000.0, 40_000.0])).tolist() == [80_000.0, 200_000.0]
    for bad, field in (
        ({"speed": 1}, r"params\.market\.speed"),
        ({"max_rent_ratio": [0.4, 0.3]}, r"params\.market\.max_rent_ratio"),
        ({"max_rent_ratio": [0.4, 0.3, 1.5]}, r"params\.market\.max_rent_ratio"),
        ({"income_bounds": [50_000, 40_000]}, r"params\.market\.income_bounds"),
        ({"homophily": "high"}, r"params\.market\.homophily"),
        ({"rounds": 0}, r"params\.market\.rounds"),
        ({"sample_size": 60, "local_sample": 10}, r"params\.market\.sample_size"),
    ):
        with pytest.raises(InputError, match=field):
            MarketParams.from_dict(bad, field="params.market")
    # a composite with a .market attribute is accepted
    state = make_state([dw("V1", rent=700.0)], [], newcomers=[50_000.0])
    r, _ = run(state, SimpleNamespace(market=replace(MarketParams(), rounds=1)))
    assert r.placed == 1 and r.rounds == 1


def test_forced_mover_is_recorded_from_the_dwelling_it_lost() -> None:
    from wijkmix.sim.events import EventParams, PlanEvent, apply_plan_events

    rows = [
        dw("K1", owner="corporatie", segment="sociale_huur", rent=600.0, status="bewoond"),
        dw("V1", BU_HIGH, rent=900.0),
    ]
    state = make_state(rows, [hh("A", "K1", 50_000.0)])
    demolition = PlanEvent(kind="demolition", year=1, area_level="buurt", area_code=BU_LOW)
    ledger = Ledger()
    key = CrnKey(seed=3, replicate=0, year=1)
    apply_plan_events(
        state,
        events=[demolition],
        year=1,
        key=key,
        params=EventParams(),
        ledger=ledger,
        replicate=0,
    )
    r = apply_market(state, year=1, key=key, params=MarketParams(), ledger=ledger, replicate=0)
    state.check()
    led = ledger.arrays()
    assert r.placed_by_cause == {"forced": 1}
    # eviction row (no destination), then the market placement from the lost dwelling
    assert led["route"].tolist() == [Route.NONE, Route.MARKET]
    assert led["from_dwelling"].tolist() == [0, 0] and led["to_dwelling"].tolist() == [-1, 1]
    assert (led["cause"] == Cause.FORCED).all()
    assert state.h_seek_cause[0] == -1 and state.h_seek_from[0] == -1
