"""Outcome recording of the microsimulation, checked on a hand-built run.

The scenario (all numbers by hand). Buurten A = BU00010101 and B = BU00010102
(wijk WK000101, gemeente GM0001) and C = BU00020101 (gemeente GM0002).
Complex A1 = d1-d4 in A (corporation, social rent), complex B1 = d7, d8, d11
in B. Thresholds: laag < 30 000, hoog >= 60 000.

Year 1: d1-d4 are demolished (h1-h4 forced out); h9 leaves the region; h6
dissolves; h1 gets d11 (B), h3 gets d15 (C); h5 moves voluntarily to d9 (B);
starter h14 takes d6 and newcomer from outside h15 takes d5 (both A).
Year 2: h2 (still seeking) leaves the region; new dwellings d16, d17 (A, complex
A1) and d18 (A); h4 returns into d16; h11 (C) moves to d17; h10 (B) moves to
d18; some incomes change.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from sim_helpers import add_unhoused
from wijkmix.errors import InputError
from wijkmix.sim.outcomes import (
    NOTE_NOT_SIMULATED,
    OutcomeRecorder,
    Outcomes,
    OutcomeSettings,
    classify_income,
    waterbed,
)
from wijkmix.sim.state import (
    CORPORATIE,
    GESLOOPT,
    LEEG,
    MIDDENHUUR,
    PARTICULIER,
    SOCIALE_HUUR,
    Cause,
    HouseholdState,
    Ledger,
    Route,
    State,
)

A, B, C = "BU00010101", "BU00010102", "BU00020101"
W = "WK000101"


def _registers() -> tuple[pd.DataFrame, pd.DataFrame]:
    d = pd.DataFrame(
        {
            "dwelling_id": [f"d{i:02d}" for i in range(1, 16)],
            "buurt_code": [A] * 6 + [B] * 5 + [C] * 4,
            "complex_code": ["A1"] * 4 + [None] * 2 + ["B1", "B1", None, None, "B1"] + [None] * 4,
            "owner": ["corporatie"] * 4
            + ["eigenaar_bewoner"] * 2
            + ["corporatie"] * 2
            + ["particuliere_verhuurder"] * 2
            + ["corporatie"]
            + ["eigenaar_bewoner"] * 3
            + ["particuliere_verhuurder"],
            "segment": ["sociale_huur"] * 4
            + ["koop_duur"] * 2
            + ["sociale_huur"] * 2
            + ["vrije_huur", "middenhuur", "sociale_huur"]
            + ["koop_betaalbaar"] * 3
            + ["vrije_huur"],
            "status": ["bewoond"] * 10 + ["leeg"] + ["bewoond"] * 3 + ["leeg"],
        }
    )
    dwelling = [f"d{i:02d}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14)]
    h = pd.DataFrame(
        {
            "household_id": [f"h{i:02d}" for i in range(1, 14)],
            "dwelling_id": dwelling,
            "type": ["paar"] * 13,
            "income": [
                20000.0,
                25000.0,
                30000.0,
                60000.0,
                80000.0,
                45000.0,
                15000.0,
                35000.0,
                70000.0,
                40000.0,
                50000.0,
                65000.0,
                28000.0,
            ],
            "income_source": [
                *("uitkering", "uitkering", "werk", "werk", "werk", "pensioen"),
                *("uitkering", "werk", "werk", "werk", "werk", "werk", "pensioen"),
            ],
            "vulnerable_care": [True, False, False, False, False, True, True] + [False] * 6,
        }
    )
    return d, h


def _move(state: State, ledger: Ledger, year: int, h: int, frm: int, to: int, cause, route):
    def buurt(d: int) -> int:
        return int(state.d_buurt[d]) if d >= 0 else -1

    ledger.append(
        replicate=0,
        year=year,
        household=np.array([h]),
        household_id=np.array([state.h_id[h]]),
        from_dwelling=frm,
        to_dwelling=to,
        from_buurt=buurt(frm),
        to_buurt=buurt(to),
        cause=int(cause),
        route=int(route),
    )


def _add_household(state: State, income: float, source: int) -> int:
    idx = add_unhoused(state, 1, h_age=25, h_income=income, h_source=source)
    return int(idx[0])


@dataclasses.dataclass(frozen=True)
class _AllocationReport:
    placed_by_group: dict[str, int]
    unplaced_by_group: dict[str, int]
    mean_wait_by_group: dict[str, float]


def _run(plan_areas=(("complex", "A1"), ("buurt", A), ("wijk", W))):
    d, h = _registers()
    state = State.from_registers(d, h)
    ledger = Ledger()
    settings = OutcomeSettings(income_low=30000, income_high=60000, plan_areas=list(plan_areas))
    rec = OutcomeRecorder(settings, state.areas)
    rec.start(state)
    a = state.areas
    a_idx = a.index("buurt", A)
    # --- year 1
    for k in range(4):  # demolition of d1-d4
        _move(state, ledger, 1, k, k, -1, Cause.FORCED, Route.NONE)
    state.vacate(np.arange(4))
    state.d_status[:4] = GESLOOPT
    state.h_seek_cause[:4] = Cause.FORCED
    _move(state, ledger, 1, 8, 8, -1, Cause.OUTFLOW, Route.NONE)  # h9 leaves the region
    state.vacate(np.array([8]))
    state.h_state[8] = HouseholdState.LEFT
    _move(state, ledger, 1, 5, 5, -1, Cause.DISSOLUTION, Route.NONE)  # h6 ends
    state.vacate(np.array([5]))
    state.h_state[5] = HouseholdState.DISSOLVED
    _move(state, ledger, 1, 0, -1, 10, Cause.FORCED, Route.URGENCY)  # h1 -> d11 (B)
    state.occupy(np.array([0]), np.array([10]))
    _move(state, ledger, 1, 2, -1, 14, Cause.FORCED, Route.MARKET)  # h3 -> d15 (C)
    state.occupy(np.array([2]), np.array([14]))
    _move(state, ledger, 1, 4, 4, 8, Cause.VOLUNTARY, Route.MARKET)  # h5 -> d9 (B)
    state.vacate(np.array([4]))
    state.occupy(np.array([4]), np.array([8]))
    h14 = _add_household(state, 22000.0, 3)  # starter, studie
    _move(state, ledger, 1, h14, -1, 5, Cause.STARTER, Route.MARKET)
    state.occupy(np.array([h14]), np.array([5]))
    h15 = _add_household(state, 90000.0, 0)  # from outside, werk
    _move(state, ledger, 1, h15, -1, 4, Cause.INFLOW, Route.MARKET)
    state.occupy(np.array([h15]), np.array([4]))
    state.check()
    report = _AllocationReport({"urgent": 1, "regulier": 0}, {"urgent": 3, "regulier": 5}, {})
    rec.record_year(state, 1, {"allocation": report})
    # --- year 2
    _move(state, ledger, 2, 1, -1, -1, Cause.OUTFLOW, Route.NONE)  # h2 gives up
    state.h_state[1] = HouseholdState.LEFT
    state.h_seek_cause[1] = -1
    n = 3
    new = state.add_dwellings(
        d_buurt=np.full(n, a_idx),
        d_complex=np.array([a.index("complex", "A1")] * 2 + [-1]),
        d_portiek=np.full(n, -1),
        d_straat=np.full(n, -1),
        d_owner=np.array([CORPORATIE, CORPORATIE, PARTICULIER]),
        d_segment=np.array([SOCIALE_HUUR, SOCIALE_HUUR, MIDDENHUUR]),
        d_status=np.full(n, LEEG),
        d_rent=np.full(n, 700.0),
        d_woz=np.full(n, np.nan),
        d_rooms=np.full(n, 3),
        d_floor_area=np.full(n, 70.0),
        d_build_year=np.full(n, 2026),
    )
    d16, d17, d18 = (int(x) for x in new)
    _move(state, ledger, 2, 3, -1, d16, Cause.RETURN, Route.RETURN)  # h4 returns
    state.occupy(np.array([3]), np.array([d16]))
    _move(state, ledger, 2, 10, 11, d17, Cause.VOLUNTARY, Route.LOTTERY)  # h11 C -> A1
    state.vacate(np.array([10]))
    state.occupy(np.array([10]), np.array([d17]))
    _move(state, ledger, 2, 9, 9, d18, Cause.VOLUNTARY, Route.MARKET)  # h10 B -> A
    state.vacate(np.array([9]))
    state.occupy(np.array([9]), np.array([d18]))
    state.h_income[[6, 7, 3, 0]] = [32000.0, 36000.0, 62000.0, 21000.0]
    state.check()
    rec.record_year(state, 2, {})
    return rec.finish(state, ledger), state


@pytest.fixture(scope="module")
def run():
    return _run()


def _groups(out: Outcomes, level: str, code: str) -> dict[tuple[str, str], int]:
    g = out.groups[(out.groups["plan_level"] == level) & (out.groups["plan_code"] == code)]
    return {(r.group, r.kind): int(r.households) for r in g.itertuples()}


def test_classify_income_boundaries():
    got = classify_income(np.array([29999.0, 30000.0, 59999.0, 60000.0]), 30000, 60000)
    assert got.tolist() == [0, 1, 1, 2]


def test_three_groups_of_the_complex(run):
    out, _ = run
    g = _groups(out, "complex", "A1")
    # t0: h1-h4; T: h4 (returned, d16) and h11 (d17)
    assert g["blijvers", "totaal"] == 1
    assert g["vertrekkers", "totaal"] == 3
    assert g["vertrekkers", "gedwongen"] == 3  # h1, h2 (then left the region), h3
    assert g["vertrekkers", "uit_regio"] == 0 and g["vertrekkers", "vrijwillig"] == 0
    assert g["nieuwkomers", "totaal"] == 1
    assert g["nieuwkomers", "andere_gemeente_regio"] == 1  # h11 came from C (GM0002)
    assert g["gedwongen_verhuisd", "totaal"] == 4
    assert g["gedwongen_verhuisd", "teruggekeerd"] == 1  # h4
    assert g["gedwongen_verhuisd", "niet_teruggekeerd"] == 3


def test_three_groups_of_the_buurt(run):
    out, _ = run
    g = _groups(out, "buurt", A)
    # t0 h1-h6; T: h4, h10, h11, h14, h15
    assert g["blijvers", "totaal"] == 1
    assert g["vertrekkers", "totaal"] == 5
    assert g["vertrekkers", "gedwongen"] == 3
    assert g["vertrekkers", "vrijwillig"] == 1  # h5 -> B
    assert g["vertrekkers", "opgeheven"] == 1  # h6
    assert g["vertrekkers", "uit_regio"] == 0
    assert g["nieuwkomers", "totaal"] == 4
    assert g["nieuwkomers", "andere_buurt_gemeente"] == 1  # h10 from B
    assert g["nieuwkomers", "andere_gemeente_regio"] == 1  # h11 from C
    assert g["nieuwkomers", "buiten_regio"] == 1  # h15
    assert g["nieuwkomers", "nieuw_huishouden"] == 1  # h14
    assert g["nieuwkomers", "zelfde_buurt"] == 0
    assert g["gedwongen_verhuisd", "teruggekeerd"] == 1


def test_three_groups_of_the_wijk(run):
    out, _ = run
    g = _groups(out, "wijk", W)
    # t0 h1-h10; stayers h1, h4, h5, h7, h8, h10 (moves inside the wijk)
    assert g["blijvers", "totaal"] == 6
    assert g["vertrekkers", "totaal"] == 4
    assert g["vertrekkers", "gedwongen"] == 2  # h2, h3
    assert g["vertrekkers", "opgeheven"] == 1  # h6
    assert g["vertrekkers", "uit_regio"] == 1  # h9
    assert g["nieuwkomers", "totaal"] == 3
    assert g["nieuwkomers", "buiten_regio"] == 1
    assert g["nieuwkomers", "nieuw_huishouden"] == 1
    assert g["nieuwkomers", "andere_gemeente_regio"] == 1
    assert g["gedwongen_verhuisd", "totaal"] == 4


def test_forced_leavers_destinations_and_comparison(run):
    out, _ = run
    d = out.destinations
    d = d[(d["plan_level"] == "complex") & (d["kind"] == "gedwongen")]
    assert dict(zip(d["destination"], d["households"], strict=True)) == {
        B: 1,
        C: 1,
        "buiten de regio": 1,
    }
    # buurten at T: A: incomes 90, 22, 62, 50, 40 (k euro), nobody vulnerable -> 52 800, 0
    # B: 32, 36, 80, 21 with h7 and h1 vulnerable -> 42 250, 0.5; C: 65, 28, 30 -> 41 000, 0
    row_b = d[d["destination"] == B].iloc[0]
    assert row_b["mean_income_old"] == pytest.approx(52800.0)
    assert row_b["mean_income_new"] == pytest.approx(42250.0)
    assert row_b["diff_mean_income"] == pytest.approx(-10550.0)
    assert row_b["diff_vulnerable_share"] == pytest.approx(0.5)
    row_c = d[d["destination"] == C].iloc[0]
    assert row_c["diff_mean_income"] == pytest.approx(-11800.0)
    assert row_c["diff_vulnerable_share"] == pytest.approx(0.0)
    out_row = d[d["destination"] == "buiten de regio"].iloc[0]
    assert out_row["compared"] == 0 and math.isnan(out_row["mean_income_new"])
    g = out.groups
    forced = g[
        (g["plan_level"] == "complex") & (g["group"] == "vertrekkers") & (g["kind"] == "gedwongen")
    ].iloc[0]
    assert forced["compared"] == 2
    assert forced["mean_income_new"] == pytest.approx((42250.0 + 41000.0) / 2)
    assert forced["vulnerable_share_new"] == pytest.approx(0.25)
    vol = out.destinations
    vol = vol[(vol["plan_level"] == "buurt") & (vol["kind"] == "vrijwillig")]
    assert list(vol["destination"]) == [B] and list(vol["households"]) == [1]


def test_change_decomposition_by_hand(run):
    out, _ = run
    ch = out.change[(out.change["plan_level"] == "buurt") & (out.change["plan_code"] == A)]
    inc = ch[ch["indicator"] == "gemiddeld_inkomen"].iloc[0]
    # S = {h4}: 60 000 -> 62 000; L = {h1, h2, h3, h5, h6}: mean 40 000;
    # N = {h15, h14, h11, h10}: mean 50 500; w0 = 1/6, wT = 1/5
    x0, xT = 260000.0 / 6, 52800.0
    assert inc["stayers"] == pytest.approx(0.2 * 2000.0, abs=1e-9)
    assert inc["replacement"] == pytest.approx(0.8 * 10500.0, abs=1e-9)
    assert inc["shift"] == pytest.approx((0.2 - 1 / 6) * 20000.0, abs=1e-9)
    total = inc["stayers"] + inc["replacement"] + inc["shift"]
    assert abs(total - (xT - x0)) < 1e-9 * xT
    assert abs(total - inc["delta"]) <= 1e-12 * abs(xT)
    low = ch[ch["indicator"] == "aandeel_laag_inkomen"].iloc[0]
    # laag at t0: h1, h2 (2 of 6); at T: h14 (1 of 5). S0 = ST = 0, L0 = 40, NT = 25
    assert low["stayers"] == 0.0
    assert low["replacement"] == pytest.approx(0.8 * (25.0 - 40.0), abs=1e-12)
    assert low["shift"] == pytest.approx((0.2 - 1 / 6) * (0.0 - 40.0), abs=1e-12)
    assert abs(low["stayers"] + low["replacement"] + low["shift"] - (20.0 - 100.0 / 3)) < 1e-12
    assert (low["n_stayers"], low["n_leavers"], low["n_newcomers"]) == (1, 5, 4)
    # every row adds up exactly
    gap = (out.change["stayers"] + out.change["replacement"] + out.change["shift"]) - out.change[
        "delta"
    ]
    assert gap.abs().max() < 1e-9


def test_composition_per_buurt_by_hand(run):
    out, _ = run
    c = out.composition
    c = c[(c["year"] == 2) & (c["level"] == "buurt")]

    def cells(code: str) -> dict[tuple[str, str], int]:
        x = c[c["code"] == code]
        return {(str(r.variable), str(r.category)): int(r.households) for r in x.itertuples()}

    a = cells(A)
    assert a == {
        ("households", "totaal"): 5,
        ("owner", "corporatie"): 2,
        ("owner", "particuliere_verhuurder"): 1,
        ("owner", "eigenaar_bewoner"): 2,
        ("segment", "sociale_huur"): 2,
        ("segment", "middenhuur"): 1,
        ("segment", "koop_duur"): 2,
        ("income_class", "laag"): 1,
        ("income_class", "midden"): 2,
        ("income_class", "hoog"): 2,
        ("income_source", "werk"): 4,
        ("income_source", "studie"): 1,
        ("vulnerable", "nee"): 5,
    }
    b = cells(B)
    assert b[("households", "totaal")] == 4
    assert b[("owner", "corporatie")] == 3
    assert b[("income_class", "laag")] == 1 and b[("income_class", "midden")] == 2
    assert b[("vulnerable", "ja")] == 2
    share = c[(c["code"] == B) & (c["category"] == "ja")]["share"].iloc[0]
    assert share == pytest.approx(0.5)
    # year 0: A holds h1-h6
    c0 = out.composition
    tot0 = c0[(c0["year"] == 0) & (c0["level"] == "buurt") & (c0["variable"] == "households")]
    assert dict(zip(tot0["code"].astype(str), tot0["households"], strict=True)) == {
        A: 6,
        B: 4,
        C: 3,
    }


def test_social_rent_by_hand(run):
    out, _ = run
    s = out.social_rent
    end = s[s["year"] == 2].set_index("gemeente")
    # GM0001: existing d5-d11 and d16-d18 (d1-d4 demolished) = 10; social: d7, d8, d11, d16, d17
    assert end.loc["GM0001", "dwellings"] == 10
    assert end.loc["GM0001", "social_rent"] == 5
    assert end.loc["GM0001", "share"] == pytest.approx(0.5)
    assert end.loc["GM0001", "gap"] == pytest.approx(0.2)
    assert bool(end.loc["GM0001", "meets_target"])
    assert end.loc["GM0002", "share"] == 0.0 and not bool(end.loc["GM0002", "meets_target"])
    start = s[s["year"] == 0].set_index("gemeente")
    assert start.loc["GM0001", "share"] == pytest.approx(7 / 11)


def test_segregation_by_hand(run):
    out, _ = run
    seg = out.segregation
    b0 = seg[(seg["year"] == 0) & (seg["level"] == "buurt")].iloc[0]
    # laag per buurt: A 2 of 6, B 1 of 4, C 1 of 3; X = 4, Y = 9
    # D = 1/2 (|2/4 - 4/9| + |1/4 - 3/9| + |1/4 - 2/9|) = 1/12
    assert b0["D_laag"] == pytest.approx(1 / 12, abs=1e-12)
    t = np.array([[2, 2, 2], [1, 2, 1], [1, 1, 1]], dtype=float)
    p = t / t.sum()
    pu = p.sum(axis=1, keepdims=True)
    pg = p.sum(axis=0, keepdims=True)
    m = float(np.sum(p * np.log(p / (pu * pg))))
    e = float(-np.sum(pg * np.log(pg)))
    assert b0["M"] == pytest.approx(m, abs=1e-12)
    assert b0["H"] == pytest.approx(m / e, abs=1e-12)
    # the hierarchical components of one year add up to M at the finest level
    y0 = seg[(seg["year"] == 0) & seg["component_m"].notna()]
    assert set(y0["level"]) == {"complex", "buurt", "wijk", "gemeente"}
    assert y0["component_share"].sum() == pytest.approx(1.0, abs=1e-12)
    g0 = seg[(seg["year"] == 0) & (seg["level"] == "gemeente")].iloc[0]
    assert g0["component_m"] == pytest.approx(g0["M"], abs=1e-12)  # top: between gemeenten


def test_waiting_from_the_allocation_report(run):
    out, _ = run
    w = out.waiting
    w1 = w[(w["year"] == 1) & (w["channel"] == "sociale_huur")].set_index("group")
    assert w1.loc["urgent", "placed"] == 1 and w1.loc["urgent", "unplaced"] == 3
    assert w1.loc["urgent", "success_rate"] == pytest.approx(0.25)
    assert w1.loc["regulier", "success_rate"] == 0.0
    # h2 and h4 were still seeking (forced) at the end of year 1, nobody after year 2
    z = w[(w["year"] == 1) & (w["channel"] == "zoekend")].set_index("group")
    assert z.loc["gedwongen", "seekers"] == 2
    assert list(z.index) == ["gedwongen"]
    assert len(w[w["year"] == 2]) == 0


def test_waiting_reads_the_step_reports_defensively():
    d, h = _registers()
    state = State.from_registers(d, h)
    rec = OutcomeRecorder(OutcomeSettings(30000, 60000), state.areas)
    rec.start(state)

    @dataclasses.dataclass(frozen=True)
    class Allocation:  # the names of sim.allocation.AllocationReport
        placed_by_group: dict[str, int]
        unplaced_by_group: dict[str, int]
        mean_seek_years_placed: dict[str, float]
        mean_registration_placed: dict[str, float]

    @dataclasses.dataclass(frozen=True)
    class Market:  # placements by cause only, no unplaced per group
        placed_by_cause: dict[str, int]

    reports = {
        "allocation": Allocation({"all": 6}, {"all": 2}, {"all": 1.5}, {"all": 7.25}),
        "market": Market({"voluntary": 4}),
        "moves": object(),
    }
    rec.record_year(state, 1, reports)
    rec.record_year(state, 2, {"allocation": {"seekers": 3}})
    out = rec.finish(state, Ledger())
    w = out.waiting.set_index(["year", "channel", "group"])
    row = w.loc[(1, "sociale_huur", "all")]
    assert row["success_rate"] == pytest.approx(0.75)
    assert row["mean_wait"] == 1.5 and row["mean_registration"] == 7.25
    m = w.loc[(1, "markt", "voluntary")]
    assert m["placed"] == 4 and math.isnan(m["unplaced"]) and math.isnan(m["success_rate"])
    assert len(out.waiting[out.waiting["year"] == 2]) == 0
    assert any("'allocation'" in n for n in out.notes)


def test_notes_and_replicate(run):
    out, _ = run
    assert out.notes[0] == NOTE_NOT_SIMULATED
    assert any("30.000" in n and "60.000" in n for n in out.notes)
    assert out.replicate == 0
    assert out.years == (0, 1, 2)


def _comp(rows: list[tuple[int, str, str, str, int, int]]) -> pd.DataFrame:
    """Composition rows (year, code, variable, category, households, unit total)."""
    f = pd.DataFrame(
        rows, columns=["year", "code", "variable", "category", "households", "unit_households"]
    )
    f.insert(1, "level", "buurt")
    f["share"] = f["households"] / f["unit_households"]
    return f


def _replicate(r: int, x_low: int, y_low: int, z_low: int | None) -> Outcomes:
    rows = [
        (0, "X", "households", "totaal", 90, 90),
        (5, "X", "households", "totaal", 100, 100),
        (5, "X", "income_class", "laag", x_low, 100),
        (5, "Y", "households", "totaal", 50, 50),
        (5, "Y", "income_class", "laag", y_low, 50),
        (5, "Z", "households", "totaal", 20, 20),
    ]
    if z_low is not None:
        rows.append((5, "Z", "income_class", "laag", z_low, 20))
    return Outcomes(composition=_comp(rows), replicate=r)


def test_waterbed_three_replicates_by_hand():
    plan = [_replicate(r, x, 5, None) for r, x in enumerate((10, 12, 14))]
    base = [_replicate(r, 8, y, 3) for r, y in enumerate((7, 9, 5))]
    wb = waterbed(plan, base)
    assert wb.year == 5 and wb.n_replicates == 3
    f = wb.frame.set_index("code")
    # X: diffs 2, 4, 6; linear percentiles: 2 + 0.05*2 = 2.1 and 4 + 0.95*2 = 5.9
    assert f.loc["X", "mean_diff"] == pytest.approx(4.0)
    assert f.loc["X", "lo"] == pytest.approx(2.1)
    assert f.loc["X", "hi"] == pytest.approx(5.9)
    # Y: diffs -2, -4, 0 -> sorted -4, -2, 0
    assert f.loc["Y", "mean_diff"] == pytest.approx(-2.0)
    assert f.loc["Y", "lo"] == pytest.approx(-3.9)
    assert f.loc["Y", "hi"] == pytest.approx(-0.1)
    # Z: no 'laag' cell in the plan means 0 households: diff -3 every time
    assert f.loc["Z", "mean_diff"] == pytest.approx(-3.0)
    assert f.loc["Z", "lo"] == pytest.approx(-3.0) and f.loc["Z", "hi"] == pytest.approx(-3.0)
    assert list(wb.frame["code"]) == ["X", "Z", "Y"]  # by |mean_diff|
    assert (wb.frame["n_replicates"] == 3).all()
    share = waterbed(plan, base, measure="share").frame.set_index("code")
    assert share.loc["X", "mean_diff"] == pytest.approx(0.04)
    assert share.loc["Z", "mean_diff"] == pytest.approx(-0.15)
    total = waterbed(plan, base, variable="households", category="totaal").frame
    assert (total["mean_diff"] == 0.0).all()
    early = waterbed(plan, base, variable="households", category="totaal", year=0).frame
    assert list(early["code"]) == ["X"]


def test_waterbed_single_replicate_band_is_the_point():
    wb = waterbed([_replicate(0, 10, 5, 1)], [_replicate(0, 8, 5, 3)])
    f = wb.frame.set_index("code")
    assert f.loc["X", "lo"] == f.loc["X", "hi"] == f.loc["X", "mean_diff"] == 2.0
    assert "Eén replicatie" in wb.note


def test_waterbed_on_recorded_runs(run):
    out, _ = run
    wb = waterbed([out], [out], variable="vulnerable", category="ja")
    assert wb.year == 2
    assert set(wb.frame["code"]) == {A, B, C}
    assert (wb.frame["mean_diff"] == 0.0).all()
    f = wb.frame.set_index("code")
    assert f.loc[B, "plan_mean"] == 2.0 and f.loc[A, "plan_mean"] == 0.0
    assert f.loc[A, "households"] == 5.0


def test_waterbed_validation():
    p = [_replicate(0, 10, 5, 1)]
    with pytest.raises(InputError, match="replicates do not pair up"):
        waterbed(p, [])
    with pytest.raises(InputError, match="replicates do not pair up"):
        waterbed(p, [_replicate(1, 8, 5, 3)])
    with pytest.raises(InputError, match="unknown category"):
        waterbed(p, p, category="arm")
    with pytest.raises(InputError, match="year or level not recorded"):
        waterbed(p, p, level="wijk")


def test_disclosure_suppresses_a_cell_of_nine():
    comp = _comp(
        [
            (1, "P", "income_class", "laag", 9, 40),
            (1, "Q", "income_class", "laag", 10, 40),
        ]
    )
    t = Outcomes(composition=comp).disclosed("composition")
    f = t.frame.set_index("code")
    assert math.isnan(f.loc["P", "households"]) and math.isnan(f.loc["P", "share"])
    assert f.loc["Q", "households"] == 10 and f.loc["Q", "share"] == pytest.approx(0.25)
    assert f.loc["P", "unit_households"] == 40
    assert t.formatted(0).set_index("code").loc["P", "households"] == "–"
    small = waterbed([Outcomes(composition=comp)], [Outcomes(composition=comp)], year=1)
    assert small.disclosed().frame["mean_diff"].notna().all()  # units of 40 households
    with pytest.raises(InputError, match="unknown outcome table"):
        Outcomes(composition=comp).disclosed("geheim")


def test_disclosure_of_the_run_tables(run):
    out, _ = run
    g = out.disclosed("groups").frame
    # every count in the hand-built run is below 10
    assert g["households"].isna().all()
    ch = out.disclosed("change").frame
    assert ch["total"].isna().all() and ch["n_stayers"].isna().all()


def test_settings_are_checked_at_start():
    d, h = _registers()
    state = State.from_registers(d, h)
    bad = [
        (OutcomeSettings(1.0, 2.0, plan_areas=[("buurt", "BU99999999")]), "unknown plan area"),
        (OutcomeSettings(1.0, 2.0, plan_areas=[("gemeente", "GM0001")]), "plan area level"),
        (OutcomeSettings(5.0, 2.0), "income thresholds out of order"),
        (OutcomeSettings(1.0, 2.0, levels=["portiek"]), "invalid levels"),
        (OutcomeSettings(1.0, 2.0, social_rent_target=30), "field 'social_rent_target'"),
    ]
    for settings, message in bad:
        rec = OutcomeRecorder(settings, state.areas)
        with pytest.raises(InputError, match=message):
            rec.start(state)
    rec = OutcomeRecorder(OutcomeSettings(1.0, 2.0), state.areas)
    with pytest.raises(RuntimeError):
        rec.record_year(state, 1, {})


def _nbytes(obj, seen: set[int], household_arrays: list[int], n: int) -> int:
    """Bytes held by an object graph; collects the lengths of arrays of n elements."""
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        if obj.ndim >= 1 and obj.shape[0] >= n:
            household_arrays.append(obj.shape[0])
        return int(obj.nbytes)
    if isinstance(obj, pd.DataFrame):
        if len(obj) >= n:
            household_arrays.append(len(obj))
        return int(obj.memory_usage(deep=True).sum())
    if isinstance(obj, dict):
        return sum(_nbytes(v, seen, household_arrays, n) for v in obj.values())
    if isinstance(obj, list | tuple | set):
        return sum(_nbytes(v, seen, household_arrays, n) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(
            _nbytes(getattr(obj, f.name), seen, household_arrays, n)
            for f in dataclasses.fields(obj)
        )
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return sum(_nbytes(v, seen, household_arrays, n) for v in vars(obj).values())
    return 0


def test_memory_keeps_only_aggregates_per_year():
    n = 200_000
    rng = np.random.default_rng(7)
    buurt = rng.integers(0, 100, n)
    codes = np.array([f"BU0001{b // 10:02d}{b % 10:02d}" for b in range(100)], dtype=object)
    buurt_code = codes[buurt]
    complex_code = np.array([f"{c}-{k}" for c in codes for k in range(10)], dtype=object)
    cx = buurt * 10 + rng.integers(0, 10, n)
    d = pd.DataFrame(
        {
            "dwelling_id": np.arange(n).astype(str),
            "buurt_code": buurt_code,
            "complex_code": complex_code[cx],
            "owner": np.array(["corporatie", "eigenaar_bewoner"], dtype=object)[cx % 2],
            "segment": np.array(["sociale_huur", "koop_duur"], dtype=object)[cx % 2],
            "status": "bewoond",
        }
    )
    h = pd.DataFrame(
        {
            "household_id": np.arange(n).astype(str),
            "dwelling_id": np.arange(n).astype(str),
            "type": "paar",
            "income": rng.gamma(4.0, 12000.0, n),
            "vulnerable_care": rng.random(n) < 0.1,
        }
    )
    state = State.from_registers(d, h)
    settings = OutcomeSettings(30000, 60000, plan_areas=[("buurt", codes[0])])
    rec = OutcomeRecorder(settings, state.areas)
    rec.start(state)
    big0: list[int] = []
    b0 = _nbytes(rec, set(), big0, n)
    snapshot_bytes = _nbytes(rec._t0, set(), [], n)
    for year in (1, 2, 3):
        state.h_income *= 1.02
        rec.record_year(state, year, {})
    big3: list[int] = []
    b3 = _nbytes(rec, set(), big3, n)
    # no new household-level array: only the t0 snapshot holds n-long arrays
    assert len(big3) == len(big0) > 0
    # three years of aggregates are much smaller than one household snapshot
    assert b3 - b0 < 0.25 * snapshot_bytes
    out = rec.finish(state, Ledger())
    comp = out.composition
    tot = comp[(comp["year"] == 3) & (comp["level"] == "gemeente")]
    assert int(tot[tot["variable"] == "households"]["households"].sum()) == n
