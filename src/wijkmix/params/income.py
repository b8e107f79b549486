"""Dated income thresholds and the housing-segment limits that go with them.

Two CBS income classifications are published per buurt in *Kerncijfers wijken
en buurten* (KWB), and wijkmix must be able to reproduce them from a household's
gross yearly ``income``:

*Laag inkomen* (``pct_low_income_households``)
    CBS: the standardised disposable household income (excluding huurtoeslag),
    deflated to 2000 prices, is below **€9,249** — about the purchasing power of
    the social assistance of a single person in 1979 (CBS, *Toelichting
    Kerncijfers wijken en buurten 2023*, p. 19). In current prices the limit of
    year *t* is ``9249 × CPI(t) / CPI(2000)``; standardising divides a
    household's income by the CBS equivalence factor of its size.

*Onder of rond sociaal minimum* (``pct_households_social_minimum``)
    CBS: the disposable household income excluding bound allowances is below
    **101 %** of the social minimum that applies to the household: the
    social-assistance norm (Participatiewet) of a single person or a couple,
    plus child benefit and child budget per child; from the state pension age
    the AOW of a single person or a couple (same *Toelichting*, p. 19).

Both are defined on *disposable* income; wijkmix registers carry *gross*
yearly household income. :data:`GROSS_PER_DISPOSABLE` converts: at the level of
the social minimum, gross household income is about 15 % above disposable
income (taxes and premiums net of tax credits; child benefits are untaxed).
The factor is an approximation, applied in both directions (synthesis and
classification) so that classifying a synthetic population by these functions
reproduces the shares it was calibrated to.

Amounts of the social minimum are yearly, net, including holiday allowance,
rounded to €10, from the norms in force on 1 January of the year; they are
approximations good to a few per cent and carry their source.

The module also holds the dated limits that split dwellings into segments
(liberalisation limit, upper limit of middenhuur, affordable purchase), which
the synthesis needs together with the income limits.

Examples
--------
>>> p = income_params(2019)
>>> round(p.low_income_limit_single)
13086
>>> p.liberalisation_limit
720.42
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from wijkmix.errors import InputError

__all__ = [
    "CPI_CHANGE",
    "EQUIVALENCE_FACTORS",
    "GROSS_PER_DISPOSABLE",
    "LOW_INCOME_LIMIT_2000",
    "SOCIAL_MINIMUM_MARGIN",
    "YEARS",
    "IncomeParams",
    "children_in_household",
    "income_params",
    "is_low_income",
    "is_social_minimum",
    "low_income_threshold",
    "social_minimum_threshold",
    "social_minimum_threshold_by_members",
]

#: CBS low-income limit in 2000 prices, euro per year, standardised disposable
#: income (CBS, Toelichting Kerncijfers wijken en buurten 2023, p. 19).
LOW_INCOME_LIMIT_2000 = 9249.0

#: Yearly change of the CBS consumer price index (CPI, all households), percent,
#: 2001 onwards (CBS StatLine 83131NED, jaarmutatie CPI).
CPI_CHANGE: Mapping[int, float] = MappingProxyType(
    {
        2001: 4.2, 2002: 3.3, 2003: 2.1, 2004: 1.2, 2005: 1.7, 2006: 1.1,
        2007: 1.6, 2008: 2.5, 2009: 1.2, 2010: 1.3, 2011: 2.3, 2012: 2.5,
        2013: 2.5, 2014: 1.0, 2015: 0.6, 2016: 0.3, 2017: 1.4, 2018: 1.7,
        2019: 2.6, 2020: 1.3, 2021: 2.7, 2022: 10.0, 2023: 3.8, 2024: 3.3,
    }
)  # fmt: skip

#: CBS equivalence factors by household size (index 0 = 1 person; the last
#: value applies to larger households). CBS, *Welvaart in Nederland*,
#: methodological appendix (factors for a couple with children: 1.00, 1.37,
#: 1.63, 1.86, 2.05, 2.22, 2.37, 2.50); applied to every household of that size.
EQUIVALENCE_FACTORS: tuple[float, ...] = (1.00, 1.37, 1.63, 1.86, 2.05, 2.22, 2.37, 2.50)

#: CBS counts a household as "onder of rond sociaal minimum" below 101 % of the norm.
SOCIAL_MINIMUM_MARGIN = 1.01

#: Gross household income per euro of disposable income near the social
#: minimum (wijkmix approximation; see the module docstring).
GROSS_PER_DISPOSABLE = 1.15

_SRC_BIJSTAND = (
    "Rijksoverheid, normbedragen Participatiewet per 1 januari {y} "
    "(netto, incl. vakantietoeslag; afgerond)"
)
_SRC_AOW = "SVB, AOW-bedragen per 1 januari {y} (netto, incl. vakantiegeld; afgerond)"
_SRC_CHILD = (
    "SVB kinderbijslag en Belastingdienst kindgebonden budget {y}, "
    "gemiddeld per kind bij minimuminkomen (afgerond)"
)
_SRC_AOW_AGE = "Rijksoverheid, AOW-leeftijd {y}"
_SRC_LIB = "Rijksoverheid, huurtoeslag: maximale huurgrens (liberalisatiegrens) {y}"
_SRC_MID_OLD = (
    "geen wettelijke grens vóór de Wet betaalbare huur (1 juli 2024); "
    "gangbare gemeentelijke bovengrens middenhuur ca. €1.000 per maand"
)
_SRC_MID_2024 = "Wet betaalbare huur (1 juli 2024): huur bij 186 WWS-punten, €1.157,95 (2024)"
_SRC_NHG = "Nationale Hypotheek Garantie, kostengrens {y} (betaalbare koop = WOZ tot deze grens)"
_SRC_BIJSTAND_PP = (
    "wijkmix-aanname: ca. 1,1 personen met bijstand per bijstandshuishouden "
    "(paren ontvangen één gezamenlijke uitkering; CBS telt personen)"
)

# year: (bijstand single, bijstand couple, AOW single, AOW couple, per child,
#        AOW age, liberalisation limit, middenhuur upper limit, NHG limit)
_TABLE: dict[int, tuple[float, float, float, float, float, float, float, float, float]] = {
    2019: (12140, 17340, 14700, 20280, 2100, 66 + 4 / 12, 720.42, 1000.00, 290_000),
    2020: (12560, 17940, 14950, 20600, 2150, 66 + 4 / 12, 737.14, 1000.00, 310_000),
    2021: (12850, 18360, 15250, 21000, 2200, 66 + 4 / 12, 752.33, 1000.00, 325_000),
    2022: (13150, 18790, 15500, 21300, 2250, 66 + 7 / 12, 763.47, 1000.00, 355_000),
    2023: (15200, 21710, 17600, 24200, 2900, 66 + 10 / 12, 808.06, 1000.00, 405_000),
    2024: (16370, 23390, 18550, 25500, 3600, 67.0, 879.66, 1157.95, 435_000),
}

#: The years for which :func:`income_params` has values.
YEARS: tuple[int, ...] = tuple(sorted(_TABLE))


@dataclass(frozen=True)
class IncomeParams:
    """Income and segment limits of one year.

    All amounts in euro. Income amounts are yearly; rents are monthly.

    Attributes
    ----------
    year : int
    low_income_limit_single : float
        CBS low-income limit of a single person, disposable, current prices.
    social_minimum_single, social_minimum_couple : float
        Social-assistance norm (yearly, net incl. holiday allowance) below the
        state pension age.
    social_minimum_pension_single, social_minimum_pension_couple : float
        AOW (yearly, net incl. holiday allowance) from the state pension age.
    social_minimum_per_child : float
        Child benefit plus child budget per child at a minimum income.
    aow_age : float
        State pension age in years (66 years and 4 months = 66.33).
    bijstand_persons_per_household : float
        Persons counted by CBS per household on social assistance.
    liberalisation_limit : float
        Social-rent ceiling (huurtoeslag maximum rent); above it is middenhuur.
    middenhuur_limit : float
        Upper limit of middenhuur; above it is vrije huur.
    affordable_purchase_limit : float
        WOZ value up to which an owner-occupied dwelling is ``koop_betaalbaar``.
    sources : Mapping[str, str]
        Source of each attribute.
    """

    year: int
    low_income_limit_single: float
    social_minimum_single: float
    social_minimum_couple: float
    social_minimum_pension_single: float
    social_minimum_pension_couple: float
    social_minimum_per_child: float
    aow_age: float
    bijstand_persons_per_household: float
    liberalisation_limit: float
    middenhuur_limit: float
    affordable_purchase_limit: float
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _cpi_factor(year: int) -> float:
    """CPI of ``year`` relative to 2000."""
    f = 1.0
    for y in range(2001, year + 1):
        f *= 1.0 + CPI_CHANGE[y] / 100.0
    return f


def income_params(year: int) -> IncomeParams:
    """Return the income and segment limits of ``year``.

    Raises
    ------
    InputError
        If there are no values for ``year``.
    """
    if year not in _TABLE:
        raise InputError(
            "no income parameters for this year",
            where="year",
            expected="one of " + ", ".join(str(y) for y in YEARS),
            found=year,
            hint="add the year's values to wijkmix.params.income with their sources",
        )
    bs, bc, aos, aoc, child, aow_age, lib, mid, nhg = _TABLE[year]
    y = str(year)
    sources = {
        "low_income_limit_single": (
            "CBS, Toelichting Kerncijfers wijken en buurten 2023, p. 19: €9.249 (prijzen 2000), "
            f"× CPI {y}/2000 (CBS 83131NED)"
        ),
        "social_minimum_single": _SRC_BIJSTAND.format(y=y),
        "social_minimum_couple": _SRC_BIJSTAND.format(y=y),
        "social_minimum_pension_single": _SRC_AOW.format(y=y),
        "social_minimum_pension_couple": _SRC_AOW.format(y=y),
        "social_minimum_per_child": _SRC_CHILD.format(y=y),
        "aow_age": _SRC_AOW_AGE.format(y=y),
        "bijstand_persons_per_household": _SRC_BIJSTAND_PP,
        "liberalisation_limit": _SRC_LIB.format(y=y),
        "middenhuur_limit": _SRC_MID_2024 if year >= 2024 else _SRC_MID_OLD,
        "affordable_purchase_limit": _SRC_NHG.format(y=y),
    }
    return IncomeParams(
        year=year,
        low_income_limit_single=LOW_INCOME_LIMIT_2000 * _cpi_factor(year),
        social_minimum_single=bs,
        social_minimum_couple=bc,
        social_minimum_pension_single=aos,
        social_minimum_pension_couple=aoc,
        social_minimum_per_child=child,
        aow_age=aow_age,
        bijstand_persons_per_household=1.1,
        liberalisation_limit=lib,
        middenhuur_limit=mid,
        affordable_purchase_limit=nhg,
        sources=MappingProxyType(sources),
    )


def _as_int(a: npt.ArrayLike) -> npt.NDArray[np.int64]:
    return np.asarray(a, dtype=np.int64)


def low_income_threshold(params: IncomeParams, size: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Gross yearly household income below which a household has a low income.

    Parameters
    ----------
    params : IncomeParams
    size : array_like of int
        Household size (persons, at least 1).

    Returns
    -------
    numpy.ndarray
        ``low_income_limit_single × equivalence factor(size) × GROSS_PER_DISPOSABLE``.
    """
    eq = np.asarray(EQUIVALENCE_FACTORS)
    idx = np.clip(_as_int(size), 1, len(eq)) - 1
    return params.low_income_limit_single * eq[idx] * GROSS_PER_DISPOSABLE


def children_in_household(
    household_type: npt.ArrayLike, size: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """Return the number of children implied by the household type and size.

    ``paar_met_kinderen``: ``size - 2``; ``eenouder``: ``size - 1``; every other
    type: 0.
    """
    t = np.asarray(household_type, dtype=object)
    s = _as_int(size)
    kids = np.where(t == "paar_met_kinderen", s - 2, np.where(t == "eenouder", s - 1, 0))
    return np.clip(kids, 0, None).astype(np.int64)


def social_minimum_threshold_by_members(
    params: IncomeParams,
    adults: npt.ArrayLike,
    children: npt.ArrayLike,
    pensioner: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Gross yearly social-minimum threshold from the members of the household.

    Parameters
    ----------
    params : IncomeParams
    adults : array_like of int
        Adults in the household: one gets the single norm, two or more the
        couple norm.
    children : array_like of int
        Children, each adding the per-child amount.
    pensioner : array_like of bool
        Whether the head has reached the state pension age (the AOW is then the norm).

    Returns
    -------
    numpy.ndarray
        ``101 % × (norm + children × per-child amount) × GROSS_PER_DISPOSABLE``.
    """
    kids = np.maximum(_as_int(children), 0)
    table = np.array(
        [
            params.social_minimum_single,
            params.social_minimum_pension_single,
            params.social_minimum_couple,
            params.social_minimum_pension_couple,
        ]
    )
    which = 2 * (_as_int(adults) >= 2) + np.asarray(pensioner, dtype=bool)
    norm = table[which] + kids * params.social_minimum_per_child
    factor = SOCIAL_MINIMUM_MARGIN * GROSS_PER_DISPOSABLE
    return norm * factor


def social_minimum_threshold(
    params: IncomeParams,
    size: npt.ArrayLike,
    household_type: npt.ArrayLike,
    age_head: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Gross yearly household income below which a household is at or below the social minimum.

    Parameters
    ----------
    params : IncomeParams
    size : array_like of int
        Household size (persons).
    household_type : array_like of str
        ``alleenstaand``, ``paar``, ``paar_met_kinderen``, ``eenouder`` or
        ``overig``; gives the number of children (:func:`children_in_household`).
        The adults are the other members.
    age_head : array_like of int
        Age of the head; from :attr:`IncomeParams.aow_age` the AOW is the norm.

    Returns
    -------
    numpy.ndarray
        See :func:`social_minimum_threshold_by_members`.
    """
    size_a = _as_int(size)
    kids = children_in_household(household_type, size_a)
    adults = np.maximum(size_a - kids, 1)
    pens = np.asarray(age_head, dtype=np.float64) >= params.aow_age
    return social_minimum_threshold_by_members(params, adults, kids, pens)


def is_low_income(
    params: IncomeParams, income: npt.ArrayLike, size: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Whether each household has a low income (CBS definition, on gross income)."""
    return np.asarray(income, dtype=np.float64) < low_income_threshold(params, size)


def is_social_minimum(
    params: IncomeParams,
    income: npt.ArrayLike,
    size: npt.ArrayLike,
    household_type: npt.ArrayLike,
    age_head: npt.ArrayLike,
) -> npt.NDArray[np.bool_]:
    """Whether each household is at or below 101 % of its social minimum (on gross income).

    The arguments are columns of the ``households`` register.
    """
    inc = np.asarray(income, dtype=np.float64)
    return inc < social_minimum_threshold(params, size, household_type, age_head)
