"""Read and import area boundaries (CBS/Kadaster wijk- en buurtkaart, GeoJSON).

A boundary file is a GeoJSON ``FeatureCollection`` with one feature per area
of one level (``buurt``, ``wijk`` or ``gemeente``) and one indeling year, with
the properties ``statcode`` (the CBS code), ``statnaam`` (the name) and
optionally ``gmCode`` and ``rubriek`` (the level). The generalised files of
``cartomap/nl`` are named ``<level>_<year>[_...].geojson``, in WGS84 with
coordinates rounded to 0.001°.

Two defects of such files are handled here:

* a feature may have ``"geometry": null``: the area is kept (code and name)
  and listed in :attr:`BoundaryTable.missing_geometry`;
* rounding makes some rings self-intersect: every invalid geometry is
  repaired with :func:`shapely.make_valid`, keeping only its polygonal part
  (the collapsed slivers become lines, which are dropped), and listed in
  :attr:`BoundaryTable.repaired`. The table holds the repaired geometry, so
  every later spatial operation sees valid polygons.

Show :attr:`BoundaryTable.attribution` ("Kadaster / Centraal Bureau voor de
Statistiek, <jaar>") on every map drawn from these boundaries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from wijkmix.areas import CBS_LEVELS, Level, parse_code
from wijkmix.errors import InputError, InputErrors, Location
from wijkmix.store.base import ImportResult, Store, file_sha256

__all__ = [
    "ATTRIBUTION",
    "NEIGHBOUR_TOLERANCE",
    "BoundaryTable",
    "import_geometry",
    "join_boundaries",
    "neighbours",
    "read_boundaries",
    "repair",
]

#: Attribution to show on every map; ``{year}`` is the indeling year.
ATTRIBUTION = "Kadaster / Centraal Bureau voor de Statistiek, {year}"

#: Distance (in the units of the coordinates: degrees for WGS84) within which
#: two areas count as touching in :func:`neighbours`. The generalised CBS
#: files round coordinates to 0.001°, but neighbouring areas share identical
#: rounded vertices, so contiguity survives the rounding exactly; the
#: tolerance only absorbs floating-point noise (for example from
#: :func:`shapely.make_valid`). 1e-5° is about 1 m; the narrowest real gap
#: between two areas in the 2019 Den Haag and Amsterdam files is 1.6e-4°
#: (about 12 m), so no separate areas are joined.
NEIGHBOUR_TOLERANCE = 1e-5

_MAX_ERRORS = 100
_FRAME_COLUMNS = ["area_code", "level", "year", "name", "geometry"]
_PREFIX = {"buurt": "BU", "wijk": "WK", "gemeente": "GM"}
_WIDTH = {"buurt": 8, "wijk": 6, "gemeente": 4}


@dataclass(frozen=True)
class BoundaryTable:
    """The boundaries of one level and year, read from one file.

    Attributes
    ----------
    level : str
        ``buurt``, ``wijk`` or ``gemeente``.
    year : int
        Indeling year of the boundaries.
    source : str
        File name.
    attribution : str
        "Kadaster / Centraal Bureau voor de Statistiek, <year>".
    frame : pandas.DataFrame
        In the shape of store table ``boundaries``: ``area_code, level, year,
        name, geometry``; ``geometry`` is the GeoJSON geometry object as text
        (repaired where it was invalid), None when the source has none.
        Sorted by ``area_code``.
    repaired : tuple of str
        Codes whose geometry was invalid and was made valid.
    missing_geometry : tuple of str
        Codes whose feature has ``geometry: null``.
    """

    level: Level
    year: int
    source: str
    attribution: str
    frame: pd.DataFrame
    repaired: tuple[str, ...] = ()
    missing_geometry: tuple[str, ...] = ()

    def codes(self) -> list[str]:
        """Return all area codes, sorted (with and without geometry)."""
        return self.frame["area_code"].tolist()

    def shapes(self) -> dict[str, BaseGeometry]:
        """Return the shapely geometry per area code (areas with geometry only)."""
        return _shapes_from_frame(self.frame)


def repair(geometry: BaseGeometry) -> BaseGeometry:
    """Make a polygonal geometry valid, keeping only its polygonal part.

    :func:`shapely.make_valid` turns a self-intersecting ring into a
    collection of polygons and the lines where the ring collapsed; the lines
    have no area and are dropped.

    Parameters
    ----------
    geometry : shapely geometry
        A Polygon or MultiPolygon, valid or not.

    Returns
    -------
    Polygon or MultiPolygon
        Valid; the input itself when it was valid already. Empty when
        nothing polygonal is left.
    """
    if geometry.is_valid:
        return geometry
    fixed = shapely.make_valid(geometry)
    polys: list[Polygon] = []
    for part in shapely.get_parts(fixed):
        if isinstance(part, Polygon):
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(part.geoms)
        elif part.geom_type == "GeometryCollection":
            for sub in shapely.get_parts(part):
                if isinstance(sub, Polygon):
                    polys.append(sub)
                elif isinstance(sub, MultiPolygon):
                    polys.extend(sub.geoms)
    polys = [p for p in polys if not p.is_empty and p.area > 0]
    if not polys:
        return Polygon()
    if len(polys) == 1:
        return polys[0]
    out = MultiPolygon(polys)
    return out if out.is_valid else shapely.unary_union(polys)


def _name_parts(stem: str) -> tuple[Level | None, int | None]:
    """Level and year from a file name such as ``buurt_2019_GM0518``."""
    tokens = [t.lower() for t in re.split(r"[_\-. ]+", stem) if t]
    level: Level | None = None
    year: int | None = None
    for t in tokens:
        for lv in CBS_LEVELS:
            if t in (lv, lv + "en"):  # buurt, buurten, wijk, wijken, gemeente, gemeenten
                level = level or lv
        if re.fullmatch(r"(19|20)\d\d", t) and year is None:
            year = int(t)
    return level, year


def read_boundaries(
    path: str | Path,
    *,
    level: str | None = None,
    year: int | None = None,
) -> BoundaryTable:
    """Read a GeoJSON boundary file of one level.

    Parameters
    ----------
    path : str or Path
        A GeoJSON ``FeatureCollection`` with properties ``statcode``,
        ``statnaam`` (optional ``gmCode``, ``rubriek``).
    level : {'buurt', 'wijk', 'gemeente'}, optional
        The level of the features. Default: from the file name
        (``buurt_2019_...``), else the ``rubriek`` property, else the code of
        the first feature. Every feature must be of this level.
    year : int, optional
        The indeling year. Default: from the file name, else from the first
        ``jrstatcode`` (``2019BU05180170``).

    Returns
    -------
    BoundaryTable

    Raises
    ------
    InputError
        Not a FeatureCollection; a feature without a valid ``statcode``; a
        code, ``rubriek`` or ``gmCode`` that does not match the level or the
        code (the message names ``features[i].properties.<name>``); a code
        that occurs twice; a geometry that is not a (Multi)Polygon; no year;
        a year parameter that contradicts the file name.
    """
    p = Path(path)
    file = p.name
    try:
        with open(p, encoding="utf-8-sig") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise InputError(
            "file not found",
            where=Location(file=str(p)),
            expected="an existing GeoJSON file",
            found=str(p),
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            "not valid JSON",
            where=Location(file=file, row=exc.lineno),
            expected="a GeoJSON FeatureCollection",
            found=exc.msg,
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError(
            "not a GeoJSON FeatureCollection",
            where=Location(file=file, field="type"),
            expected="'FeatureCollection'",
            found=doc.get("type") if isinstance(doc, dict) else type(doc).__name__,
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputError(
            "no features",
            where=Location(file=file, field="features"),
            expected="a list of features",
            found=type(features).__name__,
        )

    name_level, name_year = _name_parts(p.stem)
    lvl = _resolve_level(level, name_level, features, file)
    yr = _resolve_year(year, name_year, features, file)

    errors: list[InputError] = []
    truncated = False

    def add(err: InputError) -> None:
        nonlocal truncated
        if len(errors) >= _MAX_ERRORS:
            truncated = True
        else:
            errors.append(err)

    if level is not None:
        level_hint: str | None = (
            f"the level '{lvl}' comes from the level parameter; "
            "leave it out or give the level of the codes"
        )
    elif name_level is not None:
        level_hint = (
            f"the level '{lvl}' comes from the file name {file}; "
            "rename the file or pass level= with the level of the codes"
        )
    else:
        level_hint = None
    rows: list[dict[str, Any]] = []
    repaired: list[str] = []
    missing: list[str] = []
    first_at: dict[str, int] = {}
    for i, feat in enumerate(features):
        props = feat.get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict):
            add(
                InputError(
                    "feature without properties",
                    where=Location(file=file, field=f"features[{i}].properties"),
                    expected="an object with statcode and statnaam",
                    found=props,
                )
            )
            continue
        where = Location(file=file, field=f"features[{i}].properties.statcode")
        raw = props.get("statcode")
        try:
            ac = parse_code(raw, where=where)
        except InputError as exc:
            add(exc)
            continue
        if ac.level != lvl:
            add(
                InputError(
                    "area code of the wrong level",
                    where=where,
                    expected=f"a {lvl} code ({_PREFIX[lvl]} + {_WIDTH[lvl]} characters)",
                    found=raw,
                    hint=level_hint,
                )
            )
            continue
        rubriek = props.get("rubriek")
        if isinstance(rubriek, str) and rubriek.strip().lower() != lvl:
            add(
                InputError(
                    "feature of the wrong level",
                    where=Location(file=file, field=f"features[{i}].properties.rubriek"),
                    expected=f"'{lvl}'",
                    found=rubriek,
                    hint=level_hint,
                )
            )
            continue
        gm = props.get("gmCode")
        if isinstance(gm, str) and gm.strip() and gm.strip().upper() != ac.gemeente:
            add(
                InputError(
                    "gemeente code does not match the area code",
                    where=Location(file=file, field=f"features[{i}].properties.gmCode"),
                    expected=f"'{ac.gemeente}' (from statcode {ac.code})",
                    found=gm,
                )
            )
            continue
        if ac.code in first_at:
            add(
                InputError(
                    "area code occurs twice",
                    where=where,
                    expected=f"one feature per area (first at features[{first_at[ac.code]}])",
                    found=ac.code,
                )
            )
            continue
        first_at[ac.code] = i
        name = props.get("statnaam")
        name = str(name).strip() if name is not None and str(name).strip() else None
        gjson = feat.get("geometry")
        text: str | None
        if gjson is None:
            missing.append(ac.code)
            text = None
        else:
            gwhere = Location(file=file, field=f"features[{i}].geometry")
            try:
                geom = shape(gjson)
            except Exception as exc:  # shapely raises several types on bad input
                add(
                    InputError(
                        "invalid geometry",
                        where=gwhere,
                        expected="a GeoJSON Polygon or MultiPolygon",
                        found=str(exc) or type(exc).__name__,
                    )
                )
                continue
            if not isinstance(geom, (Polygon, MultiPolygon)):
                add(
                    InputError(
                        "geometry is not an area",
                        where=gwhere,
                        expected="a Polygon or MultiPolygon",
                        found=geom.geom_type,
                    )
                )
                continue
            if geom.is_valid:
                text = json.dumps(gjson, separators=(",", ":"))
            else:
                fixed = repair(geom)
                if fixed.is_empty:
                    add(
                        InputError(
                            "geometry has no area left after repair",
                            where=gwhere,
                            expected="a polygon with a positive area",
                            found=shapely.is_valid_reason(geom),
                        )
                    )
                    continue
                repaired.append(ac.code)
                text = json.dumps(mapping(fixed), separators=(",", ":"))
        rows.append(
            {"area_code": ac.code, "level": lvl, "year": yr, "name": name, "geometry": text}
        )
    if errors:
        raise InputErrors(errors, source=file, truncated=truncated)
    frame = pd.DataFrame(
        {
            "area_code": pd.Series([r["area_code"] for r in rows], dtype="str"),
            "level": pd.Series([r["level"] for r in rows], dtype="str"),
            "year": pd.Series([r["year"] for r in rows], dtype="int64"),
            # object columns, so that a missing name or geometry stays None
            "name": pd.Series([r["name"] for r in rows], dtype=object),
            "geometry": pd.Series([r["geometry"] for r in rows], dtype=object),
        },
        columns=_FRAME_COLUMNS,
    )
    frame = frame.sort_values("area_code", kind="stable").reset_index(drop=True)
    return BoundaryTable(
        level=lvl,
        year=yr,
        source=file,
        attribution=ATTRIBUTION.format(year=yr),
        frame=frame,
        repaired=tuple(sorted(repaired)),
        missing_geometry=tuple(sorted(missing)),
    )


def _resolve_level(
    level: str | None, name_level: Level | None, features: list[Any], file: str
) -> Level:
    if level is not None:
        if level not in CBS_LEVELS:
            raise InputError(
                "unknown level for boundaries",
                where="level",
                expected="one of " + ", ".join(CBS_LEVELS),
                found=level,
            )
        return level  # narrowed by the membership test
    if name_level is not None:
        return name_level
    for i, feat in enumerate(features):
        props = feat.get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict):
            continue
        rub = props.get("rubriek")
        if isinstance(rub, str) and rub.strip().lower() in CBS_LEVELS:
            return cast(Level, rub.strip().lower())
        code = props.get("statcode")
        where = Location(file=file, field=f"features[{i}].properties.statcode")
        return parse_code(code, where=where).level
    raise InputError(
        "cannot tell the level of the boundaries",
        where=Location(file=file, field="level"),
        expected="a level in the file name (buurt_2019_...), a rubriek property or level=",
        found="none",
    )


def _resolve_year(year: int | None, name_year: int | None, features: list[Any], file: str) -> int:
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
            raise InputError(
                "invalid year", where="year", expected="a whole year such as 2019", found=year
            )
        if name_year is not None and int(year) != name_year:
            raise InputError(
                "year contradicts the file name",
                where="year",
                expected=f"{name_year} (from the file name {file})",
                found=year,
                hint="rename the file or leave out the year",
            )
        return int(year)
    if name_year is not None:
        return name_year
    for feat in features:
        props = feat.get("properties") if isinstance(feat, dict) else None
        jr = props.get("jrstatcode") if isinstance(props, dict) else None
        if isinstance(jr, str) and re.match(r"^(19|20)\d\d", jr):
            return int(jr[:4])
    raise InputError(
        "cannot tell the year of the boundaries",
        where=Location(file=file, field="year"),
        expected="a year in the file name (buurt_2019_...), a jrstatcode property or year=",
        found="none",
    )


def _shapes_from_frame(frame: pd.DataFrame) -> dict[str, BaseGeometry]:
    """Parse the geometry text of a boundaries frame (repairing where needed)."""
    for col in ("area_code", "geometry"):
        if col not in frame.columns:
            raise InputError(
                "missing column",
                where=Location(file="boundaries", column=col),
                expected="columns area_code and geometry",
                found=list(frame.columns),
            )
    has = frame["geometry"].notna().to_numpy()
    codes = frame.loc[has, "area_code"].astype(str).tolist()
    texts = frame.loc[has, "geometry"].tolist()
    geoms = shapely.from_geojson(np.asarray(texts, dtype=object)) if texts else []
    return {c: repair(g) for c, g in zip(codes, geoms, strict=True)}


def join_boundaries(boundaries: BoundaryTable, areas_frame: pd.DataFrame) -> pd.DataFrame:
    """Join boundaries with area data on the area code, reporting mismatches.

    Parameters
    ----------
    boundaries : BoundaryTable
        Boundaries of one level.
    areas_frame : pandas.DataFrame
        Area data with a code column ``area_code`` or ``code`` (CBS padding is
        stripped). When it has a ``level`` column, only its rows of the
        boundaries' level take part.

    Returns
    -------
    pandas.DataFrame
        An outer join: ``area_code``, ``name``, ``geometry`` from the
        boundaries, then the columns of ``areas_frame`` (a name clash gets the
        suffix ``_areas``), then ``in_boundaries`` and ``in_areas`` (bool).
        Codes with only one of the two flags set are the mismatches: areas
        without boundaries, and boundaries without area data. Sorted by code.

    Raises
    ------
    InputError
        No code column, or a value that is not a CBS code.
    """
    code_col = next((c for c in ("area_code", "code") if c in areas_frame.columns), None)
    if code_col is None:
        raise InputError(
            "missing column",
            where=Location(file="areas", column="area_code"),
            expected="a code column area_code or code",
            found=list(areas_frame.columns),
        )
    right = areas_frame
    if "level" in right.columns:
        right = right[right["level"] == boundaries.level]
    right = right.rename(columns={code_col: "area_code"})
    cache: dict[str, str] = {}
    norm: list[str] = []
    for i, v in enumerate(right["area_code"].tolist()):
        key = str(v)
        if key not in cache:
            cache[key] = parse_code(
                v, where=Location(file="areas", row=i + 1, column=code_col)
            ).code
        norm.append(cache[key])
    right = right.assign(area_code=pd.Series(norm, index=right.index, dtype="str"))
    left = boundaries.frame[["area_code", "name", "geometry"]]
    out = left.merge(
        right, on="area_code", how="outer", suffixes=("", "_areas"), indicator="_merge"
    )
    merge = out["_merge"].astype(str)
    out = out.drop(columns="_merge")
    out["in_boundaries"] = (merge != "right_only").to_numpy()
    out["in_areas"] = (merge != "left_only").to_numpy()
    return out.sort_values("area_code", kind="stable").reset_index(drop=True)


def neighbours(
    boundaries: BoundaryTable | pd.DataFrame,
    *,
    tolerance: float = NEIGHBOUR_TOLERANCE,
) -> dict[str, list[str]]:
    """Queen contiguity: areas that share a boundary or a single point.

    Two areas are neighbours when their (repaired) geometries lie within
    ``tolerance`` of each other (:data:`NEIGHBOUR_TOLERANCE`, about 1 m in
    degrees: see there why this is tolerant enough for the 0.001° rounding of
    the generalised CBS files). Candidate pairs come from a
    :class:`shapely.STRtree`, so the cost grows with n log n, not n².

    Parameters
    ----------
    boundaries : BoundaryTable or pandas.DataFrame
        A table from :func:`read_boundaries`, or a frame with ``area_code``
        and ``geometry`` (GeoJSON text), such as store table ``boundaries``
        of one level and year.
    tolerance : float, default NEIGHBOUR_TOLERANCE
        Touch distance in coordinate units; 0 means exact intersection.

    Returns
    -------
    dict of str to list of str
        For every area with a geometry (areas without one are absent), the
        sorted codes of its neighbours (possibly empty). The relation is
        symmetric and never contains the area itself.
    """
    if isinstance(tolerance, bool) or not (tolerance >= 0 and np.isfinite(tolerance)):
        raise InputError(
            "invalid tolerance",
            where="tolerance",
            expected="a finite number >= 0",
            found=tolerance,
        )
    shapes = (
        boundaries.shapes()
        if isinstance(boundaries, BoundaryTable)
        else _shapes_from_frame(boundaries)
    )
    codes = sorted(shapes)
    geoms = np.asarray([shapes[c] for c in codes], dtype=object)
    result: dict[str, set[str]] = {c: set() for c in codes}
    if len(codes) > 1:
        tree = shapely.STRtree(geoms)
        if tolerance > 0:
            pairs = tree.query(geoms, predicate="dwithin", distance=tolerance)
        else:
            pairs = tree.query(geoms, predicate="intersects")
        for i, j in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            if i != j:
                result[codes[i]].add(codes[j])
                result[codes[j]].add(codes[i])
    return {c: sorted(n) for c, n in result.items()}


def import_geometry(
    store: Store,
    path: str | Path,
    *,
    level: str | None = None,
    year: int | None = None,
    force: bool = False,
) -> ImportResult:
    """Import a boundary file into the store table ``boundaries``.

    One transaction, with provenance and attribution; the rows of an earlier
    import of the same file name are replaced; the same file (SHA-256)
    imported before is skipped unless ``force``.

    Parameters
    ----------
    store : Store
        An initialised store.
    path : str or Path
        The GeoJSON file (see :func:`read_boundaries`).
    level : str, optional
        See :func:`read_boundaries`.
    year : int, optional
        See :func:`read_boundaries`.
    force : bool, default False
        Import even when the same file was imported before.

    Returns
    -------
    ImportResult
    """
    p = Path(path)
    if p.is_file() and not force:
        digest = file_sha256(p)
        if store.already_imported("geometry", digest):
            return ImportResult("geometry", p.name, digest, {}, True)
    table = read_boundaries(p, level=level, year=year)
    frame = table.frame.assign(attribution=table.attribution)
    return store.import_frames(
        kind="geometry",
        source=table.source,
        sha256=file_sha256(p),
        frames={"boundaries": frame},
        replace={"boundaries": {"source": table.source}},
        year=table.year,
        attribution=table.attribution,
        force=force,
    )
