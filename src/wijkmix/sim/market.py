"""The housing market: step 5 of a simulated year.

Owner-occupied and private rental vacancies (and corporation ``middenhuur`` and
``vrije_huur``) go to seekers who can afford them and like them best.

Vacancies
    Dwellings with status ``leeg`` and no occupant whose owner is
    ``eigenaar_bewoner`` or ``particuliere_verhuurder``, or ``corporatie`` in
    the segments ``middenhuur`` and ``vrije_huur``. The cost of a dwelling is
    its WOZ value when the owner is ``eigenaar_bewoner`` (a purchase), else
    twelve times its monthly rent. A vacancy without a known cost is not
    offered (``unpriced`` in the report).
Seekers
    ACTIVE households with ``h_seek_cause >= 0`` (every cause: voluntary
    movers, starters, newcomers, forced movers not housed by the allocation).
Affordability
    A household of income band *b* (gross yearly income; bounds
    :attr:`MarketParams.income_bounds`) can rent a dwelling when
    ``12 × rent ≤ max_rent_ratio[b] × income`` and buy one when
    ``WOZ ≤ max_price_multiple[b] × income``.
Choice
    Matching runs in rounds. In a round every remaining seeker draws a sample
    of the vacancies it can afford (``sample_size`` from the whole region and
    ``local_sample`` from the wijk it lives in or comes from), scores them with
    the utility ::

        slack_weight × (1 − cost / limit)
        + homophily × share of the seeker's income class in the vacancy's buurt
        + same_wijk × [vacancy in the seeker's wijk]
        + same_gemeente × [vacancy in the seeker's gemeente]
        + Gumbel noise

    and bids for the best. A vacancy with several bidders goes to the bidder
    with the lowest priority number (a common random number per household
    and round). Winners move; a winner who leaves a dwelling frees it, and a
    freed market dwelling is a vacancy in the next round (vacancy chain).
    The income composition of the buurten is taken at the start of the step.

Every random number is a common random number of (seed, replicate, year,
household or dwelling id), and every sort breaks ties by id, so the result does
not depend on the order of the arrays. The work per round is a few vectorised
passes and one compiled (numba) pass over seekers × sample: no Python loop per
household. A region of 1 000 000 households with 100 000 seekers and 40 000
vacancies takes about a second per year on one core (after the first call of a
process, which loads the compiled kernel).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np
from numba import njit

from wijkmix.errors import InputError, Location
from wijkmix.sim.crn import CrnKey, Step, crn_uniform
from wijkmix.sim.state import (
    CORPORATIE,
    EIGENAAR,
    LEEG,
    MIDDENHUUR,
    PARTICULIER,
    VRIJE_HUUR,
    Cause,
    HouseholdState,
    Ledger,
    Route,
    State,
)

__all__ = ["INCOME_CLASSES", "MarketParams", "MarketReport", "apply_market", "market_vacancies"]

#: Dutch labels of the income classes of the default bounds.
INCOME_CLASSES: tuple[str, ...] = ("laag", "midden", "hoog")

#: Most draws a seeker makes in one round (sub-streams of the CRN per round).
_MAX_SAMPLE = 64

_SOURCES: dict[str, str] = {
    "income_bounds": (
        "laag tot de DAEB-inkomensgrens voor één persoon 2024 (€47.699, Rijksoverheid); "
        "midden tot €80.000 (wijkmix-aanname, ca. 2 × modaal; CPB modaal inkomen 2024 "
        "ca. €44.000 bruto); hoog daarboven. Bruto huishoudinkomen per jaar"
    ),
    "max_rent_ratio": (
        "kale jaarhuur als aandeel van het bruto huishoudinkomen: 40 % / 33 % / 30 %. "
        "Verhuurderspraktijk vrije sector: bruto maandinkomen ≥ 3 à 4 × kale huur (25–33 %); "
        "lage inkomens hoger (huurtoeslag bij particuliere sociale huur; woonquotes van lage "
        "inkomens liggen hoger, Nibud/WoON). wijkmix-aanname binnen die marges"
    ),
    "max_price_multiple": (
        "WOZ-waarde ≤ veelvoud van het bruto huishoudinkomen: 4,0 / 4,5 / 5,0. Tijdelijke "
        "regeling hypothecair krediet: financieringslastpercentages (Nibud-advies) en "
        "loan-to-value ≤ 100 %; bij een hypotheekrente van ca. 4 % (2024) ca. 4,5–5 × het "
        "bruto inkomen voor midden- en hogere inkomens, minder voor lage inkomens"
    ),
    "homophily": (
        "wijkmix-aanname: 1,0 (logit-nut; een buurt met 100 % huishoudens uit de eigen "
        "inkomensklasse heeft e ≈ 2,7 × de kans van een buurt zonder). Te kalibreren op "
        "verhuisstromen (CBS verhuismobiliteit)"
    ),
    "same_wijk": (
        "wijkmix-aanname: 1,0; de meeste verhuizingen blijven dicht bij de vorige woning "
        "(CBS: een groot deel van de verhuizingen binnen de gemeente)"
    ),
    "same_gemeente": "wijkmix-aanname: 0,5 (voorkeur voor de eigen gemeente)",
    "slack_weight": (
        "wijkmix-aanname: 0,5 (voorkeur voor een woning die ruimte in het budget laat)"
    ),
    "sample_size": "wijkmix-aanname: 16 woningen per ronde uit de hele regio",
    "local_sample": "wijkmix-aanname: 8 woningen per ronde uit de eigen wijk",
    "rounds": "wijkmix-aanname: 8 ronden per jaar (ketens van doorstroming)",
}
_KEYS = tuple(_SOURCES)


def _bad(where: str, what: str, expected: str, found: object) -> InputError:
    return InputError(what, where=Location(field=where), expected=expected, found=found)


def _is_number(v: object) -> bool:
    if isinstance(v, bool | np.bool_):
        return False
    return isinstance(v, int | float | np.integer | np.floating) and bool(np.isfinite(v))


def _number(v: object, where: str, *, positive: bool = False) -> float:
    if not _is_number(v) or (positive and float(v) <= 0):  # type: ignore[arg-type]
        raise _bad(where, "invalid value", "a positive number" if positive else "a number", v)
    return float(v)  # type: ignore[arg-type]


def _count(v: object, where: str, *, minimum: int, maximum: int) -> int:
    ok = isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)
    if not ok or not minimum <= int(v) <= maximum:  # type: ignore[call-overload]
        raise _bad(where, "invalid value", f"a whole number from {minimum} to {maximum}", v)
    return int(v)  # type: ignore[call-overload]


def _numbers(v: object, where: str, *, positive: bool = True) -> tuple[float, ...]:
    if not isinstance(v, list | tuple) or not v:
        raise _bad(where, "invalid value", "a list of numbers", v)
    return tuple(_number(x, f"{where}[{i}]", positive=positive) for i, x in enumerate(v))


@dataclass(frozen=True)
class MarketParams:
    """Affordability norms and preferences of the market step.

    Attributes
    ----------
    income_bounds : tuple of float
        Increasing bounds of gross yearly household income that split
        households into income bands (``len + 1`` bands). The bands are both the
        affordability bands and the income classes of the homophily term.
    max_rent_ratio : tuple of float
        Per band: the largest yearly rent as a share of gross income.
    max_price_multiple : tuple of float
        Per band: the largest WOZ value as a multiple of gross income.
    homophily : float
        Weight of the share of the seeker's own income class among the housed
        households of the destination buurt (0 = no preference; negative
        values prefer mixed company).
    same_wijk, same_gemeente : float
        Utility of a vacancy in the wijk or gemeente the seeker lives in (or
        lost its dwelling in, or started the run in).
    slack_weight : float
        Utility of the share of the budget left: ``1 − cost / limit``.
    sample_size : int
        Vacancies a seeker considers per round, drawn from all it can afford.
    local_sample : int
        Further vacancies per round drawn from those it can afford in its wijk.
    rounds : int
        Matching rounds per year.
    sources : Mapping[str, str]
        Source of every value.
    """

    income_bounds: tuple[float, ...] = (47_699.0, 80_000.0)
    max_rent_ratio: tuple[float, ...] = (0.40, 0.33, 0.30)
    max_price_multiple: tuple[float, ...] = (4.0, 4.5, 5.0)
    homophily: float = 1.0
    same_wijk: float = 1.0
    same_gemeente: float = 0.5
    slack_weight: float = 0.5
    sample_size: int = 16
    local_sample: int = 8
    rounds: int = 8
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(dict(_SOURCES)))

    def __post_init__(self) -> None:
        f = "params.market"
        b = np.asarray(self.income_bounds, dtype=np.float64)
        if len(b) and (np.any(b <= 0) or np.any(np.diff(b) <= 0)):
            raise _bad(
                f"{f}.income_bounds",
                "invalid bounds",
                "positive, strictly increasing amounts",
                list(self.income_bounds),
            )
        n = len(b) + 1
        for name in ("max_rent_ratio", "max_price_multiple"):
            vals = getattr(self, name)
            if len(vals) != n:
                raise _bad(
                    f"{f}.{name}",
                    "wrong number of values",
                    f"{n} values (one per income band)",
                    list(vals),
                )
            if any(not _is_number(x) or x <= 0 for x in vals):
                raise _bad(f"{f}.{name}", "invalid value", "positive numbers", list(vals))
        if any(x > 1 for x in self.max_rent_ratio):
            raise _bad(
                f"{f}.max_rent_ratio",
                "value out of range",
                "shares of income of at most 1",
                list(self.max_rent_ratio),
            )
        if self.sample_size + self.local_sample > _MAX_SAMPLE:
            raise _bad(
                f"{f}.sample_size",
                "sample too large",
                f"sample_size + local_sample ≤ {_MAX_SAMPLE}",
                self.sample_size + self.local_sample,
            )

    @property
    def n_bands(self) -> int:
        """Number of income bands."""
        return len(self.income_bounds) + 1

    def band(self, income: np.ndarray) -> np.ndarray:
        """Income band of each gross yearly income (0 = lowest).

        >>> MarketParams().band(np.array([20_000.0, 47_699.0, 60_000.0, 90_000.0])).tolist()
        [0, 1, 1, 2]
        """
        return np.searchsorted(np.asarray(self.income_bounds), income, side="right").astype(
            np.int64
        )

    def rent_limit(self, income: np.ndarray) -> np.ndarray:
        """Largest affordable yearly rent (12 × monthly rent) per income."""
        inc = np.asarray(income, dtype=np.float64)
        return np.asarray(self.max_rent_ratio)[self.band(inc)] * inc

    def price_limit(self, income: np.ndarray) -> np.ndarray:
        """Largest affordable WOZ value per income."""
        inc = np.asarray(income, dtype=np.float64)
        return np.asarray(self.max_price_multiple)[self.band(inc)] * inc

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> MarketParams:
        """Defaults overridden by a TOML table (e.g. ``[params.market]``).

        Raises
        ------
        InputError
            Unknown key or bad value; ``where`` is the dotted field
            (``params.market.homophily``).

        Examples
        --------
        >>> MarketParams.from_dict({"homophily": 2}, field="params.market").homophily
        2.0
        >>> MarketParams.from_dict({"rounds": 0}, field="params.market")
        Traceback (most recent call last):
        ...
        wijkmix.errors.InputError: invalid value in field 'params.market.rounds': ...
        """
        if not isinstance(d, Mapping):
            raise _bad(field, "invalid value", "a table (key = value pairs)", type(d).__name__)
        for k in d:
            if k not in _KEYS:
                raise _bad(
                    f"{field}.{k}",
                    "unknown key for market parameters",
                    "one of " + ", ".join(_KEYS),
                    k,
                )
        kw: dict[str, Any] = {}
        if "income_bounds" in d:
            kw["income_bounds"] = _numbers(d["income_bounds"], f"{field}.income_bounds")
        for name in ("max_rent_ratio", "max_price_multiple"):
            if name in d:
                kw[name] = _numbers(d[name], f"{field}.{name}")
        for name in ("homophily", "same_wijk", "same_gemeente", "slack_weight"):
            if name in d:
                kw[name] = _number(d[name], f"{field}.{name}")
        if "sample_size" in d:
            kw["sample_size"] = _count(
                d["sample_size"], f"{field}.sample_size", minimum=1, maximum=_MAX_SAMPLE
            )
        if "local_sample" in d:
            kw["local_sample"] = _count(
                d["local_sample"], f"{field}.local_sample", minimum=0, maximum=_MAX_SAMPLE
            )
        if "rounds" in d:
            kw["rounds"] = _count(d["rounds"], f"{field}.rounds", minimum=1, maximum=1000)
        sources = dict(_SOURCES)
        for name in kw:
            sources[name] = f"opgegeven in {field}.{name}"
        base = cls()
        bounds = kw.get("income_bounds", base.income_bounds)
        n = len(bounds) + 1
        for name in ("max_rent_ratio", "max_price_multiple"):
            vals = kw.get(name, getattr(base, name))
            if len(vals) != n:
                raise _bad(
                    f"{field}.{name}",
                    "wrong number of values",
                    f"{n} values (one per income band of income_bounds)",
                    list(vals),
                )
        if any(x > 1 for x in kw.get("max_rent_ratio", ())):
            raise _bad(
                f"{field}.max_rent_ratio",
                "value out of range",
                "shares of income of at most 1",
                list(kw["max_rent_ratio"]),
            )
        if "income_bounds" in kw and np.any(np.diff(bounds) <= 0):
            raise _bad(
                f"{field}.income_bounds",
                "invalid bounds",
                "strictly increasing amounts",
                list(bounds),
            )
        size = kw.get("sample_size", base.sample_size) + kw.get("local_sample", base.local_sample)
        if size > _MAX_SAMPLE:
            raise _bad(
                f"{field}.sample_size",
                "sample too large",
                f"sample_size + local_sample ≤ {_MAX_SAMPLE}",
                size,
            )
        return cls(**kw, sources=MappingProxyType(sources))


class _HasMarketParams(Protocol):
    market: MarketParams


def _market_params(params: MarketParams | _HasMarketParams) -> MarketParams:
    if isinstance(params, MarketParams):
        return params
    mp = getattr(params, "market", None)
    if not isinstance(mp, MarketParams):
        raise TypeError("apply_market: params must be MarketParams or have .market")
    return mp


@dataclass(frozen=True)
class MarketReport:
    """Counts of the market step of one simulated year.

    Attributes
    ----------
    year : int
    seekers : int
        Seekers at the start of the step.
    vacancies : int
        Market vacancies offered at the start (with a known cost).
    unpriced : int
        Market vacancies without rent or WOZ value (not offered).
    placed : int
        Seekers who obtained a dwelling.
    placed_by_cause : Mapping[str, int]
        Placements by the seeker's cause (``voluntary``, ``starter``, ...).
    chain_vacancies : int
        Market dwellings freed by movers during the step and offered again.
    chain_social : int
        Other dwellings (social rent) freed by movers; they stay vacant for the
        allocation of the next year.
    unplaced : int
        Seekers still seeking after the step.
    unaffordable : int
        Seekers who could afford none of the vacancies at the start.
    vacancies_left : int
        Market vacancies still vacant after the step.
    rounds : int
        Rounds used.
    """

    year: int
    seekers: int
    vacancies: int
    unpriced: int
    placed: int
    placed_by_cause: Mapping[str, int]
    chain_vacancies: int
    chain_social: int
    unplaced: int
    unaffordable: int
    vacancies_left: int
    rounds: int


def _market_kind(state: State, dw: np.ndarray) -> np.ndarray:
    """Whether dwellings belong to the market (owner and segment)."""
    own = state.d_owner[dw]
    seg = state.d_segment[dw]
    return np.asarray(
        (own == EIGENAAR)
        | (own == PARTICULIER)
        | ((own == CORPORATIE) & ((seg == MIDDENHUUR) | (seg == VRIJE_HUUR)))
    )


def _cost(state: State, dw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cost, is_purchase) of dwellings: WOZ for owner-occupied, else 12 × rent."""
    buy = state.d_owner[dw] == EIGENAAR
    cost = np.where(buy, state.d_woz[dw], 12.0 * state.d_rent[dw])
    return cost, buy


def market_vacancies(state: State) -> np.ndarray:
    """Indices of the market vacancies with a known cost, by dwelling id."""
    dw = np.flatnonzero((state.d_status == LEEG) & (state.d_occupant < 0))
    dw = dw[_market_kind(state, dw)]
    cost, _ = _cost(state, dw)
    dw = dw[np.isfinite(cost) & (cost >= 0)]
    return dw[np.argsort(state.d_id[dw], kind="stable")]


@dataclass(frozen=True)
class _Sorted:
    """Vacancies of one kind (rent or purchase) sorted for prefix counts.

    ``pos`` and ``cost`` are sorted by (group, cost, dwelling id); the
    vacancies of group ``g`` are ``pos[off[g]:off[g + 1]]``, cheapest first.
    """

    pos: np.ndarray  # positions in the round's vacancy arrays (int64)
    cost: np.ndarray  # their costs (float64)
    off: np.ndarray  # group offsets, length n_groups + 1 (int64)

    @classmethod
    def build(
        cls, pos: np.ndarray, group: np.ndarray, cost: np.ndarray, ids: np.ndarray, n_groups: int
    ) -> _Sorted:
        order = np.lexsort((ids, cost, group))
        off = np.searchsorted(group[order], np.arange(n_groups + 1), side="left")
        return cls(
            pos[order].astype(np.int64),
            cost[order].astype(np.float64),
            off.astype(np.int64),
        )


@njit(cache=True)
def _n_affordable(cost: np.ndarray, lo: int, hi: int, limit: float) -> int:
    """Number of ``cost[lo:hi]`` (sorted) that are at most ``limit``."""
    a, b = lo, hi
    while a < b:
        m = (a + b) // 2
        if cost[m] <= limit:
            a = m + 1
        else:
            b = m
    return a - lo


@njit(cache=True)
def _choose(
    u_draw: np.ndarray,
    u_noise: np.ndarray,
    k_region: int,
    sorted_: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    sorted_local: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    vacancy: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    seeker: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    share: np.ndarray,
    weights: tuple[float, float, float, float],
) -> np.ndarray:  # pragma: no cover - compiled
    """The best sampled affordable vacancy of every seeker (-1 when none).

    Draw ``k`` of seeker ``i`` takes the vacancy at ``floor(u_draw[k, i] × n)``
    among the ``n`` it can afford (rentals by rent, then purchases by price;
    the first ``k_region`` draws from the whole region, the others from its
    wijk) and scores it with the utility of the module docstring plus Gumbel
    noise from ``u_noise[k, i]``. Ties keep the earlier draw.
    """
    n_k, n = u_draw.shape
    r_pos, r_cost, r_off, b_pos, b_cost, b_off = sorted_
    lr_pos, lr_cost, lr_off, lb_pos, lb_cost, lb_off = sorted_local
    v_cost, v_buy, v_buurt, v_wijk, v_gem = vacancy
    rent_lim, price_lim, band, o_wijk, o_gem = seeker
    w_slack, w_homo, w_wijk, w_gem = weights
    best = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        # affordable counts: the region (one group), and the seeker's wijk
        rc = _n_affordable(r_cost, r_off[0], r_off[1], rent_lim[i])
        bc = _n_affordable(b_cost, b_off[0], b_off[1], price_lim[i])
        lrs, lbs, lrc, lbc = 0, 0, 0, 0
        w = o_wijk[i]
        if w >= 0 and n_k > k_region:
            lrs, lbs = lr_off[w], lb_off[w]
            lrc = _n_affordable(lr_cost, lrs, lr_off[w + 1], rent_lim[i])
            lbc = _n_affordable(lb_cost, lbs, lb_off[w + 1], price_lim[i])
        top = -np.inf
        for k in range(n_k):
            if k < k_region:
                total = rc + bc
                if total == 0:
                    continue
                j = min(int(u_draw[k, i] * total), total - 1)
                p = r_pos[j] if j < rc else b_pos[j - rc]
            else:
                total = lrc + lbc
                if total == 0:
                    continue
                j = min(int(u_draw[k, i] * total), total - 1)
                p = lr_pos[lrs + j] if j < lrc else lb_pos[lbs + j - lrc]
            # the counts are exact prefix counts, so cost <= limit holds here
            limit = price_lim[i] if v_buy[p] else rent_lim[i]
            cost = v_cost[p]
            slack = 1.0 - cost / limit if limit > 0 else 0.0
            util = w_slack * slack + w_homo * share[v_buurt[p], band[i]]
            if o_wijk[i] >= 0 and v_wijk[p] == o_wijk[i]:
                util += w_wijk
            if o_gem[i] >= 0 and v_gem[p] == o_gem[i]:
                util += w_gem
            u = min(max(u_noise[k, i], 1e-300), 1.0 - 1e-16)
            util += -np.log(-np.log(u))
            if util > top:
                top = util
                best[i] = p
    return best


def apply_market(
    state: State,
    *,
    year: int,
    key: CrnKey,
    params: MarketParams | _HasMarketParams,
    ledger: Ledger,
    replicate: int,
) -> MarketReport:
    """Match market vacancies to seekers who can afford them (step 5 of the year).

    Parameters
    ----------
    state : State
        Mutated in place (through :meth:`State.vacate` and
        :meth:`State.occupy`); :meth:`State.check` holds afterwards.
    year : int
        Simulated year (ledger column).
    key : CrnKey
        Random key of this year and replicate.
    params : MarketParams or SimParams
        Market parameters, or an object with a ``market`` attribute holding them.
    ledger : Ledger
        Receives one row per placement: cause = the seeker's ``h_seek_cause``,
        route ``MARKET``; ``from_dwelling`` is the dwelling left (for a forced
        mover, the dwelling lost: ``h_seek_from``), -1 for newcomers.
    replicate : int
        Monte Carlo replicate (ledger column).

    Returns
    -------
    MarketReport
        Unplaced seekers keep seeking; unfilled vacancies stay ``leeg``.
    """
    mp = _market_params(params)
    a = state.areas
    n_bands = mp.n_bands

    # -- vacancies ---------------------------------------------------------------
    empty = np.flatnonzero((state.d_status == LEEG) & (state.d_occupant < 0))
    market = empty[_market_kind(state, empty)]
    m_cost, _ = _cost(state, market)
    priced = np.isfinite(m_cost) & (m_cost >= 0)
    vac = market[priced]
    n_unpriced = int((~priced).sum())
    n_vac0 = len(vac)

    # -- seekers -------------------------------------------------------------------
    seekers = np.flatnonzero(
        (state.h_state == HouseholdState.ACTIVE) & (state.h_seek_cause >= 0)
    ).astype(np.int64)
    n_seek0 = len(seekers)
    income = state.h_income[seekers]
    s_band = mp.band(income)
    s_rent_lim = mp.rent_limit(income)
    s_price_lim = mp.price_limit(income)
    origin = np.where(
        state.h_dwelling[seekers] >= 0, state.h_dwelling[seekers], state.h_seek_from[seekers]
    ).astype(np.int64)
    o_buurt = np.where(
        origin >= 0, state.d_buurt[np.maximum(origin, 0)], state.h_origin_buurt[seekers]
    ).astype(np.int64)
    has_o = o_buurt >= 0
    o_wijk = np.where(has_o, a.buurt_wijk[np.maximum(o_buurt, 0)], -1).astype(np.int64)
    o_gem = np.where(has_o, a.buurt_gemeente[np.maximum(o_buurt, 0)], -1).astype(np.int64)

    # -- income composition of the buurten (fixed during the step) ----------------
    n_buurt = len(a.buurt)
    housed = np.flatnonzero((state.h_dwelling >= 0) & (state.h_state == HouseholdState.ACTIVE))
    hb = state.d_buurt[state.h_dwelling[housed]].astype(np.int64)
    hc = mp.band(state.h_income[housed])
    counts = (
        np.bincount(hb * n_bands + hc, minlength=n_buurt * n_bands)
        .reshape(n_buurt, n_bands)
        .astype(np.float64)
    )
    tot = counts.sum(axis=1, keepdims=True)
    region = counts.sum(axis=0) / max(float(counts.sum()), 1.0)
    same_share = np.where(tot > 0, counts / np.maximum(tot, 1.0), region[None, :])

    k_all = mp.sample_size + mp.local_sample
    active = np.ones(n_seek0, dtype=bool)
    placed_cause: dict[str, int] = {}
    n_placed = chain_market = chain_social = 0
    unaffordable = n_seek0 if n_vac0 == 0 else 0
    rounds_used = 0
    for rnd in range(mp.rounds):
        idx = np.flatnonzero(active)
        if len(idx) == 0 or len(vac) == 0:
            break
        rounds_used += 1
        v_cost, v_buy = _cost(state, vac)
        v_cost = v_cost.astype(np.float64)
        v_ids = state.d_id[vac]
        v_buurt = state.d_buurt[vac].astype(np.int64)
        v_wijk = a.buurt_wijk[v_buurt].astype(np.int64)
        v_gem = a.buurt_gemeente[v_buurt].astype(np.int64)
        pos = np.arange(len(vac), dtype=np.int64)
        rent, buy = ~v_buy, v_buy
        zero = np.zeros(len(vac), dtype=np.int64)
        r_all = _Sorted.build(pos[rent], zero[rent], v_cost[rent], v_ids[rent], 1)
        b_all = _Sorted.build(pos[buy], zero[buy], v_cost[buy], v_ids[buy], 1)
        n_afford = np.searchsorted(r_all.cost, s_rent_lim[idx], side="right") + np.searchsorted(
            b_all.cost, s_price_lim[idx], side="right"
        )
        if rnd == 0:
            unaffordable = int((n_afford == 0).sum())
        # seekers who can afford nothing now sit this round out (no draws)
        idx = idx[n_afford > 0]
        if len(idx) == 0:
            continue
        n_wijk = len(a.wijk)
        r_loc = _Sorted.build(pos[rent], v_wijk[rent], v_cost[rent], v_ids[rent], n_wijk)
        b_loc = _Sorted.build(pos[buy], v_wijk[buy], v_cost[buy], v_ids[buy], n_wijk)
        ids = state.h_id[seekers[idx]]
        u_draw = np.empty((k_all, len(idx)))
        u_noise = np.empty((k_all, len(idx)))
        for k in range(k_all):
            u_draw[k] = crn_uniform(key, Step.MARKET, ids, sub=rnd * _MAX_SAMPLE + k)
            u_noise[k] = crn_uniform(key, Step.CHOICE, ids, sub=rnd * _MAX_SAMPLE + k)
        best = _choose(
            u_draw,
            u_noise,
            mp.sample_size,
            (r_all.pos, r_all.cost, r_all.off, b_all.pos, b_all.cost, b_all.off),
            (r_loc.pos, r_loc.cost, r_loc.off, b_loc.pos, b_loc.cost, b_loc.off),
            (v_cost, v_buy, v_buurt, v_wijk, v_gem),
            (s_rent_lim[idx], s_price_lim[idx], s_band[idx], o_wijk[idx], o_gem[idx]),
            same_share,
            (mp.slack_weight, mp.homophily, mp.same_wijk, mp.same_gemeente),
        )
        rows = np.flatnonzero(best >= 0)
        if len(rows) == 0:
            continue
        bid_s = idx[rows]  # positions in `seekers`
        bid_v = vac[best[rows]]
        prio = crn_uniform(key, Step.MARKET, state.h_id[seekers[bid_s]], sub=1_000_000 + rnd)
        order = np.lexsort((state.h_id[seekers[bid_s]], prio, state.d_id[bid_v]))
        sv = bid_v[order]
        first = np.ones(len(sv), dtype=bool)
        first[1:] = sv[1:] != sv[:-1]
        win_s, win_v = bid_s[order][first], sv[first]
        # deterministic row order of the ledger: by household id
        o = np.argsort(state.h_id[seekers[win_s]], kind="stable")
        win_s, win_v = win_s[o], win_v[o]
        hh = seekers[win_s]
        cause = state.h_seek_cause[hh].astype(np.int64)
        old = state.h_dwelling[hh].astype(np.int64)
        from_dw = np.where(old >= 0, old, state.h_seek_from[hh]).astype(np.int64)
        from_b = np.where(from_dw >= 0, state.d_buurt[np.maximum(from_dw, 0)], -1)
        left = old[old >= 0]
        state.vacate(hh[old >= 0])
        state.occupy(hh, win_v)
        for cz in np.unique(cause):
            name = Cause(int(cz)).name.lower()
            placed_cause[name] = placed_cause.get(name, 0) + int((cause == cz).sum())
        ledger.append(
            replicate=replicate,
            year=year,
            household=hh,
            household_id=state.h_id[hh],
            from_dwelling=from_dw,
            to_dwelling=win_v,
            from_buurt=from_b,
            to_buurt=state.d_buurt[win_v],
            cause=cause,
            route=int(Route.MARKET),
        )
        n_placed += len(hh)
        active[win_s] = False
        # the filled vacancies leave the pool; freed market dwellings join it
        vac = vac[~np.isin(vac, win_v)]
        is_market = _market_kind(state, left)
        l_cost, _ = _cost(state, left)
        offer = left[is_market & np.isfinite(l_cost) & (l_cost >= 0)]
        chain_market += len(offer)
        chain_social += int((~is_market).sum())
        vac = np.concatenate([vac, offer.astype(vac.dtype)])
    return MarketReport(
        year=year,
        seekers=n_seek0,
        vacancies=n_vac0,
        unpriced=n_unpriced,
        placed=n_placed,
        placed_by_cause=MappingProxyType(dict(sorted(placed_cause.items()))),
        chain_vacancies=chain_market,
        chain_social=chain_social,
        unplaced=n_seek0 - n_placed,
        unaffordable=unaffordable,
        vacancies_left=len(vac),
        rounds=rounds_used,
    )
