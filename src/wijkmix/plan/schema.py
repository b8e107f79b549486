"""The plan file: pydantic models, loader and JSON Schema.

A plan is a TOML file (never YAML: a code such as ``"0363"`` must stay text)
with these top-level tables (see ``docs/plan.md`` for every field):

``[plan]``
    Name, gemeente, areas, start year, horizon, description and an optional
    ``[plan.stock]`` table of dwellings and social rent per area.
``[questions]``
    The answers to the seven questions of *mengen met precisie*.
``[[parties]]``
    The actors, with role, interest and influence (1–5).
``[[goals]]``
    Numeric goals per indicator and area (shared with :mod:`wijkmix.plan.monitor`).
``[[measures]]``
    Instruments from the catalogue (:mod:`wijkmix.plan.catalogue`), with party,
    area, years, quantities, goals and flanking measures.
``[routekaart]``
    The route map: *richten*, *inrichten*, *verrichten*, each a list of stops.
``[[risks]]``, ``[fund]``, ``[[treasure_map]]``
    Risks, the neighbourhood fund and the map of initiatives.
``[allocation]``
    Allocation rules in the format of
    :meth:`wijkmix.sim.allocation.AllocationRules.from_dict`.

Every model is frozen; tables of the file (``plan.stock``, ``quantities.mix``,
``allocation``) are read-only mappings. :func:`load_plan` turns every problem
into an :class:`~wijkmix.errors.InputError` whose ``where`` names the file and
the dotted field (``plan.toml, field 'measures[2].years'``).
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
import tomllib
import typing
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal, cast, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wijkmix.areas import CBS_LEVELS, Level, parent_code, parse_code
from wijkmix.errors import InputError, InputErrors, Location

__all__ = [
    "DIRECTIONS",
    "PARTY_KINDS",
    "PLAN_MODELS",
    "SEGMENTS",
    "STOP_STATUSES",
    "Baseline",
    "Contribution",
    "Decision",
    "Expected",
    "Fund",
    "Goal",
    "Initiative",
    "Measure",
    "Milestone",
    "Party",
    "PartyGoal",
    "Plan",
    "PlanArea",
    "PlanInfo",
    "Quantities",
    "Questions",
    "Risk",
    "Routekaart",
    "StockEntry",
    "Stop",
    "TimeScale",
    "area_within",
    "load_plan",
    "plan_from_dict",
    "plan_json_schema",
    "write_plan_json_schema",
]

#: Kinds of party.
PARTY_KINDS: tuple[str, ...] = (
    "gemeente",
    "woningcorporatie",
    "zorg_welzijn",
    "programmabureau",
    "metropoolregio",
    "bewoners",
    "ondernemers",
    "overig",
)
#: Directions of a goal.
DIRECTIONS: tuple[str, ...] = ("omhoog", "omlaag", "gelijk")
#: Status of a route-map stop.
STOP_STATUSES: tuple[str, ...] = ("open", "bezig", "gereed")
#: Dwelling segments of a quantities mix (the segments of :mod:`wijkmix.sim.state`).
SEGMENTS: tuple[str, ...] = (
    "sociale_huur",
    "middenhuur",
    "vrije_huur",
    "koop_betaalbaar",
    "koop_duur",
)

PartyKind = Literal[
    "gemeente",
    "woningcorporatie",
    "zorg_welzijn",
    "programmabureau",
    "metropoolregio",
    "bewoners",
    "ondernemers",
    "overig",
]
Direction = Literal["omhoog", "omlaag", "gelijk"]
StopStatus = Literal["open", "bezig", "gereed"]
Segment = Literal["sociale_huur", "middenhuur", "vrije_huur", "koop_betaalbaar", "koop_duur"]
SpatialScale = Literal["portiek", "complex", "straat", "buurt", "wijk", "gemeente", "regio"]
ProblemMeansGoal = Literal["probleem", "middel", "doel"]

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_TEXT_PATTERN = r"\S"

Id = Annotated[str, Strict(), StringConstraints(pattern=_ID_PATTERN, max_length=100)]
Text = Annotated[str, Strict(), StringConstraints(pattern=_TEXT_PATTERN)]
FreeText = Annotated[str, Strict()]
Year = Annotated[int, Strict(), Field(ge=1900, le=2200)]
Number = Annotated[float, Strict()]
NonNegative = Annotated[float, Strict(), Field(ge=0)]
Share = Annotated[float, Strict(), Field(ge=0, le=1)]
Count = Annotated[int, Strict(), Field(ge=0)]
Score = Annotated[int, Strict(), Field(ge=1, le=5)]


def _fail(
    what: str,
    expected: str,
    found: object,
    *,
    field: str = "",
    hint: str | None = None,
) -> PydanticCustomError:
    """A validation error that :func:`_to_input_errors` turns into an InputError.

    ``field`` is a path relative to where pydantic reports the error (empty
    for a field validator, the field name for a model validator).
    """
    return PydanticCustomError(
        "wijkmix",
        "{what}",
        {"what": what, "expected": expected, "found": found, "field": field, "hint": hint},
    )


def _freeze(value: Any) -> Any:
    """Deep read-only copy: tables become mappingproxy, arrays tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    """Inverse of :func:`_freeze`: plain dicts and lists (as read from TOML)."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(v) for v in value]
    return value


def _freeze_map(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


def _plain_map(d: Mapping[str, Any]) -> dict[str, Any]:
    return dict(d)


def _empty_map() -> Mapping[str, Any]:
    return MappingProxyType({})


def _empty_mix() -> Mapping[Segment, float]:
    return MappingProxyType({})


def _is_cbs_like(code: str) -> bool:
    return code.strip().upper()[:2] in ("GM", "WK", "BU")


def area_within(inner: str, outer: str) -> bool:
    """Whether area ``inner`` equals ``outer`` or lies inside it.

    Containment is known only for CBS codes (buurt → wijk → gemeente); any
    other code (complex, straat, regio) lies only within itself.

    >>> area_within("BU05183398", "WK051833"), area_within("WK051833", "BU05183398")
    (True, False)
    >>> area_within("complex-12", "complex-12")
    True
    """
    if inner == outer:
        return True
    if not (_is_cbs_like(inner) and _is_cbs_like(outer)):
        return False
    try:
        code: str | None = parse_code(inner).code
        target = parse_code(outer).code
    except InputError:
        return False
    while code is not None:
        if code == target:
            return True
        code = parent_code(code)
    return False


def _area_code(code: str, level: str | None) -> str:
    """Normalise ``code`` (CBS codes are parsed for the CBS levels)."""
    if level in CBS_LEVELS:
        try:
            return parse_code(code, level=level).code
        except InputError as e:
            raise _fail(
                e.what, e.expected, code, hint=e.hint or "buurt BU+8, wijk WK+6, gemeente GM+4"
            ) from None
    if not code.strip():
        raise _fail("empty area code", "the code of the area", code)
    return code.strip()


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        validate_default=False,
    )


# --- [plan] ---------------------------------------------------------------------------
class PlanArea(_Model):
    """One area of the plan."""

    level: Level = Field(description="Schaalniveau: portiek, complex, straat, buurt, wijk, …")
    code: Text = Field(description="Code van het gebied (CBS-code voor buurt, wijk, gemeente).")
    name: FreeText = Field(default="", description="Naam van het gebied.")

    @field_validator("code")
    @classmethod
    def _code(cls, v: str, info: Any) -> str:
        return _area_code(v, info.data.get("level"))


class StockEntry(_Model):
    """Dwellings and social rent of one area at the start of the plan."""

    dwellings: Count = Field(description="Aantal woningen (woningvoorraad).")
    social_rent: Count = Field(
        description="Aantal sociale huurwoningen (CBS geeft corporatiebezit, niet de huurhoogte)."
    )

    @model_validator(mode="after")
    def _social_within(self) -> StockEntry:
        if self.social_rent > self.dwellings:
            raise _fail(
                "more social rent than dwellings",
                f"social_rent at most dwellings ({self.dwellings})",
                self.social_rent,
                field="social_rent",
            )
        return self


StockMap = Annotated[
    Mapping[str, StockEntry],
    AfterValidator(_freeze_map),
    PlainSerializer(_plain_map, return_type=dict[str, StockEntry]),
]


class PlanInfo(_Model):
    """The ``[plan]`` table."""

    name: Text = Field(description="Naam van het plan.")
    gemeente: Text = Field(description="CBS-code van de gemeente (GM + 4 cijfers).")
    areas: tuple[PlanArea, ...] = Field(
        min_length=1, description="De gebieden van het plan: [{level, code, name}]."
    )
    start_year: Year = Field(description="Eerste jaar van het plan.")
    horizon: Annotated[int, Strict(), Field(ge=1, le=100)] = Field(
        description="Looptijd in jaren (het plan loopt t/m start_year + horizon − 1)."
    )
    description: FreeText = Field(default="", description="Korte beschrijving.")
    stock: StockMap = Field(
        default_factory=_empty_map,
        description="Optioneel: woningen en sociale huur per gebied bij de start "
        "({gebiedscode: {dwellings, social_rent}}).",
    )

    @field_validator("gemeente")
    @classmethod
    def _gemeente(cls, v: str) -> str:
        return _area_code(v, "gemeente")

    @field_validator("stock")
    @classmethod
    def _stock_keys(cls, v: Mapping[str, StockEntry]) -> Mapping[str, StockEntry]:
        out: dict[str, StockEntry] = {}
        for key, entry in v.items():
            code = key.strip()
            if _is_cbs_like(code):
                try:
                    code = parse_code(code).code
                except InputError as e:
                    raise _fail(e.what, e.expected, key, field=key) from None
            if not code:
                raise _fail("empty area code", "the code of the area", key, field=key)
            if code in out:
                raise _fail("area listed twice", "each area once", key, field=key)
            out[code] = entry
        return MappingProxyType(out)

    @property
    def last_year(self) -> int:
        """The last calendar year of the plan."""
        return self.start_year + self.horizon - 1


# --- [questions] ----------------------------------------------------------------------
class PartyGoal(_Model):
    """The goal and desired mix of one party."""

    party: Id = Field(description="Id van de partij (uit [[parties]]).")
    goal: Text = Field(description="Wat deze partij met menging wil bereiken.")
    desired_mix: Text = Field(description="De menging die deze partij wenst.")


class TimeScale(_Model):
    """The time scale of the plan."""

    text: Text = Field(description="Op welke termijn menging effect moet hebben, in woorden.")
    years: Annotated[int, Strict(), Field(ge=1, le=100)] = Field(description="Termijn in jaren.")


class Questions(_Model):
    """The seven questions every mixing protagonist should answer."""

    what_is_mixed: Text = Field(description="Wat wordt er gemengd (woningen, inkomens, …)?")
    who_gains_who_bears: Text = Field(description="Wie heeft er baat bij, wie draagt de lasten?")
    theory_of_change: Text = Field(description="Veranderingstheorie: waarom zou dit werken?")
    problem_means_or_goal: ProblemMeansGoal = Field(
        description="Is menging hier probleem, middel of doel?"
    )
    goals_per_party: tuple[PartyGoal, ...] = Field(
        default=(), description="Doelen en gewenste menging per partij."
    )
    spatial_scale: SpatialScale = Field(description="Schaal waarop gemengd wordt.")
    time_scale: TimeScale = Field(description="Tijdschaal: tekst en jaren.")


# --- [[parties]] ----------------------------------------------------------------------
class Party(_Model):
    """One actor (actorenanalyse)."""

    id: Id = Field(description="Unieke id van de partij.")
    name: Text = Field(description="Naam van de partij.")
    kind: PartyKind = Field(description="Soort partij.")
    role: FreeText = Field(default="", description="Rol in het plan.")
    interest: Score = Field(description="Belang bij het plan (1–5).")
    influence: Score = Field(description="Invloed op het plan (1–5).")


# --- [[goals]] ------------------------------------------------------------------------
class Baseline(_Model):
    """The starting value of a goal's indicator."""

    value: Number = Field(description="Waarde bij de nulmeting.")
    year: Year = Field(description="Jaar van de nulmeting.")
    source: Text = Field(description="Bron van de waarde.")


class Milestone(_Model):
    """An intermediate value on the way to a goal."""

    year: Year = Field(description="Jaar van de mijlpaal.")
    value: Number = Field(description="Waarde die in dat jaar bereikt moet zijn.")


class Goal(_Model):
    """A numeric goal (shared with the monitor)."""

    id: Id = Field(description="Unieke id van het doel.")
    indicator: Id = Field(
        description="Indicator: een concept (pct_corporation, pct_low_income_households, …) "
        "of eigen naam (lbm, satisfaction, displacement_forced_out, …)."
    )
    level: Level = Field(description="Schaalniveau van het gebied.")
    area: Text = Field(description="Gebiedscode (CBS-code of id van complex of straat).")
    baseline: Baseline = Field(description="Nulmeting: {value, year, source}.")
    target: Number = Field(description="Streefwaarde.")
    target_year: Year = Field(description="Jaar waarin de streefwaarde bereikt moet zijn.")
    direction: Direction = Field(description="Richting: omhoog, omlaag of gelijk.")
    tolerance: NonNegative = Field(
        default=0.0, description="Toegestane afwijking (vooral bij 'gelijk'), in de eenheid."
    )
    milestones: tuple[Milestone, ...] = Field(default=(), description="Mijlpalen [{year, value}].")
    unit: FreeText | None = Field(default=None, description="Eenheid (%, aantal, klasse, …).")
    description: FreeText = Field(default="", description="Toelichting.")

    @field_validator("area")
    @classmethod
    def _area(cls, v: str, info: Any) -> str:
        return _area_code(v, info.data.get("level"))

    @model_validator(mode="after")
    def _consistent(self) -> Goal:
        if self.target_year < self.baseline.year:
            raise _fail(
                "target year before the baseline",
                f"a year from {self.baseline.year} (the baseline year)",
                self.target_year,
                field="target_year",
            )
        prev = self.baseline.year
        for i, m in enumerate(self.milestones):
            if not prev < m.year < self.target_year:
                raise _fail(
                    "milestone out of order",
                    f"a year after {prev} and before the target year {self.target_year}",
                    m.year,
                    field=f"milestones[{i}].year",
                    hint="list milestones in time order between baseline and target year",
                )
            prev = m.year
        b = self.baseline.value
        if self.direction == "omhoog" and not self.target > b:
            raise _fail(
                "target does not go up",
                f"a target above the baseline {b:g} (direction 'omhoog')",
                self.target,
                field="target",
            )
        if self.direction == "omlaag" and not self.target < b:
            raise _fail(
                "target does not go down",
                f"a target below the baseline {b:g} (direction 'omlaag')",
                self.target,
                field="target",
            )
        return self


# --- [[measures]] ---------------------------------------------------------------------
MixMap = Annotated[
    Mapping[Segment, Share],
    AfterValidator(_freeze_map),
    PlainSerializer(_plain_map, return_type=dict[str, float]),
]


class Quantities(_Model):
    """How much a measure does."""

    dwellings: Count | None = Field(default=None, description="Aantal woningen.")
    share: Share | None = Field(
        default=None,
        description="Aandeel 0–1: van de voorraad (sloop, verkoop, verdichting) of van het "
        "aanbod (voorrang, loting).",
    )
    mix: MixMap = Field(
        default_factory=_empty_mix,
        description="Segmentmix {sociale_huur, middenhuur, vrije_huur, koop_betaalbaar, "
        "koop_duur} als aandelen die samen 1 zijn; bij sloop en verkoop: wat verdwijnt "
        "(standaard alles sociale huur).",
    )
    rent: NonNegative | None = Field(default=None, description="Kale maandhuur in euro.")
    budget: NonNegative | None = Field(default=None, description="Budget in euro.")
    units: Count | None = Field(
        default=None, description="Aantal eenheden anders dan woningen (werkruimtes, plekken, …)."
    )

    @field_validator("mix")
    @classmethod
    def _mix_sums_to_one(cls, v: Mapping[str, float]) -> Mapping[str, float]:
        if v and abs(sum(v.values()) - 1.0) > 1e-6:
            raise _fail(
                "segment shares do not add up",
                "shares that add up to 1",
                round(sum(v.values()), 6),
            )
        return v


class Expected(_Model):
    """The expected contribution of a measure to a goal."""

    goal: Id = Field(description="Id van het doel.")
    contribution: Number = Field(
        description="Verwachte bijdrage aan het doel, in de eenheid van het doel "
        "(negatief bij dalen)."
    )


class Measure(_Model):
    """One measure: an instrument applied by a party in an area and period."""

    id: Id = Field(description="Unieke id van de maatregel.")
    name: FreeText = Field(default="", description="Korte naam.")
    instrument: Id = Field(description="Id van een instrument uit de catalogus.")
    party: Id = Field(description="Id van de uitvoerende partij.")
    level: Level = Field(description="Schaalniveau van het gebied.")
    area: Text = Field(description="Gebiedscode.")
    years: tuple[Year, Year] = Field(
        description="[begin, eind]: jaar waarin de maatregel begint en jaar waarin hij af is "
        "(nieuwbouw: opgeleverd)."
    )
    quantities: Quantities = Field(
        default_factory=Quantities,
        description="Hoeveelheden: {dwellings, share, mix, …}.",
    )
    goals: tuple[Id, ...] = Field(
        default=(), description="Ids van de doelen die de maatregel dient."
    )
    expected: tuple[Expected, ...] = Field(
        default=(), description="Verwachte bijdragen [{goal, contribution}]."
    )
    flanking: tuple[Id, ...] = Field(
        default=(), description="Ids van flankerende (sociale, economische) maatregelen."
    )
    replaced_by: tuple[Id, ...] | None = Field(
        default=None,
        description="Alleen bij sloop: ids van de vervangende nieuwbouw; leeg = bewust geen "
        "vervanging; weglaten = nieuwbouw in hetzelfde gebied telt als vervanging.",
    )
    simulated: Annotated[bool, Strict()] = Field(
        default=False, description="Neem de maatregel mee in de simulatie (proberen)."
    )
    description: FreeText = Field(default="", description="Toelichting.")

    @field_validator("area")
    @classmethod
    def _area(cls, v: str, info: Any) -> str:
        return _area_code(v, info.data.get("level"))

    @field_validator("years")
    @classmethod
    def _years_ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[1] < v[0]:
            raise _fail("end before start", f"an end year from {v[0]}", v[1], field="[1]")
        return v

    @field_validator("goals", "flanking", "replaced_by")
    @classmethod
    def _unique(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None:
            for i, x in enumerate(v):
                if x in v[:i]:
                    raise _fail("id listed twice", "each id once", x, field=f"[{i}]")
        return v


# --- [routekaart] ---------------------------------------------------------------------
class Stop(_Model):
    """One stop of the route map."""

    id: Id = Field(description="Unieke id van de stop.")
    title: Text = Field(description="Titel.")
    owner: Id | None = Field(default=None, description="Id van de partij die eigenaar is.")
    status: StopStatus = Field(default="open", description="open, bezig of gereed.")
    notes: FreeText = Field(default="", description="Aantekeningen.")


class Routekaart(_Model):
    """The route map of the municipal process."""

    richten: tuple[Stop, ...] = Field(
        default=(), description="Richten: bestemming, uitdagingen, nodige veranderingen."
    )
    inrichten: tuple[Stop, ...] = Field(
        default=(),
        description="Inrichten: doelgroepen, wie buiten de boot valt, activiteiten, eigenaar.",
    )
    verrichten: tuple[Stop, ...] = Field(
        default=(), description="Verrichten: wie is nodig, risico's."
    )

    def stops(self) -> Iterator[tuple[str, int, Stop]]:
        """Every stop as ``(stage, index, stop)`` in route order."""
        for stage in ("richten", "inrichten", "verrichten"):
            for i, s in enumerate(getattr(self, stage)):
                yield stage, i, s


# --- [[risks]], [fund], [[treasure_map]] -------------------------------------------------
class Risk(_Model):
    """A risk of the plan."""

    id: Id = Field(description="Unieke id van het risico.")
    description: Text = Field(description="Wat er mis kan gaan.")
    likelihood: Score = Field(description="Kans (1–5).")
    impact: Score = Field(description="Gevolg (1–5).")
    mitigation: FreeText = Field(default="", description="Beheersmaatregel.")
    owner: Id | None = Field(default=None, description="Id van de partij die het risico beheert.")


class Contribution(_Model):
    """A contribution of a party to the neighbourhood fund."""

    party: Id = Field(description="Id van de partij.")
    amount: NonNegative = Field(description="Bedrag in euro.")
    year: Year = Field(description="Jaar.")


class Decision(_Model):
    """A spending decision of the neighbourhood fund."""

    id: Id = Field(description="Unieke id van het besluit.")
    year: Year = Field(description="Jaar.")
    description: Text = Field(description="Waarvoor.")
    amount: NonNegative = Field(description="Bedrag in euro.")
    decided_by: Text = Field(description="Wie besloot (bijv. bewonerscommissie).")


class Fund(_Model):
    """The neighbourhood fund (wijkfonds), run with residents."""

    name: FreeText = Field(default="Wijkfonds", description="Naam van het fonds.")
    contributions: tuple[Contribution, ...] = Field(
        default=(), description="Bijdragen [{party, amount, year}]."
    )
    decisions: tuple[Decision, ...] = Field(
        default=(), description="Besluiten [{id, year, description, amount, decided_by}]."
    )
    balance: Number | None = Field(
        default=None, description="Saldo in euro: bijdragen min besluiten (wordt nagerekend)."
    )

    @model_validator(mode="after")
    def _balance_adds_up(self) -> Fund:
        computed = sum(c.amount for c in self.contributions) - sum(d.amount for d in self.decisions)
        if self.balance is not None and abs(self.balance - computed) > 0.005:
            raise _fail(
                "balance does not add up",
                f"contributions minus decisions = {computed:.2f}",
                self.balance,
                field="balance",
            )
        return self


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_PHONE = re.compile(r"(?:\+?\d[\s\-]?){8,}")


class Initiative(_Model):
    """One entry of the treasure map (schatkaart); no personal data."""

    name: Text = Field(description="Naam van het initiatief of de plek.")
    type: Text = Field(description="Soort: ontmoetingsplek, vereniging, ondernemer, …")
    location: Text = Field(description="Plek (adres van de voorziening of gebied).")
    contact_role: Text = Field(
        description="Rol van de contactpersoon (bijv. 'coördinator'), geen naam of nummer."
    )

    @field_validator("contact_role")
    @classmethod
    def _no_personal_data(cls, v: str) -> str:
        if _EMAIL.search(v) or _PHONE.search(v):
            raise _fail(
                "personal data in the treasure map",
                "a role such as 'coördinator buurthuis', without e-mail address or phone number",
                v,
                hint="the treasure map is shared; keep contact details in the organisation",
            )
        return v


AllocationMap = Annotated[
    Mapping[str, Any],
    AfterValidator(_freeze),
    PlainSerializer(_thaw, return_type=dict[str, Any]),
]


# --- the plan -------------------------------------------------------------------------
Issue = tuple[str, str, str, object, str | None]  # field, what, expected, found, hint


class Plan(_Model):
    """A whole plan file."""

    plan: PlanInfo = Field(description="Algemene gegevens van het plan.")
    questions: Questions = Field(description="De zeven vragen.")
    parties: tuple[Party, ...] = Field(min_length=1, description="Partijen (actorenanalyse).")
    goals: tuple[Goal, ...] = Field(default=(), description="Numerieke doelen.")
    measures: tuple[Measure, ...] = Field(default=(), description="Maatregelen.")
    routekaart: Routekaart = Field(default_factory=Routekaart, description="Routekaart.")
    risks: tuple[Risk, ...] = Field(default=(), description="Risico's.")
    fund: Fund | None = Field(default=None, description="Wijkfonds.")
    treasure_map: tuple[Initiative, ...] = Field(
        default=(), description="Schatkaart van initiatieven."
    )
    allocation: AllocationMap | None = Field(
        default=None,
        description="Toewijzingsregels (formaat van wijkmix.sim.allocation.AllocationRules).",
    )

    @model_validator(mode="after")
    def _cross_references(self) -> Plan:
        issues = _cross_issues(self)
        if issues:
            raise PydanticCustomError(
                "wijkmix_refs",
                "{n} cross-reference problems",
                {"n": len(issues), "issues": issues},
            )
        return self

    # convenience look-ups
    def goal(self, goal_id: str) -> Goal:
        """The goal with id ``goal_id`` (KeyError if absent)."""
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)

    def measure(self, measure_id: str) -> Measure:
        """The measure with id ``measure_id`` (KeyError if absent)."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)

    def party(self, party_id: str) -> Party:
        """The party with id ``party_id`` (KeyError if absent)."""
        for p in self.parties:
            if p.id == party_id:
                return p
        raise KeyError(party_id)

    def allocation_dict(self) -> dict[str, Any] | None:
        """The ``[allocation]`` table as plain dicts and lists (for ``from_dict``)."""
        return None if self.allocation is None else cast(dict[str, Any], _thaw(self.allocation))


#: Every model of the plan file (the docs test checks each field is documented).
PLAN_MODELS: tuple[type[BaseModel], ...] = (
    Plan,
    PlanInfo,
    PlanArea,
    StockEntry,
    Questions,
    PartyGoal,
    TimeScale,
    Party,
    Goal,
    Baseline,
    Milestone,
    Measure,
    Quantities,
    Expected,
    Routekaart,
    Stop,
    Risk,
    Fund,
    Contribution,
    Decision,
    Initiative,
)


def _unique_ids(items: Sequence[tuple[str, str]], what: str, issues: list[Issue]) -> frozenset[str]:
    seen: set[str] = set()
    for field, ident in items:
        if ident in seen:
            issues.append(
                (field, f"duplicate {what} id", f"a {what} id used once", ident, "ids are unique")
            )
        seen.add(ident)
    return frozenset(seen)


def _ref(field: str, ident: str, known: frozenset[str], what: str, issues: list[Issue]) -> None:
    if ident not in known:
        close = difflib.get_close_matches(ident, sorted(known), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"add the {what} or fix the id"
        expected = f"the id of a {what}" + (f" ({', '.join(sorted(known)[:8])})" if known else "")
        issues.append((field, f"unknown {what}", expected, ident, hint))


def _allocation_rules_api() -> Any | None:
    """``wijkmix.sim.allocation.AllocationRules`` when that module is available."""
    try:
        mod = importlib.import_module("wijkmix.sim.allocation")
    except ImportError:
        return None
    return getattr(mod, "AllocationRules", None)


def _cross_issues(plan: Plan) -> list[Issue]:
    issues: list[Issue] = []
    parties = _unique_ids(
        [(f"parties[{i}].id", p.id) for i, p in enumerate(plan.parties)], "party", issues
    )
    goals = _unique_ids(
        [(f"goals[{i}].id", g.id) for i, g in enumerate(plan.goals)], "goal", issues
    )
    measures = _unique_ids(
        [(f"measures[{i}].id", m.id) for i, m in enumerate(plan.measures)], "measure", issues
    )
    _unique_ids(
        [(f"routekaart.{st}[{i}].id", s.id) for st, i, s in plan.routekaart.stops()],
        "route-map stop",
        issues,
    )
    _unique_ids([(f"risks[{i}].id", r.id) for i, r in enumerate(plan.risks)], "risk", issues)
    if plan.fund is not None:
        _unique_ids(
            [(f"fund.decisions[{i}].id", d.id) for i, d in enumerate(plan.fund.decisions)],
            "decision",
            issues,
        )

    for i, pg in enumerate(plan.questions.goals_per_party):
        _ref(f"questions.goals_per_party[{i}].party", pg.party, parties, "party", issues)
    for i, m in enumerate(plan.measures):
        f = f"measures[{i}]"
        _ref(f"{f}.party", m.party, parties, "party", issues)
        for j, g in enumerate(m.goals):
            _ref(f"{f}.goals[{j}]", g, goals, "goal", issues)
        for j, e in enumerate(m.expected):
            if e.goal not in m.goals:
                issues.append(
                    (
                        f"{f}.expected[{j}].goal",
                        "expected contribution to a goal the measure does not serve",
                        "a goal id listed in the measure's goals",
                        e.goal,
                        "add the goal to 'goals' or remove the expectation",
                    )
                )
        for name, refs in (("flanking", m.flanking), ("replaced_by", m.replaced_by or ())):
            for j, ref in enumerate(refs):
                if ref == m.id:
                    issues.append(
                        (
                            f"{f}.{name}[{j}]",
                            "measure refers to itself",
                            "the id of another measure",
                            ref,
                            None,
                        )
                    )
                else:
                    _ref(f"{f}.{name}[{j}]", ref, measures, "measure", issues)
    for stage, i, s in plan.routekaart.stops():
        if s.owner is not None:
            _ref(f"routekaart.{stage}[{i}].owner", s.owner, parties, "party", issues)
    for i, r in enumerate(plan.risks):
        if r.owner is not None:
            _ref(f"risks[{i}].owner", r.owner, parties, "party", issues)
    if plan.fund is not None:
        for i, c in enumerate(plan.fund.contributions):
            _ref(f"fund.contributions[{i}].party", c.party, parties, "party", issues)

    gm = plan.plan.gemeente
    located: list[tuple[str, str, str]] = [
        (f"plan.areas[{i}].code", a.code, a.level) for i, a in enumerate(plan.plan.areas)
    ]
    located += [(f"goals[{i}].area", g.area, g.level) for i, g in enumerate(plan.goals)]
    located += [(f"measures[{i}].area", m.area, m.level) for i, m in enumerate(plan.measures)]
    located += [
        (f"plan.stock.{code}", code, "")
        for code in plan.plan.stock
        if code[:2] in ("GM", "WK", "BU")
    ]
    for field, code, level in located:
        if (level in CBS_LEVELS or level == "") and not area_within(code, gm):
            issues.append(
                (
                    field,
                    "area outside the plan's gemeente",
                    f"an area in {gm}",
                    code,
                    "a plan covers one gemeente; use that gemeente's codes",
                )
            )

    if plan.allocation is not None:
        rules_cls = _allocation_rules_api()
        from_dict = getattr(rules_cls, "from_dict", None)
        if from_dict is not None:
            try:
                from_dict(plan.allocation_dict(), field="allocation")
            except InputError as e:
                issues.append((e.where.field or "allocation", e.what, e.expected, e.found, e.hint))
            except (TypeError, ValueError, KeyError, AttributeError) as e:
                issues.append(
                    (
                        "allocation",
                        "unreadable allocation rules",
                        "a valid [allocation] table",
                        str(e),
                        None,
                    )
                )
    return issues


# --- errors ---------------------------------------------------------------------------
_TYPE_EXPECTED: Mapping[str, str] = MappingProxyType(
    {
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "float_type": "a number",
        "float_parsing": "a number",
        "finite_number": "a finite number (not nan or inf)",
        "string_type": "text (in quotes)",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "model_type": "a table",
        "model_attributes_type": "a table",
        "dict_type": "a table",
        "mapping_type": "a table",
        "tuple_type": "a list [ ... ]",
        "list_type": "a list [ ... ]",
        "iterable_type": "a list [ ... ]",
    }
)


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for x in loc:
        if x == "[key]":
            continue
        if isinstance(x, int):
            out += f"[{x}]"
        else:
            name = str(x)
            if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
                name = json.dumps(name, ensure_ascii=False)
            out += f".{name}" if out else name
    return out


def _join(base: str, rel: str) -> str:
    if not rel:
        return base
    if not base:
        return rel
    return base + (rel if rel.startswith("[") else "." + rel)


def _models_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model inside an annotation, and whether a mapping lies on the way."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = get_origin(annotation)
    mapping = origin is not None and isinstance(origin, type) and issubclass(origin, Mapping)
    for arg in get_args(annotation):
        model, inner_map = _models_in(arg)
        if model is not None:
            return model, mapping or inner_map
    return None, False


def _allowed_fields(loc: Sequence[int | str]) -> list[str] | None:
    """The field names allowed at the table that holds ``loc[-1]``."""
    model: type[BaseModel] = Plan
    skip_key = False
    for x in loc[:-1]:
        if isinstance(x, int) or x == "[key]":
            continue
        if skip_key:
            skip_key = False
            continue
        info = model.model_fields.get(str(x))
        if info is None:
            return None
        inner, via_map = _models_in(info.annotation)
        if inner is None:
            return None
        model, skip_key = inner, via_map
    return list(model.model_fields)


def _short(found: object) -> object:
    if isinstance(found, Mapping):
        return "a table"
    if isinstance(found, list | tuple):
        return f"a list of {len(found)}"
    if isinstance(found, str) and len(found) > 80:
        return found[:77] + "..."
    return found


def _one_error(err: Mapping[str, Any], file: str | None) -> list[InputError]:
    loc = tuple(err.get("loc", ()))
    field = _path(loc)
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    found: object = err.get("input")

    def make(field: str, what: str, expected: str, found: object, hint: str | None) -> InputError:
        return InputError(
            what,
            where=Location(file=file, field=field or None),
            expected=expected,
            found=_short(found),
            hint=hint,
        )

    if kind == "wijkmix_refs":
        return [make(f, w, e, fo, h) for f, w, e, fo, h in ctx.get("issues", ())]
    if kind == "wijkmix":
        return [
            make(
                _join(field, str(ctx.get("field") or "")),
                str(ctx.get("what")),
                str(ctx.get("expected")),
                ctx.get("found"),
                ctx.get("hint"),
            )
        ]
    if kind == "missing" and loc and isinstance(loc[-1], int):
        return [
            make(
                field,
                "too few items",
                f"an item at position {loc[-1]} (counting from 0)",
                None,
                None,
            )
        ]
    if kind == "missing":
        name = str(loc[-1]) if loc else "field"
        return [
            make(
                field,
                "missing field",
                f"a value for '{name}'",
                None,
                "see docs/plan.md for the required fields",
            )
        ]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        allowed = _allowed_fields(loc) or []
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it or check the spelling"
        expected = "one of " + ", ".join(allowed) if allowed else "a known field"
        return [make(field, "unknown field", expected, name, hint)]
    if kind == "literal_error" or kind == "enum":
        return [make(field, "invalid value", "one of " + str(ctx.get("expected", "")), found, None)]
    if kind in _TYPE_EXPECTED:
        return [make(field, "wrong type", _TYPE_EXPECTED[kind], found, None)]
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return [make(field, "value out of range", f"a value {words} {ctx.get(key)}", found, None)]
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _TEXT_PATTERN:
            return [make(field, "empty text", "a non-empty text", found, None)]
        return [
            make(
                field,
                "invalid id",
                "letters, digits, '_', '-' or '.', without spaces",
                found,
                "ids are referred to from other tables",
            )
        ]
    if kind == "string_too_long":
        return [
            make(field, "text too long", f"at most {ctx.get('max_length')} characters", found, None)
        ]
    if kind in ("too_short", "too_long"):
        lo, hi = ctx.get("min_length"), ctx.get("max_length")
        n = "at least " + str(lo) if kind == "too_short" else "at most " + str(hi)
        return [make(field, "wrong number of items", f"{n} item(s)", found, None)]
    return [make(field, kind or "invalid value", str(err.get("msg", "a valid value")), found, None)]


def _to_input_errors(exc: ValidationError, file: str | None) -> list[InputError]:
    out: list[InputError] = []
    for err in exc.errors(include_url=False):
        out.extend(_one_error(err, file))
    return out


def _raise(errors: list[InputError], source: str) -> typing.NoReturn:
    if len(errors) == 1:
        raise errors[0]
    raise InputErrors(errors, source=source)


def plan_from_dict(data: object, *, source: str | None = None) -> Plan:
    """Validate a plan given as nested dicts (as read from TOML).

    Parameters
    ----------
    data : Mapping
        The plan tables.
    source : str, optional
        File name to name in error messages.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        One problem; :class:`~wijkmix.errors.InputErrors` for several. Each
        names the dotted field (``measures[2].years``).

    Examples
    --------
    >>> plan_from_dict({"plan": {"name": "x"}}, source="plan.toml")
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputErrors: 6 problems in plan.toml; nothing was imported:...
    """
    if not isinstance(data, Mapping):
        raise InputError(
            "not a table",
            where=Location(file=source),
            expected="a plan: tables [plan], [questions], [[parties]], …",
            found=type(data).__name__,
        )
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        errors = _to_input_errors(exc, source)
    _raise(errors, source or "plan")


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file (TOML).

    Parameters
    ----------
    path : str or Path
        The plan file.

    Returns
    -------
    Plan
        The validated, immutable plan.

    Raises
    ------
    InputError
        The file is missing, unreadable, not UTF-8, not TOML, or breaks the
        schema; the error names the file and the dotted field
        (``plan.toml, field 'measures[2].years'``). Several problems are
        reported together as :class:`~wijkmix.errors.InputErrors`.
    """
    p = Path(path)
    name = str(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(
            "cannot read the plan file",
            where=Location(file=name),
            expected="a readable TOML file",
            found=e.strerror or type(e).__name__,
            hint="check the path",
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            "plan file is not UTF-8",
            where=Location(file=name),
            expected="text encoded as UTF-8",
            found=f"byte {raw[e.start]:#04x} at position {e.start}",
            hint="save the file as UTF-8",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_POS.search(msg)
        raise InputError(
            "invalid TOML" + (f" at line {m.group(1)}, column {m.group(2)}" if m else ""),
            where=Location(file=name, row=int(m.group(1)) if m else None),
            expected="valid TOML (key = value, [table], [[array of tables]])",
            found=_TOML_POS.sub("", msg).strip(),
            hint='codes and names are text in quotes: code = "WK051833"',
        ) from None
    return plan_from_dict(data, source=name)


# --- JSON Schema ----------------------------------------------------------------------
def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema of a plan file, for editors (draft 2020-12).

    >>> plan_json_schema()["title"]
    'wijkmix-plan'
    """
    schema = Plan.model_json_schema(mode="validation")
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
    }
    out.update(schema)
    out["title"] = "wijkmix-plan"
    out["description"] = (
        "Plan voor mengen met precisie (wijkmix). Toelichting per veld: docs/plan.md."
    )
    return out


def write_plan_json_schema(path: str | Path) -> Path:
    """Write :func:`plan_json_schema` to ``path`` (``docs/plan.schema.json`` in the repository).

    Returns
    -------
    Path
        The file written.
    """
    p = Path(path)
    p.write_text(
        json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return p
