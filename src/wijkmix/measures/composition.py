r"""Composition of areas: counts and shares per category, and diversity.

Two sources:

* **registers** (:func:`composition`, :func:`composition_all_levels`): one row
  per household (joined to its dwelling), counted exactly per area unit;
* **CBS KWB** (:func:`composition_from_kwb`): published percentages turned into
  *estimated* counts, ``share / 100 × denominator``.

Categories (``by``) and the register columns they are derived from:

* ``tenure`` — ``owner``; categories :data:`TENURE_LABELS`;
* ``segment`` — ``segment``; :data:`SEGMENT_LABELS`;
* ``income`` — ``income`` (and ``size``), classified by
  :class:`IncomeThresholds`; :data:`INCOME_CLASS_LABELS`;
* ``income_source`` — ``income_source``; :data:`INCOME_SOURCE_LABELS`;
* ``vulnerability`` — the flags ``vulnerable_care``, ``statushouder`` and
  ``urgent`` (those present): ``kwetsbaar`` if any flag is set,
  ``niet_kwetsbaar`` if all are known and unset; :data:`VULNERABILITY_LABELS`;
* ``household_type`` — ``type``; :data:`HOUSEHOLD_TYPE_LABELS`;
* ``age_group`` — ``age_head``: under 25, 25–44, 45–64, 65 and older;
  :data:`AGE_GROUP_LABELS`.

Any other column name may be given as ``by`` as well (a generic category
column); its categories are then the ``categories`` passed, or the observed
values in sorted order.

A household whose category cannot be determined (missing value) is counted in
the column ``onbekend`` and left out of the shares and of the diversity: shares
are fractions (0–1) of the households with a known category.

Diversity
---------
For a unit with category shares :math:`p_1, \dots, p_K` over the :math:`K`
categories *considered* (all categories of ``by``, also those not observed in
the unit or in the data):

* normalised Shannon entropy :math:`E = -\sum_k p_k \ln p_k / \ln K`
  (with :math:`0 \ln 0 = 0`), between 0 (everyone in one category) and 1 (all
  :math:`K` categories equally large);
* Simpson's diversity index :math:`D = 1 - \sum_k p_k^2`, the probability that
  two households drawn at random (with replacement) fall in different
  categories, between 0 and :math:`1 - 1/K`.

Because :math:`K` counts all categories considered, a unit in a city where a
category does not occur at all can never reach :math:`E = 1`; pass
``categories`` to consider fewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from wijkmix.areas import LEVELS, level_rank
from wijkmix.concepts import CONCEPTS
from wijkmix.errors import InputError, Location

__all__ = [
    "AGE_GROUP_LABELS",
    "BY",
    "DEFAULT_INCOME_THRESHOLDS",
    "HOUSEHOLD_TYPE_LABELS",
    "INCOME_CLASS_LABELS",
    "INCOME_SOURCE_LABELS",
    "KWB_BY",
    "KWB_INCOME_LABELS",
    "KWB_LOW_INCOME_LABELS",
    "LABELS",
    "SEGMENT_LABELS",
    "TENURE_LABELS",
    "UNKNOWN",
    "VULNERABILITY_LABELS",
    "Composition",
    "IncomeThresholds",
    "composition",
    "composition_all_levels",
    "composition_from_kwb",
    "diversity",
]

#: Column of households (or dwellings) whose category is unknown.
UNKNOWN = "onbekend"

#: Dutch labels of the owner categories (tenure).
TENURE_LABELS: dict[str, str] = {
    "corporatie": "Corporatie",
    "particuliere_verhuurder": "Particuliere verhuur",
    "eigenaar_bewoner": "Koop",
}
#: Dutch labels of the housing segments.
SEGMENT_LABELS: dict[str, str] = {
    "sociale_huur": "Sociale huur",
    "middenhuur": "Middenhuur",
    "vrije_huur": "Vrije huur",
    "koop_betaalbaar": "Betaalbare koop",
    "koop_duur": "Dure koop",
}
#: Dutch labels of the absolute income classes (see :class:`IncomeThresholds`).
INCOME_CLASS_LABELS: dict[str, str] = {
    "laag": "Laag inkomen",
    "midden": "Middeninkomen",
    "hoog": "Hoog inkomen",
}
#: Dutch labels of the main income sources.
INCOME_SOURCE_LABELS: dict[str, str] = {
    "werk": "Werk",
    "uitkering": "Uitkering",
    "pensioen": "Pensioen",
    "studie": "Studie",
    "overig": "Overig",
}
#: Dutch labels of vulnerability: ``kwetsbaar`` if any flag is set.
VULNERABILITY_LABELS: dict[str, str] = {
    "kwetsbaar": "Kwetsbaar",
    "niet_kwetsbaar": "Niet kwetsbaar",
}
#: Dutch labels of the household types.
HOUSEHOLD_TYPE_LABELS: dict[str, str] = {
    "alleenstaand": "Alleenstaand",
    "paar": "Paar zonder kinderen",
    "paar_met_kinderen": "Paar met kinderen",
    "eenouder": "Eenoudergezin",
    "overig": "Overig",
}
#: Dutch labels of the age groups of the head of household.
AGE_GROUP_LABELS: dict[str, str] = {
    "tot_25": "Jonger dan 25 jaar",
    "25_44": "25 tot 45 jaar",
    "45_64": "45 tot 65 jaar",
    "65_plus": "65 jaar of ouder",
}
#: Dutch labels of the KWB income classes (national 40/40/20 % classes).
KWB_INCOME_LABELS: dict[str, str] = {
    "laagste_40": "Laagste 40% (landelijk)",
    "midden_40": "Middelste 40% (landelijk)",
    "hoogste_20": "Hoogste 20% (landelijk)",
}
#: Dutch labels of the KWB low-income split.
KWB_LOW_INCOME_LABELS: dict[str, str] = {
    "laag_inkomen": "Laag inkomen",
    "geen_laag_inkomen": "Geen laag inkomen",
}

#: The named register categories (``by``) and their labels.
BY: dict[str, dict[str, str]] = {
    "tenure": TENURE_LABELS,
    "segment": SEGMENT_LABELS,
    "income": INCOME_CLASS_LABELS,
    "income_source": INCOME_SOURCE_LABELS,
    "vulnerability": VULNERABILITY_LABELS,
    "household_type": HOUSEHOLD_TYPE_LABELS,
    "age_group": AGE_GROUP_LABELS,
}
#: The categories :func:`composition_from_kwb` can estimate, and their labels.
KWB_BY: dict[str, dict[str, str]] = {
    "tenure": TENURE_LABELS,
    "income": KWB_INCOME_LABELS,
    "low_income": KWB_LOW_INCOME_LABELS,
}
#: Every Dutch category label, by category key (``"corporatie": "Corporatie"``).
LABELS: dict[str, str] = {
    UNKNOWN: "Onbekend",
    **{k: v for labels in (*BY.values(), *KWB_BY.values()) for k, v in labels.items()},
}

_SOURCE_COLUMN: dict[str, str] = {
    "tenure": "owner",
    "segment": "segment",
    "income": "income",
    "income_source": "income_source",
    "household_type": "type",
    "age_group": "age_head",
}
_VULNERABILITY_FLAGS = ("vulnerable_care", "statushouder", "urgent")
_DERIVED = ("income", "vulnerability", "age_group")


@dataclass(frozen=True)
class IncomeThresholds:
    """Absolute income classes of gross yearly household income (euro).

    ``laag``: income below the low limit; ``midden``: from the low limit up to
    (not including) the high limit; ``hoog``: at or above the high limit. The
    limits differ for one-person households and larger ones, as the DAEB
    income limit does; a household whose size is unknown gets a class only
    when both limits give the same one.

    Parameters
    ----------
    low_one_person, low_more_persons : float
        Lower limit of ``midden`` for one person / more persons.
    high_one_person, high_more_persons : float
        Lower limit of ``hoog`` for one person / more persons.
    source : str
        Where the limits come from (kept with the result).
    """

    low_one_person: float
    low_more_persons: float
    high_one_person: float
    high_more_persons: float
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("low_one_person", "low_more_persons", "high_one_person", "high_more_persons"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or not np.isfinite(v) or v < 0:
                raise InputError(
                    "invalid income limit",
                    where=f"thresholds.{name}",
                    expected="a finite non-negative number (euro per year)",
                    found=v,
                )
        for size in ("one_person", "more_persons"):
            low, high = getattr(self, f"low_{size}"), getattr(self, f"high_{size}")
            if high < low:
                raise InputError(
                    "income limits in the wrong order",
                    where=f"thresholds.high_{size}",
                    expected=f"at least the low limit {low}",
                    found=high,
                )

    @classmethod
    def flat(cls, low: float, high: float, *, source: str = "") -> IncomeThresholds:
        """Return thresholds with the same two limits for every household size."""
        return cls(low, low, high, high, source=source)

    def classify(self, income: np.ndarray, size: np.ndarray | None) -> np.ndarray:
        """Classify incomes; ``size`` may be None when the limits ignore size.

        Returns an object array of ``laag``/``midden``/``hoog`` or
        :data:`UNKNOWN`.
        """
        inc = np.asarray(income, dtype=float)

        def cls_for(low: float, high: float) -> np.ndarray:
            return np.where(inc < low, "laag", np.where(inc < high, "midden", "hoog")).astype(
                object
            )

        one = cls_for(self.low_one_person, self.high_one_person)
        more = cls_for(self.low_more_persons, self.high_more_persons)
        if size is None:
            out = np.where(one == more, one, UNKNOWN).astype(object)
        else:
            sz = np.asarray(size, dtype=float)
            out = np.where(sz == 1, one, more).astype(object)
            out[np.isnan(sz)] = np.where(one == more, one, UNKNOWN)[np.isnan(sz)]
        out[np.isnan(inc)] = UNKNOWN
        return out


#: Default income classes: ``laag`` below the DAEB income limit of 2024
#: (€47,699 one person / €52,671 more persons, the target group of social
#: rent); ``hoog`` from 1.5 times that limit (€71,548.50 / €79,006.50). The
#: upper limit is a wijkmix convention, not a legal one: pass the year's limits
#: and your own definition of a high income.
DEFAULT_INCOME_THRESHOLDS = IncomeThresholds(
    47_699.0,
    52_671.0,
    71_548.5,
    79_006.5,
    source="DAEB-inkomensgrens 2024; hoog vanaf 1,5 x die grens (wijkmix-conventie)",
)


@dataclass(frozen=True)
class Composition:
    """Counts, shares and diversity per area unit.

    Attributes
    ----------
    level_column : str
        The column (or ``"code"`` for KWB) that identifies the units.
    by : str
        What was counted (``tenure``, ``income``, ...).
    categories : tuple of str
        The categories considered, in order; :math:`K` = ``len(categories)``.
    counts : pandas.DataFrame
        Index: unit code. Columns: the categories, :data:`UNKNOWN`, and the
        total (named after ``unit``); total = sum of the categories + unknown
        (for KWB estimates: the published denominator).
    shares : pandas.DataFrame
        Fractions (0–1) of the units with a known category, one column per
        category; missing where a unit has none.
    diversity : pandas.DataFrame
        Columns ``entropy`` (normalised Shannon) and ``simpson``, see
        :func:`diversity`.
    unit : {'households', 'dwellings'}
        What the counts count.
    estimated : bool
        True when the counts are estimates from published percentages.
    labels : dict
        Dutch label per category.
    note : str
        Dutch remark to show with the figures (empty when none).
    """

    level_column: str
    by: str
    categories: tuple[str, ...]
    counts: pd.DataFrame
    shares: pd.DataFrame
    diversity: pd.DataFrame
    unit: str = "households"
    estimated: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def k(self) -> int:
        """Number of categories considered."""
        return len(self.categories)

    def labelled_shares(self, decimals: int | None = 1) -> pd.DataFrame:
        """Shares as percentages with Dutch column labels (for display)."""
        out = self.shares * 100.0
        if decimals is not None:
            out = out.round(decimals)
        return out.rename(columns=lambda c: self.labels.get(c, c))


def diversity(counts: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    r"""Normalised Shannon entropy and Simpson's index per unit.

    Parameters
    ----------
    counts : pandas.DataFrame or numpy.ndarray
        Units × categories, non-negative counts (or estimated counts). Every
        column is a category considered: :math:`K` = number of columns, also
        columns that are zero everywhere.

    Returns
    -------
    pandas.DataFrame
        Columns ``entropy`` (:math:`-\sum p \ln p / \ln K`) and ``simpson``
        (:math:`1 - \sum p^2`), indexed like ``counts``; missing for a unit with
        a zero (or missing) total.

    Raises
    ------
    InputError
        If there are fewer than two categories, or a count is negative.

    Examples
    --------
    >>> d = diversity(np.array([[5, 5], [10, 0]]))
    >>> d["entropy"].tolist(), d["simpson"].tolist()
    ([1.0, 0.0], [0.5, 0.0])
    """
    if isinstance(counts, pd.DataFrame):
        index = counts.index
        arr = counts.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = np.asarray(counts, dtype=float)
        if arr.ndim != 2:
            raise InputError(
                "counts is not a table",
                where="counts",
                expected="a two-dimensional units x categories table",
                found=f"an array of shape {arr.shape}",
            )
        index = pd.RangeIndex(arr.shape[0])
    k = arr.shape[1]
    if k < 2:
        raise InputError(
            "too few categories for a diversity index",
            where="counts",
            expected="at least two category columns",
            found=k,
        )
    if np.any(arr < 0):
        i, j = np.argwhere(arr < 0)[0]
        raise InputError(
            "negative count",
            where="counts",
            expected="non-negative counts",
            found=f"{arr[i, j]} in row {i + 1}, column {j + 1}",
        )
    total = arr.sum(axis=1)
    ok = np.isfinite(total) & (total > 0)
    p = np.zeros_like(arr)
    p[ok] = arr[ok] / total[ok, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    entropy = np.where(ok, (0.0 - plogp.sum(axis=1)) / np.log(k), np.nan)
    simpson = np.where(ok, 1.0 - (p**2).sum(axis=1), np.nan)
    return pd.DataFrame({"entropy": entropy, "simpson": simpson}, index=index)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    for col in columns:
        if col not in frame.columns:
            raise InputError(
                "missing column",
                where=Location(file=source, column=col),
                expected="columns " + ", ".join(columns),
                found=list(frame.columns),
            )


def _flag_values(frame: pd.DataFrame, col: str, source: str) -> np.ndarray:
    """Read a flag column as float: 1.0 True, 0.0 False, NaN missing."""
    out = np.full(len(frame), np.nan)
    for i, v in enumerate(frame[col].tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            continue
        if isinstance(v, bool | np.bool_) or (
            isinstance(v, int | float | np.integer | np.floating) and v in (0, 1)
        ):
            out[i] = float(bool(v))
            continue
        raise InputError(
            "invalid flag",
            where=Location(file=source, row=i + 1, column=col),
            expected="true or false (or missing)",
            found=v,
        )
    return out


def _numeric(frame: pd.DataFrame, col: str, source: str) -> np.ndarray:
    values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(values) & frame[col].notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            "invalid number",
            where=Location(file=source, row=i + 1, column=col),
            expected="a number (or missing)",
            found=frame[col].iloc[i],
        )
    return values


def _categorise(
    frame: pd.DataFrame,
    by: str,
    categories: tuple[str, ...] | None,
    thresholds: IncomeThresholds,
    source: str,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Category per row (object array, :data:`UNKNOWN` where missing)."""
    if by == "vulnerability":
        flags = [c for c in _VULNERABILITY_FLAGS if c in frame.columns]
        if not flags:
            raise InputError(
                "missing column",
                where=Location(file=source, column="vulnerable_care"),
                expected="at least one of the flags " + ", ".join(_VULNERABILITY_FLAGS),
                found=list(frame.columns),
            )
        vals = np.column_stack([_flag_values(frame, c, source) for c in flags])
        any_true = np.any(vals == 1.0, axis=1)
        all_false = np.all(vals == 0.0, axis=1)
        cat = np.where(any_true, "kwetsbaar", np.where(all_false, "niet_kwetsbaar", UNKNOWN))
        return cat.astype(object), categories or tuple(VULNERABILITY_LABELS)
    if by == "income":
        _require_columns(frame, ["income"], source)
        income = _numeric(frame, "income", source)
        size = _numeric(frame, "size", source) if "size" in frame.columns else None
        if size is None and (
            thresholds.low_one_person != thresholds.low_more_persons
            or thresholds.high_one_person != thresholds.high_more_persons
        ):
            raise InputError(
                "missing column",
                where=Location(file=source, column="size"),
                expected="a household size column when the income limits depend on size",
                found=list(frame.columns),
                hint="pass IncomeThresholds.flat(low, high) to ignore household size",
            )
        return thresholds.classify(income, size), categories or tuple(INCOME_CLASS_LABELS)
    if by == "age_group":
        _require_columns(frame, ["age_head"], source)
        age = _numeric(frame, "age_head", source)
        if np.any(age < 0):
            i = int(np.flatnonzero(age < 0)[0])
            raise InputError(
                "negative age",
                where=Location(file=source, row=i + 1, column="age_head"),
                expected="an age in years, at least 0",
                found=age[i],
            )
        cat = np.select(
            [age < 25, age < 45, age < 65, age >= 65],
            ["tot_25", "25_44", "45_64", "65_plus"],
            default=UNKNOWN,
        )
        return cat.astype(object), categories or tuple(AGE_GROUP_LABELS)
    col = _SOURCE_COLUMN.get(by, by)
    _require_columns(frame, [col], source)
    raw = frame[col]
    missing = raw.isna().to_numpy()
    values = raw.astype(object).to_numpy()
    if categories is None:
        if by in BY:
            categories = tuple(BY[by])
        else:
            categories = tuple(sorted({str(v) for v in values[~missing]}))
    allowed = set(categories)
    cat = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if missing[i]:
            cat[i] = UNKNOWN
        elif v in allowed:
            cat[i] = v
        else:
            raise InputError(
                "unknown category",
                where=Location(file=source, row=i + 1, column=col),
                expected="one of " + ", ".join(categories),
                found=v,
            )
    return cat, categories


def composition(
    frame: pd.DataFrame,
    *,
    level_column: str,
    by: str,
    categories: Sequence[str] | None = None,
    thresholds: IncomeThresholds | tuple[float, float] | None = None,
    unit: Literal["households", "dwellings"] = "households",
    source: str = "frame",
) -> Composition:
    """Count a category per area unit from register microdata.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per household (joined to its dwelling), or per dwelling with
        ``unit="dwellings"``.
    level_column : str
        The column with the unit codes (``buurt_code``, ``complex_code``, ...).
    by : str
        A key of :data:`BY`, or any category column of ``frame``.
    categories : sequence of str, optional
        The categories to consider (default: all of ``by``); :math:`K` for the
        diversity is their number. For a category read from a column a value
        outside them is an error; for the derived ``income``, ``vulnerability``
        and ``age_group`` the households in the categories left out are counted
        as :data:`UNKNOWN`.
    thresholds : IncomeThresholds or (low, high), optional
        Income limits for ``by="income"``; default
        :data:`DEFAULT_INCOME_THRESHOLDS`. A pair applies to every size.
    unit : {'households', 'dwellings'}
        What a row is; names the total column.
    source : str
        Name of the input, for error messages.

    Returns
    -------
    Composition

    Raises
    ------
    InputError
        If a column is missing, a unit code is missing, or a value is not a
        known category.

    Examples
    --------
    >>> hh = pd.DataFrame({"buurt_code": ["B1", "B1", "B2"],
    ...                    "owner": ["corporatie", "eigenaar_bewoner", "corporatie"]})
    >>> c = composition(hh, level_column="buurt_code", by="tenure")
    >>> c.counts.loc["B1", ["corporatie", "eigenaar_bewoner", "households"]].tolist()
    [1, 1, 2]
    >>> float(c.shares.loc["B2", "corporatie"])
    1.0
    """
    if unit not in ("households", "dwellings"):
        raise InputError(
            "unknown unit", where="unit", expected="'households' or 'dwellings'", found=unit
        )
    _require_columns(frame, [level_column], source)
    codes = frame[level_column]
    if codes.isna().any():
        i = int(np.flatnonzero(codes.isna().to_numpy())[0])
        raise InputError(
            "missing area code",
            where=Location(file=source, row=i + 1, column=level_column),
            expected="an area code on every row",
            found="nothing",
        )
    if isinstance(thresholds, tuple):
        thresholds = IncomeThresholds.flat(*thresholds)
    th = thresholds or DEFAULT_INCOME_THRESHOLDS
    cats_in = None if categories is None else tuple(categories)
    if cats_in is not None and (len(set(cats_in)) != len(cats_in) or UNKNOWN in cats_in):
        raise InputError(
            "invalid categories",
            where="categories",
            expected=f"distinct category names other than {UNKNOWN!r}",
            found=list(cats_in),
        )
    if cats_in is not None and by in _DERIVED:
        outside = [c for c in cats_in if c not in BY[by]]
        if outside:
            raise InputError(
                "unknown category",
                where="categories",
                expected="categories among " + ", ".join(BY[by]),
                found=outside[0],
            )
    cat, cats = _categorise(frame, by, cats_in, th, source)
    if by in _DERIVED:
        # derived categories: the ones asked for are counted, the others are unknown
        cat = np.where(np.isin(cat, list(cats)), cat, UNKNOWN).astype(object)
    columns = [*cats, UNKNOWN]
    table = (
        pd.crosstab(codes.astype(str).to_numpy(), cat)
        if len(frame)
        else pd.DataFrame(columns=columns, dtype="int64")
    )
    counts = table.reindex(columns=columns, fill_value=0).astype("int64")
    counts = counts.sort_index()
    counts.index.name = level_column
    counts.columns.name = None
    counts[unit] = counts.sum(axis=1)
    return _result(
        counts,
        level_column=level_column,
        by=by,
        categories=cats,
        unit=unit,
        estimated=False,
        labels={c: LABELS.get(c, c) for c in cats},
        note="",
    )


def _result(
    counts: pd.DataFrame,
    *,
    level_column: str,
    by: str,
    categories: tuple[str, ...],
    unit: str,
    estimated: bool,
    labels: Mapping[str, str],
    note: str,
) -> Composition:
    cat_counts = counts[list(categories)].astype(float)
    known = cat_counts.sum(axis=1, skipna=False)
    shares = cat_counts.div(known.where(known > 0), axis=0)
    div = (
        diversity(cat_counts)
        if len(categories) >= 2
        else pd.DataFrame({"entropy": np.nan, "simpson": np.nan}, index=counts.index)
    )
    return Composition(
        level_column=level_column,
        by=by,
        categories=categories,
        counts=counts,
        shares=shares,
        diversity=div,
        unit=unit,
        estimated=estimated,
        labels=dict(labels),
        note=note,
    )


def composition_all_levels(
    frame: pd.DataFrame,
    *,
    by: str,
    levels: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    thresholds: IncomeThresholds | tuple[float, float] | None = None,
    unit: Literal["households", "dwellings"] = "households",
    source: str = "frame",
) -> dict[str, Composition]:
    """:func:`composition` at every level that has a ``<level>_code`` column.

    Parameters
    ----------
    levels : sequence of str, optional
        Levels to compute (``buurt``, ``wijk``, ...); default every level of
        :data:`wijkmix.areas.LEVELS` with a ``<level>_code`` column in ``frame``.

    Returns
    -------
    dict
        Level name → :class:`Composition`, finest level first.
    """
    if levels is None:
        levels = [lvl for lvl in LEVELS if f"{lvl}_code" in frame.columns]
    else:
        for lvl in levels:
            level_rank(lvl)
        levels = sorted(levels, key=level_rank)
    return {
        lvl: composition(
            frame,
            level_column=f"{lvl}_code",
            by=by,
            categories=categories,
            thresholds=thresholds,
            unit=unit,
            source=source,
        )
        for lvl in levels
    }


_KWB_SPEC: dict[str, tuple[str, dict[str, str | None]]] = {
    # by: (denominator concept, {category: percentage concept})
    "tenure": (
        "dwellings",
        {
            "corporatie": "pct_corporation",
            "particuliere_verhuurder": "pct_other_landlords",
            "eigenaar_bewoner": "pct_owner_occupied",
        },
    ),
    "income": (
        "households",
        {
            "laagste_40": "pct_households_lowest_40",
            "midden_40": None,  # 100 - lowest 40 - highest 20
            "hoogste_20": "pct_households_highest_20",
        },
    ),
    "low_income": (
        "households",
        {"laag_inkomen": "pct_low_income_households", "geen_laag_inkomen": None},
    ),
}

_KWB_NOTE = (
    "Geschat uit gepubliceerde CBS-percentages (aandeel/100 x {denominator}); "
    "percentages zijn afgerond, dus de aantallen tellen niet exact op."
)


def composition_from_kwb(
    wide: pd.DataFrame,
    *,
    by: str = "tenure",
    code_column: str = "code",
    source: str = "KWB",
) -> Composition:
    """Estimate counts per area from KWB percentages.

    The estimate of a category is ``percentage / 100 × denominator``: dwellings
    (``dwellings``) for tenure, households (``households``) for income. CBS
    publishes income percentages of the private households *with a known
    income*; using all households as the denominator is an approximation.
    A suppressed percentage or denominator gives missing counts, never zero.

    ``by``:

    * ``tenure`` — ``corporatie`` (``pct_corporation``),
      ``particuliere_verhuurder`` (``pct_other_landlords``),
      ``eigenaar_bewoner`` (``pct_owner_occupied``); :data:`UNKNOWN` holds the
      rest (ownership unknown), never below zero;
    * ``income`` — the national classes ``laagste_40``
      (``pct_households_lowest_40``), ``midden_40`` (100 − lowest 40 − highest
      20) and ``hoogste_20`` (``pct_households_highest_20``);
    * ``low_income`` — ``laag_inkomen`` (``pct_low_income_households``) and
      ``geen_laag_inkomen`` (the rest).

    Parameters
    ----------
    wide : pandas.DataFrame
        One row per area with a code column and concept columns (as
        :func:`wijkmix.workflows.kwb_wide` returns).
    by : {'tenure', 'income', 'low_income'}
    code_column : str
        Column with the area codes.
    source : str
        Name of the input, for error messages.

    Returns
    -------
    Composition
        With ``estimated=True``, ``unit`` the denominator concept, and the
        total column holding the published denominator.

    Raises
    ------
    InputError
        If ``by`` is unknown, a column is missing, or a percentage lies outside
        0–100.

    Examples
    --------
    >>> wide = pd.DataFrame({"code": ["BU00010001"], "dwellings": [200.0],
    ...     "pct_corporation": [40.0], "pct_other_landlords": [10.0],
    ...     "pct_owner_occupied": [50.0]})
    >>> c = composition_from_kwb(wide, by="tenure")
    >>> c.counts.loc["BU00010001", ["corporatie", "eigenaar_bewoner", "dwellings"]].tolist()
    [80.0, 100.0, 200.0]
    """
    if by not in _KWB_SPEC:
        raise InputError(
            "unknown category for KWB", where="by", expected="one of " + ", ".join(KWB_BY), found=by
        )
    denominator, spec = _KWB_SPEC[by]
    pct_cols = [c for c in spec.values() if c is not None]
    _require_columns(wide, [code_column, denominator, *pct_cols], source)
    pct = pd.DataFrame(index=range(len(wide)))
    for cat, col in spec.items():
        if col is None:
            continue
        values = _numeric(wide, col, source)
        bad = (values < 0) | (values > 100)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                "percentage out of range",
                where=Location(file=source, row=i + 1, column=col),
                expected=f"a percentage between 0 and 100 ({CONCEPTS[col].label})",
                found=values[i],
            )
        pct[cat] = values
    given = pct.sum(axis=1, skipna=False)
    for cat, col in spec.items():
        if col is None:
            # the remainder; rounding of the published figures may push it just below zero
            pct[cat] = (100.0 - given).clip(lower=0.0)
    denom = _numeric(wide, denominator, source)
    cats = tuple(spec)
    counts = pd.DataFrame(
        {cat: pct[cat].to_numpy() / 100.0 * denom for cat in cats},
        index=pd.Index(wide[code_column].astype(str).str.strip().to_numpy(), name=code_column),
    )
    known = counts.sum(axis=1, skipna=False)
    counts[UNKNOWN] = (pd.Series(denom, index=counts.index) - known).clip(lower=0.0)
    counts[denominator] = denom
    return _result(
        counts,
        level_column=code_column,
        by=by,
        categories=cats,
        unit=denominator,
        estimated=True,
        labels={c: LABELS[c] for c in cats},
        note=_KWB_NOTE.format(
            denominator="woningen" if denominator == "dwellings" else "huishoudens"
        ),
    )
