"""Dwelling and household registers: read, validate and store.

A register is microdata, one row per object: a *dwellings* register (one row
per dwelling) and a *households* register (one row per household). Both are
read from CSV -- including Dutch CSV with ``;`` as separator, a decimal comma
and possibly a UTF-8 byte-order mark -- or from Parquet (by the extension
``.parquet`` or ``.pq``). In-memory frames (for example a synthetic
population) are checked by the same rules through :func:`validate_dwellings`
and :func:`validate_households`.

The rules are declared once, as data: :data:`DWELLING_SPECS` and
:data:`HOUSEHOLD_SPECS` list every column with its type, whether it is
required, its allowed values or range and a hint for the user. One checking
routine applies them, vectorised over whole columns, and then the
cross-field and cross-row rules of each register:

dwellings
    * ``dwelling_id`` is unique;
    * ``buurt_code`` is required; ``wijk_code`` and ``gemeente_code`` are
      derived from it when empty or absent, and when given the buurt must lie
      in the wijk and in the gemeente;
    * every gemeente lies in one ``regio_code``, every ``complex_code`` in one
      buurt and every ``portiek_code`` in one complex (where given);
    * an owner-occupied dwelling (owner ``eigenaar_bewoner``) is in a ``koop``
      segment, and an occupied (``bewoond``) dwelling in a ``koop`` segment has
      owner ``eigenaar_bewoner``. A vacant or unfinished dwelling may still be
      held by a corporation or developer that sells it; social rent may be let
      by a corporation *or* a private landlord, and a corporation may let
      middle and free rent.
households
    * ``household_id`` is unique; ``dwelling_id`` names a dwelling of the
      dwellings register, at most one household per dwelling, and that
      dwelling is lived in (status ``bewoond``, not ``leeg``, ``in_aanbouw``
      or ``gesloopt``);
    * ``size`` fits ``type``: ``alleenstaand`` has 1 person, ``paar`` and
      ``eenouder`` at least 2, ``paar_met_kinderen`` at least 3, ``overig``
      (CBS: *overig meerpersoonshuishouden*) at least 2. A couple is not
      required to be exactly 2 because CBS counts other members (a parent
      living in) within the household;
    * ``years_in_dwelling`` is at most ``years_in_municipality`` when both are
      given;
    * ``income`` is the gross yearly household income in euro. It may be
      negative, down to -1,000,000, because CBS income statistics include the
      losses of self-employed people.

Yes/no columns accept ``ja``/``nee``, ``j``/``n``, ``waar``/``onwaar``,
``true``/``false`` and ``1``/``0`` in any case. Category values are compared
without regard to case, and spaces or hyphens count as underscores
(``Sociale huur`` is ``sociale_huur``).

Row numbers in every message are **1-based data rows**: row 1 is the first
row after the header (as a spreadsheet user counts them when the header is
row 0), and for a Parquet file or a data frame row 1 is the first row. A
check collects *all* violations up to a limit (default 100) and raises one
:class:`~wijkmix.errors.InputErrors`, ordered by row and column; nothing is
written to the store unless both registers pass.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wijkmix.areas import Level, parse_code
from wijkmix.errors import InputError, InputErrors, Location
from wijkmix.store.base import ImportResult, Store, file_sha256
from wijkmix.store.schema import DWELLING_COLUMNS, HOUSEHOLD_COLUMNS

__all__ = [
    "DWELLING_SPECS",
    "FALSE_WORDS",
    "HOUSEHOLD_SPECS",
    "HOUSEHOLD_TYPES",
    "INCOME_SOURCES",
    "KOOP_SEGMENTS",
    "MIN_INCOME",
    "OWNERS",
    "SEGMENTS",
    "STATUSES",
    "TRUE_WORDS",
    "ColumnSpec",
    "RegisterSet",
    "import_registers",
    "read_dwellings",
    "read_households",
    "read_registers",
    "registers_sha256",
    "store_registers",
    "validate_dwellings",
    "validate_households",
]

Kind = Literal["id", "text", "code", "category", "int", "float", "bool"]
Extra = Literal["error", "ignore"]

#: Owners of a dwelling.
OWNERS: tuple[str, ...] = ("corporatie", "particuliere_verhuurder", "eigenaar_bewoner")
#: Market segments, rent first, then owner-occupied (koop).
SEGMENTS: tuple[str, ...] = (
    "sociale_huur",
    "middenhuur",
    "vrije_huur",
    "koop_betaalbaar",
    "koop_duur",
)
#: The owner-occupied segments.
KOOP_SEGMENTS: tuple[str, ...] = ("koop_betaalbaar", "koop_duur")
#: Status of a dwelling; only ``bewoond`` dwellings house a household.
STATUSES: tuple[str, ...] = ("bewoond", "leeg", "in_aanbouw", "gesloopt")
#: Household types (CBS household composition).
HOUSEHOLD_TYPES: tuple[str, ...] = (
    "alleenstaand",
    "paar",
    "paar_met_kinderen",
    "eenouder",
    "overig",
)
#: Main source of income of a household.
INCOME_SOURCES: tuple[str, ...] = ("werk", "uitkering", "pensioen", "studie", "overig")
#: Words read as yes (case-insensitive).
TRUE_WORDS: tuple[str, ...] = ("ja", "j", "waar", "true", "1")
#: Words read as no (case-insensitive).
FALSE_WORDS: tuple[str, ...] = ("nee", "n", "onwaar", "false", "0")
#: Lowest accepted gross yearly household income (losses of self-employed).
MIN_INCOME = -1_000_000.0

#: Smallest and largest household size per type (None: no upper bound).
_SIZE_BY_TYPE: dict[str, tuple[int, int | None]] = {
    "alleenstaand": (1, 1),
    "paar": (2, None),
    "paar_met_kinderen": (3, None),
    "eenouder": (2, None),
    "overig": (2, None),
}
#: Integers beyond this cannot be held exactly as floats; treated as out of range.
_MAX_INT = 2.0**53

_PANDAS_DTYPE = {"TEXT": "str", "BIGINT": "Int64", "DOUBLE": "float64", "BOOLEAN": "boolean"}
_SQL_KINDS = {
    "TEXT": ("id", "text", "code", "category"),
    "BIGINT": ("int",),
    "DOUBLE": ("float",),
    "BOOLEAN": ("bool",),
}


@dataclass(frozen=True)
class ColumnSpec:
    """The rules for one column of a register.

    Parameters
    ----------
    name : str
        Column name (as in :mod:`wijkmix.store.schema`).
    kind : {'id', 'text', 'code', 'category', 'int', 'float', 'bool'}
        ``id`` and ``text`` are free text; ``code`` is a CBS area code at
        ``level``; ``category`` one of ``allowed``.
    required : bool, default False
        The column must be present and no cell may be empty. An optional
        column may be absent or have empty cells (missing values).
    allowed : tuple of str
        Allowed values of a ``category`` column.
    minimum, maximum : float, optional
        Inclusive range of a number (``minimum`` exclusive when
        ``exclusive_minimum``).
    exclusive_minimum : bool, default False
        The value must be greater than ``minimum``.
    level : Level, optional
        Level of a ``code`` column.
    unique : str, optional
        When set, a value may occur only once; the text is the problem named
        when it occurs again.
    hint : str
        How to fix a bad value, with the Dutch terms a user knows.
    """

    name: str
    kind: Kind
    required: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    level: Level | None = None
    unique: str | None = None
    hint: str = ""

    @property
    def expected(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.kind in ("int", "float"):
            noun = "a whole number" if self.kind == "int" else "a number"
            lo, hi = _fmt(self.minimum), _fmt(self.maximum)
            if self.minimum is not None and self.maximum is not None:
                return f"{noun} from {lo} to {hi}"
            if self.minimum is not None:
                return f"{noun} {'>' if self.exclusive_minimum else '≥'} {lo}"
            if self.maximum is not None:
                return f"{noun} ≤ {hi}"
            return noun
        if self.kind == "category":
            return "one of " + ", ".join(self.allowed)
        if self.kind == "bool":
            return "ja or nee (also j/n, waar/onwaar, true/false, 1/0)"
        if self.kind == "code":
            prefix, n = {"gemeente": ("GM", 4), "wijk": ("WK", 6), "buurt": ("BU", 8)}[
                str(self.level)
            ]
            return (
                f"a {self.level} code: {prefix} + {n} characters (4 digits, then digits or letters)"
            )
        return "a non-empty text"


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


_NUMBER_HINT = "without thousands separators, spaces or '€'"

#: The rules of the dwellings register, in the column order of the store.
DWELLING_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "dwelling_id",
        "id",
        required=True,
        unique="dwelling_id occurs twice",
        hint="one row per dwelling (woning) with its own id, for example the BAG "
        "verblijfsobject-id; ids are text, so leading zeros are kept",
    ),
    ColumnSpec(
        "regio_code",
        "text",
        hint="the woningmarktregio (or another grouping) of the gemeente, as text",
    ),
    ColumnSpec(
        "gemeente_code",
        "code",
        level="gemeente",
        hint="CBS gemeentecode such as GM0518; leave it empty to derive it from buurt_code",
    ),
    ColumnSpec(
        "wijk_code",
        "code",
        level="wijk",
        hint="CBS wijkcode such as WK051801; leave it empty to derive it from buurt_code",
    ),
    ColumnSpec(
        "buurt_code",
        "code",
        level="buurt",
        required=True,
        hint="CBS buurtcode such as BU05180170 (see the CBS 'Wijk- en buurtkaart' of the year)",
    ),
    ColumnSpec("straat_code", "text", hint="a street id (straat), as text"),
    ColumnSpec("complex_code", "text", hint="the complex id of the corporation or building"),
    ColumnSpec("portiek_code", "text", hint="the portiek (entrance, stairwell) id"),
    ColumnSpec(
        "owner",
        "category",
        required=True,
        allowed=OWNERS,
        hint="eigenaar: corporatie (woningcorporatie), particuliere_verhuurder "
        "(beleggers and other private landlords), eigenaar_bewoner (koopwoning)",
    ),
    ColumnSpec(
        "segment",
        "category",
        required=True,
        allowed=SEGMENTS,
        hint="segment: sociale_huur, middenhuur (Wet betaalbare huur), vrije_huur, "
        "koop_betaalbaar, koop_duur",
    ),
    ColumnSpec(
        "rent",
        "float",
        minimum=0,
        hint="kale huur per month in euro; leave empty for a koopwoning",
    ),
    ColumnSpec("woz_value", "float", minimum=0, hint="WOZ-waarde in euro"),
    ColumnSpec("rooms", "int", required=True, minimum=1, hint="number of rooms (kamers)"),
    ColumnSpec(
        "floor_area",
        "float",
        required=True,
        minimum=0,
        exclusive_minimum=True,
        hint="gebruiksoppervlakte in m² (BAG)",
    ),
    ColumnSpec(
        "build_year",
        "int",
        required=True,
        minimum=1200,
        maximum=2100,
        hint="bouwjaar with 4 digits (BAG)",
    ),
    ColumnSpec(
        "wws_points",
        "float",
        minimum=0,
        hint="WWS-punten (woningwaarderingsstelsel); leave empty when unknown",
    ),
    ColumnSpec(
        "status",
        "category",
        required=True,
        allowed=STATUSES,
        hint="bewoond (occupied), leeg (vacant), in_aanbouw (under construction), "
        "gesloopt (demolished)",
    ),
)

_YES_NO = "use ja or nee (also j/n, waar/onwaar, true/false, 1/0); leave empty when unknown"

#: The rules of the households register, in the column order of the store.
HOUSEHOLD_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "household_id",
        "id",
        required=True,
        unique="household_id occurs twice",
        hint="one row per household (huishouden) with its own id",
    ),
    ColumnSpec(
        "dwelling_id",
        "id",
        required=True,
        unique="second household in one dwelling",
        hint="the dwelling_id of the dwelling the household lives in, as in the "
        "dwellings register; a dwelling holds one household (register lodgers and "
        "rooms let separately as dwellings of their own)",
    ),
    ColumnSpec("size", "int", required=True, minimum=1, hint="number of persons (personen)"),
    ColumnSpec(
        "type",
        "category",
        required=True,
        allowed=HOUSEHOLD_TYPES,
        hint="samenstelling: alleenstaand, paar (zonder kinderen), paar_met_kinderen, "
        "eenouder, overig (overig meerpersoonshuishouden)",
    ),
    ColumnSpec(
        "age_head",
        "int",
        required=True,
        minimum=16,
        maximum=120,
        hint="leeftijd of the hoofdbewoner (reference person) in years",
    ),
    ColumnSpec(
        "income",
        "float",
        minimum=MIN_INCOME,
        hint="bruto jaarinkomen of the household in euro (losses of self-employed may be negative)",
    ),
    ColumnSpec(
        "income_source",
        "category",
        allowed=INCOME_SOURCES,
        hint="main source of income (inkomensbron): werk, uitkering, pensioen, studie, overig",
    ),
    ColumnSpec(
        "vulnerable_care",
        "bool",
        hint="uitstroom zorg, GGZ or beschermd wonen: " + _YES_NO,
    ),
    ColumnSpec("statushouder", "bool", hint="statushouder (vergunninghouder): " + _YES_NO),
    ColumnSpec("urgent", "bool", hint="urgentieverklaring: " + _YES_NO),
    ColumnSpec(
        "years_in_dwelling",
        "int",
        minimum=0,
        hint="woonduur: whole years at this address",
    ),
    ColumnSpec(
        "years_in_municipality",
        "int",
        minimum=0,
        hint="whole years living in this gemeente (for binding and Wbmgp art. 8)",
    ),
    ColumnSpec("crucial_profession", "bool", hint="cruciaal beroep: " + _YES_NO),
    ColumnSpec(
        "registration_years",
        "float",
        minimum=0,
        hint="inschrijfduur on the waiting list in years",
    ),
)


def _check_specs_match_schema() -> None:
    for specs, schema in ((DWELLING_SPECS, DWELLING_COLUMNS), (HOUSEHOLD_SPECS, HOUSEHOLD_COLUMNS)):
        cols = [(c, t) for c, t in schema if c != "source"]
        if [s.name for s in specs] != [c for c, _ in cols]:  # pragma: no cover - guard
            raise RuntimeError("register specs and store schema disagree on the columns")
        for s, (_, t) in zip(specs, cols, strict=True):
            if s.kind not in _SQL_KINDS[t]:  # pragma: no cover - guard
                raise RuntimeError(f"register spec {s.name} ({s.kind}) does not fit {t}")


_check_specs_match_schema()


@dataclass(frozen=True)
class RegisterSet:
    """A validated pair of registers.

    Attributes
    ----------
    dwellings : pandas.DataFrame
        Typed dwellings, columns in store order (without ``source``).
    households : pandas.DataFrame
        Typed households, columns in store order (without ``source``).
    dwellings_source : str
        Name of the file (or label) the dwellings came from.
    households_source : str
        Name of the file (or label) the households came from.
    """

    dwellings: pd.DataFrame
    households: pd.DataFrame
    dwellings_source: str = "dwellings"
    households_source: str = "households"


# ---------------------------------------------------------------------------
# violations: collected per check as row positions, turned into errors lazily


@dataclass(frozen=True)
class _Shown:
    """A found value shown without quotes (``an empty cell``)."""

    text: str

    def __str__(self) -> str:
        return self.text


_EMPTY = _Shown("an empty cell")

Describe = Callable[[np.ndarray], Sequence[object]]


@dataclass(frozen=True)
class _Group:
    column: str | None
    rank: int
    positions: np.ndarray  # 0-based, ascending, at most `limit` of them
    what: str
    expected: str | Describe
    found: Describe | None
    hint: str | None


class _Collector:
    """Collects violations of one register; makes at most ``limit`` errors."""

    def __init__(self, source: str, limit: int, columns: Sequence[str]) -> None:
        self.source = source
        self.limit = limit
        self.rank = {c: i for i, c in enumerate(columns)}
        self.raw: dict[str, pd.Series] = {}
        self.groups: list[_Group] = []
        self.general: list[InputError] = []
        self.total = 0

    def error(self, err: InputError) -> None:
        """Record a problem that has no row (a missing or unknown column)."""
        self.general.append(err)
        self.total += 1

    def add(
        self,
        column: str,
        mask: np.ndarray,
        what: str,
        expected: str | Describe,
        hint: str | None,
        found: Describe | None = None,
    ) -> None:
        """Record a violation in every row where ``mask`` is true."""
        pos = np.flatnonzero(mask)
        if not len(pos):
            return
        self.total += len(pos)
        self.groups.append(
            _Group(
                column,
                self.rank.get(column, len(self.rank)),
                pos[: self.limit],
                what,
                expected,
                found,
                hint,
            )
        )

    def _found(self, column: str, positions: np.ndarray) -> list[object]:
        raw = self.raw.get(column)
        if raw is None:
            return [_EMPTY] * len(positions)
        return [_shown(v) for v in raw.iloc[positions].tolist()]

    def errors(self) -> list[InputError]:
        """Return the first ``limit`` violations, ordered by row, column and check."""
        out: list[InputError] = list(self.general[: self.limit])
        room = self.limit - len(out)
        if room <= 0 or not self.groups:
            return out
        pos = np.concatenate([g.positions for g in self.groups])
        grp = np.concatenate([np.full(len(g.positions), i) for i, g in enumerate(self.groups)])
        rank = np.array([self.groups[i].rank for i in grp])
        order = np.lexsort((grp, rank, pos))[:room]
        chosen_pos, chosen_grp = pos[order], grp[order]
        texts: dict[tuple[int, int], tuple[object, object]] = {}
        for gi in np.unique(chosen_grp):
            g = self.groups[int(gi)]
            p = chosen_pos[chosen_grp == gi]
            found = g.found(p) if g.found else self._found(str(g.column), p)
            exp = [g.expected] * len(p) if isinstance(g.expected, str) else g.expected(p)
            for k, (f, e) in enumerate(zip(found, exp, strict=True)):
                texts[(int(gi), int(p[k]))] = (f, e)
        for p, gi in zip(chosen_pos.tolist(), chosen_grp.tolist(), strict=True):
            g = self.groups[gi]
            f, e = texts[(gi, p)]
            out.append(
                InputError(
                    g.what,
                    where=Location(file=self.source, row=p + 1, column=g.column),
                    expected=str(e),
                    found=f,
                    hint=g.hint,
                )
            )
        return out

    def raise_if_any(self) -> None:
        """Raise :class:`InputErrors` when anything was recorded."""
        if self.total:
            raise InputErrors(self.errors(), source=self.source, truncated=self.total > self.limit)


def _shown(v: object) -> object:
    if v is None or v is pd.NA:
        return _EMPTY
    if isinstance(v, str):
        return v if v.strip() else _EMPTY
    if isinstance(v, float) and np.isnan(v):
        return _EMPTY
    if isinstance(v, np.generic):
        return v.item()
    return v


# ---------------------------------------------------------------------------
# parsing one column


@dataclass(frozen=True)
class _Parsed:
    values: pd.Series  # typed; missing where the cell is empty or bad
    missing: np.ndarray  # no value given
    bad: np.ndarray  # a value given but invalid

    @property
    def ok(self) -> np.ndarray:
        return ~self.missing & ~self.bad


def _as_text(col: pd.Series) -> pd.Series:
    """Text of a column: stripped, empty → missing (dtype ``str``)."""
    s = col.astype("str").str.strip()
    return s.mask(s == "")


def _differ(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Row-wise a != b as a numpy bool array (missing counts as different)."""
    return np.asarray(a.ne(b), dtype=bool) | np.asarray(a.isna() | b.isna(), dtype=bool)


def _equals(a: pd.Series, value: str) -> np.ndarray:
    """Row-wise a == value as a numpy bool array (missing is False)."""
    return np.asarray(a.eq(value).fillna(False), dtype=bool)


def _norm_word(u: str) -> str:
    return re.sub(r"[\s\-]+", "_", u.strip().lower())


def _to_float(text: pd.Series) -> np.ndarray:
    """Floats of number texts (point decimal); unparsable → NaN."""
    try:
        arr = pc.cast(pa.array(text, from_pandas=True), pa.float64())
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=float)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _parse(
    spec: ColumnSpec, col: pd.Series | None, n: int, decimal: str, coll: _Collector
) -> _Parsed:
    """Parse and check one column; record its violations in ``coll``."""
    none = np.zeros(n, dtype=bool)
    if col is None:
        dtype = {"int": "Int64", "float": "float64", "bool": "boolean"}.get(spec.kind, "str")
        return _Parsed(pd.Series([None] * n, dtype=dtype), np.ones(n, dtype=bool), none)
    col = col.reset_index(drop=True)
    if spec.kind in ("int", "float"):
        parsed = _parse_number(spec, col, decimal, coll)
    elif spec.kind == "bool":
        parsed = _parse_bool(spec, col, coll)
    elif spec.kind == "category":
        parsed = _parse_category(spec, col, coll)
    elif spec.kind == "code":
        parsed = _parse_code(spec, col, coll)
    else:
        text = _as_text(col)
        parsed = _Parsed(text, text.isna().to_numpy(dtype=bool), none)
    if spec.required:
        coll.add(
            spec.name,
            parsed.missing,
            "missing value",
            spec.expected + " (required)",
            spec.hint,
        )
    if spec.unique is not None:
        _check_unique(spec, parsed, coll)
    return parsed


def _parse_number(spec: ColumnSpec, col: pd.Series, decimal: str, coll: _Collector) -> _Parsed:
    if pd.api.types.is_numeric_dtype(col.dtype):
        v = col.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(v)
        bad = np.isinf(v)
        number_hint = spec.hint
    else:
        text = _as_text(col)
        missing = text.isna().to_numpy(dtype=bool)
        other = "." if decimal == "," else ","
        wrong = text.str.contains(other, regex=False).to_numpy(dtype=bool, na_value=False)
        if decimal == ",":
            text = text.str.replace(",", ".", regex=False)
        v = _to_float(text)
        bad = ~missing & (wrong | ~np.isfinite(v))
        mark = "comma" if decimal == "," else "point"
        number_hint = f"{spec.hint}; write numbers with a decimal {mark}, {_NUMBER_HINT}"
    coll.add(spec.name, bad, "invalid number", spec.expected, number_hint)
    if spec.kind == "int":
        frac = ~missing & ~bad & (v != np.floor(np.where(np.isfinite(v), v, 0)))
        coll.add(spec.name, frac, "not a whole number", spec.expected, spec.hint)
        bad = bad | frac
    ok = ~missing & ~bad
    vv = np.where(ok, v, 0.0)
    out = np.zeros(len(v), dtype=bool)
    if spec.minimum is not None:
        out |= (vv <= spec.minimum) if spec.exclusive_minimum else (vv < spec.minimum)
    if spec.maximum is not None:
        out |= vv > spec.maximum
    if spec.kind == "int":
        out |= np.abs(vv) > _MAX_INT
    out &= ok
    coll.add(spec.name, out, "value out of range", spec.expected, spec.hint)
    bad = bad | out
    series: pd.Series = pd.Series(np.where(missing | bad, np.nan, v), dtype="float64")
    if spec.kind == "int":
        series = series.astype("Int64")
    return _Parsed(series, missing, bad)


def _parse_bool(spec: ColumnSpec, col: pd.Series, coll: _Collector) -> _Parsed:
    n = len(col)
    if pd.api.types.is_bool_dtype(col.dtype):
        vals = col.astype("boolean")
        return _Parsed(vals, vals.isna().to_numpy(dtype=bool), np.zeros(n, dtype=bool))
    if pd.api.types.is_numeric_dtype(col.dtype):
        v = col.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(v)
        bad = ~missing & (v != 0) & (v != 1)
        result = pd.array(np.where(missing | bad, 0, v).astype(bool), dtype="boolean")
    else:
        text = _as_text(col)
        missing = text.isna().to_numpy(dtype=bool)
        codes, uniques = pd.factorize(text)
        lookup = np.array(
            [
                1 if _norm_word(u) in TRUE_WORDS else 0 if _norm_word(u) in FALSE_WORDS else -1
                for u in uniques
            ]
            + [-1],
            dtype=np.int8,
        )
        mapped = lookup[codes]  # code -1 (missing) takes the trailing -1
        bad = ~missing & (mapped < 0)
        result = pd.array(mapped == 1, dtype="boolean")
    coll.add(spec.name, bad, "invalid yes/no value", spec.expected, spec.hint)
    result[missing | bad] = pd.NA
    return _Parsed(pd.Series(result), missing, bad)


def _lookup(labels: Sequence[str | None], codes: np.ndarray) -> pd.Series:
    """Text per row from per-unique labels and factorize codes (-1: missing)."""
    table = pd.array([*labels, None], dtype="str")
    return pd.Series(table.take(np.where(codes < 0, len(labels), codes)))


def _parse_category(spec: ColumnSpec, col: pd.Series, coll: _Collector) -> _Parsed:
    text = _as_text(col)
    missing = text.isna().to_numpy(dtype=bool)
    codes, uniques = pd.factorize(text)
    norm = [_norm_word(u) for u in uniques]
    valid = np.array([*(w in spec.allowed for w in norm), False], dtype=bool)
    bad = ~missing & ~valid[codes]
    coll.add(spec.name, bad, "unknown value", spec.expected, spec.hint)
    labels = [w if w in spec.allowed else None for w in norm]
    return _Parsed(_lookup(labels, codes), missing, bad)


def _parse_code(spec: ColumnSpec, col: pd.Series, coll: _Collector) -> _Parsed:
    text = _as_text(col)
    missing = text.isna().to_numpy(dtype=bool)
    codes, uniques = pd.factorize(text)
    labels: list[str | None] = []
    for u in uniques:  # once per distinct code, not per row
        try:
            labels.append(parse_code(u, level=spec.level).code)
        except InputError:
            labels.append(None)
    valid = np.array([*(x is not None for x in labels), False], dtype=bool)
    bad = ~missing & ~valid[codes]
    coll.add(spec.name, bad, "invalid area code", spec.expected, spec.hint)
    return _Parsed(_lookup(labels, codes), missing, bad)


def _first_rows(values: pd.Series, usable: np.ndarray) -> np.ndarray:
    """For every usable row, the first usable row with the same value; -1 elsewhere."""
    codes, uniques = pd.factorize(values)
    codes = np.where(usable, codes, -1)
    pos = np.flatnonzero(codes >= 0)
    first_of_code = np.full(len(uniques), len(codes), dtype=np.int64)
    np.minimum.at(first_of_code, codes[pos], pos)
    first = np.full(len(codes), -1, dtype=np.int64)
    first[pos] = first_of_code[codes[pos]]
    return first


def _check_unique(spec: ColumnSpec, parsed: _Parsed, coll: _Collector) -> None:
    values = parsed.values
    first = _first_rows(values, parsed.ok)
    dup = (first >= 0) & (first != np.arange(len(first)))

    def expected(p: np.ndarray) -> list[str]:
        return [f"a value used once (row {first[i] + 1} has {values.iloc[i]!r} too)" for i in p]

    coll.add(spec.name, dup, str(spec.unique), expected, spec.hint)
    parsed.bad[dup] = True


def _check_one_parent(
    coll: _Collector,
    child: pd.Series,
    parent: pd.Series,
    usable: np.ndarray,
    *,
    column: str,
    child_noun: str,
    parent_noun: str,
    parent_plural: str,
    hint: str,
) -> None:
    """Every child unit lies in one parent: name rows that disagree with the first."""
    if not usable.any():
        return
    first = _first_rows(child, usable)
    pcodes, _ = pd.factorize(parent)
    clash = (first >= 0) & (pcodes != pcodes[np.maximum(first, 0)])

    def expected(p: np.ndarray) -> list[str]:
        return [
            f"{parent.iloc[first[i]]}, the {parent_noun} of {child_noun} {child.iloc[i]!r} "
            f"in row {first[i] + 1} (a {child_noun} lies in one {parent_noun})"
            for i in p
        ]

    coll.add(column, clash, f"{child_noun} in two {parent_plural}", expected, hint)


# ---------------------------------------------------------------------------
# the frame-level routine


def _columns(
    frame: pd.DataFrame, specs: Sequence[ColumnSpec], coll: _Collector, extra: Extra
) -> dict[str, pd.Series]:
    """Map normalised column names to columns; report missing/unknown/duplicate ones."""
    known = [s.name for s in specs]
    names = [str(c).strip().lower() for c in frame.columns]
    cols: dict[str, pd.Series] = {}
    for i, name in enumerate(names):
        if name in cols:
            coll.error(
                InputError(
                    "column occurs twice",
                    where=Location(file=coll.source, column=name),
                    expected="each column once",
                    found=name,
                    hint="remove or rename one of them",
                )
            )
            continue
        if name not in known:
            if name == "source" or extra == "ignore":
                continue  # the store fills 'source'
            coll.error(
                InputError(
                    "unknown column",
                    where=Location(file=coll.source, column=name),
                    expected="one of the known columns " + ", ".join(known),
                    found=name,
                    hint="rename it to a known column, remove it, or pass extra='ignore'",
                )
            )
            continue
        cols[name] = frame.iloc[:, i]
    for s in specs:
        if s.required and s.name not in cols:
            coll.error(
                InputError(
                    "missing column",
                    where=Location(file=coll.source, column=s.name),
                    expected=f"a column '{s.name}' (required): {s.expected}",
                    found="columns " + ", ".join(names) if names else "no columns",
                    hint=s.hint,
                )
            )
    coll.raw = {k: v.reset_index(drop=True) for k, v in cols.items()}
    return cols


def _check_frame(
    frame: pd.DataFrame,
    specs: Sequence[ColumnSpec],
    coll: _Collector,
    *,
    decimal: str,
    extra: Extra,
) -> dict[str, _Parsed]:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            "not a data frame",
            where=Location(file=coll.source),
            expected="a pandas DataFrame",
            found=type(frame).__name__,
        )
    cols = _columns(frame, specs, coll, extra)
    n = len(frame)
    return {s.name: _parse(s, cols.get(s.name), n, decimal, coll) for s in specs}


def _typed(specs: Sequence[ColumnSpec], parsed: Mapping[str, _Parsed]) -> pd.DataFrame:
    types = dict(DWELLING_COLUMNS) | dict(HOUSEHOLD_COLUMNS)
    data = {}
    for s in specs:
        dtype = _PANDAS_DTYPE[types[s.name]]
        data[s.name] = parsed[s.name].values.astype(dtype).reset_index(drop=True)  # type: ignore[call-overload]
    return pd.DataFrame(data)


def _check_limit(limit: int) -> None:
    if not isinstance(limit, int) or limit < 1:
        raise InputError("invalid limit", where="limit", expected="a whole number ≥ 1", found=limit)


def _validate_dwellings(
    frame: pd.DataFrame, *, source: str, decimal: str, limit: int, extra: Extra
) -> pd.DataFrame:
    _check_limit(limit)
    coll = _Collector(source, limit, [s.name for s in DWELLING_SPECS])
    p = _check_frame(frame, DWELLING_SPECS, coll, decimal=decimal, extra=extra)

    # area codes: derive coarser codes from the buurt, check those given
    bu, wk, gm = p["buurt_code"], p["wijk_code"], p["gemeente_code"]
    bu_s, wk_s, gm_s = bu.values, wk.values, gm.values
    wk_of_bu = "WK" + bu_s.str.slice(2, 8)
    gm_of_bu = "GM" + bu_s.str.slice(2, 6)
    gm_of_wk = "GM" + wk_s.str.slice(2, 6)
    clash_wk = bu.ok & wk.ok & _differ(wk_s, wk_of_bu)
    coll.add(
        "wijk_code",
        clash_wk,
        "buurt not in wijk",
        lambda q: [f"{wk_of_bu.iloc[i]}, the wijk of buurt {bu_s.iloc[i]}" for i in q],
        "a buurt code is BU + the 6 characters of its wijk + 2; leave wijk_code empty "
        "to derive it from buurt_code",
    )
    ref_gm = gm_of_bu.where(bu.ok, gm_of_wk)
    ref_from = bu_s.where(bu.ok, wk_s)
    clash_gm = (bu.ok | wk.ok) & gm.ok & _differ(gm_s, ref_gm)
    coll.add(
        "gemeente_code",
        clash_gm,
        "area not in gemeente",
        lambda q: [f"{ref_gm.iloc[i]}, the gemeente of {ref_from.iloc[i]}" for i in q],
        "a wijk or buurt code starts with the 4 characters of its gemeente; leave "
        "gemeente_code empty to derive it from buurt_code",
    )
    wk_out = wk_s.where(~wk.missing, wk_of_bu)
    gm_out = gm_s.where(~gm.missing, gm_of_bu.where(wk.missing, gm_of_wk))
    gm_out_ok = (gm.ok | (gm.missing & ((wk.missing & bu.ok) | wk.ok))) & ~clash_gm

    # one parent per unit: gemeente → regio, complex → buurt, portiek → complex
    rg, cx, pt = p["regio_code"], p["complex_code"], p["portiek_code"]
    _check_one_parent(
        coll, gm_out, rg.values, gm_out_ok & rg.ok, column="regio_code",
        child_noun="gemeente", parent_noun="regio", parent_plural="regio's",
        hint="every gemeente lies in one regio; use the same regio_code for all its dwellings",
    )  # fmt: skip
    _check_one_parent(
        coll, cx.values, bu_s, cx.ok & bu.ok, column="buurt_code",
        child_noun="complex", parent_noun="buurt", parent_plural="buurten",
        hint="a complex lies in one buurt; split a complex that crosses a buurt border "
        "into one complex_code per buurt",
    )  # fmt: skip
    _check_one_parent(
        coll, pt.values, cx.values, pt.ok & cx.ok, column="complex_code",
        child_noun="portiek", parent_noun="complex", parent_plural="complexen",
        hint="a portiek lies in one complex; portiek codes must be unique over the register",
    )  # fmt: skip

    # owner and segment
    both = p["owner"].ok & p["segment"].ok
    koop = np.asarray(p["segment"].values.isin(KOOP_SEGMENTS), dtype=bool)
    eb = _equals(p["owner"].values, "eigenaar_bewoner")
    occupied = p["status"].ok & _equals(p["status"].values, "bewoond")
    coll.add(
        "segment",
        both & eb & ~koop,
        "owner and segment disagree",
        "koop_betaalbaar or koop_duur: a dwelling with owner eigenaar_bewoner is owner-occupied",
        "an owner who lets the dwelling is a particuliere_verhuurder",
    )
    coll.add(
        "owner",
        both & occupied & koop & ~eb,
        "owner and segment disagree",
        "eigenaar_bewoner: an occupied dwelling in a koop segment is owned by its resident",
        "a rented dwelling belongs to sociale_huur, middenhuur or vrije_huur",
    )
    coll.raise_if_any()
    out = _typed(DWELLING_SPECS, p)
    out["wijk_code"] = wk_out.astype("str")
    out["gemeente_code"] = gm_out.astype("str")
    return out


def _validate_households(
    frame: pd.DataFrame,
    *,
    dwellings: pd.DataFrame | None,
    source: str,
    decimal: str,
    limit: int,
    extra: Extra,
) -> pd.DataFrame:
    _check_limit(limit)
    coll = _Collector(source, limit, [s.name for s in HOUSEHOLD_SPECS])
    p = _check_frame(frame, HOUSEHOLD_SPECS, coll, decimal=decimal, extra=extra)

    did = p["dwelling_id"]
    if dwellings is not None:
        if "dwelling_id" not in dwellings.columns:
            raise InputError(
                "missing column",
                where=Location(file="dwellings", column="dwelling_id"),
                expected="the dwellings register with a column 'dwelling_id'",
                found="columns " + ", ".join(map(str, dwellings.columns)),
            )
        dw_ids = pd.Index(_as_text(dwellings["dwelling_id"]))
        if "status" in dwellings.columns:
            dw_status = _as_text(dwellings["status"]).str.lower()
        else:
            dw_status = pd.Series(["bewoond"] * len(dw_ids), dtype="str")
        lived_in = _equals(dw_status, "bewoond")
        idx = _indexer(dw_ids, pd.Index(did.values))
        coll.add(
            "dwelling_id",
            did.ok & (idx < 0),
            "unknown dwelling",
            "the dwelling_id of a dwelling in the dwellings register",
            "import the households together with the dwellings register of the same gemeenten",
        )
        coll.add(
            "dwelling_id",
            did.ok & (idx >= 0) & ~lived_in[np.maximum(idx, 0)],
            "household in a dwelling that is not lived in",
            "a dwelling with status bewoond",
            "set the dwelling's status to bewoond, or correct the dwelling_id",
            found=lambda q: [
                _Shown(f"{did.values.iloc[i]!r} with status {dw_status.iloc[idx[i]]}") for i in q
            ],
        )

    size, htype = p["size"], p["type"]
    size_v = size.values.to_numpy(dtype=float, na_value=np.nan)
    tcodes, tuniques = pd.factorize(htype.values)
    bounds = [_SIZE_BY_TYPE.get(t, (1, None)) for t in tuniques] + [(1, None)]
    lo = np.array([a for a, _ in bounds], dtype=float)[tcodes]
    hi = np.array([np.inf if b is None else b for _, b in bounds], dtype=float)[tcodes]
    misfit = size.ok & htype.ok & ((size_v < lo) | (size_v > hi))

    def size_expected(q: np.ndarray) -> list[str]:
        out = []
        for i in q:
            t = str(htype.values.iloc[i])
            a, b = _SIZE_BY_TYPE[t]
            rule = f"{a}" if a == b else f"at least {a}"
            out.append(f"{rule} for a household of type {t}")
        return out

    coll.add(
        "size",
        misfit,
        "size does not fit household type",
        size_expected,
        "alleenstaand has 1 person; paar, eenouder and overig at least 2; "
        "paar_met_kinderen at least 3",
    )
    yd, ym = p["years_in_dwelling"], p["years_in_municipality"]
    yd_v = yd.values.to_numpy(dtype=float, na_value=np.nan)
    ym_v = ym.values.to_numpy(dtype=float, na_value=np.nan)
    coll.add(
        "years_in_dwelling",
        yd.ok & ym.ok & (yd_v > ym_v),
        "more years in the dwelling than in the gemeente",
        lambda q: [f"at most years_in_municipality ({int(ym_v[i])})" for i in q],
        "the dwelling lies in the gemeente, so woonduur cannot exceed the years in the gemeente",
    )
    coll.raise_if_any()
    return _typed(HOUSEHOLD_SPECS, p)


def _indexer(index: pd.Index, values: pd.Index) -> np.ndarray:
    """Position in ``index`` of each value (the first when repeated), -1 when absent."""
    if index.is_unique:
        return np.asarray(index.get_indexer(values))
    first = ~index.duplicated(keep="first")
    got = index[first].get_indexer(values)
    return np.where(got >= 0, np.flatnonzero(first)[np.maximum(got, 0)], -1)


# ---------------------------------------------------------------------------
# public: validate in-memory frames


def validate_dwellings(
    frame: pd.DataFrame,
    *,
    source: str = "dwellings",
    limit: int = 100,
    extra: Extra = "error",
) -> pd.DataFrame:
    """Check a dwellings frame and return it typed.

    Columns may be text (numbers with a decimal point) or already typed.
    Column names are compared without regard to case and surrounding spaces;
    a ``source`` column is dropped (the store fills it).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per dwelling.
    source : str, default "dwellings"
        Name used in messages.
    limit : int, default 100
        Stop collecting violations after this many.
    extra : {'error', 'ignore'}, default 'error'
        What to do with columns that are not in :data:`DWELLING_SPECS`.

    Returns
    -------
    pandas.DataFrame
        Columns in store order (without ``source``): text as ``str``,
        whole numbers as ``Int64``, numbers as ``float64``; ``wijk_code`` and
        ``gemeente_code`` filled from ``buurt_code`` where empty.

    Raises
    ------
    InputErrors
        With every violation (up to ``limit``), each naming the 1-based data
        row (row 1 = the first row) and the column.
    """
    return _validate_dwellings(frame, source=source, decimal=".", limit=limit, extra=extra)


def validate_households(
    frame: pd.DataFrame,
    *,
    dwellings: pd.DataFrame | None = None,
    source: str = "households",
    limit: int = 100,
    extra: Extra = "error",
) -> pd.DataFrame:
    """Check a households frame and return it typed.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per household.
    dwellings : pandas.DataFrame, optional
        The (validated) dwellings register; when given, every household must
        live in one of its dwellings with status ``bewoond``.
    source : str, default "households"
        Name used in messages.
    limit : int, default 100
        Stop collecting violations after this many.
    extra : {'error', 'ignore'}, default 'error'
        What to do with columns that are not in :data:`HOUSEHOLD_SPECS`.

    Returns
    -------
    pandas.DataFrame
        Columns in store order (without ``source``); yes/no columns as
        ``boolean``.

    Raises
    ------
    InputErrors
        With every violation (up to ``limit``), each naming the 1-based data
        row (row 1 = the first row) and the column.
    """
    return _validate_households(
        frame, dwellings=dwellings, source=source, decimal=".", limit=limit, extra=extra
    )


# ---------------------------------------------------------------------------
# reading files


def _sniff(header: str) -> str:
    counts = {s: header.count(s) for s in (";", ",", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _first_line(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            "file is not UTF-8 text",
            where=Location(file=path.name, row=0),
            expected="a CSV file in UTF-8",
            found="other bytes in the header",
            hint="in Excel save as 'CSV UTF-8 (door komma's gescheiden)'",
        ) from None


def _read_table(
    path: str | Path, *, sep: str | None, decimal: str | None
) -> tuple[pd.DataFrame, str]:
    """Read a register file as text columns (CSV) or as stored (Parquet)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(
            "file not found",
            where=Location(file=str(p)),
            expected="an existing CSV or Parquet file",
            found=str(p),
        )
    if p.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(p), "."
        except (OSError, pa.ArrowException) as exc:
            raise InputError(
                "unreadable Parquet file",
                where=Location(file=p.name),
                expected="a Parquet file",
                found=str(exc),
            ) from None
    header = _first_line(p)
    if not header.strip():
        raise InputError(
            "empty file",
            where=Location(file=p.name, row=0),
            expected="a header row with the column names",
            found=_Shown("an empty first line"),
        )
    sep = sep or _sniff(header)
    decimal = decimal or ("," if sep == ";" else ".")
    names = [c.strip().lower() for c in next(csv.reader([header], delimiter=sep))]
    options: dict[str, Any] = {
        "sep": sep,
        "dtype": str,
        "keep_default_na": False,
        "encoding": "utf-8-sig",
    }
    try:
        frame = pd.read_csv(p, engine="pyarrow", **options)
    except Exception:  # re-read with the C engine, which names the bad line
        try:
            frame = pd.read_csv(p, engine="c", na_filter=False, **options)
        except UnicodeDecodeError:
            raise InputError(
                "file is not UTF-8 text",
                where=Location(file=p.name),
                expected="a CSV file in UTF-8",
                found="bytes that are not UTF-8",
                hint="in Excel save as 'CSV UTF-8 (door komma's gescheiden)'",
            ) from None
        except (pd.errors.ParserError, ValueError) as exc:
            msg = str(exc)
            m = re.search(r"line (\d+), saw (\d+)", msg)
            raise InputError(
                "malformed CSV",
                where=Location(file=p.name, row=int(m.group(1)) - 1 if m else None),
                expected=f"{len(names)} fields separated by {sep!r}, as in the header",
                found=f"{m.group(2)} fields" if m else msg,
                hint="quote values that contain the separator",
            ) from None
    if len(frame.columns) == len(names):
        frame.columns = pd.Index(names)
    return frame, decimal


def read_dwellings(
    path: str | Path,
    *,
    sep: str | None = None,
    decimal: str | None = None,
    limit: int = 100,
    extra: Extra = "error",
) -> pd.DataFrame:
    """Read and check a dwellings register (CSV or Parquet).

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (any other extension is read as CSV) or ``.parquet``/``.pq``
        file. CSV is UTF-8, with or without a byte-order mark.
    sep : str, optional
        Field separator; by default sniffed from the header line.
    decimal : {'.', ','}, optional
        Decimal mark; by default a comma when the separator is ``;`` (Dutch
        CSV), else a point. Thousands separators are never accepted.
    limit : int, default 100
        Stop collecting violations after this many.
    extra : {'error', 'ignore'}, default 'error'
        What to do with unknown columns.

    Returns
    -------
    pandas.DataFrame
        As :func:`validate_dwellings`.

    Raises
    ------
    InputError
        When the file cannot be read; :class:`InputErrors` with every
        violation, each naming the file, the 1-based data row (row 1 is the
        first row after the header) and the column.
    """
    frame, dec = _read_table(path, sep=sep, decimal=decimal)
    return _validate_dwellings(frame, source=Path(path).name, decimal=dec, limit=limit, extra=extra)


def read_households(
    path: str | Path,
    *,
    dwellings: pd.DataFrame | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    limit: int = 100,
    extra: Extra = "error",
) -> pd.DataFrame:
    """Read and check a households register (CSV or Parquet).

    Parameters
    ----------
    path : str or Path
        The file, as in :func:`read_dwellings`.
    dwellings : pandas.DataFrame, optional
        The dwellings register the households live in (see
        :func:`validate_households`).
    sep, decimal, limit, extra
        As in :func:`read_dwellings`.

    Returns
    -------
    pandas.DataFrame
        As :func:`validate_households`.

    Raises
    ------
    InputError
        When the file cannot be read; :class:`InputErrors` with every
        violation, each naming the file, the 1-based data row (row 1 is the
        first row after the header) and the column.
    """
    frame, dec = _read_table(path, sep=sep, decimal=decimal)
    return _validate_households(
        frame, dwellings=dwellings, source=Path(path).name, decimal=dec, limit=limit, extra=extra
    )


def _errors_of(exc: InputError) -> list[InputError]:
    return list(exc.errors) if isinstance(exc, InputErrors) else [exc]


def _combine(
    failures: Sequence[InputError], sources: Sequence[str]
) -> InputErrors:  # both registers' problems in one report
    errs = [e for f in failures for e in _errors_of(f)]
    truncated = any(isinstance(f, InputErrors) and f.truncated for f in failures)
    return InputErrors(errs, source=" and ".join(sources), truncated=truncated)


def read_registers(
    dwellings_path: str | Path,
    households_path: str | Path,
    *,
    sep: str | None = None,
    decimal: str | None = None,
    limit: int = 100,
    extra: Extra = "error",
) -> RegisterSet:
    """Read and check both registers completely.

    When the dwellings register has problems, the households register is
    still checked on its own (without the references to dwellings), and the
    problems of both are raised together, dwellings first.

    Raises
    ------
    InputErrors
        With the violations of both files.
    """
    names = (Path(dwellings_path).name, Path(households_path).name)
    failures: list[InputError] = []
    dw: pd.DataFrame | None = None
    try:
        dw = read_dwellings(dwellings_path, sep=sep, decimal=decimal, limit=limit, extra=extra)
    except InputError as exc:
        failures.append(exc)
    try:
        hh = read_households(
            households_path, dwellings=dw, sep=sep, decimal=decimal, limit=limit, extra=extra
        )
    except InputError as exc:
        failures.append(exc)
    if failures or dw is None:
        raise _combine(failures, names)
    return RegisterSet(dw, hh, names[0], names[1])


# ---------------------------------------------------------------------------
# storing


def registers_sha256(dwellings_path: str | Path, households_path: str | Path) -> str:
    """Digest of a pair of register files.

    The SHA-256 of ``"<sha256 of dwellings>:<sha256 of households>"`` (hex
    digests, ASCII), so the same pair of files is recognised as imported.
    """
    both = f"{file_sha256(dwellings_path)}:{file_sha256(households_path)}"
    return hashlib.sha256(both.encode("ascii")).hexdigest()


def _sql_list(n: int) -> str:
    return ", ".join("?" for _ in range(n))


def _check_store_ids(
    store: Store,
    regs: RegisterSet,
    replaced: Sequence[str],
    limit: int,
) -> None:
    """Refuse new ids that clash with the rows that stay in the store."""
    if replaced:
        kept_dw = store.query(
            "SELECT dwelling_id, gemeente_code FROM dwellings "
            f"WHERE gemeente_code IS NULL OR gemeente_code NOT IN ({_sql_list(len(replaced))})",
            list(replaced),
        )
        kept_hh = store.query(
            "SELECT household_id FROM households h WHERE NOT EXISTS (SELECT 1 FROM dwellings d "
            "WHERE d.dwelling_id = h.dwelling_id "
            f"AND d.gemeente_code IN ({_sql_list(len(replaced))}))",
            list(replaced),
        )
    else:
        kept_dw = store.query("SELECT dwelling_id, gemeente_code FROM dwellings")
        kept_hh = store.query("SELECT household_id FROM households")
    failures: list[InputError] = []
    gm_of = dict(zip(kept_dw["dwelling_id"], kept_dw["gemeente_code"], strict=False))
    dw_ids = regs.dwellings["dwelling_id"].to_numpy(dtype=object)
    coll = _Collector(regs.dwellings_source, limit, [s.name for s in DWELLING_SPECS])
    coll.add(
        "dwelling_id",
        np.asarray(regs.dwellings["dwelling_id"].isin(kept_dw["dwelling_id"]), dtype=bool),
        "dwelling_id already in the store",
        lambda q: [
            f"an id not used by the dwellings kept in the store (a dwelling in "
            f"{gm_of.get(dw_ids[i])} has it)"
            for i in q
        ],
        "ids must be unique over every imported register; prefix them with the "
        "gemeente code, for example 'GM0518-123'",
        found=lambda q: [dw_ids[i] for i in q],
    )
    hh_ids = regs.households["household_id"].to_numpy(dtype=object)
    coll_hh = _Collector(regs.households_source, limit, [s.name for s in HOUSEHOLD_SPECS])
    coll_hh.add(
        "household_id",
        np.asarray(regs.households["household_id"].isin(kept_hh["household_id"]), dtype=bool),
        "household_id already in the store",
        "an id not used by the households kept in the store",
        "ids must be unique over every imported register; prefix them with the gemeente code",
        found=lambda q: [hh_ids[i] for i in q],
    )
    for c in (coll, coll_hh):
        try:
            c.raise_if_any()
        except InputErrors as exc:
            failures.append(exc)
    if failures:
        raise _combine(failures, (regs.dwellings_source, regs.households_source))


def _write(
    store: Store,
    regs: RegisterSet,
    *,
    source: str,
    sha256: str,
    replace_gemeente: bool,
    force: bool,
    limit: int,
) -> ImportResult:
    if not force and store.already_imported("registers", sha256):
        return ImportResult("registers", source, sha256, {}, True)
    gemeenten = sorted(set(regs.dwellings["gemeente_code"].dropna().tolist()))
    replaced = gemeenten if replace_gemeente else []
    _check_store_ids(store, regs, replaced, limit)
    with store.transaction():
        if replaced:
            store.execute(
                "DELETE FROM households WHERE dwelling_id IN (SELECT dwelling_id FROM "
                f"dwellings WHERE gemeente_code IN ({_sql_list(len(replaced))}))",
                list(replaced),
            )
        return store.import_frames(
            kind="registers",
            source=source,
            sha256=sha256,
            frames={"dwellings": regs.dwellings, "households": regs.households},
            replace={"dwellings": {"gemeente_code": replaced}} if replaced else None,
            force=force,
        )


def store_registers(
    store: Store,
    registers: RegisterSet,
    *,
    source: str,
    sha256: str,
    replace_gemeente: bool = True,
    force: bool = False,
    limit: int = 100,
) -> ImportResult:
    """Check and store registers made in memory (for example a synthetic population).

    Parameters
    ----------
    store : Store
        The store to write to.
    registers : RegisterSet
        The registers; they are checked again before anything is written.
    source : str
        Label stored in the ``source`` column and the provenance.
    sha256 : str
        Digest identifying this input; an input already imported is skipped.
    replace_gemeente : bool, default True
        Delete first the dwellings of the gemeenten in ``registers`` and the
        households living in them (an earlier import of the same gemeenten).
    force : bool, default False
        Import even when ``sha256`` was imported before.
    limit : int, default 100
        Stop collecting violations after this many.

    Returns
    -------
    ImportResult
        Rows written per table, or ``skipped``.

    Raises
    ------
    InputErrors
        When a register breaks a rule, or an id is already used by rows that
        stay in the store; nothing is written.
    """
    failures: list[InputError] = []
    dw: pd.DataFrame | None = None
    try:
        dw = validate_dwellings(registers.dwellings, source=registers.dwellings_source, limit=limit)
    except InputError as exc:
        failures.append(exc)
    try:
        hh = validate_households(
            registers.households, dwellings=dw, source=registers.households_source, limit=limit
        )
    except InputError as exc:
        failures.append(exc)
    if failures or dw is None:
        raise _combine(failures, (registers.dwellings_source, registers.households_source))
    regs = RegisterSet(dw, hh, registers.dwellings_source, registers.households_source)
    return _write(
        store,
        regs,
        source=source,
        sha256=sha256,
        replace_gemeente=replace_gemeente,
        force=force,
        limit=limit,
    )


def import_registers(
    store: Store,
    *,
    dwellings: str | Path,
    households: str | Path,
    replace_gemeente: bool = True,
    sep: str | None = None,
    decimal: str | None = None,
    limit: int = 100,
    extra: Extra = "error",
    force: bool = False,
) -> ImportResult:
    """Read, check and store a dwellings and a households register in one transaction.

    Both files are read and checked completely before anything is written;
    then both tables are written with :meth:`Store.import_frames` (kind
    ``registers``) in one transaction. With ``replace_gemeente`` the earlier
    dwellings of the same gemeenten, and the households living in them, are
    deleted in that same transaction.

    Parameters
    ----------
    store : Store
        The store to write to.
    dwellings, households : str or Path
        The register files (CSV or Parquet).
    replace_gemeente : bool, default True
        Replace the earlier rows of the gemeenten in the dwellings file.
    sep, decimal, limit, extra
        As in :func:`read_dwellings`.
    force : bool, default False
        Import even when this pair of files was imported before.

    Returns
    -------
    ImportResult
        ``source`` is ``"<dwellings file> + <households file>"``; ``sha256`` is
        :func:`registers_sha256`; ``skipped`` when the pair was imported before.

    Raises
    ------
    InputErrors
        With the violations of both files; the store is unchanged.
    """
    regs = read_registers(dwellings, households, sep=sep, decimal=decimal, limit=limit, extra=extra)
    digest = registers_sha256(dwellings, households)
    source = f"{regs.dwellings_source} + {regs.households_source}"
    return _write(
        store,
        regs,
        source=source,
        sha256=digest,
        replace_gemeente=replace_gemeente,
        force=force,
        limit=limit,
    )
