"""Step 4 of a simulated year: allocation of social rent, with the rules as data.

A region's allocation model is a table :class:`AllocationRules` (TOML
``[allocation]``), checked against the law of the year by
:func:`validate_rules`; :func:`allocate_social` lets the year's social-rent
vacancies to eligible seekers.

Vacancies and seekers
---------------------
A *vacancy* is a dwelling owned by a corporation, in segment ``sociale_huur``,
with status ``leeg`` and no occupant (new completions included). A *seeker* is
an ACTIVE household with ``h_seek_cause >= 0``. Vacancies are processed one at
a time in the order of a common random number on their ``d_id``
(``Step.LOTTERY``, sub-stream 0); when a seeker who holds a corporation
social-rent dwelling accepts, that dwelling joins the end of the queue in the
same year (a *vacancy chain*). Other dwellings they leave become vacant for the
market step.

Eligibility of a seeker for a vacancy
-------------------------------------
* **DAEB income limit** (by household size, 1 person / more persons): a
  household above the limit may be housed only while the year's allocations
  above the limit stay within the free share: an allocation to such a
  household is made only if afterwards ``above ≤ free_share × allocations``
  (a running count, so the share holds at every moment of the year, and at
  its end). In 2019–2021 (80/10/10 rule) households between the two limits may
  also use the middle band: ``middle + above ≤ (free + middle share) ×
  allocations`` and ``above ≤ free × allocations``.
* **Passend toewijzen** (when the rule is on): a household at or below the
  passend-toewijzen income limit gets only a dwelling whose rent is at or below
  the aftoppingsgrens of its size (1–2 persons / 3+); the legal 5 % exception
  budget may be granted with ``passend_exception_share`` (a running count over
  the allocations to that target group, like the free share); the default 0
  allows no exception. A dwelling without a known rent passes.
* **Wbmgp art. 8** in a designated area active in the calendar year: a seeker
  with fewer than six years in the region needs income from work, a pension
  (AOW included) or student finance.
* **Wbmgp art. 10** (screening): the law lets the municipality refuse a housing
  permit in designated areas to seekers with a record of nuisance or crime
  (police records). wijkmix has no such records: a *flagged* seeker (the rule's
  ``article10_flag``, by default ``vulnerable_care``, or a boolean array named
  ``extra:<name>`` in ``state.extra``) is refused in a screened area when its
  common random number (``Step.SCREENING`` on ``h_id``) is below the area's
  ``refuse_share``. This models the effect of screening on who gets in, not
  the legal ground.
* **Regional quota** (optional): at most ``regional_quota`` of a buurt's
  vacancies of the year go to urgent or vulnerable seekers (counted against
  the buurt's queued vacancies); blocked seekers stay in the queue for other
  buurten. Returners using their right to return are exempt and not counted.

Ranking per vacancy
-------------------
The groups of ``order`` are tried in turn; the first group with an eligible
seeker gets the dwelling:

``return``
    Seekers with a right to return to the vacancy's complex (``return_scope =
    "complex"``) or to the buurt of that complex (``"buurt"``), by registration.
``urgency``
    Urgent seekers (``h_urgent``).
``local_tie``
    Only on vacancies designated for ties: seekers with at least six years in
    the region (the social tie of the Huisvestingswet).
``crucial_profession``
    Only on vacancies designated for crucial professions: ``h_crucial``.
``article9``
    Only on vacancies in an active Wbmgp art. 9 area: seekers matching the
    area's profile. The first active designation (in list order) containing the
    dwelling decides, on the share of its vacancies whose common random number
    (``Step.LOTTERY`` sub-stream 2 on ``d_id``) is below its ``share``.
``lottery``
    Only on lottery vacancies: every eligible seeker.
``registration``
    Every eligible seeker (must be last).

Which vacancies are designated is decided by common random numbers on their
``d_id``: one number ``u`` (``Step.LOTTERY``, sub-stream 4) designates a vacancy
for ties when ``u < local_tie_share`` and for crucial professions when
``local_tie_share ≤ u < local_tie_share + crucial_share`` (never both), and a
second number (sub-stream 5) makes it a lottery vacancy when below
``lottery_share``. The legal maximum is then enforced over the year: a
designation is skipped when it would raise the designated count above
``share × max(k, n)`` (k-th vacancy processed, n vacancies at the start), and
since the year's supply is at least that large, the year's designated share
never exceeds the rule's share.

Within a group, seekers are ranked by registration years (``h_registration``,
longest first; ties by a common random number on ``h_id``, ``Step.LOTTERY``
sub-stream 1), except on lottery vacancies, where the dwelling goes to a seeker
drawn at random among the eligible group members: with ``u`` the vacancy's
lottery number (``Step.LOTTERY`` sub-stream 16 on ``d_id``) and ``n`` the
number of eligible unplaced members, the winner is the ``floor(u × n)``-th of
them in ``h_id`` order (counting from 0). Returners are always ranked by
registration.

Placing a seeker
----------------
The seeker leaves its dwelling (if any) and occupies the new one
(:meth:`State.occupy`); its registration years become 0, its urgency ends, and
a returner's right to return is used up. The ledger gets one row: ``cause`` =
RETURN for a returner, else the seek cause; ``route`` = the group that gave
the dwelling. Returners pass the same eligibility tests as everyone (income
limit, passend toewijzen, Wbmgp): a sociaal plan that guarantees a return
regardless of income is not modelled. Nobody is left unplaced silently: the
report counts the placed and the unplaced seekers and their waiting times by
group.

Everything random is a pure function of (seed, replicate, year, id): results do
not depend on the order of the household or dwelling arrays. The loop is
compiled with numba. Seekers alike in every eligibility test form an
*eligibility class*; per group and class it keeps a list pre-sorted by rank
with a pointer past the placed seekers, and a Fenwick tree of the unplaced
members in ``h_id`` order (for the lottery pick, by bisection over positions).
So a vacancy costs a number of steps proportional to the number of classes
(times a logarithm for lotteries), never to the number of seekers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np
from numba import njit

from wijkmix.errors import InputError, Location
from wijkmix.params.legal import WBMGP_LEVELS, LegalParams
from wijkmix.sim.crn import CrnKey, Step, crn_uniform
from wijkmix.sim.state import (
    CORPORATIE,
    HOUSEHOLD_TYPES,
    INCOME_SOURCES,
    LEEG,
    SOCIALE_HUUR,
    Cause,
    HouseholdState,
    Ledger,
    Route,
    State,
)

__all__ = [
    "DEFAULT_ORDER",
    "GROUPS",
    "ROUTES",
    "SUB_ART9",
    "SUB_LOTTERY_DRAW",
    "SUB_LOTTERY_VACANCY",
    "SUB_ORDER",
    "SUB_PRIORITY",
    "SUB_TIE",
    "AllocationReport",
    "AllocationRules",
    "Article9Area",
    "Article10Area",
    "Designation",
    "Profile",
    "allocate_social",
    "validate_rules",
]

#: The priority groups a ranking model may order.
GROUPS: tuple[str, ...] = (
    "return",
    "urgency",
    "local_tie",
    "crucial_profession",
    "article9",
    "lottery",
    "registration",
)
#: Default ranking order.
DEFAULT_ORDER: tuple[str, ...] = GROUPS

#: The ledger route of each group.
ROUTES: Mapping[str, Route] = MappingProxyType(
    {
        "return": Route.RETURN,
        "urgency": Route.URGENCY,
        "local_tie": Route.LOCAL_TIE,
        "crucial_profession": Route.CRUCIAL_PROFESSION,
        "article9": Route.ARTICLE9,
        "lottery": Route.LOTTERY,
        "registration": Route.REGISTRATION,
    }
)

#: Sub-streams of ``Step.LOTTERY``: vacancy order (on d_id), registration
#: tie-break (on h_id), art. 9 designation, priority designation and lottery
#: designation (on d_id), and the lottery draw (on d_id).
SUB_ORDER = 0
SUB_TIE = 1
SUB_ART9 = 2
SUB_PRIORITY = 4
SUB_LOTTERY_VACANCY = 5
SUB_LOTTERY_DRAW = 16

_EPS = 1e-9
# group codes in the kernel are positions in GROUPS: 0 return, 1 urgency, 2 local_tie,
# 3 crucial_profession, 4 article9, 5 lottery, 6 registration
_G_RETURN = GROUPS.index("return")
# group lists of the kernel: 0 all seekers, 1 urgent, 2 local tie, 3 crucial, 4+p art. 9 profile p
_GI_ART9 = 4
_FLAGS: tuple[str, ...] = ("vulnerable_care", "statushouder", "urgent", "crucial_profession")
_FLAG_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "vulnerable_care": "h_vulnerable",
        "statushouder": "h_statushouder",
        "urgent": "h_urgent",
        "crucial_profession": "h_crucial",
    }
)


# --- reading TOML tables --------------------------------------------------------------
def _bad(
    where: str, what: str, expected: str, found: object, hint: str | None = None
) -> InputError:
    return InputError(what, where=Location(field=where), expected=expected, found=found, hint=hint)


def _table(d: object, where: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise _bad(where, "not a table", "a table of key = value", type(d).__name__)
    return d


def _keys(d: Mapping[str, Any], where: str, allowed: Sequence[str]) -> None:
    for k in d:
        if k not in allowed:
            raise _bad(f"{where}.{k}", "unknown key", "one of " + ", ".join(allowed), k)


def _number(v: object, where: str, *, lo: float = 0.0, hi: float = 1.0) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise _bad(where, "invalid value", f"a number from {lo:g} to {hi:g}", v)
    if not lo <= v <= hi:
        raise _bad(where, "value out of range", f"a number from {lo:g} to {hi:g}", v)
    return float(v)


def _opt_number(v: object, where: str, *, lo: float, hi: float) -> float | None:
    return None if v is None else _number(v, where, lo=lo, hi=hi)


def _integer(v: object, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _bad(where, "invalid value", "a whole number", v)
    return int(v)


def _boolean(v: object, where: str) -> bool:
    if not isinstance(v, bool):
        raise _bad(where, "invalid value", "true or false", v)
    return v


def _text(v: object, where: str, allowed: Sequence[str] | None = None) -> str:
    if not isinstance(v, str):
        raise _bad(where, "invalid value", "a text", v)
    if allowed is not None and v not in allowed:
        raise _bad(where, "invalid value", "one of " + ", ".join(allowed), v)
    return v


def _texts(v: object, where: str, allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(v, str) or not isinstance(v, list | tuple):
        raise _bad(where, "invalid value", "a list of texts", v)
    return tuple(_text(x, f"{where}[{i}]", allowed) for i, x in enumerate(v))


def _list(v: object, where: str) -> list[Any]:
    if isinstance(v, str) or not isinstance(v, list | tuple):
        raise _bad(where, "invalid value", "a list of tables", type(v).__name__)
    return list(v)


# --- the rules --------------------------------------------------------------------------
_DESIGNATION_KEYS = ("level", "code", "start_year", "years", "extended_years")


@dataclass(frozen=True)
class Designation:
    """A Wbmgp designation of a complex, street or area.

    Parameters
    ----------
    level : str
        ``complex``, ``straat``, ``buurt`` or ``wijk``.
    code : str
        The area's code (CBS code for buurt and wijk, the register's code for
        complex and straat).
    start_year : int
        First calendar year of the designation.
    years : int
        Length of the designation (at most 4).
    extended_years : int, default 0
        Length of the one extension (at most 4).
    """

    level: str
    code: str
    start_year: int
    years: int = 4
    extended_years: int = 0

    def active(self, calendar_year: int) -> bool:
        """Whether the designation applies in ``calendar_year``."""
        return self.start_year <= calendar_year < self.start_year + self.years + self.extended_years

    @property
    def last_year(self) -> int:
        """Last calendar year of the designation (extension included)."""
        return self.start_year + self.years + self.extended_years - 1

    @classmethod
    def from_dict(
        cls, d: Mapping[str, Any], *, field: str, extra: Sequence[str] = ()
    ) -> Designation:
        """Read a designation from a TOML table (``extra`` keys are allowed and ignored)."""
        d = _table(d, field)
        _keys(d, field, (*_DESIGNATION_KEYS, *extra))
        for k in ("level", "code", "start_year"):
            if k not in d:
                raise _bad(
                    f"{field}.{k}",
                    "missing key",
                    f"the {k} of the designation",
                    None,
                    hint="a Wbmgp designation names its area and the year it starts",
                )
        return cls(
            level=_text(d["level"], f"{field}.level"),
            code=_text(d["code"], f"{field}.code").strip(),
            start_year=_integer(d["start_year"], f"{field}.start_year"),
            years=_integer(d.get("years", 4), f"{field}.years"),
            extended_years=_integer(d.get("extended_years", 0), f"{field}.extended_years"),
        )


_PROFILE_KEYS = (
    "income_sources",
    "income_min",
    "income_max",
    "age_min",
    "age_max",
    "size_min",
    "size_max",
    "household_types",
)


@dataclass(frozen=True)
class Profile:
    """A socio-economic profile (Wbmgp art. 9): every given condition must hold.

    Parameters
    ----------
    income_sources : tuple of str, optional
        Allowed income sources (``werk`` for "income from work").
    income_min, income_max : float, optional
        Gross yearly household income range (inclusive).
    age_min, age_max : int, optional
        Age range of the head (inclusive).
    size_min, size_max : int, optional
        Household size range (inclusive).
    household_types : tuple of str, optional
        Allowed household types.
    """

    income_sources: tuple[str, ...] | None = None
    income_min: float | None = None
    income_max: float | None = None
    age_min: int | None = None
    age_max: int | None = None
    size_min: int | None = None
    size_max: int | None = None
    household_types: tuple[str, ...] | None = None

    def matches(self, state: State, households: np.ndarray) -> np.ndarray:
        """Whether each household (index) fits the profile."""
        h = np.asarray(households, dtype=np.int64)
        ok = np.ones(len(h), dtype=bool)
        if self.income_sources is not None:
            codes = [INCOME_SOURCES.index(s) for s in self.income_sources]
            ok &= np.isin(state.h_source[h], codes)
        if self.household_types is not None:
            codes = [HOUSEHOLD_TYPES.index(s) for s in self.household_types]
            ok &= np.isin(state.h_type[h], codes)
        for col, lo, hi in (
            ("h_income", self.income_min, self.income_max),
            ("h_age", self.age_min, self.age_max),
            ("h_size", self.size_min, self.size_max),
        ):
            v = getattr(state, col)[h]
            if lo is not None:
                ok &= v >= lo
            if hi is not None:
                ok &= v <= hi
        return ok

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> Profile:
        """Read a profile from a TOML table; at least one condition is required."""
        d = _table(d, field)
        _keys(d, field, _PROFILE_KEYS)
        if not d:
            raise _bad(field, "empty profile", "at least one condition, e.g. income_sources", "{}")
        big = 1e12

        def opt_int(k: str) -> int | None:
            return None if d.get(k) is None else _integer(d[k], f"{field}.{k}")

        return cls(
            income_sources=_texts(d["income_sources"], f"{field}.income_sources", INCOME_SOURCES)
            if "income_sources" in d
            else None,
            income_min=_opt_number(d.get("income_min"), f"{field}.income_min", lo=0, hi=big),
            income_max=_opt_number(d.get("income_max"), f"{field}.income_max", lo=0, hi=big),
            age_min=opt_int("age_min"),
            age_max=opt_int("age_max"),
            size_min=opt_int("size_min"),
            size_max=opt_int("size_max"),
            household_types=_texts(
                d["household_types"], f"{field}.household_types", HOUSEHOLD_TYPES
            )
            if "household_types" in d
            else None,
        )


@dataclass(frozen=True)
class Article9Area:
    """A Wbmgp art. 9 designation: priority for a profile on a share of the area's vacancies.

    Parameters
    ----------
    area : Designation
    profile : Profile
    share : float, default 1.0
        Share of the area's vacancies with the priority (chosen by a common
        random number on ``d_id``).
    """

    area: Designation
    profile: Profile
    share: float = 1.0

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> Article9Area:
        """Read from a TOML table: the designation keys plus ``profile`` and ``share``."""
        d = _table(d, field)
        area = Designation.from_dict(d, field=field, extra=("profile", "share"))
        if "profile" not in d:
            raise _bad(
                f"{field}.profile",
                "missing key",
                "the socio-economic profile with priority (a table)",
                None,
            )
        return cls(
            area=area,
            profile=Profile.from_dict(d["profile"], field=f"{field}.profile"),
            share=_number(d.get("share", 1.0), f"{field}.share"),
        )


@dataclass(frozen=True)
class Article10Area:
    """A Wbmgp art. 10 designation (screening) with the share of flagged seekers refused.

    Parameters
    ----------
    area : Designation
    refuse_share : float
        Share (0–1) of flagged seekers refused in the area.
    """

    area: Designation
    refuse_share: float

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str) -> Article10Area:
        """Read from a TOML table: the designation keys plus ``refuse_share``."""
        d = _table(d, field)
        area = Designation.from_dict(d, field=field, extra=("refuse_share",))
        if "refuse_share" not in d:
            raise _bad(
                f"{field}.refuse_share",
                "missing key",
                "the share (0–1) of flagged seekers refused",
                None,
            )
        return cls(area=area, refuse_share=_number(d["refuse_share"], f"{field}.refuse_share"))


_RULE_KEYS = (
    "order",
    "lottery_share",
    "local_tie_share",
    "local_tie_scope",
    "crucial_share",
    "daeb_free_share",
    "passend_toewijzen",
    "passend_exception_share",
    "article8",
    "article9",
    "article10",
    "article10_flag",
    "right_to_return",
    "return_scope",
    "regional_quota",
)


@dataclass(frozen=True)
class AllocationRules:
    """A region's social-rent allocation model (TOML ``[allocation]``).

    Defaults are wijkmix assumptions for a region without special rules:
    registration time decides, urgent seekers and returners go first, a tenth
    of the vacancies is let by lottery, no priority for ties or professions, no
    Wbmgp designations, the legal free share and strict passend toewijzen.

    Parameters
    ----------
    order : tuple of str
        Priority groups in order (see :data:`GROUPS`); ``registration`` last.
    lottery_share : float, default 0.1
        Share of vacancies let by lottery (wijkmix assumption; regions that
        draw lots use roughly 5–30 % of the supply).
    local_tie_share : float, default 0
        Share of vacancies with priority for a tie (≥ 6 years in the region).
    local_tie_scope : {"gemeente", "regio"}, default "gemeente"
        Whether the tie is to the municipality itself (at most 25 % until 2023)
        or to the housing-market region (within the 50 %).
    crucial_share : float, default 0
        Share of vacancies with priority for crucial professions (since 2024);
        together with ``local_tie_share`` at most 50 %.
    daeb_free_share : float, optional
        Share of allocations that may go to households above the DAEB income
        limit; ``None`` takes the year's standard (10 % until 2021, 7.5 %).
    passend_toewijzen : bool, default True
        Apply passend toewijzen.
    passend_exception_share : float, default 0
        Share of allocations to the passend-toewijzen target group that may be
        above the cap (the law allows up to 5 %).
    article8, article9, article10 : tuple
        Wbmgp designations (:class:`Designation`, :class:`Article9Area`,
        :class:`Article10Area`).
    article10_flag : str, default "vulnerable_care"
        Which seekers art. 10 screening may refuse: ``vulnerable_care``,
        ``statushouder``, ``urgent``, ``crucial_profession`` or
        ``extra:<name>`` (a boolean household array in ``state.extra``).
    right_to_return : bool, default True
        Returners get first pick in their complex (or buurt).
    return_scope : {"complex", "buurt"}, default "complex"
    regional_quota : float, optional
        Largest share of a buurt's vacancies that go to urgent or vulnerable
        seekers; ``None``: no quota.
    """

    order: tuple[str, ...] = DEFAULT_ORDER
    lottery_share: float = 0.1
    local_tie_share: float = 0.0
    local_tie_scope: str = "gemeente"
    crucial_share: float = 0.0
    daeb_free_share: float | None = None
    passend_toewijzen: bool = True
    passend_exception_share: float = 0.0
    article8: tuple[Designation, ...] = ()
    article9: tuple[Article9Area, ...] = ()
    article10: tuple[Article10Area, ...] = ()
    article10_flag: str = "vulnerable_care"
    right_to_return: bool = True
    return_scope: str = "complex"
    regional_quota: float | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, field: str = "allocation") -> AllocationRules:
        """Read the rules from a TOML table ``[allocation]``.

        Structure and ranges are checked here; what the law of a year allows is
        checked by :func:`validate_rules`.

        Raises
        ------
        InputError
            Unknown key, wrong type or a value out of range; ``where`` is the
            dotted field (``allocation.lottery_share``).
        """
        d = _table(d, field)
        _keys(d, field, _RULE_KEYS)
        f = {k: f"{field}.{k}" for k in _RULE_KEYS}
        kw: dict[str, Any] = {}
        if "order" in d:
            kw["order"] = _texts(d["order"], f["order"], GROUPS)
        for k in ("lottery_share", "local_tie_share", "crucial_share", "passend_exception_share"):
            if k in d:
                kw[k] = _number(d[k], f[k])
        for k in ("daeb_free_share", "regional_quota"):
            if k in d:
                kw[k] = _opt_number(d[k], f[k], lo=0.0, hi=1.0)
        for k in ("passend_toewijzen", "right_to_return"):
            if k in d:
                kw[k] = _boolean(d[k], f[k])
        if "local_tie_scope" in d:
            kw["local_tie_scope"] = _text(d["local_tie_scope"], f["local_tie_scope"], _SCOPES)
        if "return_scope" in d:
            kw["return_scope"] = _text(d["return_scope"], f["return_scope"], _RETURN_SCOPES)
        if "article10_flag" in d:
            kw["article10_flag"] = _text(d["article10_flag"], f["article10_flag"])
        if "article8" in d:
            kw["article8"] = tuple(
                Designation.from_dict(x, field=f"{f['article8']}[{i}]")
                for i, x in enumerate(_list(d["article8"], f["article8"]))
            )
        if "article9" in d:
            kw["article9"] = tuple(
                Article9Area.from_dict(x, field=f"{f['article9']}[{i}]")
                for i, x in enumerate(_list(d["article9"], f["article9"]))
            )
        if "article10" in d:
            kw["article10"] = tuple(
                Article10Area.from_dict(x, field=f"{f['article10']}[{i}]")
                for i, x in enumerate(_list(d["article10"], f["article10"]))
            )
        return cls(**kw)


_SCOPES = ("gemeente", "regio")
_RETURN_SCOPES = ("complex", "buurt")


def _check_share(v: object, where: str, what: str = "share") -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= float(v) <= 1.0:
        raise _bad(where, f"invalid {what}", "a number from 0 to 1", v)
    return float(v)


def _check_designation(
    a: Designation,
    where: str,
    legal: LegalParams,
    horizon_years: tuple[int, int] | None,
) -> None:
    if a.level not in WBMGP_LEVELS:
        raise _bad(
            f"{where}.level",
            "level not allowed for a Wbmgp designation",
            "one of " + ", ".join(WBMGP_LEVELS) + " (the law designates complexes, streets or "
            "areas, not a whole municipality)",
            a.level,
        )
    if not isinstance(a.code, str) or not a.code.strip():
        raise _bad(f"{where}.code", "missing area code", "the code of the designated area", a.code)
    if isinstance(a.start_year, bool) or not isinstance(a.start_year, int):
        raise _bad(
            f"{where}.start_year",
            "designation without a start year",
            "the calendar year the designation starts",
            a.start_year,
        )
    if not 1 <= a.years <= legal.wbmgp_designation_years:
        raise _bad(
            f"{where}.years",
            "designation longer than the law allows",
            f"1 to {legal.wbmgp_designation_years} years (Wbmgp)",
            a.years,
            hint="a longer period needs an extension (extended_years)",
        )
    if not 0 <= a.extended_years <= legal.wbmgp_extension_years:
        raise _bad(
            f"{where}.extended_years",
            "extension longer than the law allows",
            f"0 to {legal.wbmgp_extension_years} years (Wbmgp: one extension of at most "
            f"{legal.wbmgp_extension_years} years)",
            a.extended_years,
        )
    if horizon_years is not None:
        first, last = horizon_years
        if a.last_year < first or a.start_year > last:
            raise _bad(
                f"{where}.start_year",
                "designation never active during the run",
                f"a designation overlapping the calendar years {first}–{last}",
                f"{a.start_year}–{a.last_year}",
            )


def validate_rules(
    rules: AllocationRules,
    legal: LegalParams,
    *,
    horizon_years: tuple[int, int] | None = None,
    field: str = "allocation",
) -> None:
    """Reject allocation rules that the law of ``legal.year`` forbids.

    Parameters
    ----------
    rules : AllocationRules
    legal : LegalParams
        The legal parameters of the calendar year the rules apply to.
    horizon_years : (int, int), optional
        First and last calendar year of the run: a Wbmgp designation that is
        never active in that period is rejected (it is almost always a typing
        error in its start year).
    field : str, default "allocation"
        Dotted name of the rules table, for error messages.

    Raises
    ------
    InputError
        Naming the field: unknown or repeated groups in ``order`` or
        ``registration`` not last, a priority share without its group, a share
        outside 0–1, priority for ties above 50 % (above 25 % for ties to the
        municipality before 2024), priority for crucial professions before 2024,
        ties and crucial professions together above 50 %, a free share above the
        legal maximum, a passend-toewijzen exception share above 5 %, a Wbmgp
        designation at a level other than complex/straat/buurt/wijk, without
        start year, longer than 4 years or extended by more than 4, an unknown
        art. 10 flag, a regional quota of 0.

    Examples
    --------
    >>> from wijkmix.params.legal import legal_params
    >>> rules = AllocationRules(local_tie_share=0.3, crucial_share=0.1)
    >>> validate_rules(rules, legal_params(2024))
    >>> try:
    ...     validate_rules(rules, legal_params(2023))
    ... except InputError as e:
    ...     print(e.where.field)
    allocation.local_tie_share
    """
    f = field
    order = tuple(rules.order)
    for i, g in enumerate(order):
        if g not in GROUPS:
            raise _bad(f"{f}.order[{i}]", "unknown priority group", ", ".join(GROUPS), g)
    for g in set(order):
        if order.count(g) > 1:
            raise _bad(f"{f}.order", "priority group listed twice", "each group once", g)
    if not order or order[-1] != "registration":
        raise _bad(
            f"{f}.order",
            "registration is not the last group",
            "an order ending with 'registration' (every eligible seeker, by registration time)",
            list(order),
        )
    for k in ("lottery_share", "local_tie_share", "crucial_share", "passend_exception_share"):
        _check_share(getattr(rules, k), f"{f}.{k}")
    needs = (
        ("lottery_share", "lottery", rules.lottery_share > 0),
        ("local_tie_share", "local_tie", rules.local_tie_share > 0),
        ("crucial_share", "crucial_profession", rules.crucial_share > 0),
        ("article9", "article9", len(rules.article9) > 0),
        ("right_to_return", "return", rules.right_to_return),
    )
    for key, group, used in needs:
        if used and group not in order:
            raise _bad(
                f"{f}.order",
                f"{key} is set but its group is not ranked",
                f"'{group}' in the order",
                list(order),
            )
    if rules.local_tie_scope not in _SCOPES:
        raise _bad(
            f"{f}.local_tie_scope", "invalid value", " or ".join(_SCOPES), rules.local_tie_scope
        )
    if rules.return_scope not in _RETURN_SCOPES:
        raise _bad(
            f"{f}.return_scope", "invalid value", " or ".join(_RETURN_SCOPES), rules.return_scope
        )
    y = legal.year
    if rules.local_tie_share > legal.priority_max_share + _EPS:
        raise _bad(
            f"{f}.local_tie_share",
            "priority for ties above the legal maximum",
            f"at most {legal.priority_max_share:.0%} of the supply (Huisvestingswet 2014 art. 14, "
            f"{y})",
            rules.local_tie_share,
        )
    if (
        rules.local_tie_scope == "gemeente"
        and rules.local_tie_share > legal.local_tie_max_share + _EPS
    ):
        raise _bad(
            f"{f}.local_tie_share",
            "priority for ties to the municipality above the legal maximum",
            f"at most {legal.local_tie_max_share:.0%} of the supply for ties to the municipality "
            f"itself (Huisvestingswet 2014 art. 14, {y})",
            rules.local_tie_share,
            hint="before 2024 only half of the 50 % may go to ties to the municipality; "
            "use local_tie_scope = 'regio' for ties to the housing-market region",
        )
    if rules.crucial_share > 0 and not legal.crucial_priority_allowed:
        raise _bad(
            f"{f}.crucial_share",
            "priority for crucial professions not allowed in this year",
            f"0 in {y} (a ground of the Huisvestingswet 2014 only since 1 January 2024)",
            rules.crucial_share,
        )
    if rules.local_tie_share + rules.crucial_share > legal.priority_max_share + _EPS:
        raise _bad(
            f"{f}.crucial_share",
            "priority for ties and crucial professions together above the legal maximum",
            f"local_tie_share + crucial_share at most {legal.priority_max_share:.0%} "
            f"(Huisvestingswet 2014 art. 14, {y})",
            round(rules.local_tie_share + rules.crucial_share, 6),
        )
    if rules.daeb_free_share is not None:
        share = _check_share(rules.daeb_free_share, f"{f}.daeb_free_share")
        if share > legal.daeb_free_share_max + _EPS:
            raise _bad(
                f"{f}.daeb_free_share",
                "free share above the legal maximum",
                f"at most {legal.daeb_free_share_max:.1%} of the allocations above the DAEB "
                f"income limit in {y}",
                share,
            )
    max_exc = 1.0 - legal.passend_min_share
    if rules.passend_exception_share > max_exc + _EPS:
        raise _bad(
            f"{f}.passend_exception_share",
            "passend-toewijzen exceptions above the legal maximum",
            f"at most {max_exc:.0%} of the allocations to the target group",
            rules.passend_exception_share,
        )
    if rules.regional_quota is not None:
        q = _check_share(rules.regional_quota, f"{f}.regional_quota", "quota")
        if q <= 0:
            raise _bad(
                f"{f}.regional_quota",
                "quota of zero",
                "a share above 0 (or no quota)",
                q,
                hint="a quota of 0 would exclude urgent and vulnerable seekers everywhere",
            )
    flag = rules.article10_flag
    if flag not in _FLAGS and not (flag.startswith("extra:") and len(flag) > len("extra:")):
        raise _bad(
            f"{f}.article10_flag",
            "unknown flag",
            "one of " + ", ".join(_FLAGS) + " or extra:<name>",
            flag,
        )
    for i, a in enumerate(rules.article8):
        _check_designation(a, f"{f}.article8[{i}]", legal, horizon_years)
    for i, a9 in enumerate(rules.article9):
        _check_designation(a9.area, f"{f}.article9[{i}]", legal, horizon_years)
        _check_share(a9.share, f"{f}.article9[{i}].share")
    for i, a10 in enumerate(rules.article10):
        _check_designation(a10.area, f"{f}.article10[{i}]", legal, horizon_years)
        _check_share(a10.refuse_share, f"{f}.article10[{i}].refuse_share")


# --- the report -------------------------------------------------------------------------
@dataclass(frozen=True)
class AllocationReport:
    """What the allocation of one year did.

    Seeker groups (keys of the ``*_by_group`` mappings) overlap: every seeker
    is counted under the name of its seek cause (``forced``, ``voluntary``,
    ``starter``, ``inflow``, …) and also under ``urgent``, ``vulnerable``,
    ``statushouder`` and ``returner`` when it is one; ``all`` counts everyone.

    Attributes
    ----------
    year, calendar_year : int
    seekers : int
        Seekers at the start of the step.
    vacancies : int
        Social-rent vacancies at the start.
    chain_vacancies : int
        Social-rent dwellings vacated by seekers who moved, let in the same year.
    allocated : int
        Dwellings let.
    unlet : int
        Vacancies (start and chain) left empty.
    allocated_by_route : Mapping[str, int]
        Lettings by route (``urgency``, ``lottery``, ``registration`` …).
    above_income_limit, middle_band : int
        Lettings to households above the DAEB limit (the free share) and, in
        2019–2021, between the two limits.
    passend_exceptions : int
        Lettings above the cap to the passend-toewijzen target group.
    passend_target_group : int
        Lettings to the passend-toewijzen target group.
    designated_local_tie, designated_crucial, designated_lottery : int
        Vacancies designated for each.
    screened_out : int
        Flagged seekers refused in at least one screened area.
    placed_by_group, unplaced_by_group : Mapping[str, int]
    mean_seek_years_placed, mean_registration_placed : Mapping[str, float]
        Waiting times of the placed seekers (years seeking; registration years
        at the moment of placement), by group (NaN when nobody was placed).
    """

    year: int
    calendar_year: int
    seekers: int
    vacancies: int
    chain_vacancies: int
    allocated: int
    unlet: int
    allocated_by_route: Mapping[str, int]
    above_income_limit: int
    middle_band: int
    passend_exceptions: int
    passend_target_group: int
    designated_local_tie: int
    designated_crucial: int
    designated_lottery: int
    screened_out: int
    placed_by_group: Mapping[str, int]
    unplaced_by_group: Mapping[str, int]
    mean_seek_years_placed: Mapping[str, float]
    mean_registration_placed: Mapping[str, float]

    @property
    def free_share_used(self) -> float:
        """Share of the lettings that went to households above the DAEB limit."""
        return self.above_income_limit / self.allocated if self.allocated else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as plain values."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = dict(v) if isinstance(v, Mapping) else v
        return out


# --- the compiled loop ------------------------------------------------------------------
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_INV53 = 1.0 / 9007199254740992.0


@njit(cache=True)
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    z = z ^ (z >> np.uint64(30))
    z = z * _M1
    z = z ^ (z >> np.uint64(27))
    z = z * _M2
    z = z ^ (z >> np.uint64(31))
    return z


@njit(cache=True)
def _uniform(ident: np.uint64, base: np.uint64) -> float:  # pragma: no cover - compiled
    """The same number as ``crn_uniform`` for one id (``base`` = ``CrnKey.base``)."""
    b = _mix(_mix(ident * _GOLDEN + base) ^ base)
    return np.float64(b >> np.uint64(11)) * _INV53


@njit(cache=True)
def _fen_add(fen: np.ndarray, start: int, n: int, pos: int, delta: int) -> None:  # pragma: no cover
    i = pos + 1
    while i <= n:
        fen[start + i] += delta
        i += i & (-i)


@njit(cache=True)
def _fen_build(fen: np.ndarray, start: int, n: int) -> None:  # pragma: no cover - compiled
    """Fenwick tree of ``n`` members, all alive (O(n))."""
    for i in range(1, n + 1):
        fen[start + i] += 1
        j = i + (i & (-i))
        if j <= n:
            fen[start + j] += fen[start + i]


@njit(cache=True)
def _fen_prefix(fen: np.ndarray, start: int, k: int) -> int:  # pragma: no cover - compiled
    """Alive members among the first ``k``."""
    total = 0
    i = k
    while i > 0:
        total += fen[start + i]
        i -= i & (-i)
    return total


@njit(cache=True)
def _count_le(arr: np.ndarray, lo: int, hi: int, x: int) -> int:  # pragma: no cover - compiled
    """How many of the sorted ``arr[lo:hi]`` are ``<= x``."""
    a, b = lo, hi
    while a < b:
        m = (a + b) // 2
        if arr[m] <= x:
            a = m + 1
        else:
            b = m
    return a - lo


@njit(cache=True)
def _kernel(  # pragma: no cover - compiled
    queue0: np.ndarray,
    c_did: np.ndarray,
    c_buurt: np.ndarray,
    c_rent: np.ndarray,
    c_art8: np.ndarray,
    c_art9g: np.ndarray,
    c_art10j: np.ndarray,
    c_unit: np.ndarray,
    c_uprio: np.ndarray,
    c_ulot: np.ndarray,
    n_bvac: np.ndarray,
    s_class: np.ndarray,
    s_rank: np.ndarray,
    s_inc: np.ndarray,
    s_pt: np.ndarray,
    s_uv: np.ndarray,
    s_chain: np.ndarray,
    g_members: np.ndarray,
    g_off: np.ndarray,
    s_gpos: np.ndarray,
    gc_pos: np.ndarray,
    gc_off: np.ndarray,
    s_gcidx: np.ndarray,
    gc_fen: np.ndarray,
    r_list: np.ndarray,
    r_off: np.ndarray,
    ret_list: np.ndarray,
    ret_off: np.ndarray,
    k_inc: np.ndarray,
    k_pt: np.ndarray,
    k_a8: np.ndarray,
    k_m: np.ndarray,
    k_uv: np.ndarray,
    order: np.ndarray,
    fpar: np.ndarray,
    bases: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, int, np.ndarray]:
    lottery_share = fpar[0]
    local_share = fpar[1]
    crucial_share = fpar[2]
    free_share = fpar[3]
    middle_share = fpar[4]
    pt_share = fpar[5]
    quota = fpar[6]
    cap_small = fpar[7]
    cap_large = fpar[8]
    n_levels = np.int64(fpar[9])
    right_to_return = fpar[10] > 0.5
    lottery_base = bases[0]

    n_seek = len(s_class)
    n_class = len(k_inc)
    n_groups = len(g_off) - 1
    n_q0 = len(queue0)
    queue = np.empty(n_q0 + n_seek, dtype=np.int64)
    queue[:n_q0] = queue0
    q_len = n_q0
    placed = np.zeros(n_seek, dtype=np.bool_)
    head = r_off[:-1].copy()
    out_s = np.empty(n_seek, dtype=np.int64)
    out_v = np.empty(n_seek, dtype=np.int64)
    out_g = np.empty(n_seek, dtype=np.int64)
    n_out = 0
    n_uv = np.zeros(len(n_bvac), dtype=np.int64)
    mask = np.zeros(n_class, dtype=np.bool_)
    mask_ret = np.zeros(n_class, dtype=np.bool_)
    # counters: local, crucial, lottery designations; above, middle; pt exceptions, pt allocations
    cnt = np.zeros(7, dtype=np.int64)
    gc_alive = np.empty(n_groups * n_class, dtype=np.int64)
    for li in range(n_groups * n_class):
        gc_alive[li] = gc_off[li + 1] - gc_off[li]

    q = 0
    while q < q_len:
        v = queue[q]
        supply = max(q + 1, n_q0)
        q += 1
        is_local = False
        is_crucial = False
        up = c_uprio[v]
        if up < local_share:
            if cnt[0] + 1 <= local_share * supply + 1e-9:
                is_local = True
                cnt[0] += 1
        elif up < local_share + crucial_share and cnt[1] + 1 <= crucial_share * supply + 1e-9:
            is_crucial = True
            cnt[1] += 1
        is_lottery = c_ulot[v] < lottery_share
        if is_lottery:
            cnt[2] += 1
        # eligibility per class at this moment
        n_alloc1 = n_out + 1
        high_ok = cnt[3] + 1 <= free_share * n_alloc1 + 1e-9
        mid_ok = (cnt[4] + cnt[3] + 1 <= (free_share + middle_share) * n_alloc1 + 1e-9) and (
            middle_share > 0
        )
        pt_exc_ok = cnt[5] + 1 <= pt_share * (cnt[6] + 1) + 1e-9
        rent = c_rent[v]
        b = c_buurt[v]
        quota_ok = True
        if quota >= 0:
            quota_ok = n_uv[b] + 1 <= quota * n_bvac[b] + 1e-9
        j10 = c_art10j[v]
        for c in range(n_class):
            ok = True
            ki = k_inc[c]
            if ki == 1:
                ok = mid_ok
            elif ki == 2:
                ok = high_ok
            kp = k_pt[c]
            if ok and kp > 0:
                cap = cap_small if kp == 1 else cap_large
                if rent > cap and not pt_exc_ok:
                    ok = False
            if ok and k_a8[c] == 1 and c_art8[v]:
                ok = False
            if ok and j10 >= 0 and j10 >= n_levels - k_m[c]:
                ok = False
            mask_ret[c] = ok
            if ok and k_uv[c] == 1 and not quota_ok:
                ok = False
            mask[c] = ok

        winner = -1
        wgroup = -1
        tried_lottery = False
        for oi in range(len(order)):
            code = order[oi]
            if code == 0:  # return
                if not right_to_return:
                    continue
                u = c_unit[v]
                if u < 0:
                    continue
                for t in range(ret_off[u], ret_off[u + 1]):
                    s = ret_list[t]
                    if not placed[s] and mask_ret[s_class[s]]:
                        winner = s
                        break
                if winner >= 0:
                    wgroup = code
                    break
                continue
            gi = -1
            if code == 1:
                gi = 1
            elif code == 2:
                if is_local:
                    gi = 2
            elif code == 3:
                if is_crucial:
                    gi = 3
            elif code == 4:
                if c_art9g[v] >= 0:
                    gi = c_art9g[v]
            elif code == 5:
                if is_lottery:
                    gi = 0
            elif code == 6 and not (is_lottery and tried_lottery):
                gi = 0
            if gi < 0:
                continue
            if is_lottery:
                if gi == 0:
                    tried_lottery = True
                n_e = 0
                for c in range(n_class):
                    if mask[c]:
                        n_e += gc_alive[gi * n_class + c]
                if n_e == 0:
                    continue
                uu = _uniform(c_did[v], lottery_base)
                r = int(uu * n_e)
                if r >= n_e:
                    r = n_e - 1
                # smallest group position P with r + 1 eligible alive members at or before P
                lo = 0
                hi = g_off[gi + 1] - g_off[gi] - 1
                while lo < hi:
                    mid = (lo + hi) // 2
                    cnt_le = 0
                    for c in range(n_class):
                        li = gi * n_class + c
                        if mask[c] and gc_alive[li] > 0:
                            k = _count_le(gc_pos, gc_off[li], gc_off[li + 1], mid)
                            cnt_le += _fen_prefix(gc_fen, gc_off[li] + li, k)
                    if cnt_le >= r + 1:
                        hi = mid
                    else:
                        lo = mid + 1
                winner = g_members[g_off[gi] + lo]
            else:
                best_rank = n_seek + 1
                for c in range(n_class):
                    if not mask[c]:
                        continue
                    li = gi * n_class + c
                    h = head[li]
                    end = r_off[li + 1]
                    while h < end and placed[r_list[h]]:
                        h += 1
                    head[li] = h
                    if h < end:
                        s = r_list[h]
                        if s_rank[s] < best_rank:
                            best_rank = s_rank[s]
                            winner = s
            if winner >= 0:
                wgroup = code
                break

        if winner < 0:
            continue
        s = winner
        placed[s] = True
        for gi in range(n_groups):
            if s_gpos[gi, s] >= 0:
                li = gi * n_class + s_class[s]
                _fen_add(gc_fen, gc_off[li] + li, gc_off[li + 1] - gc_off[li], s_gcidx[gi, s], -1)
                gc_alive[li] -= 1
        out_s[n_out] = s
        out_v[n_out] = v
        out_g[n_out] = wgroup
        n_out += 1
        if s_inc[s] == 2:
            cnt[3] += 1
        elif s_inc[s] == 1:
            cnt[4] += 1
        if s_pt[s] > 0:
            cnt[6] += 1
            cap = cap_small if s_pt[s] == 1 else cap_large
            if rent > cap:
                cnt[5] += 1
        if quota >= 0 and s_uv[s] == 1 and wgroup != 0:
            n_uv[b] += 1
        d_old = s_chain[s]
        if d_old >= 0:
            queue[q_len] = d_old
            q_len += 1
            n_bvac[c_buurt[d_old]] += 1
    return out_s, out_v, out_g, n_out, queue, q_len, cnt


# --- preparation and application ---------------------------------------------------------
def _area_mask(state: State, dwellings: np.ndarray, area: Designation, where: str) -> np.ndarray:
    """Which of ``dwellings`` lie in the designated area."""
    a = state.areas
    try:
        idx = a.index(area.level, area.code)
    except InputError:
        raise _bad(
            f"{where}.code",
            "unknown area",
            f"a {area.level} code of the simulated registers",
            area.code,
        ) from None
    if area.level == "complex":
        return state.d_complex[dwellings] == idx
    if area.level == "straat":
        return state.d_straat[dwellings] == idx
    if area.level == "buurt":
        return state.d_buurt[dwellings] == idx
    return a.buurt_wijk[state.d_buurt[dwellings]] == idx


def _flag_array(state: State, flag: str, field: str) -> np.ndarray:
    if flag in _FLAG_COLUMNS:
        return np.asarray(getattr(state, _FLAG_COLUMNS[flag]), dtype=bool)
    name = flag[len("extra:") :]
    arr = state.extra.get(name)
    if arr is None or len(arr) != state.n_households:
        raise _bad(
            f"{field}.article10_flag",
            "flag array missing",
            f"a boolean array state.extra[{name!r}] with one value per household",
            None if arr is None else f"{len(arr)} values",
        )
    return np.asarray(arr, dtype=bool)


def _group_keys(state: State, hh: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean membership of the report's seeker groups."""
    cause = state.h_seek_cause[hh]
    out: dict[str, np.ndarray] = {"all": np.ones(len(hh), dtype=bool)}
    for c in Cause:
        m = cause == int(c)
        if m.any():
            out[c.name.lower()] = m
    out["urgent"] = state.h_urgent[hh].astype(bool)
    out["vulnerable"] = state.h_vulnerable[hh].astype(bool)
    out["statushouder"] = state.h_statushouder[hh].astype(bool)
    out["returner"] = state.h_return_complex[hh] >= 0
    return out


def allocate_social(
    state: State,
    *,
    year: int,
    key: CrnKey,
    rules: AllocationRules,
    legal: LegalParams,
    ledger: Ledger,
    replicate: int,
    calendar_year: int | None = None,
) -> AllocationReport:
    """Let the year's social-rent vacancies to eligible seekers (step 4).

    Parameters
    ----------
    state : State
        Mutated in place: placed seekers occupy their new dwellings (their old
        dwellings become vacant), registration years reset to 0, urgency ends,
        a used right to return is cleared.
    year : int
        Simulated year (ledger ``year``).
    key : CrnKey
        Common random numbers of the year.
    rules : AllocationRules
        The region's model; checked against ``legal`` first.
    legal : LegalParams
        The law of the calendar year.
    ledger : Ledger
        One row per letting: ``cause`` = RETURN for a returner, else the seek
        cause; ``route`` = the group that gave the dwelling. ``from_dwelling``
        is the dwelling the household left: its current one, or for a seeker
        without one the dwelling it lost (``h_seek_from``, -1 if none).
    replicate : int
    calendar_year : int, optional
        Calendar year for the Wbmgp designations (default ``legal.year``).

    Returns
    -------
    AllocationReport

    Raises
    ------
    InputError
        If the rules break the law of the year, a designated area code is
        unknown, or the art. 10 flag array is missing.
    """
    cy = legal.year if calendar_year is None else int(calendar_year)
    validate_rules(rules, legal)
    f = "allocation"

    # vacancies, in random order
    vac = np.flatnonzero(
        (state.d_owner == CORPORATIE)
        & (state.d_segment == SOCIALE_HUUR)
        & (state.d_status == LEEG)
        & (state.d_occupant < 0)
    )
    u_order = crn_uniform(key, Step.LOTTERY, state.d_id[vac], sub=SUB_ORDER)
    vac = vac[np.lexsort((state.d_id[vac], u_order))]

    # seekers, in h_id order
    seek = np.flatnonzero((state.h_state == HouseholdState.ACTIVE) & (state.h_seek_cause >= 0))
    seek = seek[np.argsort(state.h_id[seek], kind="stable")]
    n_s = len(seek)
    hid = state.h_id[seek]
    old = state.h_dwelling[seek].astype(np.int64)
    housed = old >= 0
    old_social = np.zeros(n_s, dtype=bool)
    old_social[housed] = (state.d_owner[old[housed]] == CORPORATIE) & (
        state.d_segment[old[housed]] == SOCIALE_HUUR
    )

    # candidate dwellings: the vacancies and the social dwellings seekers may free
    cand = np.concatenate([vac, old[old_social]])
    s_chain = np.full(n_s, -1, dtype=np.int64)
    s_chain[old_social] = np.arange(len(vac), len(cand), dtype=np.int64)
    n_c = len(cand)
    c_did = state.d_id[cand].astype(np.uint64)
    c_buurt = state.d_buurt[cand].astype(np.int64)
    c_rent = np.nan_to_num(state.d_rent[cand].astype(np.float64), nan=-np.inf)

    # Wbmgp art. 8
    art8_active = [(i, a) for i, a in enumerate(rules.article8) if a.active(cy)]
    c_art8 = np.zeros(n_c, dtype=np.bool_)
    for i, a in art8_active:
        c_art8 |= _area_mask(state, cand, a, f"{f}.article8[{i}]")
    # Wbmgp art. 9: the first active designation containing the dwelling decides;
    # the dwelling has the priority when its number is below that designation's share
    profiles: list[Profile] = []
    c_art9g = np.full(n_c, -1, dtype=np.int64)
    decided = np.zeros(n_c, dtype=bool)
    u9 = crn_uniform(key, Step.LOTTERY, state.d_id[cand], sub=SUB_ART9)
    for i, a9 in enumerate(rules.article9):
        if not a9.area.active(cy):
            continue
        inside = _area_mask(state, cand, a9.area, f"{f}.article9[{i}]") & ~decided
        decided |= inside
        if a9.profile not in profiles:
            profiles.append(a9.profile)
        c_art9g[inside & (u9 < a9.share)] = _GI_ART9 + profiles.index(a9.profile)
    # Wbmgp art. 10: share levels
    art10_active = [
        (i, a) for i, a in enumerate(rules.article10) if a.area.active(cy) and a.refuse_share > 0
    ]
    levels = np.array(sorted({a.refuse_share for _, a in art10_active}), dtype=np.float64)
    n_levels = len(levels)
    c_share10 = np.zeros(n_c, dtype=np.float64)
    for i, a10 in art10_active:
        inside = _area_mask(state, cand, a10.area, f"{f}.article10[{i}]")
        c_share10[inside] = np.maximum(c_share10[inside], a10.refuse_share)
    c_art10j = np.full(n_c, -1, dtype=np.int64)
    if n_levels:
        has = c_share10 > 0
        c_art10j[has] = np.searchsorted(levels, c_share10[has])
    # return units
    if rules.return_scope == "complex":
        c_unit = state.d_complex[cand].astype(np.int64)
        n_units = len(state.areas.complex)
    else:
        c_unit = state.d_buurt[cand].astype(np.int64)
        n_units = len(state.areas.buurt)

    # seekers' eligibility classes
    size = state.h_size[seek].astype(np.int64)
    income = state.h_income[seek].astype(np.float64)
    daeb = np.where(size <= 1, legal.daeb_income_limit_single, legal.daeb_income_limit_multi)
    s_inc = np.where(income <= daeb, 0, 2).astype(np.int64)
    if legal.daeb_income_limit_middle is not None and legal.daeb_middle_share > 0:
        s_inc[(income > daeb) & (income <= legal.daeb_income_limit_middle)] = 1
    if rules.passend_toewijzen:
        pt_lim = np.where(
            size <= 1, legal.passend_income_limit_single, legal.passend_income_limit_multi
        )
        s_pt = np.where(income <= pt_lim, np.where(size <= 2, 1, 2), 0).astype(np.int64)
    else:
        s_pt = np.zeros(n_s, dtype=np.int64)
    s_a8 = np.zeros(n_s, dtype=np.int64)
    if art8_active:
        ok_src = np.isin(
            state.h_source[seek], [INCOME_SOURCES.index(x) for x in legal.art8_income_sources]
        )
        short = state.h_years_region[seek] < legal.wbmgp_art8_region_years
        s_a8 = (short & ~ok_src).astype(np.int64)
    s_m = np.zeros(n_s, dtype=np.int64)
    screened_out = 0
    if n_levels:
        flagged = _flag_array(state, rules.article10_flag, f)[seek]
        u10 = crn_uniform(key, Step.SCREENING, hid)
        m = (levels[None, :] > u10[:, None]).sum(axis=1)
        s_m = np.where(flagged, m, 0).astype(np.int64)
        screened_out = int((s_m > 0).sum())
    uv = state.h_urgent[seek].astype(bool) | state.h_vulnerable[seek].astype(bool)
    s_uv = (uv & (rules.regional_quota is not None)).astype(np.int64)
    n_m = n_levels + 1
    s_class = (((s_inc * 3 + s_pt) * 2 + s_a8) * n_m + s_m) * 2 + s_uv
    n_class = 3 * 3 * 2 * n_m * 2
    cls_idx = np.arange(n_class)
    k_uv = cls_idx % 2
    k_m = (cls_idx // 2) % n_m
    k_a8 = (cls_idx // (2 * n_m)) % 2
    k_pt = (cls_idx // (4 * n_m)) % 3
    k_inc = cls_idx // (12 * n_m)

    # ranking by registration, ties by a common random number
    tie = crn_uniform(key, Step.LOTTERY, hid, sub=SUB_TIE)
    by_rank = np.lexsort((hid, tie, -state.h_registration[seek].astype(np.float64)))
    s_rank = np.empty(n_s, dtype=np.int64)
    s_rank[by_rank] = np.arange(n_s)

    # groups
    members_of = [
        np.ones(n_s, dtype=bool),
        state.h_urgent[seek].astype(bool),
        state.h_years_region[seek] >= legal.social_tie_years,
        state.h_crucial[seek].astype(bool),
    ]
    members_of += [p.matches(state, seek) for p in profiles]
    n_groups = len(members_of)
    g_lists = [np.flatnonzero(m).astype(np.int64) for m in members_of]
    g_off = np.zeros(n_groups + 1, dtype=np.int64)
    g_off[1:] = np.cumsum([len(x) for x in g_lists])
    g_members = np.concatenate(g_lists) if n_s else np.zeros(0, dtype=np.int64)
    s_gpos = np.full((n_groups, n_s), -1, dtype=np.int64)
    s_gcidx = np.full((n_groups, n_s), -1, dtype=np.int64)
    r_parts: list[np.ndarray] = []
    p_parts: list[np.ndarray] = []
    r_off = np.zeros(n_groups * n_class + 1, dtype=np.int64)
    for gi, lst in enumerate(g_lists):
        n_g = len(lst)
        s_gpos[gi, lst] = np.arange(n_g)
        cls = s_class[lst]
        # by class, then rank (registration lists) / then position (lottery trees)
        r_parts.append(lst[np.lexsort((s_rank[lst], cls))])
        by_pos = np.argsort(cls, kind="stable")
        p_parts.append(by_pos.astype(np.int64))
        counts = np.bincount(cls, minlength=n_class)
        base = gi * n_class
        r_off[base + 1 : base + n_class + 1] = r_off[base] + np.cumsum(counts)
        starts = np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        s_gcidx[gi, lst[by_pos]] = np.arange(n_g) - starts
    r_list = np.concatenate(r_parts) if r_parts else np.zeros(0, dtype=np.int64)
    gc_pos = np.concatenate(p_parts) if p_parts else np.zeros(0, dtype=np.int64)
    gc_off = r_off  # the same (group, class) blocks
    gc_fen = np.zeros(len(gc_pos) + n_groups * n_class, dtype=np.int64)
    for li in range(n_groups * n_class):
        _fen_build(gc_fen, int(gc_off[li]) + li, int(gc_off[li + 1] - gc_off[li]))
    # returners by unit
    ret_c = state.h_return_complex[seek].astype(np.int64)
    if rules.return_scope == "complex":
        s_unit = ret_c
    else:
        s_unit = np.where(ret_c >= 0, state.areas.complex_buurt[np.maximum(ret_c, 0)], -1)
    ret = np.flatnonzero(s_unit >= 0)
    ret = ret[np.lexsort((s_rank[ret], s_unit[ret]))]
    ret_off = np.zeros(n_units + 1, dtype=np.int64)
    ret_off[1:] = np.cumsum(np.bincount(s_unit[ret], minlength=n_units))

    free = legal.daeb_free_share if rules.daeb_free_share is None else rules.daeb_free_share
    order = np.array([GROUPS.index(g) for g in rules.order], dtype=np.int64)
    fpar = np.array(
        [
            rules.lottery_share,
            rules.local_tie_share,
            rules.crucial_share,
            free,
            legal.daeb_middle_share if legal.daeb_income_limit_middle is not None else 0.0,
            rules.passend_exception_share,
            -1.0 if rules.regional_quota is None else rules.regional_quota,
            legal.passend_cap_small,
            legal.passend_cap_large,
            float(n_levels),
            1.0 if rules.right_to_return else 0.0,
        ],
        dtype=np.float64,
    )
    bases = np.array([key.base(Step.LOTTERY, SUB_LOTTERY_DRAW)], dtype=np.uint64)
    n_bvac = np.bincount(c_buurt[: len(vac)], minlength=len(state.areas.buurt)).astype(np.int64)

    out_s, out_v, out_g, n_out, _queue, q_len, cnt = _kernel(
        np.arange(len(vac), dtype=np.int64),
        c_did,
        c_buurt,
        c_rent,
        c_art8,
        c_art9g,
        c_art10j,
        c_unit,
        crn_uniform(key, Step.LOTTERY, state.d_id[cand], sub=SUB_PRIORITY),
        crn_uniform(key, Step.LOTTERY, state.d_id[cand], sub=SUB_LOTTERY_VACANCY),
        n_bvac,
        s_class.astype(np.int64),
        s_rank,
        s_inc,
        s_pt,
        s_uv,
        s_chain,
        g_members,
        g_off,
        s_gpos,
        gc_pos,
        gc_off,
        s_gcidx,
        gc_fen,
        r_list.astype(np.int64),
        r_off,
        ret.astype(np.int64),
        ret_off,
        k_inc.astype(np.int64),
        k_pt.astype(np.int64),
        k_a8.astype(np.int64),
        k_m.astype(np.int64),
        k_uv.astype(np.int64),
        order,
        fpar,
        bases,
    )
    out_s, out_v, out_g = out_s[:n_out], out_v[:n_out], out_g[:n_out]

    # apply
    hh = seek[out_s]
    to_d = cand[out_v]
    from_d = np.where(old[out_s] >= 0, old[out_s], state.h_seek_from[hh].astype(np.int64))
    from_b = np.where(from_d >= 0, state.d_buurt[np.maximum(from_d, 0)], -1)
    returned = out_g == _G_RETURN
    cause = np.where(returned, int(Cause.RETURN), state.h_seek_cause[hh].astype(np.int64))
    route_of_code = np.array([int(ROUTES[g]) for g in GROUPS], dtype=np.int64)
    route = route_of_code[out_g]
    groups = _group_keys(state, seek)
    placed_mask = np.zeros(n_s, dtype=bool)
    placed_mask[out_s] = True
    seek_years = state.h_seek_years[seek].astype(np.float64)
    registration = state.h_registration[seek].astype(np.float64)
    placed_by: dict[str, int] = {}
    unplaced_by: dict[str, int] = {}
    wait_seek: dict[str, float] = {}
    wait_reg: dict[str, float] = {}
    for name, m in groups.items():
        pm = m & placed_mask
        n_p = int(pm.sum())
        placed_by[name] = n_p
        unplaced_by[name] = int((m & ~placed_mask).sum())
        wait_seek[name] = float(seek_years[pm].mean()) if n_p else math.nan
        wait_reg[name] = float(registration[pm].mean()) if n_p else math.nan

    moving_out = hh[old[out_s] >= 0]
    state.vacate(moving_out)
    state.occupy(hh, to_d)
    state.h_registration[hh] = 0
    state.h_urgent[hh] = False
    state.h_return_complex[hh[returned]] = -1
    ledger.append(
        replicate=replicate,
        year=year,
        household=hh,
        household_id=state.h_id[hh],
        from_dwelling=from_d,
        to_dwelling=to_d,
        from_buurt=from_b,
        to_buurt=state.d_buurt[to_d],
        cause=cause,
        route=route,
    )
    by_route = {g: int((out_g == GROUPS.index(g)).sum()) for g in GROUPS}
    return AllocationReport(
        year=year,
        calendar_year=cy,
        seekers=n_s,
        vacancies=len(vac),
        chain_vacancies=q_len - len(vac),
        allocated=n_out,
        unlet=q_len - n_out,
        allocated_by_route=MappingProxyType(by_route),
        above_income_limit=int(cnt[3]),
        middle_band=int(cnt[4]),
        passend_exceptions=int(cnt[5]),
        passend_target_group=int(cnt[6]),
        designated_local_tie=int(cnt[0]),
        designated_crucial=int(cnt[1]),
        designated_lottery=int(cnt[2]),
        screened_out=screened_out,
        placed_by_group=MappingProxyType(placed_by),
        unplaced_by_group=MappingProxyType(unplaced_by),
        mean_seek_years_placed=MappingProxyType(wait_seek),
        mean_registration_placed=MappingProxyType(wait_reg),
    )
