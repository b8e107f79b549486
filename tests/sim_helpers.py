"""Builders of small simulation states and populations shared by the simulation tests.

Imported by the test modules as ``from sim_helpers import ...``: pytest (rootdir
``/work/main``, the default "prepend" import mode) puts the directory of a test
file that is not in a package on ``sys.path``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wijkmix.sim.crn import CrnKey
from wijkmix.sim.state import Ledger, State

# --------------------------------------------------------------------------
# states
# --------------------------------------------------------------------------
#: Household columns every :func:`one_dwelling_each` state starts from.
HOUSEHOLD_DEFAULTS: dict[str, Any] = {
    "size": 1,
    "type": "alleenstaand",
    "age_head": 40,
    "income": 30000.0,
    "income_source": "werk",
    "years_in_dwelling": 5,
    "years_in_municipality": 10,
    "registration_years": 2.0,
}


def one_dwelling_each(
    rows: Sequence[dict[str, Any]], *, digits: int, **household_defaults: Any
) -> State:
    """One dwelling per household, alternately in two buurten of GM0363.

    ``rows`` give household columns and the dwelling columns ``owner``,
    ``segment``, ``rent`` and ``rooms``; missing household columns come from
    ``household_defaults`` and then :data:`HOUSEHOLD_DEFAULTS`. Ids are
    ``D``/``H`` and the row number zero-padded to ``digits`` digits.
    """
    n = len(rows)
    dwelling_ids = [f"D{i:0{digits}d}" for i in range(n)]
    dwellings = pd.DataFrame(
        {
            "dwelling_id": dwelling_ids,
            "buurt_code": ["BU03630001" if i % 2 else "BU03630002" for i in range(n)],
            "owner": [r.get("owner", "corporatie") for r in rows],
            "segment": [r.get("segment", "sociale_huur") for r in rows],
            "status": ["bewoond"] * n,
            "rent": [r.get("rent", 600.0) for r in rows],
            "woz_value": [float("nan")] * n,
            "rooms": [r.get("rooms", 3) for r in rows],
        }
    )
    defaults = {**HOUSEHOLD_DEFAULTS, **household_defaults}
    households = pd.DataFrame(
        [
            {"household_id": f"H{i:0{digits}d}", "dwelling_id": dwelling_ids[i], **defaults, **r}
            for i, r in enumerate(rows)
        ]
    ).drop(columns=["owner", "segment", "rent", "rooms"], errors="ignore")
    return State.from_registers(dwellings, households)


#: Columns of the households :func:`add_unhoused` adds, unless given.
UNHOUSED_DEFAULTS: dict[str, Any] = {
    "h_size": 1,
    "h_type": 0,
    "h_age": 30,
    "h_income": 0.0,
    "h_source": 0,
    "h_vulnerable": False,
    "h_statushouder": False,
    "h_urgent": False,
    "h_crucial": False,
    "h_years_dwelling": 0,
    "h_years_region": 0,
    "h_registration": 0.0,
}


def add_unhoused(state: State, n: int, **columns: Any) -> np.ndarray:
    """Append ``n`` ACTIVE households without a dwelling; returns their indices.

    ``columns`` (one value for all, or ``n`` values) override
    :data:`UNHOUSED_DEFAULTS`; the columns :meth:`State.add_households` fills in
    itself (``h_seek_cause``, ``h_seek_years``, …) may be given too.
    """
    values = {**UNHOUSED_DEFAULTS, **columns}
    return state.add_households(**{k: np.broadcast_to(v, (n,)) for k, v in values.items()})


def reorder(state: State, households: np.ndarray, dwellings: np.ndarray) -> State:
    """A copy of ``state`` with its rows in the order ``households`` / ``dwellings``.

    Ids travel along and the links between households and dwellings are
    renumbered, so that the copy describes the same registers.
    """
    inv_h, inv_d = np.argsort(households), np.argsort(dwellings)
    out = state.copy()
    for f in dataclasses.fields(state):
        if f.name.startswith("h_"):
            setattr(out, f.name, getattr(state, f.name)[households].copy())
        elif f.name.startswith("d_"):
            setattr(out, f.name, getattr(state, f.name)[dwellings].copy())
    for name, inv in (("h_dwelling", inv_d), ("h_seek_from", inv_d), ("d_occupant", inv_h)):
        v = getattr(out, name)
        setattr(out, name, np.where(v >= 0, inv[np.maximum(v, 0)], -1).astype(np.int32))
    out.check()
    return out


def permuted(
    state: State, seed: int | np.random.Generator, *, dwellings_first: bool = False
) -> State:
    """The same state with household and dwelling rows in a random other order.

    ``seed`` (or the generator itself) draws the household permutation, then the
    dwelling permutation; the other way round with ``dwellings_first``.
    """
    rng = np.random.default_rng(seed)
    if dwellings_first:
        dwellings = rng.permutation(state.n_dwellings)
        households = rng.permutation(state.n_households)
    else:
        households = rng.permutation(state.n_households)
        dwellings = rng.permutation(state.n_dwellings)
    return reorder(state, households, dwellings)


def run_step(
    apply: Callable[..., Any], state: State, params: Any, key: CrnKey
) -> tuple[Any, Ledger]:
    """Run one step ``apply`` (year, replicate from ``key``); the state must stay valid."""
    ledger = Ledger()
    report = apply(
        state, year=key.year, key=key, params=params, ledger=ledger, replicate=key.replicate
    )
    state.check()
    return report, ledger


def assert_identical(a: State, b: State, ledger_a: Ledger, ledger_b: Ledger) -> None:
    """Assert that two runs left the same state arrays and wrote the same ledger."""
    for f in dataclasses.fields(a):
        if f.name.startswith(("h_", "d_")):
            x, y = getattr(a, f.name), getattr(b, f.name)
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
    for k, v in ledger_a.arrays().items():
        assert np.array_equal(v, ledger_b.arrays()[k]), k


# --------------------------------------------------------------------------
# a small KWB frame to synthesise a population from
# --------------------------------------------------------------------------
_COLS = [
    "code", "level", "parent", "inhabitants", "households", "one_person_households",
    "households_without_children", "households_with_children", "avg_household_size",
    "age_0_15", "age_15_25", "age_25_45", "age_45_65", "age_65_plus", "dwellings", "avg_woz",
    "pct_owner_occupied", "pct_corporation", "pct_other_landlords",
    "pct_low_income_households", "pct_households_social_minimum", "bijstand_persons",
    "avg_income_per_inhabitant",
]  # fmt: skip
_COUNTS = [
    "inhabitants", "households", "one_person_households", "households_without_children",
    "households_with_children", "age_0_15", "age_15_25", "age_25_45", "age_45_65",
    "age_65_plus", "dwellings", "bijstand_persons",
]  # fmt: skip


def _buurt_row(code: str, wijk: str, hh: int, corp: int, own: int, low: float) -> list[object]:
    one, wc = round(hh * 0.45), round(hh * 0.25)
    inh = round(hh * 2.1)
    ages = [round(inh * f) for f in (0.17, 0.13, 0.28, 0.24)]
    return [
        code, "buurt", wijk, inh, hh, one, hh - one - wc, wc, 2.1, *ages, inh - sum(ages),
        round(hh * 1.03), 200 + 2 * own, own, corp, 100 - corp - own, low, 0.9 * low,
        round(hh * low / 200), 22 + own / 10,
    ]  # fmt: skip


def kwb_frame(buurten: Sequence[tuple[str, str, int, int, int, float]]) -> pd.DataFrame:
    """A KWB frame of gemeente GM0999: the buurten, their wijken and the gemeente.

    ``buurten`` are ``(code, wijk, households, % corporation, % owner-occupied,
    % low income)``; the other figures follow from them by fixed ratios, the
    wijk and gemeente rows are sums (counts) and means (the rest).
    """
    rows = pd.DataFrame([_buurt_row(*b) for b in buurten], columns=_COLS)

    def total(part: pd.DataFrame, code: str, level: str, parent: str | None) -> dict[str, object]:
        row: dict[str, object] = {c: part[c].mean() for c in _COLS[3:]}
        row.update({c: part[c].sum() for c in _COUNTS})
        row.update(code=code, level=level, parent=parent)
        return row

    wijken = pd.DataFrame(
        [total(p, str(w), "wijk", "GM0999") for w, p in rows.groupby("parent", sort=True)]
    )
    gm = pd.DataFrame([total(rows, "GM0999", "gemeente", None)])
    frame = pd.concat([gm, wijken, rows], ignore_index=True)
    frame["gemeente_code"] = "GM0999"
    frame["name"] = None
    return frame
