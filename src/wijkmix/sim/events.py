"""Plan events: step 1 of a simulated year.

A plan changes the dwelling stock: it demolishes, builds, densifies, sells,
buys (*inponden*), renovates, liberalises and transforms. Each change is a
:class:`PlanEvent` of one simulated year in one area; :func:`apply_plan_events`
carries out the events of a year on the :class:`~wijkmix.sim.state.State`.

Which dwellings of an area an event takes is decided by common random numbers:
the eligible dwellings are ranked by ``crn_uniform(key, Step.PLAN, d_id,
sub=<kind>)`` and the first ones are taken. The choice is a pure function of
(seed, replicate, year, dwelling id), so it does not depend on the order of the
arrays, and a plan run and its baseline stay paired.

What each kind does
-------------------
``demolition``
    Dwellings (status ``bewoond`` or ``leeg``) become ``gesloopt``. Their
    occupants are taken out and start seeking with cause ``FORCED``
    (``h_seek_from`` = the dwelling they lost); with ``urgency`` (default true)
    they get urgency (``h_urgent``), with ``right_to_return`` (default true)
    ``h_return_complex`` = the complex of the dwelling (-1 when the dwelling
    has no complex). The ledger records the eviction (cause ``FORCED``, route
    ``NONE``, no destination); the allocation or market step records the later
    placement.
``new_construction``, ``densification``, ``transformation``
    New dwellings are added with status ``in_aanbouw`` in ``year`` and become
    ``leeg`` (vacancies) in ``completion_year`` (default: ``year``). Their
    owner, segment, rent or WOZ value and rooms follow ``mix`` (shares over
    the items, rounded by largest remainder). Densification may give ``share``:
    that share of the existing stock of the area is added. In a ``wijk`` or
    ``gemeente`` the new dwellings are spread evenly over its buurten (in code
    order); in a ``complex`` or ``straat`` they belong to it.
``sale``
    Social rent (default filter: ``corporatie`` + ``sociale_huur``) becomes
    owner-occupied (``eigenaar_bewoner``); the segment is ``koop_betaalbaar``
    when the WOZ value is at most :attr:`EventParams.affordable_purchase_limit`,
    else ``koop_duur``. ``on_vacancy`` sells vacant dwellings only;
    ``sitting_tenant`` sells occupied dwellings to their occupants (who stay).
``purchase``
    Private dwellings (default filter: ``particuliere_verhuurder`` and
    ``eigenaar_bewoner``) that are vacant, and occupied private rental
    dwellings, pass to the ``corporatie`` as ``to_segment`` (default
    ``sociale_huur``) at ``rent`` (default by segment); a sitting tenant keeps
    a lower current rent.
``renovation``
    Dwellings are renovated from ``year`` to ``completion_year`` (status
    ``in_aanbouw`` in between). The rent rises to ``rent`` or by
    :attr:`EventParams.renovation_rent_increase`. Occupants keep a claim on
    their dwelling: they move to a temporary vacant corporation dwelling
    (*wisselwoning*: the same buurt first, then the wijk, then the gemeente;
    cause and route ``TEMPORARY``) or, when none is free or
    :attr:`EventParams.temporary_housing` is false, are *temporarily away*
    (ACTIVE, ``h_dwelling == -1`` and not seeking; see :func:`households_away`).
    In the completion year they return (cause and route ``RETURN``) unless
    they moved elsewhere in the meantime. With ``completion_year == year``
    the dwelling is renovated while inhabited: only the rent changes.
``liberalisation``
    Vacant social rent (default filter: ``corporatie`` + ``sociale_huur``)
    becomes ``to_segment`` (``middenhuur`` by default, or ``vrije_huur``) at
    ``rent`` (default by segment).

Work that spans years (dwellings under construction, renovation claims) is
kept in ``state.extra`` under keys starting with ``plan_``, so that the runner
only has to pass the events of the current year.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd

from wijkmix.areas import Level, parse_code
from wijkmix.errors import InputError, Location
from wijkmix.params.income import income_params
from wijkmix.sim._params_util import params_of
from wijkmix.sim.crn import CrnKey, Step, crn_uniform
from wijkmix.sim.state import (
    BEWOOND,
    CORPORATIE,
    EIGENAAR,
    GESLOOPT,
    IN_AANBOUW,
    KOOP_BETAALBAAR,
    KOOP_DUUR,
    LEEG,
    OWNERS,
    PARTICULIER,
    SEGMENTS,
    Cause,
    HouseholdState,
    Ledger,
    Route,
    State,
)

__all__ = [
    "AREA_LEVELS",
    "EVENT_KINDS",
    "SALE_MODES",
    "EventOutcome",
    "EventParams",
    "EventReport",
    "MixItem",
    "PlanEvent",
    "apply_plan_events",
    "households_away",
]

#: The kinds of plan event.
EVENT_KINDS: tuple[str, ...] = (
    "demolition",
    "new_construction",
    "densification",
    "sale",
    "purchase",
    "renovation",
    "liberalisation",
    "transformation",
)
#: The area levels an event can name.
AREA_LEVELS: tuple[str, ...] = ("complex", "straat", "buurt", "wijk", "gemeente")
#: How social rent is sold.
SALE_MODES: tuple[str, ...] = ("on_vacancy", "sitting_tenant")

_NEW_KINDS = ("new_construction", "densification", "transformation")
_RENTAL_SEGMENTS = ("sociale_huur", "middenhuur", "vrije_huur")
_KOOP_SEGMENTS = ("koop_betaalbaar", "koop_duur")
_CBS_LEVELS = ("buurt", "wijk", "gemeente")

_COMMON_KEYS = ("kind", "year", "area_level", "area_code")
#: keys an event of each kind may carry besides the common ones
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "demolition": ("dwellings", "share", "owner", "segment", "urgency", "right_to_return"),
    "new_construction": ("dwellings", "mix", "owner", "segment", "completion_year"),
    "densification": ("dwellings", "share", "mix", "owner", "segment", "completion_year"),
    "transformation": ("dwellings", "mix", "owner", "segment", "completion_year"),
    "sale": ("dwellings", "share", "owner", "segment", "sale_mode"),
    "purchase": ("dwellings", "share", "owner", "segment", "rent", "to_segment"),
    "renovation": ("dwellings", "share", "owner", "segment", "completion_year", "rent"),
    "liberalisation": ("dwellings", "share", "owner", "segment", "rent", "to_segment"),
}
_MIX_KEYS = ("owner", "segment", "share", "rent", "woz_value", "rooms", "floor_area")

# keys of the multi-year bookkeeping in State.extra
_PENDING_DWELLING = "plan_pending_dwelling"
_PENDING_YEAR = "plan_pending_year"
_PENDING_KIND = "plan_pending_kind"
_RETURN_HOUSEHOLD = "plan_return_household"
_RETURN_DWELLING = "plan_return_dwelling"
_RETURN_TEMP = "plan_return_temp"
_RETURN_YEAR = "plan_return_year"


# -- validation helpers ------------------------------------------------------------
def _bad(
    where: str, what: str, expected: str, found: object, hint: str | None = None
) -> InputError:
    return InputError(what, where=Location(field=where), expected=expected, found=found, hint=hint)


def _is_int(v: object) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _is_number(v: object) -> bool:
    return _is_int(v) or (isinstance(v, float | np.floating) and bool(np.isfinite(v)))


def _int(v: object, where: str, *, minimum: int) -> int:
    if not _is_int(v) or int(v) < minimum:  # type: ignore[call-overload]
        raise _bad(where, "invalid value", f"a whole number of at least {minimum}", v)
    return int(v)  # type: ignore[call-overload]


def _float(
    v: object,
    where: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    open_lo: bool = False,
) -> float:
    if not _is_number(v):
        raise _bad(where, "invalid value", "a number", v)
    x = float(v)  # type: ignore[arg-type]
    if (lo is not None and (x < lo or (open_lo and x == lo))) or (hi is not None and x > hi):
        lo_txt = "" if lo is None else (f"above {lo:g}" if open_lo else f"at least {lo:g}")
        hi_txt = "" if hi is None else f"at most {hi:g}"
        rng = " and ".join(t for t in (lo_txt, hi_txt) if t)
        raise _bad(where, "value out of range", f"a number {rng}", v)
    return x


def _bool(v: object, where: str) -> bool:
    if not isinstance(v, bool | np.bool_):
        raise _bad(where, "invalid value", "true or false", v)
    return bool(v)


def _choice(v: object, where: str, allowed: Sequence[str]) -> str:
    if not isinstance(v, str) or v not in allowed:
        raise _bad(where, "unknown value", "one of " + ", ".join(allowed), v)
    return v


def _choices(v: object, where: str, allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(v, str):
        return (_choice(v, where, allowed),)
    if isinstance(v, list | tuple):
        out = tuple(_choice(x, f"{where}[{i}]", allowed) for i, x in enumerate(v))
        if not out:
            raise _bad(where, "empty list", "at least one of " + ", ".join(allowed), v)
        return out
    raise _bad(where, "invalid value", "a text or a list of texts", v)


def _mapping(v: object, where: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise _bad(where, "invalid value", "a table (key = value pairs)", type(v).__name__)
    return v


def _check_keys(d: Mapping[str, Any], where: str, allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    for k in d:
        if k not in allowed:
            raise _bad(f"{where}.{k}", f"unknown key for {what}", "one of " + ", ".join(allowed), k)


# -- the event ---------------------------------------------------------------------
@dataclass(frozen=True)
class MixItem:
    """One item of the mix of new dwellings.

    Parameters
    ----------
    owner, segment : str
        Owner (:data:`~wijkmix.sim.state.OWNERS`) and segment
        (:data:`~wijkmix.sim.state.SEGMENTS`); ``eigenaar_bewoner`` goes with
        the ``koop_*`` segments, the other owners with the rental segments.
    share : float
        Share of the new dwellings (0 < share ≤ 1); the shares of a mix add up to 1.
    rent : float, optional
        Monthly rent of rental dwellings (default :attr:`EventParams.default_rent`).
    woz_value : float, optional
        WOZ value of owner-occupied dwellings (default :attr:`EventParams.default_woz`).
    rooms : int, optional
        Rooms (default :attr:`EventParams.default_rooms`).
    floor_area : float, optional
        Floor area in m² (default :attr:`EventParams.default_floor_area`).
    where : str
        The field the item was read from, for error messages.
    """

    owner: str
    segment: str
    share: float = 1.0
    rent: float | None = None
    woz_value: float | None = None
    rooms: int | None = None
    floor_area: float | None = None
    where: str = field(default="mix[0]", compare=False)

    def __post_init__(self) -> None:
        w = self.where
        _choice(self.owner, f"{w}.owner", OWNERS)
        _choice(self.segment, f"{w}.segment", SEGMENTS)
        koop_owner = self.owner == "eigenaar_bewoner"
        if koop_owner != (self.segment in _KOOP_SEGMENTS):
            allowed = _KOOP_SEGMENTS if koop_owner else _RENTAL_SEGMENTS
            raise _bad(
                f"{w}.segment",
                "segment does not fit the owner",
                f"for {self.owner}: one of " + ", ".join(allowed),
                self.segment,
            )
        _float(self.share, f"{w}.share", lo=0.0, hi=1.0, open_lo=True)
        if self.rent is not None:
            if self.segment in _KOOP_SEGMENTS:
                raise _bad(
                    f"{w}.rent",
                    "rent given for owner-occupied dwellings",
                    "woz_value instead",
                    self.rent,
                )
            _float(self.rent, f"{w}.rent", lo=0.0, open_lo=True)
        if self.woz_value is not None:
            if self.segment not in _KOOP_SEGMENTS:
                raise _bad(
                    f"{w}.woz_value",
                    "WOZ value given for rental dwellings",
                    "rent instead",
                    self.woz_value,
                )
            _float(self.woz_value, f"{w}.woz_value", lo=0.0, open_lo=True)
        if self.rooms is not None:
            _int(self.rooms, f"{w}.rooms", minimum=1)
        if self.floor_area is not None:
            _float(self.floor_area, f"{w}.floor_area", lo=0.0, open_lo=True)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> MixItem:
        """Read one mix item from a TOML table; errors name ``field``."""
        d = _mapping(d, field)
        _check_keys(d, field, _MIX_KEYS, "a mix item")
        for k in ("owner", "segment"):
            if k not in d:
                raise _bad(f"{field}.{k}", "missing key", f"the {k} of the new dwellings", None)
        return cls(
            owner=d["owner"],
            segment=d["segment"],
            share=d.get("share", 1.0),
            rent=d.get("rent"),
            woz_value=d.get("woz_value"),
            rooms=d.get("rooms"),
            floor_area=d.get("floor_area"),
            where=field,
        )


@dataclass(frozen=True)
class PlanEvent:
    """One change of the dwelling stock in one simulated year and area.

    See the module docstring for what each kind does.

    Parameters
    ----------
    kind : str
        One of :data:`EVENT_KINDS`.
    year : int
        Simulated year (1 = the first year of the run).
    area_level : str
        ``complex``, ``straat``, ``buurt``, ``wijk`` or ``gemeente``.
    area_code : str
        The code of the area (CBS code for buurt, wijk and gemeente; the
        register's code for complex and straat).
    dwellings : int, optional
        Number of dwellings (new ones, or taken from the eligible stock).
    share : float, optional
        Share (0–1) of the eligible stock of the area (densification: of its
        existing stock). Without ``dwellings`` and ``share``, all eligible
        dwellings are taken.
    owner, segment : tuple of str
        Filters on the eligible stock (empty: the kind's default). For new
        dwellings without ``mix``, a single owner and segment make a one-item mix.
    mix : tuple of MixItem
        New dwellings by owner and segment.
    completion_year : int, optional
        Year in which new or renovated dwellings are finished (default ``year``).
    sale_mode : str
        ``on_vacancy`` or ``sitting_tenant`` (sale only).
    rent : float, optional
        Monthly rent after purchase, liberalisation or renovation.
    to_segment : str, optional
        Segment after liberalisation (default ``middenhuur``) or purchase
        (default ``sociale_huur``).
    urgency, right_to_return : bool
        Demolition: give the forced movers urgency and a right to return.
    where : str
        The field the event was read from (``events[3]``), for error messages.

    Examples
    --------
    >>> ev = PlanEvent.from_dict(
    ...     {"kind": "demolition", "year": 2, "area_level": "buurt",
    ...      "area_code": "BU05180170 ", "share": 0.5}, field="events[0]")
    >>> ev.area_code, ev.urgency
    ('BU05180170', True)
    >>> PlanEvent.from_dict({"kind": "sale", "year": 1, "area_level": "wijk",
    ...                      "area_code": "WK051801", "share": 1.5}, field="events[3]")
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: value out of range in field 'events[3].share': ...
    """

    kind: str
    year: int
    area_level: str
    area_code: str
    dwellings: int | None = None
    share: float | None = None
    owner: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    mix: tuple[MixItem, ...] = ()
    completion_year: int | None = None
    sale_mode: str = "on_vacancy"
    rent: float | None = None
    to_segment: str | None = None
    urgency: bool = True
    right_to_return: bool = True
    where: str = field(default="event", compare=False)

    def __post_init__(self) -> None:
        w = self.where
        kind = _choice(self.kind, f"{w}.kind", EVENT_KINDS)
        year = _int(self.year, f"{w}.year", minimum=1)
        level = _choice(self.area_level, f"{w}.area_level", AREA_LEVELS)
        if level in _CBS_LEVELS:
            code = parse_code(
                self.area_code,
                level=cast(Level, level),
                where=Location(field=f"{w}.area_code"),
            ).code
        else:
            if not isinstance(self.area_code, str) or not self.area_code.strip():
                raise _bad(f"{w}.area_code", "invalid area code", f"a {level} code", self.area_code)
            code = self.area_code.strip()
        object.__setattr__(self, "area_code", code)
        if self.dwellings is not None:
            _int(self.dwellings, f"{w}.dwellings", minimum=1)
        if self.share is not None:
            _float(self.share, f"{w}.share", lo=0.0, hi=1.0)
        if self.dwellings is not None and self.share is not None:
            raise _bad(f"{w}.share", "both dwellings and share given", "one of them", self.share)
        if kind in ("new_construction", "transformation"):
            if self.share is not None:
                raise _bad(
                    f"{w}.share",
                    f"share not possible for {kind}",
                    "dwellings: the number of new dwellings",
                    self.share,
                )
            if self.dwellings is None:
                raise _bad(
                    f"{w}.dwellings",
                    "missing number of new dwellings",
                    "dwellings = a whole number",
                    None,
                )
        if kind == "densification" and self.dwellings is None and self.share is None:
            raise _bad(
                f"{w}.dwellings",
                "missing quantity of densification",
                "dwellings (a number) or share (of the existing stock)",
                None,
            )
        owner = self.owner if not isinstance(self.owner, str) else (self.owner,)
        segment = self.segment if not isinstance(self.segment, str) else (self.segment,)
        object.__setattr__(
            self, "owner", _choices(list(owner), f"{w}.owner", OWNERS) if owner else ()
        )
        object.__setattr__(
            self, "segment", _choices(list(segment), f"{w}.segment", SEGMENTS) if segment else ()
        )
        mix = tuple(self.mix)
        if mix and kind not in _NEW_KINDS:
            raise _bad(
                f"{w}.mix",
                f"mix not possible for {kind}",
                "a mix only for " + ", ".join(_NEW_KINDS),
                "a mix",
            )
        if kind in _NEW_KINDS:
            if not mix:
                if len(self.owner) == 1 and len(self.segment) == 1:
                    mix = (MixItem(self.owner[0], self.segment[0], 1.0, where=f"{w}.mix[0]"),)
                else:
                    raise _bad(
                        f"{w}.mix",
                        "missing mix of the new dwellings",
                        "mix = [{owner, segment, share}, ...] or one owner and segment",
                        None,
                    )
            total = sum(m.share for m in mix)
            if abs(total - 1.0) > 1e-6:
                raise _bad(
                    f"{w}.mix",
                    "shares of the mix do not add up to 1",
                    "shares with sum 1",
                    round(total, 6),
                )
            object.__setattr__(self, "mix", mix)
        completion = year if self.completion_year is None else self.completion_year
        if kind not in (*_NEW_KINDS, "renovation") and completion != year:
            raise _bad(
                f"{w}.completion_year",
                f"completion year not possible for {kind}",
                "completion_year only for new dwellings and renovation",
                self.completion_year,
            )
        completion = _int(completion, f"{w}.completion_year", minimum=1)
        if completion < year:
            raise _bad(
                f"{w}.completion_year",
                "completion before the start",
                f"a year of at least {year} (the event's year)",
                completion,
            )
        object.__setattr__(self, "completion_year", completion)
        mode = _choice(self.sale_mode, f"{w}.sale_mode", SALE_MODES)
        if kind != "sale" and mode != "on_vacancy":
            raise _bad(
                f"{w}.sale_mode",
                f"sale mode not possible for {kind}",
                "sale_mode only for sale",
                mode,
            )
        if self.rent is not None:
            if kind not in ("purchase", "liberalisation", "renovation"):
                raise _bad(
                    f"{w}.rent",
                    f"rent not possible for {kind}",
                    "rent only for purchase, liberalisation and renovation",
                    self.rent,
                )
            _float(self.rent, f"{w}.rent", lo=0.0, open_lo=True)
        to_seg = self.to_segment
        if kind == "liberalisation":
            to_seg = _choice(
                to_seg or "middenhuur", f"{w}.to_segment", ("middenhuur", "vrije_huur")
            )
        elif kind == "purchase":
            to_seg = _choice(to_seg or "sociale_huur", f"{w}.to_segment", _RENTAL_SEGMENTS)
        elif to_seg is not None:
            raise _bad(
                f"{w}.to_segment",
                f"to_segment not possible for {kind}",
                "to_segment only for liberalisation and purchase",
                to_seg,
            )
        object.__setattr__(self, "to_segment", to_seg)
        _bool(self.urgency, f"{w}.urgency")
        _bool(self.right_to_return, f"{w}.right_to_return")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> PlanEvent:
        """Read and validate an event from a TOML table.

        Parameters
        ----------
        d : Mapping
            The table: ``kind``, ``year``, ``area_level``, ``area_code`` and the
            keys the kind allows (see :class:`PlanEvent`).
        field : str
            Where the table was read (``events[3]``); errors name
            ``events[3].<key>``.

        Raises
        ------
        InputError
            Unknown key or kind, a key the kind does not allow, a value out of
            range, a completion before the year, a malformed area code.
        """
        d = _mapping(d, field)
        for k in _COMMON_KEYS:
            if k not in d:
                raise _bad(f"{field}.{k}", "missing key", f"{k} of the event", None)
        kind = _choice(d["kind"], f"{field}.kind", EVENT_KINDS)
        _check_keys(d, field, (*_COMMON_KEYS, *_KIND_KEYS[kind]), f"a {kind} event")
        mix_raw = d.get("mix", ())
        if not isinstance(mix_raw, list | tuple):
            raise _bad(f"{field}.mix", "invalid value", "a list of tables", type(mix_raw).__name__)
        mix = tuple(MixItem.from_dict(m, field=f"{field}.mix[{i}]") for i, m in enumerate(mix_raw))
        owner = _choices(d["owner"], f"{field}.owner", OWNERS) if "owner" in d else ()
        segment = _choices(d["segment"], f"{field}.segment", SEGMENTS) if "segment" in d else ()
        return cls(
            kind=kind,
            year=d["year"],
            area_level=d["area_level"],
            area_code=d["area_code"],
            dwellings=d.get("dwellings"),
            share=d.get("share"),
            owner=owner,
            segment=segment,
            mix=mix,
            completion_year=d.get("completion_year"),
            sale_mode=d.get("sale_mode", "on_vacancy"),
            rent=d.get("rent"),
            to_segment=d.get("to_segment"),
            urgency=d.get("urgency", True),
            right_to_return=d.get("right_to_return", True),
            where=field,
        )


# -- parameters ------------------------------------------------------------------------
_INCOME_2024 = income_params(2024)
_SRC_ASSUMPTION = "wijkmix-aanname"
_DEFAULT_RENT: dict[str, float] = {
    "sociale_huur": 600.0,
    "middenhuur": 1000.0,
    "vrije_huur": 1400.0,
}
_DEFAULT_WOZ: dict[str, float] = {"koop_betaalbaar": 350_000.0, "koop_duur": 550_000.0}
_EVENT_SOURCES: dict[str, str] = {
    "default_rent": (
        "wijkmix-aanname voor nieuwe woningen: sociale huur €600 (orde van de gemiddelde "
        "kale huur van corporatiewoningen, Aedes Huurmonitor 2023); middenhuur €1.000 "
        "(tussen liberalisatiegrens €879,66 en bovengrens Wet betaalbare huur €1.157,95, "
        "2024); vrije huur €1.400 (boven de middenhuurgrens)"
    ),
    "default_woz": (
        "wijkmix-aanname: koop betaalbaar €350.000 (onder de NHG-kostengrens 2024, "
        "€435.000), koop duur €550.000"
    ),
    "affordable_purchase_limit": _INCOME_2024.sources["affordable_purchase_limit"],
    "renovation_rent_increase": (
        "wijkmix-aanname: 5 %; de huur na renovatie volgt uit de extra WWS-punten "
        "(Besluit huurprijzen woonruimte)"
    ),
    "default_rooms": _SRC_ASSUMPTION + ": 3 kamers",
    "default_floor_area": _SRC_ASSUMPTION + ": 75 m² gebruiksoppervlak",
    "temporary_housing": (
        "wijkmix-aanname: bewoners van te renoveren woningen krijgen een wisselwoning "
        "(leegstaande corporatiewoning) als die er is"
    ),
}
_EVENT_PARAM_KEYS = tuple(_EVENT_SOURCES)


@dataclass(frozen=True)
class EventParams:
    """Defaults for plan events; every value carries its source.

    Attributes
    ----------
    default_rent : Mapping[str, float]
        Monthly rent of new, purchased or liberalised dwellings by rental
        segment, when the event does not give one.
    default_woz : Mapping[str, float]
        WOZ value of new owner-occupied dwellings by ``koop_*`` segment, and of
        sold social dwellings without a WOZ value (``koop_betaalbaar``).
    affordable_purchase_limit : float
        WOZ value up to which a sold dwelling is ``koop_betaalbaar``.
    renovation_rent_increase : float
        Relative rent increase after renovation when the event gives no rent.
    default_rooms : int
    default_floor_area : float
    temporary_housing : bool
        Whether renovation tenants move to a temporary corporation vacancy.
    sources : Mapping[str, str]
        Source of every value.
    """

    default_rent: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(_DEFAULT_RENT))
    )
    default_woz: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(_DEFAULT_WOZ))
    )
    affordable_purchase_limit: float = _INCOME_2024.affordable_purchase_limit
    renovation_rent_increase: float = 0.05
    default_rooms: int = 3
    default_floor_area: float = 75.0
    temporary_housing: bool = True
    sources: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(dict(_EVENT_SOURCES))
    )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> EventParams:
        """Defaults overridden by a TOML table (e.g. ``[params.events]``).

        Keys: ``default_rent`` (table by rental segment), ``default_woz`` (table
        by koop segment), ``affordable_purchase_limit``,
        ``renovation_rent_increase`` (0–1), ``default_rooms``,
        ``default_floor_area``, ``temporary_housing``. The source of an
        overridden value becomes the field it was read from.

        Examples
        --------
        >>> p = EventParams.from_dict({"default_rent": {"middenhuur": 1100}},
        ...                           field="params.events")
        >>> p.default_rent["middenhuur"], p.default_rent["sociale_huur"]
        (1100.0, 600.0)
        >>> EventParams.from_dict({"default_rent": {"koop_duur": 1}}, field="params.events")
        Traceback (most recent call last):
        ...
        wijkmix.errors.InputError: unknown key for default_rent in field \
'params.events.default_rent.koop_duur': ...
        """
        d = _mapping(d, field)
        _check_keys(d, field, _EVENT_PARAM_KEYS, "event parameters")
        base = cls()
        sources = dict(base.sources)
        kw: dict[str, Any] = {}
        for name, allowed, table in (
            ("default_rent", _RENTAL_SEGMENTS, base.default_rent),
            ("default_woz", _KOOP_SEGMENTS, base.default_woz),
        ):
            if name in d:
                sub = _mapping(d[name], f"{field}.{name}")
                _check_keys(sub, f"{field}.{name}", allowed, name)
                new = dict(table)
                for k, v in sub.items():
                    new[k] = _float(v, f"{field}.{name}.{k}", lo=0.0, open_lo=True)
                kw[name] = MappingProxyType(new)
        if "affordable_purchase_limit" in d:
            kw["affordable_purchase_limit"] = _float(
                d["affordable_purchase_limit"], f"{field}.affordable_purchase_limit", lo=0.0
            )
        if "renovation_rent_increase" in d:
            kw["renovation_rent_increase"] = _float(
                d["renovation_rent_increase"], f"{field}.renovation_rent_increase", lo=0.0, hi=1.0
            )
        if "default_rooms" in d:
            kw["default_rooms"] = _int(d["default_rooms"], f"{field}.default_rooms", minimum=1)
        if "default_floor_area" in d:
            kw["default_floor_area"] = _float(
                d["default_floor_area"], f"{field}.default_floor_area", lo=0.0, open_lo=True
            )
        if "temporary_housing" in d:
            kw["temporary_housing"] = _bool(d["temporary_housing"], f"{field}.temporary_housing")
        for name in kw:
            sources[name] = f"opgegeven in {field}.{name}"
        return cls(**kw, sources=MappingProxyType(sources))


class _HasEventParams(Protocol):
    events: EventParams


# -- report ------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventOutcome:
    """What one event did.

    Attributes
    ----------
    where : str
        The event's field (``events[3]``).
    kind, area_level, area_code : str
    requested : int
        Dwellings the event asked for (for a share: share × eligible stock,
        rounded; without quantity: the eligible stock).
    realised : int
        Dwellings changed (fewer than requested when the area has too few
        eligible dwellings).
    households : int
        Households affected (forced movers, temporary movers, tenants who bought
        or whose landlord changed).
    """

    where: str
    kind: str
    area_level: str
    area_code: str
    requested: int
    realised: int
    households: int


@dataclass(frozen=True)
class EventReport:
    """Counts of the plan events of one simulated year.

    Attributes
    ----------
    year : int
    demolished : int
        Dwellings demolished.
    started : int
        New dwellings added under construction (new construction,
        densification and transformation).
    completed : int
        Dwellings of new construction and densification that became vacancies.
    transformed : int
        Dwellings from transformation that became vacancies.
    sold, purchased, renovated, liberalised : int
        Dwellings sold, bought by corporations, taken into renovation,
        liberalised.
    renovations_completed : int
        Renovated dwellings finished this year.
    forced_movers : int
        Households that lost their dwelling through demolition.
    temporary_movers : int
        Renovation households moved to a temporary dwelling.
    away : int
        Renovation households without a temporary dwelling (temporarily away).
    returned : int
        Renovation households back in their dwelling.
    events : tuple of EventOutcome
        Per event of this year.
    """

    year: int
    demolished: int = 0
    started: int = 0
    completed: int = 0
    transformed: int = 0
    sold: int = 0
    purchased: int = 0
    renovated: int = 0
    liberalised: int = 0
    renovations_completed: int = 0
    forced_movers: int = 0
    temporary_movers: int = 0
    away: int = 0
    returned: int = 0
    events: tuple[EventOutcome, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The per-event outcomes with Dutch column labels."""
        return pd.DataFrame(
            {
                "jaar": [self.year] * len(self.events),
                "veld": [e.where for e in self.events],
                "soort": [e.kind for e in self.events],
                "niveau": [e.area_level for e in self.events],
                "gebied": [e.area_code for e in self.events],
                "gevraagd": [e.requested for e in self.events],
                "gerealiseerd": [e.realised for e in self.events],
                "huishoudens": [e.households for e in self.events],
            }
        )


# -- bookkeeping across years ----------------------------------------------------------
def _extra(state: State, name: str, dtype: type) -> np.ndarray:
    arr = state.extra.get(name)
    if arr is None:
        arr = np.empty(0, dtype=dtype)
        state.extra[name] = arr
    return arr


def _push(state: State, **columns: tuple[np.ndarray, type]) -> None:
    for name, (values, dtype) in columns.items():
        state.extra[name] = np.concatenate([_extra(state, name, dtype), values.astype(dtype)])


def households_away(state: State) -> np.ndarray:
    """Indices of households temporarily away during a renovation.

    They are ACTIVE, not housed and not seeking, and hold a claim to return to
    their renovated dwelling in its completion year.
    """
    hh = _extra(state, _RETURN_HOUSEHOLD, np.int64)
    if len(hh) == 0:
        return hh.copy()
    away = (
        (state.h_dwelling[hh] < 0)
        & (state.h_state[hh] == HouseholdState.ACTIVE)
        & (state.h_seek_cause[hh] < 0)
    )
    return np.unique(hh[away])


# -- selection ------------------------------------------------------------------------------
def _area_mask(state: State, ev: PlanEvent) -> np.ndarray:
    a = state.areas
    level = ev.area_level
    codes: tuple[str, ...] = getattr(a, level)
    if ev.area_code not in codes:
        raise _bad(
            f"{ev.where}.area_code",
            "unknown area",
            f"a {level} code of the simulated registers",
            ev.area_code,
            hint=f"the registers hold {len(codes)} {level} codes",
        )
    idx = codes.index(ev.area_code)
    if level == "complex":
        return np.asarray(state.d_complex == idx)
    if level == "straat":
        return np.asarray(state.d_straat == idx)
    if level == "buurt":
        return np.asarray(state.d_buurt == idx)
    parent = a.buurt_wijk if level == "wijk" else a.buurt_gemeente
    return np.asarray(parent[state.d_buurt] == idx)


def _codes_of(names: Sequence[str], allowed: Sequence[str]) -> np.ndarray:
    return np.array([allowed.index(n) for n in names], dtype=np.int8)


def _eligible(
    state: State,
    area: np.ndarray,
    ev: PlanEvent,
    *,
    status: Sequence[int],
    occupied: bool | None = None,
    default_owner: Sequence[str] = (),
    default_segment: Sequence[str] = (),
) -> np.ndarray:
    m = area & np.isin(state.d_status, np.asarray(status, dtype=np.int8))
    if occupied is not None:
        m &= (state.d_occupant >= 0) if occupied else (state.d_occupant < 0)
    owners = ev.owner or tuple(default_owner)
    segments = ev.segment or tuple(default_segment)
    if owners:
        m &= np.isin(state.d_owner, _codes_of(owners, OWNERS))
    if segments:
        m &= np.isin(state.d_segment, _codes_of(segments, SEGMENTS))
    return np.flatnonzero(m)


def _quantity(ev: PlanEvent, n_eligible: int) -> int:
    if ev.dwellings is not None:
        return int(ev.dwellings)
    if ev.share is not None:
        return int(np.floor(ev.share * n_eligible + 0.5))
    return n_eligible


def _select(state: State, idx: np.ndarray, n: int, key: CrnKey, kind: str) -> np.ndarray:
    """The ``n`` eligible dwellings ranked first by the CRN of their id."""
    if len(idx) == 0 or n <= 0:
        return np.empty(0, dtype=np.int64)
    ids = state.d_id[idx]
    u = crn_uniform(key, Step.PLAN, ids, sub=EVENT_KINDS.index(kind))
    order = np.lexsort((ids, u))
    return idx[order[: min(n, len(idx))]].astype(np.int64)


def _buurt_of(state: State, dw: np.ndarray) -> np.ndarray:
    dw = np.asarray(dw, dtype=np.int64)
    out = np.full(len(dw), -1, dtype=np.int32)
    ok = dw >= 0
    out[ok] = state.d_buurt[dw[ok]]
    return out


@dataclass
class _Year:
    """What the events of one simulated year work on, and their running counts."""

    state: State
    key: CrnKey
    params: EventParams
    ledger: Ledger
    replicate: int
    year: int
    start_year: int | None
    #: counts by the name of their :class:`EventReport` field
    tally: Counter[str] = field(default_factory=Counter)

    def log(
        self,
        households: np.ndarray,
        from_dw: np.ndarray,
        to_dw: np.ndarray,
        *,
        cause: int,
        route: int,
    ) -> None:
        """Write the moves of ``households`` to the ledger."""
        if len(households) == 0:
            return
        state = self.state
        hh = np.asarray(households, dtype=np.int64)
        self.ledger.append(
            replicate=self.replicate,
            year=self.year,
            household=hh,
            household_id=state.h_id[hh],
            from_dwelling=np.asarray(from_dw),
            to_dwelling=np.asarray(to_dw),
            from_buurt=_buurt_of(state, from_dw),
            to_buurt=_buurt_of(state, to_dw),
            cause=int(cause),
            route=int(route),
        )


def _pair_within(
    g_h: np.ndarray, r_h: np.ndarray, g_d: np.ndarray, r_d: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pair items of two sets within groups, each side in rank order.

    Returns positions into the household and dwelling arrays: the k-th
    household of a group (by rank) gets the k-th dwelling of that group.
    """

    def ordinal(g: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.lexsort((r, g))
        gs = g[order]
        start = np.searchsorted(gs, gs, side="left")
        ordn = np.empty(len(g), dtype=np.int64)
        ordn[order] = np.arange(len(g)) - start
        return order, ordn

    ok_h = np.flatnonzero(g_h >= 0)
    ok_d = np.flatnonzero(g_d >= 0)
    if len(ok_h) == 0 or len(ok_d) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    _, oh = ordinal(g_h[ok_h], r_h[ok_h])
    _, od = ordinal(g_d[ok_d], r_d[ok_d])
    width = int(max(len(ok_h), len(ok_d))) + 1
    kh = g_h[ok_h].astype(np.int64) * width + oh
    kd = g_d[ok_d].astype(np.int64) * width + od
    _, ih, idd = np.intersect1d(kh, kd, assume_unique=True, return_indices=True)
    return ok_h[ih], ok_d[idd]


# -- the kinds --------------------------------------------------------------------------------
def _demolish(y: _Year, ev: PlanEvent, area: np.ndarray) -> EventOutcome:
    state, key = y.state, y.key
    elig = _eligible(state, area, ev, status=(BEWOOND, LEEG))
    n = _quantity(ev, len(elig))
    sel = _select(state, elig, n, key, ev.kind)
    hh = state.d_occupant[sel]
    lost = sel[hh >= 0]
    hh = hh[hh >= 0].astype(np.int64)
    state.vacate(hh)
    state.d_status[sel] = GESLOOPT
    state.h_seek_cause[hh] = Cause.FORCED
    state.h_seek_from[hh] = lost.astype(np.int32)
    state.h_seek_years[hh] = 0
    if ev.urgency:
        state.h_urgent[hh] = True
    if ev.right_to_return:
        state.h_return_complex[hh] = state.d_complex[lost]
    y.log(hh, lost, np.full(len(hh), -1), cause=Cause.FORCED, route=Route.NONE)
    y.tally["demolished"] += len(sel)
    y.tally["forced_movers"] += len(hh)
    return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, len(sel), len(hh))


def _split(n: int, shares: Sequence[float]) -> np.ndarray:
    """Split ``n`` by shares with the largest-remainder rule (ties: first item)."""
    s = np.asarray(shares, dtype=np.float64)
    exact = s / s.sum() * n
    base = np.floor(exact).astype(np.int64)
    rest = n - int(base.sum())
    if rest > 0:
        order = np.lexsort((np.arange(len(s)), -(exact - base)))
        base[order[:rest]] += 1
    return base


def _build(y: _Year, ev: PlanEvent, area: np.ndarray) -> EventOutcome:
    state, ep, start_year = y.state, y.params, y.start_year
    a = state.areas
    level = ev.area_level
    if ev.dwellings is not None:
        n = int(ev.dwellings)
    else:
        existing = int((area & np.isin(state.d_status, (BEWOOND, LEEG))).sum())
        n = _quantity(ev, existing)
    idx = getattr(a, level).index(ev.area_code)
    cx, st = -1, -1
    if level == "complex":
        buurten = np.array([a.complex_buurt[idx]], dtype=np.int32)
        cx = idx
    elif level == "straat":
        buurten = np.array([a.straat_buurt[idx]], dtype=np.int32)
        st = idx
    else:
        buurten = a.buurten_of(level, ev.area_code)
    if n == 0 or len(buurten) == 0:
        return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, 0, 0)
    per_buurt = _split(n, [1.0] * len(buurten))
    d_buurt = np.repeat(buurten, per_buurt).astype(np.int32)
    per_item = _split(n, [m.share for m in ev.mix])
    items = np.repeat(np.arange(len(ev.mix)), per_item)
    owner = np.array([OWNERS.index(m.owner) for m in ev.mix], dtype=np.int8)[items]
    segment = np.array([SEGMENTS.index(m.segment) for m in ev.mix], dtype=np.int8)[items]
    rent = np.array(
        [
            np.nan
            if m.segment in _KOOP_SEGMENTS
            else (m.rent if m.rent is not None else ep.default_rent[m.segment])
            for m in ev.mix
        ]
    )[items]
    woz = np.array(
        [
            (m.woz_value if m.woz_value is not None else ep.default_woz[m.segment])
            if m.segment in _KOOP_SEGMENTS
            else np.nan
            for m in ev.mix
        ]
    )[items]
    rooms = np.array([m.rooms or ep.default_rooms for m in ev.mix], dtype=np.int16)[items]
    area_m2 = np.array([m.floor_area or ep.default_floor_area for m in ev.mix], dtype=np.float32)[
        items
    ]
    assert ev.completion_year is not None
    build_year = 0 if start_year is None else start_year + ev.completion_year - 1
    new = state.add_dwellings(
        d_buurt=d_buurt,
        d_complex=np.full(n, cx, dtype=np.int32),
        d_portiek=np.full(n, -1, dtype=np.int32),
        d_straat=np.full(n, st, dtype=np.int32),
        d_owner=owner,
        d_segment=segment,
        d_status=np.full(n, IN_AANBOUW, dtype=np.int8),
        d_rent=rent,
        d_woz=woz,
        d_rooms=rooms,
        d_floor_area=area_m2,
        d_build_year=np.full(n, build_year, dtype=np.int16),
    )
    _push(
        state,
        **{
            _PENDING_DWELLING: (new, np.int64),
            _PENDING_YEAR: (np.full(n, ev.completion_year), np.int32),
            _PENDING_KIND: (np.full(n, EVENT_KINDS.index(ev.kind)), np.int8),
        },
    )
    y.tally["started"] += n
    return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, n, 0)


def _sell(y: _Year, ev: PlanEvent, area: np.ndarray) -> EventOutcome:
    state, key, ep = y.state, y.key, y.params
    occupied = ev.sale_mode == "sitting_tenant"
    elig = _eligible(
        state,
        area,
        ev,
        status=(BEWOOND,) if occupied else (LEEG,),
        occupied=occupied,
        default_owner=("corporatie",),
        default_segment=("sociale_huur",),
    )
    n = _quantity(ev, len(elig))
    sel = _select(state, elig, n, key, ev.kind)
    woz = state.d_woz[sel]
    woz = np.where(np.isnan(woz), ep.default_woz["koop_betaalbaar"], woz)
    state.d_woz[sel] = woz
    state.d_owner[sel] = EIGENAAR
    state.d_segment[sel] = np.where(
        woz <= ep.affordable_purchase_limit, KOOP_BETAALBAAR, KOOP_DUUR
    ).astype(np.int8)
    state.d_rent[sel] = np.nan
    y.tally["sold"] += len(sel)
    buyers = int((state.d_occupant[sel] >= 0).sum())
    return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, len(sel), buyers)


def _purchase(y: _Year, ev: PlanEvent, area: np.ndarray) -> EventOutcome:
    state, key, ep = y.state, y.key, y.params
    owners = ev.owner or ("particuliere_verhuurder", "eigenaar_bewoner")
    vacant = _eligible(state, area, ev, status=(LEEG,), occupied=False, default_owner=owners)
    rented = _eligible(state, area, ev, status=(BEWOOND,), occupied=True, default_owner=owners)
    rented = rented[state.d_owner[rented] == PARTICULIER]
    elig = np.union1d(vacant, rented)
    n = _quantity(ev, len(elig))
    sel = _select(state, elig, n, key, ev.kind)
    assert ev.to_segment is not None
    new_rent = ev.rent if ev.rent is not None else ep.default_rent[ev.to_segment]
    occ = state.d_occupant[sel] >= 0
    old = state.d_rent[sel]
    keep_lower = occ & ~np.isnan(old) & (old < new_rent)
    state.d_rent[sel] = np.where(keep_lower, old, new_rent)
    state.d_owner[sel] = CORPORATIE
    state.d_segment[sel] = SEGMENTS.index(ev.to_segment)
    y.tally["purchased"] += len(sel)
    return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, len(sel), int(occ.sum()))


def _liberalise(y: _Year, ev: PlanEvent, area: np.ndarray) -> EventOutcome:
    state, key, ep = y.state, y.key, y.params
    elig = _eligible(
        state,
        area,
        ev,
        status=(LEEG,),
        occupied=False,
        default_owner=("corporatie",),
        default_segment=("sociale_huur",),
    )
    n = _quantity(ev, len(elig))
    sel = _select(state, elig, n, key, ev.kind)
    assert ev.to_segment is not None
    state.d_segment[sel] = SEGMENTS.index(ev.to_segment)
    state.d_rent[sel] = ev.rent if ev.rent is not None else ep.default_rent[ev.to_segment]
    y.tally["liberalised"] += len(sel)
    return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, len(sel), 0)


def _renovate(y: _Year, ev: PlanEvent, area: np.ndarray) -> EventOutcome:
    state, key, ep, year = y.state, y.key, y.params, y.year
    elig = _eligible(state, area, ev, status=(BEWOOND, LEEG))
    n = _quantity(ev, len(elig))
    sel = _select(state, elig, n, key, ev.kind)
    rental = state.d_owner[sel] != EIGENAAR
    r = sel[rental]
    if ev.rent is not None:
        state.d_rent[r] = ev.rent
    else:
        state.d_rent[r] = state.d_rent[r] * (1.0 + ep.renovation_rent_increase)
    y.tally["renovated"] += len(sel)
    assert ev.completion_year is not None
    if ev.completion_year == year:  # renovated while inhabited: nobody moves
        return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, len(sel), 0)
    occ = state.d_occupant[sel]
    home = sel[occ >= 0]
    hh = occ[occ >= 0].astype(np.int64)
    # voluntary seekers keep seeking from the temporary dwelling; others stop seeking
    seek_cause = state.h_seek_cause[hh].copy()
    seek_years = state.h_seek_years[hh].copy()
    state.vacate(hh)
    state.d_status[sel] = IN_AANBOUW
    temp = np.full(len(hh), -1, dtype=np.int64)
    if ep.temporary_housing and len(hh):
        cand = np.flatnonzero(
            (state.d_status == LEEG) & (state.d_occupant < 0) & (state.d_owner == CORPORATIE)
        )
        r_h = crn_uniform(key, Step.PLAN, state.h_id[hh], sub=100)
        r_d = crn_uniform(key, Step.PLAN, state.d_id[cand], sub=101)
        a = state.areas
        free_h = np.ones(len(hh), dtype=bool)
        free_d = np.ones(len(cand), dtype=bool)
        b_h, b_d = state.d_buurt[home], state.d_buurt[cand]
        for g_h, g_d in (
            (b_h, b_d),
            (a.buurt_wijk[b_h], a.buurt_wijk[b_d]),
            (a.buurt_gemeente[b_h], a.buurt_gemeente[b_d]),
        ):
            ph, pdw = _pair_within(np.where(free_h, g_h, -1), r_h, np.where(free_d, g_d, -1), r_d)
            temp[ph] = cand[pdw]
            free_h[ph] = False
            free_d[pdw] = False
    moved = temp >= 0
    state.occupy(hh[moved], temp[moved])
    state.h_seek_cause[hh] = np.where(moved, seek_cause, -1)
    state.h_seek_years[hh] = np.where(moved, seek_years, 0)
    y.log(hh[moved], home[moved], temp[moved], cause=Cause.TEMPORARY, route=Route.TEMPORARY)
    y.log(
        hh[~moved],
        home[~moved],
        np.full(int((~moved).sum()), -1),
        cause=Cause.TEMPORARY,
        route=Route.NONE,
    )
    k = len(sel)
    _push(
        state,
        **{
            _PENDING_DWELLING: (sel, np.int64),
            _PENDING_YEAR: (np.full(k, ev.completion_year), np.int32),
            _PENDING_KIND: (np.full(k, EVENT_KINDS.index("renovation")), np.int8),
            _RETURN_HOUSEHOLD: (hh, np.int64),
            _RETURN_DWELLING: (home, np.int64),
            _RETURN_TEMP: (temp, np.int64),
            _RETURN_YEAR: (np.full(len(hh), ev.completion_year), np.int32),
        },
    )
    y.tally["temporary_movers"] += int(moved.sum())
    y.tally["away"] += int((~moved).sum())
    return EventOutcome(ev.where, ev.kind, ev.area_level, ev.area_code, n, k, len(hh))


def _finish(y: _Year) -> None:
    """Complete the dwellings due by the year and bring renovation households back."""
    state, year = y.state, y.year
    dw = _extra(state, _PENDING_DWELLING, np.int64)
    if len(dw):
        due = state.extra[_PENDING_YEAR] <= year
        kinds = state.extra[_PENDING_KIND][due]
        done = dw[due]
        building = state.d_status[done] == IN_AANBOUW
        state.d_status[done[building]] = LEEG
        reno = kinds == EVENT_KINDS.index("renovation")
        trans = kinds == EVENT_KINDS.index("transformation")
        y.tally["renovations_completed"] += int(reno.sum())
        y.tally["transformed"] += int(trans.sum())
        y.tally["completed"] += int((~reno & ~trans).sum())
        for name in (_PENDING_DWELLING, _PENDING_YEAR, _PENDING_KIND):
            state.extra[name] = state.extra[name][~due]
    hh_all = _extra(state, _RETURN_HOUSEHOLD, np.int64)
    if len(hh_all) == 0:
        return
    due = state.extra[_RETURN_YEAR] <= year
    hh = hh_all[due]
    home = state.extra[_RETURN_DWELLING][due]
    temp = state.extra[_RETURN_TEMP][due]
    for name in (_RETURN_HOUSEHOLD, _RETURN_DWELLING, _RETURN_TEMP, _RETURN_YEAR):
        state.extra[name] = state.extra[name][~due]
    cur = state.h_dwelling[hh].astype(np.int64)
    in_temp = (temp >= 0) & (cur == temp)
    back = (
        (state.h_state[hh] == HouseholdState.ACTIVE)
        & (in_temp | (cur < 0))
        & (state.d_occupant[home] < 0)
        & (state.d_status[home] == LEEG)
    )
    hh, home, cur, in_temp = hh[back], home[back], cur[back], in_temp[back]
    seek_cause = state.h_seek_cause[hh].copy()
    seek_years = state.h_seek_years[hh].copy()
    state.vacate(hh[cur >= 0])
    state.occupy(hh, home)
    # a household still seeking from its temporary dwelling keeps seeking
    state.h_seek_cause[hh] = np.where(in_temp, seek_cause, -1)
    state.h_seek_years[hh] = np.where(in_temp, seek_years, 0)
    y.log(hh, cur, home, cause=Cause.RETURN, route=Route.RETURN)
    y.tally["returned"] += len(hh)


#: What carries out each kind of :data:`EVENT_KINDS`.
_KIND_STEPS: dict[str, Callable[[_Year, PlanEvent, np.ndarray], EventOutcome]] = {
    "demolition": _demolish,
    **dict.fromkeys(_NEW_KINDS, _build),
    "sale": _sell,
    "purchase": _purchase,
    "liberalisation": _liberalise,
    "renovation": _renovate,
}


# -- the step ------------------------------------------------------------------------------------
def apply_plan_events(
    state: State,
    *,
    events: Sequence[PlanEvent],
    year: int,
    key: CrnKey,
    params: EventParams | _HasEventParams,
    ledger: Ledger,
    replicate: int,
    start_year: int | None = None,
) -> EventReport:
    """Carry out the plan events of simulated ``year`` (step 1 of the year).

    Parameters
    ----------
    state : State
        Mutated in place; :meth:`State.check` holds afterwards.
    events : sequence of PlanEvent
        Events of the plan; those of other years are ignored, so the whole
        plan may be passed. They are applied in the given order.
    year : int
        Simulated year (1 = first).
    key : CrnKey
        Random key of this year and replicate.
    params : EventParams or SimParams
        Event parameters, or an object with an ``events`` attribute holding them.
    ledger : Ledger
        Receives the moves (evictions, temporary moves, returns).
    replicate : int
        Monte Carlo replicate (ledger column).
    start_year : int, optional
        Calendar year of simulated year 1, for the build year of new dwellings;
        taken from ``params.start_year`` when absent (build year 0 = unknown
        when neither is known).

    Returns
    -------
    EventReport

    Raises
    ------
    InputError
        If an event names an area that is not in the state (the error names the
        event's ``area_code`` field).
    """
    ep = params_of(params, EventParams, "events", "apply_plan_events")
    if start_year is None:
        sy = getattr(params, "start_year", None)
        start_year = int(sy) if sy is not None and _is_int(sy) else None
    todo = [ev for ev in events if ev.year == year]
    # resolve every area first, so that a bad event leaves the state untouched
    for ev in todo:
        _area_mask(state, ev)
    y = _Year(state, key, ep, ledger, replicate, year, start_year)
    outcomes: list[EventOutcome] = []
    for ev in todo:
        # computed per event: dwellings added by an earlier event belong to the area
        area = _area_mask(state, ev)
        outcomes.append(_KIND_STEPS[ev.kind](y, ev, area))
    _finish(y)
    # an unknown count name raises TypeError here
    counts = cast(dict[str, Any], y.tally)
    return replace(EventReport(year=year, events=tuple(outcomes)), **counts)
