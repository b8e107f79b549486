"""Read CBS *Kerncijfers wijken en buurten* (KWB) in each of its four shapes.

CBS publishes one KWB table per year. The column keys of the OData/StatLine
shapes carry a position suffix that changes every year
(``InBezitWoningcorporatie_42`` in 2019, ``InBezitWoningcorporatie_49`` in
2024), so no full key is ever hard-coded here. Each stable concept of
:data:`wijkmix.concepts.CONCEPTS` is found through :data:`KWB_CATALOGUE`:

* with the table's ``DataProperties`` metadata (OData JSON, an OData folder,
  the ``cbsodata`` client): by the topic **title**, qualified by the title of a
  parent ``TopicGroup`` where a title occurs more than once (``Nederland``
  under *Herkomstland* versus *Geboren in Nederland*);
* without metadata (the StatLine/OData CSV): by the key **stem**, the key with
  its ``_NN`` suffix removed; a stem that occurs more than once is taken by its
  position among exactly the expected number of occurrences, otherwise it is
  left unresolved (reported in :attr:`KwbTable.unresolved`), never guessed;
* in the CBS Excel release: by the stable **short name** (``a_inw``,
  ``p_wcorpw``, ``p_hh_lkk``), checked against CBS's *Toelichting variabelen*.

Suppressed cells (``.``) and blank cells ("cannot occur") become NaN, never
zero. Units are kept as CBS gives them (from the metadata when present, else
the concept's CBS unit). The country row (``NL00``) is skipped: wijkmix
areas are gemeenten, wijken and buurten.

Functions
---------
read_kwb
    Read a file or an OData folder; the shape follows from the path.
read_kwb_odata_folder
    Read a folder written by ``cbsodata.download_data``.
read_kwb_online
    Fetch a table through ``cbsodata`` (or an injected client).
import_kwb
    Read a file and write ``areas`` and ``area_stats`` to a store.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from wijkmix.areas import CBS_LEVELS, parse_code
from wijkmix.concepts import CONCEPTS
from wijkmix.errors import InputError, Location
from wijkmix.store import ImportResult, Store, file_sha256

__all__ = [
    "KWB_CATALOGUE",
    "KWB_TABLE_IDS",
    "KwbColumn",
    "KwbTable",
    "import_kwb",
    "read_kwb",
    "read_kwb_odata_folder",
    "read_kwb_online",
]


# --------------------------------------------------------------------------
# The catalogue: how each concept is found in each shape
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class KwbColumn:
    """Where one concept is found in the KWB shapes.

    Attributes
    ----------
    concept : str
        A name in :data:`wijkmix.concepts.CONCEPTS`.
    titles : tuple of str
        ``DataProperties`` titles (compared without case and surrounding or
        repeated white space), any year.
    stems : tuple of str
        OData key stems: the key without its ``_NN`` position suffix.
    short_names : tuple of str
        Short names of the CBS Excel release.
    group : str, optional
        Title of a ``TopicGroup`` that must lie on the topic's parent path; used
        where a title occurs under several groups.
    occurrence : int, optional
        For a stem that occurs several times in one table: which occurrence
        (1-based, in column order) is meant, among exactly ``of``.
    of : int, optional
        How many times the stem occurs in a complete table. A file with another
        count leaves the concept unresolved.
    """

    concept: str
    titles: tuple[str, ...]
    stems: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    group: str | None = None
    occurrence: int | None = None
    of: int | None = None


def _col(
    concept: str,
    titles: str | tuple[str, ...],
    stems: str | tuple[str, ...],
    short_names: str | tuple[str, ...] = (),
    *,
    group: str | None = None,
    occurrence: int | None = None,
    of: int | None = None,
) -> KwbColumn:
    def tup(x: str | tuple[str, ...]) -> tuple[str, ...]:
        return (x,) if isinstance(x, str) else x

    return KwbColumn(concept, tup(titles), tup(stems), tup(short_names), group, occurrence, of)


_HERKOMST = "Herkomstland"
_GEB_NL = "Geboren in Nederland"
_GEB_BL = "Geboren buiten Nederland"

#: Concept → where to find it. Short names checked against CBS "Toelichting
#: variabelen Kerncijfers wijken en buurten" 2023 and 2024 (``p_hh_li`` is the
#: 40 % lowest incomes, ``p_hh_lkk`` the households with a low income).
KWB_CATALOGUE: Mapping[str, KwbColumn] = MappingProxyType(
    {
        c.concept: c
        for c in [
            _col("inhabitants", "Aantal inwoners", "AantalInwoners", "a_inw"),
            _col("men", "Mannen", "Mannen", "a_man"),
            _col("women", "Vrouwen", "Vrouwen", "a_vrouw"),
            _col("age_0_15", "0 tot 15 jaar", "k_0Tot15Jaar", "a_00_14"),
            _col("age_15_25", "15 tot 25 jaar", "k_15Tot25Jaar", "a_15_24"),
            _col("age_25_45", "25 tot 45 jaar", "k_25Tot45Jaar", "a_25_44"),
            _col("age_45_65", "45 tot 65 jaar", "k_45Tot65Jaar", "a_45_64"),
            _col("age_65_plus", "65 jaar of ouder", "k_65JaarOfOuder", "a_65_oo"),
            _col("migr_western", "Westers totaal", "WestersTotaal"),
            _col("migr_nonwestern", "Niet-westers totaal", "NietWestersTotaal"),
            _col("migr_morocco", "Marokko", "Marokko"),
            _col(
                "migr_antilles_aruba",
                "Nederlandse Antillen en Aruba",
                "NederlandseAntillenEnAruba",
            ),
            _col("migr_suriname", "Suriname", "Suriname"),
            _col("migr_turkey", "Turkije", "Turkije"),
            _col("migr_other_nonwestern", "Overig niet-westers", "OverigNietWesters"),
            _col(
                "origin_netherlands",
                "Nederland",
                "Nederland",
                "a_nl_all",
                group=_HERKOMST,
                occurrence=1,
                of=2,
            ),
            _col(
                "origin_europe",
                "Europa (exclusief Nederland)",
                "EuropaExclusiefNederland",
                "a_eur_al",
                group=_HERKOMST,
                occurrence=1,
                of=3,
            ),
            _col(
                "origin_outside_europe",
                "Buiten Europa",
                "BuitenEuropa",
                "a_neu_al",
                group=_HERKOMST,
                occurrence=1,
                of=3,
            ),
            _col(
                "born_nl_origin_europe",
                "Europa (exclusief Nederland)",
                "EuropaExclusiefNederland",
                "a_geb_eu",
                group=_GEB_NL,
                occurrence=2,
                of=3,
            ),
            _col(
                "born_nl_origin_outside_europe",
                "Buiten Europa",
                "BuitenEuropa",
                "a_geb_ne",
                group=_GEB_NL,
                occurrence=2,
                of=3,
            ),
            _col(
                "born_abroad_europe",
                "Europa (exclusief Nederland)",
                "EuropaExclusiefNederland",
                ("a_gbl_eu", "a_gebl_eu"),
                group=_GEB_BL,
                occurrence=3,
                of=3,
            ),
            _col(
                "born_abroad_outside_europe",
                "Buiten Europa",
                "BuitenEuropa",
                ("a_gbl_ne", "a_gebl_ne"),
                group=_GEB_BL,
                occurrence=3,
                of=3,
            ),
            _col("households", "Huishoudens totaal", "HuishoudensTotaal", "a_hh"),
            _col(
                "one_person_households",
                "Eenpersoonshuishoudens",
                "Eenpersoonshuishoudens",
                "a_1p_hh",
            ),
            _col(
                "households_without_children",
                "Huishoudens zonder kinderen",
                "HuishoudensZonderKinderen",
                "a_hh_z_k",
            ),
            _col(
                "households_with_children",
                "Huishoudens met kinderen",
                "HuishoudensMetKinderen",
                "a_hh_m_k",
            ),
            _col(
                "avg_household_size",
                "Gemiddelde huishoudensgrootte",
                "GemiddeldeHuishoudensgrootte",
                "g_hhgro",
            ),
            _col("dwellings", "Woningvoorraad", "Woningvoorraad", "a_woning"),
            _col(
                "avg_woz",
                ("Gemiddelde WOZ-waarde van woningen", "Gemiddelde woningwaarde"),
                ("GemiddeldeWOZWaardeVanWoningen", "GemiddeldeWoningwaarde"),
                "g_wozbag",
            ),
            _col(
                "pct_single_family",
                "Percentage eengezinswoning",
                "PercentageEengezinswoning",
                "p_1gezw",
            ),
            _col(
                "pct_multi_family",
                "Percentage meergezinswoning",
                "PercentageMeergezinswoning",
                "p_mgezw",
            ),
            _col("pct_owner_occupied", "Koopwoningen", "Koopwoningen", "p_koopw"),
            _col("pct_rented", "Huurwoningen totaal", "HuurwoningenTotaal", "p_huurw"),
            _col(
                "pct_corporation",
                "In bezit woningcorporatie",
                "InBezitWoningcorporatie",
                "p_wcorpw",
            ),
            _col(
                "pct_other_landlords",
                "In bezit overige verhuurders",
                "InBezitOverigeVerhuurders",
                "p_ov_hw",
            ),
            _col("pct_ownership_unknown", "Eigendom onbekend", "EigendomOnbekend", "p_e_o_w"),
            _col(
                "income_recipients",
                "Aantal inkomensontvangers",
                "AantalInkomensontvangers",
                "a_inkont",
            ),
            _col(
                "avg_income_per_recipient",
                "Gemiddeld inkomen per inkomensontvanger",
                "GemiddeldInkomenPerInkomensontvanger",
                "g_ink_po",
            ),
            _col(
                "avg_income_per_inhabitant",
                "Gemiddeld inkomen per inwoner",
                "GemiddeldInkomenPerInwoner",
                "g_ink_pi",
            ),
            _col(
                "pct_households_lowest_40",
                "40% huishoudens met laagste inkomen",
                "k_40HuishoudensMetLaagsteInkomen",
                "p_hh_li",
            ),
            _col(
                "pct_households_highest_20",
                "20% huishoudens met hoogste inkomen",
                "k_20HuishoudensMetHoogsteInkomen",
                "p_hh_hi",
            ),
            _col(
                "pct_low_income_households",
                "Huishoudens met een laag inkomen",
                "HuishoudensMetEenLaagInkomen",
                "p_hh_lkk",
            ),
            _col(
                "pct_households_social_minimum",
                (
                    "Huish. onder of rond sociaal minimum",
                    "Huishoudens onder of rond sociaal minimum",
                ),
                "HuishOnderOfRondSociaalMinimum",
                "p_hh_osm",
            ),
            _col(
                "bijstand_persons",
                "Personen per soort uitkering; Bijstand",
                "PersonenPerSoortUitkeringBijstand",
                "a_soz_wb",
            ),
            _col(
                "ao_persons",
                "Personen per soort uitkering; AO",
                "PersonenPerSoortUitkeringAO",
                "a_soz_ao",
            ),
            _col(
                "ww_persons",
                "Personen per soort uitkering; WW",
                "PersonenPerSoortUitkeringWW",
                "a_soz_ww",
            ),
            _col(
                "aow_persons",
                "Personen per soort uitkering; AOW",
                "PersonenPerSoortUitkeringAOW",
                "a_soz_ow",
            ),
            _col("land_area_ha", "Oppervlakte land", "OppervlakteLand", "a_lan_ha"),
        ]
    }
)

#: The StatLine table of each KWB year, used when a file does not name its table.
KWB_TABLE_IDS: Mapping[int, str] = MappingProxyType(
    {
        2018: "84286NED",
        2019: "84583NED",
        2020: "84799NED",
        2021: "85039NED",
        2022: "85318NED",
        2023: "85618NED",
        2024: "85984NED",
    }
)

_SUFFIX = re.compile(r"_\d+$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_TABLE_ID = re.compile(r"(?<![0-9A-Za-z])(\d{5}[A-Z]{3})(?![0-9A-Za-z])")
_TABLE_ID_FULL = re.compile(r"^\d{5}[A-Z]{3}$")
_YEAR_KWB = re.compile(r"kwb[-_ ]?((?:19|20)\d{2})(?!\d)", re.IGNORECASE)
_YEAR_ANY = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CODE_LIKE = re.compile(r"^(GM|WK|BU|NL)\d{2}", re.IGNORECASE)
_NATIONAL = re.compile(r"^NL\d{2}$", re.IGNORECASE)
_LEVEL_WORDS = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt", "land": "land"}


def _stem(key: str) -> str:
    """Strip the ``_NN`` position suffix (``Koopwoningen_40`` → ``Koopwoningen``)."""
    return _SUFFIX.sub("", key)


def _norm(text: object) -> str:
    """Normalise a title: NFKC, collapse white space (also no-break), case-fold."""
    s = unicodedata.normalize("NFKC", str(text))
    return " ".join(s.split()).casefold()


# --------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class KwbTable:
    """One KWB table, read and mapped to concepts.

    Attributes
    ----------
    table_id : str or None
        StatLine table identifier (``84583NED``); None when unknown.
    year : int
        Statistics year, which is also the year of the area division.
    source : str
        File name (``cbsodata:<id>`` online); with a gemeente filter,
        ``<file>#GM....``.
    attribution : str
        ``Bron: CBS, Kerncijfers wijken en buurten <jaar> (tabel <id>), CC BY 4.0``.
    areas : pandas.DataFrame
        ``code, name, level, parent, gemeente_code, year``; ``name`` is None
        where the file has no name (wijken and buurten of the StatLine CSV).
    stats : pandas.DataFrame
        Long table ``area_code, level, year, concept, value, unit, source`` (the
        shape of store table ``area_stats``); suppressed values are NaN.
    columns : Mapping[str, str]
        Concept → the file's column it was read from.
    unresolved : Mapping[str, str]
        Concept → why it was not taken although a candidate column exists
        (ambiguous stem or title). Concepts simply absent from the file are in
        neither mapping.
    """

    table_id: str | None
    year: int
    source: str
    attribution: str
    areas: pd.DataFrame
    stats: pd.DataFrame
    columns: Mapping[str, str]
    unresolved: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def wide(self, level: str | None = None) -> pd.DataFrame:
        """One row per area, one column per concept.

        Parameters
        ----------
        level : {'gemeente', 'wijk', 'buurt'}, optional
            Keep only the areas of this level.

        Returns
        -------
        pandas.DataFrame
            The columns of :attr:`areas`, then the concepts in catalogue order.
        """
        areas = self.areas
        if level is not None:
            if level not in CBS_LEVELS:
                raise InputError(
                    "unknown level",
                    where="level",
                    expected="one of " + ", ".join(CBS_LEVELS),
                    found=level,
                )
            areas = areas[areas["level"] == level]
        out = areas.reset_index(drop=True).copy()
        concepts = [c for c in CONCEPTS if c in self.columns]
        if not concepts or out.empty:
            for c in concepts:
                out[c] = pd.Series(dtype="float64")
            return out
        pivot = self.stats.pivot(index="area_code", columns="concept", values="value")
        pivot = pivot.reindex(index=list(out["code"]), columns=concepts)
        for c in concepts:
            out[c] = pivot[c].to_numpy(dtype="float64")
        return out


# --------------------------------------------------------------------------
# Internal raw representation shared by the shapes
# --------------------------------------------------------------------------
@dataclass
class _Raw:
    source: str
    keys: list[str]
    rows: list[Mapping[str, Any]]
    row_numbers: list[int]
    metadata: list[Mapping[str, Any]] | None = None
    names: Mapping[str, str] | None = None
    name_column: str | None = None
    table_id: str | None = None
    table_id_from: str | None = None
    year: int | None = None
    year_from: str | None = None


@dataclass(frozen=True)
class _Topic:
    key: str
    title: str
    unit: str | None
    path: tuple[str, ...]


def _topics(metadata: Sequence[Mapping[str, Any]]) -> list[_Topic]:
    """List the data topics of ``DataProperties`` with their normalised group path."""
    by_id = {d.get("ID"): d for d in metadata}
    out: list[_Topic] = []
    for d in metadata:
        kind = str(d.get("Type") or d.get("odata.type") or "")
        if not kind.endswith("Topic"):
            continue
        path: list[str] = []
        parent = d.get("ParentID")
        seen: set[object] = set()
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            g = by_id[parent]
            path.append(_norm(g.get("Title", "")))
            parent = g.get("ParentID")
        unit = d.get("Unit")
        out.append(
            _Topic(
                key=str(d.get("Key", "")),
                title=_norm(d.get("Title", "")),
                unit=str(unit).strip() if unit not in (None, "") else None,
                path=tuple(reversed(path)),
            )
        )
    return out


def _resolve(raw: _Raw) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Map concepts to the file's columns.

    Returns
    -------
    columns, units, unresolved : dict
        Concept → key; concept → unit; concept → reason it was not resolved.
    """
    keyset = set(raw.keys)
    columns: dict[str, str] = {}
    units: dict[str, str] = {}
    unresolved: dict[str, str] = {}
    if raw.metadata is not None:
        topics = _topics(raw.metadata)
        for rule in KWB_CATALOGUE.values():
            titles = {_norm(t) for t in rule.titles}
            group = _norm(rule.group) if rule.group else None
            hits = [t for t in topics if t.title in titles and (group is None or group in t.path)]
            if len(hits) > 1:
                unresolved[rule.concept] = (
                    f"title {rule.titles[0]!r} matches {len(hits)} topics "
                    f"({', '.join(t.key for t in hits)})"
                    + (f" under group {rule.group!r}" if rule.group else "")
                )
            elif len(hits) == 1 and hits[0].key in keyset:
                columns[rule.concept] = hits[0].key
                units[rule.concept] = hits[0].unit or CONCEPTS[rule.concept].unit
            elif not hits and group is not None:
                loose = [t for t in topics if t.title in titles and t.key in keyset]
                if loose:
                    unresolved[rule.concept] = (
                        f"title {rule.titles[0]!r} occurs ({', '.join(t.key for t in loose)}) "
                        f"but not under group {rule.group!r}"
                    )
        return columns, units, unresolved
    short = any(k in keyset for k in ("gwb_code", "gwb_code_10"))
    stems: dict[str, list[str]] = {}
    for k in raw.keys:
        stems.setdefault(_stem(k), []).append(k)
    for rule in KWB_CATALOGUE.values():
        if short:
            key = next((s for s in rule.short_names if s in keyset), None)
            if key is not None:
                columns[rule.concept] = key
            continue
        for stem in rule.stems:
            keys = stems.get(stem)
            if not keys:
                continue
            if rule.of is None:
                if len(keys) == 1:
                    columns[rule.concept] = keys[0]
                else:
                    unresolved[rule.concept] = (
                        f"stem {stem!r} occurs {len(keys)} times ({', '.join(keys)})"
                    )
            elif len(keys) == rule.of and rule.occurrence is not None:
                columns[rule.concept] = keys[rule.occurrence - 1]
            else:
                unresolved[rule.concept] = (
                    f"stem {stem!r} occurs {len(keys)} times ({', '.join(keys)}), expected "
                    f"{rule.of}; cannot tell which is {rule.group!r}"
                )
            break
    for c in columns:
        units[c] = CONCEPTS[c].unit
    return columns, units, unresolved


def _structural(raw: _Raw, title: str, stem: str, short: str) -> str | None:
    """Find a structural column (code, soort regio, gemeente name)."""
    keyset = set(raw.keys)
    if raw.metadata is not None:
        hits = [t.key for t in _topics(raw.metadata) if t.title == _norm(title)]
        if len(hits) == 1 and hits[0] in keyset:
            return hits[0]
    by_stem = [k for k in raw.keys if _stem(k) == stem]
    if len(by_stem) == 1:
        return by_stem[0]
    return short if short in keyset else None


def _looks_like_codes(raw: _Raw, key: str) -> bool:
    vals = [v for v in (r.get(key) for r in raw.rows) if isinstance(v, str) and v.strip()]
    if not vals:
        return False
    hits = sum(1 for v in vals if _CODE_LIKE.match(v.strip()))
    return hits * 2 >= len(vals)


def _code_column(raw: _Raw) -> str:
    candidates: list[str] = []
    if "WijkenEnBuurten" in raw.keys:
        candidates.append("WijkenEnBuurten")
    codering = _structural(raw, "Codering", "Codering", "gwb_code")
    if codering is not None:
        candidates.append(codering)
    if "gwb_code_10" in raw.keys:
        candidates.append("gwb_code_10")
    if not candidates:
        shown = ", ".join(raw.keys[:8]) + (", ..." if len(raw.keys) > 8 else "")
        raise InputError(
            "no area code column",
            where=Location(file=raw.source),
            expected="a column WijkenEnBuurten, Codering_<n> or gwb_code with CBS area codes",
            found=f"columns {shown}" if shown else "no columns",
            hint="read the KWB table as published by CBS (StatLine/OData CSV, Excel or JSON)",
        )
    for c in candidates:
        if _looks_like_codes(raw, c):
            return c
    return candidates[0]


def _parse_value(value: object, *, source: str, row: int, column: str) -> float:
    """Parse one cell: a number, or ``.``/blank for missing (NaN)."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        pass
    elif isinstance(value, (int, float)):
        return float(value)
    elif isinstance(value, str):
        s = value.strip()
        if s in ("", "."):
            return math.nan
        if _NUMBER.match(s):
            return float(s)
    raise InputError(
        "invalid value",
        where=Location(file=source, row=row, column=column),
        expected="a number or '.'",
        found=value,
        hint="CBS marks suppressed values with '.'; decimals use a point",
    )


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip()
    return s or None


def _gemeente_code(gemeente: str | None) -> str | None:
    if gemeente is None:
        return None
    s = str(gemeente).strip()
    if re.fullmatch(r"\d{4}", s):
        s = "GM" + s
    return parse_code(s, level="gemeente", where=Location(field="gemeente")).code


def _merge(
    what: str,
    found: object,
    found_from: str | None,
    given: object,
    *,
    source: str,
) -> Any:
    if given is not None and found is not None and given != found:
        raise InputError(
            f"{what} given differs from the {what} of the file",
            where=Location(file=source, field=what),
            expected=f"{found!r} (from {found_from})",
            found=given,
            hint=f"leave out {what}= or read the right file",
        )
    return found if found is not None else given


def _build(
    raw: _Raw,
    *,
    table_id: str | None,
    year: int | None,
    gemeente: str | None,
) -> KwbTable:
    """Turn a raw table into a :class:`KwbTable`."""
    if table_id is not None:
        table_id = str(table_id).strip().upper()
        if not _TABLE_ID_FULL.match(table_id):
            raise InputError(
                "invalid table id",
                where="table_id",
                expected="a StatLine identifier such as 84583NED",
                found=table_id,
            )
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise InputError("invalid year", where="year", expected="an integer year", found=year)
    tid = _merge("table_id", raw.table_id, raw.table_id_from, table_id, source=raw.source)
    yr = _merge("year", raw.year, raw.year_from, year, source=raw.source)
    if yr is None:
        raise InputError(
            "unknown KWB year",
            where=Location(file=raw.source),
            expected="a year in the file name (kwb-2019) or in TableInfos, or year=...",
            found="nothing",
        )
    if tid is None:
        tid = KWB_TABLE_IDS.get(int(yr))
    gm = _gemeente_code(gemeente)

    code_col = _code_column(raw)
    soort_col = _structural(raw, "Soort regio", "SoortRegio", "recs")
    gmnaam_col = _structural(raw, "Gemeentenaam", "Gemeentenaam", "gm_naam")
    name_col = raw.name_column
    if (
        name_col is None
        and code_col != "WijkenEnBuurten"
        and "WijkenEnBuurten" in raw.keys
        and not _looks_like_codes(raw, "WijkenEnBuurten")
    ):
        name_col = "WijkenEnBuurten"  # cbsodata.get_data put the region names here

    area_rows: list[tuple[str, str | None, str, str | None, str]] = []
    kept: list[tuple[int, Mapping[str, Any]]] = []
    seen: dict[str, int] = {}
    for rec, rownum in zip(raw.rows, raw.row_numbers, strict=True):
        raw_code = rec.get(code_col)
        soort = _text(rec.get(soort_col)) if soort_col else None
        if isinstance(raw_code, str) and _NATIONAL.match(raw_code.strip()):
            continue  # the country row
        if soort is not None and soort.casefold() == "land":
            continue
        where = Location(file=raw.source, row=rownum, column=code_col)
        ac = parse_code(raw_code, where=where)
        code = ac.code
        if soort is not None:
            lvl = _LEVEL_WORDS.get(soort.casefold())
            if lvl != ac.level:
                raise InputError(
                    "region type does not match the area code",
                    where=Location(file=raw.source, row=rownum, column=soort_col),
                    expected=f"{ac.level.capitalize()} for {code}",
                    found=soort,
                )
        if code in seen:
            raise InputError(
                "area code occurs twice",
                where=where,
                expected=f"one row per area (first at row {seen[code]})",
                found=code,
            )
        seen[code] = rownum
        if gm is not None and ac.gemeente != gm:
            continue
        if raw.names is not None:
            name = raw.names.get(code)
        elif name_col is not None:
            name = _text(rec.get(name_col))
        elif ac.level == "gemeente" and gmnaam_col is not None:
            name = _text(rec.get(gmnaam_col))
        else:
            name = None
        area_rows.append((code, name, ac.level, ac.parent, ac.gemeente))
        kept.append((rownum, rec))
    if gm is not None and not area_rows:
        raise InputError(
            "gemeente not in the file",
            where=Location(file=raw.source, field="gemeente"),
            expected="a gemeente whose areas the file lists",
            found=gm,
        )

    columns, units, unresolved = _resolve(raw)
    src = raw.source if gm is None else f"{raw.source}#{gm}"
    concepts = [c for c in CONCEPTS if c in columns]
    s_code: list[str] = []
    s_level: list[str] = []
    s_concept: list[str] = []
    s_value: list[float] = []
    s_unit: list[str] = []
    for (code, _name, level, _parent, _gm), (rownum, rec) in zip(area_rows, kept, strict=True):
        for c in concepts:
            key = columns[c]
            s_code.append(code)
            s_level.append(level)
            s_concept.append(c)
            s_value.append(_parse_value(rec.get(key), source=raw.source, row=rownum, column=key))
            s_unit.append(units[c])
    yr_int = int(yr)
    areas = pd.DataFrame(
        {
            "code": [a[0] for a in area_rows],
            "name": pd.Series([a[1] for a in area_rows], dtype=object),
            "level": [a[2] for a in area_rows],
            "parent": pd.Series([a[3] for a in area_rows], dtype=object),
            "gemeente_code": [a[4] for a in area_rows],
            "year": pd.Series([yr_int] * len(area_rows), dtype="int64"),
        }
    )
    stats = pd.DataFrame(
        {
            "area_code": s_code,
            "level": s_level,
            "year": pd.Series([yr_int] * len(s_code), dtype="int64"),
            "concept": s_concept,
            "value": pd.Series(s_value, dtype="float64"),
            "unit": s_unit,
            "source": [src] * len(s_code),
        }
    )
    tab = f" (tabel {tid})" if tid else ""
    attribution = f"Bron: CBS, Kerncijfers wijken en buurten {yr_int}{tab}, CC BY 4.0"
    return KwbTable(
        table_id=tid,
        year=yr_int,
        source=src,
        attribution=attribution,
        areas=areas,
        stats=stats,
        columns=MappingProxyType(dict(columns)),
        unresolved=MappingProxyType(dict(unresolved)),
    )


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------
def _ids_from_name(raw: _Raw, name: str) -> None:
    m = _TABLE_ID.search(name)
    if m:
        raw.table_id, raw.table_id_from = m.group(1), f"file name {name}"
    y = _YEAR_KWB.search(name) or _YEAR_ANY.search(_TABLE_ID.sub("", name))
    if y:
        raw.year, raw.year_from = int(y.group(1)), f"file name {name}"


def _ids_from_info(raw: _Raw, info: object, label: str) -> None:
    """Take table id and year from a TableInfos record (overrides the file name)."""
    rec: Mapping[str, Any] | None = None
    if isinstance(info, list) and info and isinstance(info[0], Mapping):
        rec = info[0]
    elif isinstance(info, Mapping):
        rec = info
    if rec is None:
        return
    ident = rec.get("Identifier")
    if isinstance(ident, str) and _TABLE_ID_FULL.match(ident.strip().upper()):
        tid = ident.strip().upper()
        if raw.table_id is not None and raw.table_id != tid:
            raise InputError(
                "table id of the file name differs from TableInfos",
                where=Location(file=raw.source),
                expected=f"{tid} ({label})",
                found=raw.table_id,
            )
        raw.table_id, raw.table_id_from = tid, label
    year: int | None = None
    for field_name in ("Period", "Title", "ShortTitle"):
        v = rec.get(field_name)
        if isinstance(v, str):
            m = _YEAR_ANY.search(v)
            if m:
                year = int(m.group(1))
                break
    if year is not None:
        if raw.year is not None and raw.year != year:
            raise InputError(
                "year of the file name differs from TableInfos",
                where=Location(file=raw.source),
                expected=f"{year} ({label})",
                found=raw.year,
            )
        raw.year, raw.year_from = year, label


def _read_statline_csv(path: Path) -> _Raw:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "file is not UTF-8 text",
            where=Location(file=name),
            expected="a StatLine CSV in UTF-8",
            found=f"undecodable byte at position {exc.start}",
        ) from None
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            "empty file", where=Location(file=name), expected="a header row", found="nothing"
        ) from None
    keys = [h.strip() for h in header]
    rows: list[Mapping[str, Any]] = []
    numbers: list[int] = []
    for i, rec in enumerate(reader, start=1):
        if not rec or all(not f.strip() for f in rec):
            continue
        if len(rec) != len(keys):
            raise InputError(
                "wrong number of fields",
                where=Location(file=name, row=i),
                expected=f"{len(keys)} fields separated by '{delim}'",
                found=f"{len(rec)} fields",
            )
        rows.append(dict(zip(keys, rec, strict=True)))
        numbers.append(i)
    raw = _Raw(source=name, keys=keys, rows=rows, row_numbers=numbers)
    _ids_from_name(raw, name)
    return raw


def _read_excel(path: Path) -> _Raw:
    import openpyxl

    name = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise InputError(
            "cannot read the workbook",
            where=Location(file=name),
            expected="a CBS KWB Excel workbook (.xlsx)",
            found=type(exc).__name__,
        ) from None
    try:
        chosen: tuple[list[str], list[tuple[Any, ...]]] | None = None
        first_header: list[str] = []
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True)
            head = next(it, None)
            if head is None:
                continue
            keys = ["" if h is None else str(h).strip() for h in head]
            if not first_header:
                first_header = keys
            if "gwb_code" in keys or "gwb_code_10" in keys:
                chosen = (keys, list(it))
                break
    finally:
        wb.close()
    if chosen is None:
        chosen = (first_header, [])
    keys, body = chosen
    rows: list[Mapping[str, Any]] = []
    numbers: list[int] = []
    for i, rec in enumerate(body, start=1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in rec):
            continue
        rows.append({k: v for k, v in zip(keys, rec, strict=False) if k})
        numbers.append(i)
    raw = _Raw(
        source=name,
        keys=[k for k in keys if k],
        rows=rows,
        row_numbers=numbers,
        name_column="regio" if "regio" in keys else None,
    )
    _ids_from_name(raw, name)
    return raw


def _load_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise InputError(
            "invalid JSON",
            where=Location(file=path.name, row=exc.lineno),
            expected="JSON as written by cbsodata or the CBS OData API",
            found=exc.msg,
        ) from None


def _is_metadata(data: object) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(d, Mapping) for d in data)
        and any(str(d.get("Type", "")).startswith("Topic") for d in data)
        and all("Key" in d and "Title" in d for d in data)
    )


def _records(data: object, name: str) -> tuple[list[str], list[Mapping[str, Any]]]:
    """Take records from a list of objects or from an object keyed by area code."""
    if isinstance(data, Mapping) and isinstance(data.get("value"), list):
        data = data["value"]  # a raw OData response
    recs: list[Mapping[str, Any]]
    if isinstance(data, list):
        if _is_metadata(data):
            raise InputError(
                "this is KWB metadata, not data",
                where=Location(file=name),
                expected="the records file (or the folder) next to this DataProperties",
                found="DataProperties",
            )
        for i, d in enumerate(data, start=1):
            if not isinstance(d, Mapping):
                raise InputError(
                    "invalid record",
                    where=Location(file=name, row=i),
                    expected="a JSON object per area",
                    found=type(d).__name__,
                )
        recs = list(data)
    elif isinstance(data, Mapping):
        recs = []
        for i, (code, d) in enumerate(data.items(), start=1):
            if not isinstance(d, Mapping):
                raise InputError(
                    "invalid record",
                    where=Location(file=name, row=i, column="WijkenEnBuurten"),
                    expected="an object keyed by area code, each value an object of fields",
                    found=type(d).__name__,
                )
            recs.append({"WijkenEnBuurten": code, **d})
    else:
        raise InputError(
            "invalid KWB JSON",
            where=Location(file=name),
            expected="a list of records or an object keyed by area code",
            found=type(data).__name__,
        )
    keys: list[str] = []
    seen: set[str] = set()
    for r in recs:
        for k in r:
            if k not in seen:
                seen.add(k)
                keys.append(str(k))
    return keys, recs


def _dimension_names(data: object) -> dict[str, str] | None:
    """Code → name from a ``WijkenEnBuurten.json`` dimension file."""
    if not isinstance(data, list):
        return None
    out: dict[str, str] = {}
    for d in data:
        if isinstance(d, Mapping) and isinstance(d.get("Key"), str):
            title = _text(d.get("Title"))
            if title is not None:
                out[d["Key"].strip().upper()] = title
    return out or None


def _sibling(folder: Path, table_id: str | None, suffix: str) -> Path | None:
    if table_id is not None:
        hits = sorted(p for p in folder.iterdir() if p.name.endswith(suffix) and table_id in p.name)
        if len(hits) == 1:
            return hits[0]
    plain = folder / suffix
    return plain if plain.is_file() else None


def _read_odata_json(path: Path) -> tuple[_Raw, list[Path]]:
    name = path.name
    keys, recs = _records(_load_json(path), name)
    raw = _Raw(source=name, keys=keys, rows=recs, row_numbers=list(range(1, len(recs) + 1)))
    _ids_from_name(raw, name)
    used = [path]
    meta = _sibling(path.parent, raw.table_id, "DataProperties.json")
    if meta is not None and meta != path:
        data = _load_json(meta)
        if isinstance(data, list):
            raw.metadata = list(data)
            used.append(meta)
    info = _sibling(path.parent, raw.table_id, "TableInfos.json")
    if info is not None and info != path:
        _ids_from_info(raw, _load_json(info), info.name)
        used.append(info)
    return raw, used


def _read_folder(folder: Path) -> tuple[_Raw, list[Path]]:
    data_file = next(
        (
            folder / n
            for n in ("TypedDataSet.json", "UntypedDataSet.json")
            if (folder / n).is_file()
        ),
        None,
    )
    if data_file is None:
        raise InputError(
            "no data set in the OData folder",
            where=Location(file=folder.name),
            expected="TypedDataSet.json or UntypedDataSet.json (cbsodata.download_data)",
            found=", ".join(sorted(p.name for p in folder.iterdir())) or "an empty folder",
        )
    keys, recs = _records(_load_json(data_file), data_file.name)
    raw = _Raw(
        source=folder.name,
        keys=keys,
        rows=recs,
        row_numbers=list(range(1, len(recs) + 1)),
    )
    _ids_from_name(raw, folder.name)
    used = [data_file]
    meta_file = folder / "DataProperties.json"
    if meta_file.is_file():
        data = _load_json(meta_file)
        if isinstance(data, list):
            raw.metadata = list(data)
        used.append(meta_file)
    info_file = folder / "TableInfos.json"
    if info_file.is_file():
        _ids_from_info(raw, _load_json(info_file), f"{folder.name}/TableInfos.json")
        used.append(info_file)
    dim_file = folder / "WijkenEnBuurten.json"
    if dim_file.is_file():
        raw.names = _dimension_names(_load_json(dim_file))
        used.append(dim_file)
    return raw, used


def _read_any(path: str | Path) -> tuple[_Raw, list[Path]]:
    p = Path(path)
    if p.is_dir():
        return _read_folder(p)
    if not p.is_file():
        raise InputError(
            "file not found",
            where=Location(file=str(path)),
            expected="an existing KWB file or OData folder",
            found=str(path),
        )
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return _read_statline_csv(p), [p]
    if suffix == ".xlsx":
        return _read_excel(p), [p]
    if suffix == ".json":
        return _read_odata_json(p)
    raise InputError(
        "unsupported KWB file",
        where=Location(file=p.name),
        expected="a .csv (StatLine), .xlsx (CBS Excel) or .json (OData) file, or an OData folder",
        found=suffix or "no extension",
        hint="save an old .xls release as .xlsx",
    )


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
def read_kwb(
    path: str | Path,
    *,
    table_id: str | None = None,
    year: int | None = None,
    gemeente: str | None = None,
) -> KwbTable:
    """Read a KWB table from a file or an OData folder.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (StatLine/OData CSV), ``.xlsx`` (CBS Excel release), ``.json``
        (OData records: a list, or an object keyed by area code; the table's
        ``*DataProperties.json`` and ``*TableInfos.json`` next to it are used
        when present) or a folder written by ``cbsodata.download_data``.
    table_id : str, optional
        StatLine table id, when the file does not name it.
    year : int, optional
        Statistics year, when the file does not name it.
    gemeente : str, optional
        Keep only this gemeente (``GM0518`` or ``0518``) and its wijken and
        buurten.

    Returns
    -------
    KwbTable

    Raises
    ------
    InputError
        No area code column, an unparsable code, a value that is neither a
        number nor ``.``, an unknown year, or a table id or year that
        contradicts the file.
    """
    raw, _used = _read_any(path)
    return _build(raw, table_id=table_id, year=year, gemeente=gemeente)


def read_kwb_odata_folder(
    folder: str | Path,
    *,
    table_id: str | None = None,
    year: int | None = None,
    gemeente: str | None = None,
) -> KwbTable:
    """Read a KWB table saved by ``cbsodata.download_data(table_id, dir=folder)``.

    The folder holds ``TableInfos.json`` (table id and year),
    ``DataProperties.json`` (titles, units, topic groups), ``TypedDataSet.json``
    or ``UntypedDataSet.json`` (the records, area codes in ``WijkenEnBuurten``)
    and optionally ``WijkenEnBuurten.json`` (area names).

    Parameters
    ----------
    folder : str or Path
        The folder.
    table_id, year, gemeente
        As for :func:`read_kwb`.

    Returns
    -------
    KwbTable
    """
    p = Path(folder)
    if not p.is_dir():
        raise InputError(
            "not a folder",
            where=Location(file=str(folder)),
            expected="a folder written by cbsodata.download_data",
            found=str(folder),
        )
    raw, _used = _read_folder(p)
    return _build(raw, table_id=table_id, year=year, gemeente=gemeente)


def read_kwb_online(
    table_id: str,
    *,
    gemeente: str | None = None,
    client: Any = None,
) -> KwbTable:
    """Fetch a KWB table through ``cbsodata``.

    ``cbsodata.get_data`` replaces the region key by its name; the codes are
    taken from ``Codering_<n>`` and the names kept as area names.

    Parameters
    ----------
    table_id : str
        StatLine table id (``85984NED``).
    gemeente : str, optional
        Fetch only this gemeente and its wijken and buurten.
    client : object, optional
        Anything with ``get_data(table_id, typed=..., filters=...)`` and
        ``get_meta(table_id, name)``; defaults to the ``cbsodata`` module
        (optional dependency ``wijkmix[online]``).

    Returns
    -------
    KwbTable
    """
    tid = str(table_id).strip().upper()
    if not _TABLE_ID_FULL.match(tid):
        raise InputError(
            "invalid table id",
            where="table_id",
            expected="a StatLine identifier such as 85984NED",
            found=table_id,
        )
    if client is None:
        try:
            import cbsodata
        except ImportError:  # pragma: no cover - cbsodata is a test dependency
            raise InputError(
                "cbsodata is not installed",
                where="client",
                expected="the optional dependency cbsodata (pip install 'wijkmix[online]')",
                found="nothing",
            ) from None
        client = cbsodata
    gm = _gemeente_code(gemeente)
    filters = None
    if gm is not None:
        filters = " or ".join(
            f"startswith(WijkenEnBuurten,'{p}{gm[2:]}')" for p in ("GM", "WK", "BU")
        )
    source = f"cbsodata:{tid}"
    data = client.get_data(tid, typed=True, filters=filters)
    keys, recs = _records(data, source)
    raw = _Raw(source=source, keys=keys, rows=recs, row_numbers=list(range(1, len(recs) + 1)))
    meta = client.get_meta(tid, "DataProperties")
    raw.metadata = list(meta) if isinstance(meta, list) else None
    raw.table_id, raw.table_id_from = tid, "table_id"
    _ids_from_info(raw, client.get_meta(tid, "TableInfos"), f"{source} TableInfos")
    return _build(raw, table_id=None, year=None, gemeente=gm)


def _digest(files: Iterable[Path], gemeente: str | None) -> str:
    files = list(files)
    if len(files) == 1 and gemeente is None:
        return file_sha256(files[0])
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        h.update(f"{f.name}:{file_sha256(f)}\n".encode())
    if gemeente is not None:
        h.update(f"gemeente={gemeente}".encode())
    return h.hexdigest()


def import_kwb(
    store: Store,
    path: str | Path,
    *,
    table_id: str | None = None,
    year: int | None = None,
    gemeente: str | None = None,
) -> ImportResult:
    """Read a KWB file and write its areas and statistics to the store.

    Rows of an earlier import of the same source are replaced, and so are the
    rows of any earlier import for the same areas and year (a whole-country
    file after a one-gemeente extract does not duplicate areas); importing the
    same file (same bytes, same gemeente filter) again changes nothing.

    Parameters
    ----------
    store : Store
        The store.
    path, table_id, year, gemeente
        As for :func:`read_kwb`.

    Returns
    -------
    ImportResult
    """
    raw, used = _read_any(path)
    table = _build(raw, table_id=table_id, year=year, gemeente=gemeente)
    gm = _gemeente_code(gemeente)
    codes = sorted(set(table.areas["code"]))
    return store.import_frames(
        kind="kwb",
        source=table.source,
        sha256=_digest(used, gm),
        frames={"areas": table.areas, "area_stats": table.stats},
        replace={
            "areas": {"code": codes, "year": table.year},
            "area_stats": {"area_code": codes, "year": table.year},
        },
        table_id=table.table_id,
        year=table.year,
        attribution=table.attribution,
    )
