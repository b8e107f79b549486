"""Concentration of vulnerable or low-income households, and clusters of it.

:func:`concentration` flags the areas whose share of a target group (vulnerable
households, low incomes, ...) *exceeds* a threshold, and groups flagged areas
that neighbour each other into clusters: the connected components of the graph
of flagged areas, where two areas are joined when they are neighbours.

Threshold (:class:`ConcentrationRule`): relative to a reference share (default
1.5 times the share over all areas passed, which is the gemeente's share when
one gemeente's areas are passed), absolute (a percentage), or both. With both,
``combine="all"`` (default) asks an area to exceed both, ``"any"`` either one.
Exceeding is strict: an area exactly at the threshold is not flagged. Areas
with fewer than ``min_households`` households (default 10, the disclosure limit
of wijkmix) or a missing count are not assessed and never flagged: a share of
three households says little and could reveal them.

Neighbours: a mapping ``{code: [codes]}`` (for instance from shared boundaries;
it is read as undirected), else the hierarchy: areas with the same parent are
neighbours. Without either, the parents are derived from CBS codes (buurt →
wijk → gemeente).

:func:`corporation_dominance` is the KWB indicator in the style of the
*Veerkracht* studies: buurten where the corporation owns more than two thirds
of the stock, with their share of low-income households and their number of
persons with bijstand **per 1 000 inhabitants**, each against the value of
their gemeente.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from wijkmix.areas import Hierarchy, parse_code
from wijkmix.errors import InputError, Location

__all__ = [
    "LABELS",
    "ConcentrationResult",
    "ConcentrationRule",
    "CorporationDominance",
    "concentration",
    "concentration_from_composition",
    "corporation_dominance",
]

#: Dutch labels of the result columns, for display.
LABELS: dict[str, str] = {
    "code": "Gebied",
    "households": "Huishoudens",
    "count": "Aantal in doelgroep",
    "pct": "Aandeel doelgroep (%)",
    "threshold_pct": "Drempel (%)",
    "assessed": "Beoordeeld",
    "flagged": "Concentratie",
    "cluster": "Cluster",
    "codes": "Gebieden",
    "n_areas": "Aantal gebieden",
    "gemeente_code": "Gemeente",
    "pct_corporation": "Corporatiebezit (%)",
    "pct_low_income": "Laag inkomen (%)",
    "gm_pct_low_income": "Laag inkomen gemeente (%)",
    "excess_low_income": "Verschil laag inkomen (%-punt)",
    "bijstand_per_1000": "Bijstand per 1 000 inwoners",
    "gm_bijstand_per_1000": "Bijstand per 1 000 inwoners gemeente",
    "excess_bijstand": "Verschil bijstand per 1 000 inwoners",
    "reference": "Vergelijking met",
}


@dataclass(frozen=True)
class ConcentrationRule:
    """When an area counts as a concentration.

    Parameters
    ----------
    relative : float or None, default 1.5
        Flag above ``relative`` × the reference percentage.
    absolute_pct : float or None, default None
        Flag above this percentage (0–100).
    combine : {'all', 'any'}, default 'all'
        With both thresholds set: exceed both (``all``) or either (``any``).
    min_households : int, default 10
        Areas with fewer households are not assessed.
    """

    relative: float | None = 1.5
    absolute_pct: float | None = None
    combine: Literal["all", "any"] = "all"
    min_households: int = 10

    def __post_init__(self) -> None:
        if self.relative is None and self.absolute_pct is None:
            raise InputError(
                "no threshold",
                where="rule.relative",
                expected="a relative threshold, an absolute percentage, or both",
                found="neither",
            )
        if self.relative is not None and not (
            isinstance(self.relative, int | float)
            and np.isfinite(self.relative)
            and self.relative > 0
        ):
            raise InputError(
                "invalid relative threshold",
                where="rule.relative",
                expected="a positive number (1.5 = one and a half times the reference share)",
                found=self.relative,
            )
        if self.absolute_pct is not None and not (
            isinstance(self.absolute_pct, int | float) and 0 <= self.absolute_pct < 100
        ):
            raise InputError(
                "invalid absolute threshold",
                where="rule.absolute_pct",
                expected="a percentage from 0 up to 100",
                found=self.absolute_pct,
            )
        if self.combine not in ("all", "any"):
            raise InputError(
                "invalid combination",
                where="rule.combine",
                expected="'all' or 'any'",
                found=self.combine,
            )
        if not isinstance(self.min_households, int) or self.min_households < 0:
            raise InputError(
                "invalid minimum",
                where="rule.min_households",
                expected="a whole number of at least 0",
                found=self.min_households,
            )

    def threshold_pct(self, reference_pct: float) -> float:
        """Return the percentage an area must exceed, given the reference."""
        parts = []
        if self.relative is not None:
            parts.append(self.relative * reference_pct)
        if self.absolute_pct is not None:
            parts.append(float(self.absolute_pct))
        return max(parts) if self.combine == "all" else min(parts)


@dataclass(frozen=True)
class ConcentrationResult:
    """Flagged areas and their clusters.

    Attributes
    ----------
    areas : pandas.DataFrame
        One row per area: ``code, households, count, pct, threshold_pct,
        assessed, flagged, cluster`` (cluster number, missing when not flagged).
    clusters : pandas.DataFrame
        One row per cluster: ``cluster, codes`` (tuple of member codes),
        ``n_areas, households, count, pct``; largest (by households) first and
        numbered in that order. A flagged area without flagged neighbours is a
        cluster of one.
    reference_pct : float
        The reference percentage the relative threshold multiplies.
    threshold_pct : float
        The percentage an area had to exceed.
    rule : ConcentrationRule
    neighbourhood : str
        ``"neighbours"`` (mapping given) or ``"parents"`` (same parent).
    """

    areas: pd.DataFrame
    clusters: pd.DataFrame
    reference_pct: float
    threshold_pct: float
    rule: ConcentrationRule
    neighbourhood: str


def _column(frame: pd.DataFrame, col: str, source: str) -> np.ndarray:
    if col not in frame.columns:
        raise InputError(
            "missing column",
            where=Location(file=source, column=col),
            expected=f"a column {col!r}",
            found=list(frame.columns),
        )
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


def _edges_from_neighbours(
    codes: list[str], flagged: np.ndarray, neighbours: Mapping[str, Iterable[str]]
) -> list[tuple[int, int]]:
    pos = {c: i for i, c in enumerate(codes)}
    edges = []
    for a, others in neighbours.items():
        i = pos.get(str(a))
        if i is None or not flagged[i]:
            continue
        if isinstance(others, str):
            raise InputError(
                "invalid neighbours",
                where=f"neighbours[{a!r}]",
                expected="a list of area codes",
                found=others,
            )
        for b in others:
            j = pos.get(str(b))
            if j is not None and flagged[j] and j != i:
                edges.append((i, j))
    return edges


def _edges_from_parents(
    codes: list[str], flagged: np.ndarray, parents: Mapping[str, str | None]
) -> list[tuple[int, int]]:
    first: dict[str, int] = {}
    edges = []
    for i, c in enumerate(codes):
        if not flagged[i]:
            continue
        if c not in parents:
            raise InputError(
                "area without parent",
                where="parents",
                expected="a parent for every area (or a neighbours mapping)",
                found=c,
            )
        p = parents[c]
        if p is None or (isinstance(p, float) and np.isnan(p)):
            continue
        if p in first:
            edges.append((first[p], i))
        else:
            first[p] = i
    return edges


def _cbs_parents(codes: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for c in codes:
        try:
            out[c] = parse_code(c).parent
        except InputError:
            raise InputError(
                "cannot derive neighbours",
                where="code",
                expected="CBS area codes (BU/WK/GM), or a neighbours or parents mapping",
                found=c,
                hint="pass neighbours={code: [codes]} or parents={code: parent}",
            ) from None
    return out


def concentration(
    frame: pd.DataFrame,
    *,
    count: str,
    total: str = "households",
    code: str = "code",
    rule: ConcentrationRule | None = None,
    reference_pct: float | None = None,
    neighbours: Mapping[str, Iterable[str]] | None = None,
    parents: Mapping[str, str | None] | Hierarchy | None = None,
    source: str = "frame",
) -> ConcentrationResult:
    """Flag areas with a high share of a target group and cluster them.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area.
    count : str
        Column with the number of target households (vulnerable, low income).
    total : str
        Column with the number of households the share is taken of.
    code : str
        Column with the area codes.
    rule : ConcentrationRule, optional
        Default ``ConcentrationRule()``: above 1.5 × the reference share.
    reference_pct : float, optional
        Reference percentage; default ``100 × Σ count / Σ total`` over the
        areas with both known (pass one gemeente's areas, or its share).
    neighbours : mapping, optional
        ``{code: [neighbour codes]}``, read as undirected; codes not in
        ``frame`` are ignored.
    parents : mapping or Hierarchy, optional
        Used when ``neighbours`` is not given: areas with the same parent are
        neighbours. Default: derived from CBS codes.
    source : str
        Name of the input, for error messages.

    Returns
    -------
    ConcentrationResult

    Raises
    ------
    InputError
        If a column is missing, a code occurs twice, a count is negative or
        above its total, or neighbours cannot be derived.

    Examples
    --------
    >>> f = pd.DataFrame({"code": ["a", "b", "c"], "households": [100, 100, 100],
    ...                   "kwetsbaar": [30, 5, 25]})
    >>> r = concentration(f, count="kwetsbaar", neighbours={"a": ["c"]},
    ...                   rule=ConcentrationRule(relative=1.2))
    >>> r.reference_pct, r.threshold_pct
    (20.0, 24.0)
    >>> r.clusters["codes"].tolist()
    [('a', 'c')]
    """
    rule = rule or ConcentrationRule()
    if code not in frame.columns:
        raise InputError(
            "missing column",
            where=Location(file=source, column=code),
            expected=f"a column {code!r} with area codes",
            found=list(frame.columns),
        )
    codes = [str(c).strip() for c in frame[code].tolist()]
    seen: set[str] = set()
    for i, c in enumerate(codes):
        if c in seen:
            raise InputError(
                "area code occurs twice",
                where=Location(file=source, row=i + 1, column=code),
                expected="one row per area",
                found=c,
            )
        seen.add(c)
    n = _column(frame, count, source)
    t = _column(frame, total, source)
    for arr, col in ((n, count), (t, total)):
        if np.any(arr < 0):
            i = int(np.flatnonzero(arr < 0)[0])
            raise InputError(
                "negative number",
                where=Location(file=source, row=i + 1, column=col),
                expected="a count of at least 0",
                found=arr[i],
            )
    over = n > t
    if np.any(over):
        i = int(np.flatnonzero(over)[0])
        raise InputError(
            "count above its total",
            where=Location(file=source, row=i + 1, column=count),
            expected=f"at most {total} ({t[i]})",
            found=n[i],
        )
    known = ~np.isnan(n) & ~np.isnan(t)
    if reference_pct is None:
        denom = t[known].sum()
        if denom <= 0:
            raise InputError(
                "no households to compute a reference share",
                where=total,
                expected="at least one area with households and a known count",
                found=0,
                hint="pass reference_pct",
            )
        reference_pct = 100.0 * n[known].sum() / denom
    elif not (0 <= reference_pct <= 100):
        raise InputError(
            "invalid reference",
            where="reference_pct",
            expected="a percentage 0-100",
            found=reference_pct,
        )
    threshold = rule.threshold_pct(float(reference_pct))
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(known & (t > 0), 100.0 * n / t, np.nan)
    assessed = known & (t >= rule.min_households) & (t > 0)
    flagged = assessed & (pct > threshold)

    if neighbours is not None:
        edges = _edges_from_neighbours(codes, flagged, neighbours)
        mode = "neighbours"
    else:
        if parents is None:
            pmap: Mapping[str, str | None] = _cbs_parents(
                [c for c, f in zip(codes, flagged, strict=True) if f]
            )
        elif isinstance(parents, Hierarchy):
            pmap = parents.parents()
        else:
            pmap = parents
        edges = _edges_from_parents(codes, flagged, pmap)
        mode = "parents"

    idx = np.flatnonzero(flagged)
    local = {int(g): k for k, g in enumerate(idx)}
    cluster_of = np.full(len(codes), -1)
    rows = []
    if len(idx):
        a = np.array([local[i] for i, _ in edges], dtype=np.int64)
        b = np.array([local[j] for _, j in edges], dtype=np.int64)
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(idx), len(idx)))
        _, labels = connected_components(graph, directed=False)
        for lab in np.unique(labels):
            members = idx[labels == lab]
            hh = float(t[members].sum())
            cnt = float(n[members].sum())
            rows.append((tuple(sorted(codes[m] for m in members)), len(members), hh, cnt, members))
        rows.sort(key=lambda r: (-r[2], r[0]))
        for k, r in enumerate(rows, start=1):
            cluster_of[r[4]] = k
    clusters = pd.DataFrame(
        {
            "cluster": np.arange(1, len(rows) + 1, dtype=np.int64),
            "codes": [r[0] for r in rows],
            "n_areas": np.array([r[1] for r in rows], dtype=np.int64),
            "households": np.array([r[2] for r in rows], dtype=float),
            "count": np.array([r[3] for r in rows], dtype=float),
        }
    )
    clusters["pct"] = 100.0 * clusters["count"] / clusters["households"]
    areas = pd.DataFrame(
        {
            "code": codes,
            "households": t,
            "count": n,
            "pct": pct,
            "threshold_pct": threshold,
            "assessed": assessed,
            "flagged": flagged,
            "cluster": pd.array([int(k) if k > 0 else None for k in cluster_of], dtype="Int64"),
        }
    )
    return ConcentrationResult(
        areas=areas,
        clusters=clusters,
        reference_pct=float(reference_pct),
        threshold_pct=float(threshold),
        rule=rule,
        neighbourhood=mode,
    )


def concentration_from_composition(
    comp: object,
    category: str,
    *,
    rule: ConcentrationRule | None = None,
    reference_pct: float | None = None,
    neighbours: Mapping[str, Iterable[str]] | None = None,
    parents: Mapping[str, str | None] | Hierarchy | None = None,
) -> ConcentrationResult:
    """Run :func:`concentration` on a :class:`~wijkmix.measures.composition.Composition`.

    The share is taken of the households (or dwellings) with a *known*
    category: the total minus ``onbekend``.

    Parameters
    ----------
    comp : Composition
        For instance ``composition(..., by="vulnerability")``.
    category : str
        The target category (``kwetsbaar``, ``laag``, ...).
    """
    from wijkmix.measures.composition import UNKNOWN, Composition

    if not isinstance(comp, Composition):
        raise InputError(
            "not a composition", where="comp", expected="a Composition", found=type(comp).__name__
        )
    if category not in comp.categories:
        raise InputError(
            "unknown category",
            where="category",
            expected="one of " + ", ".join(comp.categories),
            found=category,
        )
    c = comp.counts
    frame = pd.DataFrame(
        {
            "code": c.index.astype(str),
            "count": c[category].to_numpy(dtype=float),
            "known": (c[comp.unit] - c[UNKNOWN]).to_numpy(dtype=float),
        }
    )
    return concentration(
        frame,
        count="count",
        total="known",
        rule=rule,
        reference_pct=reference_pct,
        neighbours=neighbours,
        parents=parents,
        source=f"composition by {comp.by}",
    )


@dataclass(frozen=True)
class CorporationDominance:
    """Buurten where corporations own most of the stock.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per buurt above the threshold: ``code, gemeente_code,
        pct_corporation, pct_low_income, gm_pct_low_income, excess_low_income,
        bijstand_per_1000, gm_bijstand_per_1000, excess_bijstand, reference``;
        sorted by the excess named in ``sort_by`` (largest first, missing last).
        Excesses are differences (percentage points; persons per 1 000
        inhabitants). ``reference`` says whether the gemeente's own published
        row (``gemeente``) or its buurten (``buurten``) gave the comparison.
    threshold_pct : float
    sort_by : str
    note : str
        Dutch explanation of the units.
    """

    table: pd.DataFrame
    threshold_pct: float
    sort_by: str
    note: str


_DOMINANCE_NOTE = (
    "Buurten met meer dan {thr:g}% corporatiebezit. Laag inkomen: % van de huishoudens; "
    "bijstand: personen met bijstand per 1 000 inwoners; verschil = buurt min gemeente. "
    "Corporatiebezit is niet hetzelfde als sociale huur."
)


def corporation_dominance(
    wide: pd.DataFrame,
    *,
    threshold_pct: float = 200.0 / 3.0,
    sort_by: Literal["low_income", "bijstand"] = "low_income",
    code_column: str = "code",
    source: str = "KWB",
) -> CorporationDominance:
    """List buurten with a corporation share above a threshold (default 2/3).

    Parameters
    ----------
    wide : pandas.DataFrame
        One row per area (buurten and their gemeente) with a code column and
        the concepts ``pct_corporation``, ``pct_low_income_households``,
        ``bijstand_persons`` and ``inhabitants`` (``households`` too when a
        gemeente row is missing).
    threshold_pct : float, default 66.67
        Buurten with ``pct_corporation`` strictly above it are listed.
    sort_by : {'low_income', 'bijstand'}
        Which excess sorts the table.
    code_column : str
        Column with the CBS codes; level and gemeente follow from the code.

    Returns
    -------
    CorporationDominance

    Notes
    -----
    The gemeente value is the gemeente's own published row. When it is absent
    (or suppressed), it is computed from all its buurten in ``wide``: low
    income weighted by households, bijstand as Σ persons / Σ inhabitants.
    """
    if not (isinstance(threshold_pct, int | float) and 0 <= threshold_pct < 100):
        raise InputError(
            "invalid threshold",
            where="threshold_pct",
            expected="a percentage 0-100",
            found=threshold_pct,
        )
    if sort_by not in ("low_income", "bijstand"):
        raise InputError(
            "invalid sort", where="sort_by", expected="'low_income' or 'bijstand'", found=sort_by
        )
    if code_column not in wide.columns:
        raise InputError(
            "missing column",
            where=Location(file=source, column=code_column),
            expected="a column with CBS codes",
            found=list(wide.columns),
        )
    corp = _column(wide, "pct_corporation", source)
    low = _column(wide, "pct_low_income_households", source)
    bij = _column(wide, "bijstand_persons", source)
    inh = _column(wide, "inhabitants", source)
    hh = (
        _column(wide, "households", source)
        if "households" in wide.columns
        else np.full(len(wide), np.nan)
    )
    codes = [
        parse_code(c, where=Location(file=source, row=i + 1, column=code_column)).code
        for i, c in enumerate(wide[code_column].tolist())
    ]
    level = np.array([c[:2] for c in codes])
    gm = np.array(["GM" + c[2:6] for c in codes])
    with np.errstate(divide="ignore", invalid="ignore"):
        bij_rate = np.where(inh > 0, 1000.0 * bij / inh, np.nan)

    ref: dict[str, tuple[float, float, str]] = {}
    for g in sorted(set(gm[level == "BU"])):
        own = np.flatnonzero((level == "GM") & (gm == g))
        if len(own) and not np.isnan(low[own[0]]) and not np.isnan(bij_rate[own[0]]):
            ref[g] = (float(low[own[0]]), float(bij_rate[own[0]]), "gemeente")
            continue
        bu = (level == "BU") & (gm == g)
        ok_low = bu & ~np.isnan(low) & ~np.isnan(hh)
        ok_bij = bu & ~np.isnan(bij) & ~np.isnan(inh)
        ref_low = (
            float((low[ok_low] * hh[ok_low]).sum() / hh[ok_low].sum())
            if hh[ok_low].sum() > 0
            else np.nan
        )
        ref_bij = (
            float(1000.0 * bij[ok_bij].sum() / inh[ok_bij].sum())
            if inh[ok_bij].sum() > 0
            else np.nan
        )
        ref[g] = (ref_low, ref_bij, "buurten")

    sel = np.flatnonzero((level == "BU") & (corp > threshold_pct))
    gm_low = np.array([ref[gm[i]][0] for i in sel], dtype=float)
    gm_bij = np.array([ref[gm[i]][1] for i in sel], dtype=float)
    table = pd.DataFrame(
        {
            "code": [codes[i] for i in sel],
            "gemeente_code": gm[sel],
            "pct_corporation": corp[sel],
            "pct_low_income": low[sel],
            "gm_pct_low_income": gm_low,
            "excess_low_income": low[sel] - gm_low,
            "bijstand_per_1000": bij_rate[sel],
            "gm_bijstand_per_1000": gm_bij,
            "excess_bijstand": bij_rate[sel] - gm_bij,
            "reference": [ref[gm[i]][2] for i in sel],
        }
    )
    key = "excess_low_income" if sort_by == "low_income" else "excess_bijstand"
    other = "excess_bijstand" if sort_by == "low_income" else "excess_low_income"
    table = table.sort_values(
        [key, other, "code"], ascending=[False, False, True], na_position="last", kind="stable"
    ).reset_index(drop=True)
    return CorporationDominance(
        table=table,
        threshold_pct=float(threshold_pct),
        sort_by=sort_by,
        note=_DOMINANCE_NOTE.format(thr=round(threshold_pct, 1)),
    )
