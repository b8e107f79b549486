r"""Exact decompositions of the mutual information index M.

Hierarchical decomposition
--------------------------
For a population classified by a group variable :math:`G` (for example five
income groups) and nested areas :math:`U_1 \subset U_2 \subset \dots \subset
U_K` (for example portiek, complex, buurt, wijk; finest first), the mutual
information index at the finest level decomposes exactly (natural logarithm):

.. math::

    M(U_1) = M(U_K) + \sum_{k=1}^{K-1} \sum_{v \in U_{k+1}} p_v\, M_v ,

where :math:`M_v` is the M index among the children of unit :math:`v` (its
units at level :math:`k`), computed with :math:`v`'s own group distribution,
and :math:`p_v` is :math:`v`'s population share. This is the chain rule of
mutual information, :math:`I(G;U_k) = I(G;U_{k+1}) + I(G;U_k \mid U_{k+1})`,
because a unit determines its parent. Theil's information theory index is
:math:`H = M / E` with :math:`E = -\sum_g p_g \log p_g`, so it decomposes in
the same proportions.

Local segregation scores (Elbers 2023) are
:math:`ls_u = \sum_g p(g\mid u) \log\bigl(p(g\mid u)/p(g)\bigr)` with
:math:`M = \sum_u p_u\, ls_u` at every level. The score of a unit *relative
to its parent*, :math:`\sum_g p(g\mid u) \log\bigl(p(g\mid u)/p(g\mid
v)\bigr)`, weighted by :math:`p_u`, is the unit's contribution to the
component of its level.

Change over time
----------------
:func:`decompose_change` splits :math:`M_2 - M_1` into the parts due to
changed group sizes, changed unit sizes and a changed association between
units and groups (the Shapley decomposition based on iterative proportional
fitting, Elbers 2023), plus the parts due to units and groups that exist in
one year only. It follows ``mutual_difference(method = "shapley")`` of the R
package *segregation* (Elbers).

References
----------
B. Elbers. 2023. "A Method for Studying Differences in Segregation Across
Time and Space." *Sociological Methods & Research* 52(1): 5-42.

H. Theil and A. J. Finizza. 1971. "A Note on the Measurement of Racial
Integration of Schools by Means of Informational Concepts." *Journal of
Mathematical Sociology* 1: 187-193.

J. Deutsch, Y. Flückiger and J. Silber. 2009. "Analyzing Changes in
Occupational Segregation: The Case of Switzerland (1970-2000)." *Research on
Economic Inequality* 17: 171-202.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

from wijkmix.areas import LEVELS, parent_code
from wijkmix.errors import InputError, Location
from wijkmix.measures._counts import as_count_table

__all__ = [
    "ChangeDecomposition",
    "Decomposition",
    "decompose",
    "decompose_change",
    "decompose_from_shares",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# Dutch plurals of the standard levels, for labels users read.
_PLURAL: dict[str, str] = {
    "adres": "adressen",
    "portiek": "portieken",
    "complex": "complexen",
    "straat": "straten",
    "buurt": "buurten",
    "wijk": "wijken",
    "gemeente": "gemeenten",
    "regio": "regio's",
}

# The CBS levels whose codes determine their parent's code.
_CBS_PARENT_OF = {"buurt": "wijk", "wijk": "gemeente"}


def _plural(level: str) -> str:
    return _PLURAL.get(level, level)


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Decomposition:
    """The exact hierarchical decomposition of M and H.

    Attributes
    ----------
    levels : tuple of str
        Level names, finest first.
    columns : tuple of str
        The data column of each level.
    groups : tuple
        The group labels, in the order of the count tables.
    n : float
        Total (weighted) population.
    m : float
        M (natural log) at the finest level.
    h : float
        Theil's H = M / E at the finest level.
    entropy : float
        E, the entropy of the overall group distribution.
    components : pandas.DataFrame
        One row per level, coarsest first. Columns: ``level``; ``within``
        (the parent level, missing at the top); ``m`` and ``h`` (the
        component: between units of ``level`` inside units of ``within``);
        ``share`` (component / total M, a fraction); ``m_level`` (M computed
        with the units of ``level``, the cumulative sum of the components from
        the top down to this level); ``label`` (Dutch description). The ``m``
        column adds up to :attr:`m`.
    units : Mapping[str, pandas.DataFrame]
        Per level, one row per unit in order of first appearance in the data,
        with columns ``code``; ``parent`` (missing at the top); ``n``;
        ``share`` (p_u); ``ls`` (local segregation score against the overall
        group distribution, so that ``(share * ls).sum()`` is M at that
        level); ``ls_parent`` (the score against the parent's group
        distribution; equal to ``ls`` at the top level); ``contribution``
        (``share * ls_parent``: the unit's part of its level's component);
        ``m_within`` (M among the unit's children, missing at the finest
        level) and ``within_contribution`` (``share * m_within``: its part of
        the component of the level below). Units without population have
        missing scores and zero contributions.
    estimated : bool
        True when the counts were estimated (from published shares).
    note : str
        A note for users (Dutch), for example why the counts are estimates.
    """

    levels: tuple[str, ...]
    columns: tuple[str, ...]
    groups: tuple[object, ...]
    n: float
    m: float
    h: float
    entropy: float
    components: pd.DataFrame = field(repr=False)
    units: Mapping[str, pd.DataFrame] = field(repr=False)
    estimated: bool = False
    note: str = ""
    _counts: tuple[FloatArray, ...] = field(default=(), repr=False)

    def _rank(self, level: str) -> int:
        try:
            return self.levels.index(level)
        except ValueError:
            raise InputError(
                "unknown level",
                where="level",
                expected="one of " + ", ".join(self.levels),
                found=level,
            ) from None

    def component(self, level: str) -> float:
        """Return the M component of ``level``: between its units inside their parents."""
        self._rank(level)
        row = self.components.loc[self.components["level"] == level]
        return float(row["m"].iloc[0])

    def m_at(self, level: str) -> float:
        """M computed with the units of ``level`` (between-unit segregation)."""
        self._rank(level)
        row = self.components.loc[self.components["level"] == level]
        return float(row["m_level"].iloc[0])

    def share_within(self, level: str) -> float:
        """Fraction of total M that lies inside the units of ``level``.

        That is segregation between finer units within the same unit of
        ``level`` ("homogeneous blocks in heterogeneous neighbourhoods"):
        ``(M - M_level) / M``. 0 at the finest level; NaN when M is 0.
        """
        if self.m == 0:
            return math.nan
        return (self.m - self.m_at(level)) / self.m

    def counts(self, level: str) -> pd.DataFrame:
        """Return the unit × group count table of ``level`` (index: unit codes)."""
        k = self._rank(level)
        codes = self.units[level]["code"]
        return pd.DataFrame(
            self._counts[k].copy(),
            index=pd.Index(codes.to_numpy(), name=self.levels[k]),
            columns=pd.Index(list(self.groups), name="groep"),
        )

    def to_frame(self, *, units: bool = False) -> pd.DataFrame:
        """Return a table for users (Dutch column names).

        Parameters
        ----------
        units : bool, default False
            False: one row per level (coarsest first) and a ``totaal`` row
            with columns ``niveau``, ``binnen``, ``omschrijving``, ``M``,
            ``H``, ``aandeel``. True: one row per unit over all levels, with
            columns ``niveau``, ``code``, ``bovenliggend``, ``aantal``,
            ``aandeel``, ``lokale_score``, ``lokale_score_in_bovenliggend``,
            ``bijdrage``, ``M_binnen``, ``bijdrage_binnen``.
        """
        if units:
            parts = []
            for level in reversed(self.levels):
                u = self.units[level]
                parts.append(
                    pd.DataFrame(
                        {
                            "niveau": level,
                            "code": u["code"].to_numpy(),
                            "bovenliggend": u["parent"].to_numpy(),
                            "aantal": u["n"].to_numpy(),
                            "aandeel": u["share"].to_numpy(),
                            "lokale_score": u["ls"].to_numpy(),
                            "lokale_score_in_bovenliggend": u["ls_parent"].to_numpy(),
                            "bijdrage": u["contribution"].to_numpy(),
                            "M_binnen": u["m_within"].to_numpy(),
                            "bijdrage_binnen": u["within_contribution"].to_numpy(),
                        }
                    )
                )
            return pd.concat(parts, ignore_index=True)
        c = self.components
        out = pd.DataFrame(
            {
                "niveau": c["level"].to_numpy(dtype=object),
                "binnen": pd.Series(c["within"].to_numpy(dtype=object), dtype=object),
                "omschrijving": c["label"].to_numpy(dtype=object),
                "M": c["m"].to_numpy(),
                "H": c["h"].to_numpy(),
                "aandeel": c["share"].to_numpy(),
            }
        )
        total = pd.DataFrame(
            {
                "niveau": ["totaal"],
                "binnen": pd.Series([None], dtype=object),
                "omschrijving": [f"totaal tussen {_plural(self.levels[0])}"],
                "M": [self.m],
                "H": [self.h],
                "aandeel": [1.0 if self.m > 0 else math.nan],
            }
        )
        return pd.concat([out, total], ignore_index=True)


@dataclass(frozen=True, eq=False)
class ChangeDecomposition:
    """The Shapley decomposition of the difference ``M2 - M1``.

    ``difference = additions + removals + group_marginal + unit_marginal +
    structural`` holds exactly (up to floating-point rounding), whatever the
    IPF precision.

    Attributes
    ----------
    m_before, m_after : float
        M of the first and the second table (all units and groups).
    difference : float
        ``m_after - m_before``.
    additions : float
        Change in M caused by units and groups present only in the second
        table: ``m_after`` minus M of the second table restricted to the
        common units and groups.
    removals : float
        Change caused by units and groups present only in the first table:
        M of the restricted first table minus ``m_before``.
    group_marginal : float
        Contribution of changed group sizes.
    unit_marginal : float
        Contribution of changed unit sizes.
    structural : float
        Contribution of the changed association between units and groups
        once both margins are held fixed.
    units : pandas.DataFrame
        Per common unit (column ``unit``) the structural change detail:
        ``p1``, ``p2`` (unit shares in the restricted tables), ``ls_diff1``,
        ``ls_diff2`` (changes in the local score in the two orders),
        ``ls_diff_mean`` and ``total = .5 * p1 * ls_diff1 + .5 * p2 *
        ls_diff2``; ``total`` sums to ``structural`` up to the IPF precision.
    units_added, units_removed, groups_added, groups_removed : tuple
        Labels outside the common support.
    n_units, n_groups : int
        Size of the common support.
    iterations : int
        The largest number of IPF iterations used.
    """

    m_before: float
    m_after: float
    difference: float
    additions: float
    removals: float
    group_marginal: float
    unit_marginal: float
    structural: float
    units: pd.DataFrame = field(repr=False)
    units_added: tuple[object, ...] = field(repr=False)
    units_removed: tuple[object, ...] = field(repr=False)
    groups_added: tuple[object, ...] = field(repr=False)
    groups_removed: tuple[object, ...] = field(repr=False)
    n_units: int
    n_groups: int
    iterations: int

    @property
    def marginal(self) -> float:
        """Total marginal part: ``group_marginal + unit_marginal``."""
        return self.group_marginal + self.unit_marginal

    def to_frame(self) -> pd.DataFrame:
        """Return a table for users: ``stat`` (the R package's names), ``onderdeel``, ``M``."""
        rows = [
            ("M1", "M in het eerste jaar", self.m_before),
            ("M2", "M in het tweede jaar", self.m_after),
            ("diff", "verschil M2 - M1", self.difference),
            (
                "additions",
                "door eenheden en groepen die alleen in jaar 2 voorkomen",
                self.additions,
            ),
            ("removals", "door eenheden en groepen die alleen in jaar 1 voorkomen", self.removals),
            ("group_marginal", "door veranderde groepsgrootten", self.group_marginal),
            ("unit_marginal", "door veranderde grootte van de eenheden", self.unit_marginal),
            ("structural", "structureel: veranderde samenhang eenheid-groep", self.structural),
        ]
        return pd.DataFrame(rows, columns=["stat", "onderdeel", "M"])


# ---------------------------------------------------------------------------
# count-table validation (shared with the other measures)
# ---------------------------------------------------------------------------


def _as_counts(counts: pd.DataFrame, *, name: str) -> FloatArray:
    return np.asarray(as_count_table(counts, name=name), dtype=np.float64)


# ---------------------------------------------------------------------------
# numerics
# ---------------------------------------------------------------------------


def _kl_rows(p: FloatArray, q: FloatArray) -> FloatArray:
    """Row sums of ``p * log(p / q)`` with ``0 log 0 = 0`` (q broadcast)."""
    pos = p > 0
    ratio = np.divide(p, q, out=np.ones_like(p), where=pos)
    terms = np.log(ratio, out=np.zeros_like(p), where=pos)
    terms *= np.where(pos, p, 0.0)
    return np.asarray(terms.sum(axis=1), dtype=np.float64)


def _conditional(table: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Row totals and row proportions (rows of empty units are zero)."""
    n_u = table.sum(axis=1)
    cond = np.divide(table, n_u[:, None], out=np.zeros_like(table), where=n_u[:, None] > 0)
    return n_u, cond


def _local(table: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return unit shares and local segregation scores of a units × groups table."""
    total = table.sum()
    n_u, cond = _conditional(table)
    p_g = table.sum(axis=0) / total
    ls = _kl_rows(cond, p_g[None, :])
    ls[n_u <= 0] = math.nan
    return n_u / total, ls


def _m(table: FloatArray) -> float:
    """M (natural log) of a units × groups table."""
    p_u, ls = _local(table)
    return float(np.sum(np.where(p_u > 0, p_u * np.nan_to_num(ls), 0.0)))


def _entropy(p: FloatArray) -> float:
    pos = p > 0
    return float(-np.sum(p[pos] * np.log(p[pos])))


# ---------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------


def _factorize(values: pd.Series, *, column: str, source: str) -> tuple[IntArray, np.ndarray]:
    """Integer codes (0..k-1) and labels of a column; missing values are an error."""
    if pd.api.types.is_integer_dtype(values.dtype) and isinstance(values.dtype, np.dtype):
        a = values.to_numpy()
        if len(a) and a.min() >= 0 and a.max() < 4 * len(a) + 1024:
            present = np.zeros(int(a.max()) + 1, dtype=bool)
            present[a] = True
            labels = np.flatnonzero(present)
            lookup = np.cumsum(present, dtype=np.intp) - 1
            return lookup[a], labels
    codes, uniques = pd.factorize(values)
    codes = np.asarray(codes, dtype=np.intp)
    if len(codes) and codes.min() < 0:
        r = int(np.flatnonzero(codes < 0)[0])
        raise InputError(
            "missing value",
            where=Location(file=source, row=r + 1, column=column),
            expected="a code for every row",
            found="nothing",
        )
    return codes, np.asarray(uniques, dtype=object)


def _resolve_levels(
    frame: pd.DataFrame,
    levels: Sequence[str] | Mapping[str, str],
    *,
    source: str,
    derivable: bool = False,
) -> tuple[list[str], list[str | None]]:
    """Level names (finest first) and their columns (None: derive from CBS codes)."""
    if isinstance(levels, Mapping):
        names = [str(k) for k in levels]
        wanted: list[str | None] = [str(v) for v in levels.values()]
    elif isinstance(levels, str):
        names, wanted = [levels], [None]
    else:
        names = [str(x) for x in levels]
        wanted = [None] * len(names)
    if not names:
        raise InputError(
            "no levels",
            where="levels",
            expected="at least one level, finest first",
            found="nothing",
        )
    dup = [x for x in names if names.count(x) > 1]
    if dup:
        raise InputError(
            "level named twice",
            where="levels",
            expected="each level once, finest first",
            found=dup[0],
        )
    if all(x in LEVELS for x in names):
        ranks = [LEVELS.index(x) for x in names]
        if ranks != sorted(ranks):
            raise InputError(
                "levels out of order",
                where="levels",
                expected="levels from finest to coarsest (" + ", ".join(LEVELS) + ")",
                found=", ".join(names),
            )
    columns: list[str | None] = []
    for k, (name, col) in enumerate(zip(names, wanted, strict=True)):
        if col is None:
            if name in frame.columns:
                col = name
            elif f"{name}_code" in frame.columns:
                col = f"{name}_code"
        if col is not None and col in frame.columns:
            columns.append(col)
            continue
        finer = names[k - 1] if k else None
        if derivable and finer is not None and _CBS_PARENT_OF.get(finer) == name:
            columns.append(None)
            continue
        raise InputError(
            "missing column",
            where=Location(file=source, column=col or f"{name}_code"),
            expected=f"a column with the {name} code of every row"
            + ("" if col else f" (named '{name}' or '{name}_code')"),
            found=", ".join(str(c) for c in frame.columns),
        )
    return names, columns


def _weights(frame: pd.DataFrame, column: str, *, source: str) -> FloatArray:
    if column not in frame.columns:
        raise InputError(
            "missing column",
            where=Location(file=source, column=column),
            expected="a column with non-negative weights",
            found=", ".join(str(c) for c in frame.columns),
        )
    try:
        w = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise InputError(
            "not numeric",
            where=Location(file=source, column=column),
            expected="non-negative numbers",
            found=str(frame[column].dtype),
        ) from None
    bad = ~(w >= 0) | ~np.isfinite(w)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise InputError(
            "invalid weight",
            where=Location(file=source, row=r + 1, column=column),
            expected="a finite non-negative number",
            found=float(w[r]),
        )
    return w


def _nesting(
    codes: list[IntArray],
    labels: list[np.ndarray],
    names: list[str],
    columns: list[str],
    *,
    source: str,
) -> list[IntArray]:
    """Parent index of every unit, per level; InputError when nesting fails."""
    parents: list[IntArray] = []
    for k in range(1, len(codes)):
        child, par = codes[k - 1], codes[k]
        mapping = np.empty(len(labels[k - 1]), dtype=np.intp)
        mapping[child] = par
        if not np.array_equal(mapping[child], par):
            r = int(np.flatnonzero(mapping[child] != par)[0])
            unit = labels[k - 1][child[r]]
            a = labels[k][mapping[child[r]]]
            b = labels[k][par[r]]
            raise InputError(
                f"areas not nested: a {names[k - 1]} lies in two units of level {names[k]}",
                where=Location(file=source, row=r + 1, column=columns[k]),
                expected=f"every {names[k - 1]} in exactly one {names[k]}",
                found=f"{names[k - 1]} {unit!r} in {names[k]} {a!r} and {b!r}",
                hint="codes of a level must be unique over the whole data; "
                "combine a local number with the code of its parent",
            )
        parents.append(mapping)
    return parents


def _aggregate(table: FloatArray, parent: IntArray, n_parents: int) -> FloatArray:
    g = table.shape[1]
    keys = (parent[:, None] * g + np.arange(g)[None, :]).ravel()
    out = np.bincount(keys, weights=table.ravel(), minlength=n_parents * g)
    return np.asarray(out, dtype=np.float64).reshape(n_parents, g)


# ---------------------------------------------------------------------------
# the decomposition engine
# ---------------------------------------------------------------------------


def _build(
    names: list[str],
    columns: list[str],
    labels: list[np.ndarray],
    parents: list[IntArray],
    finest: FloatArray,
    groups: tuple[object, ...],
    *,
    estimated: bool = False,
    note: str = "",
) -> Decomposition:
    n_levels = len(names)
    tables = [finest]
    for k in range(n_levels - 1):
        tables.append(_aggregate(tables[k], parents[k], len(labels[k + 1])))
    total = float(finest.sum())
    group_totals = finest.sum(axis=0)
    if total <= 0 or int(np.count_nonzero(group_totals > 0)) < 2:
        raise InputError(
            "no segregation to measure",
            where="group",
            expected="at least two groups with a positive count",
            found=f"{int(np.count_nonzero(group_totals > 0))} group(s), total {total:g}",
        )
    p_g = group_totals / total
    entropy = _entropy(p_g)

    # ls_u = sum_g c log c - sum_g c log q, with c = p(g|u) and q = p(g) or
    # p(g|parent); computed with matrix products (c log c once per level)
    log_pg = np.log(np.where(p_g > 0, p_g, 1.0))
    shares: list[FloatArray] = [np.empty(0)] * n_levels
    ls: list[FloatArray] = [np.empty(0)] * n_levels
    ls_parent: list[FloatArray] = [np.empty(0)] * n_levels
    log_cond_parent = np.empty((0, 0))
    for k in reversed(range(n_levels)):
        n_u = tables[k].sum(axis=1)
        empty = n_u <= 0
        cond = tables[k] / np.where(empty, 1.0, n_u)[:, None]
        log_cond = np.log(np.where(cond > 0, cond, 1.0))
        neg_entropy = np.einsum("ij,ij->i", cond, log_cond)
        s = neg_entropy - cond @ log_pg
        if k == n_levels - 1:
            sp = s.copy()
        else:
            sp = neg_entropy - np.einsum("ij,ij->i", cond, log_cond_parent[parents[k]])
        s[empty] = math.nan
        sp[empty] = math.nan
        shares[k], ls[k], ls_parent[k] = n_u / total, s, sp
        log_cond_parent = log_cond

    contributions = [
        np.where(shares[k] > 0, shares[k] * ls_parent[k], 0.0) for k in range(n_levels)
    ]
    component = [float(c.sum()) for c in contributions]
    m_level = [
        float(np.where(shares[k] > 0, shares[k] * ls[k], 0.0).sum()) for k in range(n_levels)
    ]
    m_total = float(sum(component))

    unit_frames: dict[str, pd.DataFrame] = {}
    for k in range(n_levels):
        if k > 0:
            within_contribution = np.bincount(
                parents[k - 1], weights=contributions[k - 1], minlength=len(labels[k])
            )
            m_within = np.divide(
                within_contribution,
                shares[k],
                out=np.full_like(within_contribution, math.nan),
                where=shares[k] > 0,
            )
        else:
            within_contribution = np.full(len(labels[0]), math.nan)
            m_within = within_contribution.copy()
        if k < n_levels - 1:
            parent_labels = pd.Series(labels[k + 1][parents[k]])
        else:
            parent_labels = pd.Series([None] * len(labels[k]), dtype=object)
        unit_frames[names[k]] = pd.DataFrame(
            {
                "code": pd.Series(labels[k]),
                "parent": parent_labels,
                "n": tables[k].sum(axis=1),
                "share": shares[k],
                "ls": ls[k],
                "ls_parent": ls_parent[k],
                "contribution": contributions[k],
                "m_within": m_within,
                "within_contribution": within_contribution,
            }
        )

    rows = []
    for k in reversed(range(n_levels)):
        within = names[k + 1] if k < n_levels - 1 else None
        label = f"tussen {_plural(names[k])}"
        if within is not None:
            label += f" binnen {_plural(within)}"
        rows.append(
            {
                "level": names[k],
                "within": within,
                "m": component[k],
                "h": component[k] / entropy,
                "share": component[k] / m_total if m_total > 0 else math.nan,
                "m_level": m_level[k],
                "label": label,
            }
        )
    components = pd.DataFrame(rows)
    components["within"] = pd.Series([r["within"] for r in rows], dtype=object)

    frozen_tables = []
    for t in tables:
        t.flags.writeable = False
        frozen_tables.append(t)
    return Decomposition(
        levels=tuple(names),
        columns=tuple(columns),
        groups=groups,
        n=total,
        m=m_total,
        h=m_total / entropy,
        entropy=entropy,
        components=components,
        units=MappingProxyType(unit_frames),
        estimated=estimated,
        note=note,
        _counts=tuple(frozen_tables),
    )


def _level_codes(
    frame: pd.DataFrame, names: list[str], columns: list[str], *, source: str
) -> tuple[list[IntArray], list[np.ndarray], list[IntArray]]:
    codes: list[IntArray] = []
    labels: list[np.ndarray] = []
    for col in columns:
        c, lab = _factorize(frame[col], column=col, source=source)
        codes.append(c)
        labels.append(lab)
    parents = _nesting(codes, labels, names, columns, source=source)
    return codes, labels, parents


def _group_columns(
    frame: pd.DataFrame, group_columns: Sequence[str] | Mapping[str, str], *, source: str
) -> tuple[tuple[object, ...], list[str]]:
    if isinstance(group_columns, Mapping):
        labels: tuple[object, ...] = tuple(group_columns.keys())
        cols = [str(v) for v in group_columns.values()]
    else:
        cols = [str(c) for c in group_columns]
        labels = tuple(cols)
    if len(cols) < 2:
        raise InputError(
            "too few groups",
            where="group_columns",
            expected="at least two group columns",
            found=len(cols),
        )
    for c in cols:
        if c not in frame.columns:
            raise InputError(
                "missing column",
                where=Location(file=source, column=c),
                expected="a count (or share) column per group",
                found=", ".join(str(x) for x in frame.columns),
            )
    return labels, cols


def decompose(
    data: pd.DataFrame,
    levels: Sequence[str] | Mapping[str, str],
    *,
    group: str | None = None,
    weight: str | None = None,
    group_columns: Sequence[str] | Mapping[str, str] | None = None,
    source: str = "data",
) -> Decomposition:
    """Decompose M and H exactly over a hierarchy of nested areas.

    Parameters
    ----------
    data : pandas.DataFrame
        Either microdata (one row per household or dwelling, with a ``group``
        column and optional ``weight``), a long count table (the level
        columns, ``group``, and the count as ``weight``), or a wide count
        table (the level columns and one count column per group, named by
        ``group_columns``). Rows of the same finest unit are added up.
    levels : sequence of str or mapping of str to str
        Level names, finest first (``["portiek", "complex", "buurt",
        "wijk"]``). A name is looked up as a column, then as ``<name>_code``;
        a mapping gives the column of each level explicitly. Known levels
        (:data:`wijkmix.areas.LEVELS`) must be in order.
    group : str, optional
        The group column (categorical or text); for microdata and long
        tables. Categories keep their order; other values are sorted.
    weight : str, optional
        Non-negative weights or counts per row (default 1 per row).
    group_columns : sequence of str or mapping of label to column, optional
        For a wide count table: the count column of each group.
    source : str, default "data"
        Name of the data for error messages.

    Returns
    -------
    Decomposition

    Raises
    ------
    InputError
        A missing column or value, a negative weight, fewer than two groups,
        or a unit that lies in two units of the next level (the message names
        the level and the code).

    Notes
    -----
    Every level column is turned into integer codes once (non-negative
    integer codes in a direct lookup, other values with
    :func:`pandas.factorize`), the finest unit × group table is one
    :func:`numpy.bincount` over all rows, and each coarser table is summed
    from the finer one; the rows are never grouped again per level.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "buurt": ["b1", "b1", "b2", "b2", "b3", "b3"],
    ...     "wijk": ["w1", "w1", "w1", "w1", "w2", "w2"],
    ...     "inkomen": ["laag", "laag", "laag", "hoog", "hoog", "hoog"],
    ... })
    >>> d = decompose(df, ["buurt", "wijk"], group="inkomen")
    >>> round(d.m, 6), round(d.component("wijk") + d.component("buurt"), 6)
    (0.462098, 0.462098)
    """
    if (group is None) == (group_columns is None):
        raise InputError(
            "group not given",
            where="group",
            expected="either group (microdata or long counts) or group_columns (wide counts)",
            found="both" if group is not None else "neither",
        )
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            "not a data frame",
            where="data",
            expected="a pandas DataFrame",
            found=type(data).__name__,
        )
    names, maybe_columns = _resolve_levels(data, levels, source=source)
    columns = [c for c in maybe_columns if c is not None]
    if len(data) == 0:
        raise InputError("no rows", where=Location(file=source), expected="data", found="0 rows")
    codes, labels, parents = _level_codes(data, names, columns, source=source)
    k0 = len(labels[0])
    if group is not None:
        if group not in data.columns:
            raise InputError(
                "missing column",
                where=Location(file=source, column=group),
                expected="the group column",
                found=", ".join(str(c) for c in data.columns),
            )
        g_codes, g_labels = pd.factorize(data[group], sort=True)
        g_codes = np.asarray(g_codes, dtype=np.intp)
        if len(g_codes) and g_codes.min() < 0:
            r = int(np.flatnonzero(g_codes < 0)[0])
            raise InputError(
                "missing value",
                where=Location(file=source, row=r + 1, column=group),
                expected="a group for every row",
                found="nothing",
            )
        n_groups = len(g_labels)
        w = _weights(data, weight, source=source) if weight is not None else None
        keys = codes[0] * n_groups + g_codes
        finest = np.bincount(keys, weights=w, minlength=k0 * n_groups).astype(np.float64)
        finest = finest.reshape(k0, n_groups)
        group_labels = tuple(np.asarray(g_labels, dtype=object).tolist())
    else:
        assert group_columns is not None
        if weight is not None:
            raise InputError(
                "weight with a wide count table",
                where="weight",
                expected="no weight: the group columns hold the counts",
                found=weight,
            )
        group_labels, cols = _group_columns(data, group_columns, source=source)
        values = np.empty((len(data), len(cols)), dtype=np.float64)
        for j, c in enumerate(cols):
            values[:, j] = _weights(data, c, source=source)
        finest = np.empty((k0, len(cols)), dtype=np.float64)
        for j in range(len(cols)):
            finest[:, j] = np.bincount(codes[0], weights=values[:, j], minlength=k0)
    return _build(names, columns, labels, parents, finest, group_labels)


def decompose_from_shares(
    frame: pd.DataFrame,
    levels: Sequence[str] | Mapping[str, str],
    share_columns: Sequence[str] | Mapping[str, str],
    denominator: str,
    *,
    remainder: str | None = None,
    source: str = "kwb",
) -> Decomposition:
    """Decompose M over areas described by published percentages (KWB).

    Counts are estimated as ``share / 100 * denominator`` per row (for
    example the tenure shares ``p_koopw``, ``p_wcorpw``, ``p_ov_hw`` times the
    number of dwellings ``a_woning``). The result has ``estimated=True`` and a
    note: CBS rounds the percentages and suppresses small areas, so M is an
    estimate.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area of the finest level (typically buurten).
    levels : sequence of str or mapping of str to str
        As in :func:`decompose`. For CBS levels a missing ``wijk`` or
        ``gemeente`` column is derived from the finer CBS code
        (``BU03630000`` → ``WK036300`` → ``GM0363``).
    share_columns : sequence of str or mapping of label to column
        Percentage columns (0-100), one per group. They should partition the
        population; see ``remainder``.
    denominator : str
        The column with the population the percentages refer to.
    remainder : str, optional
        When given, a group of this name receives ``100 - sum(shares)`` (at
        least 0), so that groups that are not published still count.
    source : str, default "kwb"
        Name of the data for error messages.

    Returns
    -------
    Decomposition
        With ``estimated=True``. Rows with a suppressed (missing) share or
        denominator are left out; the note says how many.

    Raises
    ------
    InputError
        A share outside 0-100, shares of one row adding up to more than 100
        plus rounding (0.5 per column), a negative denominator, no usable rows,
        or nesting errors as in :func:`decompose`.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            "not a data frame",
            where="frame",
            expected="a pandas DataFrame",
            found=type(frame).__name__,
        )
    names, maybe_columns = _resolve_levels(frame, levels, source=source, derivable=True)
    labels, cols = _group_columns(frame, share_columns, source=source)
    if denominator not in frame.columns:
        raise InputError(
            "missing column",
            where=Location(file=source, column=denominator),
            expected="the column with the population the percentages refer to",
            found=", ".join(str(c) for c in frame.columns),
        )

    def numeric(col: str) -> FloatArray:
        try:
            return np.asarray(pd.to_numeric(frame[col]), dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(
                "not numeric",
                where=Location(file=source, column=col),
                expected="numbers (missing where suppressed)",
                found=str(frame[col].dtype),
            ) from None

    shares = np.column_stack([numeric(c) for c in cols])
    denom = numeric(denominator)
    keep = np.isfinite(shares).all(axis=1) & np.isfinite(denom)
    for j, c in enumerate(cols):
        bad = keep & ((shares[:, j] < 0) | (shares[:, j] > 100))
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise InputError(
                "percentage out of range",
                where=Location(file=source, row=r + 1, column=c),
                expected="a percentage from 0 to 100",
                found=float(shares[r, j]),
            )
    bad = keep & (denom < 0)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise InputError(
            "negative denominator",
            where=Location(file=source, row=r + 1, column=denominator),
            expected="a non-negative count",
            found=float(denom[r]),
        )
    total = shares.sum(axis=1)
    limit = 100.0 + 0.5 * len(cols)
    bad = keep & (total > limit)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise InputError(
            "percentages add up to more than 100",
            where=Location(file=source, row=r + 1, column=", ".join(cols)),
            expected=f"groups that partition the population (sum at most {limit:g} with rounding)",
            found=float(total[r]),
            hint="choose mutually exclusive groups, such as p_koopw, p_wcorpw and p_ov_hw",
        )
    if not keep.any():
        raise InputError(
            "no usable rows",
            where=Location(file=source),
            expected="at least one row with all shares and the denominator",
            found="every row has a suppressed value",
        )
    for col in maybe_columns:
        if col is None:
            continue
        missing = frame[col].isna().to_numpy()
        if missing.any():
            r = int(np.flatnonzero(missing)[0])
            raise InputError(
                "missing value",
                where=Location(file=source, row=r + 1, column=col),
                expected="an area code for every row",
                found="nothing",
            )
    n_dropped = int((~keep).sum())
    sub = frame.loc[keep].reset_index(drop=True)
    counts = shares[keep] / 100.0 * denom[keep][:, None]
    group_labels: tuple[object, ...] = labels
    if remainder is not None:
        rest = np.clip(100.0 - total[keep], 0.0, None) / 100.0 * denom[keep]
        counts = np.column_stack([counts, rest])
        group_labels = (*labels, remainder)

    columns: list[str] = []
    derived: dict[str, pd.Series] = {}
    for k, (name, col) in enumerate(zip(names, maybe_columns, strict=True)):
        if col is not None:
            columns.append(col)
            continue
        finer = sub[columns[k - 1]] if columns[k - 1] in sub.columns else derived[columns[k - 1]]
        uniq = pd.unique(finer.astype(str))
        lookup = {u: parent_code(u) for u in uniq}
        new_col = f"{name}_code"
        derived[new_col] = finer.astype(str).map(lookup)
        columns.append(new_col)
    if derived:
        sub = sub.assign(**derived)
    codes, unit_labels, parents = _level_codes(sub, names, columns, source=source)
    k0 = len(unit_labels[0])
    finest = np.empty((k0, counts.shape[1]), dtype=np.float64)
    for j in range(counts.shape[1]):
        finest[:, j] = np.bincount(codes[0], weights=counts[:, j], minlength=k0)
    note = (
        f"Schatting: aantallen berekend als percentage / 100 × {denominator}; "
        "CBS rondt percentages af en onderdrukt kleine gebieden."
    )
    if n_dropped:
        note += f" {n_dropped} rij(en) met een onderdrukte of ontbrekende waarde weggelaten."
    return _build(
        names, columns, unit_labels, parents, finest, group_labels, estimated=True, note=note
    )


# ---------------------------------------------------------------------------
# change over time
# ---------------------------------------------------------------------------


def _wide(
    frame: pd.DataFrame,
    *,
    unit: str | None,
    group: str | None,
    weight: str | None,
    name: str,
) -> pd.DataFrame:
    """Return a units × groups table (index units, columns groups) with float counts."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            "not a data frame",
            where=name,
            expected="a pandas DataFrame",
            found=type(frame).__name__,
        )
    if unit is None and group is None:
        values = _as_counts(frame, name=name)
        if frame.index.has_duplicates:
            dup = frame.index[frame.index.duplicated()][0]
            raise InputError(
                "unit occurs twice",
                where=Location(file=name),
                expected="one row per unit",
                found=dup,
            )
        return pd.DataFrame(values, index=frame.index, columns=frame.columns)
    if unit is None or group is None:
        raise InputError(
            "unit or group not given",
            where="unit" if unit is None else "group",
            expected="both unit and group for microdata or a long table",
            found="only one",
        )
    for col in (unit, group):
        if col not in frame.columns:
            raise InputError(
                "missing column",
                where=Location(file=name, column=col),
                expected="the unit and group columns",
                found=", ".join(str(c) for c in frame.columns),
            )
    u_codes, u_labels = _factorize(frame[unit], column=unit, source=name)
    g_codes, g_labels = _factorize(frame[group], column=group, source=name)
    w = _weights(frame, weight, source=name) if weight is not None else None
    n_g = len(g_labels)
    table = np.bincount(u_codes * n_g + g_codes, weights=w, minlength=len(u_labels) * n_g)
    return pd.DataFrame(
        table.astype(np.float64).reshape(len(u_labels), n_g),
        index=pd.Index(u_labels, name=unit),
        columns=pd.Index(g_labels, name=group),
    )


def _ipf(
    source: FloatArray,
    row_target: FloatArray,
    col_target: FloatArray,
    *,
    precision: float,
    max_iter: int,
) -> tuple[FloatArray, int]:
    """Fit ``source`` to row and column proportions by iterative proportional fitting.

    Returns the fitted table scaled to the total of ``source`` (as the R
    package does) and the number of iterations. Converged when every row and
    column proportion is within ``precision`` of its target.
    """
    p = source / source.sum()
    rt = row_target / row_target.sum()
    ct = col_target / col_target.sum()
    for it in range(1, max_iter + 1):
        p *= (rt / p.sum(axis=1))[:, None]
        p *= (ct / p.sum(axis=0))[None, :]
        p /= p.sum()
        if (
            np.max(np.abs(p.sum(axis=1) - rt)) <= precision
            and np.max(np.abs(p.sum(axis=0) - ct)) <= precision
        ):
            return p * source.sum(), it
    raise InputError(
        "iterative proportional fitting did not converge",
        where="precision",
        expected=f"convergence within {max_iter} iterations",
        found=f"precision {precision:g} not reached",
        hint="raise max_iter or use a larger precision",
    )


def decompose_change(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    unit: str | None = None,
    group: str | None = None,
    weight: str | None = None,
    precision: float = 1e-10,
    max_iter: int = 10_000,
) -> ChangeDecomposition:
    """Decompose the difference in M between two tables (two years).

    Follows ``mutual_difference(method = "shapley")`` of the R package
    *segregation*: M is computed on six margin-adjusted tables made by
    iterative proportional fitting (IPF) — each table's association with the
    other's group margin, unit margin, or both — and the parts are the
    Shapley averages over the orders of change. Units and groups present in
    one table only are handled as in the R package: the decomposition runs
    on the common units and groups, and their effect is reported as
    ``additions`` (only in ``after``) and ``removals`` (only in ``before``).
    Empty cells of the common table are replaced by 1e-10 (or a thousandth of
    the smallest positive count) before IPF, as in the R package.

    Parameters
    ----------
    before, after : pandas.DataFrame
        Wide count tables (index: unit codes, columns: groups), or, with
        ``unit`` and ``group``, microdata or long tables.
    unit, group : str, optional
        Unit and group columns for microdata or long tables.
    weight : str, optional
        Weight or count column for microdata or long tables.
    precision : float, default 1e-10
        IPF convergence: largest absolute difference between fitted and
        target margin proportions. The R package's default is 1e-3, so its
        results agree with these to about that precision.
    max_iter : int, default 10000
        Maximum number of IPF iterations.

    Returns
    -------
    ChangeDecomposition

    Raises
    ------
    InputError
        Invalid counts, or no units or no groups in common.
    """
    a_full = _wide(before, unit=unit, group=group, weight=weight, name="before")
    b_full = _wide(after, unit=unit, group=group, weight=weight, name="after")
    m1 = _m_or_zero(a_full.to_numpy())
    m2 = _m_or_zero(b_full.to_numpy())

    def positive_groups(t: pd.DataFrame) -> list[object]:
        return [g for g, s in zip(t.columns, t.to_numpy().sum(axis=0), strict=True) if s > 0]

    def positive_units(t: pd.DataFrame, groups: list[object]) -> list[object]:
        sub = t.loc[:, groups].to_numpy()
        return [u for u, s in zip(t.index, sub.sum(axis=1), strict=True) if s > 0]

    g_b = set(positive_groups(b_full))
    common_g = [g for g in positive_groups(a_full) if g in g_b]
    if not common_g:
        raise InputError(
            "no overlap in groups",
            where="after",
            expected="at least one group with households in both tables",
            found="none",
        )
    u_b = set(positive_units(b_full, common_g))
    common_u = [u for u in positive_units(a_full, common_g) if u in u_b]
    if not common_u:
        raise InputError(
            "no overlap in units",
            where="after",
            expected="at least one unit with households in both tables",
            found="none",
        )
    a_sub = a_full.loc[common_u].to_numpy()
    b_sub = b_full.loc[common_u].to_numpy()
    g_in_a = {g for g, s in zip(a_full.columns, a_sub.sum(axis=0), strict=True) if s > 0}
    g_in_b = {g for g, s in zip(b_full.columns, b_sub.sum(axis=0), strict=True) if s > 0}
    common_g = [g for g in a_full.columns if g in g_in_a and g in g_in_b]

    a_orig = a_full.loc[common_u, common_g].to_numpy(dtype=np.float64)
    b_orig = b_full.loc[common_u, common_g].to_numpy(dtype=np.float64)
    positive = np.concatenate(
        [a_full.to_numpy()[a_full.to_numpy() > 0], b_full.to_numpy()[b_full.to_numpy() > 0]]
    )
    fill = 1e-10
    min_freq = float(positive.min())
    if fill > min_freq:
        fill = min_freq / 1000
    a = np.where(a_orig > 0, a_orig, fill)
    b = np.where(b_orig > 0, b_orig, fill)

    # naming as in the R package: d_XYZ = group margin of X, unit margin of Y,
    # association (structure) of Z; A = before, B = after. Rows are units.
    def fit(src: FloatArray, unit_from: FloatArray, group_from: FloatArray) -> FloatArray:
        table, it = _ipf(
            src,
            unit_from.sum(axis=1),
            group_from.sum(axis=0),
            precision=precision,
            max_iter=max_iter,
        )
        iterations.append(it)
        return table

    iterations: list[int] = []
    t = {
        "BBA": fit(a, b, b),
        "ABA": fit(a, b, a),
        "BAA": fit(a, a, b),
        "AAB": fit(b, a, a),
        "BAB": fit(b, a, b),
        "ABB": fit(b, b, a),
    }
    m_ = {k: _m(v) for k, v in t.items()}
    m_aaa = _m(a_orig)
    m_bbb = _m(b_orig)

    structural = 0.5 * (m_["AAB"] - m_aaa) + 0.5 * (m_bbb - m_["BBA"])
    group_marginal = 0.25 * (
        (m_["BAA"] - m_aaa)
        + (m_["BBA"] - m_["ABA"])
        + (m_bbb - m_["ABB"])
        + (m_["BAB"] - m_["AAB"])
    )
    unit_marginal = 0.25 * (
        (m_["ABA"] - m_aaa)
        + (m_["BBA"] - m_["BAA"])
        + (m_bbb - m_["BAB"])
        + (m_["ABB"] - m_["AAB"])
    )

    # per-unit structural detail (R: method = "shapley_detailed")
    p1, ls_aaa = _local(a_orig)
    p2, ls_bbb = _local(b_orig)
    _, ls_aab = _local(t["AAB"])
    _, ls_bba = _local(t["BBA"])
    diff1 = ls_aab - ls_aaa
    diff2 = ls_bbb - ls_bba
    units = pd.DataFrame(
        {
            "unit": common_u,
            "p1": p1,
            "p2": p2,
            "ls_diff1": diff1,
            "ls_diff2": diff2,
            "ls_diff_mean": 0.5 * diff1 + 0.5 * diff2,
            "total": 0.5 * p1 * diff1 + 0.5 * p2 * diff2,
        }
    )

    def present_units(t: pd.DataFrame) -> set[object]:
        return {u for u, s in zip(t.index, t.to_numpy().sum(axis=1), strict=True) if s > 0}

    in_a, in_b = present_units(a_full), present_units(b_full)
    common_u_set, common_g_set = set(common_u), set(common_g)
    return ChangeDecomposition(
        m_before=m1,
        m_after=m2,
        difference=m2 - m1,
        additions=m2 - m_bbb,
        removals=m_aaa - m1,
        group_marginal=group_marginal,
        unit_marginal=unit_marginal,
        structural=structural,
        units=units,
        units_added=tuple(u for u in b_full.index if u in in_b and u not in common_u_set),
        units_removed=tuple(u for u in a_full.index if u in in_a and u not in common_u_set),
        groups_added=tuple(g for g in positive_groups(b_full) if g not in common_g_set),
        groups_removed=tuple(g for g in positive_groups(a_full) if g not in common_g_set),
        n_units=len(common_u),
        n_groups=len(common_g),
        iterations=max(iterations),
    )


def _m_or_zero(table: FloatArray) -> float:
    if table.sum() <= 0:
        raise InputError(
            "empty table",
            where="counts",
            expected="a positive total count",
            found=float(table.sum()),
        )
    return _m(table)
