"""Tests of wijkmix.sim.events: plan events on a small hand-built state."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim_helpers import permuted
from wijkmix.errors import InputError
from wijkmix.sim.crn import CrnKey, Step, crn_uniform
from wijkmix.sim.events import (
    EVENT_KINDS,
    EventParams,
    PlanEvent,
    apply_plan_events,
    households_away,
)
from wijkmix.sim.state import (
    BEWOOND,
    CORPORATIE,
    EIGENAAR,
    GESLOOPT,
    IN_AANBOUW,
    KOOP_BETAALBAAR,
    KOOP_DUUR,
    LEEG,
    MIDDENHUUR,
    PARTICULIER,
    SEGMENTS,
    SOCIALE_HUUR,
    VRIJE_HUUR,
    Cause,
    Ledger,
    Route,
    State,
)

BU_A, BU_B, BU_C = "BU05180101", "BU05180102", "BU05180201"
WK_1, WK_2 = "WK051801", "WK051802"
KEY = CrnKey(seed=7, replicate=0, year=1)


def dwelling(
    did: str,
    buurt: str = BU_A,
    *,
    owner: str = "corporatie",
    segment: str = "sociale_huur",
    complex_code: str | None = "C1",
    rent: float | None = 600.0,
    woz: float | None = 200_000.0,
    status: str = "bewoond",
) -> dict[str, Any]:
    return {
        "dwelling_id": did,
        "buurt_code": buurt,
        "wijk_code": "WK" + buurt[2:8],
        "gemeente_code": "GM" + buurt[2:6],
        "complex_code": complex_code,
        "straat_code": "S-" + buurt,
        "owner": owner,
        "segment": segment,
        "rent": rent,
        "woz_value": woz,
        "rooms": 3,
        "status": status,
    }


def make_state(dwellings: list[dict[str, Any]]) -> State:
    """A state with one household (income 30 000) in every 'bewoond' dwelling."""
    d = pd.DataFrame(dwellings)
    occ = d.loc[d["status"] == "bewoond", "dwelling_id"].tolist()
    h = pd.DataFrame(
        {
            "household_id": [f"H{x}" for x in occ],
            "dwelling_id": occ,
            "size": 2,
            "type": "paar",
            "age_head": 40,
            "income": 30_000.0,
            "income_source": "werk",
        }
    )
    state = State.from_registers(d, h)
    state.check()
    return state


def run(
    state: State, events: list[PlanEvent], year: int = 1, params: Any = None, **kw: Any
) -> tuple[Any, Ledger]:
    ledger = Ledger()
    report = apply_plan_events(
        state,
        events=events,
        year=year,
        key=CrnKey(seed=7, replicate=0, year=year),
        params=params or EventParams(),
        ledger=ledger,
        replicate=0,
        **kw,
    )
    state.check()
    return report, ledger


def ev(field: str = "events[0]", **d: Any) -> PlanEvent:
    return PlanEvent.from_dict(d, field=field)


def keys_of(state: State, idx: np.ndarray) -> set[str]:
    return {str(k) for k in state.d_key[idx]}


# ---------------------------------------------------------------------------
# demolition


def demolition_state() -> State:
    rows = [dwelling(f"K{i}") for i in range(4)]  # 4 corporation dwellings in complex C1
    rows += [
        dwelling(f"P{i}", owner="particuliere_verhuurder", segment="vrije_huur", rent=1500)
        for i in range(2)
    ]
    rows += [dwelling("X1", BU_B, complex_code="C2")]
    return make_state(rows)


def test_demolition_two_of_four_makes_two_urgent_forced_seekers_with_return() -> None:
    state = demolition_state()
    before = state.copy()
    e = ev(
        kind="demolition",
        year=1,
        area_level="complex",
        area_code="C1",
        dwellings=2,
        owner="corporatie",
        segment="sociale_huur",
    )
    report, ledger = run(state, [e])
    # the rule, computed here: the 2 corporation dwellings of C1 with the lowest CRN
    corp = np.flatnonzero(np.isin(before.d_key, ["K0", "K1", "K2", "K3"]))
    u = crn_uniform(KEY, Step.PLAN, before.d_id[corp], sub=EVENT_KINDS.index("demolition"))
    expected = set(before.d_key[corp[np.argsort(u)[:2]]])
    gone = np.flatnonzero(state.d_status == GESLOOPT)
    assert keys_of(state, gone) == expected
    assert (state.d_occupant[gone] == -1).all()
    seekers = np.flatnonzero(state.h_seek_cause >= 0)
    assert len(seekers) == 2
    assert (state.h_seek_cause[seekers] == Cause.FORCED).all()
    assert (state.h_dwelling[seekers] == -1).all()
    assert set(state.h_seek_from[seekers]) == set(gone)
    assert state.h_urgent[seekers].all() and not state.h_urgent[state.h_seek_cause < 0].any()
    c1 = state.areas.complex.index("C1")
    assert (state.h_return_complex[seekers] == c1).all()
    # everything else unchanged
    rest = np.setdiff1d(np.arange(state.n_dwellings), gone)
    assert (state.d_status[rest] == before.d_status[rest]).all()
    assert (state.d_occupant[rest] == before.d_occupant[rest]).all()
    assert report.demolished == 2 and report.forced_movers == 2
    assert report.events[0].requested == 2 and report.events[0].realised == 2
    led = ledger.arrays()
    assert len(ledger) == 2
    assert (led["cause"] == Cause.FORCED).all() and (led["route"] == Route.NONE).all()
    assert set(led["from_dwelling"]) == set(gone) and (led["to_dwelling"] == -1).all()
    assert (led["from_buurt"] == state.areas.buurt.index(BU_A)).all()


def test_demolition_switches_and_share_of_a_buurt() -> None:
    state = demolition_state()
    e = ev(
        kind="demolition",
        year=1,
        area_level="buurt",
        area_code=BU_A,
        share=0.5,
        urgency=False,
        right_to_return=False,
    )
    report, _ = run(state, [e])
    # 6 eligible dwellings in BU_A (any owner), half of them
    assert report.demolished == 3 == report.events[0].requested
    seekers = np.flatnonzero(state.h_seek_cause == Cause.FORCED)
    assert len(seekers) == 3
    assert not state.h_urgent[seekers].any()
    assert (state.h_return_complex[seekers] == -1).all()
    # the dwelling of the other buurt is untouched
    assert state.d_status[state.d_key.tolist().index("X1")] == BEWOOND


def test_selection_independent_of_array_order() -> None:
    rows = [
        dwelling(f"D{i:02d}", BU_A if i % 3 else BU_B, status="leeg" if i % 4 == 0 else "bewoond")
        for i in range(40)
    ]
    base = make_state(rows)
    events = [
        ev(kind="demolition", year=1, area_level="wijk", area_code=WK_1, share=0.3),
        ev(
            "events[1]",
            kind="sale",
            year=1,
            area_level="wijk",
            area_code=WK_1,
            sale_mode="sitting_tenant",
            dwellings=5,
        ),
    ]
    results = []
    for s in (
        base.copy(),
        permuted(base, 1, dwellings_first=True),
        permuted(base, 2, dwellings_first=True),
    ):
        run(s, events)
        gone = keys_of(s, np.flatnonzero(s.d_status == GESLOOPT))
        sold = keys_of(s, np.flatnonzero(s.d_owner == EIGENAAR))
        seek = {str(k) for k in s.h_key[s.h_seek_cause >= 0]}
        results.append((gone, sold, seek))
    assert len(results[0][0]) == 12 and len(results[0][1]) == 5
    assert results[0] == results[1] == results[2]


# ---------------------------------------------------------------------------
# new dwellings


def test_new_construction_completes_in_completion_year_only() -> None:
    state = make_state([dwelling("A1"), dwelling("B1", BU_B)])
    e = ev(
        kind="new_construction",
        year=1,
        area_level="buurt",
        area_code=BU_B,
        dwellings=10,
        completion_year=3,
        mix=[
            {"owner": "corporatie", "segment": "sociale_huur", "share": 0.6},
            {
                "owner": "eigenaar_bewoner",
                "segment": "koop_duur",
                "share": 0.4,
                "woz_value": 500_000,
            },
        ],
    )
    r1, _ = run(state, [e], year=1, start_year=2024)
    new = np.arange(2, 12)
    assert state.n_dwellings == 12 and r1.started == 10 and r1.completed == 0
    assert (state.d_status[new] == IN_AANBOUW).all()
    assert (state.d_buurt[new] == state.areas.buurt.index(BU_B)).all()
    assert int((state.d_segment[new] == SOCIALE_HUUR).sum()) == 6
    assert int((state.d_segment[new] == KOOP_DUUR).sum()) == 4
    soc = new[state.d_segment[new] == SOCIALE_HUUR]
    koop = new[state.d_segment[new] == KOOP_DUUR]
    assert (state.d_rent[soc] == 600.0).all() and np.isnan(state.d_woz[soc]).all()
    assert (state.d_woz[koop] == 500_000).all() and np.isnan(state.d_rent[koop]).all()
    assert (state.d_owner[koop] == EIGENAAR).all()
    assert (state.d_build_year[new] == 2026).all()  # completion year 3 of a run from 2024
    r2, _ = run(state, [e], year=2)
    assert r2.completed == 0 and (state.d_status[new] == IN_AANBOUW).all()
    r3, _ = run(state, [e], year=3)
    assert r3.completed == 10 and (state.d_status[new] == LEEG).all()
    assert (state.d_occupant[new] == -1).all()
    r4, _ = run(state, [e], year=4)
    assert r4.completed == 0 and r4.started == 0


def test_new_construction_in_a_wijk_is_spread_over_its_buurten() -> None:
    state = make_state([dwelling("A1"), dwelling("B1", BU_B), dwelling("C1", BU_C)])
    e = ev(
        kind="new_construction",
        year=1,
        area_level="wijk",
        area_code=WK_1,
        dwellings=5,
        owner="particuliere_verhuurder",
        segment="middenhuur",
    )
    r, _ = run(state, [e])
    new = np.arange(3, 8)
    # completion in the same year: vacant at once; 3 in the first buurt (code order), 2 in the next
    assert r.started == 5 and r.completed == 5 and (state.d_status[new] == LEEG).all()
    b = state.d_buurt[new]
    assert int((b == state.areas.buurt.index(BU_A)).sum()) == 3
    assert int((b == state.areas.buurt.index(BU_B)).sum()) == 2
    assert (state.d_rent[new] == 1000.0).all() and (state.d_segment[new] == MIDDENHUUR).all()


def test_densification_share_and_transformation_counts() -> None:
    state = make_state([dwelling(f"A{i}", complex_code="C1") for i in range(4)])
    dens = ev(
        kind="densification",
        year=1,
        area_level="complex",
        area_code="C1",
        share=0.5,
        owner="corporatie",
        segment="sociale_huur",
        completion_year=2,
    )
    trans = ev(
        "events[1]",
        kind="transformation",
        year=1,
        area_level="buurt",
        area_code=BU_A,
        dwellings=3,
        owner="particuliere_verhuurder",
        segment="vrije_huur",
        completion_year=2,
    )
    r1, _ = run(state, [dens, trans])
    assert r1.started == 2 + 3 and state.n_dwellings == 9
    c1 = state.areas.complex.index("C1")
    assert int((state.d_complex[4:] == c1).sum()) == 2  # densification belongs to the complex
    r2, _ = run(state, [dens, trans], year=2)
    assert r2.completed == 2 and r2.transformed == 3
    assert (state.d_status[4:] == LEEG).all()


# ---------------------------------------------------------------------------
# sale, purchase, liberalisation


def test_sale_on_vacancy_only_affects_vacant_dwellings() -> None:
    rows = [dwelling(f"O{i}") for i in range(3)]
    rows += [
        dwelling("V0", status="leeg", woz=200_000.0),
        dwelling("V1", status="leeg", woz=600_000.0),
        dwelling("V2", status="leeg", woz=None),
    ]
    state = make_state(rows)
    before = state.copy()
    e = ev(kind="sale", year=1, area_level="buurt", area_code=BU_A, share=1.0)
    r, _ = run(state, [e])
    assert r.sold == 3
    sold = np.flatnonzero(state.d_owner == EIGENAAR)
    assert keys_of(state, sold) == {"V0", "V1", "V2"}
    seg = dict(zip(state.d_key[sold], state.d_segment[sold], strict=True))
    # limit 435 000 (NHG 2024); a missing WOZ takes the default 350 000
    assert seg == {"V0": KOOP_BETAALBAAR, "V1": KOOP_DUUR, "V2": KOOP_BETAALBAAR}
    assert np.isnan(state.d_rent[sold]).all()
    assert state.d_woz[state.d_key.tolist().index("V2")] == 350_000.0
    occ = np.flatnonzero(before.d_status == BEWOOND)
    assert (state.d_owner[occ] == CORPORATIE).all() and (state.d_rent[occ] == 600).all()
    assert (state.d_occupant == before.d_occupant).all()


def test_sale_to_sitting_tenant_keeps_the_occupant() -> None:
    rows = [dwelling(f"O{i}") for i in range(3)] + [dwelling("V0", status="leeg")]
    state = make_state(rows)
    before = state.copy()
    r, _ = run(
        state,
        [ev(kind="sale", year=1, area_level="complex", area_code="C1", sale_mode="sitting_tenant")],
    )
    assert r.sold == 3 and r.events[0].households == 3
    occ = np.flatnonzero(before.d_occupant >= 0)
    assert (state.d_owner[occ] == EIGENAAR).all()
    assert state.d_owner[state.d_key.tolist().index("V0")] == CORPORATIE
    assert (state.d_occupant == before.d_occupant).all()


def test_purchase_of_private_dwellings() -> None:
    rows = [
        dwelling(
            "PV", owner="particuliere_verhuurder", segment="vrije_huur", rent=1400, status="leeg"
        ),
        dwelling("PR", owner="particuliere_verhuurder", segment="sociale_huur", rent=550),
        dwelling("EV", owner="eigenaar_bewoner", segment="koop_duur", rent=None, status="leeg"),
        dwelling("EO", owner="eigenaar_bewoner", segment="koop_duur", rent=None),
        dwelling("KV", status="leeg"),
    ]
    state = make_state(rows)
    r, _ = run(state, [ev(kind="purchase", year=1, area_level="buurt", area_code=BU_A, rent=650)])
    k = state.d_key.tolist()
    bought = {x for x in ("PV", "PR", "EV") if state.d_owner[k.index(x)] == CORPORATIE}
    assert bought == {"PV", "PR", "EV"} and r.purchased == 3
    assert state.d_owner[k.index("EO")] == EIGENAAR  # an owner-occupier in his home is not bought
    assert state.d_rent[k.index("PV")] == 650 and state.d_rent[k.index("EV")] == 650
    assert state.d_rent[k.index("PR")] == 550  # sitting tenant keeps the lower rent
    assert (state.d_segment[[k.index(x) for x in bought]] == SOCIALE_HUUR).all()


def test_liberalisation_changes_segment_only_on_vacancy() -> None:
    rows = [dwelling(f"O{i}") for i in range(2)] + [
        dwelling(f"V{i}", status="leeg") for i in range(2)
    ]
    rows.append(dwelling("PV", owner="particuliere_verhuurder", status="leeg"))
    state = make_state(rows)
    e = ev(
        kind="liberalisation",
        year=1,
        area_level="buurt",
        area_code=BU_A,
        to_segment="vrije_huur",
        rent=1300,
    )
    r, _ = run(state, [e])
    k = state.d_key.tolist()
    assert r.liberalised == 2
    for x in ("V0", "V1"):
        assert state.d_segment[k.index(x)] == VRIJE_HUUR and state.d_rent[k.index(x)] == 1300
    for x in ("O0", "O1", "PV"):  # occupied, or not a corporation dwelling (default filter)
        assert state.d_segment[k.index(x)] == SOCIALE_HUUR and state.d_rent[k.index(x)] == 600


# ---------------------------------------------------------------------------
# renovation


def test_renovation_moves_tenants_temporarily_and_back() -> None:
    rows = [dwelling(f"R{i}", complex_code="C1") for i in range(3)]
    rows.append(dwelling("T1", BU_B, complex_code="C2", status="leeg"))  # wisselwoning, same wijk
    rows.append(dwelling("T2", BU_C, complex_code="C3", status="leeg"))  # other wijk, same gemeente
    rows.append(
        dwelling("Q1", BU_B, owner="particuliere_verhuurder", complex_code="C2", status="leeg")
    )  # not a corporation dwelling
    state = make_state(rows)
    ren = np.array([state.d_key.tolist().index(f"R{i}") for i in range(3)])
    hh = state.d_occupant[ren].copy()
    e = ev(kind="renovation", year=1, area_level="complex", area_code="C1", completion_year=2)
    r1, l1 = run(state, [e])
    assert r1.renovated == 3 and r1.temporary_movers == 2 and r1.away == 1
    assert (state.d_status[ren] == IN_AANBOUW).all()
    assert np.allclose(state.d_rent[ren], 630.0)  # +5 %
    k = state.d_key.tolist()
    assert state.d_occupant[k.index("T1")] >= 0 and state.d_occupant[k.index("T2")] >= 0
    assert state.d_occupant[k.index("Q1")] == -1
    away = households_away(state)
    assert len(away) == 1 and away[0] in hh
    assert (state.h_seek_cause[hh] == -1).all()
    led = l1.arrays()
    assert sorted(led["route"].tolist()) == [Route.NONE, Route.TEMPORARY, Route.TEMPORARY]
    assert (led["cause"] == Cause.TEMPORARY).all()
    r2, l2 = run(state, [e], year=2)
    assert r2.returned == 3 and r2.renovations_completed == 3
    assert (state.d_occupant[ren] == hh).all()
    assert state.d_occupant[k.index("T1")] == -1 and state.d_status[k.index("T1")] == LEEG
    assert len(households_away(state)) == 0
    led2 = l2.arrays()
    assert (led2["cause"] == Cause.RETURN).all() and (led2["route"] == Route.RETURN).all()
    assert set(led2["to_dwelling"]) == set(ren.tolist())


def test_renovation_in_the_same_year_only_raises_the_rent() -> None:
    state = make_state([dwelling(f"R{i}") for i in range(2)])
    before = state.copy()
    r, ledger = run(
        state, [ev(kind="renovation", year=1, area_level="complex", area_code="C1", rent=700)]
    )
    assert r.renovated == 2 and len(ledger) == 0
    assert (state.d_rent == 700).all() and (state.d_occupant == before.d_occupant).all()


# ---------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"kind": "sale", "share": 1.5}, r"events\[3\]\.share"),
        ({"kind": "sloop"}, r"events\[3\]\.kind"),
        ({"kind": "demolition", "owner": "gemeente"}, r"events\[3\]\.owner"),
        ({"kind": "demolition", "segment": ["sociale_huur", "x"]}, r"events\[3\]\.segment\[1\]"),
        ({"kind": "demolition", "rent": 500}, r"events\[3\]\.rent"),
        ({"kind": "demolition", "colour": "red"}, r"events\[3\]\.colour"),
        ({"kind": "demolition", "year": 0}, r"events\[3\]\.year"),
        ({"kind": "demolition", "dwellings": 3, "share": 0.5}, r"events\[3\]\.share"),
        ({"kind": "demolition", "area_code": "BU0518010"}, r"events\[3\]\.area_code"),
        ({"kind": "demolition", "area_level": "wijk"}, r"events\[3\]\.area_code"),
        ({"kind": "demolition", "area_level": "regio"}, r"events\[3\]\.area_level"),
        (
            {
                "kind": "new_construction",
                "dwellings": 5,
                "year": 4,
                "completion_year": 3,
                "owner": "corporatie",
                "segment": "sociale_huur",
            },
            r"events\[3\]\.completion_year",
        ),
        ({"kind": "new_construction", "dwellings": 5}, r"events\[3\]\.mix"),
        (
            {"kind": "new_construction", "owner": "corporatie", "segment": "sociale_huur"},
            r"events\[3\]\.dwellings",
        ),
        (
            {
                "kind": "new_construction",
                "dwellings": 5,
                "mix": [
                    {"owner": "corporatie", "segment": "sociale_huur", "share": 0.5},
                    {"owner": "corporatie", "segment": "middenhuur", "share": 0.4},
                ],
            },
            r"events\[3\]\.mix",
        ),
        (
            {
                "kind": "new_construction",
                "dwellings": 5,
                "mix": [
                    {"owner": "corporatie", "segment": "sociale_huur", "share": 0.5},
                    {"owner": "eigenaar_bewoner", "segment": "middenhuur", "share": 0.5},
                ],
            },
            r"events\[3\]\.mix\[1\]\.segment",
        ),
        (
            {
                "kind": "new_construction",
                "dwellings": 5,
                "mix": [{"owner": "eigenaar_bewoner", "segment": "koop_duur", "rent": 900}],
            },
            r"events\[3\]\.mix\[0\]\.rent",
        ),
        ({"kind": "sale", "sale_mode": "auction"}, r"events\[3\]\.sale_mode"),
        ({"kind": "sale", "completion_year": 3}, r"events\[3\]\.completion_year"),
        ({"kind": "liberalisation", "to_segment": "koop_duur"}, r"events\[3\]\.to_segment"),
        ({"kind": "demolition", "urgency": "yes"}, r"events\[3\]\.urgency"),
    ],
)
def test_from_dict_errors_name_the_field(table: dict[str, Any], field: str) -> None:
    d: dict[str, Any] = {"year": 1, "area_level": "buurt", "area_code": BU_A}
    d.update(table)
    with pytest.raises(InputError, match=field):
        PlanEvent.from_dict(d, field="events[3]")


def test_from_dict_reads_a_valid_table() -> None:
    e = PlanEvent.from_dict(
        {
            "kind": "demolition",
            "year": 2,
            "area_level": "wijk",
            "area_code": " wk051801 ",
            "owner": ["corporatie"],
            "share": 1,
        },
        field="events[0]",
    )
    assert e.area_code == WK_1 and e.owner == ("corporatie",) and e.share == 1
    assert e.completion_year == 2 and e.urgency and e.right_to_return


def test_unknown_area_names_the_event_field_and_changes_nothing() -> None:
    state = make_state([dwelling("A1")])
    before = state.copy()
    events = [
        ev(kind="demolition", year=1, area_level="buurt", area_code=BU_A),
        ev("events[5]", kind="sale", year=1, area_level="buurt", area_code="BU09990101"),
    ]
    with pytest.raises(InputError, match=r"events\[5\]\.area_code"):
        run(state, events)
    assert (state.d_status == before.d_status).all()


def test_event_params_from_dict() -> None:
    p = EventParams.from_dict(
        {"renovation_rent_increase": 0.1, "default_woz": {"koop_duur": 700_000}},
        field="params.events",
    )
    assert p.renovation_rent_increase == 0.1 and p.default_woz["koop_duur"] == 700_000
    assert p.default_woz["koop_betaalbaar"] == 350_000
    assert "params.events.renovation_rent_increase" in p.sources["renovation_rent_increase"]
    assert p.sources["default_rooms"]  # every value keeps a source
    assert set(p.sources) >= {"default_rent", "affordable_purchase_limit", "temporary_housing"}
    for bad, field in (
        ({"renovation_rent_increase": 2}, r"params\.events\.renovation_rent_increase"),
        ({"speed": 1}, r"params\.events\.speed"),
        ({"default_rent": {"sociale_huur": -5}}, r"params\.events\.default_rent\.sociale_huur"),
        ({"temporary_housing": 1}, r"params\.events\.temporary_housing"),
    ):
        with pytest.raises(InputError, match=field):
            EventParams.from_dict(bad, field="params.events")


def test_params_read_from_a_composite_and_without_temporary_housing() -> None:
    rows = [dwelling("R0"), dwelling("T1", BU_B, complex_code="C2", status="leeg")]
    state = make_state(rows)
    sim = SimpleNamespace(events=EventParams(temporary_housing=False), start_year=2030)
    e = ev(kind="renovation", year=1, area_level="complex", area_code="C1", completion_year=3)
    r, _ = run(state, [e], params=sim)
    assert r.away == 1 and r.temporary_movers == 0
    assert state.d_occupant[1] == -1  # the vacancy was not used
    assert SEGMENTS[state.d_segment[0]] == "sociale_huur"
    # events of other years are ignored
    r_other, _ = run(state, [e], year=2, params=sim)
    assert r_other.renovated == 0 and r_other.returned == 0
    assert r_other.to_frame().empty
    r3, _ = run(state, [e], year=3, params=sim)
    assert r3.returned == 1 and state.d_occupant[0] >= 0
    assert state.d_owner[0] == CORPORATIE and state.d_owner[1] == CORPORATIE
    assert PARTICULIER not in state.d_owner
