"""How well a synthetic population reproduces its targets, per buurt and concept.

The fit table has the columns of the store table ``synth_fit`` without
``seed`` and ``source``: ``gemeente_code, area_code, concept, target,
generated, borrowed_from``. ``target`` is what the synthesis aimed at (the KWB
value, a borrowed value, or a value derived from the KWB, see
``borrowed_from``), ``generated`` is recomputed from the generated registers.
Units are those of the concept: counts, percent (tenure shares of dwellings,
income shares of households) or x 1 000 euro.

Concepts (household concepts only for buurten with households, dwelling
concepts only for buurten with dwellings):

========================================  ===============================================
``households``                            CBS count (exact by construction)
``dwellings``                             CBS stock; more where households exceed it
``inhabitants``                           persons in private households
``pct_corporation``, ``pct_other_...``    % of dwellings; target = CBS shares
``pct_owner_occupied``                    normalised to 100 (unknown owner spread)
``avg_woz``                               mean WOZ of all dwellings, x 1 000 euro
``one_person_households``                 count
``households_without_children``           count (paar + overig)
``households_with_children``              count (paar_met_kinderen + eenouder)
``age_65_plus_heads``                     heads aged 65+, target from the KWB age
                                          groups and headship rates
``pct_low_income_households``             % of households below the low-income threshold
``pct_households_social_minimum``         % below 101 % of the social minimum
``bijstand_households``                   households with income source ``uitkering``;
                                          target = bijstand persons / persons per household
``avg_income_per_inhabitant``             total gross income / persons, x 1 000 euro
========================================  ===============================================
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from wijkmix.params.income import (
    IncomeParams,
    low_income_threshold,
    social_minimum_threshold_by_members,
)
from wijkmix.synth.dwellings import DwellingAttributes
from wijkmix.synth.households import HouseholdArrays
from wijkmix.synth.layout import Layout
from wijkmix.synth.targets import Targets

__all__ = ["FIT_COLUMNS", "FIT_CONCEPTS", "FIT_LABELS", "build_fit", "summarise_fit"]

#: Columns of the fit table (store table ``synth_fit`` without seed and source).
FIT_COLUMNS: tuple[str, ...] = (
    "gemeente_code",
    "area_code",
    "concept",
    "target",
    "generated",
    "borrowed_from",
)

#: Concept -> (Dutch label, borrowing block, needs 'households' or 'dwellings').
_FIT: dict[str, tuple[str, str, str]] = {
    "households": ("Huishoudens", "households", "always"),
    "dwellings": ("Woningen", "dwellings", "always"),
    "inhabitants": ("Personen in huishoudens", "inhabitants", "households"),
    "pct_corporation": ("% corporatiewoningen", "tenure", "dwellings"),
    "pct_other_landlords": ("% overige verhuurders", "tenure", "dwellings"),
    "pct_owner_occupied": ("% koopwoningen", "tenure", "dwellings"),
    "avg_woz": ("Gemiddelde WOZ-waarde (x 1 000 euro)", "avg_woz", "dwellings"),
    "one_person_households": ("Eenpersoonshuishoudens", "composition", "households"),
    "households_without_children": ("Huishoudens zonder kinderen", "composition", "households"),
    "households_with_children": ("Huishoudens met kinderen", "composition", "households"),
    "age_65_plus_heads": ("Hoofdbewoners van 65 jaar of ouder", "ages", "households"),
    "pct_low_income_households": (
        "% huishoudens met een laag inkomen",
        "pct_low_income_households",
        "households",
    ),
    "pct_households_social_minimum": (
        "% huishoudens onder of rond sociaal minimum",
        "pct_households_social_minimum",
        "households",
    ),
    "bijstand_households": ("Huishoudens met bijstand", "bijstand", "households"),
    "avg_income_per_inhabitant": (
        "Gemiddeld inkomen per persoon (x 1 000 euro)",
        "avg_income_per_inhabitant",
        "households",
    ),
}
#: The fit concepts, in table order.
FIT_CONCEPTS: tuple[str, ...] = tuple(_FIT)
#: Dutch label per fit concept.
FIT_LABELS: Mapping[str, str] = {k: v[0] for k, v in _FIT.items()}


def build_fit(
    targets: Targets,
    layout: Layout,
    attrs: DwellingAttributes,
    hh: HouseholdArrays,
    params: IncomeParams,
) -> pd.DataFrame:
    """Target against generated value per buurt and concept.

    Generated values are recomputed from the generated arrays; the income
    shares by classifying the incomes with the thresholds of
    :mod:`wijkmix.params.income` (the same as
    :func:`~wijkmix.params.income.is_low_income` and
    :func:`~wijkmix.params.income.is_social_minimum` on the register columns).
    """
    n_b = targets.n
    b_d = layout.buurt
    b_h = hh.buurt

    def count(
        mask: npt.NDArray[np.bool_], groups: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        return np.bincount(groups[mask], minlength=n_b).astype(np.float64)

    n_dw = np.bincount(b_d, minlength=n_b).astype(np.float64)
    n_hh = np.bincount(b_h, minlength=n_b).astype(np.float64)
    persons = np.bincount(b_h, weights=hh.size, minlength=n_b).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct_d = 100.0 / n_dw
        pct_h = 100.0 / n_hh
        children = np.where(hh.type == 2, hh.size - 2, np.where(hh.type == 3, hh.size - 1, 0))
        low = hh.income < low_income_threshold(params, hh.size)
        smin = hh.income < social_minimum_threshold_by_members(
            params, hh.size - children, children, hh.age_head >= params.aow_age
        )
        gen: dict[str, npt.NDArray[np.float64]] = {
            "households": n_hh,
            "dwellings": n_dw,
            "inhabitants": persons,
            "pct_corporation": count(layout.owner == 0, b_d) * pct_d,
            "pct_other_landlords": count(layout.owner == 1, b_d) * pct_d,
            "pct_owner_occupied": count(layout.owner == 2, b_d) * pct_d,
            "avg_woz": np.bincount(b_d, weights=attrs.woz, minlength=n_b) / n_dw / 1000.0,
            "one_person_households": count(hh.type == 0, b_h),
            "households_without_children": count((hh.type == 1) | (hh.type == 4), b_h),
            "households_with_children": count((hh.type == 2) | (hh.type == 3), b_h),
            "age_65_plus_heads": count(hh.age_head >= 65, b_h),
            "pct_low_income_households": count(low, b_h) * pct_h,
            "pct_households_social_minimum": count(smin, b_h) * pct_h,
            "bijstand_households": count(hh.income_source == 1, b_h),
            "avg_income_per_inhabitant": np.bincount(b_h, weights=hh.income, minlength=n_b)
            / persons
            / 1000.0,
        }
    t = targets
    tgt: dict[str, npt.NDArray[np.float64]] = {
        "households": t.households.astype(np.float64),
        "dwellings": t.dwellings_target,
        "inhabitants": t.persons.astype(np.float64),
        "pct_corporation": t.tenure_pct[:, 0],
        "pct_other_landlords": t.tenure_pct[:, 1],
        "pct_owner_occupied": t.tenure_pct[:, 2],
        "avg_woz": t.avg_woz,
        "one_person_households": t.types[:, 0].astype(np.float64),
        "households_without_children": (t.types[:, 1] + t.types[:, 4]).astype(np.float64),
        "households_with_children": (t.types[:, 2] + t.types[:, 3]).astype(np.float64),
        "age_65_plus_heads": t.head_ages[:, 3].astype(np.float64),
        "pct_low_income_households": t.pct_low_income,
        "pct_households_social_minimum": t.pct_social_minimum,
        "bijstand_households": t.bijstand_households.astype(np.float64),
        "avg_income_per_inhabitant": t.avg_income_per_inhabitant,
    }
    need = {
        "always": np.ones(n_b, dtype=bool),
        "households": t.households > 0,
        "dwellings": t.dwellings > 0,
    }
    parts = []
    for concept, (_label, block, needs) in _FIT.items():
        keep = np.flatnonzero(need[needs])
        parts.append(
            pd.DataFrame(
                {
                    "b": keep,
                    "concept": concept,
                    "target": tgt[concept][keep],
                    "generated": gen[concept][keep],
                    "borrowed_from": t.borrowed[block][keep],
                }
            )
        )
    fit = pd.concat(parts, ignore_index=True)
    fit = fit.sort_values(["b"], kind="stable").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "gemeente_code": pd.Series(t.gemeente, index=fit.index, dtype="str"),
            "area_code": pd.Series(t.buurt[fit["b"].to_numpy()], index=fit.index, dtype="str"),
            "concept": fit["concept"].astype("str"),
            "target": fit["target"].astype("float64"),
            "generated": fit["generated"].astype("float64"),
            "borrowed_from": fit["borrowed_from"].astype("str"),
        }
    )
    return out


def summarise_fit(fit: pd.DataFrame) -> pd.DataFrame:
    """Per concept: number of buurten, mean and maximum absolute error.

    Parameters
    ----------
    fit : pandas.DataFrame
        A fit table (:data:`FIT_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        Columns ``concept``, ``label`` (Dutch), ``buurten``, ``mean_abs_error``,
        ``max_abs_error``, in :data:`FIT_CONCEPTS` order; errors in the unit of
        the concept, over the buurten where both values are known.
    """
    err = (fit["generated"] - fit["target"]).abs()
    ok = err.notna()
    frame = pd.DataFrame({"concept": fit["concept"][ok], "err": err[ok]})
    g = frame.groupby("concept", sort=False)["err"]
    stats = pd.DataFrame(
        {"buurten": g.size(), "mean_abs_error": g.mean(), "max_abs_error": g.max()}
    )
    concepts = [c for c in FIT_CONCEPTS if c in stats.index]
    stats = stats.reindex(concepts)
    return pd.DataFrame(
        {
            "concept": pd.Series(concepts, dtype="str"),
            "label": pd.Series([FIT_LABELS[c] for c in concepts], dtype="str"),
            "buurten": stats["buurten"].to_numpy(dtype=np.int64),
            "mean_abs_error": stats["mean_abs_error"].to_numpy(dtype=np.float64),
            "max_abs_error": stats["max_abs_error"].to_numpy(dtype=np.float64),
        }
    )
