"""Measured values for the monitor: read, check and store.

The monitor (:mod:`wijkmix.plan.monitor`) follows goals against measured
values per indicator, area and year. Those values come from three places:

* a CSV file the user keeps (:func:`read_monitor_values`,
  :func:`import_monitor`), typically survey results (*beleving*) and
  statistics of later years;
* the stored CBS Kerncijfers wijken en buurten (:func:`values_from_kwb`,
  from store table ``area_stats``);
* the stored Leefbaarometer scores (:func:`values_from_lbm`, from store table
  ``lbm_scores``).

All three give the same long table, the shape of store table
``monitor_values`` (:data:`MONITOR_COLUMNS`): ``indicator, area_code, level,
year, value, unit, kind, respondents, source``.

CSV format
----------
Columns (header names are case-insensitive; Dutch names in brackets are
accepted too):

``indicator`` (required)
    Name of the indicator: a letter followed by letters, digits or
    underscores (``pct_corporation``, ``tevredenheid_buurt``).
``area_code`` (``gebiedscode``, ``gebied``; required)
    A CBS code (``GM0518``, ``WK051833``, ``BU05183387``; CBS padding is
    stripped) or, at a level without CBS codes (``complex``, ``straat``,
    ...), the user's own id.
``year`` (``jaar``; required)
    Four digits.
``value`` (``waarde``; required)
    A number. An empty cell, ``.`` (CBS: suppressed) or a dash is a missing
    value and produces no row -- never a zero.
``level`` (``niveau``)
    One of :data:`wijkmix.areas.LEVELS`; derived from a CBS code when empty,
    required for other ids, and checked against a CBS code when given.
``kind`` (``soort``)
    ``statistiek`` (a register or CBS figure) or ``beleving`` (residents'
    experience, from a survey); empty when not given.
``unit`` (``eenheid``)
    Free text (``%``, ``rapportcijfer``, ``schaalscore 0-10``).
``respondents`` (``respondenten``)
    For a survey figure: the number of respondents (or households) it is
    based on, a whole number. The monitor passes such values through the
    disclosure gate (:func:`wijkmix.disclosure.gate`).
``source`` (``bron``)
    Where the value comes from; the file name when empty.

The separator is detected from the header (``;``, ``,``, tab or ``|``). With
``;`` the decimal mark is a comma (Dutch Excel), otherwise a point; both can
be set explicitly. Numbers are written without thousands separators. Lines
starting with ``#`` *before* the header are comments and are skipped. The
file is UTF-8 (with or without byte-order mark).

Row numbers in messages are **1-based data rows**: row 1 is the first row
after the header, as a spreadsheet user counts when the header is row 0. A
read collects every violation up to a limit (default 100) and raises one
:class:`~wijkmix.errors.InputErrors`; nothing is stored unless the whole file
passes. Every (indicator, area, year) occurs at most once in a file.

Storing
-------
:func:`import_monitor` writes the rows to ``monitor_values`` in one
transaction, with provenance (kind ``monitor``). The store keeps one value
per indicator, area and year: a value imported later replaces the stored
value of the same indicator, area and year, whatever its source. Importing
the same file (same bytes) again changes nothing.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from wijkmix.areas import CBS_LEVELS, LEVELS, parse_code
from wijkmix.concepts import CONCEPTS
from wijkmix.errors import InputError, InputErrors, Location, StoreError
from wijkmix.store import schema
from wijkmix.store.base import ImportResult, Store, file_sha256

__all__ = [
    "KINDS",
    "MONITOR_COLUMNS",
    "MONITOR_TABLE",
    "import_monitor",
    "read_monitor_values",
    "values_from_kwb",
    "values_from_lbm",
]

#: The store table of measured monitor values.
MONITOR_TABLE = "monitor_values"

#: Columns of store table ``monitor_values`` (portable SQL types, as in
#: :data:`wijkmix.store.schema.TABLES`).
MONITOR_COLUMNS: list[tuple[str, str]] = [
    ("indicator", "TEXT"),
    ("area_code", "TEXT"),
    ("level", "TEXT"),
    ("year", "BIGINT"),
    ("value", "DOUBLE"),
    ("unit", "TEXT"),
    ("kind", "TEXT"),
    ("respondents", "BIGINT"),
    ("source", "TEXT"),
]

#: Kinds of measured values: a statistic or residents' experience (survey).
KINDS: tuple[str, ...] = ("statistiek", "beleving")

Extra = Literal["error", "ignore"]

_NAMES = [c for c, _ in MONITOR_COLUMNS]
_REQUIRED = ("indicator", "area_code", "year", "value")
#: Accepted header names (lower case) per column.
_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator",),
    "area_code": ("area_code", "gebiedscode", "gebied"),
    "year": ("year", "jaar"),
    "value": ("value", "waarde"),
    "level": ("level", "niveau"),
    "kind": ("kind", "soort"),
    "unit": ("unit", "eenheid"),
    "respondents": ("respondents", "respondenten"),
    "source": ("source", "bron"),
}
_HEADER = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_MISSING_TOKENS = frozenset({"", ".", "-", "–"})
_RE_INDICATOR = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RE_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RE_YEAR = re.compile(r"^\d{4}$")
_RE_COUNT = re.compile(r"^\d+$")
_YEAR_RANGE = (1900, 2100)
_DTYPES = {"TEXT": "str", "BIGINT": "Int64", "DOUBLE": "float64"}
_LBM_UNITS = {"class": "klasse 1-9"}


@dataclass
class _Collector:
    """Collects input errors up to a limit."""

    source: str
    limit: int
    errors: list[InputError] = field(default_factory=list)
    truncated: bool = False

    def add(self, err: InputError) -> None:
        if len(self.errors) >= self.limit:
            self.truncated = True
            return
        self.errors.append(err)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputErrors(self.errors, source=self.source, truncated=self.truncated)


# --------------------------------------------------------------------------- reading


def _text(path: Path) -> str:
    if not path.is_file():
        raise InputError(
            "file not found",
            where=Location(file=str(path)),
            expected="an existing CSV file",
            found=str(path),
        )
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            "file is not UTF-8 text",
            where=Location(file=path.name),
            expected="a CSV file in UTF-8",
            found="bytes that are not UTF-8",
            hint="in Excel save as 'CSV UTF-8 (door komma's gescheiden)'",
        ) from None


def _split_comments(text: str) -> tuple[str, str]:
    """Return (header line, rest) after skipping leading comment and blank lines."""
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i += 1
    if i == len(lines):
        return "", ""
    return lines[i], "".join(lines[i + 1 :])


def _sniff(header: str) -> str:
    counts = {s: header.count(s) for s in (";", ",", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _header(names: list[str], file: str, extra: Extra, coll: _Collector) -> dict[str, int]:
    """Map canonical column names to their position; record header problems."""
    allowed = ", ".join(sorted(_HEADER))
    pos: dict[str, int] = {}
    for i, raw in enumerate(names):
        key = raw.strip().lower()
        name = _HEADER.get(key)
        if name is None:
            if extra == "error":
                coll.add(
                    InputError(
                        "unknown column",
                        where=Location(file=file, row=0, column=raw.strip()),
                        expected="one of " + allowed,
                        found=raw.strip(),
                        hint="remove the column or call with extra='ignore'",
                    )
                )
            continue
        if name in pos:
            coll.add(
                InputError(
                    "column occurs twice",
                    where=Location(file=file, row=0, column=raw.strip()),
                    expected=f"one column for {name!r}",
                    found=f"a second column {raw.strip()!r}",
                )
            )
            continue
        pos[name] = i
    for name in _REQUIRED:
        if name not in pos:
            coll.add(
                InputError(
                    "missing column",
                    where=Location(file=file, row=0, column=name),
                    expected=f"a column {name!r} (or " + ", ".join(_ALIASES[name]) + ")",
                    found=[n.strip() for n in names],
                )
            )
    return pos


@dataclass
class _Row:
    """Parses the cells of one data row, recording violations."""

    file: str
    row: int
    decimal: str
    coll: _Collector
    ok: bool = True
    errors: list[InputError] = field(default_factory=list)

    def error(
        self, column: str, what: str, expected: str, found: object, hint: str | None = None
    ) -> None:
        self.ok = False
        self.errors.append(
            InputError(
                what,
                where=Location(file=self.file, row=self.row, column=column),
                expected=expected,
                found=found,
                hint=hint,
            )
        )

    def flush(self, order: Mapping[str, int]) -> None:
        """Pass this row's violations to the collector, in column order."""
        last = len(order)
        for err in sorted(self.errors, key=lambda e: order.get(e.where.column or "", last)):
            self.coll.add(err)
        self.errors.clear()

    def number(self, column: str, cell: str) -> float | None:
        text = cell.strip()
        if text in _MISSING_TOKENS:
            return None
        other = "." if self.decimal == "," else ","
        mark = "comma" if self.decimal == "," else "point"
        if other in text or not _RE_NUMBER.match(text.replace(",", ".")):
            self.error(
                column,
                "invalid number",
                f"a number with a decimal {mark}",
                cell,
                f"write numbers with a decimal {mark} and without thousands separators; "
                "leave the cell empty for a missing value",
            )
            return None
        value = float(text.replace(",", "."))
        if not math.isfinite(value):
            self.error(column, "invalid number", "a finite number", cell)
            return None
        return value

    def year(self, cell: str) -> int | None:
        text = cell.strip()
        lo, hi = _YEAR_RANGE
        if not _RE_YEAR.match(text) or not lo <= int(text) <= hi:
            self.error(
                "year",
                "invalid year" if text else "missing value",
                f"a year of four digits between {lo} and {hi}",
                cell,
            )
            return None
        return int(text)

    def indicator(self, cell: str) -> str | None:
        text = cell.strip()
        if not _RE_INDICATOR.match(text):
            self.error(
                "indicator",
                "invalid indicator name" if text else "missing value",
                "a name of letters, digits and underscores, starting with a letter",
                cell,
                "use names such as pct_corporation or tevredenheid_buurt",
            )
            return None
        return text

    def level(self, cell: str) -> str | None:
        text = cell.strip().lower()
        if not text:
            return None
        if text not in LEVELS:
            self.error("level", "unknown level", "one of " + ", ".join(LEVELS), cell)
            return None
        return text

    def kind(self, cell: str) -> str | None:
        text = cell.strip().lower()
        if not text:
            return None
        if text not in KINDS:
            self.error("kind", "unknown kind", "one of " + ", ".join(KINDS), cell)
            return None
        return text

    def count(self, cell: str) -> int | None:
        text = cell.strip()
        if not text:
            return None
        if not _RE_COUNT.match(text):
            self.error("respondents", "invalid count", "a whole number of 0 or more", cell)
            return None
        return int(text)

    def area(self, cell: str, level: str | None, level_invalid: bool) -> tuple[str, str] | None:
        """Return (code, level) of the area; CBS codes are parsed and normalised.

        ``level_invalid`` tells that the level cell was filled but rejected
        (already reported), so a missing level is not reported again.
        """
        text = cell.strip()
        if not text:
            self.error("area_code", "missing value", "a CBS code or an area id", cell)
            return None
        cbs = text[:2].upper() in ("GM", "WK", "BU") or level in CBS_LEVELS
        if cbs:
            try:
                code = parse_code(
                    text, where=Location(file=self.file, row=self.row, column="area_code")
                )
            except InputError as exc:
                self.ok = False
                self.errors.append(exc)
                return None
            if level is not None and level != code.level:
                self.error(
                    "level",
                    "level does not match the area code",
                    f"{code.level!r} for {code.code}",
                    level,
                )
                return None
            return code.code, code.level
        if level is None:
            if not level_invalid:
                self.error(
                    "level",
                    "missing value",
                    "the level of an area id that is not a CBS code "
                    "(complex, straat, portiek, adres, regio)",
                    "",
                )
            return None
        return text, level


def _parse_rows(
    records: list[list[str]],
    pos: Mapping[str, int],
    *,
    file: str,
    decimal: str,
    coll: _Collector,
) -> pd.DataFrame:
    width = max(pos.values()) + 1 if pos else 0
    out: dict[str, list[Any]] = {n: [] for n in _NAMES}
    first: dict[tuple[str, str, int], int] = {}
    for i, rec in enumerate(records, start=1):
        if not any(c.strip() for c in rec):
            continue
        if len(rec) < width:
            rec = rec + [""] * (width - len(rec))
        r = _Row(file, i, decimal, coll)

        def cell(name: str, rec: list[str] = rec) -> str:
            return rec[pos[name]] if name in pos else ""

        indicator = r.indicator(cell("indicator"))
        year = r.year(cell("year"))
        value = r.number("value", cell("value"))
        level_cell = cell("level")
        level = r.level(level_cell)
        area = r.area(cell("area_code"), level, bool(level_cell.strip()) and level is None)
        kind = r.kind(cell("kind"))
        respondents = r.count(cell("respondents"))
        r.flush(pos)
        if not r.ok or indicator is None or year is None or area is None:
            continue
        key = (indicator, area[0], year)
        if key in first:
            r.error(
                "area_code",
                "duplicate measurement",
                f"one value per indicator, area and year (already in row {first[key]})",
                f"{indicator} {area[0]} {year}",
            )
            r.flush(pos)
            continue
        first[key] = i
        if value is None:  # missing, never zero
            continue
        unit = cell("unit").strip() or None
        source = cell("source").strip() or file
        for name, v in zip(
            _NAMES,
            (indicator, area[0], area[1], year, value, unit, kind, respondents, source),
            strict=True,
        ):
            out[name].append(v)
    return _typed(out)


def _typed(columns: Mapping[str, list[Any]]) -> pd.DataFrame:
    """A frame with the columns and dtypes of ``monitor_values``."""
    return pd.DataFrame(
        {
            name: pd.Series(columns.get(name, []), dtype=_DTYPES[sql])
            for name, sql in MONITOR_COLUMNS
        }
    )


def read_monitor_values(
    path: str | Path,
    *,
    sep: str | None = None,
    decimal: str | None = None,
    limit: int = 100,
    extra: Extra = "error",
) -> pd.DataFrame:
    """Read and check a CSV file of measured monitor values.

    Parameters
    ----------
    path : str or Path
        The CSV file (format in the module documentation).
    sep : str, optional
        Field separator; detected from the header when not given.
    decimal : {'.', ','}, optional
        Decimal mark; a comma when the separator is ``;``, else a point.
    limit : int, default 100
        Stop collecting violations after this many.
    extra : {'error', 'ignore'}, default 'error'
        What to do with columns that are not monitor columns.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MONITOR_COLUMNS` (``year`` and ``respondents`` as
        ``Int64``, ``value`` as float), one row per value, in file order;
        rows with a missing value are left out.

    Raises
    ------
    InputError
        When the file cannot be read or a parameter is invalid.
    InputErrors
        With every violation (file, row, column, expected, found) up to
        ``limit``; checking continues over the whole file.
    """
    if not isinstance(limit, int) or limit < 1:
        raise InputError(
            "invalid limit", where="limit", expected="a whole number >= 1", found=limit
        )
    if decimal not in (None, ".", ","):
        raise InputError(
            "invalid decimal mark", where="decimal", expected="'.' or ','", found=decimal
        )
    if extra not in ("error", "ignore"):
        raise InputError(
            "invalid option", where="extra", expected="'error' or 'ignore'", found=extra
        )
    p = Path(path)
    text = _text(p)
    header, rest = _split_comments(text)
    if not header.strip():
        raise InputError(
            "empty file",
            where=Location(file=p.name, row=0),
            expected="a header row with the column names",
            found="no header",
        )
    sep = sep or _sniff(header)
    dec = decimal or ("," if sep == ";" else ".")
    names = next(csv.reader([header.rstrip("\r\n")], delimiter=sep))
    records = list(csv.reader(io.StringIO(rest, newline=""), delimiter=sep))
    coll = _Collector(p.name, limit)
    pos = _header(names, p.name, extra, coll)
    for i, rec in enumerate(records, start=1):
        if any(c.strip() for c in rec) and len(rec) > len(names):
            coll.add(
                InputError(
                    "malformed row",
                    where=Location(file=p.name, row=i),
                    expected=f"{len(names)} fields separated by {sep!r}, as in the header",
                    found=f"{len(rec)} fields",
                    hint="quote values that contain the separator",
                )
            )
    if any(n not in pos for n in _REQUIRED):
        coll.raise_if_any()
    frame = _parse_rows(records, pos, file=p.name, decimal=dec, coll=coll)
    coll.raise_if_any()
    if frame.empty:
        raise InputError(
            "no values",
            where=Location(file=p.name),
            expected="at least one row with a value",
            found="none",
        )
    return frame


# --------------------------------------------------------------------------- storing


def _require_table(store: Store) -> None:
    if MONITOR_TABLE not in schema.TABLES or MONITOR_TABLE not in store.tables():
        raise StoreError(
            f"{store.location} has no table {MONITOR_TABLE}; this wijkmix cannot store "
            "monitor values (the table must be declared in wijkmix.store.schema.TABLES "
            "and the store initialised with it)"
        )


def _delete_keys(store: Store, frame: pd.DataFrame) -> None:
    """Delete stored values with the same indicator, area and year as ``frame``."""
    keys: dict[tuple[str, int], set[str]] = {}
    for ind, year, code in zip(frame["indicator"], frame["year"], frame["area_code"], strict=True):
        keys.setdefault((str(ind), int(year)), set()).add(str(code))
    for (indicator, year), areas in sorted(keys.items()):
        codes = sorted(areas)
        marks = ", ".join("?" for _ in codes)
        store.execute(
            f"DELETE FROM {MONITOR_TABLE} WHERE indicator = ? AND year = ? "
            f"AND area_code IN ({marks})",
            [indicator, year, *codes],
        )


def import_monitor(
    store: Store,
    path: str | Path,
    *,
    sep: str | None = None,
    decimal: str | None = None,
    limit: int = 100,
    extra: Extra = "error",
    force: bool = False,
) -> ImportResult:
    """Read, check and store a CSV file of measured monitor values.

    The file is checked completely first; then, in one transaction, the stored
    values of the same indicator, area and year are deleted and the new rows
    written to ``monitor_values`` with provenance (kind ``monitor``).

    Parameters
    ----------
    store : Store
        The store; it must have the table ``monitor_values``.
    path : str or Path
        The CSV file.
    sep, decimal, limit, extra
        As in :func:`read_monitor_values`.
    force : bool, default False
        Import even when the same file was imported before.

    Returns
    -------
    ImportResult
        Kind ``monitor``; ``skipped`` when the same file was imported before.

    Raises
    ------
    InputErrors
        When the file breaks a rule; the store is unchanged.
    StoreError
        When the store has no table ``monitor_values``.
    """
    frame = read_monitor_values(path, sep=sep, decimal=decimal, limit=limit, extra=extra)
    _require_table(store)
    p = Path(path)
    digest = file_sha256(p)
    if not force and store.already_imported("monitor", digest):
        return ImportResult("monitor", p.name, digest, {}, True)
    years = sorted(set(frame["year"].tolist()))
    with store.transaction():
        _delete_keys(store, frame)
        return store.import_frames(
            kind="monitor",
            source=p.name,
            sha256=digest,
            frames={MONITOR_TABLE: frame},
            year=int(years[0]) if len(years) == 1 else None,
            force=force,
        )


# --------------------------------------------------------------------------- from other tables


def _require(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            "not a data frame",
            where=table,
            expected=f"a pandas DataFrame in the shape of store table {table}",
            found=type(frame).__name__,
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            "missing column",
            where=Location(field=table, column=missing[0]),
            expected="columns " + ", ".join(columns),
            found=[str(c) for c in frame.columns],
        )


def _column(frame: pd.DataFrame, name: str, default: object) -> list[Any]:
    if name not in frame.columns:
        return [default] * len(frame)
    return [default if pd.isna(v) else v for v in frame[name].tolist()]


def values_from_kwb(area_stats: pd.DataFrame) -> pd.DataFrame:
    """Monitor values from stored CBS KWB statistics.

    Parameters
    ----------
    area_stats : pandas.DataFrame
        Rows in the shape of store table ``area_stats``: ``area_code, level,
        year, concept, value`` and optionally ``unit, source``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MONITOR_COLUMNS`: ``indicator`` is the concept name,
        ``kind`` is ``statistiek``; the unit is the row's, else the concept's
        (:data:`wijkmix.concepts.CONCEPTS`); the source is the row's, else
        ``"CBS KWB"``. Missing (suppressed) values produce no row.

    Examples
    --------
    >>> stats = pd.DataFrame({"area_code": ["WK051833"], "level": ["wijk"], "year": [2019],
    ...                       "concept": ["pct_corporation"], "value": [62.0]})
    >>> values_from_kwb(stats)[["indicator", "area_code", "year", "value", "unit", "kind"]]
             indicator area_code  year  value unit        kind
    0  pct_corporation  WK051833  2019   62.0    %  statistiek
    """
    _require(area_stats, ("area_code", "level", "year", "concept", "value"), "area_stats")
    frame = area_stats[area_stats["value"].notna()].reset_index(drop=True)
    concepts = [str(c) for c in frame["concept"].tolist()]
    units = _column(frame, "unit", None)
    units = [
        u if u is not None else (CONCEPTS[c].unit if c in CONCEPTS else None)
        for u, c in zip(units, concepts, strict=True)
    ]
    return _typed(
        {
            "indicator": concepts,
            "area_code": [str(c).strip() for c in frame["area_code"].tolist()],
            "level": _column(frame, "level", None),
            "year": [int(y) for y in frame["year"].tolist()],
            "value": [float(v) for v in frame["value"].tolist()],
            "unit": units,
            "kind": ["statistiek"] * len(frame),
            "respondents": [None] * len(frame),
            "source": _column(frame, "source", "CBS KWB"),
        }
    )


def values_from_lbm(lbm_scores: pd.DataFrame) -> pd.DataFrame:
    """Monitor values from stored Leefbaarometer scores.

    Parameters
    ----------
    lbm_scores : pandas.DataFrame
        Rows in the shape of store table ``lbm_scores``: ``area_code, level,
        year, indicator, value`` and optionally ``version, source``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MONITOR_COLUMNS`: ``indicator`` is the Leefbaarometer
        indicator (``lbm``, ``afw``, ``won``, ..., ``class``), ``kind`` is
        ``statistiek``, ``unit`` is ``klasse 1-9`` for ``class``,
        ``ontwikkelklasse 1-7`` for a development class and ``score``
        otherwise; the source is the row's, else ``"Leefbaarometer
        <version>"``. Missing values produce no row.

    Examples
    --------
    >>> lbm = pd.DataFrame({"area_code": ["WK036379"], "level": ["wijk"], "year": [2020],
    ...                     "version": ["3"], "indicator": ["lbm"], "value": [4.01]})
    >>> values_from_lbm(lbm)[["indicator", "area_code", "year", "value", "unit", "source"]]
      indicator area_code  year  value   unit            source
    0       lbm  WK036379  2020   4.01  score  Leefbaarometer 3
    """
    _require(lbm_scores, ("area_code", "level", "year", "indicator", "value"), "lbm_scores")
    frame = lbm_scores[lbm_scores["value"].notna()].reset_index(drop=True)
    indicators = [str(i) for i in frame["indicator"].tolist()]
    versions = _column(frame, "version", None)
    sources = [
        s if s is not None else ("Leefbaarometer" + (f" {v}" if v is not None else ""))
        for s, v in zip(_column(frame, "source", None), versions, strict=True)
    ]
    units = [
        _LBM_UNITS.get(i, "ontwikkelklasse 1-7" if i.startswith("dev_class_") else "score")
        for i in indicators
    ]
    return _typed(
        {
            "indicator": indicators,
            "area_code": [str(c).strip() for c in frame["area_code"].tolist()],
            "level": _column(frame, "level", None),
            "year": [int(y) for y in frame["year"].tolist()],
            "value": [float(v) for v in frame["value"].tolist()],
            "unit": units,
            "kind": ["statistiek"] * len(frame),
            "respondents": [None] * len(frame),
            "source": sources,
        }
    )
