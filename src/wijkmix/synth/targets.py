"""Buurt targets for the synthesis, from a wide KWB frame.

CBS suppresses small values in *Kerncijfers wijken en buurten* (NaN in the
wide frame). A suppressed value is *borrowed*: from the buurt's wijk, else from
the gemeente, else from a fallback the user supplies. Counts are never borrowed
as counts, only as compositions or rates (the wijk's share of one-person
households, the wijk's bijstand persons per inhabitant) applied to the buurt's
own totals. Related values are borrowed together (the three tenure shares, the
three household kinds, the age groups) so that a composition is never mixed
from two areas. Every borrowing is recorded per buurt and concept, and written
as a Dutch note.

Where the number of households itself is suppressed (tiny buurten), it is
derived from inhabitants and the (borrowed) average household size, or from
the dwellings and the wijk's occupancy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from wijkmix.areas import parent_code, parse_code
from wijkmix.errors import InputError, InputErrors, Location
from wijkmix.synth._arrays import largest_remainder

__all__ = [
    "DERIVED",
    "FALLBACK",
    "HEADSHIP_RATES",
    "HEAD_AGE_GROUPS",
    "HOUSEHOLD_TYPES",
    "OWNERS",
    "Targets",
    "resolve_targets",
]

#: Household types of the register, in the order used internally.
HOUSEHOLD_TYPES: tuple[str, ...] = (
    "alleenstaand",
    "paar",
    "paar_met_kinderen",
    "eenouder",
    "overig",
)
#: Owners of the register, in the order used internally.
OWNERS: tuple[str, ...] = ("corporatie", "particuliere_verhuurder", "eigenaar_bewoner")
#: KWB age groups from which the age of the head is drawn.
HEAD_AGE_GROUPS: tuple[str, ...] = ("age_15_25", "age_25_45", "age_45_65", "age_65_plus")
#: Heads of household per person of each age group (approximate national
#: headship rates, CBS household statistics around 2019: about 7.9 million
#: households over 2.1, 4.2, 4.9 and 3.3 million persons aged 15-25, 25-45,
#: 45-65 and 65+).
HEADSHIP_RATES: tuple[float, ...] = (0.12, 0.60, 0.58, 0.65)
#: Share of "overige meerpersoonshuishoudens" among multi-person households
#: without children (CBS household statistics: about 5 %).
OVERIG_SHARE = 0.05
#: Share of one-parent families among households with children:
#: ``EENOUDER_BASE + pct_low_income / 100``, clipped to [0.10, 0.60]
#: (national 2019: about 22 % at 8 % low income; higher in poorer buurten).
EENOUDER_BASE = 0.14

#: ``borrowed_from`` value for a target derived from other values of the buurt.
DERIVED = "afgeleid"
#: ``borrowed_from`` value for a target taken from the user's fallback values.
FALLBACK = "opgegeven"

_LEVEL_NAMES = ("buurt", "wijk", "gemeente", FALLBACK)

#: The blocks of related KWB concepts that are borrowed together.
#: name -> (members, kind, Dutch label, needed when 'households' or 'dwellings' > 0)
_BLOCKS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "tenure": (
        ("pct_corporation", "pct_other_landlords", "pct_owner_occupied"),
        "value",
        "eigendomsverdeling van de woningen (corporatie, overige verhuurders, koop)",
        "dwellings",
    ),
    "avg_woz": (("avg_woz",), "value", "gemiddelde WOZ-waarde", "dwellings"),
    "composition": (
        ("one_person_households", "households_without_children", "households_with_children"),
        "shares",
        "huishoudenssamenstelling",
        "households",
    ),
    "ages": (HEAD_AGE_GROUPS, "shares", "leeftijdsopbouw", "households"),
    "avg_household_size": (
        ("avg_household_size",),
        "value",
        "gemiddelde huishoudensgrootte",
        "households",
    ),
    "pct_low_income_households": (
        ("pct_low_income_households",),
        "value",
        "percentage huishoudens met een laag inkomen",
        "households",
    ),
    "pct_households_social_minimum": (
        ("pct_households_social_minimum",),
        "value",
        "percentage huishoudens onder of rond het sociaal minimum",
        "households",
    ),
    "avg_income_per_inhabitant": (
        ("avg_income_per_inhabitant",),
        "value",
        "gemiddeld inkomen per inwoner",
        "households",
    ),
    "bijstand": (
        ("bijstand_persons",),
        "rate",
        "aantal personen met bijstand (als aandeel van de inwoners)",
        "households",
    ),
}

_CORE = ("households", "dwellings", "inhabitants")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Targets:
    """What the synthesis must reproduce, per buurt (arrays of length B).

    Attributes
    ----------
    gemeente : str
        Gemeente code.
    buurt, wijk : numpy.ndarray of str
        Buurt codes (sorted) and their wijk codes.
    households : numpy.ndarray of int
        Households to generate (CBS count, or derived where suppressed).
    dwellings_target : numpy.ndarray of float
        CBS dwelling stock (or derived), the fit target.
    dwellings : numpy.ndarray of int
        Dwellings to generate: ``max(dwellings_target, households)``.
    persons : numpy.ndarray of int
        Persons in private households to aim at.
    tenure : numpy.ndarray of int, shape (B, 3)
        Dwellings per owner, in :data:`OWNERS` order; rows sum to ``dwellings``.
    tenure_pct : numpy.ndarray of float, shape (B, 3)
        The tenure shares aimed at (percent of dwellings with known owner).
    types : numpy.ndarray of int, shape (B, 5)
        Households per type in :data:`HOUSEHOLD_TYPES` order.
    head_ages : numpy.ndarray of int, shape (B, 4)
        Heads per age group of :data:`HEAD_AGE_GROUPS`.
    avg_woz : numpy.ndarray of float
        Mean WOZ value, x 1 000 euro.
    pct_low_income, pct_social_minimum : numpy.ndarray of float
        Percent of households.
    avg_income_per_inhabitant : numpy.ndarray of float
        x 1 000 euro.
    bijstand_households : numpy.ndarray of int
        Households on social assistance (bijstand persons / persons per household).
    borrowed : Mapping[str, numpy.ndarray]
        Per block name (and ``households``, ``dwellings``, ``inhabitants``):
        None where the buurt's own value was used, else the area code it was
        borrowed from, :data:`DERIVED` or :data:`FALLBACK`.
    notes : tuple of str
        Dutch sentences, one per borrowing or adjustment.
    """

    gemeente: str
    buurt: ObjArray
    wijk: ObjArray
    households: IntArray
    dwellings_target: FloatArray
    dwellings: IntArray
    persons: IntArray
    tenure: IntArray
    tenure_pct: FloatArray
    types: IntArray
    head_ages: IntArray
    avg_woz: FloatArray
    pct_low_income: FloatArray
    pct_social_minimum: FloatArray
    avg_income_per_inhabitant: FloatArray
    bijstand_households: IntArray
    borrowed: Mapping[str, ObjArray]
    notes: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of buurten."""
        return len(self.buurt)


def _column(frame: pd.DataFrame, rows: npt.NDArray[np.intp], name: str) -> FloatArray:
    """Values of a concept column at the given row positions (NaN if absent or not numeric)."""
    if name not in frame.columns or len(rows) == 0:
        return np.full(len(rows), np.nan)
    col = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    out: FloatArray = np.where(rows >= 0, col[np.maximum(rows, 0)], np.nan)
    return out


def _gemeente_code(frame: pd.DataFrame, gemeente: str) -> str:
    """Resolve a gemeente code or name to a GM code."""
    text = gemeente.strip()
    if text.upper().startswith("GM"):
        return parse_code(text, level="gemeente", where=Location(field="gemeente")).code
    if "name" in frame.columns:
        names = frame["name"].astype(object)
        mask = (frame["level"].astype(object) == "gemeente") & (
            names.map(lambda v: isinstance(v, str) and v.strip().lower() == text.lower())
        )
        hits = sorted(set(frame.loc[mask, "code"].astype(str)))
        if len(hits) == 1:
            return parse_code(hits[0], level="gemeente").code
    raise InputError(
        "unknown gemeente",
        where=Location(field="gemeente"),
        expected="a gemeente code (GM0518) or the name of a gemeente row in the frame",
        found=gemeente,
    )


def _stochastic_round(x: npt.ArrayLike, rng: np.random.Generator) -> IntArray:
    """Round to an integer up or down with probability given by the fraction."""
    v = np.asarray(x, dtype=np.float64)
    fl = np.floor(v)
    return (fl + (rng.random(len(v)) < (v - fl))).astype(np.int64)


def resolve_targets(
    kwb_wide: pd.DataFrame,
    gemeente: str,
    rng: np.random.Generator,
    *,
    fallback: Mapping[str, float] | None = None,
    bijstand_persons_per_household: float = 1.1,
) -> Targets:
    """Resolve the targets of every buurt of ``gemeente``.

    Parameters
    ----------
    kwb_wide : pandas.DataFrame
        One row per area: ``code``, ``level`` (``buurt``/``wijk``/``gemeente``),
        optionally ``parent`` and ``gemeente_code`` (else derived from the codes),
        and concept columns (:data:`wijkmix.concepts.CONCEPTS`); NaN = suppressed.
    gemeente : str
        Gemeente code (``GM0518``) or the name on the gemeente row.
    rng : numpy.random.Generator
        Used for the stochastic rounding of small splits.
    fallback : Mapping[str, float], optional
        Last-resort values per concept when buurt, wijk and gemeente are all
        suppressed. For ``bijstand_persons`` give persons per inhabitant
        (``0.03``); for count compositions (household kinds, age groups) any
        numbers in the right proportion.
    bijstand_persons_per_household : float, default 1.1
        Divides bijstand persons into bijstand households.

    Raises
    ------
    InputError
        If a column is missing, the gemeente has no buurten, or a needed value
        cannot be resolved.
    """
    fb = dict(fallback or {})
    for col in ("code", "level"):
        if col not in kwb_wide.columns:
            raise InputError(
                "missing column",
                where=Location(file="kwb_wide", column=col),
                expected="columns code, level and concept columns",
                found=list(map(str, kwb_wide.columns)),
            )
    missing = [c for c in _CORE if c not in kwb_wide.columns]
    if missing:
        raise InputError(
            "missing column",
            where=Location(file="kwb_wide", column=missing[0]),
            expected="the concept columns " + ", ".join(_CORE),
            found=list(map(str, kwb_wide.columns)),
        )
    for k in fb:
        if not any(k in members for members, *_ in _BLOCKS.values()):
            raise InputError(
                "unknown fallback concept",
                where=Location(field="fallback"),
                expected="one of " + ", ".join(m for b in _BLOCKS.values() for m in b[0]),
                found=k,
            )
    gm = _gemeente_code(kwb_wide, gemeente)
    codes = kwb_wide["code"].astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    levels = kwb_wide["level"].astype(object).to_numpy()
    code_arr = codes.to_numpy(dtype=object)
    in_gm = np.array(
        [isinstance(c, str) and len(c) >= 6 and ("GM" + c[2:6]) == gm for c in code_arr],
        dtype=bool,
    )
    buurt_pos = np.flatnonzero(in_gm & (levels == "buurt"))
    if len(buurt_pos) == 0:
        raise InputError(
            "no buurten for this gemeente",
            where=Location(file="kwb_wide", column="level"),
            expected=f"rows with level 'buurt' in {gm}",
            found="none",
        )
    buurt_pos = buurt_pos[np.argsort(code_arr[buurt_pos].astype(str), kind="stable")]
    buurt = code_arr[buurt_pos].astype(object)
    dup = np.flatnonzero(buurt[1:] == buurt[:-1])
    if len(dup):
        raise InputError(
            "buurt occurs twice",
            where=Location(file="kwb_wide", row=int(buurt_pos[dup[0] + 1]) + 1, column="code"),
            expected="one row per buurt",
            found=buurt[dup[0]],
        )
    for pos, code in zip(buurt_pos, buurt, strict=True):
        parse_code(
            code, level="buurt", where=Location(file="kwb_wide", row=int(pos) + 1, column="code")
        )
    if "parent" in kwb_wide.columns:
        par = kwb_wide["parent"].astype(object).to_numpy()[buurt_pos]
    else:
        par = np.full(len(buurt_pos), None, dtype=object)
    wijk = np.array(
        [
            p.strip() if isinstance(p, str) and p.strip() else parent_code(str(b))
            for p, b in zip(par, buurt, strict=True)
        ],
        dtype=object,
    )
    wijk_rows = {
        c: i for i, (c, lv) in enumerate(zip(code_arr, levels, strict=True)) if lv == "wijk"
    }
    wijk_pos = np.array([wijk_rows.get(w, -1) for w in wijk], dtype=np.intp)
    gm_hits = np.flatnonzero((code_arr == gm) & (levels == "gemeente"))
    gm_pos = np.full(len(buurt), gm_hits[0] if len(gm_hits) else -1, dtype=np.intp)
    n_b = len(buurt)

    def level_values(name: str) -> list[FloatArray]:
        fbv = fb.get(name, np.nan)
        return [
            _column(kwb_wide, buurt_pos.astype(np.intp), name),
            _column(kwb_wide, wijk_pos, name),
            _column(kwb_wide, gm_pos, name),
            np.full(n_b, fbv, dtype=np.float64),
        ]

    inh = level_values("inhabitants")
    hh = level_values("households")
    dw = level_values("dwellings")
    source_codes = [
        buurt,
        wijk,
        np.full(n_b, gm, dtype=object),
        np.full(n_b, FALLBACK, dtype=object),
    ]

    # ---- resolve every block: first level where all members are available
    resolved: dict[str, FloatArray] = {}
    level_of: dict[str, IntArray] = {}
    for name, (members, kind, _label, _needs) in _BLOCKS.items():
        vals = [np.column_stack(v) for v in zip(*(level_values(m) for m in members), strict=True)]
        src = np.full(n_b, -1, dtype=np.int64)
        out = np.full((n_b, len(members)), np.nan)
        for lvl in range(4):
            v = vals[lvl]
            ok = np.all(np.isfinite(v), axis=1)
            if kind == "shares":
                ok &= v.sum(axis=1) > 0
            if kind == "rate" and lvl < 3:
                # a count relative to the area's inhabitants (the fallback is a rate already)
                denom = inh[lvl]
                ok &= np.isfinite(denom) & (denom > 0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    v = v / np.where(denom > 0, denom, 1.0)[:, None]
            take = ok & (src < 0)
            out[take] = v[take]
            src[take] = lvl
        resolved[name] = out
        level_of[name] = src

    notes: list[str] = []
    borrowed: dict[str, ObjArray] = {}

    # ---- households
    H_own = hh[0]
    avg_size = resolved["avg_household_size"][:, 0]
    occ_levels = []
    for lvl in (1, 2):
        with np.errstate(invalid="ignore", divide="ignore"):
            occ_levels.append(np.where(dw[lvl] > 0, hh[lvl] / dw[lvl], np.nan))
    occupancy = np.where(np.isfinite(occ_levels[0]), occ_levels[0], occ_levels[1])
    occ_src = np.where(np.isfinite(occ_levels[0]), wijk, gm).astype(object)
    H = np.zeros(n_b, dtype=np.int64)
    hb: ObjArray = np.full(n_b, None, dtype=object)
    for i in range(n_b):
        if np.isfinite(H_own[i]):
            H[i] = max(round(H_own[i]), 0)
            continue
        hb[i] = DERIVED
        if np.isfinite(inh[0][i]) and np.isfinite(avg_size[i]) and avg_size[i] > 0:
            H[i] = round(inh[0][i] / avg_size[i])
            notes.append(
                f"Buurt {buurt[i]}: aantal huishoudens onderdrukt door CBS; afgeleid uit "
                f"{int(inh[0][i])} inwoners en een gemiddelde huishoudensgrootte van "
                f"{avg_size[i]:.1f}: {H[i]} huishoudens."
            )
        elif np.isfinite(dw[0][i]) and np.isfinite(occupancy[i]):
            H[i] = round(dw[0][i] * occupancy[i])
            notes.append(
                f"Buurt {buurt[i]}: aantal huishoudens onderdrukt door CBS; afgeleid uit "
                f"{int(dw[0][i])} woningen en de bewoning van {occ_src[i]}: {H[i]} huishoudens."
            )
        else:
            notes.append(
                f"Buurt {buurt[i]}: aantal huishoudens en woningen onbekend; "
                "geen huishoudens gegenereerd."
            )
    borrowed["households"] = hb

    # ---- dwellings
    D_t = np.where(np.isfinite(dw[0]), np.round(dw[0]), np.nan)
    db: ObjArray = np.full(n_b, None, dtype=object)
    for i in np.flatnonzero(~np.isfinite(D_t)).tolist():
        db[i] = DERIVED
        occ = occupancy[i] if np.isfinite(occupancy[i]) and occupancy[i] > 0 else 1.0
        D_t[i] = float(math.ceil(H[i] / occ))
        notes.append(
            f"Buurt {buurt[i]}: woningvoorraad onderdrukt door CBS; afgeleid uit {H[i]} "
            f"huishoudens en de bewoning van {occ_src[i]}: {int(D_t[i])} woningen."
        )
    borrowed["dwellings"] = db
    D = np.maximum(D_t.astype(np.int64), H)
    for i in np.flatnonzero(D_t < H).tolist():
        notes.append(
            f"Buurt {buurt[i]}: meer huishoudens ({H[i]}) dan woningen ({int(D_t[i])}); "
            f"{int(D[i] - D_t[i])} woningen toegevoegd."
        )

    # ---- persons in private households
    P = np.zeros(n_b, dtype=np.int64)
    pb: ObjArray = np.full(n_b, None, dtype=object)
    own_avg = level_values("avg_household_size")[0]
    for i in np.flatnonzero(H > 0).tolist():
        own_inh = inh[0][i]
        if np.isfinite(own_inh):
            if np.isfinite(own_avg[i]) and abs(own_inh / H[i] - own_avg[i]) > 0.06:
                P[i] = round(H[i] * own_avg[i])
            else:
                P[i] = round(own_inh)
        elif np.isfinite(avg_size[i]):
            P[i] = round(H[i] * avg_size[i])
            pb[i] = DERIVED
        else:
            P[i] = H[i]
            pb[i] = DERIVED
        P[i] = max(P[i], H[i])
    borrowed["inhabitants"] = pb

    # ---- check needs and write notes for borrowed blocks
    errors: list[InputError] = []
    need_of = {"households": H > 0, "dwellings": D > 0}
    for name, (members, _kind, label, needs) in _BLOCKS.items():
        src = level_of[name]
        need = need_of[needs]
        if name == "avg_household_size":
            # only needed where households or persons had to be derived
            need = need & ((hb == DERIVED) | (pb == DERIVED))
        bw: ObjArray = np.full(n_b, None, dtype=object)
        for i in np.flatnonzero(need & (src != 0)).tolist():
            lvl = int(src[i])
            if lvl < 0:
                errors.append(
                    InputError(
                        "value suppressed for the buurt, its wijk and the gemeente",
                        where=Location(
                            file="kwb_wide", row=int(buurt_pos[i]) + 1, column=members[0]
                        ),
                        expected=f"a value for {buurt[i]}, {wijk[i]} or {gm}, or a fallback value",
                        found="NaN",
                        hint="pass fallback={"
                        + ", ".join(f"'{m}': ..." for m in members)
                        + "} to SyntheticPopulation",
                    )
                )
                continue
            bw[i] = source_codes[lvl][i]
            if lvl == 3:
                notes.append(
                    f"Buurt {buurt[i]}: {label} onderdrukt door CBS, ook voor {wijk[i]} en {gm}; "
                    "opgegeven terugvalwaarde gebruikt."
                )
            else:
                notes.append(
                    f"Buurt {buurt[i]}: {label} onderdrukt door CBS; overgenomen van "
                    f"{_LEVEL_NAMES[lvl]} {source_codes[lvl][i]}."
                )
        borrowed[name] = bw
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise InputErrors(errors, source="kwb_wide")

    # ---- dwellings per owner
    ten = np.nan_to_num(resolved["tenure"], nan=0.0)
    ten = np.where(ten.sum(axis=1, keepdims=True) > 0, ten, 1.0)
    tenure = largest_remainder(ten, D)
    tenure_pct = 100.0 * ten / ten.sum(axis=1, keepdims=True)

    # ---- household composition
    comp = largest_remainder(np.nan_to_num(resolved["composition"], nan=0.0), H)
    n_one, n_without, n_with = comp[:, 0], comp[:, 1], comp[:, 2]
    n_overig = np.minimum(_stochastic_round(n_without * float(OVERIG_SHARE), rng), n_without)
    pct_low = np.nan_to_num(resolved["pct_low_income_households"][:, 0], nan=0.0)
    share_eo = np.clip(EENOUDER_BASE + pct_low / 100.0, 0.10, 0.60)
    n_eo = np.minimum(_stochastic_round(n_with * share_eo, rng), n_with)
    types = np.column_stack([n_one, n_without - n_overig, n_with - n_eo, n_eo, n_overig])

    # ---- age of the head
    ages = np.nan_to_num(resolved["ages"], nan=0.0) * np.asarray(HEADSHIP_RATES)[None, :]
    head_ages = largest_remainder(ages, H)

    # ---- bijstand households
    own_bij = level_values("bijstand_persons")[0]
    rate = resolved["bijstand"][:, 0]
    base_inh = np.where(np.isfinite(inh[0]), inh[0], P)
    bij_persons = np.nan_to_num(
        np.where(level_of["bijstand"] == 0, own_bij, rate * base_inh), nan=0.0
    )
    n_bij = np.rint(bij_persons / bijstand_persons_per_household).astype(np.int64)

    return Targets(
        gemeente=gm,
        buurt=buurt,
        wijk=wijk,
        households=H,
        dwellings_target=D_t.astype(np.float64),
        dwellings=D,
        persons=P,
        tenure=tenure,
        tenure_pct=tenure_pct,
        types=types.astype(np.int64),
        head_ages=head_ages,
        avg_woz=resolved["avg_woz"][:, 0],
        pct_low_income=pct_low,
        pct_social_minimum=np.nan_to_num(resolved["pct_households_social_minimum"][:, 0], nan=0.0),
        avg_income_per_inhabitant=resolved["avg_income_per_inhabitant"][:, 0],
        bijstand_households=n_bij,
        borrowed=borrowed,
        notes=tuple(notes),
    )
