"""Move decisions, outflow and inflow of the region: step 3 of a simulated year.

:func:`apply_moves` does, in this order:

0. **Search time**: every ACTIVE seeker's ``h_seek_years`` goes up by one, so
   that during the allocation of the year it counts the years of search
   *including* the current one (households that start seeking in this step
   start at 1). A housed voluntary seeker who has searched more than
   ``max_search_years_housed`` years stops searching (``h_seek_cause`` -1):
   otherwise the pool of housed seekers would only grow.
1. **Outflow** of housed households: each leaves the region with the
   probability of its head's age band (``outflow_rate``) times the factor of
   its dwelling's owner (``outflow_owner_factor``). It leaves its dwelling
   (which becomes vacant), ``h_state`` becomes LEFT, and the ledger gets a row
   with cause ``OUTFLOW``, route ``NONE`` and ``to_dwelling`` -1.
2. **Voluntary move decisions** of housed households that are not seeking yet:
   with probability :func:`voluntary_move_probability` they become seekers with
   cause ``VOLUNTARY``; they keep their dwelling until they obtain another one
   (vacancy chains).
3. **Seekers without a dwelling who give up**: a seeker without a dwelling
   whose ``h_seek_years`` exceeds ``max_seek_years`` leaves the region
   (ledger ``OUTFLOW`` from -1); so does, with probability ``inflow_give_up``
   per year, a newcomer from outside (cause ``INFLOW``) without urgency,
   status-holder or care flag who has searched at least one year (those with a
   flag are housed by the municipality's task and keep searching).
   ACTIVE households without a dwelling that are not seeking (temporarily away
   during a renovation, see :mod:`wijkmix.sim.events`) are left alone.
4. **Inflow**: new households from outside the region per
   :class:`InflowStream` — starters, other movers, status holders under the
   municipality's task (*taakstelling*), people leaving care institutions,
   other urgent seekers. A stream brings ``persons_per_1000`` persons per 1 000
   inhabitants (persons in ACTIVE households at the start of the step) per
   year, i.e. that number divided by the stream's mean household size in
   households (rounded stochastically). The newcomers have no dwelling and
   seek with cause ``INFLOW`` (``h_seek_years`` 1); size, type, age, income (as
   a quantile of the region's current income distribution), income source and
   flags follow the stream's parameters.

Random draws: ``Step.OUTFLOW`` sub 0 (outflow of housed households), sub 1
(giving up); ``Step.MOVE`` sub 0 (voluntary decision); ``Step.INFLOW`` subs
0–4 keyed on the *new* household's id (size, single parent, age, income,
source) and sub ``1000 + i`` keyed on id 0 for the stochastic rounding of
stream ``i``'s count. New ids are assigned stream by stream in parameter order.
Nothing depends on the order of the arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, Self

import numpy as np

from wijkmix.sim._params_util import (
    AgeRate,
    bad_param,
    band_values,
    check_table,
    normalise_fields,
    param_ages,
    param_bands,
    param_bool,
    param_factor,
    param_number,
    param_range,
    param_rates,
    param_share,
    param_shares,
    params_of,
    parse_fields,
    with_sources,
)
from wijkmix.sim.crn import CrnKey, Step, crn_uniform
from wijkmix.sim.demography import end_households, income_at
from wijkmix.sim.state import (
    EIGENAAR,
    HOUSEHOLD_TYPES,
    INCOME_SOURCES,
    OWNERS,
    SOCIALE_HUUR,
    Cause,
    HouseholdState,
    Ledger,
    State,
)

__all__ = [
    "DEFAULT_INFLOW",
    "AgeFactor",
    "ByOwner",
    "DurationFactor",
    "InflowStream",
    "MoveParams",
    "MoveReport",
    "SourceShares",
    "apply_moves",
    "high_income_cut",
    "voluntary_move_probability",
]

_ALLEENSTAAND, _PAAR, _PAAR_MET_KINDEREN, _EENOUDER = (
    HOUSEHOLD_TYPES.index(t) for t in ("alleenstaand", "paar", "paar_met_kinderen", "eenouder")
)
_COUNT_SUB = 1000


# -- small parameter records ---------------------------------------------------------------
@dataclass(frozen=True)
class AgeFactor:
    """A multiplicative factor from ``min_age`` up to the next band's ``min_age``."""

    min_age: int
    factor: float


@dataclass(frozen=True)
class DurationFactor:
    """A multiplicative factor from ``min_years`` in the dwelling up to the next band."""

    min_years: int
    factor: float


@dataclass(frozen=True)
class ByOwner:
    """One value per owner of the dwelling (:data:`wijkmix.sim.state.OWNERS`)."""

    corporatie: float
    particuliere_verhuurder: float
    eigenaar_bewoner: float

    def array(self) -> np.ndarray:
        """The three values in the order of ``OWNERS``."""
        return np.array([getattr(self, o) for o in OWNERS], dtype=np.float64)


def _by_owner(default: ByOwner, hi: float | None) -> Callable[[Any, str], ByOwner]:
    """Parser: a number (all owners), a (partial) table by owner, or a ByOwner."""

    def parse(v: Any, f: str) -> ByOwner:
        if isinstance(v, ByOwner):
            v = asdict(v)
        if isinstance(v, Mapping):
            check_table(v, f, OWNERS)
            vals = asdict(default)
            for k, x in v.items():
                vals[k] = param_number(x, f"{f}.{k}", lo=0.0, hi=hi)
            return ByOwner(**vals)
        x = param_number(v, f, lo=0.0, hi=hi)
        return ByOwner(x, x, x)

    return parse


@dataclass(frozen=True)
class SourceShares:
    """Shares of the income sources (:data:`wijkmix.sim.state.INCOME_SOURCES`), adding to 1."""

    werk: float = 0.0
    uitkering: float = 0.0
    pensioen: float = 0.0
    studie: float = 0.0
    overig: float = 0.0

    def array(self) -> np.ndarray:
        """The five shares in the order of ``INCOME_SOURCES``."""
        return np.array([getattr(self, s) for s in INCOME_SOURCES], dtype=np.float64)


def _source_shares(v: Any, f: str) -> SourceShares:
    if isinstance(v, SourceShares):
        v = asdict(v)
    table = check_table(v, f, INCOME_SOURCES)
    vals = {k: param_number(x, f"{f}.{k}", lo=0.0, hi=1.0) for k, x in table.items()}
    if abs(sum(vals.values()) - 1.0) > 1e-6:
        raise bad_param(f, "shares do not add up to 1", "shares adding up to 1", dict(vals))
    return SourceShares(**vals)


def _name(v: Any, f: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise bad_param(f, "invalid value", "a non-empty name", v)
    return v


def _years(v: Any, f: str) -> int:
    return int(param_number(v, f, lo=0.0, hi=100.0, integer=True))


_INFLOW_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "name": _name,
    "persons_per_1000": lambda v, f: param_number(v, f, lo=0.0, hi=1000.0),
    "size_shares": lambda v, f: param_shares(v, f),
    "single_parent_share": param_share,
    "ages": param_ages,
    "income_quantiles": param_range,
    "source_shares": _source_shares,
    "statushouder": param_bool,
    "vulnerable_care": param_bool,
    "urgent": param_bool,
}
_INFLOW_REQUIRED = ("name", "persons_per_1000")


@dataclass(frozen=True)
class InflowStream:
    """A stream of households entering the region from outside.

    Attributes
    ----------
    name : str
        Dutch label (``statushouders``), used in the report.
    persons_per_1000 : float
        Persons per 1 000 inhabitants of the region per year.
    size_shares : tuple of float
        Shares of household sizes 1, 2, 3, … (adding to 1).
    single_parent_share : float
        Share of the households of two or more persons that are one-parent
        families (``eenouder``); the others are ``paar`` (2 persons) or
        ``paar_met_kinderen`` (3+). One person: ``alleenstaand``.
    ages : (int, int)
        Youngest and oldest age of the head (uniform).
    income_quantiles : (float, float)
        Range of the income as quantiles of the region's income distribution
        (incomes of ACTIVE households), drawn uniformly.
    source_shares : SourceShares
        Shares of the income sources.
    statushouder, vulnerable_care, urgent : bool
        Flags every household of the stream gets.
    """

    name: str
    persons_per_1000: float
    size_shares: tuple[float, ...] = (1.0,)
    single_parent_share: float = 0.0
    ages: tuple[int, int] = (18, 64)
    income_quantiles: tuple[float, float] = (0.0, 1.0)
    source_shares: SourceShares = SourceShares(werk=1.0)
    statushouder: bool = False
    vulnerable_care: bool = False
    urgent: bool = False

    def __post_init__(self) -> None:
        normalise_fields(self, _INFLOW_PARSERS)

    @property
    def mean_size(self) -> float:
        """Mean household size of the stream."""
        return float(sum((i + 1) * s for i, s in enumerate(self.size_shares)))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> Self:
        """A stream from a TOML table; ``name`` and ``persons_per_1000`` are required."""
        kw = parse_fields(d, field, _INFLOW_PARSERS)
        for k in _INFLOW_REQUIRED:
            if k not in kw:
                raise bad_param(f"{field}.{k}", "missing parameter", f"a value for {k}", None)
        return cls(**kw)


#: Default inflow streams (persons per 1 000 inhabitants per year); sources in MoveParams.sources.
DEFAULT_INFLOW: tuple[InflowStream, ...] = (
    InflowStream(
        name="starters_van_buiten",
        persons_per_1000=9.0,
        size_shares=(0.85, 0.15),
        ages=(18, 29),
        income_quantiles=(0.03, 0.55),
        source_shares=SourceShares(werk=0.55, studie=0.45),
    ),
    InflowStream(
        name="verhuizers_van_buiten",
        persons_per_1000=8.0,
        size_shares=(0.35, 0.30, 0.15, 0.15, 0.05),
        single_parent_share=0.1,
        ages=(30, 64),
        income_quantiles=(0.15, 0.95),
        source_shares=SourceShares(werk=0.85, uitkering=0.05, pensioen=0.10),
    ),
    InflowStream(
        name="statushouders",
        persons_per_1000=1.5,
        size_shares=(0.55, 0.10, 0.10, 0.10, 0.15),
        single_parent_share=0.3,
        ages=(20, 49),
        income_quantiles=(0.02, 0.15),
        source_shares=SourceShares(uitkering=1.0),
        statushouder=True,
        urgent=True,
    ),
    InflowStream(
        name="uitstroom_zorg",
        persons_per_1000=0.6,
        size_shares=(0.90, 0.05, 0.05),
        single_parent_share=0.5,
        ages=(20, 59),
        income_quantiles=(0.02, 0.20),
        source_shares=SourceShares(werk=0.15, uitkering=0.85),
        vulnerable_care=True,
        urgent=True,
    ),
    InflowStream(
        name="urgenten",
        persons_per_1000=0.5,
        size_shares=(0.5, 0.3, 0.2),
        single_parent_share=0.6,
        ages=(20, 59),
        income_quantiles=(0.03, 0.35),
        source_shares=SourceShares(werk=0.5, uitkering=0.5),
        urgent=True,
    ),
)


def _inflow(v: Any, f: str) -> tuple[InflowStream, ...]:
    """A list of streams (replaces the defaults) or a table by name (updates them)."""
    if isinstance(v, Mapping):
        streams = {s.name: s for s in DEFAULT_INFLOW}
        for name, table in v.items():
            where = f"{f}.{name}"
            if name in streams:
                base = {k: getattr(streams[name], k) for k in _INFLOW_PARSERS}
                upd = parse_fields(
                    check_table(table, where, _INFLOW_PARSERS), where, _INFLOW_PARSERS
                )
                if "name" in upd and upd["name"] != name:
                    raise bad_param(
                        f"{where}.name", "name differs from the table", name, upd["name"]
                    )
                streams[name] = InflowStream(**{**base, **upd})
            else:
                streams[name] = InflowStream.from_dict(
                    {"name": name, **check_table(table, where, _INFLOW_PARSERS)}, field=where
                )
        return tuple(streams.values())
    if isinstance(v, str | bytes) or not isinstance(v, Sequence):
        raise bad_param(f, "invalid value", "a list of inflow tables or a table by stream name", v)
    out: list[InflowStream] = []
    for i, item in enumerate(v):
        where = f"{f}[{i}]"
        if isinstance(item, InflowStream):
            out.append(item)
            continue
        out.append(InflowStream.from_dict(check_table(item, where, _INFLOW_PARSERS), field=where))
    names = [s.name for s in out]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise bad_param(f"{f}[{i}].name", "duplicate inflow stream", "a name used once", n)
    return tuple(out)


_BASE_RATE = ByOwner(corporatie=0.05, particuliere_verhuurder=0.085, eigenaar_bewoner=0.042)
_OUTFLOW_OWNER = ByOwner(corporatie=0.5, particuliere_verhuurder=1.5, eigenaar_bewoner=0.8)

_MOVE_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "base_rate": _by_owner(_BASE_RATE, 1.0),
    "age_factor": lambda v, f: param_bands(v, f, cls=AgeFactor, lower="min_age", value="factor"),
    "duration_factor": lambda v, f: param_bands(
        v, f, cls=DurationFactor, lower="min_years", value="factor"
    ),
    "overcrowding_factor": param_factor,
    "underoccupation_rooms": lambda v, f: int(param_number(v, f, lo=1.0, hi=20.0, integer=True)),
    "underoccupation_factor": param_factor,
    "high_income_quantile": param_share,
    "high_income_social_factor": param_factor,
    "rent_burden_limit": lambda v, f: param_number(v, f, lo=0.0, hi=5.0),
    "rent_burden_factor": param_factor,
    "max_probability": param_share,
    "max_search_years_housed": _years,
    "outflow_rate": param_rates,
    "outflow_owner_factor": _by_owner(_OUTFLOW_OWNER, None),
    "max_seek_years": _years,
    "inflow_give_up": param_share,
    "inflow": _inflow,
}

_MOVE_SOURCES: dict[str, str] = {
    "base_rate": (
        "gekalibreerd op een synthetische populatie (Den Haag 2019) zodat de jaarlijkse "
        "verhuis- plus vertrek- en sterftekans uitkomt op circa 7 % bij corporatiehuurders "
        "(mutatiegraad corporatiewoningen, DESIGN §8; CBS, Vrijgekomen corporatiewoningen), "
        "circa 5–6 % bij eigenaar-bewoners en 15–20 % bij particuliere huurders (WoON 2018, "
        "verhuisgeneigdheid en verhuizingen naar eigendom); geldt voor de referentie: hoofd "
        "35–44 jaar, 5–9 jaar in de woning, geen mismatch"
    ),
    "age_factor": (
        "CBS Statistische trends 2020, Een analyse van het verhuisgedrag van zestigers, tabel 1: "
        "verhuizingen binnen en tussen gemeenten naar leeftijd (2017), relatief aan 35–44 jaar"
    ),
    "duration_factor": (
        "PBL (De Groot, Manting & Boschman 2008), Verhuiswensen en verhuisgedrag in Nederland: "
        "verhuiskans daalt met de woonduur; orde van grootte, wijkmix-aanname"
    ),
    "overcrowding_factor": (
        "WoON 2018: krap wonen (meer personen dan kamers) is een belangrijke verhuisreden; "
        "wijkmix-aanname"
    ),
    "underoccupation_rooms": "wijkmix-aanname: ruim wonen = 3 of meer kamers dan personen",
    "underoccupation_factor": (
        "WoON 2018: ruim wonende (vaak oudere) huishoudens verhuizen weinig vaker; wijkmix-aanname"
    ),
    "high_income_quantile": (
        "de DAEB-inkomensgrens (2019: € 38 035; 2024: € 47 699 / € 52 671) ligt rond de mediaan "
        "van de bruto huishoudensinkomens; benadering"
    ),
    "high_income_social_factor": (
        "scheefwonen: inkomensafhankelijke huurverhoging sinds 2013 (WoON 2018, Staat van de "
        "Volkshuisvesting); wijkmix-aanname"
    ),
    "rent_burden_limit": (
        "Nibud: huur boven circa 35 % van het bruto inkomen is niet duurzaam betaalbaar; benadering"
    ),
    "rent_burden_factor": "betaalrisico's vergroten de verhuiskans; wijkmix-aanname",
    "max_probability": "technische bovengrens",
    "max_search_years_housed": (
        "WoON 2018, Wens en werkelijkheid: de meeste verhuiswensen worden binnen enkele jaren "
        "gerealiseerd of opgegeven; wijkmix-aanname"
    ),
    "outflow_rate": (
        "CBS Statistische trends 2020 (verhuisgedrag zestigers), tabel 1: verhuizingen tussen "
        "gemeenten en emigratie naar leeftijd (2017); de helft van de verhuizingen tussen "
        "gemeenten verlaat de woningmarktregio (wijkmix-aanname) plus emigratie"
    ),
    "outflow_owner_factor": (
        "corporatiehuurders verlaten de regio minder vaak (zij verliezen hun huurpositie), "
        "particuliere huurders vaker; wijkmix-aanname"
    ),
    "max_seek_years": (
        "wijkmix-aanname: wie vijf jaar zonder woning in de regio zoekt, vestigt zich elders"
    ),
    "inflow_give_up": "wijkmix-aanname: een op de vijf zoekers van buiten geeft het per jaar op",
    "inflow": (
        "starters_van_buiten en verhuizers_van_buiten: CBS Statistische trends 2020, tabel 1 "
        "(verhuizingen tussen gemeenten en immigratie naar leeftijd), zo gekozen dat instroom "
        "en vertrek uit de regio ongeveer in evenwicht zijn; statushouders: taakstelling "
        "huisvesting vergunninghouders (circulaires BZK; 2019 circa 1 per 1 000 inwoners, "
        "2023–2024 circa 2 per 1 000); uitstroom_zorg: uitstroom beschermd wonen en "
        "maatschappelijke opvang (Commissie Toekomst beschermd wonen 2015; orde van grootte "
        "0,6 per 1 000); urgenten: orde van grootte van urgentieverklaringen van buiten de "
        "regio; wijkmix-aannames voor leeftijd, grootte en inkomen"
    ),
}


@dataclass(frozen=True)
class MoveParams:
    """Move decisions by tenure, age, duration and mismatch; outflow and inflow.

    Every default carries its source in :attr:`sources`; values marked
    *wijkmix-aanname* there are plausible assumptions, not measurements.

    Attributes
    ----------
    base_rate : ByOwner
        Yearly probability of a voluntary move inside the region of the
        reference household (head 35–44, 5–9 years in the dwelling, no
        mismatch), by owner of the dwelling (0.075 / 0.17 / 0.065). A scenario
        may give one number for every owner.
    age_factor : tuple of AgeFactor
        Factor by age of the head (2.6 under 25 … 0.3 from 65).
    duration_factor : tuple of DurationFactor
        Factor by years in the dwelling (1.4 under 2 … 0.65 from 20).
    overcrowding_factor : float
        Factor when the household has more persons than the dwelling has rooms (1.5).
    underoccupation_rooms, underoccupation_factor : int, float
        Factor (1.1) when the dwelling has at least that many (3) rooms more
        than persons.
    high_income_quantile, high_income_social_factor : float, float
        Factor (1.4) for households in ``sociale_huur`` whose income is above
        this quantile (0.5) of the incomes of ACTIVE households (*scheefwonen*).
    rent_burden_limit, rent_burden_factor : float, float
        Factor (1.5) for tenants outside social rent whose yearly rent exceeds
        this share (0.35) of their gross income.
    max_probability : float
        Upper limit of the move probability (0.95).
    max_search_years_housed : int
        A housed voluntary seeker stops searching after this many years (3).
    outflow_rate : tuple of AgeRate
        Yearly probability that a housed household leaves the region, by age of
        the head (8 % under 25 … 0.6 % from 75).
    outflow_owner_factor : ByOwner
        Factor on ``outflow_rate`` by owner of the dwelling (0.5 / 1.5 / 0.8).
    max_seek_years : int
        A seeker without a dwelling leaves the region when its search exceeds
        this many years (5).
    inflow_give_up : float
        Yearly probability that a newcomer without a dwelling (and without
        urgency, status-holder or care flag) gives up and leaves (0.2).
    inflow : tuple of InflowStream
        External inflow; see :data:`DEFAULT_INFLOW`. A scenario may give a list
        of tables (replacing every stream) or a table by stream name (updating
        or adding streams): ``[params.moves.inflow.statushouders]
        persons_per_1000 = 2.0``.
    sources : Mapping[str, str]

    Examples
    --------
    >>> p = MoveParams.from_dict({"base_rate": 0.09}, field="params.moves")
    >>> p.base_rate
    ByOwner(corporatie=0.09, particuliere_verhuurder=0.09, eigenaar_bewoner=0.09)
    >>> q = MoveParams.from_dict({"inflow": {"statushouders": {"persons_per_1000": 2.0}}},
    ...                          field="params.moves")
    >>> [s.persons_per_1000 for s in q.inflow if s.name == "statushouders"]
    [2.0]
    """

    base_rate: ByOwner = _BASE_RATE
    age_factor: tuple[AgeFactor, ...] = (
        AgeFactor(0, 2.6),
        AgeFactor(25, 1.8),
        AgeFactor(35, 1.0),
        AgeFactor(45, 0.55),
        AgeFactor(55, 0.38),
        AgeFactor(65, 0.3),
    )
    duration_factor: tuple[DurationFactor, ...] = (
        DurationFactor(0, 1.4),
        DurationFactor(2, 1.15),
        DurationFactor(5, 1.0),
        DurationFactor(10, 0.8),
        DurationFactor(20, 0.65),
    )
    overcrowding_factor: float = 1.5
    underoccupation_rooms: int = 3
    underoccupation_factor: float = 1.1
    high_income_quantile: float = 0.5
    high_income_social_factor: float = 1.4
    rent_burden_limit: float = 0.35
    rent_burden_factor: float = 1.5
    max_probability: float = 0.95
    max_search_years_housed: int = 3
    outflow_rate: tuple[AgeRate, ...] = (
        AgeRate(0, 0.08),
        AgeRate(25, 0.065),
        AgeRate(35, 0.035),
        AgeRate(45, 0.018),
        AgeRate(55, 0.012),
        AgeRate(65, 0.009),
        AgeRate(75, 0.006),
    )
    outflow_owner_factor: ByOwner = _OUTFLOW_OWNER
    max_seek_years: int = 5
    inflow_give_up: float = 0.2
    inflow: tuple[InflowStream, ...] = DEFAULT_INFLOW
    sources: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(dict(_MOVE_SOURCES)), compare=False
    )

    def __post_init__(self) -> None:
        normalise_fields(self, _MOVE_PARSERS)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str = "params.moves") -> Self:
        """Defaults overridden by a TOML table (``[params.moves]``).

        Keys are the attribute names (except ``sources``). ``base_rate`` and
        ``outflow_owner_factor`` take a number or a table by owner; bands are
        lists of tables (``{min_age = 0, factor = 2.6}``).

        Raises
        ------
        InputError
            For an unknown key or a bad value; ``where`` is the dotted field
            (``params.moves.outflow_rate[1].rate``).
        """
        kw = parse_fields(d, field, _MOVE_PARSERS)
        return cls(**kw, sources=with_sources(_MOVE_SOURCES, field, kw))


class _HasMoves(Protocol):
    moves: MoveParams


def _move_params(params: MoveParams | _HasMoves) -> MoveParams:
    return params_of(params, MoveParams, "moves", "apply_moves")


# -- report ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoveReport:
    """Counts of one year's move step.

    Attributes
    ----------
    inhabitants : int
        Persons in ACTIVE households at the start of the step (base of the inflow).
    seekers : int
        ACTIVE seekers at the start of the step.
    search_ended : int
        Housed voluntary seekers who stopped searching.
    voluntary : int
        New voluntary seekers; ``voluntary_by_owner`` split by owner of their dwelling.
    outflow : int
        Housed households that left the region; ``outflow_by_owner`` split by owner.
    expired : int
        Seekers without a dwelling who left after ``max_seek_years``.
    gave_up : int
        Newcomers without a dwelling who gave up and left.
    inflow, inflow_persons : int
        Households and persons that came from outside.
    inflow_by_stream : tuple of (str, int)
        Households per inflow stream.
    """

    inhabitants: int
    seekers: int
    search_ended: int
    voluntary: int
    voluntary_by_owner: tuple[int, int, int]
    outflow: int
    outflow_by_owner: tuple[int, int, int]
    expired: int
    gave_up: int
    inflow: int
    inflow_persons: int
    inflow_by_stream: tuple[tuple[str, int], ...]


def _by_owner_counts(state: State, households: np.ndarray) -> tuple[int, int, int]:
    owner = state.d_owner[state.h_dwelling[households]]
    c = np.bincount(owner, minlength=3)
    return (int(c[0]), int(c[1]), int(c[2]))


# -- the step -------------------------------------------------------------------------------
def high_income_cut(state: State, params: MoveParams) -> float:
    """Income above which a social tenant counts as high income (quantile of ACTIVE incomes)."""
    inc = np.sort(state.h_income[state.h_state == HouseholdState.ACTIVE])
    if len(inc) == 0:
        return math.inf
    return float(income_at(inc, np.array([params.high_income_quantile]))[0])


def voluntary_move_probability(
    state: State,
    households: np.ndarray,
    params: MoveParams | _HasMoves,
    *,
    income_cut: float | None = None,
) -> np.ndarray:
    """Yearly probability that housed households decide to move within the region.

    ``base_rate[owner] × age_factor × duration_factor × mismatch factors``,
    capped at ``max_probability``. Mismatch: more persons than rooms
    (``overcrowding_factor``); ``underoccupation_rooms`` or more rooms than
    persons (``underoccupation_factor``); income above the
    ``high_income_quantile`` of ACTIVE households in ``sociale_huur``
    (``high_income_social_factor``); tenants outside social rent whose yearly
    rent exceeds ``rent_burden_limit`` of their income (``rent_burden_factor``).

    Parameters
    ----------
    state : State
    households : array of int
        Indices of housed households.
    params : MoveParams or an object with ``.moves``
    income_cut : float, optional
        The high-income limit; by default computed from the state
        (:func:`high_income_cut`).

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    ValueError
        If a household is not housed.
    """
    p = _move_params(params)
    hh = np.asarray(households, dtype=np.int64)
    dw = state.h_dwelling[hh].astype(np.int64)
    if (dw < 0).any():
        raise ValueError("voluntary_move_probability: a household is not housed")
    owner = state.d_owner[dw]
    segment = state.d_segment[dw]
    prob = p.base_rate.array()[owner]
    prob = prob * band_values(p.age_factor, "min_age", "factor", state.h_age[hh])
    prob = prob * band_values(p.duration_factor, "min_years", "factor", state.h_years_dwelling[hh])
    size = state.h_size[hh].astype(np.int64)
    rooms = state.d_rooms[dw].astype(np.int64)
    prob = np.where(size > rooms, prob * p.overcrowding_factor, prob)
    prob = np.where(rooms - size >= p.underoccupation_rooms, prob * p.underoccupation_factor, prob)
    cut = high_income_cut(state, p) if income_cut is None else income_cut
    income = state.h_income[hh]
    scheef = (segment == SOCIALE_HUUR) & (income > cut)
    prob = np.where(scheef, prob * p.high_income_social_factor, prob)
    rent = state.d_rent[dw]
    with np.errstate(invalid="ignore"):
        burden = (
            (owner != EIGENAAR)
            & (segment != SOCIALE_HUUR)
            & np.isfinite(rent)
            & (12.0 * rent > p.rent_burden_limit * income)
        )
    prob = np.where(burden, prob * p.rent_burden_factor, prob)
    return np.minimum(prob, p.max_probability)


def _stream_count(key: CrnKey, i: int, expected: float) -> int:
    base = math.floor(expected)
    u = crn_uniform(key, Step.INFLOW, np.array([0]), sub=_COUNT_SUB + i)[0]
    return int(base + (u < expected - base))


def apply_moves(
    state: State,
    *,
    year: int,
    key: CrnKey,
    params: MoveParams | _HasMoves,
    ledger: Ledger,
    replicate: int,
) -> MoveReport:
    """Voluntary move decisions, outflow from and inflow into the region.

    Parameters
    ----------
    state : State
        Mutated in place; newcomers are appended.
    year : int
        Simulated year (for the ledger).
    key : CrnKey
        Random key of this year.
    params : MoveParams or an object with ``.moves`` (SimParams)
    ledger : Ledger
        Receives one ``OUTFLOW`` row per household that leaves.
    replicate : int
        Monte Carlo replicate (for the ledger).

    Returns
    -------
    MoveReport
    """
    p = _move_params(params)
    active = state.h_state == HouseholdState.ACTIVE
    seeking = active & (state.h_seek_cause >= 0)
    state.h_seek_years[seeking] += 1
    inhabitants = int(state.h_size[active].sum())
    pool = np.sort(state.h_income[active])
    cut = high_income_cut(state, p)

    # 0. housed voluntary seekers who searched long enough stop
    housed = active & (state.h_dwelling >= 0)
    stop = (
        housed
        & (state.h_seek_cause == Cause.VOLUNTARY)
        & (state.h_seek_years > p.max_search_years_housed)
    )
    state.h_seek_cause[stop] = -1
    state.h_seek_years[stop] = 0

    # 1. outflow of housed households
    hh = np.flatnonzero(housed)
    owner = state.d_owner[state.h_dwelling[hh]]
    q_out = band_values(p.outflow_rate, "min_age", "rate", state.h_age[hh])
    q_out = q_out * p.outflow_owner_factor.array()[owner]
    leave = hh[crn_uniform(key, Step.OUTFLOW, state.h_id[hh], sub=0) < q_out]
    outflow_by_owner = _by_owner_counts(state, leave)
    end_households(
        state,
        leave,
        ledger=ledger,
        year=year,
        replicate=replicate,
        new_state=HouseholdState.LEFT,
        cause=Cause.OUTFLOW,
    )

    # 2. voluntary move decisions
    active = state.h_state == HouseholdState.ACTIVE
    cand = np.flatnonzero(active & (state.h_dwelling >= 0) & (state.h_seek_cause < 0))
    prob = voluntary_move_probability(state, cand, p, income_cut=cut)
    movers = cand[crn_uniform(key, Step.MOVE, state.h_id[cand], sub=0) < prob]
    voluntary_by_owner = _by_owner_counts(state, movers)
    state.h_seek_cause[movers] = int(Cause.VOLUNTARY)
    state.h_seek_years[movers] = 1
    state.h_seek_from[movers] = -1

    # 3. seekers without a dwelling who leave
    unhoused = np.flatnonzero(active & (state.h_dwelling < 0) & (state.h_seek_cause >= 0))
    over = state.h_seek_years[unhoused] > p.max_seek_years
    expired = unhoused[over]
    rest = unhoused[~over]
    may = rest[
        (state.h_seek_cause[rest] == Cause.INFLOW)
        & ~state.h_urgent[rest]
        & ~state.h_statushouder[rest]
        & ~state.h_vulnerable[rest]
        & (state.h_seek_years[rest] >= 2)
    ]
    gave_up = may[crn_uniform(key, Step.OUTFLOW, state.h_id[may], sub=1) < p.inflow_give_up]
    end_households(
        state,
        np.sort(np.concatenate([expired, gave_up])),
        ledger=ledger,
        year=year,
        replicate=replicate,
        new_state=HouseholdState.LEFT,
        cause=Cause.OUTFLOW,
    )

    # 4. inflow from outside the region
    counts = [
        _stream_count(key, i, inhabitants * s.persons_per_1000 / 1000.0 / s.mean_size)
        for i, s in enumerate(p.inflow)
    ]
    n = int(sum(counts))
    persons = 0
    if n:
        ids = state.next_household_id + np.arange(n, dtype=np.int64)
        size = np.ones(n, dtype=np.int64)
        htype = np.zeros(n, dtype=np.int64)
        age = np.zeros(n, dtype=np.int64)
        income = np.zeros(n)
        source = np.zeros(n, dtype=np.int64)
        flags = np.zeros((3, n), dtype=bool)
        start = 0
        for s, c in zip(p.inflow, counts, strict=True):
            sl = slice(start, start + c)
            start += c
            if c == 0:
                continue
            sid = ids[sl]
            cum = np.cumsum(s.size_shares)
            cum[-1] = 1.0
            sz = np.searchsorted(cum, crn_uniform(key, Step.INFLOW, sid, sub=0), side="right") + 1
            sz = np.minimum(sz, len(cum))
            single_parent = crn_uniform(key, Step.INFLOW, sid, sub=1) < s.single_parent_share
            size[sl] = sz
            htype[sl] = np.select(
                [sz == 1, single_parent, sz == 2],
                [_ALLEENSTAAND, _EENOUDER, _PAAR],
                default=_PAAR_MET_KINDEREN,
            )
            lo, hi = s.ages
            a = lo + np.floor(crn_uniform(key, Step.INFLOW, sid, sub=2) * (hi - lo + 1))
            age[sl] = np.minimum(a.astype(np.int64), hi)
            q_lo, q_hi = s.income_quantiles
            u = crn_uniform(key, Step.INFLOW, sid, sub=3)
            income[sl] = income_at(pool, q_lo + u * (q_hi - q_lo))
            cs = np.cumsum(s.source_shares.array())
            cs[-1] = 1.0
            src = np.searchsorted(cs, crn_uniform(key, Step.INFLOW, sid, sub=4), side="right")
            source[sl] = np.minimum(src, len(cs) - 1)
            flags[:, sl] = np.array([[s.statushouder], [s.vulnerable_care], [s.urgent]])
        persons = int(size.sum())
        state.add_households(
            h_size=size,
            h_type=htype,
            h_age=age,
            h_income=income,
            h_source=source,
            h_vulnerable=flags[1],
            h_statushouder=flags[0],
            h_urgent=flags[2],
            h_crucial=np.zeros(n, dtype=bool),
            h_years_dwelling=np.zeros(n, dtype=np.int16),
            h_years_region=np.zeros(n, dtype=np.int16),
            h_registration=np.zeros(n, dtype=np.float32),
            h_seek_cause=np.full(n, int(Cause.INFLOW), dtype=np.int8),
            h_seek_years=np.ones(n, dtype=np.int16),
        )

    return MoveReport(
        inhabitants=inhabitants,
        seekers=int(seeking.sum()),
        search_ended=int(stop.sum()),
        voluntary=len(movers),
        voluntary_by_owner=voluntary_by_owner,
        outflow=len(leave),
        outflow_by_owner=outflow_by_owner,
        expired=len(expired),
        gave_up=len(gave_up),
        inflow=n,
        inflow_persons=persons,
        inflow_by_stream=tuple((s.name, c) for s, c in zip(p.inflow, counts, strict=True)),
    )
