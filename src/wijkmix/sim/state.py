"""The columnar state of the microsimulation and its move ledger.

State is a structure of arrays, never one Python object per agent. Dwellings
and households are rows addressed by integer index; categorical columns are
small integers whose meaning is given by the tuples below (``OWNERS[k]``).
Areas are integer indices into :class:`AreaIndex`.

The :class:`State` is mutable *inside* a run (the runner owns it); results
leave a run as immutable frames. :meth:`State.check` verifies the invariants
every step must keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from enum import IntEnum

import numpy as np
import pandas as pd

from wijkmix.errors import InputError, Location

__all__ = [
    "DWELLING_STATUS",
    "HOUSEHOLD_TYPES",
    "INCOME_SOURCES",
    "OWNERS",
    "SEGMENTS",
    "AreaIndex",
    "Cause",
    "HouseholdState",
    "Ledger",
    "Route",
    "State",
]

OWNERS: tuple[str, ...] = ("corporatie", "particuliere_verhuurder", "eigenaar_bewoner")
SEGMENTS: tuple[str, ...] = (
    "sociale_huur",
    "middenhuur",
    "vrije_huur",
    "koop_betaalbaar",
    "koop_duur",
)
DWELLING_STATUS: tuple[str, ...] = ("bewoond", "leeg", "in_aanbouw", "gesloopt")
HOUSEHOLD_TYPES: tuple[str, ...] = (
    "alleenstaand",
    "paar",
    "paar_met_kinderen",
    "eenouder",
    "overig",
)
INCOME_SOURCES: tuple[str, ...] = ("werk", "uitkering", "pensioen", "studie", "overig")

# integer codes, for readable code in the steps
CORPORATIE, PARTICULIER, EIGENAAR = 0, 1, 2
SOCIALE_HUUR, MIDDENHUUR, VRIJE_HUUR, KOOP_BETAALBAAR, KOOP_DUUR = 0, 1, 2, 3, 4
BEWOOND, LEEG, IN_AANBOUW, GESLOOPT = 0, 1, 2, 3


class HouseholdState(IntEnum):
    """Where a household is in the run."""

    ACTIVE = 0  # in the region: housed, or seeking (h_dwelling == -1)
    LEFT = 1  # moved out of the region
    DISSOLVED = 2  # died, or merged into another household


class Cause(IntEnum):
    """Why a move happened (ledger ``cause``)."""

    FORCED = 0  # demolition / renovation / sale to another party forced the move
    VOLUNTARY = 1  # own decision within the region
    STARTER = 2  # new household formed inside the region (left the parental home)
    INFLOW = 3  # came from outside the region
    OUTFLOW = 4  # left the region
    RETURN = 5  # came back after demolition or renovation (right to return)
    TEMPORARY = 6  # temporary relocation during renovation
    DISSOLUTION = 7  # household ended (death, merger): left its dwelling


class Route(IntEnum):
    """How a dwelling was obtained (ledger ``route``)."""

    NONE = 0  # no dwelling obtained (outflow, dissolution, still seeking)
    URGENCY = 1
    RETURN = 2
    LOCAL_TIE = 3
    CRUCIAL_PROFESSION = 4
    ARTICLE9 = 5
    LOTTERY = 6
    REGISTRATION = 7
    MARKET = 8  # owner-occupied or private rent through the market
    TEMPORARY = 9  # temporary (renovation) dwelling


@dataclass(frozen=True)
class AreaIndex:
    """Integer indices of the areas of a run.

    Attributes
    ----------
    buurt, wijk, gemeente, complex, portiek, straat : tuple of str
        The codes at each level; the position is the index used in the state.
    buurt_wijk, buurt_gemeente : numpy.ndarray of int32
        Parent index of every buurt.
    complex_buurt, portiek_complex, straat_buurt : numpy.ndarray of int32
        Parent index of every complex, portiek and straat.
    """

    buurt: tuple[str, ...]
    wijk: tuple[str, ...]
    gemeente: tuple[str, ...]
    complex: tuple[str, ...]
    portiek: tuple[str, ...]
    straat: tuple[str, ...]
    buurt_wijk: np.ndarray
    buurt_gemeente: np.ndarray
    complex_buurt: np.ndarray
    portiek_complex: np.ndarray
    straat_buurt: np.ndarray

    def index(self, level: str, code: str) -> int:
        """Index of ``code`` at ``level``; InputError when absent."""
        codes: tuple[str, ...] = getattr(self, level)
        try:
            return codes.index(code)
        except ValueError:
            raise InputError(
                "unknown area",
                where=Location(field=level),
                expected=f"a {level} code of the simulated registers",
                found=code,
            ) from None

    def buurten_of(self, level: str, code: str) -> np.ndarray:
        """Indices of the buurten inside an area (buurt, wijk or gemeente)."""
        if level == "buurt":
            return np.array([self.index("buurt", code)], dtype=np.int32)
        if level == "wijk":
            return np.flatnonzero(self.buurt_wijk == self.index("wijk", code)).astype(np.int32)
        if level == "gemeente":
            return np.flatnonzero(self.buurt_gemeente == self.index("gemeente", code)).astype(
                np.int32
            )
        raise InputError(
            "level cannot hold buurten",
            where="level",
            expected="buurt, wijk or gemeente",
            found=level,
        )


def _codes(values: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Factorise text codes (missing → -1) with sorted categories."""
    codes, uniques = pd.factorize(values.astype("object"), sort=True, use_na_sentinel=True)
    return codes.astype(np.int32), tuple(str(u) for u in uniques)


def _cat(values: pd.Series, allowed: Sequence[str], column: str) -> np.ndarray:
    codes = pd.Index(list(allowed)).get_indexer(pd.Index(values.astype("object")))
    bad = np.flatnonzero(codes < 0)
    if len(bad):
        i = int(bad[0])
        raise InputError(
            "unknown category",
            where=Location(file="register", column=column),
            expected="one of " + ", ".join(allowed),
            found=values.iloc[i],
        )
    return codes.astype(np.int8)


def _parent_of(child: np.ndarray, parent: np.ndarray, n_child: int) -> np.ndarray:
    """For each child index, the parent index seen with it (first occurrence)."""
    out = np.full(n_child, -1, dtype=np.int32)
    ok = child >= 0
    out[child[ok][::-1]] = parent[ok][::-1]
    return out


@dataclass
class State:
    """Dwellings and households as arrays (mutable during a run).

    Dwelling columns start with ``d_``, household columns with ``h_``. Indices
    are positions; ``d_id``/``h_id`` are stable integer ids used as keys of the
    common random numbers, ``d_key``/``h_key`` the register's own text ids.
    """

    areas: AreaIndex
    # dwellings
    d_id: np.ndarray  # int64
    d_key: np.ndarray  # object (text id)
    d_buurt: np.ndarray  # int32
    d_complex: np.ndarray  # int32, -1 unknown
    d_portiek: np.ndarray  # int32, -1 unknown
    d_straat: np.ndarray  # int32, -1 unknown
    d_owner: np.ndarray  # int8, OWNERS
    d_segment: np.ndarray  # int8, SEGMENTS
    d_status: np.ndarray  # int8, DWELLING_STATUS
    d_rent: np.ndarray  # float64 monthly rent, nan for owner-occupied
    d_woz: np.ndarray  # float64, nan when unknown
    d_rooms: np.ndarray  # int16
    d_floor_area: np.ndarray  # float32
    d_build_year: np.ndarray  # int16
    d_occupant: np.ndarray  # int32 household index, -1 vacant
    # households
    h_id: np.ndarray  # int64
    h_key: np.ndarray  # object
    h_dwelling: np.ndarray  # int32 dwelling index, -1 not housed
    h_state: np.ndarray  # int8, HouseholdState
    h_size: np.ndarray  # int16
    h_type: np.ndarray  # int8, HOUSEHOLD_TYPES
    h_age: np.ndarray  # int16, age of the head
    h_income: np.ndarray  # float64 gross yearly
    h_source: np.ndarray  # int8, INCOME_SOURCES
    h_vulnerable: np.ndarray  # bool (vulnerable_care)
    h_statushouder: np.ndarray  # bool
    h_urgent: np.ndarray  # bool
    h_crucial: np.ndarray  # bool (crucial_profession)
    h_years_dwelling: np.ndarray  # int16
    h_years_region: np.ndarray  # int16 (years_in_municipality, used as years in the region)
    h_registration: np.ndarray  # float32 waiting-list years
    h_return_complex: np.ndarray  # int32, complex with a right to return, -1 none
    h_origin_buurt: np.ndarray  # int32, buurt at the start of the run, -1 came later
    h_seek_cause: np.ndarray  # int8 Cause while seeking a dwelling, -1 not seeking
    h_seek_from: np.ndarray  # int32 dwelling left when the search began (forced), -1 none
    h_seek_years: np.ndarray  # int16 years spent seeking so far
    next_dwelling_id: int = 0
    next_household_id: int = 0
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    # -- construction -------------------------------------------------------
    @classmethod
    def from_registers(cls, dwellings: pd.DataFrame, households: pd.DataFrame) -> State:
        """Build the state from validated registers (store/schema columns).

        Dwellings marked ``gesloopt`` are kept (they hold no household).
        Households whose dwelling is unknown raise an InputError. Rows are
        sorted by their register id first, so the integer ids (and with them
        every random draw) do not depend on the order of the rows.
        """
        # sort by the register ids: the integer ids (the keys of the common
        # random numbers) then depend on the registers' content, not on row order
        d = dwellings.sort_values("dwelling_id", kind="stable").reset_index(drop=True)
        h = households.sort_values("household_id", kind="stable").reset_index(drop=True)
        buurt, buurt_codes = _codes(d["buurt_code"])
        if (buurt < 0).any():
            i = int(np.flatnonzero(buurt < 0)[0])
            raise InputError(
                "dwelling without buurt",
                where=Location(file="dwellings", column="buurt_code"),
                expected="a buurt code for every dwelling",
                found=f"none for dwelling {d['dwelling_id'].iloc[i]}",
            )
        wijk_col = (
            d["wijk_code"] if "wijk_code" in d else d["buurt_code"].str[:8].str.replace("BU", "WK")
        )
        gem_col = d["gemeente_code"] if "gemeente_code" in d else "GM" + d["buurt_code"].str[2:6]
        wijk, wijk_codes = _codes(wijk_col)
        gem, gem_codes = _codes(gem_col)
        cx, cx_codes = (
            _codes(d["complex_code"])
            if "complex_code" in d
            else (np.full(len(d), -1, np.int32), ())
        )
        pt, pt_codes = (
            _codes(d["portiek_code"])
            if "portiek_code" in d
            else (np.full(len(d), -1, np.int32), ())
        )
        st, st_codes = (
            _codes(d["straat_code"]) if "straat_code" in d else (np.full(len(d), -1, np.int32), ())
        )
        areas = AreaIndex(
            buurt=buurt_codes,
            wijk=wijk_codes,
            gemeente=gem_codes,
            complex=cx_codes,
            portiek=pt_codes,
            straat=st_codes,
            buurt_wijk=_parent_of(buurt, wijk, len(buurt_codes)),
            buurt_gemeente=_parent_of(buurt, gem, len(buurt_codes)),
            complex_buurt=_parent_of(cx, buurt, len(cx_codes)),
            portiek_complex=_parent_of(pt, cx, len(pt_codes)),
            straat_buurt=_parent_of(st, buurt, len(st_codes)),
        )
        nd, nh = len(d), len(h)
        h_dw = pd.Index(d["dwelling_id"].astype(str)).get_indexer(
            pd.Index(h["dwelling_id"].astype(str))
        )
        if (h_dw < 0).any():
            i = int(np.flatnonzero(h_dw < 0)[0])
            raise InputError(
                "household in an unknown dwelling",
                where=Location(file="households", column="dwelling_id"),
                expected="a dwelling_id of the dwellings register",
                found=str(h["dwelling_id"].iloc[i]),
            )
        h_dw = h_dw.astype(np.int32)
        occ = np.full(nd, -1, dtype=np.int32)
        occ[h_dw] = np.arange(nh, dtype=np.int32)

        def num(frame: pd.DataFrame, col: str, dtype: type, fill: float) -> np.ndarray:
            if col not in frame:
                return np.full(len(frame), fill, dtype=dtype)
            return frame[col].astype("float64").fillna(fill).to_numpy().astype(dtype)

        def flag(col: str) -> np.ndarray:
            if col not in h:
                return np.zeros(nh, dtype=bool)
            return h[col].astype("boolean").fillna(False).to_numpy(dtype=bool)

        status = _cat(d["status"], DWELLING_STATUS, "status")
        return cls(
            areas=areas,
            d_id=np.arange(nd, dtype=np.int64),
            d_key=d["dwelling_id"].astype(str).to_numpy(dtype=object),
            d_buurt=buurt,
            d_complex=cx,
            d_portiek=pt,
            d_straat=st,
            d_owner=_cat(d["owner"], OWNERS, "owner"),
            d_segment=_cat(d["segment"], SEGMENTS, "segment"),
            d_status=status,
            d_rent=num(d, "rent", np.float64, np.nan),
            d_woz=num(d, "woz_value", np.float64, np.nan),
            d_rooms=num(d, "rooms", np.int16, 3),
            d_floor_area=num(d, "floor_area", np.float32, 70.0),
            d_build_year=num(d, "build_year", np.int16, 1970),
            d_occupant=occ,
            h_id=np.arange(nh, dtype=np.int64),
            h_key=h["household_id"].astype(str).to_numpy(dtype=object),
            h_dwelling=h_dw,
            h_state=np.zeros(nh, dtype=np.int8),
            h_size=num(h, "size", np.int16, 1),
            h_type=_cat(h["type"], HOUSEHOLD_TYPES, "type"),
            h_age=num(h, "age_head", np.int16, 45),
            h_income=num(h, "income", np.float64, 0.0),
            h_source=_cat(h["income_source"].fillna("overig"), INCOME_SOURCES, "income_source")
            if "income_source" in h
            else np.full(nh, INCOME_SOURCES.index("overig"), dtype=np.int8),
            h_vulnerable=flag("vulnerable_care"),
            h_statushouder=flag("statushouder"),
            h_urgent=flag("urgent"),
            h_crucial=flag("crucial_profession"),
            h_years_dwelling=num(h, "years_in_dwelling", np.int16, 0),
            h_years_region=num(h, "years_in_municipality", np.int16, 0),
            h_registration=num(h, "registration_years", np.float32, 0.0),
            h_return_complex=np.full(nh, -1, dtype=np.int32),
            h_origin_buurt=buurt[h_dw].astype(np.int32),
            h_seek_cause=np.full(nh, -1, dtype=np.int8),
            h_seek_from=np.full(nh, -1, dtype=np.int32),
            h_seek_years=np.zeros(nh, dtype=np.int16),
            next_dwelling_id=nd,
            next_household_id=nh,
        )

    # -- sizes and growth ---------------------------------------------------------
    @property
    def n_dwellings(self) -> int:
        """Number of dwelling rows (including demolished ones)."""
        return len(self.d_id)

    @property
    def n_households(self) -> int:
        """Number of household rows (including those that left or ended)."""
        return len(self.h_id)

    def _columns(self, prefix: str) -> list[str]:
        return [f.name for f in fields(self) if f.name.startswith(prefix)]

    def add_dwellings(self, **columns: np.ndarray) -> np.ndarray:
        """Append dwellings; returns their indices.

        Every ``d_`` column must be given except ``d_id`` (assigned) and
        ``d_occupant`` (vacant); ``d_key`` defaults to ``"sim-<id>"``.
        """
        n = len(next(iter(columns.values())))
        ids = np.arange(self.next_dwelling_id, self.next_dwelling_id + n, dtype=np.int64)
        self.next_dwelling_id += n
        columns = dict(columns)
        columns["d_id"] = ids
        columns.setdefault("d_key", np.array([f"sim-d{i}" for i in ids], dtype=object))
        columns["d_occupant"] = np.full(n, -1, dtype=np.int32)
        start = self.n_dwellings
        self._append("d_", columns, n)
        return np.arange(start, start + n, dtype=np.int64)

    def add_households(self, **columns: np.ndarray) -> np.ndarray:
        """Append households (not housed, ACTIVE); returns their indices.

        ``h_id``, ``h_key``, ``h_dwelling`` (-1), ``h_state`` (ACTIVE),
        ``h_return_complex`` (-1), ``h_origin_buurt`` (-1), ``h_seek_cause``
        (-1), ``h_seek_from`` (-1) and ``h_seek_years`` (0) are filled in unless
        given.
        """
        n = len(next(iter(columns.values())))
        ids = np.arange(self.next_household_id, self.next_household_id + n, dtype=np.int64)
        self.next_household_id += n
        columns = dict(columns)
        columns["h_id"] = ids
        columns.setdefault("h_key", np.array([f"sim-h{i}" for i in ids], dtype=object))
        columns.setdefault("h_dwelling", np.full(n, -1, dtype=np.int32))
        columns.setdefault("h_state", np.zeros(n, dtype=np.int8))
        columns.setdefault("h_return_complex", np.full(n, -1, dtype=np.int32))
        columns.setdefault("h_origin_buurt", np.full(n, -1, dtype=np.int32))
        columns.setdefault("h_seek_cause", np.full(n, -1, dtype=np.int8))
        columns.setdefault("h_seek_from", np.full(n, -1, dtype=np.int32))
        columns.setdefault("h_seek_years", np.zeros(n, dtype=np.int16))
        start = self.n_households
        self._append("h_", columns, n)
        return np.arange(start, start + n, dtype=np.int64)

    def _append(self, prefix: str, columns: dict[str, np.ndarray], n: int) -> None:
        names = self._columns(prefix)
        missing = [c for c in names if c not in columns]
        unknown = [c for c in columns if c not in names]
        if missing or unknown:
            raise ValueError(f"add: missing columns {missing}, unknown columns {unknown}")
        for c in names:
            old = getattr(self, c)
            new = np.asarray(columns[c]).astype(old.dtype, copy=False)
            if len(new) != n:
                raise ValueError(f"add: column {c} has {len(new)} values, expected {n}")
            setattr(self, c, np.concatenate([old, new]))

    def copy(self) -> State:
        """A deep copy (arrays copied; the area index is shared, it is immutable)."""
        kwargs: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                kwargs[f.name] = v.copy()
            elif isinstance(v, dict):
                kwargs[f.name] = {k: a.copy() for k, a in v.items()}
            else:
                kwargs[f.name] = v
        return State(**kwargs)  # type: ignore[arg-type]

    # -- moves -------------------------------------------------------------------
    def vacate(self, households: np.ndarray) -> None:
        """Take households out of their dwellings (the dwellings become vacant)."""
        hh = np.asarray(households, dtype=np.int64)
        dw = self.h_dwelling[hh]
        housed = dw >= 0
        self.d_occupant[dw[housed]] = -1
        vac = dw[housed]
        self.d_status[vac[self.d_status[vac] == BEWOOND]] = LEEG
        self.h_dwelling[hh] = -1

    def occupy(self, households: np.ndarray, dwellings: np.ndarray) -> None:
        """Put households into vacant dwellings (pairwise).

        Raises
        ------
        ValueError
            If a dwelling is occupied or not habitable, or a household is housed.
        """
        hh = np.asarray(households, dtype=np.int64)
        dw = np.asarray(dwellings, dtype=np.int64)
        if len(hh) != len(dw):
            raise ValueError("occupy: households and dwellings differ in length")
        if (self.d_occupant[dw] >= 0).any():
            raise ValueError("occupy: a dwelling is already occupied")
        if np.isin(self.d_status[dw], (IN_AANBOUW, GESLOOPT)).any():
            raise ValueError("occupy: a dwelling is demolished or under construction")
        if (self.h_dwelling[hh] >= 0).any():
            raise ValueError("occupy: a household is still housed")
        if len(np.unique(dw)) != len(dw):
            raise ValueError("occupy: one dwelling given to two households")
        self.d_occupant[dw] = hh.astype(np.int32)
        self.d_status[dw] = BEWOOND
        self.h_dwelling[hh] = dw.astype(np.int32)
        self.h_years_dwelling[hh] = 0
        self.h_seek_cause[hh] = -1
        self.h_seek_from[hh] = -1
        self.h_seek_years[hh] = 0

    # -- checks ----------------------------------------------------------------
    def check(self) -> None:
        """Assert the invariants; raises AssertionError naming the first broken one.

        - every housed household's dwelling points back to it (no dwelling with
          two households, no household in two dwellings);
        - only ACTIVE households are housed; demolished or unfinished dwellings
          are empty; occupied dwellings have status ``bewoond``;
        - array lengths agree.
        """
        nd, nh = self.n_dwellings, self.n_households
        for c in self._columns("d_"):
            assert len(getattr(self, c)) == nd, f"dwelling column {c} has the wrong length"
        for c in self._columns("h_"):
            assert len(getattr(self, c)) == nh, f"household column {c} has the wrong length"
        housed = np.flatnonzero(self.h_dwelling >= 0)
        assert (self.d_occupant[self.h_dwelling[housed]] == housed).all(), (
            "a dwelling does not point back to its household"
        )
        occ = np.flatnonzero(self.d_occupant >= 0)
        assert (self.h_dwelling[self.d_occupant[occ]] == occ).all(), (
            "a household does not point back to its dwelling"
        )
        assert (self.h_state[housed] == HouseholdState.ACTIVE).all(), (
            "a household that left or ended is still housed"
        )
        assert not np.isin(self.d_status[occ], (IN_AANBOUW, GESLOOPT)).any(), (
            "a demolished or unfinished dwelling is occupied"
        )
        assert (self.d_status[occ] == BEWOOND).all(), "an occupied dwelling is not 'bewoond'"

    # -- export -----------------------------------------------------------------------
    def dwellings_frame(self) -> pd.DataFrame:
        """Dwellings as a frame with codes and category names."""
        a = self.areas
        buurt = np.array(a.buurt, dtype=object)
        return pd.DataFrame(
            {
                "dwelling_id": self.d_key,
                "buurt_code": buurt[self.d_buurt],
                "wijk_code": np.array(a.wijk, dtype=object)[a.buurt_wijk[self.d_buurt]],
                "gemeente_code": np.array(a.gemeente, dtype=object)[a.buurt_gemeente[self.d_buurt]],
                "complex_code": _take(a.complex, self.d_complex),
                "owner": np.array(OWNERS, dtype=object)[self.d_owner],
                "segment": np.array(SEGMENTS, dtype=object)[self.d_segment],
                "status": np.array(DWELLING_STATUS, dtype=object)[self.d_status],
                "rent": self.d_rent,
                "woz_value": self.d_woz,
                "rooms": self.d_rooms,
            }
        )

    def households_frame(self) -> pd.DataFrame:
        """Households as a frame with their current buurt (None when not housed)."""
        housed = self.h_dwelling >= 0
        buurt_idx = np.where(housed, self.d_buurt[np.where(housed, self.h_dwelling, 0)], -1)
        return pd.DataFrame(
            {
                "household_id": self.h_key,
                "state": np.array(["actief", "vertrokken", "beeindigd"], dtype=object)[
                    self.h_state
                ],
                "buurt_code": _take(self.areas.buurt, buurt_idx),
                "size": self.h_size,
                "type": np.array(HOUSEHOLD_TYPES, dtype=object)[self.h_type],
                "age_head": self.h_age,
                "income": self.h_income,
                "income_source": np.array(INCOME_SOURCES, dtype=object)[self.h_source],
            }
        )


def _take(codes: tuple[str, ...], idx: np.ndarray) -> np.ndarray:
    arr = np.array((*codes, None), dtype=object)
    return arr[np.where(idx >= 0, idx, len(codes))]


_LEDGER_COLUMNS: dict[str, type] = {
    "replicate": np.int32,
    "year": np.int16,
    "household": np.int64,  # household index in the state
    "household_id": np.int64,  # stable id (State.h_id)
    "from_dwelling": np.int32,  # -1: from outside the region / not housed
    "to_dwelling": np.int32,  # -1: out of the region / no dwelling
    "from_buurt": np.int32,
    "to_buurt": np.int32,
    "cause": np.int8,  # Cause
    "route": np.int8,  # Route
}


@dataclass
class Ledger:
    """Every move of a run, appended in chunks of arrays."""

    chunks: list[dict[str, np.ndarray]] = field(default_factory=list)

    def append(self, **columns: np.ndarray | int) -> None:
        """Append moves; scalars are broadcast (e.g. ``year=3, cause=Cause.FORCED``)."""
        n = max((len(v) for v in columns.values() if isinstance(v, np.ndarray)), default=0)
        if n == 0:
            return
        chunk: dict[str, np.ndarray] = {}
        for name, dtype in _LEDGER_COLUMNS.items():
            if name not in columns:
                raise ValueError(f"ledger: missing column {name}")
            v = columns[name]
            arr: np.ndarray = (
                np.full(n, v, dtype=dtype) if np.isscalar(v) else np.asarray(v).astype(dtype)
            )
            if len(arr) != n:
                raise ValueError(f"ledger: column {name} has {len(arr)} values, expected {n}")
            chunk[name] = arr
        extra = set(columns) - set(_LEDGER_COLUMNS)
        if extra:
            raise ValueError(f"ledger: unknown columns {sorted(extra)}")
        self.chunks.append(chunk)

    def arrays(self) -> dict[str, np.ndarray]:
        """All moves as one array per column."""
        if not self.chunks:
            return {k: np.empty(0, dtype=t) for k, t in _LEDGER_COLUMNS.items()}
        return {k: np.concatenate([c[k] for c in self.chunks]) for k in _LEDGER_COLUMNS}

    def __len__(self) -> int:
        return sum(len(c["year"]) for c in self.chunks)

    def to_frame(self, areas: AreaIndex | None = None) -> pd.DataFrame:
        """The ledger as a frame; with ``areas``, buurt codes and Dutch labels added."""
        df = pd.DataFrame(self.arrays())
        if areas is not None:
            df["from_buurt_code"] = _take(areas.buurt, df["from_buurt"].to_numpy())
            df["to_buurt_code"] = _take(areas.buurt, df["to_buurt"].to_numpy())
        df["cause_name"] = [Cause(c).name.lower() for c in df["cause"]]
        df["route_name"] = [Route(r).name.lower() for r in df["route"]]
        return df
