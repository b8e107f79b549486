"""Households in the occupied dwellings: type, size, age, income and flags.

Every step works on all households of all buurten at once; exact counts per
buurt come from ranking households within their buurt by a random key and
cutting the ranking at cumulative target counts (so the *number* per buurt is
exact and the *key* decides who).

1. **Occupancy**: ``dwellings - households`` dwellings of each buurt stay empty
   (``leeg``), drawn with weights 0.5 (corporatie), 2 (particuliere
   verhuurder) and 1 (eigenaar-bewoner): corporation dwellings rarely stand
   empty. Each other dwelling gets one household.
2. **Type**: ranked by floor area (with noise), the smallest dwellings get the
   buurt's one-person households, then ``overig``, ``paar``, ``eenouder`` and
   the largest ``paar_met_kinderen``.
3. **Age of the head**: ranked by a key that depends on the type and the owner
   (families are mid-age, private tenants young, owners older), cut at the
   head counts per KWB age group (weighted by :data:`HEADSHIP_RATES`).
4. **Size**: 1 (alleenstaand), 2 (paar), 2 or 3 (overig), and for households
   with children one child each plus the children needed to reach the buurt's
   persons, dealt at random over its households with children.
5. **Bijstand**: the buurt's bijstand households are the households with the
   lowest latent income among those below the state pension age; their
   ``income_source`` is ``uitkering`` and their income lies just below their
   social minimum.
6. **Income**: a latent score (lower in corporation dwellings, for one-parent
   families, young heads and students; bijstand lowest) ranks the households.
   The lowest ``pct_low_income_households`` get an income below the low-income
   threshold of their size; among them and the others, households are chosen
   so that exactly ``pct_households_social_minimum`` are below 101 % of their
   social minimum (:mod:`wijkmix.params.income`; which of the two thresholds is
   lower depends on the household). Incomes above both thresholds follow the
   latent score (log-normal) and are scaled so that the buurt's total income
   per person equals ``avg_income_per_inhabitant``.
7. **Flags and durations**: ``vulnerable_care``, ``statushouder``, ``urgent``
   at small rates per owner (:class:`FlagRates`, higher in corporation stock),
   ``crucial_profession`` among households living from work; years in the
   dwelling and in the municipality, and waiting-list registration years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wijkmix.errors import InputError, Location
from wijkmix.params.income import (
    IncomeParams,
    low_income_threshold,
    social_minimum_threshold_by_members,
)
from wijkmix.synth._arrays import assign_by_rank, exclusive_cumsum, to_unit_interval
from wijkmix.synth.dwellings import DwellingAttributes
from wijkmix.synth.layout import Layout
from wijkmix.synth.targets import Targets

__all__ = ["INCOME_SOURCES", "FlagRates", "HouseholdArrays", "generate_households"]

#: Income sources of the register, in the order of the integer codes used internally.
INCOME_SOURCES: tuple[str, ...] = ("werk", "uitkering", "pensioen", "studie", "overig")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# household type order from the smallest to the largest dwelling
_TYPE_BY_AREA = np.array([0, 4, 1, 3, 2])
# age key per type (alleenstaand, paar, paar_met_kinderen, eenouder, overig): mean, sd
_AGE_MEAN = np.array([0.0, 0.4, -0.1, -0.2, -0.8])
_AGE_SD = np.array([1.3, 1.0, 0.5, 0.6, 1.0])
_AGE_OWNER = np.array([0.1, -0.6, 0.3])
# youngest age and number of ages per head age group (65+ is drawn separately)
_AGE_LOW = np.array([18, 25, 45, 65])
_AGE_SPAN = np.array([7, 20, 20, 1])
_BASE_SIZE = np.array([1, 2, 3, 2, 2])
_MAY_STUDY = np.array([True, True, False, False, True])
# latent income: owner and type effects
_Z_OWNER = np.array([-0.7, -0.1, 0.6])
_Z_TYPE = np.array([-0.3, 0.3, 0.2, -0.6, -0.2])
_Z_AGE = np.array([-0.5, 0.0, 0.0, 0.3])
#: share of heads under 25 (not on bijstand) who are students
STUDENT_SHARE = 0.4
#: share of the remaining working-age households with another income source
OTHER_SOURCE_SHARE = 0.03
#: spread of incomes above both thresholds (log scale)
INCOME_SIGMA = 0.6
_VACANCY_WEIGHT = np.array([0.5, 2.0, 1.0])
_YEARS_IN_DWELLING_MEAN = np.array([11.0, 5.0, 12.0])
_REGISTERED_SHARE = np.array([0.55, 0.45, 0.10])


@dataclass(frozen=True)
class FlagRates:
    """Base rates of the household flags, per owner of the dwelling.

    Each attribute is a triple for (corporatie, particuliere_verhuurder,
    eigenaar_bewoner). The defaults are small, rounded national orders of
    magnitude (wijkmix assumptions), concentrated in corporation stock where
    allocation policy places these groups:

    * ``vulnerable_care``: households that left care, sheltered housing or
      mental-health institutions (uitstroom beschermd wonen/maatschappelijke
      opvang/GGZ): about 1 % of households, 3 % in corporation stock.
    * ``statushouder``: refugees with a residence permit housed by the
      municipality's task (about 100 000 persons 2014-2019): about 1 % of
      households, 2.5 % in corporation stock.
    * ``urgent``: housed with an urgency declaration: 1.5 % in corporation stock.
    * ``crucial_profession``: share of households living from work with a
      member in education, care, police or another crucial profession (about
      one in eight workers).
    """

    vulnerable_care: tuple[float, float, float] = (0.030, 0.010, 0.002)
    statushouder: tuple[float, float, float] = (0.025, 0.006, 0.001)
    urgent: tuple[float, float, float] = (0.015, 0.003, 0.0)
    crucial_profession: tuple[float, float, float] = (0.12, 0.12, 0.12)

    def __post_init__(self) -> None:
        for name in ("vulnerable_care", "statushouder", "urgent", "crucial_profession"):
            v = getattr(self, name)
            if len(v) != 3 or any(not (0.0 <= x <= 1.0) for x in v):
                raise InputError(
                    "invalid flag rate",
                    where=Location(field=f"flag_rates.{name}"),
                    expected="three shares between 0 and 1 (corporatie, particulier, eigenaar)",
                    found=v,
                )


@dataclass(frozen=True)
class HouseholdArrays:
    """Households (arrays of length H) and the occupancy of the dwellings.

    ``type`` and ``income_source`` are indices into :data:`HOUSEHOLD_TYPES` and
    :data:`INCOME_SOURCES`.
    """

    dwelling: IntArray
    buurt: IntArray
    size: IntArray
    type: IntArray
    age_head: IntArray
    income: FloatArray
    income_source: IntArray
    vulnerable_care: BoolArray
    statushouder: BoolArray
    urgent: BoolArray
    years_in_dwelling: IntArray
    years_in_municipality: IntArray
    crucial_profession: BoolArray
    registration_years: FloatArray
    occupied: BoolArray
    bijstand_shortfall: IntArray


def _first_in_group(
    mask: BoolArray, group: IntArray, key: FloatArray, take: IntArray, n_groups: int
) -> BoolArray:
    """Mark, within each group, the ``take[g]`` elements of ``mask`` with the lowest key."""
    idx = np.flatnonzero(mask)
    gi = group[idx]
    size = np.bincount(gi, minlength=n_groups)
    first = np.minimum(np.maximum(take, 0), size)
    cat = assign_by_rank(gi, key[idx], np.column_stack([first, size - first]))
    out = np.zeros(len(mask), dtype=bool)
    out[idx] = cat == 0
    return out


def generate_households(
    layout: Layout,
    attrs: DwellingAttributes,
    targets: Targets,
    params: IncomeParams,
    rng: np.random.Generator,
    *,
    flag_rates: FlagRates | None = None,
) -> HouseholdArrays:
    """Place the households of every buurt in its dwellings.

    Parameters
    ----------
    layout : Layout
    attrs : DwellingAttributes
    targets : Targets
    params : IncomeParams
    rng : numpy.random.Generator
    flag_rates : FlagRates, optional

    Returns
    -------
    HouseholdArrays
    """
    rates = flag_rates or FlagRates()
    n_b = targets.n
    H = targets.households
    nd = len(layout.buurt)

    # 1. occupancy: Gumbel-top-k of the vacancy weights within the buurt
    vac_key = np.log(_VACANCY_WEIGHT[layout.owner]) - np.log(-np.log(rng.random(nd)))
    n_vacant = targets.dwellings - H
    vacant = assign_by_rank(
        layout.buurt, to_unit_interval(-vac_key), np.column_stack([n_vacant, H])
    )
    occupied = vacant == 1
    dw = np.flatnonzero(occupied)
    hb = layout.buurt[dw]
    owner = layout.owner[dw]
    n = len(dw)

    # 2. type by floor area
    key = to_unit_interval(np.log(attrs.floor_area[dw]) + 0.35 * rng.standard_normal(n))
    htype = _TYPE_BY_AREA[assign_by_rank(hb, key, targets.types[:, _TYPE_BY_AREA])]

    # 3. age group of the head, then the age
    key = to_unit_interval(
        _AGE_MEAN[htype] + _AGE_OWNER[owner] + _AGE_SD[htype] * rng.standard_normal(n)
    )
    agrp = assign_by_rank(hb, key, targets.head_ages)
    age = _AGE_LOW[agrp] + np.floor(rng.random(n) * _AGE_SPAN[agrp]).astype(np.int64)
    old = agrp == 3
    age[old] = 65 + np.minimum(np.floor(rng.exponential(9.0, int(old.sum()))), 35).astype(np.int64)

    # 4. size
    size = _BASE_SIZE[htype] + ((htype == 4) & (rng.random(n) < 0.25))
    with_children = (htype == 2) | (htype == 3)
    fixed = np.bincount(hb, weights=size, minlength=n_b).astype(np.int64)
    wc = np.flatnonzero(with_children)
    n_wc = np.bincount(hb[wc], minlength=n_b)
    extra = np.where(n_wc > 0, np.maximum(targets.persons - fixed, 0), 0)
    item_b = np.repeat(np.arange(n_b), extra)
    pick = exclusive_cumsum(n_wc)[item_b] + np.floor(rng.random(len(item_b)) * n_wc[item_b]).astype(
        np.int64
    )
    size[wc] += np.bincount(pick, minlength=len(wc))
    children = np.where(htype == 2, size - 2, np.where(htype == 3, size - 1, 0))

    # 5. latent income and bijstand
    z0 = rng.standard_normal(n) + _Z_OWNER[owner] + _Z_TYPE[htype] + _Z_AGE[agrp]
    pens = age >= params.aow_age
    n_bij = targets.bijstand_households
    bij = _first_in_group(~pens, hb, to_unit_interval(z0), n_bij, n_b)
    shortfall = np.maximum(n_bij - np.bincount(hb[~pens], minlength=n_b), 0)
    stud = (age < 25) & ~bij & _MAY_STUDY[htype] & (rng.random(n) < STUDENT_SHARE)
    z = np.where(bij, -8.0 + 0.01 * rng.standard_normal(n), z0 - 0.5 * stud)

    # 6. income classes: B below both thresholds, L below low-income only,
    #    S below social minimum only, N above both
    t_li = low_income_threshold(params, size)
    t_sm = social_minimum_threshold_by_members(params, size - children, children, pens)
    sm_hi = t_sm > t_li
    zkey = to_unit_interval(z)
    n_li = np.rint(targets.pct_low_income / 100.0 * H).astype(np.int64)
    n_sm = np.rint(targets.pct_social_minimum / 100.0 * H).astype(np.int64)
    # households whose social minimum lies above the low-income threshold
    # (pensioners) count towards both shares when they are in the low-income
    # set; admit at most as many of them (besides bijstand) as leave room for
    # the bijstand households in the social-minimum share
    room = np.maximum(n_sm - n_bij, 0)
    candidate = ~sm_hi | bij | _first_in_group(sm_hi & ~bij, hb, zkey, room, n_b)
    in_li = _first_in_group(candidate, hb, zkey, n_li, n_b)
    short = n_li - np.bincount(hb[in_li], minlength=n_b)
    in_li |= _first_in_group(~candidate, hb, zkey, short, n_b)
    e = np.bincount(hb[sm_hi & in_li], minlength=n_b)
    f = np.bincount(hb[~sm_hi & in_li], minlength=n_b)
    g = np.bincount(hb[sm_hi & ~in_li], minlength=n_b)
    rest = n_sm - e
    x = np.clip(rest, 0, f)
    y = np.clip(rest - x, 0, g)
    chosen = _first_in_group(~sm_hi & in_li, hb, zkey, x, n_b)
    chosen |= _first_in_group(sm_hi & ~in_li, hb, zkey, y, n_b)
    cls_b = in_li & (sm_hi | chosen)
    cls_l = in_li & ~sm_hi & ~chosen
    cls_s = ~in_li & sm_hi & chosen
    cls_n = ~(cls_b | cls_l | cls_s)

    lo_t = np.minimum(t_li, t_sm)
    hi_t = np.maximum(t_li, t_sm)
    u = rng.random(n)
    income = np.where(bij, lo_t * (0.95 + 0.045 * u), lo_t * (0.55 + 0.445 * u))
    income = np.where(cls_l, t_sm + (t_li - t_sm) * (0.02 + 0.96 * u), income)
    income = np.where(cls_s, t_li + (t_sm - t_li) * (0.02 + 0.96 * u), income)
    w = np.exp(INCOME_SIGMA * np.clip(z, -5, 5))
    persons = np.bincount(hb, weights=size, minlength=n_b)
    total = np.nan_to_num(targets.avg_income_per_inhabitant, nan=0.0) * 1000.0 * persons
    fixed_inc = np.bincount(hb, weights=np.where(cls_n, 0.0, income), minlength=n_b)
    base_n = np.bincount(hb, weights=np.where(cls_n, 1.01 * hi_t, 0.0), minlength=n_b)
    var_n = np.bincount(hb, weights=np.where(cls_n, hi_t * w, 0.0), minlength=n_b)
    scale = np.where(var_n > 0, (total - fixed_inc - base_n) / np.where(var_n > 0, var_n, 1.0), 0.0)
    scale = np.maximum(scale, 0.05)
    income = np.where(cls_n, hi_t * (1.01 + scale[hb] * w), income)
    income = np.round(income, 2).astype(np.float64)

    # 7. income source, flags, durations
    u = rng.random((6, n))
    source = np.where(u[0] < OTHER_SOURCE_SHARE, 4, 0)
    source[stud] = 3
    source[pens] = 2
    source[bij] = 1
    vulnerable = u[1] < np.asarray(rates.vulnerable_care)[owner]
    status = u[2] < np.asarray(rates.statushouder)[owner]
    urgent = u[3] < np.asarray(rates.urgent)[owner]
    crucial = (source == 0) & (u[4] < np.asarray(rates.crucial_profession)[owner])

    adult_years = np.maximum(age - 18, 0)
    yid = (rng.standard_exponential(n) * _YEARS_IN_DWELLING_MEAN[owner]).astype(np.int64)
    for flag, mean in ((vulnerable, 3.0), (urgent, 4.0)):
        i = np.flatnonzero(flag)
        yid[i] = np.minimum(yid[i], (mean * rng.standard_exponential(len(i))).astype(np.int64))
    yid = np.minimum(yid, adult_years)
    ymun = np.minimum(yid + (15.0 * rng.standard_exponential(n)).astype(np.int64), age)
    i = np.flatnonzero(status)
    ymun[i] = np.minimum(rng.integers(0, 9, len(i)), adult_years[i])
    yid[i] = np.minimum(yid[i], ymun[i])
    i = np.flatnonzero(u[5] < _REGISTERED_SHARE[owner])
    reg = np.zeros(n)
    reg[i] = np.round(rng.random(len(i)) * np.minimum(ymun[i], 20), 1)

    return HouseholdArrays(
        dwelling=dw.astype(np.int64),
        buurt=hb,
        size=size,
        type=htype.astype(np.int64),
        age_head=age.astype(np.int64),
        income=income,
        income_source=source,
        vulnerable_care=vulnerable,
        statushouder=status,
        urgent=urgent,
        years_in_dwelling=yid,
        years_in_municipality=ymun,
        crucial_profession=crucial,
        registration_years=reg,
        occupied=occupied,
        bijstand_shortfall=shortfall,
    )
