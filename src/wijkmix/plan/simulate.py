"""Simulate a plan: its measures become a scenario, its goals are scored on the result.

*besluiten* asks whether a plan adds up; this module asks what it would do.
:func:`plan_to_scenario` (or :func:`translate_plan`, which also says what became
of every measure) turns a :class:`~wijkmix.plan.schema.Plan` into a
:class:`~wijkmix.sim.scenario.Scenario` of the microsimulation;
:func:`wijkmix.sim.run` runs it with and without the plan; :func:`score_goals`
puts every numeric goal of the plan next to the simulated value at its target
year.

From measures to plan events
----------------------------
A measure is simulated when its instrument (:data:`~wijkmix.plan.catalogue.CATALOGUE`)
has a ``sim_event`` (physical instruments) or a ``sim_rule`` (allocation
instruments). Every other measure (social and economic instruments, and
instruments such as ``grondbeleid`` that act only through other measures) is
listed in the scenario's description and notes as *niet gesimuleerd: volgen
met de monitor*. With ``only_marked=True`` only measures with ``simulated =
true`` are translated; the others are listed the same way.

Years. The plan's calendar years become simulated years: calendar year ``c``
is simulated year ``c - start_year + 1`` (year 1 = ``plan.start_year``; the
registers describe 1 January of that year). A measure that begins before
``start_year`` is an error (``measures[i].years``); a measure that begins after
the horizon is not simulated (noted); the yearly events of a spread measure
(below) that fall after the horizon are dropped (noted); a completion after the
horizon is kept (the dwellings are still under construction at the end; noted).

Area. ``area_level`` and ``area_code`` are the measure's ``level`` and
``area``; the level must be ``complex``, ``straat``, ``buurt``, ``wijk`` or
``gemeente`` (else an error naming ``measures[i].level``).

Quantities, per ``sim_event`` (``[b, e]`` are the measure's ``years``, ``k =
e - b + 1`` the number of calendar years):

``new_construction`` (nieuwbouw), ``transformation`` (transformatie)
    One event: ``year = b``, ``completion_year = e``. ``dwellings`` is required
    (at least 1); ``share`` is not possible. ``mix`` is required and becomes
    the event's mix: one item per segment with a share above 0, in the order
    ``sociale_huur, middenhuur, vrije_huur, koop_betaalbaar, koop_duur``. The
    owner of an item: ``corporatie`` for ``sociale_huur``; for ``middenhuur``
    and ``vrije_huur`` ``corporatie`` when the measure's party is of kind
    ``woningcorporatie``, else ``particuliere_verhuurder``; ``eigenaar_bewoner``
    for the ``koop_*`` segments. ``rent`` becomes the rent of the one rental
    segment of the mix (an error when the mix has no or several rental
    segments); otherwise the default rents of ``[params.events]`` apply.
``densification`` (verdichting)
    As new construction, but ``dwellings`` *or* ``share`` (of the existing
    stock of the area in year ``b``).
``demolition`` (sloop), ``sale`` (verkoop), ``liberalisation``, ``purchase`` (inponden)
    Spread evenly over the ``k`` calendar years ``b … e``, one event per year:

    * ``dwellings = n``: year ``j`` (``j = 1 … k``) gets ``n // k`` dwellings,
      and the first ``n % k`` years one more; years with 0 dwellings get no
      event.
    * ``share = s`` (without ``dwellings``), demolition and purchase: year
      ``j`` takes the share ``s_j = (s / k) / (1 - (j - 1) s / k)`` of the
      eligible stock of that year, so that over the ``k`` years the measure
      takes ``s`` of the stock of year ``b`` if nothing else changes it.
    * ``share = s``, sale and liberalisation: these act on *vacant* social
      rent, so a share of the stock is first turned into dwellings with the
      plan's ``[plan.stock]`` entry for the area: ``n = round(s x
      social_rent)`` (as the precision checks count), then spread as above;
      without a stock entry the measure is an error naming
      ``measures[i].quantities.share``.
    * neither: an error naming ``measures[i].quantities.dwellings`` (an event
      without a quantity would take every eligible dwelling).

    What is taken: demolition and sale without ``mix`` take corporation social
    rent (``owner = corporatie``, ``segment = sociale_huur``: "default all
    social rent"). With ``mix`` (segments that disappear; requires
    ``dwellings``) every yearly number is split over the segments by largest
    remainder (ties: the first segment), one event per year and segment with
    that segment as filter. Liberalisation takes vacant corporation social
    rent; its ``mix`` gives the segments *after* liberalisation (``middenhuur``
    and/or ``vrije_huur``; default ``middenhuur``), split the same way into
    events with ``to_segment``. Purchase takes private dwellings; its ``mix``
    gives the rental segments after purchase (default ``sociale_huur``).
    ``rent`` is the rent after liberalisation or purchase; with demolition or
    sale it is an error. Sales are *on vacancy* (``sale_mode =
    "on_vacancy"``).
``renovation`` (renovatie)
    One event: ``year = b``, ``completion_year = e``; ``dwellings`` or
    ``share`` (required); ``rent`` is the rent afterwards. Without ``mix`` it
    takes the corporation's dwellings when the party is a
    ``woningcorporatie``, else any dwelling of the area; ``mix`` (with
    ``dwellings``) splits the number over segment filters as for demolition.

``budget`` and ``units`` are not used by the simulation. Every quantity that
cannot become an event raises :class:`~wijkmix.errors.InputError` naming
``measures[i].quantities.<key>`` (errors of :class:`~wijkmix.sim.events.PlanEvent`
are renamed to the plan's fields the same way). Every event carries ``where =
"measures[i]"``, so the result's ``plan_events`` table says which measure it
came from.

From allocation measures and ``[allocation]`` to rules
------------------------------------------------------
The rules with the plan are
``AllocationRules.from_dict(plan.allocation_dict(), field="allocation")``
(the defaults when the plan has no ``[allocation]``); the rules without the
plan are the defaults. The rules are checked against the law of every year of
the run (:meth:`Scenario.check`; a violation is an error naming
``allocation.<key>``). A measure with a ``sim_rule`` is simulated *through*
``[allocation]``: it counts as simulated when the table sets that rule
(``local_tie_share``, ``crucial_share``, ``lottery_share``,
``regional_quota``: the key is present; ``article8``/``9``/``10``: at least
one designation; ``right_to_return``: the rule is on; ``urgency``: the group is
in ``order``). Otherwise it is listed as not simulated with the key to add.
Allocation rules hold in every year of the run and the whole region (except
Wbmgp designations, which carry their own area and years); a measure whose
``quantities.share`` differs from the table is noted (the table is used).

Areas and horizon
-----------------
Plan areas at the levels ``complex``, ``straat``, ``buurt`` and ``wijk`` become
the scenario's ``plan_areas``, followed by the areas of goals that need the
per-plan-area tables (displacement, return, mean income). The outcome levels
are buurt, wijk and gemeente plus the levels of the plan areas and of the
goals. The horizon is ``max(plan.horizon, latest goal target_year -
start_year + 1)`` unless given.

Scoring goals
-------------
:func:`score_goals` looks up, for every goal whose indicator the simulation
computes (:data:`SIMULATED_INDICATORS`), the value at the goal's target year
(simulated year ``target_year - start_year + 1``; year 0 is the start) in every
replicate of the plan run and of the run without the plan:

``pct_corporation``, ``pct_owner_occupied``, ``pct_other_landlords``
    100 x households in a dwelling of that owner / households in the area
    (``composition``, variable ``owner``); a household-based proxy for the CBS
    share of dwellings.
``pct_social_rent``
    For a gemeente: 100 x corporation social rent / existing dwellings
    (``social_rent``, gated by the dwellings); for smaller areas 100 x
    households in social rent (any owner) / households (``composition``,
    segment ``sociale_huur``).
``pct_low_income_households``
    100 x households of income class ``laag`` / households (``composition``).
    The simulation's ``laag`` is below the outcome threshold (the DAEB limit for
    one person, indexed), not the CBS low-income line: compare mainly the effect.
``households``
    Households in the area (``composition`` total).
``mean_household_income`` (also ``gemiddeld_inkomen``)
    Mean gross household income of a plan area (``change``, indicator
    ``gemiddeld_inkomen``: ``x0`` at year 0, ``xT`` at the last year): only at
    those two years.
``displacement_forced_out``
    Households of a plan area that had to move (demolition, renovation) and
    were no longer in the area at the end of the run (``groups``:
    ``vertrekkers``/``gedwongen``); with ``unit = "%"`` 100 x that number /
    all forced movers of the area (``gedwongen_verhuisd``/``totaal``).
``displacement_returned`` (also ``pct_returned``)
    100 x forced movers who returned to the area / forced movers.
``waterbed_<indicator>``
    ``<indicator>`` (one of the above) in the goal's area; plan minus baseline
    is the waterbed effect there.

The displacement indicators are counted over the whole run (start to horizon),
whatever the target year. Every other indicator (``lbm``, satisfaction,
contact, vacancy of shops, …) gets the status ``niet gesimuleerd`` with a Dutch
reason.

Per goal: the expected value (mean over the replicates where it is defined),
the Monte Carlo band (2.5th and 97.5th percentile over the replicates,
numpy's linear method; **with one replicate the band is the point itself**),
the value without the plan (mean), the plan's effect (plan minus baseline per
replicate, paired by the common random numbers, then mean and band), and the
household count of each (mean over replicates; the effect's is the smaller of
the two). The status (:func:`goal_status`), with ``R`` the values that reach
the target (``omhoog``: ``v >= target - tolerance``; ``omlaag``: ``v <= target
+ tolerance``; ``gelijk``: ``|v - target| <= tolerance``; a rounding slack of
``1e-9 x max(1, |target|)`` as in the monitor) and ``B = [lo, hi]`` the band:

``haalbaar``
    the expected value and the whole band lie in ``R``;
``niet haalbaar``
    neither the expected value nor any part of the band lies in ``R``;
``onzeker``
    otherwise: the band straddles the target;
``niet gesimuleerd``
    the simulation does not compute the indicator, or gives no value (reason).

:meth:`GoalScores.to_frame` passes every value through
:func:`wijkmix.disclosure.gate`: values based on fewer than 10 households are
missing, and the status of such a goal is shown as ``onderdrukt``.

Examples
--------
>>> goal_status("omhoog", 45.0, 46.0, 44.0, 48.0)
'onzeker'
>>> goal_status("omlaag", 45.0, 40.0, 38.0, 45.0)
'haalbaar'
>>> goal_status("gelijk", 19.6, 22.0, 21.8, 22.3, tolerance=2.0)
'niet haalbaar'
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wijkmix.disclosure import MIN_HOUSEHOLDS, gate
from wijkmix.errors import InputError, Location
from wijkmix.plan.catalogue import CATALOGUE, NOT_SIMULATED, Instrument
from wijkmix.plan.schema import SEGMENTS, Goal, Measure, Plan
from wijkmix.sim.allocation import AllocationRules
from wijkmix.sim.events import AREA_LEVELS, MixItem, PlanEvent
from wijkmix.sim.outcomes import PLAN_LEVELS, REPORT_LEVELS, Outcomes
from wijkmix.sim.scenario import Scenario

if TYPE_CHECKING:
    from wijkmix.sim.runner import SimulationResult

__all__ = [
    "SIMULATED_INDICATORS",
    "STATUSES",
    "GoalScore",
    "GoalScores",
    "MeasureTranslation",
    "PlanTranslation",
    "goal_status",
    "plan_to_scenario",
    "score_goals",
    "translate_plan",
]

#: Statuses of a scored goal.
STATUSES: tuple[str, ...] = ("haalbaar", "onzeker", "niet haalbaar", "niet gesimuleerd")
_SUPPRESSED_STATUS = "onderdrukt"
_MAX_HORIZON = 100

_RENTAL = ("sociale_huur", "middenhuur", "vrije_huur")
_KOOP = ("koop_betaalbaar", "koop_duur")
_NEW_KINDS = ("new_construction", "transformation", "densification")
_STOCK_SHARE_KINDS = ("sale", "liberalisation")
_SHARE_RULES = ("local_tie_share", "crucial_share", "lottery_share", "regional_quota")

# a PlanEvent field -> the plan field it came from (for renamed errors)
_EVENT_TO_PLAN: Mapping[str, str] = MappingProxyType(
    {
        "dwellings": "quantities.dwellings",
        "share": "quantities.share",
        "mix": "quantities.mix",
        "segment": "quantities.mix",
        "to_segment": "quantities.mix",
        "rent": "quantities.rent",
        "owner": "party",
        "year": "years[0]",
        "completion_year": "years[1]",
        "area_code": "area",
        "area_level": "level",
        "kind": "instrument",
    }
)


def _bad(
    field: str, what: str, expected: str, found: object, hint: str | None = None
) -> InputError:
    return InputError(what, where=Location(field=field), expected=expected, found=found, hint=hint)


def _nl(x: float, decimals: int = 2) -> str:
    """A number the Dutch way, without trailing zeros: 0.3 → '0,3'."""
    s = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return s.replace(".", ",")


# ======================================================================================
# translation
# ======================================================================================
@dataclass(frozen=True)
class MeasureTranslation:
    """What became of one measure in the simulation.

    Attributes
    ----------
    index : int
        Position in the plan's ``measures`` (``measures[index]``).
    measure_id, instrument : str
    simulated : bool
        Whether the measure acts in the simulation.
    events : tuple of PlanEvent
        The plan events it became (empty for allocation rules and measures
        that are not simulated).
    rule : str or None
        The allocation-rule key it is simulated through.
    note : str
        Dutch: how it is simulated, or why not (``niet gesimuleerd: volgen met
        de monitor`` …).
    """

    index: int
    measure_id: str
    instrument: str
    simulated: bool
    events: tuple[PlanEvent, ...] = ()
    rule: str | None = None
    note: str = ""


@dataclass(frozen=True)
class PlanTranslation:
    """A plan as a scenario, with the fate of every measure.

    Attributes
    ----------
    scenario : Scenario
        The scenario (:func:`plan_to_scenario` returns just this).
    measures : tuple of MeasureTranslation
        One per measure of the plan, in plan order.
    """

    scenario: Scenario
    measures: tuple[MeasureTranslation, ...]

    @property
    def not_simulated(self) -> tuple[MeasureTranslation, ...]:
        """The measures that do not act in the simulation."""
        return tuple(m for m in self.measures if not m.simulated)

    def measure(self, measure_id: str) -> MeasureTranslation:
        """The translation of the measure with id ``measure_id`` (KeyError if absent)."""
        for m in self.measures:
            if m.measure_id == measure_id:
                return m
        raise KeyError(measure_id)


def _split(n: int, shares: Sequence[float]) -> list[int]:
    """Split ``n`` by shares with the largest-remainder rule (ties: the first item).

    >>> _split(10, [0.3, 0.25, 0.1, 0.2, 0.15])
    [3, 3, 1, 2, 1]
    """
    total = float(sum(shares))
    exact = [s / total * n for s in shares]
    base = [math.floor(x) for x in exact]
    rest = n - sum(base)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def _spread(n: int, k: int) -> list[int]:
    """``n`` over ``k`` years: ``n // k`` each, the first ``n % k`` years one more.

    >>> _spread(1200, 3), _spread(7, 3), _spread(2, 4)
    ([400, 400, 400], [3, 2, 2], [1, 1, 0, 0])
    """
    base, rest = divmod(n, k)
    return [base + (1 if j < rest else 0) for j in range(k)]


def _yearly_shares(s: float, k: int) -> list[float]:
    """Per-year shares of the remaining stock that add up to ``s`` of the first year's.

    >>> [round(x, 6) for x in _yearly_shares(0.6, 3)]
    [0.2, 0.25, 0.333333]
    >>> _yearly_shares(1.0, 2)
    [0.5, 1.0]
    """
    out = []
    for j in range(1, k + 1):
        rest = 1.0 - (j - 1) * s / k
        out.append(min(1.0, (s / k) / rest) if rest > 0 else 0.0)
    return out


def _rename(err: InputError, where: str) -> InputError:
    """An error of a PlanEvent built for ``where`` with the plan's field name."""
    f = err.where.field or where
    rest = f[len(where) + 1 :] if f.startswith(where + ".") else ""
    key = rest.split(".")[0].split("[")[0]
    mapped = _EVENT_TO_PLAN.get(key)
    field = f"{where}.{mapped}" if mapped else (f if rest else where)
    return InputError(
        err.what, where=Location(field=field), expected=err.expected, found=err.found, hint=err.hint
    )


class _Translator:
    """Builds the events of one plan (holds the plan and the run's years)."""

    def __init__(self, plan: Plan, horizon: int) -> None:
        self.plan = plan
        self.start = plan.plan.start_year
        self.horizon = horizon
        self.last = self.start + horizon - 1
        self.notes: list[str] = []

    def sim_year(self, calendar: int) -> int:
        return calendar - self.start + 1

    def event(self, where: str, **kw: Any) -> PlanEvent:
        try:
            return PlanEvent(where=where, **kw)
        except InputError as e:
            raise _rename(e, where) from None

    # -- helpers ------------------------------------------------------------------------
    def corporation_party(self, m: Measure) -> bool:
        try:
            return self.plan.party(m.party).kind == "woningcorporatie"
        except KeyError:
            return False

    def mix_items(self, i: int, m: Measure) -> tuple[MixItem, ...]:
        q = m.quantities
        f = f"measures[{i}].quantities"
        if not q.mix:
            raise _bad(
                f"{f}.mix",
                "missing mix of the new dwellings",
                "mix = {sociale_huur = …, middenhuur = …, …} with shares adding up to 1",
                None,
                hint="the simulation needs the segments of the new dwellings",
            )
        mix: dict[str, float] = {str(k): float(v) for k, v in q.mix.items()}
        segs = [s for s in SEGMENTS if mix.get(s, 0.0) > 0]
        rental = [s for s in segs if s in _RENTAL]
        if q.rent is not None and len(rental) != 1:
            raise _bad(
                f"{f}.rent",
                "rent for a mix without exactly one rental segment",
                "one rental segment in the mix, or no rent (default rents per segment)",
                q.rent,
                hint="split the measure per segment to give each its own rent",
            )
        corp = self.corporation_party(m)
        items = []
        for s in segs:
            if s in _KOOP:
                owner = "eigenaar_bewoner"
            elif s == "sociale_huur" or corp:
                owner = "corporatie"
            else:
                owner = "particuliere_verhuurder"
            items.append(
                MixItem(
                    owner,
                    s,
                    float(mix[s]),
                    rent=q.rent if s in _RENTAL else None,
                    where=f"measures[{i}].mix",
                )
            )
        return tuple(items)

    def need_quantity(self, i: int, m: Measure, kind: str) -> None:
        q = m.quantities
        if q.dwellings is None and q.share is None:
            raise _bad(
                f"measures[{i}].quantities.dwellings",
                f"no quantity for {kind}",
                "quantities.dwellings (a number of dwellings) or quantities.share (0–1)",
                None,
                hint="without a quantity the event would take every eligible dwelling",
            )
        if q.dwellings == 0:
            raise _bad(
                f"measures[{i}].quantities.dwellings",
                "no dwellings",
                "a number of dwellings of at least 1",
                0,
                hint="leave the measure out of the simulation if it changes no dwellings",
            )

    def no_rent(self, i: int, m: Measure, kind: str) -> None:
        if m.quantities.rent is not None:
            raise _bad(
                f"measures[{i}].quantities.rent",
                f"rent not used by {kind}",
                "no rent (rent is for new, renovated, liberalised or purchased dwellings)",
                m.quantities.rent,
            )

    def segment_split(
        self, i: int, m: Measure, allowed: Sequence[str], n: int
    ) -> list[tuple[str, int]]:
        """Split ``n`` over the mix segments (checked against ``allowed``)."""
        mix: dict[str, float] = {str(k): float(v) for k, v in m.quantities.mix.items()}
        for s, v in mix.items():
            if s not in allowed and v > 0:
                raise _bad(
                    f"measures[{i}].quantities.mix.{s}",
                    "segment not possible here",
                    "one of " + ", ".join(allowed),
                    s,
                )
        segs = [s for s in allowed if mix.get(s, 0.0) > 0]
        counts = _split(n, [float(mix[s]) for s in segs])
        return [(s, c) for s, c in zip(segs, counts, strict=True) if c > 0]

    # -- the kinds ----------------------------------------------------------------------
    def translate(self, i: int, m: Measure, ins: Instrument) -> tuple[PlanEvent, ...]:
        kind = str(ins.sim_event)
        where = f"measures[{i}]"
        if m.level not in AREA_LEVELS:
            raise _bad(
                f"{where}.level",
                "level the simulation cannot place an event on",
                "one of " + ", ".join(AREA_LEVELS),
                m.level,
            )
        b, e = m.years
        if b < self.start:
            raise _bad(
                f"{where}.years",
                "measure begins before the plan's start year",
                f"a begin year from {self.start} (the registers describe 1 January {self.start})",
                b,
                hint="start the plan earlier or let the measure begin in the start year",
            )
        common = {"area_level": m.level, "area_code": m.area}
        q = m.quantities
        if kind in _NEW_KINDS:
            if kind != "densification" and q.share is not None:
                raise _bad(
                    f"{where}.quantities.share",
                    f"share not possible for {kind}",
                    "quantities.dwellings: the number of new dwellings",
                    q.share,
                )
            if kind != "densification" and q.dwellings is None:
                raise _bad(
                    f"{where}.quantities.dwellings",
                    "missing number of new dwellings",
                    "quantities.dwellings = a whole number of at least 1",
                    None,
                )
            self.need_quantity(i, m, kind)
            try:
                mix = self.mix_items(i, m)
            except InputError as err:
                raise _rename(err, where) from None
            if e > self.last:
                self.notes.append(
                    f"Oplevering in {e}, na het einde van de simulatie ({self.last}): de "
                    "woningen zijn aan het eind nog in aanbouw."
                )
            return (
                self.event(
                    where,
                    kind=kind,
                    year=self.sim_year(b),
                    completion_year=self.sim_year(e),
                    dwellings=q.dwellings,
                    share=q.share if q.dwellings is None else None,
                    mix=mix,
                    **common,
                ),
            )
        if kind == "renovation":
            self.need_quantity(i, m, kind)
            if e > self.last:
                self.notes.append(
                    f"Renovatie klaar in {e}, na het einde van de simulatie ({self.last})."
                )
            base = {
                "kind": kind,
                "year": self.sim_year(b),
                "completion_year": self.sim_year(e),
                "rent": q.rent,
                **common,
            }
            if q.mix:
                if q.dwellings is None:
                    raise self.mix_needs_dwellings(i, kind)
                parts = self.segment_split(i, m, SEGMENTS, q.dwellings)
                return tuple(self.event(where, dwellings=c, segment=(s,), **base) for s, c in parts)
            owner = ("corporatie",) if self.corporation_party(m) else ()
            return (self.event(where, dwellings=q.dwellings, share=q.share, owner=owner, **base),)
        # spread kinds: demolition, sale, liberalisation, purchase
        self.need_quantity(i, m, kind)
        if kind in ("demolition", "sale"):
            self.no_rent(i, m, kind)
        k = e - b + 1
        years = list(range(b, e + 1))
        n: int | None = q.dwellings
        if n is None and kind in _STOCK_SHARE_KINDS:
            assert q.share is not None
            entry = self.plan.plan.stock.get(m.area)
            if entry is None:
                raise _bad(
                    f"{where}.quantities.share",
                    f"share of the stock for {kind} without the stock of the area",
                    f"quantities.dwellings, or a [plan.stock.{m.area}] entry to turn the "
                    "share into dwellings",
                    q.share,
                    hint=f"{kind} takes vacant social rent: the simulation needs a number",
                )
            n = math.floor(q.share * entry.social_rent + 0.5)
            self.notes.append(
                f"Aandeel {_nl(q.share)} van {entry.social_rent} sociale huurwoningen "
                f"(plan.stock) = {n} woningen."
            )
            if n == 0:
                raise _bad(
                    f"{where}.quantities.share",
                    "share of the stock gives no dwellings",
                    "a share that is at least one dwelling of the stock",
                    q.share,
                )
        if q.mix and q.dwellings is None:
            raise self.mix_needs_dwellings(i, kind)
        filters: dict[str, Any] = {}
        if kind in ("demolition", "sale", "liberalisation"):
            filters = {"owner": ("corporatie",), "segment": ("sociale_huur",)}
        rent = q.rent if kind in ("liberalisation", "purchase") else None
        per_year: list[tuple[int, dict[str, Any]]] = []
        if n is not None:
            for year, nj in zip(years, _spread(n, k), strict=True):
                if nj == 0:
                    continue
                if not q.mix:
                    per_year.append((year, {"dwellings": nj, **filters}))
                    continue
                allowed: Sequence[str]
                if kind == "liberalisation":
                    allowed = ("middenhuur", "vrije_huur")
                elif kind == "purchase":
                    allowed = _RENTAL
                else:
                    allowed = SEGMENTS
                for s, c in self.segment_split(i, m, allowed, nj):
                    if kind in ("liberalisation", "purchase"):
                        per_year.append((year, {"dwellings": c, "to_segment": s, **filters}))
                    else:
                        per_year.append((year, {"dwellings": c, "segment": (s,)}))
        else:
            assert q.share is not None
            for year, sj in zip(years, _yearly_shares(q.share, k), strict=True):
                per_year.append((year, {"share": sj, **filters}))
        out = []
        dropped = sorted({y for y, _ in per_year if y > self.last})
        for year, kw in per_year:
            if year > self.last:
                continue
            if rent is not None:
                kw["rent"] = rent
            out.append(self.event(where, kind=kind, year=self.sim_year(year), **common, **kw))
        if dropped:
            self.notes.append(
                f"Het deel in {dropped[0]}–{dropped[-1]} valt na het einde van de simulatie "
                f"({self.last}) en is niet gesimuleerd."
            )
        return tuple(out)

    def mix_needs_dwellings(self, i: int, kind: str) -> InputError:
        return _bad(
            f"measures[{i}].quantities.mix",
            f"mix of {kind} without a number of dwellings",
            "quantities.dwellings with the mix (the mix splits a number, not a share)",
            "a mix with quantities.share",
        )


def _rule_is_set(rule: str, table: Mapping[str, Any], rules: AllocationRules) -> bool:
    if rule in ("article8", "article9", "article10"):
        return bool(table.get(rule))
    if rule == "right_to_return":
        return rules.right_to_return
    if rule == "urgency":
        return "urgency" in rules.order
    return rule in table


def _rule_note(
    where: str, m: Measure, rule: str, rules: AllocationRules, table: Mapping[str, Any]
) -> str:
    head = f"{where} '{m.id}': gesimuleerd als toewijzingsregel '{rule}'"
    if rule in _SHARE_RULES:
        value = getattr(rules, rule)
        text = f"{head} = {_nl(float(value))} uit [allocation]"
        share = m.quantities.share
        if share is not None and value is not None and abs(float(value) - share) > 1e-9:
            text += (
                f" (de maatregel noemt {_nl(share)}; de simulatie gebruikt de waarde uit "
                "[allocation])"
            )
        return (
            text + f"; de regel geldt in de simulatie in alle jaren en in de hele regio, niet "
            f"alleen in {m.area} in {m.years[0]}–{m.years[1]}."
        )
    if rule in ("article8", "article9", "article10"):
        n = len(table.get(rule) or ())
        return f"{head} ({n} aanwijzing(en) in [allocation].{rule}, met hun eigen gebied en jaren)."
    if rule == "right_to_return":
        return f"{head}: terugkeerders gaan voor (ook zonder plan staat de regel aan)."
    return f"{head}: urgenten gaan voor in de volgorde van toewijzing."


def _rule_missing(where: str, m: Measure, rule: str) -> str:
    share = m.quantities.share
    if rule in _SHARE_RULES:
        add = f"{rule} = {_nl(share)}" if share is not None else f"{rule} = <aandeel>"
    elif rule in ("article8", "article9", "article10"):
        add = f"een aanwijzing in [[allocation.{rule}]]"
    elif rule == "right_to_return":
        add = "right_to_return = true"
    else:
        add = "'urgency' in order"
    return (
        f"{where} '{m.id}': {NOT_SIMULATED} (de toewijzingsregel '{rule}' staat niet in "
        f"[allocation]; neem {add} op om hem te simuleren)."
    )


def _default_horizon(plan: Plan) -> int:
    info = plan.plan
    latest = max((g.target_year for g in plan.goals), default=info.last_year)
    return max(info.horizon, latest - info.start_year + 1)


def _check_horizon(horizon: object) -> int:
    if (
        isinstance(horizon, bool)
        or not isinstance(horizon, int | np.integer)
        or not 1 <= int(horizon) <= _MAX_HORIZON
    ):
        raise _bad(
            "horizon",
            "invalid horizon",
            f"a whole number of years from 1 to {_MAX_HORIZON}",
            horizon,
        )
    return int(horizon)


def translate_plan(
    plan: Plan, *, horizon: int | None = None, only_marked: bool = False
) -> PlanTranslation:
    """Turn a plan into a scenario and say what became of every measure.

    See the module docstring for the exact mapping.

    Parameters
    ----------
    plan : Plan
        A validated plan (:func:`wijkmix.plan.load_plan`).
    horizon : int, optional
        Simulated years; default ``max(plan.horizon, latest goal target_year -
        start_year + 1)``.
    only_marked : bool, default False
        Translate only measures with ``simulated = true``.

    Returns
    -------
    PlanTranslation

    Raises
    ------
    InputError
        A measure whose instrument is not in the catalogue
        (``measures[i].instrument``), whose level or years cannot be placed
        (``measures[i].level``, ``measures[i].years``) or whose quantities cannot
        become an event (``measures[i].quantities.<key>``); allocation rules
        beyond the law (``allocation.<key>``); an invalid ``horizon``.
    """
    h = _default_horizon(plan) if horizon is None else _check_horizon(horizon)
    info = plan.plan
    tr = _Translator(plan, h)
    table: Mapping[str, Any] = plan.allocation_dict() or {}
    rules = (
        AllocationRules.from_dict(table, field="allocation")
        if plan.allocation is not None
        else AllocationRules()
    )
    results: list[MeasureTranslation] = []
    for i, m in enumerate(plan.measures):
        where = f"measures[{i}]"
        ins = CATALOGUE.get(m.instrument)
        if ins is None:
            raise _bad(
                f"{where}.instrument",
                "unknown instrument",
                "an id from the instrument catalogue",
                m.instrument,
                hint="see wijkmix.plan.CATALOGUE (check P011)",
            )
        base: dict[str, Any] = {"index": i, "measure_id": m.id, "instrument": m.instrument}
        if not ins.simulated:
            results.append(
                MeasureTranslation(
                    **base, simulated=False, note=f"{where} '{m.id}' ({ins.name}): {NOT_SIMULATED}"
                )
            )
            continue
        if only_marked and not m.simulated:
            results.append(
                MeasureTranslation(
                    **base,
                    simulated=False,
                    note=f"{where} '{m.id}' ({ins.name}): staat op simulated = false: "
                    f"{NOT_SIMULATED}",
                )
            )
            continue
        if ins.sim_event is not None:
            if m.years[0] > tr.last:
                results.append(
                    MeasureTranslation(
                        **base,
                        simulated=False,
                        note=f"{where} '{m.id}' ({ins.name}): begint in {m.years[0]}, na het "
                        f"einde van de simulatie ({tr.last}): niet gesimuleerd.",
                    )
                )
                continue
            tr.notes = []
            events = tr.translate(i, m, ins)
            head = f"{where} '{m.id}': {len(events)} plangebeurtenis(sen) '{ins.sim_event}'."
            results.append(
                MeasureTranslation(
                    **base,
                    simulated=bool(events),
                    events=events,
                    note=" ".join([head, *tr.notes]),
                )
            )
            continue
        rule = str(ins.sim_rule)
        if _rule_is_set(rule, table, rules):
            results.append(
                MeasureTranslation(
                    **base, simulated=True, rule=rule, note=_rule_note(where, m, rule, rules, table)
                )
            )
        else:
            results.append(
                MeasureTranslation(
                    **base, simulated=False, rule=rule, note=_rule_missing(where, m, rule)
                )
            )

    # areas and levels
    plan_areas: list[tuple[str, str]] = []
    notes: list[str] = []
    for j, a in enumerate(info.areas):
        if a.level in PLAN_LEVELS:
            if (a.level, a.code) not in plan_areas:
                plan_areas.append((a.level, a.code))
        else:
            notes.append(
                f"plan.areas[{j}] ({a.level} {a.code}) wordt niet als plangebied gevolgd "
                f"(plangebieden: {', '.join(PLAN_LEVELS)})."
            )
    for g in plan.goals:
        spec = _indicator(g)
        if (
            spec is not None
            and spec.kind in ("groups", "change")
            and g.level in PLAN_LEVELS
            and (g.level, g.area) not in plan_areas
        ):
            plan_areas.append((g.level, g.area))
    wanted = {"buurt", "wijk", "gemeente"} | {lv for lv, _ in plan_areas}
    wanted |= {g.level for g in plan.goals if g.level in REPORT_LEVELS}
    levels = tuple(lv for lv in REPORT_LEVELS if lv in wanted)

    events = tuple(ev for r in results for ev in r.events)
    missing = [r for r in results if not r.simulated]
    lines = [info.description.strip()] if info.description.strip() else []
    lines.append(
        f"Vertaald uit het plan '{info.name}': {len(events)} plangebeurtenissen uit "
        f"{sum(1 for r in results if r.events)} maatregelen, "
        f"{sum(1 for r in results if r.rule and r.simulated)} maatregelen als toewijzingsregel."
    )
    if missing:
        names = "; ".join(f"{r.measure_id} ({CATALOGUE[r.instrument].name})" for r in missing)
        lines.append(f"{NOT_SIMULATED[0].upper()}{NOT_SIMULATED[1:]}: {names}.")
    scenario = Scenario(
        name=info.name,
        gemeente=info.gemeente,
        start_year=info.start_year,
        horizon=h,
        events=events,
        rules=rules,
        plan_areas=tuple(plan_areas),
        description="\n".join(lines),
        baseline_rules=AllocationRules(),
    )
    settings = dataclasses.replace(scenario.outcome_settings(), levels=levels)
    scenario = dataclasses.replace(scenario, outcomes=settings)
    law = scenario.check()
    all_notes = [r.note for r in results] + notes + list(law)
    scenario = dataclasses.replace(scenario, notes=tuple(all_notes))
    return PlanTranslation(scenario=scenario, measures=tuple(results))


def plan_to_scenario(
    plan: Plan, *, horizon: int | None = None, only_marked: bool = False
) -> Scenario:
    """The plan's quantitative measures as a scenario of the microsimulation.

    Same as ``translate_plan(plan, horizon=horizon, only_marked=only_marked).scenario``;
    see the module docstring for the mapping. Measures that are not simulated
    are listed in the scenario's ``description`` and ``notes``.

    Raises
    ------
    InputError
        See :func:`translate_plan`.
    """
    return translate_plan(plan, horizon=horizon, only_marked=only_marked).scenario


# ======================================================================================
# scoring
# ======================================================================================
@dataclass(frozen=True)
class _Spec:
    """How an indicator is read from the outcome tables."""

    kind: str  # composition, social_rent, groups, change
    variable: str = ""
    category: str = ""
    what: str = ""


_COMPOSITION_SPECS: Mapping[str, _Spec] = MappingProxyType(
    {
        "pct_corporation": _Spec(
            "composition",
            "owner",
            "corporatie",
            "aandeel huishoudens in een corporatiewoning (bewoonde woningen)",
        ),
        "pct_owner_occupied": _Spec(
            "composition", "owner", "eigenaar_bewoner", "aandeel huishoudens in een koopwoning"
        ),
        "pct_other_landlords": _Spec(
            "composition",
            "owner",
            "particuliere_verhuurder",
            "aandeel huishoudens bij een particuliere verhuurder",
        ),
        "pct_social_rent": _Spec(
            "composition",
            "segment",
            "sociale_huur",
            "aandeel huishoudens in sociale huur (elke eigenaar; voor een gemeente: "
            "corporatie-sociale huur van de woningvoorraad)",
        ),
        "pct_low_income_households": _Spec(
            "composition",
            "income_class",
            "laag",
            "aandeel huishoudens met een laag inkomen (inkomensklasse 'laag' van de simulatie)",
        ),
        "households": _Spec("composition", "households", "totaal", "aantal huishoudens"),
        "mean_household_income": _Spec(
            "change", what="gemiddeld bruto huishoudinkomen (plangebied)"
        ),
        "displacement_forced_out": _Spec(
            "groups",
            what="gedwongen verhuisde huishoudens die niet meer in het gebied wonen",
        ),
        "displacement_returned": _Spec(
            "groups", what="aandeel gedwongen verhuisde huishoudens dat terugkeerde"
        ),
    }
)
_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "gemiddeld_inkomen": "mean_household_income",
        "pct_returned": "displacement_returned",
    }
)
#: The indicators :func:`score_goals` computes (besides ``waterbed_<indicator>``), with
#: what they mean in the simulation (Dutch).
SIMULATED_INDICATORS: Mapping[str, str] = MappingProxyType(
    {
        **{k: v.what for k, v in _COMPOSITION_SPECS.items()},
        **{k: _COMPOSITION_SPECS[v].what for k, v in _ALIASES.items()},
    }
)
_WATERBED = "waterbed_"


def _indicator(goal: Goal) -> _Spec | None:
    """The spec of a goal's indicator (``waterbed_`` stripped), or None."""
    name = goal.indicator
    if name.startswith(_WATERBED):
        name = name[len(_WATERBED) :]
    name = _ALIASES.get(name, name)
    return _COMPOSITION_SPECS.get(name)


def _base_name(goal: Goal) -> str:
    name = goal.indicator.removeprefix(_WATERBED)
    return _ALIASES.get(name, name)


def _reach_interval(direction: str, target: float, tolerance: float) -> tuple[float, float]:
    s = 1e-9 * max(1.0, abs(target))
    if direction == "omhoog":
        return target - tolerance - s, math.inf
    if direction == "omlaag":
        return -math.inf, target + tolerance + s
    return target - tolerance - s, target + tolerance + s


def goal_status(
    direction: str,
    target: float,
    value: float,
    lo: float | None = None,
    hi: float | None = None,
    *,
    tolerance: float = 0.0,
) -> str:
    """The status of a goal from its expected value and Monte Carlo band.

    Parameters
    ----------
    direction : {"omhoog", "omlaag", "gelijk"}
    target : float
    value : float
        The expected value (missing: ``niet gesimuleerd``).
    lo, hi : float, optional
        The band; missing means the point itself.
    tolerance : float, default 0

    Returns
    -------
    str
        ``haalbaar`` when the value and the whole band reach the target,
        ``niet haalbaar`` when neither the value nor any part of the band
        does, ``onzeker`` otherwise (see the module docstring).

    Raises
    ------
    InputError
        For an unknown direction or a negative tolerance.

    Examples
    --------
    >>> goal_status("omhoog", 10.0, 10.0)
    'haalbaar'
    >>> goal_status("omhoog", 10.0, 9.8, 9.5, 10.0)
    'onzeker'
    >>> goal_status("omlaag", 10.0, 10.5, 10.2, 11.0)
    'niet haalbaar'
    """
    if direction not in ("omhoog", "omlaag", "gelijk"):
        raise _bad("direction", "unknown direction", "omhoog, omlaag or gelijk", direction)
    if not (tolerance >= 0):
        raise _bad("tolerance", "invalid tolerance", "a number of 0 or more", tolerance)
    if value is None or not math.isfinite(value):
        return "niet gesimuleerd"
    lo = value if lo is None or not math.isfinite(lo) else lo
    hi = value if hi is None or not math.isfinite(hi) else hi
    lo, hi = min(lo, hi), max(lo, hi)
    r_lo, r_hi = _reach_interval(direction, target, tolerance)
    value_in = r_lo <= value <= r_hi
    band_in = r_lo <= lo and hi <= r_hi
    band_meets = hi >= r_lo and lo <= r_hi
    if value_in and band_in:
        return "haalbaar"
    if not value_in and not band_meets:
        return "niet haalbaar"
    return "onzeker"


@dataclass(frozen=True)
class GoalScore:
    """One goal of the plan against the simulation.

    Attributes
    ----------
    goal_id, indicator, level, area, unit, direction : str
        From the goal (``unit`` may be None).
    target, tolerance : float
    target_year : int
    year : int or None
        The calendar year the value describes (end of that year); for
        displacement the last year of the run.
    sim_year : int or None
        The simulated year of the value (0 = the start).
    expected, lo, hi : float
        Mean over the replicates and the 2.5th/97.5th percentiles.
    households : float
        Mean household count the value is based on (dwellings for the
        gemeente's social-rent share).
    baseline, baseline_households : float
        Without the plan.
    effect, effect_lo, effect_hi : float
        Plan minus baseline, paired per replicate: mean and band.
    effect_households : float
        The smaller of ``households`` and ``baseline_households``.
    n_replicates : int
        Replicates in which the value is defined.
    status : str
        One of :data:`STATUSES`.
    reason : str
        Dutch explanation (why not simulated, or what the value is).
    """

    goal_id: str
    indicator: str
    level: str
    area: str
    unit: str | None
    direction: str
    target: float
    tolerance: float
    target_year: int
    year: int | None
    sim_year: int | None
    expected: float
    lo: float
    hi: float
    households: float
    baseline: float
    baseline_households: float
    effect: float
    effect_lo: float
    effect_hi: float
    effect_households: float
    n_replicates: int
    status: str
    reason: str


_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "goal_id": "doel",
        "indicator": "indicator",
        "level": "niveau",
        "area": "gebied",
        "unit": "eenheid",
        "direction": "richting",
        "target": "streefwaarde",
        "tolerance": "marge",
        "target_year": "streefjaar",
        "year": "peiljaar",
        "sim_year": "simulatiejaar",
        "expected": "verwacht",
        "lo": "band laag",
        "hi": "band hoog",
        "households": "huishoudens",
        "baseline": "zonder plan",
        "baseline_households": "huishoudens zonder plan",
        "effect": "effect plan",
        "effect_lo": "effect band laag",
        "effect_hi": "effect band hoog",
        "effect_households": "huishoudens effect",
        "n_replicates": "replicaties",
        "status": "status",
        "reason": "toelichting",
    }
)
# value column -> the count column that gates it
_GATED: Mapping[str, str] = MappingProxyType(
    {
        "expected": "households",
        "lo": "households",
        "hi": "households",
        "households": "households",
        "baseline": "baseline_households",
        "baseline_households": "baseline_households",
        "effect": "effect_households",
        "effect_lo": "effect_households",
        "effect_hi": "effect_households",
        "effect_households": "effect_households",
    }
)


@dataclass(frozen=True)
class GoalScores:
    """Every goal of a plan against a simulation result (immutable).

    Attributes
    ----------
    scores : tuple of GoalScore
        One per goal, in plan order.
    n_replicates : int
        Replicates of the run.
    with_baseline : bool
        Whether the run had a baseline (the plan's effect is known).
    notes : tuple of str
        Dutch notes: the band, definitions, what is not simulated.
    """

    scores: tuple[GoalScore, ...]
    n_replicates: int
    with_baseline: bool
    notes: tuple[str, ...] = ()

    def score(self, goal_id: str) -> GoalScore:
        """The score of the goal with id ``goal_id`` (KeyError if absent)."""
        for s in self.scores:
            if s.goal_id == goal_id:
                return s
        raise KeyError(goal_id)

    @property
    def frame(self) -> pd.DataFrame:
        """One row per goal, English column names, **not** disclosure-controlled.

        Use :meth:`to_frame` for anything that is shown or exported.
        """
        rows = [dataclasses.asdict(s) for s in self.scores]
        out = pd.DataFrame(rows, columns=list(_COLUMNS))
        for c in _GATED:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
        for c in ("year", "sim_year"):
            out[c] = out[c].astype("Int64")
        out["n_replicates"] = out["n_replicates"].astype("int64")
        return out

    def to_frame(self, *, dutch: bool = True, threshold: int = MIN_HOUSEHOLDS) -> pd.DataFrame:
        """The scores through the disclosure gate.

        Every value is missing where the count it is based on is below
        ``threshold`` (:func:`wijkmix.disclosure.gate`); the status of a goal
        whose expected value is suppressed becomes ``onderdrukt``.

        Parameters
        ----------
        dutch : bool, default True
            Dutch column names (``doel, indicator, niveau, gebied, …, status,
            toelichting``).
        threshold : int, default 10
        """
        raw = self.frame
        values = list(_GATED)
        disclosed = gate(raw, count=[_GATED[v] for v in values], values=values, threshold=threshold)
        out = disclosed.frame.copy()
        hidden = (
            disclosed.suppressed["expected"].to_numpy()
            & out["status"].isin(("haalbaar", "onzeker", "niet haalbaar")).to_numpy()
        )
        if hidden.any():
            out["status"] = out["status"].astype(object)
            out["reason"] = out["reason"].astype(object)
            out.loc[hidden, "status"] = _SUPPRESSED_STATUS
            out.loc[hidden, "reason"] = (
                f"gebaseerd op minder dan {threshold} huishoudens: niet getoond"
            )
        return out.rename(columns=dict(_COLUMNS)) if dutch else out


def _pct(n: float, d: float) -> float:
    return 100.0 * n / d if d > 0 else math.nan


class _Reader:
    """Reads one goal's value from one world's outcome tables."""

    @staticmethod
    def composition(
        o: Outcomes, year: int, level: str, code: str, variable: str, category: str
    ) -> tuple[float, float] | None:
        c = o.composition
        sel = c[(c["year"] == year) & (c["level"] == level) & (c["code"] == code)]
        tot = sel[sel["variable"] == "households"]
        if len(tot) == 0:
            return None
        total = float(tot["households"].iloc[0])
        if variable == "households":
            return total, total
        cell = sel[(sel["variable"] == variable) & (sel["category"] == category)]
        n = float(cell["households"].iloc[0]) if len(cell) else 0.0
        return _pct(n, total), total

    @staticmethod
    def social_rent(o: Outcomes, year: int, code: str) -> tuple[float, float] | None:
        sr = o.social_rent
        row = sr[(sr["year"] == year) & (sr["gemeente"] == code)]
        if len(row) == 0:
            return None
        d = float(row["dwellings"].iloc[0])
        return _pct(float(row["social_rent"].iloc[0]), d), d

    @staticmethod
    def groups(
        o: Outcomes, level: str, code: str, name: str, percent: bool
    ) -> tuple[float, float] | None:
        g = o.groups
        g = g[(g["plan_level"] == level) & (g["plan_code"] == code)]
        if len(g) == 0:
            return None

        def n(group: str, kind: str) -> float:
            s = g[(g["group"] == group) & (g["kind"] == kind)]["households"]
            return float(s.iloc[0]) if len(s) else 0.0

        forced = n("gedwongen_verhuisd", "totaal")
        if name == "displacement_returned":
            return _pct(n("gedwongen_verhuisd", "teruggekeerd"), forced), forced
        out = n("vertrekkers", "gedwongen")
        if percent:
            return _pct(out, forced), forced
        return out, out

    @staticmethod
    def change(o: Outcomes, level: str, code: str, at_start: bool) -> tuple[float, float] | None:
        c = o.change
        row = c[
            (c["plan_level"] == level)
            & (c["plan_code"] == code)
            & (c["indicator"] == "gemiddeld_inkomen")
        ]
        if len(row) == 0:
            return None
        r = row.iloc[0]
        value, count = (r["x0"], r["n_t0"]) if at_start else (r["xT"], r["n_T"])
        v = pd.to_numeric(pd.Series([value, count]), errors="coerce")
        return float(v.iloc[0]), float(v.iloc[1])


def _summary(values: np.ndarray) -> tuple[float, float, float, int]:
    """Mean and 2.5/97.5 percentiles over the defined values, and their number."""
    ok = values[np.isfinite(values)]
    if len(ok) == 0:
        return math.nan, math.nan, math.nan, 0
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return float(ok.mean()), float(lo), float(hi), len(ok)


def _mean(values: np.ndarray) -> float:
    ok = values[np.isfinite(values)]
    return float(ok.mean()) if len(ok) else math.nan


def _last_year(outcomes: Sequence[Outcomes], horizon: int) -> int:
    years = [max(o.years) for o in outcomes if o.years]
    return max(years) if years else horizon


def _not_simulated(goal: Goal, reason: str, n_rep: int = 0) -> GoalScore:
    nan = math.nan
    return GoalScore(
        goal_id=goal.id,
        indicator=goal.indicator,
        level=goal.level,
        area=goal.area,
        unit=goal.unit,
        direction=goal.direction,
        target=goal.target,
        tolerance=goal.tolerance,
        target_year=goal.target_year,
        year=None,
        sim_year=None,
        expected=nan,
        lo=nan,
        hi=nan,
        households=nan,
        baseline=nan,
        baseline_households=nan,
        effect=nan,
        effect_lo=nan,
        effect_hi=nan,
        effect_households=nan,
        n_replicates=n_rep,
        status="niet gesimuleerd",
        reason=reason,
    )


def _score_goal(
    goal: Goal,
    spec: _Spec,
    plan_out: Sequence[Outcomes],
    base_out: Sequence[Outcomes],
    start_year: int,
    last: int,
    plan_areas: Sequence[tuple[str, str]],
) -> GoalScore:
    name = _base_name(goal)
    level, code = goal.level, goal.area
    sim_year = goal.target_year - start_year + 1
    reader: Callable[[Outcomes], tuple[float, float] | None]
    what = spec.what
    if spec.kind == "groups":
        if (level, code) not in plan_areas:
            return _not_simulated(
                goal,
                f"niet gesimuleerd: {level} {code} is geen plangebied van het scenario; "
                "verdringing en terugkeer worden alleen per plangebied gevolgd.",
            )
        percent = name == "displacement_returned" or (goal.unit or "").strip() == "%"
        sim_year = last
        what += (
            " (aandeel van de gedwongen verhuizers, %)"
            if percent and name == "displacement_forced_out"
            else ""
        )
        what += f", over de hele run ({start_year}–{start_year + last - 1})"

        reader = partial(_Reader.groups, level=level, code=code, name=name, percent=percent)

    elif sim_year < 0 or sim_year > last:
        return _not_simulated(
            goal,
            f"niet gesimuleerd: streefjaar {goal.target_year} valt buiten de simulatie "
            f"({start_year}–{start_year + last - 1}).",
        )
    elif spec.kind == "change":
        if (level, code) not in plan_areas:
            return _not_simulated(
                goal,
                f"niet gesimuleerd: {level} {code} is geen plangebied; het gemiddeld inkomen "
                "wordt alleen per plangebied vastgelegd.",
            )
        if sim_year not in (0, last):
            return _not_simulated(
                goal,
                "niet gesimuleerd: het gemiddeld inkomen wordt alleen bij de start en aan het "
                f"eind ({start_year + last - 1}) vastgelegd; kies de horizon zo dat die op "
                "het streefjaar eindigt.",
            )
        at_start = sim_year == 0

        reader = partial(_Reader.change, level=level, code=code, at_start=at_start)

    elif name == "pct_social_rent" and level == "gemeente":
        what = "aandeel corporatie-sociale huur van de bestaande woningvoorraad"

        reader = partial(_Reader.social_rent, year=sim_year, code=code)

    else:
        recorded = (
            {str(x) for x in plan_out[0].composition["level"].unique()} if plan_out else set()
        )
        if level not in recorded:
            return _not_simulated(
                goal,
                f"niet gesimuleerd: het niveau {level} is niet vastgelegd in de simulatie "
                f"(wel: {', '.join(sorted(recorded)) or 'geen'}).",
            )

        reader = partial(
            _Reader.composition,
            year=sim_year,
            level=level,
            code=code,
            variable=spec.variable,
            category=spec.category,
        )

    def collect(outs: Sequence[Outcomes]) -> tuple[np.ndarray, np.ndarray, bool]:
        vals = np.full(len(outs), np.nan)
        counts = np.full(len(outs), np.nan)
        found = False
        for r, o in enumerate(outs):
            got = reader(o)
            if got is not None:
                found = True
                vals[r], counts[r] = got
        return vals, counts, found

    pv, pc, found = collect(plan_out)
    if not found:
        return _not_simulated(
            goal,
            f"niet gesimuleerd: {level} {code} komt niet voor in de gesimuleerde registers.",
        )
    expected, lo, hi, n_ok = _summary(pv)
    if n_ok == 0:
        return _not_simulated(
            goal,
            f"geen waarde: de simulatie geeft voor {level} {code} geen {what} (geen huishoudens "
            "of geen gedwongen verhuizers).",
        )
    households = _mean(pc)
    nan = math.nan
    baseline = b_households = effect = e_lo = e_hi = e_households = nan
    if base_out:
        bv, bc, _ = collect(base_out)
        baseline, b_households = _mean(bv), _mean(bc)
        if len(bv) == len(pv):
            effect, e_lo, e_hi, _ = _summary(pv - bv)
        else:
            effect = expected - baseline
        e_households = min(households, b_households)
    status = goal_status(goal.direction, goal.target, expected, lo, hi, tolerance=goal.tolerance)
    if goal.indicator.startswith(_WATERBED):
        what = (
            f"waterbedeffect in {code}: {what}; het effect van het plan (plan min zonder plan) "
            "is het waterbedeffect"
        )
    return GoalScore(
        goal_id=goal.id,
        indicator=goal.indicator,
        level=level,
        area=code,
        unit=goal.unit,
        direction=goal.direction,
        target=goal.target,
        tolerance=goal.tolerance,
        target_year=goal.target_year,
        year=start_year + sim_year - 1,
        sim_year=sim_year,
        expected=expected,
        lo=lo,
        hi=hi,
        households=households,
        baseline=baseline,
        baseline_households=b_households,
        effect=effect,
        effect_lo=e_lo,
        effect_hi=e_hi,
        effect_households=e_households,
        n_replicates=n_ok,
        status=status,
        reason=what[0].upper() + what[1:] + ".",
    )


def score_goals(plan: Plan, result: SimulationResult) -> GoalScores:
    """Score every goal of ``plan`` on a simulation result.

    Parameters
    ----------
    plan : Plan
        The plan whose goals are scored (usually the plan the scenario was
        translated from).
    result : SimulationResult
        A run (:func:`wijkmix.sim.run`); its ``scenario`` gives the start year
        and horizon, ``outcomes`` and ``baseline_outcomes`` the tables per
        replicate.

    Returns
    -------
    GoalScores
        See the module docstring for the values and statuses.

    Raises
    ------
    InputError
        When the result has no replicates, or its start year differs from the
        plan's.
    """
    outcomes: Sequence[Outcomes] = tuple(result.outcomes)
    base: Sequence[Outcomes] = tuple(result.baseline_outcomes)
    sc = result.scenario
    if not outcomes:
        raise _bad("result.outcomes", "result without replicates", "at least one replicate", 0)
    if sc.start_year != plan.plan.start_year:
        raise _bad(
            "result.scenario.start_year",
            "result of another start year",
            f"a run starting in {plan.plan.start_year} (the plan's start year)",
            sc.start_year,
            hint="translate the plan with plan_to_scenario and run that scenario",
        )
    last = _last_year(outcomes, sc.horizon)
    plan_areas = tuple((str(lv), str(c)) for lv, c in sc.plan_areas)
    scores: list[GoalScore] = []
    used: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        for g in plan.goals:
            spec = _indicator(g)
            if spec is None:
                scores.append(
                    _not_simulated(
                        g,
                        f"niet gesimuleerd: de simulatie berekent '{g.indicator}' niet "
                        "(leefbaarheid, beleving, voorzieningen en economie worden niet "
                        "gemodelleerd): volgen met de monitor.",
                    )
                )
                continue
            used.add(_base_name(g))
            scores.append(_score_goal(g, spec, outcomes, base, sc.start_year, last, plan_areas))
    n = len(outcomes)
    notes: list[str] = []
    if n == 1:
        notes.append(
            "Eén replicatie: de band valt samen met de puntschatting en zegt niets over de "
            "onzekerheid; draai meer replicaties voor een Monte Carlo-band."
        )
    else:
        notes.append(
            f"Band: 2,5e tot 97,5e percentiel over {n} replicaties; het effect van het plan "
            "is plan min zonder plan per replicatie (zelfde toevalsgetallen)."
        )
    if not base:
        notes.append("Geen basisrun: de waarde zonder plan en het effect van het plan ontbreken.")
    if "pct_low_income_households" in used:
        low, _ = sc.outcome_settings().thresholds(0)
        notes.append(
            f"Laag inkomen in de simulatie: bruto huishoudinkomen onder € "
            f"{f'{low:,.0f}'.replace(',', '.')} per jaar (geïndexeerd); dat is niet de "
            "CBS-definitie van een laag inkomen, vergelijk vooral het effect van het plan."
        )
    if used & {"pct_corporation", "pct_owner_occupied", "pct_other_landlords"}:
        notes.append(
            "Eigendom in de simulatie: aandeel van de huishoudens (bewoonde woningen), niet van "
            "alle woningen zoals bij CBS."
        )
    if used & {"displacement_forced_out", "displacement_returned"}:
        notes.append(
            f"Verdringing en terugkeer: geteld over de hele run ({sc.start_year}–"
            f"{sc.start_year + last - 1}), per plangebied."
        )
    notes.append(
        "Status: haalbaar als de verwachte waarde en de hele band het doel halen, niet "
        "haalbaar als geen deel van de band het haalt, anders onzeker."
    )
    notes.append(
        f"Waarden gebaseerd op minder dan {MIN_HOUSEHOLDS} huishoudens worden niet getoond."
    )
    return GoalScores(
        scores=tuple(scores), n_replicates=n, with_baseline=bool(base), notes=tuple(notes)
    )
