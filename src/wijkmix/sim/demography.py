"""Demography and income: step 2 of a simulated year.

:func:`apply_demography` ages every household, lets people die, move into a
care home, separate and leave the parental home, and moves incomes between
income classes. The rates are the parameters of :class:`DemographyParams`;
each default carries its source (CBS StatLine tables by name, rounded to the
precision a yearly microsimulation needs).

What happens, in this order, to the households that are ``ACTIVE`` at the start
of the step (households created in the step take no part in it):

1. **Ageing**: age of the head, years in the region and waiting-list
   registration years +1 for every ACTIVE household (the registration of a
   household that accepts a social rent dwelling is reset by the allocation
   step); years in the dwelling +1 for housed households.
2. **Nominal income growth**: every income is multiplied by
   ``1 + income_growth`` (the legal income limits are indexed yearly too).
3. **Death and care admission**. Every adult dies with the probability of the
   head's age band (partners are assumed to be of the head's age). Households
   of one adult (``alleenstaand``, ``eenouder``, a household of one person) end
   when the head dies; households of two adults (``paar``,
   ``paar_met_kinderen``, ``overig`` of two or more) end when both die, and
   continue when one dies: ``paar`` becomes ``alleenstaand``,
   ``paar_met_kinderen`` becomes ``eenouder``, ``overig`` loses a member (and
   becomes ``alleenstaand`` at one person); size −1, income ×
   ``survivor_income_factor``. Children of a one-parent household whose parent
   dies leave the model with the household (a simplification). A single
   (``alleenstaand``) household also ends when it moves into a care home
   (``care_admission``). An ended household leaves its dwelling (which becomes
   vacant), gets ``h_state`` DISSOLVED, and the ledger gets one row with cause
   ``DISSOLUTION``, route ``NONE`` and no destination.
4. **Separation** of housed couples (``paar``, ``paar_met_kinderen``): one
   partner stays in the dwelling (``paar`` → ``alleenstaand``,
   ``paar_met_kinderen`` → ``eenouder``, children stay; size −1) and keeps
   ``1 - separation_income_share`` of the income; the other becomes a new
   one-person household without a dwelling that seeks one. Its seek cause is
   :attr:`Cause.VOLUNTARY` (a move of its own choice inside the region; it is
   not a *starter* leaving the parental home), its ``h_seek_from`` is the
   shared dwelling (so that the ledger row written when it is housed can say
   where it came from). It keeps the age, income source, years in the region
   and registration of the household, and takes ``separation_income_share``
   of the income.
5. **Leaving the parental home**: a housed household with children
   (``paar_met_kinderen`` or ``eenouder`` with more members than adults) sees
   one child leave with the probability of the head's age band (it stands for
   "a child aged 18–25 lives at home and leaves this year"). The household
   loses a member (``paar_met_kinderen`` → ``paar`` and ``eenouder`` →
   ``alleenstaand`` when the last child leaves); the child is a new
   ``alleenstaand`` household of one person without a dwelling seeking with
   cause :attr:`Cause.STARTER` (``h_seek_from`` = the parental dwelling), aged
   ``starter_age``, studying with probability ``starter_study_share`` (else
   working), with an income drawn from the current income distribution of the
   region (``study_income_quantiles``/``work_income_quantiles``), registered
   on the waiting list since the age of ``registration_start_age`` with
   probability ``starter_registered_share``, and years in the region =
   min(age, the parents' years in the region).
6. **Income transitions**. Income sources first: at ``pension_age`` every
   head moves to ``pensioen`` (income × ``pension_income_factor`` when it
   came from work); below it ``uitkering`` → ``werk`` (``benefit_to_work``,
   income × ``to_work_income_factor``), ``werk`` → ``uitkering``
   (``work_to_benefit``, × ``to_benefit_income_factor``) and, from
   ``study_end_age``, ``studie`` → ``werk`` (``study_to_work``, ×
   ``study_to_work_income_factor``). Households whose source did not change
   then follow a Markov chain over the ``k`` income classes of the region
   (``k`` = size of ``income_mobility``; classes are the ``k``-quantiles of the
   incomes of ACTIVE households at that moment, so the chain is free of price
   levels): a household that changes class gets an income drawn uniformly in
   quantile terms within its new class. A move to a higher class is an
   upward move (*sociale stijger*), counted in ``income_up``.
7. The new households of steps 4 and 5 are appended in the order of the id of
   the household they came from (separation before the child), so their ids
   do not depend on the order of the arrays.

Every random draw is ``crn_uniform(key, step, h_id, sub)`` of the household
concerned (for new households: of the household they came from):
``Step.DEATH`` sub 0 (head), 1 (partner), 2 (care admission);
``Step.DISSOLUTION`` sub 0 (separation); ``Step.FORMATION`` sub 0 (a child
leaves), 1 (its age), 2 (study), 3 (income), 4 (registered);
``Step.INCOME`` sub 0 (income source), 1 (class transition), 2 (position in the
new class). Results therefore do not depend on the order of the arrays.

The module also holds the parameter validation helpers shared with
:mod:`wijkmix.sim.moves` (:func:`check_table`, :func:`param_number`,
:func:`param_bands`, :func:`param_range`, :func:`param_bool`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, Self

import numpy as np

from wijkmix.sim._params_util import (
    AgeRate,
    band_values,
    check_table,
    normalise_fields,
    param_age,
    param_ages,
    param_bands,
    param_bool,
    param_factor,
    param_matrix,
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
from wijkmix.sim.state import (
    HOUSEHOLD_TYPES,
    INCOME_SOURCES,
    Cause,
    HouseholdState,
    Ledger,
    Route,
    State,
)

__all__ = [
    "AgeRate",
    "DemographyParams",
    "DemographyReport",
    "apply_demography",
    "band_values",
    "check_table",
    "end_households",
    "income_at",
    "normalise_fields",
    "param_bands",
    "param_bool",
    "param_matrix",
    "param_number",
    "param_range",
    "param_shares",
    "parse_fields",
    "with_sources",
]

ALLEENSTAAND, PAAR, PAAR_MET_KINDEREN, EENOUDER, OVERIG = (
    HOUSEHOLD_TYPES.index(t)
    for t in ("alleenstaand", "paar", "paar_met_kinderen", "eenouder", "overig")
)
WERK, UITKERING, PENSIOEN, STUDIE = (
    INCOME_SOURCES.index(s) for s in ("werk", "uitkering", "pensioen", "studie")
)


# -- parameters -------------------------------------------------------------------------------
def _growth(v: Any, f: str) -> float:
    return param_number(v, f, lo=-0.5, hi=1.0)


_DEMOGRAPHY_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "mortality": param_rates,
    "care_admission": param_rates,
    "survivor_income_factor": param_factor,
    "separation": param_rates,
    "separation_income_share": param_share,
    "leaving_home": param_rates,
    "starter_age": param_ages,
    "starter_study_share": param_share,
    "starter_registered_share": param_share,
    "registration_start_age": param_age,
    "study_income_quantiles": param_range,
    "work_income_quantiles": param_range,
    "income_growth": _growth,
    "income_mobility": param_matrix,
    "pension_age": param_age,
    "pension_income_factor": param_factor,
    "benefit_to_work": param_share,
    "to_work_income_factor": param_factor,
    "work_to_benefit": param_share,
    "to_benefit_income_factor": param_factor,
    "study_end_age": param_age,
    "study_to_work": param_share,
    "study_to_work_income_factor": param_factor,
}

_DEMOGRAPHY_SOURCES: dict[str, str] = {
    "mortality": (
        "CBS StatLine 37360, Levensverwachting; geslacht, leeftijd (sterftekans per leeftijd, "
        "2019), gemiddelde van mannen en vrouwen rond het midden van de leeftijdsklasse, afgerond"
    ),
    "care_admission": (
        "orde van grootte: CBS StatLine Bevolking; ... institutionele huishoudens — ongeveer 1 op "
        "8 personen van 85+ woont in een instelling bij een verblijfsduur van circa 2 jaar; "
        "wijkmix-aanname"
    ),
    "survivor_income_factor": (
        "SVB, AOW-bedragen 2019: alleenstaande ca. 70 % van het bedrag van een paar; ook gebruikt "
        "voor huishoudens onder de AOW-leeftijd (wijkmix-aanname)"
    ),
    "separation": (
        "CBS StatLine Echtscheidingen en CBS Bevolkingstrends over het uit elkaar gaan van "
        "samenwoners: samen circa 1,5 % van de paren per jaar, hoger bij jonge paren; afgerond"
    ),
    "separation_income_share": (
        "CBS Emancipatiemonitor 2020: vrouwen brengen gemiddeld circa 40 % van het inkomen van "
        "paren in; wijkmix-aanname voor de vertrekkende partner"
    ),
    "leaving_home": (
        "CBS (Statistische trends, uit huis gaan): jongeren verlaten gemiddeld rond 23 jaar het "
        "ouderlijk huis, ouders zijn dan circa 48–58 jaar; circa 190 000 uithuisgaanden per jaar "
        "op 7,9 mln huishoudens; kansen per leeftijd van de ouder afgeleid (wijkmix-aanname)"
    ),
    "starter_age": "CBS: uithuisgaanden zijn meestal 18–25 jaar",
    "starter_study_share": (
        "CBS: circa 40 % van de uithuisgaanden gaat (ook) voor studie uit huis; afgerond"
    ),
    "starter_registered_share": "wijkmix-aanname: ongeveer de helft schrijft zich vanaf 18 in",
    "registration_start_age": "inschrijving als woningzoekende kan in de meeste regio's vanaf 18",
    "study_income_quantiles": (
        "wijkmix-aanname: studenten (studiefinanciering en bijbaan) tussen de laagste 0–8 % "
        "van de huishoudensinkomens"
    ),
    "work_income_quantiles": (
        "wijkmix-aanname: werkende starters (eenpersoonsinkomen) tussen 8 % en 45 % van de "
        "verdeling van huishoudensinkomens"
    ),
    "income_growth": (
        "CBS StatLine 82838NED, Cao-lonen (jaarmutatie): gemiddeld circa 2,5 % per jaar "
        "2015–2023; nominaal, net als de jaarlijks geïndexeerde inkomensgrenzen"
    ),
    "income_mobility": (
        "CBS, inkomensmobiliteit (Sociaaleconomische trends): per jaar blijft 65–85 % van de "
        "huishoudens in hetzelfde inkomenskwintiel, het meest aan de randen; symmetrische, "
        "dubbel-stochastische benadering zodat de kwintielen 20 % blijven"
    ),
    "pension_age": "AOW-leeftijd 67 jaar (2024; 2019: 66 jaar en 4 maanden), SVB",
    "pension_income_factor": (
        "OECD Pensions at a Glance 2019: bruto vervangingsratio Nederland circa 75–80 %; afgerond"
    ),
    "benefit_to_work": (
        "CBS StatLine Bijstandsuitkeringen (uitstroom naar reden): circa 6 % van de "
        "uitkeringshuishoudens per jaar naar werk; afgerond"
    ),
    "to_work_income_factor": "wijkmix-aanname: eerste baan na bijstand ca. 1,6 × bijstandsniveau",
    "work_to_benefit": (
        "CBS StatLine WW- en bijstandsinstroom: circa 1,2 % van de werkenden per jaar; afgerond"
    ),
    "to_benefit_income_factor": "WW 70–75 % van het loon, bijstand lager: gemiddeld circa 60 %",
    "study_end_age": "CBS: gemiddelde leeftijd bij afstuderen hbo/wo circa 23–25 jaar",
    "study_to_work": "wijkmix-aanname: de helft per jaar vanaf study_end_age",
    "study_to_work_income_factor": (
        "CBS: startsalaris circa 2,5 × studentinkomen (studiefinanciering en bijbaan); afgerond"
    ),
}


def _default_mortality() -> tuple[AgeRate, ...]:
    return tuple(
        AgeRate(a, r)
        for a, r in (
            (0, 0.0004),
            (35, 0.0009),
            (45, 0.0025),
            (55, 0.006),
            (65, 0.014),
            (75, 0.045),
            (85, 0.15),
            (95, 0.35),
        )
    )


_MOBILITY = (
    (0.80, 0.14, 0.04, 0.015, 0.005),
    (0.14, 0.68, 0.13, 0.04, 0.01),
    (0.04, 0.13, 0.66, 0.14, 0.03),
    (0.015, 0.04, 0.14, 0.70, 0.105),
    (0.005, 0.01, 0.03, 0.105, 0.85),
)


@dataclass(frozen=True)
class DemographyParams:
    """Rates of demographic events and income transitions (yearly).

    Every default carries its source in :attr:`sources`; values marked
    *wijkmix-aanname* there are plausible assumptions, not measurements.

    Attributes
    ----------
    mortality : tuple of AgeRate
        Probability that an adult dies within the year, by age of the head
        (0.04 % under 35 … 15 % at 85–94, 35 % from 95).
    care_admission : tuple of AgeRate
        Probability that a single (``alleenstaand``) household moves into a care
        home, which ends the household (1 % at 75–84, 6 % from 85).
    survivor_income_factor : float
        Income of a household that loses one of two adults, as a share of the
        income before (0.7).
    separation : tuple of AgeRate
        Probability that a couple separates, by age of the head (2.5 % under
        35, 1.5 % at 35–44, 1 % at 45–54, 0.6 % at 55–64, 0.2 % from 65).
    separation_income_share : float
        Share of the couple's income the leaving partner takes (0.4).
    leaving_home : tuple of AgeRate
        Probability that a child leaves a household with children, by age of
        the head (0 under 38, rising to 15 % at 48–57, 0 from 70).
    starter_age : (int, int)
        Youngest and oldest age of a child leaving home (18, 25), uniform.
    starter_study_share : float
        Share of leaving children who study (0.4); the others work.
    starter_registered_share : float
        Share of leaving children registered as seekers since
        ``registration_start_age`` (0.5).
    registration_start_age : int
        Age from which one can register as a seeker (18).
    study_income_quantiles, work_income_quantiles : (float, float)
        Range, as quantiles of the incomes of ACTIVE households, within which
        the income of a studying or working starter is drawn uniformly.
    income_growth : float
        Nominal yearly growth of every income (0.025).
    income_mobility : tuple of tuple of float
        Yearly transition matrix between income classes (``k``-quantiles of the
        ACTIVE households' incomes); rows add up to 1. Default: quintiles.
    pension_age : int
        State pension (AOW) age; every head from this age lives on ``pensioen`` (67).
    pension_income_factor : float
        Income after retirement from work, as a share of the income before (0.75).
    benefit_to_work, to_work_income_factor : float
        Probability ``uitkering`` → ``werk`` (0.06) and the income factor (1.6).
    work_to_benefit, to_benefit_income_factor : float
        Probability ``werk`` → ``uitkering`` (0.012) and the income factor (0.6).
    study_end_age, study_to_work, study_to_work_income_factor : int, float, float
        From ``study_end_age`` (25) a studying head starts to work with
        probability ``study_to_work`` (0.5); income factor 2.5.
    sources : Mapping[str, str]
        Source of every value (Dutch); an overridden value's source is the
        field it was read from.

    Examples
    --------
    >>> p = DemographyParams.from_dict({"pension_age": 66}, field="params.demography")
    >>> p.pension_age, p.sources["pension_age"]
    (66, 'opgegeven in params.demography.pension_age')
    >>> DemographyParams.from_dict({"mortality": [{"min_age": 0, "rate": -1}]},
    ...                            field="params.demography")
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: value out of range in field \
'params.demography.mortality[0].rate': expected a number from 0 to 1, found -1.
    """

    mortality: tuple[AgeRate, ...] = field(default_factory=_default_mortality)
    care_admission: tuple[AgeRate, ...] = (AgeRate(0, 0.0), AgeRate(75, 0.01), AgeRate(85, 0.06))
    survivor_income_factor: float = 0.7
    separation: tuple[AgeRate, ...] = (
        AgeRate(0, 0.025),
        AgeRate(35, 0.015),
        AgeRate(45, 0.01),
        AgeRate(55, 0.006),
        AgeRate(65, 0.002),
    )
    separation_income_share: float = 0.4
    leaving_home: tuple[AgeRate, ...] = (
        AgeRate(0, 0.0),
        AgeRate(38, 0.03),
        AgeRate(43, 0.08),
        AgeRate(48, 0.15),
        AgeRate(58, 0.10),
        AgeRate(63, 0.04),
        AgeRate(70, 0.0),
    )
    starter_age: tuple[int, int] = (18, 25)
    starter_study_share: float = 0.4
    starter_registered_share: float = 0.5
    registration_start_age: int = 18
    study_income_quantiles: tuple[float, float] = (0.0, 0.08)
    work_income_quantiles: tuple[float, float] = (0.08, 0.45)
    income_growth: float = 0.025
    income_mobility: tuple[tuple[float, ...], ...] = _MOBILITY
    pension_age: int = 67
    pension_income_factor: float = 0.75
    benefit_to_work: float = 0.10
    to_work_income_factor: float = 1.6
    work_to_benefit: float = 0.011
    to_benefit_income_factor: float = 0.6
    study_end_age: int = 25
    study_to_work: float = 0.5
    study_to_work_income_factor: float = 2.5
    sources: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(dict(_DEMOGRAPHY_SOURCES)), compare=False
    )

    def __post_init__(self) -> None:
        normalise_fields(self, _DEMOGRAPHY_PARSERS)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str = "params.demography") -> Self:
        """Defaults overridden by a TOML table (``[params.demography]``).

        Keys are the attribute names (except ``sources``); bands are lists of
        tables ``{min_age = …, rate = …}``, the matrix a list of rows.

        Raises
        ------
        InputError
            For an unknown key or a bad value; ``where`` is the dotted field
            (``params.demography.mortality[2].rate``).
        """
        kw = parse_fields(d, field, _DEMOGRAPHY_PARSERS)
        return cls(**kw, sources=with_sources(_DEMOGRAPHY_SOURCES, field, kw))


class _HasDemography(Protocol):
    demography: DemographyParams


# -- report -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemographyReport:
    """Counts of one year's demography step.

    Attributes
    ----------
    aged : int
        ACTIVE households at the start of the step (all aged one year).
    deaths : int
        Adults who died.
    dissolved : int
        Households that ended (death of the last adult or care admission).
    care_admissions : int
        Single households that ended by moving into a care home.
    widowed : int
        Households that lost one of two adults and continue.
    separations : int
        Couples that separated (each created one new seeking household).
    starters : int
        Children who left the parental home (new STARTER seekers).
    new_households : int
        ``separations + starters``.
    income_up, income_down : int
        Households that moved to a higher / lower income class (Markov chain).
    to_work, to_benefit, to_pension, study_to_work : int
        Income source transitions.
    """

    aged: int
    deaths: int
    dissolved: int
    care_admissions: int
    widowed: int
    separations: int
    starters: int
    new_households: int
    income_up: int
    income_down: int
    to_work: int
    to_benefit: int
    to_pension: int
    study_to_work: int


# -- the step ---------------------------------------------------------------------------------
def _adults(h_type: np.ndarray, h_size: np.ndarray) -> np.ndarray:
    """1 for one-adult households, 2 for couples and ``overig`` of two or more."""
    one = (h_type == ALLEENSTAAND) | (h_type == EENOUDER) | (h_size <= 1)
    return np.where(one, 1, 2).astype(np.int16)


def end_households(
    state: State,
    households: np.ndarray,
    *,
    ledger: Ledger,
    year: int,
    replicate: int,
    new_state: HouseholdState,
    cause: Cause,
) -> None:
    """Take households out of the run (vacate, set ``h_state``) with one ledger row each.

    The ledger row has ``from_dwelling`` = the dwelling left (-1 when not
    housed), no destination and route ``NONE``. Seeking stops.
    """
    hh = np.asarray(households, dtype=np.int64)
    if len(hh) == 0:
        return
    dw = state.h_dwelling[hh].astype(np.int64)
    housed = dw >= 0
    from_buurt = np.where(housed, state.d_buurt[np.where(housed, dw, 0)], -1)
    ledger.append(
        replicate=replicate,
        year=year,
        household=hh,
        household_id=state.h_id[hh],
        from_dwelling=dw,
        to_dwelling=-1,
        from_buurt=from_buurt,
        to_buurt=-1,
        cause=int(cause),
        route=int(Route.NONE),
    )
    state.vacate(hh)
    state.h_state[hh] = int(new_state)
    state.h_seek_cause[hh] = -1
    state.h_seek_from[hh] = -1


def income_at(pool_sorted: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Incomes at quantiles ``q`` of a sorted income pool (0 when the pool is empty).

    The same as ``numpy.quantile(pool_sorted, q)`` (linear interpolation), for a
    pool that is already sorted.

    Examples
    --------
    >>> income_at(np.array([10.0, 20.0, 30.0]), np.array([0.0, 0.5, 1.0])).tolist()
    [10.0, 20.0, 30.0]
    """
    q = np.asarray(q, dtype=np.float64)
    n = len(pool_sorted)
    if n == 0:
        return np.zeros(q.shape)
    # numpy's default ("linear") quantile, without its per-call sort or partition
    pos = np.clip(q, 0.0, 1.0) * (n - 1)
    lo = np.minimum(np.floor(pos).astype(np.int64), n - 1)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    return pool_sorted[lo] + frac * (pool_sorted[hi] - pool_sorted[lo])


def apply_demography(
    state: State,
    *,
    year: int,
    key: CrnKey,
    params: DemographyParams | _HasDemography,
    ledger: Ledger,
    replicate: int,
) -> DemographyReport:
    """Age households, let them die, separate, leave home and change income.

    Parameters
    ----------
    state : State
        Mutated in place; new households are appended.
    year : int
        Simulated year (for the ledger).
    key : CrnKey
        Random key of this year.
    params : DemographyParams or an object with ``.demography`` (SimParams)
    ledger : Ledger
        Receives one ``DISSOLUTION`` row per ended household.
    replicate : int
        Monte Carlo replicate (for the ledger).

    Returns
    -------
    DemographyReport
    """
    p = params_of(params, DemographyParams, "demography", "apply_demography")
    active = np.flatnonzero(state.h_state == HouseholdState.ACTIVE)
    n_active = len(active)

    # 1. ageing and 2. nominal income growth
    state.h_age[active] += 1
    state.h_years_region[active] += 1
    state.h_registration[active] += 1
    state.h_years_dwelling[active[state.h_dwelling[active] >= 0]] += 1
    state.h_income[active] *= 1.0 + p.income_growth

    # 3. death and care admission
    ids = state.h_id[active]
    age = state.h_age[active]
    adults = _adults(state.h_type[active], state.h_size[active])
    q = band_values(p.mortality, "min_age", "rate", age)
    head_dies = crn_uniform(key, Step.DEATH, ids, sub=0) < q
    partner_dies = (adults == 2) & (crn_uniform(key, Step.DEATH, ids, sub=1) < q)
    ends = np.where(adults == 1, head_dies, head_dies & partner_dies)
    widow = (adults == 2) & (head_dies ^ partner_dies)
    single = (state.h_type[active] == ALLEENSTAAND) & ~ends
    q_care = band_values(p.care_admission, "min_age", "rate", age)
    care = single & (crn_uniform(key, Step.DEATH, ids, sub=2) < q_care)
    deaths = int(head_dies.sum() + partner_dies.sum())
    end_households(
        state,
        active[ends | care],
        ledger=ledger,
        year=year,
        replicate=replicate,
        new_state=HouseholdState.DISSOLVED,
        cause=Cause.DISSOLUTION,
    )
    w = active[widow]
    w_type = state.h_type[w]
    w_size = np.maximum(state.h_size[w] - 1, 1).astype(np.int16)
    state.h_size[w] = w_size
    state.h_type[w] = np.select(
        [w_type == PAAR, w_type == PAAR_MET_KINDEREN, w_size == 1],
        [ALLEENSTAAND, EENOUDER, ALLEENSTAAND],
        default=w_type,
    )
    state.h_income[w] *= p.survivor_income_factor
    alive = active[~(ends | care)]
    widowed = np.zeros(state.n_households, dtype=bool)
    widowed[w] = True

    # 4. separation of housed couples
    housed = state.h_dwelling[alive] >= 0
    t_alive = state.h_type[alive]
    couples = alive[housed & ((t_alive == PAAR) | (t_alive == PAAR_MET_KINDEREN)) & ~widowed[alive]]
    q_sep = band_values(p.separation, "min_age", "rate", state.h_age[couples])
    sep = couples[crn_uniform(key, Step.DISSOLUTION, state.h_id[couples], sub=0) < q_sep]
    sep_income = state.h_income[sep] * p.separation_income_share
    new_sep = {
        "parent_id": state.h_id[sep],
        "h_age": state.h_age[sep].copy(),
        "h_income": sep_income,
        "h_source": state.h_source[sep].copy(),
        "h_years_region": state.h_years_region[sep].copy(),
        "h_registration": state.h_registration[sep].copy(),
        "h_seek_from": state.h_dwelling[sep].copy(),
        "h_seek_cause": np.full(len(sep), int(Cause.VOLUNTARY)),
    }
    state.h_income[sep] -= sep_income
    state.h_size[sep] = np.maximum(state.h_size[sep] - 1, 1)
    state.h_type[sep] = np.where(state.h_type[sep] == PAAR, ALLEENSTAAND, EENOUDER)

    # 5. a child leaves the parental home
    t_alive = state.h_type[alive]
    with_children = (t_alive == PAAR_MET_KINDEREN) | (t_alive == EENOUDER)
    fam = alive[housed & with_children]
    fam = fam[state.h_size[fam] > _adults(state.h_type[fam], state.h_size[fam])]
    fam_ids = state.h_id[fam]
    q_leave = band_values(p.leaving_home, "min_age", "rate", state.h_age[fam])
    leaves = crn_uniform(key, Step.FORMATION, fam_ids, sub=0) < q_leave
    par = fam[leaves]
    par_ids = fam_ids[leaves]
    state.h_size[par] -= 1
    par_type = state.h_type[par]
    state.h_type[par] = np.where(
        (par_type == PAAR_MET_KINDEREN) & (state.h_size[par] <= 2),
        PAAR,
        np.where((par_type == EENOUDER) & (state.h_size[par] <= 1), ALLEENSTAAND, par_type),
    )
    lo_age, hi_age = p.starter_age
    child_age = lo_age + np.floor(
        crn_uniform(key, Step.FORMATION, par_ids, sub=1) * (hi_age - lo_age + 1)
    ).astype(np.int64)
    child_age = np.minimum(child_age, hi_age)
    studies = crn_uniform(key, Step.FORMATION, par_ids, sub=2) < p.starter_study_share
    registered = crn_uniform(key, Step.FORMATION, par_ids, sub=4) < p.starter_registered_share

    # 6. income transitions
    src = state.h_source[alive]
    age = state.h_age[alive]
    u_src = crn_uniform(key, Step.INCOME, state.h_id[alive], sub=0)
    below = age < p.pension_age
    to_pension = ~below & (src != PENSIOEN)
    to_work = below & (src == UITKERING) & (u_src < p.benefit_to_work)
    to_benefit = below & (src == WERK) & (u_src < p.work_to_benefit)
    study_work = below & (src == STUDIE) & (age >= p.study_end_age) & (u_src < p.study_to_work)
    factor = np.ones(len(alive))
    factor[to_pension & (src == WERK)] = p.pension_income_factor
    factor[to_work] = p.to_work_income_factor
    factor[to_benefit] = p.to_benefit_income_factor
    factor[study_work] = p.study_to_work_income_factor
    state.h_income[alive] *= factor
    new_src = src.copy()
    new_src[to_pension] = PENSIOEN
    new_src[to_work | study_work] = WERK
    new_src[to_benefit] = UITKERING
    state.h_source[alive] = new_src
    changed_src = to_pension | to_work | to_benefit | study_work

    pool = np.sort(state.h_income[alive])
    k = len(p.income_mobility)
    up = down = 0
    if len(pool):
        cuts = income_at(pool, np.arange(1, k) / k)
        mk = alive[~changed_src]
        cls = np.searchsorted(cuts, state.h_income[mk], side="right")
        cum = np.cumsum(np.asarray(p.income_mobility), axis=1)
        cum[:, -1] = 1.0
        u_cls = crn_uniform(key, Step.INCOME, state.h_id[mk], sub=1)
        new_cls = np.minimum((u_cls[:, None] >= cum[cls]).sum(axis=1), k - 1)
        moved = new_cls != cls
        u_pos = crn_uniform(key, Step.INCOME, state.h_id[mk[moved]], sub=2)
        state.h_income[mk[moved]] = income_at(pool, (new_cls[moved] + u_pos) / k)
        up = int((new_cls > cls).sum())
        down = int((new_cls < cls).sum())
        pool = np.sort(state.h_income[alive])

    # 7. new households (separated partners, then children), in the order of their origin
    u_inc = crn_uniform(key, Step.FORMATION, par_ids, sub=3)
    s_lo, s_hi = p.study_income_quantiles
    w_lo, w_hi = p.work_income_quantiles
    child_q = np.where(studies, s_lo + u_inc * (s_hi - s_lo), w_lo + u_inc * (w_hi - w_lo))
    new_child = {
        "parent_id": par_ids,
        "h_age": child_age,
        "h_income": income_at(pool, child_q),
        "h_source": np.where(studies, STUDIE, WERK),
        "h_years_region": np.minimum(child_age, state.h_years_region[par]),
        "h_registration": np.where(
            registered, np.maximum(child_age - p.registration_start_age, 0), 0
        ).astype(np.float32),
        "h_seek_from": state.h_dwelling[par].copy(),
        "h_seek_cause": np.full(len(par), int(Cause.STARTER)),
    }
    n_new = len(sep) + len(par)
    if n_new:
        cols = {c: np.concatenate([new_sep[c], new_child[c]]) for c in new_sep}
        kind = np.concatenate([np.zeros(len(sep)), np.ones(len(par))])
        order = np.lexsort((kind, cols.pop("parent_id")))
        cols = {c: v[order] for c, v in cols.items()}
        false = np.zeros(n_new, dtype=bool)
        state.add_households(
            h_size=np.ones(n_new, dtype=np.int16),
            h_type=np.full(n_new, ALLEENSTAAND, dtype=np.int8),
            h_vulnerable=false,
            h_statushouder=false,
            h_urgent=false,
            h_crucial=false,
            h_years_dwelling=np.zeros(n_new, dtype=np.int16),
            **cols,
        )

    return DemographyReport(
        aged=n_active,
        deaths=deaths,
        dissolved=int((ends | care).sum()),
        care_admissions=int(care.sum()),
        widowed=len(w),
        separations=len(sep),
        starters=len(par),
        new_households=n_new,
        income_up=up,
        income_down=down,
        to_work=int(to_work.sum()),
        to_benefit=int(to_benefit.sum()),
        to_pension=int(to_pension.sum()),
        study_to_work=int(study_work.sum()),
    )
