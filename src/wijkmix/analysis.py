"""The *zien* jobs: composition, segregation, concentration and vitality.

Each job reads from the store, calls the pure functions of
:mod:`wijkmix.measures`, stores its result in the ``results`` table with
provenance, and returns an immutable result whose user-visible tables have
passed the disclosure gate (:func:`wijkmix.disclosure.gate`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wijkmix.areas import LEVELS, parse_code
from wijkmix.disclosure import MIN_HOUSEHOLDS, DisclosedTable, gate
from wijkmix.errors import InputError, Location
from wijkmix.measures import segregation as seg
from wijkmix.measures.composition import BY, Composition, composition, composition_from_kwb
from wijkmix.measures.concentration import (
    ConcentrationRule,
    concentration,
    corporation_dominance,
)
from wijkmix.measures.decompose import decompose
from wijkmix.measures.inference import bootstrap
from wijkmix.measures.vitality import BandScore, VitalityRules, vitality
from wijkmix.store import Store

__all__ = [
    "AnalysisResult",
    "ConcentrationReport",
    "SegregationReport",
    "VitalityReport",
    "analyse",
    "concentration_report",
    "register_frame",
    "segregation_report",
    "vitality_report",
]

#: Register levels that can be analysed, finest first.
REGISTER_LEVELS: tuple[str, ...] = ("portiek", "complex", "straat", "buurt", "wijk", "gemeente")

LEVEL_LABELS = {
    "portiek": "portieken",
    "complex": "complexen",
    "straat": "straten",
    "buurt": "buurten",
    "wijk": "wijken",
    "gemeente": "gemeenten",
    "regio": "regio's",
}


def _gm(gemeente: str) -> str:
    return parse_code(gemeente, level="gemeente").code


def _check_level(level: str, allowed: Sequence[str], field: str = "level") -> str:
    if level not in allowed:
        raise InputError(
            "level not available",
            where=field,
            expected="one of " + ", ".join(allowed),
            found=level,
        )
    return level


def register_frame(store: Store, gemeente: str) -> pd.DataFrame:
    """Households of a gemeente joined to their dwellings (one row per household).

    Raises
    ------
    InputError
        If the store holds no registers for the gemeente.
    """
    gm = _gm(gemeente)
    frame = store.query(
        "SELECT h.household_id, h.size, h.type, h.age_head, h.income, h.income_source, "
        "h.vulnerable_care, h.statushouder, h.urgent, d.dwelling_id, d.portiek_code, "
        "d.complex_code, d.straat_code, d.buurt_code, d.wijk_code, d.gemeente_code, "
        "d.owner, d.segment FROM households h JOIN dwellings d USING (dwelling_id) "
        "WHERE d.gemeente_code = ? ORDER BY h.household_id",
        [gm],
    )
    if frame.empty:
        raise InputError(
            "no registers for this gemeente",
            where="gemeente",
            expected="a gemeente whose registers were imported or synthesised "
            "('wijkmix import registers' or 'wijkmix synth')",
            found=gm,
        )
    return frame


def _store_result(
    store: Store,
    *,
    kind: str,
    gemeente: str,
    params: Mapping[str, object],
    rows: pd.DataFrame,
) -> str:
    """Write a result (long frame) and its provenance in one transaction."""
    run_id = uuid.uuid4().hex
    text = json.dumps(dict(params), sort_keys=True, default=str)
    out = rows.copy()
    out["run_id"] = run_id
    out["kind"] = kind
    out["gemeente_code"] = gemeente
    out["params"] = text
    out["created_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    digest = hashlib.sha256(f"{kind}|{gemeente}|{text}|{run_id}".encode()).hexdigest()
    store.import_frames(
        kind=f"result:{kind}",
        source=f"{kind}:{gemeente}",
        sha256=digest,
        frames={"results": out},
        replace={"results": {"kind": kind, "gemeente_code": gemeente}},
        attribution="Berekend met wijkmix",
    )
    return run_id


def _long(
    frame: pd.DataFrame,
    *,
    level: str,
    code: str,
    values: Sequence[str],
    households: str | None,
    category: str | None = None,
) -> pd.DataFrame:
    parts = []
    for v in values:
        parts.append(
            pd.DataFrame(
                {
                    "level": level,
                    "area_code": frame[code].astype(str).to_numpy(),
                    "measure": v,
                    "category": category,
                    "value": pd.to_numeric(frame[v], errors="coerce").astype("float64").to_numpy(),
                    "households": (
                        frame[households].astype("float64").to_numpy()
                        if households is not None
                        else np.nan
                    ),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


# -- composition ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisResult:
    """Composition and diversity per area unit.

    Attributes
    ----------
    table : DisclosedTable
        One row per unit: code, households, share (%) per category, entropy,
        Simpson; units of fewer than 10 households suppressed (register data).
    composition : Composition
        The full result of :func:`wijkmix.measures.composition.composition`.
    source : str
        ``registers`` or ``kwb``.
    run_id : str
        Id of the stored result.
    """

    table: DisclosedTable
    composition: Composition
    source: str
    run_id: str


def analyse(
    store: Store,
    gemeente: str,
    *,
    level: str = "buurt",
    by: str = "tenure",
    source: str = "registers",
) -> AnalysisResult:
    """Composition and diversity of ``by`` per unit of ``level``.

    Parameters
    ----------
    store : Store
    gemeente : str
        Gemeente code.
    level : str
        ``portiek`` … ``gemeente`` for registers; ``buurt`` or ``wijk`` for KWB.
    by : str
        ``tenure``, ``segment``, ``income``, ``income_source``,
        ``vulnerability``, ``household_type`` or ``age_group`` (registers);
        ``tenure``, ``income`` or ``low_income`` (KWB).
    source : {'registers', 'kwb'}
    """
    gm = _gm(gemeente)
    if source == "registers":
        _check_level(level, REGISTER_LEVELS)
        _check_level(by, list(BY), "by")
        frame = register_frame(store, gm)
        comp = composition(frame, level_column=f"{level}_code", by=by, source="registers")
        total = comp.unit
    elif source == "kwb":
        from wijkmix.workflows import kwb_wide

        _check_level(level, ["buurt", "wijk", "gemeente"])
        wide = kwb_wide(store, gm)
        wide = wide[wide["level"] == level]
        comp = composition_from_kwb(wide, by=by)
        total = [c for c in comp.counts.columns if c not in comp.categories][-1]
    else:
        raise InputError(
            "unknown source", where="source", expected="registers or kwb", found=source
        )
    shares = (comp.shares * 100.0).rename(columns=lambda c: f"pct_{c}")
    table = pd.concat(
        [comp.counts[[total]].rename(columns={total: "households"}), shares, comp.diversity],
        axis=1,
    )
    table.index.name = "code"
    table = table.reset_index()
    values = [c for c in table.columns if c != "code"]
    if source == "registers":
        disclosed = gate(table, count="households", values=values)
    else:  # published CBS figures: shown as published
        disclosed = DisclosedTable(
            table, pd.DataFrame(False, index=table.index, columns=values), MIN_HOUSEHOLDS
        )
    rows = _long(disclosed.frame, level=level, code="code", values=values, households="households")
    run_id = _store_result(
        store,
        kind=f"analyse:{source}:{by}:{level}",
        gemeente=gm,
        params={"level": level, "by": by, "source": source},
        rows=rows,
    )
    return AnalysisResult(disclosed, comp, source, run_id)


# -- segregation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SegregationReport:
    """Segregation of ``by`` over the levels of a gemeente.

    Attributes
    ----------
    indices : pandas.DataFrame
        One row per level (finest first): units, households, multigroup
        dissimilarity, Gini, Theil's H, M, normalised exposure, relative
        diversity and, for the first category against the rest, the
        dissimilarity and isolation.
    decomposition : pandas.DataFrame
        The exact decomposition of M and H over the levels: one row per
        component with its share of the total (coarsest first).
    intervals : pandas.DataFrame
        Bootstrap percentile intervals and bias-corrected estimates of M and
        H per level (empty without bootstrap).
    groups : tuple of str
    households : int
    note : str
    """

    indices: pd.DataFrame
    decomposition: pd.DataFrame
    intervals: pd.DataFrame
    groups: tuple[str, ...]
    households: int
    note: str
    run_id: str


def segregation_report(
    store: Store,
    gemeente: str,
    *,
    by: str = "income",
    levels: Sequence[str] = ("portiek", "complex", "buurt", "wijk"),
    n_bootstrap: int = 0,
    seed: int = 20240101,
) -> SegregationReport:
    """Indices per level, the exact decomposition and bootstrap intervals.

    Parameters
    ----------
    store : Store
    gemeente : str
    by : str
        A category of :data:`wijkmix.measures.composition.BY`.
    levels : sequence of str
        Register levels, in any order; sorted finest first.
    n_bootstrap : int
        Number of bootstrap replicates (0 = none).
    seed : int
        Seed of the bootstrap (the same seed gives the same intervals).
    """
    gm = _gm(gemeente)
    _check_level(by, list(BY), "by")
    if not levels:
        raise InputError("no levels", where="levels", expected="at least one level", found="")
    for lv in levels:
        _check_level(lv, REGISTER_LEVELS, "levels")
    lv_sorted = sorted(dict.fromkeys(levels), key=LEVELS.index)
    if n_bootstrap < 0:
        raise InputError(
            "negative bootstrap count", where="bootstrap", expected="0 or more", found=n_bootstrap
        )
    frame = register_frame(store, gm)
    comp = composition(frame, level_column="household_id", by=by, source="registers")
    groups = tuple(comp.categories)
    cat = comp.counts[list(groups)].to_numpy().argmax(axis=1)
    known = comp.counts[list(groups)].to_numpy().sum(axis=1) > 0
    micro = frame.loc[known, [f"{lv}_code" for lv in lv_sorted]].copy()
    micro["group"] = pd.Categorical(np.array(groups, dtype=object)[cat[known]], categories=groups)
    for lv in lv_sorted:
        if micro[f"{lv}_code"].isna().any():
            raise InputError(
                "households without a unit at this level",
                where=Location(file="registers", column=f"{lv}_code"),
                expected=f"every dwelling to have a {lv} code",
                found=f"{int(micro[f'{lv}_code'].isna().sum())} missing",
                hint="leave this level out of --levels",
            )
    if len(micro) < MIN_HOUSEHOLDS:
        raise InputError(
            "too few households to publish segregation indices",
            where="gemeente",
            expected=f"at least {MIN_HOUSEHOLDS} households with a known {by}",
            found=len(micro),
        )
    dec = decompose(
        micro, {lv: f"{lv}_code" for lv in lv_sorted}, group="group", source="registers"
    )
    # the finest count table and the aggregation to every level
    finest = micro[f"{lv_sorted[0]}_code"].astype(str)
    f_codes, f_uniq = pd.factorize(finest)
    g_codes = micro["group"].cat.codes.to_numpy()
    table = np.zeros((len(f_uniq), len(groups)))
    np.add.at(table, (f_codes, g_codes), 1.0)
    aggs = []
    for lv in lv_sorted:
        parent = pd.factorize(
            pd.Series(micro[f"{lv}_code"].astype(str).to_numpy()).groupby(f_codes).first()
        )[0]
        agg = sp.csr_matrix(
            (np.ones(len(parent)), (parent, np.arange(len(parent)))),
            shape=(int(parent.max()) + 1, len(parent)),
        )
        aggs.append(agg)
    rows = []
    focal = 0
    for lv, agg in zip(lv_sorted, aggs, strict=True):
        t = np.asarray(agg @ table)
        two = np.column_stack([t[:, focal], t.sum(axis=1) - t[:, focal]])
        rows.append(
            {
                "level": lv,
                "units": int(t.shape[0]),
                "households": int(t.sum()),
                "D": seg.multigroup_dissimilarity(t),
                "Gini": seg.multigroup_gini(t),
                "H": seg.theil_h(t),
                "M": seg.mutual_information(t),
                "normalised_exposure": seg.normalized_exposure(t),
                "relative_diversity": seg.relative_diversity(t),
                f"D_{groups[focal]}": seg.dissimilarity(two),
                f"isolation_{groups[focal]}": seg.isolation(two),
            }
        )
    indices = pd.DataFrame(rows)
    comps = dec.components[["level", "within", "m", "h", "share", "label"]].copy()
    intervals = pd.DataFrame()
    if n_bootstrap:
        out = []
        m_reps = []
        for lv, agg in zip(lv_sorted, aggs, strict=True):
            for name, fn in (("M", seg.mutual_information), ("H", seg.theil_h)):
                rng = np.random.default_rng(np.random.SeedSequence(seed))

                def f(tab: np.ndarray, agg: sp.csr_matrix = agg, fn=fn) -> float:  # type: ignore[no-untyped-def]
                    return float(fn(np.asarray(agg @ tab)))

                res = bootstrap(f, table, n=n_bootstrap, rng=rng)
                out.append(
                    {
                        "level": lv,
                        "index": name,
                        "estimate": res.estimate,
                        "bias_corrected": res.bias_corrected,
                        "lo": res.ci[0],
                        "hi": res.ci[1],
                        "se": res.se,
                    }
                )
                if name == "M":
                    m_reps.append(np.asarray(res.replicates))
        intervals = pd.DataFrame(out)
        # intervals of the decomposition components from the same replicates
        lo, hi = [], []
        for k in range(len(lv_sorted) - 1, -1, -1):
            coarser = m_reps[k + 1] if k + 1 < len(m_reps) else np.zeros_like(m_reps[k])
            diff = m_reps[k] - coarser
            lo.append(float(np.percentile(diff, 2.5)))
            hi.append(float(np.percentile(diff, 97.5)))
        comps["m_lo"] = lo
        comps["m_hi"] = hi
    note = (
        f"{len(micro):,} huishoudens met bekende {by}; groepen: {', '.join(groups)}. "
        "M en H met natuurlijke logaritme; de delen van de decompositie tellen exact op tot M."
    ).replace(",", ".", 1)
    long = _long(
        indices,
        level="gemeente",
        code="level",
        values=[c for c in indices.columns if c not in ("level",)],
        households=None,
    )
    run_id = _store_result(
        store,
        kind=f"segregatie:{by}",
        gemeente=gm,
        params={"by": by, "levels": lv_sorted, "bootstrap": n_bootstrap, "seed": seed},
        rows=long,
    )
    return SegregationReport(indices, comps, intervals, groups, len(micro), note, run_id)


# -- concentration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcentrationReport:
    """Concentrations of a target group and corporation-dominated buurten."""

    areas: DisclosedTable
    clusters: pd.DataFrame
    reference_pct: float
    threshold_pct: float
    neighbourhood: str
    corporation: pd.DataFrame
    run_id: str


def _neighbours_from_store(store: Store, gm: str, level: str) -> dict[str, list[str]] | None:
    from wijkmix.io.geometry import neighbours

    prefix = {"buurt": "BU", "wijk": "WK"}.get(level)
    if prefix is None:
        return None
    b = store.query(
        "SELECT area_code, level, year, name, geometry FROM boundaries "
        "WHERE level = ? AND area_code LIKE ?",
        [level, prefix + gm[2:] + "%"],
    )
    if b.empty:
        return None
    b = b.drop_duplicates("area_code", keep="last")
    return {k: list(v) for k, v in neighbours(b).items()}


def concentration_report(
    store: Store,
    gemeente: str,
    *,
    level: str = "buurt",
    target: str = "low_income",
    rule: ConcentrationRule | None = None,
) -> ConcentrationReport:
    """Areas with a high share of low-income or vulnerable households, and clusters.

    Neighbours come from imported boundaries when present, otherwise from the
    hierarchy (areas sharing a parent). The KWB indicator of buurten with more
    than two thirds corporation stock is added when KWB data are present.
    """
    gm = _gm(gemeente)
    _check_level(level, REGISTER_LEVELS)
    if target not in ("low_income", "vulnerable"):
        raise InputError(
            "unknown target group",
            where="target",
            expected="low_income or vulnerable",
            found=target,
        )
    frame = register_frame(store, gm)
    if target == "low_income":
        # the CBS low-income line of the registers' year (as the KWB % laag inkomen)
        from wijkmix.params.income import income_params, is_low_income

        years = store.query("SELECT MAX(year) AS y FROM areas WHERE gemeente_code = ?", [gm])["y"]
        year = int(years.iloc[0]) if years.notna().iloc[0] else 2019
        flag = is_low_income(income_params(year), frame["income"], frame["size"])
        frame = frame.assign(laag_inkomen=np.where(flag, "laag inkomen", "geen laag inkomen"))
        var, cat = "laag_inkomen", "laag inkomen"
        cats: list[str] | None = ["laag inkomen", "geen laag inkomen"]
    else:
        var, cat, cats = "vulnerability", "kwetsbaar", None
    comp = composition(
        frame, level_column=f"{level}_code", by=var, categories=cats, source="registers"
    )
    known = comp.counts[list(comp.categories)].sum(axis=1)
    tab = pd.DataFrame(
        {
            "code": comp.counts.index.astype(str),
            "count": comp.counts[cat].to_numpy(),
            "households": known.to_numpy(),
        }
    )
    parents = None
    nb = _neighbours_from_store(store, gm, level)
    if nb is None:
        par_col = {
            "portiek": "complex",
            "complex": "buurt",
            "straat": "buurt",
            "buurt": "wijk",
            "wijk": "gemeente",
            "gemeente": None,
        }[level]
        if par_col is not None:
            pm = frame[[f"{level}_code", f"{par_col}_code"]].drop_duplicates(f"{level}_code")
            parents = dict(
                zip(pm[f"{level}_code"].astype(str), pm[f"{par_col}_code"].astype(str), strict=True)
            )
    res = concentration(
        tab,
        count="count",
        total="households",
        code="code",
        rule=rule,
        neighbours=nb,
        parents=parents,
        source="registers",
    )
    areas = res.areas.copy()
    gated = gate(
        areas,
        count="households",
        values=[
            c
            for c in areas.columns
            if pd.api.types.is_numeric_dtype(areas[c]) and c != "households"
        ]
        + ["households"],
    )
    corp = pd.DataFrame()
    try:
        from wijkmix.workflows import kwb_wide

        wide = kwb_wide(store, gm)
        corp = corporation_dominance(wide[wide["level"].isin(["buurt", "gemeente"])]).table
    except InputError:
        corp = pd.DataFrame()
    rows = _long(
        gated.frame,
        level=level,
        code="code",
        values=[c for c in ("count", "pct", "flagged") if c in gated.frame.columns],
        households="households",
    )
    run_id = _store_result(
        store,
        kind=f"concentratie:{target}:{level}",
        gemeente=gm,
        params={"level": level, "target": target, "rule": repr(rule or ConcentrationRule())},
        rows=rows,
    )
    return ConcentrationReport(
        areas=gated,
        clusters=res.clusters,
        reference_pct=float(res.reference_pct),
        threshold_pct=float(res.threshold_pct),
        neighbourhood=str(res.neighbourhood),
        corporation=corp,
        run_id=run_id,
    )


# -- vitality -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VitalityReport:
    """Vitality scores per area."""

    table: pd.DataFrame
    rules: VitalityRules
    lbm_year: int | None
    run_id: str


def vitality_report(
    store: Store,
    gemeente: str,
    *,
    level: str = "wijk",
    organising: pd.DataFrame | None = None,
    resilience_concept: str = "pct_low_income_households",
    resilience_cuts: tuple[float, float] = (10.0, 20.0),
    flag_at: int = 9,
) -> VitalityReport:
    """Vitality = liveability × organising capacity × resilience per area.

    Liveability from the latest Leefbaarometer class of the area; organising
    capacity from a user table (columns ``code``, ``wijkraad``,
    ``wijkregisseur``; missing → score missing); resilience from a KWB concept
    with two cut points (default % low-income households: < 10 → 1,
    10–20 → 2, ≥ 20 → 3).
    """
    from wijkmix.workflows import kwb_wide

    gm = _gm(gemeente)
    _check_level(level, ["buurt", "wijk", "gemeente"])
    wide = kwb_wide(store, gm)
    wide = wide[wide["level"] == level].reset_index(drop=True)
    if resilience_concept not in wide.columns:
        raise InputError(
            "concept not in the KWB data",
            where="resilience",
            expected="a concept of the imported KWB table (e.g. pct_low_income_households)",
            found=resilience_concept,
        )
    lbm = store.query(
        "SELECT area_code, year, value FROM lbm_scores WHERE indicator = 'class' AND level = ? "
        "ORDER BY year",
        [level],
    )
    lbm = lbm.drop_duplicates("area_code", keep="last").set_index("area_code")
    frame = pd.DataFrame(
        {
            "code": wide["code"],
            "lbm_class": wide["code"].map(lbm["value"]),
            resilience_concept: wide[resilience_concept].astype("float64"),
        }
    )
    org_cols = ("wijkraad", "wijkregisseur")
    if organising is not None:
        missing = [c for c in ("code", *org_cols) if c not in organising.columns]
        if missing:
            raise InputError(
                "missing column",
                where=Location(file="organising", column=missing[0]),
                expected="columns code, wijkraad, wijkregisseur",
                found=list(organising.columns),
            )
        org = organising.set_index(organising["code"].astype(str).str.strip())
        for c in org_cols:
            frame[c] = frame["code"].map(org[c]).astype("boolean")
    else:
        for c in org_cols:
            frame[c] = pd.array([pd.NA] * len(frame), dtype="boolean")
    rules = VitalityRules(
        resilience=BandScore(resilience_concept, resilience_cuts), flag_at=flag_at
    )
    res = vitality(frame, rules, code_column="code", source="KWB en Leefbaarometer")
    table = res.table
    years = lbm["year"].dropna()
    rows = _long(
        table.assign(code=table["code"] if "code" in table.columns else table.index),
        level=level,
        code="code",
        values=[
            c
            for c in table.columns
            if c not in ("code", "missing") and pd.api.types.is_numeric_dtype(table[c])
        ],
        households=None,
    )
    run_id = _store_result(
        store,
        kind=f"vitaliteit:{level}",
        gemeente=gm,
        params={
            "level": level,
            "resilience": resilience_concept,
            "cuts": resilience_cuts,
            "flag_at": flag_at,
        },
        rows=rows,
    )
    return VitalityReport(table, rules, int(years.max()) if len(years) else None, run_id)
