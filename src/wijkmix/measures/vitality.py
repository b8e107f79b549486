"""Vitality score: liveability × organising capacity × resilience.

A Dutch corporation's screening: each of three components is scored 1, 2 or 3
(3 = most concern) and the product (1–27) flags an area for a closer look when
it reaches ``flag_at`` (default 9: for instance 3 × 3 × 1 or 3 × 1 × 3).

The rules are declared, not built in (:class:`VitalityRules`):

* **liveability** — default the Leefbaarometer class (column ``lbm_class``,
  1 = zeer onvoldoende … 9 = uitstekend) mapped as classes 1–4 → 3, 5–6 → 2,
  7–9 → 1 (:data:`DEFAULT_LBM_SCORES`);
* **organising capacity** — default the presence of a neighbourhood council
  and a wijkregisseur (boolean columns ``wijkraad`` and ``wijkregisseur``):
  both → 1, one → 2, none → 3 (:class:`PresenceScore`); or any numeric proxy
  with cut points (:class:`BandScore`);
* **resilience** — no default: a proxy the user chooses, such as the share of
  low incomes, the corporation share or a nuisance level, with cut points
  (:class:`BandScore`) or a mapping of values (:class:`CategoryScore`).

A missing input gives a missing score, never a guessed one; the product is
then missing too. The flag is still decided when the known scores settle it
(3 × 3 × missing ≥ 9 whatever the missing score is; 1 × 1 × missing < 9), and
missing otherwise. The result names the inputs that were missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wijkmix.errors import InputError, Location

__all__ = [
    "COMPONENTS",
    "DEFAULT_LBM_SCORES",
    "LABELS",
    "LBM_CLASS_LABELS",
    "BandScore",
    "CategoryScore",
    "PresenceScore",
    "Scorer",
    "VitalityResult",
    "VitalityRules",
    "vitality",
]

#: The three components, in the order of the product.
COMPONENTS: tuple[str, ...] = ("liveability", "organising", "resilience")

#: Dutch labels of the result columns.
LABELS: dict[str, str] = {
    "code": "Gebied",
    "liveability": "Leefbaarheid",
    "organising": "Organiserend vermogen",
    "resilience": "Veerkracht",
    "product": "Vitaliteitsscore",
    "flagged": "Nader bekijken",
    "missing": "Ontbrekende gegevens",
}

#: Leefbaarometer classes (1–9) and their Dutch names.
LBM_CLASS_LABELS: dict[int, str] = {
    1: "Zeer onvoldoende",
    2: "Ruim onvoldoende",
    3: "Onvoldoende",
    4: "Zwak",
    5: "Voldoende",
    6: "Ruim voldoende",
    7: "Goed",
    8: "Zeer goed",
    9: "Uitstekend",
}

#: Default liveability score per Leefbaarometer class: 1–4 → 3 (zorg),
#: 5–6 → 2, 7–9 → 1.
DEFAULT_LBM_SCORES: dict[int, int] = {1: 3, 2: 3, 3: 3, 4: 3, 5: 2, 6: 2, 7: 1, 8: 1, 9: 1}


def _is_missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float | np.floating) and np.isnan(v))


def _check_column_name(name: object, where: str) -> None:
    if not isinstance(name, str) or not name:
        raise InputError(
            "invalid column name", where=where, expected="a non-empty column name", found=name
        )


def _require(frame: pd.DataFrame, col: str, source: str) -> None:
    if col not in frame.columns:
        raise InputError(
            "missing column",
            where=Location(file=source, column=col),
            expected=f"a column {col!r} (as the vitality rules declare)",
            found=list(frame.columns),
        )


@dataclass(frozen=True)
class CategoryScore:
    """Score by looking a value up: ``{value: score}``.

    A value not in the mapping is an error (not a missing score).
    Checked when placed in :class:`VitalityRules`.

    Parameters
    ----------
    column : str
    scores : mapping
        Value → score 1, 2 or 3. Stored as a tuple of pairs.
    """

    column: str
    scores: Mapping[Any, int] | tuple[tuple[Any, int], ...]

    def __post_init__(self) -> None:
        if isinstance(self.scores, Mapping):
            object.__setattr__(self, "scores", tuple(self.scores.items()))

    @property
    def columns(self) -> tuple[str, ...]:
        """The input columns."""
        return (self.column,)

    def validate(self, prefix: str) -> None:
        """Raise InputError naming ``prefix.<field>`` when a setting is invalid."""
        _check_column_name(self.column, f"{prefix}.column")
        pairs = self.scores
        if not isinstance(pairs, tuple) or not pairs:
            raise InputError(
                "no scores",
                where=f"{prefix}.scores",
                expected="a mapping value → 1/2/3",
                found=pairs,
            )
        for key, s in pairs:
            if s not in (1, 2, 3) or isinstance(s, bool):
                raise InputError(
                    "invalid score",
                    where=f"{prefix}.scores[{key!r}]",
                    expected="1, 2 or 3 (3 = most concern)",
                    found=s,
                )

    def score(self, frame: pd.DataFrame, source: str) -> np.ndarray:
        """Score every row (NaN where the input is missing)."""
        _require(frame, self.column, source)
        lookup = dict(self.scores)
        out = np.full(len(frame), np.nan)
        for i, v in enumerate(frame[self.column].tolist()):
            if _is_missing(v):
                continue
            try:
                out[i] = lookup[v]
            except (KeyError, TypeError):
                raise InputError(
                    "value without a score",
                    where=Location(file=source, row=i + 1, column=self.column),
                    expected="one of " + ", ".join(repr(k) for k in lookup),
                    found=v,
                ) from None
        return out


@dataclass(frozen=True)
class BandScore:
    """Score a number by two cut points ``(low, high)``.

    With ``higher_is_worse=True``: value < low → 1, low ≤ value < high → 2,
    value ≥ high → 3. With ``higher_is_worse=False`` the other way round:
    value ≥ high → 1, low ≤ value < high → 2, value < low → 3. A value exactly
    at a cut point belongs to the band above it. Checked when placed in
    :class:`VitalityRules`.
    """

    column: str
    cuts: tuple[float, float]
    higher_is_worse: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        """The input columns."""
        return (self.column,)

    def validate(self, prefix: str) -> None:
        """Raise InputError naming ``prefix.<field>`` when a setting is invalid."""
        _check_column_name(self.column, f"{prefix}.column")
        cuts = self.cuts
        ok = (
            isinstance(cuts, tuple | list)
            and len(cuts) == 2
            and all(
                isinstance(c, int | float) and not isinstance(c, bool) and np.isfinite(c)
                for c in cuts
            )
        )
        if not ok:
            raise InputError(
                "invalid cut points",
                where=f"{prefix}.cuts",
                expected="two finite numbers (low, high)",
                found=cuts,
            )
        if cuts[0] > cuts[1]:
            raise InputError(
                "cut points in the wrong order",
                where=f"{prefix}.cuts",
                expected="low <= high",
                found=tuple(cuts),
            )
        if not isinstance(self.higher_is_worse, bool):
            raise InputError(
                "invalid direction",
                where=f"{prefix}.higher_is_worse",
                expected="true or false",
                found=self.higher_is_worse,
            )

    def score(self, frame: pd.DataFrame, source: str) -> np.ndarray:
        """Score every row (NaN where the input is missing)."""
        _require(frame, self.column, source)
        raw = frame[self.column]
        v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(v) & raw.notna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                "invalid number",
                where=Location(file=source, row=i + 1, column=self.column),
                expected="a number (or missing)",
                found=raw.iloc[i],
            )
        low, high = self.cuts
        band = np.where(v < low, 1.0, np.where(v < high, 2.0, 3.0))
        if not self.higher_is_worse:
            band = 4.0 - band
        band[np.isnan(v)] = np.nan
        return band


@dataclass(frozen=True)
class PresenceScore:
    """Score by presence flags: all present → 1, some → 2, none → 3.

    Used for organising capacity: a neighbourhood council (wijkraad), a
    wijkregisseur, an active residents' association... A missing flag leaves
    the score missing unless the known flags settle it (one present and one
    absent is "some" whatever the rest is). With a single column the score is
    1 (present) or 3 (absent). Checked when placed in :class:`VitalityRules`.
    """

    columns: tuple[str, ...] = ("wijkraad", "wijkregisseur")

    def validate(self, prefix: str) -> None:
        """Raise InputError naming ``prefix.<field>`` when a setting is invalid."""
        if not isinstance(self.columns, tuple) or not self.columns:
            raise InputError(
                "no columns",
                where=f"{prefix}.columns",
                expected="a tuple of one or more flag columns",
                found=self.columns,
            )
        for k, c in enumerate(self.columns):
            _check_column_name(c, f"{prefix}.columns[{k}]")

    def score(self, frame: pd.DataFrame, source: str) -> np.ndarray:
        """Score every row (NaN where the flags do not settle it)."""
        flags = np.full((len(frame), len(self.columns)), np.nan)
        for j, col in enumerate(self.columns):
            _require(frame, col, source)
            for i, v in enumerate(frame[col].tolist()):
                if _is_missing(v):
                    continue
                if isinstance(v, bool | np.bool_) or (
                    isinstance(v, int | float | np.integer | np.floating) and v in (0, 1)
                ):
                    flags[i, j] = float(bool(v))
                else:
                    raise InputError(
                        "invalid flag",
                        where=Location(file=source, row=i + 1, column=col),
                        expected="true or false (or missing)",
                        found=v,
                    )
        any_true = np.any(flags == 1.0, axis=1)
        any_false = np.any(flags == 0.0, axis=1)
        complete = ~np.any(np.isnan(flags), axis=1)
        out = np.full(len(frame), np.nan)
        out[any_true & any_false] = 2.0
        out[complete & any_true & ~any_false] = 1.0
        out[complete & ~any_true] = 3.0
        return out


Scorer = CategoryScore | BandScore | PresenceScore


@dataclass(frozen=True)
class VitalityRules:
    """The declared scoring rules.

    Parameters
    ----------
    resilience : Scorer
        The resilience proxy the user chooses (no default).
    liveability : Scorer
        Default: ``CategoryScore("lbm_class", DEFAULT_LBM_SCORES)``.
    organising : Scorer
        Default: ``PresenceScore(("wijkraad", "wijkregisseur"))``.
    flag_at : int, default 9
        A product at or above it flags the area (1–27).

    Raises
    ------
    InputError
        Naming the field (``resilience.cuts``, ``flag_at``, ...) that is invalid.
    """

    resilience: Scorer
    liveability: Scorer = field(
        default_factory=lambda: CategoryScore("lbm_class", DEFAULT_LBM_SCORES)
    )
    organising: Scorer = field(default_factory=PresenceScore)
    flag_at: int = 9

    def __post_init__(self) -> None:
        for name in COMPONENTS:
            scorer = getattr(self, name)
            if not isinstance(scorer, CategoryScore | BandScore | PresenceScore):
                raise InputError(
                    "invalid rule",
                    where=name,
                    expected="a CategoryScore, BandScore or PresenceScore",
                    found=type(scorer).__name__,
                )
            scorer.validate(name)
        if (
            not isinstance(self.flag_at, int)
            or isinstance(self.flag_at, bool)
            or not 1 <= self.flag_at <= 27
        ):
            raise InputError(
                "invalid flag level",
                where="flag_at",
                expected="a whole number from 1 to 27",
                found=self.flag_at,
            )


@dataclass(frozen=True)
class VitalityResult:
    """Scores per area.

    Attributes
    ----------
    table : pandas.DataFrame
        ``code, liveability, organising, resilience, product`` (nullable
        integers, missing where an input is missing), ``flagged`` (nullable
        boolean: missing when the known scores do not settle it) and
        ``missing`` (the input columns that were missing, comma-separated;
        empty when none).
    rules : VitalityRules
    """

    table: pd.DataFrame
    rules: VitalityRules

    @property
    def flagged_codes(self) -> list[str]:
        """Codes of the flagged areas."""
        t = self.table
        return [str(c) for c in t.loc[t["flagged"].fillna(False).astype(bool), "code"]]


def vitality(
    frame: pd.DataFrame,
    rules: VitalityRules,
    *,
    code_column: str = "code",
    source: str = "frame",
) -> VitalityResult:
    """Score liveability, organising capacity and resilience per area.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area with the columns the rules name.
    rules : VitalityRules
    code_column : str
        Column with the area codes.
    source : str
        Name of the input, for error messages.

    Returns
    -------
    VitalityResult

    Raises
    ------
    InputError
        If a column is missing or a value cannot be scored.

    Examples
    --------
    >>> f = pd.DataFrame({"code": ["a", "b"], "lbm_class": [3, 8],
    ...     "wijkraad": [False, True], "wijkregisseur": [False, True],
    ...     "pct_laag": [30.0, 5.0]})
    >>> r = vitality(f, VitalityRules(resilience=BandScore("pct_laag", (10.0, 20.0))))
    >>> r.table["product"].tolist(), r.table["flagged"].tolist()
    ([27, 1], [True, False])
    """
    if not isinstance(rules, VitalityRules):
        raise InputError(
            "invalid rules", where="rules", expected="VitalityRules", found=type(rules).__name__
        )
    _require(frame, code_column, source)
    scores = {name: getattr(rules, name).score(frame, source) for name in COMPONENTS}
    mat = np.column_stack([scores[n] for n in COMPONENTS])
    n_missing = np.isnan(mat).sum(axis=1)
    known_product = np.where(np.isnan(mat), 1.0, mat).prod(axis=1)
    product = np.where(n_missing == 0, known_product, np.nan)
    lowest = known_product  # every missing score at its lowest, 1
    highest = known_product * 3.0**n_missing
    flagged = pd.array(
        [
            True if lo >= rules.flag_at else (False if hi < rules.flag_at else None)
            for lo, hi in zip(lowest, highest, strict=True)
        ],
        dtype="boolean",
    )
    missing_text = []
    for i in range(len(frame)):
        names: list[str] = []
        for k, comp in enumerate(COMPONENTS):
            if np.isnan(mat[i, k]):
                cols: Sequence[str] = getattr(rules, comp).columns
                names.extend(c for c in cols if _is_missing(frame[c].iloc[i]))
        missing_text.append(", ".join(names))

    def as_int(a: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.array([None if np.isnan(x) else int(x) for x in a], dtype="Int64")

    table = pd.DataFrame(
        {
            "code": frame[code_column].to_numpy(),
            **{n: as_int(scores[n]) for n in COMPONENTS},
            "product": as_int(product),
            "flagged": flagged,
            "missing": pd.array(missing_text, dtype="str"),
        }
    )
    return VitalityResult(table=table, rules=rules)
