"""Precision checks that tell whether a plan adds up.

Each check is a registered rule (:func:`rule`) with a code, a severity
(``fout`` or ``waarschuwing``) and a title. A rule yields findings whose Dutch
message starts with the plan field it is about (``measures[3].goals: …``) and
comes with a Dutch hint. :func:`check_plan` runs every rule of :data:`RULES`
and returns an immutable :class:`CheckReport` (exit code 0 without findings,
1 with warnings only, 2 with errors).

The rules
---------
P001  measure without a numeric goal
P002  goal without a measure
P003  physical measure without social or economic flanking
P004  demolition before the replacement is delivered
P005  allocation rule beyond the law (priority above 50 %, ties to the
      municipality above 25 % before 2024, crucial professions before 2024,
      a Wbmgp designation outside a complex/straat/buurt/wijk or longer than
      4 + 4 years; and the ``[allocation]`` table checked by
      :func:`wijkmix.sim.allocation.validate_rules` for every plan year)
P006  a social-rent target the stock cannot reach with the plan's measures
P007  no indicator that follows displacement or waterbed effects
P008  residents absent from the parties
P009  a route-map stop without an owner
P010  three or more measures without a goal (one summary finding)
P011  a measure naming an instrument that is not in the catalogue
P012  an instrument without a simulation model marked as simulated
P013  expected contributions that do not reach the goal
P014  measures or goals outside the plan's period
P015  a physical or priority measure without quantities

How P004 and P006 count dwellings
---------------------------------
A measure's dwellings are ``quantities.dwellings``; without it,
``quantities.share`` times the social rent (demolition, sale, liberalisation),
all dwellings (construction, densification, transformation) or the non-social
dwellings (purchase) of the measure's area in the stock table. The stock is
the plan's ``[plan.stock]`` merged with the ``stock`` argument of
:func:`check_plan` (the plan's own figures win).

P004: for every demolition, the dwellings demolished from its *pool* up to and
including its start year must not exceed the replacement dwellings delivered
(end year at or before that start year). The pool is the measures listed in
``replaced_by``; without ``replaced_by``, every construction, densification or
transformation in the same area or inside it. ``replaced_by = []`` says that
no replacement is intended, and the rule skips the demolition.

P006 applies to goals on ``pct_corporation`` or ``pct_social_rent`` (in
percent) whose area has a stock entry. Measures inside the goal's area that
end by the target year count fully, measures under way in that year pro rata
to the years elapsed. Demolition, sale and liberalisation remove social rent
(the ``mix`` share of ``sociale_huur``; default all of it), new dwellings add
their ``sociale_huur`` share (default none), purchase adds social rent.

Legal limits come from :mod:`wijkmix.params.legal` (years outside its table
use its nearest year); the ``[allocation]`` table is checked with
:mod:`wijkmix.sim.allocation`. When either module is missing the checker
falls back to the limits of DESIGN §8 written out below.
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd
from pydantic import ValidationError

from wijkmix.areas import parse_code
from wijkmix.errors import InputError, Location
from wijkmix.plan.catalogue import CATALOGUE, Instrument
from wijkmix.plan.schema import Measure, Plan, StockEntry, area_within

__all__ = [
    "DISPLACEMENT_PREFIXES",
    "RULES",
    "SEVERITIES",
    "SOCIAL_RENT_INDICATORS",
    "CheckContext",
    "CheckReport",
    "Finding",
    "Hit",
    "Rule",
    "check_plan",
    "reachable_social_share",
    "rule",
]

Severity = Literal["fout", "waarschuwing"]
#: Severities, most serious first.
SEVERITIES: tuple[str, ...] = ("fout", "waarschuwing")
#: Goal indicators (percentages of dwellings) that P006 computes from the stock.
SOCIAL_RENT_INDICATORS: frozenset[str] = frozenset({"pct_corporation", "pct_social_rent"})
#: An indicator whose name starts with one of these follows displacement or waterbed effects.
DISPLACEMENT_PREFIXES: tuple[str, ...] = ("displacement", "verdringing", "waterbed")
_FLANKING_GROUPS = ("sociaal", "economisch")
_SHARE_RULES = ("local_tie_share", "crucial_share", "lottery_share", "regional_quota")
_WBMGP_LEVELS_FALLBACK = ("complex", "straat", "buurt", "wijk")


@dataclass(frozen=True)
class Finding:
    """One finding of a precision check.

    Attributes
    ----------
    code, severity, title : str
        Of the rule that found it.
    field : str
        The dotted plan field (``measures[3].goals``).
    message : str
        Dutch message, starting with the field.
    hint : str
        Dutch hint on how to fix it.
    """

    code: str
    severity: str
    title: str
    field: str
    message: str
    hint: str


@dataclass(frozen=True)
class Hit:
    """What a rule function yields: the field, a Dutch message and a Dutch hint."""

    field: str
    message: str
    hint: str


@dataclass(frozen=True)
class CheckContext:
    """What every rule sees: the plan and the stock per area.

    Attributes
    ----------
    plan : Plan
    stock : Mapping[str, StockEntry]
        Dwellings and social rent per area code at the start of the plan.
    """

    plan: Plan
    stock: Mapping[str, StockEntry] = field(default_factory=lambda: MappingProxyType({}))

    def instrument(self, m: Measure) -> Instrument | None:
        """The catalogue entry of a measure, or None for an unknown instrument."""
        return CATALOGUE.get(m.instrument)

    def measures(self) -> Iterator[tuple[int, Measure, Instrument]]:
        """Measures with a known instrument, with their index."""
        for i, m in enumerate(self.plan.measures):
            ins = CATALOGUE.get(m.instrument)
            if ins is not None:
                yield i, m, ins


RuleFunc = Callable[[CheckContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A registered precision check."""

    code: str
    severity: Severity
    title: str
    func: RuleFunc

    @property
    def description(self) -> str:
        """The first paragraph of the rule function's docstring."""
        doc = (self.func.__doc__ or "").strip()
        return doc.split("\n\n")[0].replace("\n", " ") if doc else self.title

    def run(self, ctx: CheckContext) -> tuple[Finding, ...]:
        """Run the rule on ``ctx``."""
        return tuple(
            Finding(
                code=self.code,
                severity=self.severity,
                title=self.title,
                field=h.field,
                message=f"{h.field}: {h.message}",
                hint=h.hint,
            )
            for h in self.func(ctx)
        )


_REGISTRY: dict[str, Rule] = {}
#: Every registered rule by code (read-only).
RULES: Mapping[str, Rule] = MappingProxyType(_REGISTRY)


def rule(*, code: str, severity: Severity, title: str) -> Callable[[RuleFunc], RuleFunc]:
    """Register a precision check.

    Parameters
    ----------
    code : str
        ``P`` followed by three digits, unique.
    severity : {'fout', 'waarschuwing'}
    title : str
        Dutch title.

    Examples
    --------
    >>> @rule(code="P001", severity="fout", title="dubbel")
    ... def again(ctx):
    ...     return []
    Traceback (most recent call last):
    ...
    ValueError: rule code P001 is already registered
    """
    if not re.fullmatch(r"P\d{3}", code):
        raise ValueError(f"rule code {code!r} is not P + three digits")
    if severity not in SEVERITIES:
        raise ValueError(f"rule severity {severity!r} is not one of {SEVERITIES}")
    if code in _REGISTRY:
        raise ValueError(f"rule code {code} is already registered")

    def register(func: RuleFunc) -> RuleFunc:
        _REGISTRY[code] = Rule(code=code, severity=severity, title=title, func=func)
        return func

    return register


# --- helpers --------------------------------------------------------------------------
def _nl(x: float, decimals: int = 0) -> str:
    """Dutch number: thousands dot, decimal comma (``1.234,5``)."""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def _years(years: Iterable[int]) -> str:
    ys = sorted(set(years))
    if not ys:
        return ""
    if ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 1:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def _social_share(m: Measure, default: float) -> float:
    mix = m.quantities.mix
    return float(mix.get("sociale_huur", 0.0)) if mix else default


def _dwellings(m: Measure, ins: Instrument, stock: Mapping[str, StockEntry]) -> float | None:
    """Number of dwellings a physical measure takes or adds (None if unknown)."""
    q = m.quantities
    if q.dwellings is not None:
        return float(q.dwellings)
    if q.share is None:
        return None
    base = stock.get(m.area)
    if base is None:
        return None
    if ins.kind in ("sloop", "verkoop", "liberalisatie"):
        return q.share * base.social_rent
    if ins.kind == "aankoop":
        return q.share * (base.dwellings - base.social_rent)
    return q.share * base.dwellings


@dataclass(frozen=True)
class _Legal:
    """The legal limits of DESIGN §8, for when wijkmix.params.legal is missing."""

    year: int
    priority_max_share: float
    local_tie_max_share: float
    crucial_priority_allowed: bool
    wbmgp_designation_years: int = 4
    wbmgp_extension_years: int = 4


def _legal(year: int) -> Any:
    """Legal parameters of ``year`` (nearest year of the table outside it)."""
    try:
        mod = importlib.import_module("wijkmix.params.legal")
        years = tuple(mod.YEARS)
        return mod.legal_params(min(max(year, years[0]), years[-1]))
    except (ImportError, AttributeError):
        # DESIGN §8: priority for ties and crucial professions at most 50 % of the
        # supply; before 2024 at most 25 % for ties to the municipality itself and no
        # ground for crucial professions; Wbmgp designation 4 years + one extension of 4.
        new = year >= 2024
        return _Legal(
            year=year,
            priority_max_share=0.5,
            local_tie_max_share=0.5 if new else 0.25,
            crucial_priority_allowed=new,
        )


def _wbmgp_levels() -> tuple[str, ...]:
    try:
        return tuple(importlib.import_module("wijkmix.params.legal").WBMGP_LEVELS)
    except (ImportError, AttributeError):
        return _WBMGP_LEVELS_FALLBACK


def _allocation_api() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """``(AllocationRules.from_dict, validate_rules)`` when wijkmix.sim.allocation exists."""
    try:
        mod = importlib.import_module("wijkmix.sim.allocation")
        return mod.AllocationRules.from_dict, mod.validate_rules
    except (ImportError, AttributeError):
        return None


# --- the rules ------------------------------------------------------------------------
@rule(code="P001", severity="fout", title="Maatregel zonder numeriek doel")
def _measure_without_goal(ctx: CheckContext) -> Iterator[Hit]:
    """A measure that serves no numeric goal (``goals`` is empty)."""
    for i, m in enumerate(ctx.plan.measures):
        if not m.goals:
            yield Hit(
                f"measures[{i}].goals",
                f"maatregel '{m.id}' dient geen enkel numeriek doel.",
                "Koppel de maatregel met goals = [...] aan een doel uit [[goals]] met een "
                "streefwaarde, of schrap de maatregel.",
            )


@rule(code="P002", severity="waarschuwing", title="Doel zonder maatregel")
def _goal_without_measure(ctx: CheckContext) -> Iterator[Hit]:
    """A goal that no measure serves."""
    served = {g for m in ctx.plan.measures for g in m.goals}
    for i, g in enumerate(ctx.plan.goals):
        if g.id not in served:
            yield Hit(
                f"goals[{i}]",
                f"geen enkele maatregel dient doel '{g.id}' ({g.indicator} in {g.area}).",
                "Noem het doel bij de maatregelen die eraan bijdragen (goals = [...]), of "
                "schrap het doel.",
            )


@rule(
    code="P003",
    severity="waarschuwing",
    title="Fysieke maatregel zonder sociale of economische flankering",
)
def _physical_without_flanking(ctx: CheckContext) -> Iterator[Hit]:
    """A physical measure whose ``flanking`` names no social or economic measure."""
    by_id = {m.id: m for m in ctx.plan.measures}
    for i, m, ins in ctx.measures():
        if not ins.physical:
            continue
        groups = {
            CATALOGUE[by_id[f].instrument].group
            for f in m.flanking
            if f in by_id and by_id[f].instrument in CATALOGUE
        }
        if not groups & set(_FLANKING_GROUPS):
            yield Hit(
                f"measures[{i}].flanking",
                f"fysieke maatregel '{m.id}' ({ins.name.lower()}) heeft geen sociale of "
                "economische flankering.",
                "Noem in flanking = [...] een sociale of economische maatregel die de "
                "bewoners begeleidt (bijvoorbeeld sociaal_plan, ontmoetingsplekken, "
                "winkelplinten).",
            )


@rule(code="P004", severity="fout", title="Sloop vóór oplevering van de vervanging")
def _demolition_before_replacement(ctx: CheckContext) -> Iterator[Hit]:
    """Dwellings demolished before as many replacement dwellings are delivered."""
    known = list(ctx.measures())
    by_id = {m.id: (i, m, ins) for i, m, ins in known}
    demolitions = [(i, m, ins) for i, m, ins in known if ins.kind == "sloop"]
    additions = [(i, m, ins) for i, m, ins in known if ins.kind == "toevoeging"]

    def pool(m: Measure) -> tuple[object, list[tuple[int, Measure, Instrument]]]:
        if m.replaced_by is None:
            return ("gebied", m.area), [a for a in additions if area_within(a[1].area, m.area)]
        return frozenset(m.replaced_by), [by_id[r] for r in m.replaced_by if r in by_id]

    for i, d, ins in sorted(demolitions, key=lambda t: (t[1].years[0], t[0])):
        if d.replaced_by == ():
            continue
        own = _dwellings(d, ins, ctx.stock)
        if own is None:
            continue
        key, reps = pool(d)
        start = d.years[0]
        demolished = 0.0
        for _, other, oins in demolitions:
            if other.replaced_by != () and pool(other)[0] == key and other.years[0] <= start:
                demolished += _dwellings(other, oins, ctx.stock) or 0.0
        delivered = sum(
            (_dwellings(r, rins, ctx.stock) or 0.0)
            for _, r, rins in reps
            if rins.kind == "toevoeging" and r.years[1] <= start
        )
        if delivered + 1e-9 < demolished:
            listed = ", ".join(f"'{r.id}' ({r.years[1]})" for _, r, _ in reps) or "geen"
            yield Hit(
                f"measures[{i}].years",
                f"sloop '{d.id}' begint in {start}; tot en met dan worden "
                f"{_nl(demolished)} woningen gesloopt, maar er zijn pas {_nl(delivered)} "
                f"vervangende woningen opgeleverd (vervanging en opleverjaar: {listed}).",
                "Laat de vervangende nieuwbouw eerder opleveren of fasier de sloop, zodat "
                "elke sloopfase pas begint als de vervanging klaar is; noem vervanging elders "
                "met replaced_by = [...], of zet replaced_by = [] als er bewust geen "
                "vervanging komt.",
            )


def _priority_hits(ctx: CheckContext) -> Iterator[Hit]:
    items = [
        (i, m, ins)
        for i, m, ins in ctx.measures()
        if ins.sim_rule in ("local_tie_share", "crucial_share") and m.quantities.share is not None
    ]
    seen: dict[tuple[str, tuple[int, ...]], tuple[list[int], str]] = {}
    for _, anchor, _ in items:
        # the supply of the anchor's area carries every priority set for it or for an
        # area that contains it
        group = [t for t in items if area_within(anchor.area, t[1].area)]
        first = min(t[1].years[0] for t in group)
        last = max(t[1].years[1] for t in group)
        for y in range(first, last + 1):
            active = [t for t in group if t[1].years[0] <= y <= t[1].years[1]]
            if not active:
                continue
            legal = _legal(y)
            local = [t for t in active if t[2].sim_rule == "local_tie_share"]
            crucial = [t for t in active if t[2].sim_rule == "crucial_share"]
            share = {t[0]: float(t[1].quantities.share or 0.0) for t in active}
            problems: list[tuple[str, list[tuple[int, Measure, Instrument]], str]] = []
            total = sum(share.values())
            if total > legal.priority_max_share + 1e-9:
                problems.append(
                    (
                        "totaal",
                        active,
                        f"samen {_nl(100 * total)} % van het aanbod met voorrang voor "
                        f"binding en cruciale beroepen, meer dan de wettelijke "
                        f"{_nl(100 * legal.priority_max_share)} % (Huisvestingswet 2014 "
                        "art. 14)",
                    )
                )
            loc = sum(share[t[0]] for t in local)
            if local and loc > legal.local_tie_max_share + 1e-9:
                problems.append(
                    (
                        "lokaal",
                        local,
                        f"{_nl(100 * loc)} % voorrang voor lokale binding, meer dan "
                        f"de {_nl(100 * legal.local_tie_max_share)} % die vóór 2024 "
                        "voor binding aan de gemeente zelf mocht",
                    )
                )
            if crucial and not legal.crucial_priority_allowed:
                problems.append(
                    (
                        "cruciaal",
                        crucial,
                        "voorrang voor cruciale beroepen, terwijl de Huisvestingswet "
                        "daar pas sinds 1 januari 2024 een grond voor kent",
                    )
                )
            for kind, who, text in problems:
                idx = tuple(sorted(t[0] for t in who))
                seen.setdefault((kind, idx), ([], text))[0].append(y)
    for (_, idx), (years, text) in seen.items():
        names = ", ".join(f"measures[{j}] ('{ctx.plan.measures[j].id}')" for j in idx)
        yield Hit(
            f"measures[{idx[0]}].quantities.share",
            f"in {_years(years)}: {text}; het gaat om {names}.",
            "Verlaag de aandelen: voorrang voor binding en cruciale beroepen samen ten hoogste "
            "50 % van het aanbod, vóór 2024 ten hoogste 25 % voor binding aan de gemeente en "
            "geen voorrang voor cruciale beroepen.",
        )


def _wbmgp_hits(ctx: CheckContext) -> Iterator[Hit]:
    levels = _wbmgp_levels()
    for i, m, ins in ctx.measures():
        if ins.kind != "wbmgp":
            continue
        if m.level not in levels:
            yield Hit(
                f"measures[{i}].level",
                f"Wbmgp-maatregel '{m.id}' geldt voor een {m.level} ({m.area}); de wet staat "
                "selectie alleen toe in aangewezen complexen, straten of gebieden "
                f"({', '.join(levels)}).",
                "Beperk de aanwijzing tot de complexen, straten, buurten of wijken waar de "
                "problemen zich voordoen.",
            )
        legal = _legal(m.years[0])
        most = legal.wbmgp_designation_years + legal.wbmgp_extension_years
        length = m.years[1] - m.years[0]
        if length > most:
            yield Hit(
                f"measures[{i}].years",
                f"Wbmgp-maatregel '{m.id}' loopt {length} jaar ({m.years[0]}–{m.years[1]}); "
                f"de wet staat een aanwijzing van ten hoogste "
                f"{legal.wbmgp_designation_years} jaar met één verlenging van "
                f"{legal.wbmgp_extension_years} jaar toe.",
                f"Korter de periode in tot ten hoogste {most} jaar, of vraag na afloop een "
                "nieuwe aanwijzing aan met een nieuwe onderbouwing.",
            )


def _fallback_allocation(d: Mapping[str, Any], legal: Any) -> list[tuple[str, str]]:
    """The legal limits of DESIGN §8 on an ``[allocation]`` table (no sim module)."""
    out: list[tuple[str, str]] = []

    def num(v: object) -> float:
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0

    local, crucial = num(d.get("local_tie_share")), num(d.get("crucial_share"))
    if local + crucial > legal.priority_max_share + 1e-9:
        out.append(
            (
                "allocation.local_tie_share",
                f"local_tie_share + crucial_share = {_nl(100 * (local + crucial))} %, meer "
                f"dan {_nl(100 * legal.priority_max_share)} %",
            )
        )
    if d.get("local_tie_scope", "gemeente") == "gemeente" and local > (
        legal.local_tie_max_share + 1e-9
    ):
        out.append(
            (
                "allocation.local_tie_share",
                f"local_tie_share = {_nl(100 * local)} %, meer dan "
                f"{_nl(100 * legal.local_tie_max_share)} % voor binding aan de "
                "gemeente",
            )
        )
    if crucial > 0 and not legal.crucial_priority_allowed:
        out.append(("allocation.crucial_share", "voorrang voor cruciale beroepen vóór 2024"))
    levels = _wbmgp_levels()
    for art in ("article8", "article9", "article10"):
        entries = d.get(art, [])
        for j, a in enumerate(entries if isinstance(entries, list | tuple) else []):
            if not isinstance(a, Mapping):
                continue
            f = f"allocation.{art}[{j}]"
            if a.get("level") not in levels:
                out.append((f"{f}.level", f"aanwijzing op niveau {a.get('level')!r}"))
            if num(a.get("years", 4)) > legal.wbmgp_designation_years:
                out.append((f"{f}.years", f"aanwijzing van {a.get('years')} jaar"))
            if num(a.get("extended_years", 0)) > legal.wbmgp_extension_years:
                out.append(
                    (f"{f}.extended_years", f"verlenging van {a.get('extended_years')} jaar")
                )
    return out


def _allocation_hits(ctx: CheckContext) -> Iterator[Hit]:
    table = ctx.plan.allocation_dict()
    if table is None:
        return
    info = ctx.plan.plan
    # validate_rules needs the full legal table; with the DESIGN §8 fallback use the fallback
    api = None if isinstance(_legal(info.start_year), _Legal) else _allocation_api()
    # (field, what) -> (years, text of the first year)
    found: dict[tuple[str, str], tuple[list[int], str]] = {}
    period = range(info.start_year, info.last_year + 1)

    def note(f: str, what: str, text: str, years: Iterable[int]) -> None:
        found.setdefault((f, what), ([], text))[0].extend(years)

    def describe(e: InputError) -> str:
        found_text = repr(e.found) if isinstance(e.found, str) else str(e.found)
        return f"{e.what} (verwacht: {e.expected}; gevonden: {found_text})"

    rules_obj: Any = None
    if api is not None:
        try:
            rules_obj = api[0](table, field="allocation")
        except InputError as e:  # the loader rejects these; a hand-made Plan may not
            note(e.where.field or "allocation", e.what, describe(e), period)
    for y in period:
        legal = _legal(y)
        if rules_obj is not None and api is not None:
            try:
                api[1](
                    rules_obj,
                    legal,
                    horizon_years=(info.start_year, info.last_year),
                    field="allocation",
                )
            except InputError as e:
                note(e.where.field or "allocation", e.what, describe(e), [y])
        elif api is None:
            for f, text in _fallback_allocation(table, legal):
                note(f, text, text, [y])
    for (f, _), (years, text) in found.items():
        yield Hit(
            f,
            f"de toewijzingsregels in [allocation] houden zich in {_years(years)} niet aan de "
            f"wet of aan de regels van de toewijzing: {text}.",
            "Houd voorrang voor binding en cruciale beroepen samen onder 50 %, lokale binding "
            "vóór 2024 onder 25 % (of local_tie_scope = 'regio'), geen cruciale beroepen vóór "
            "2024, en Wbmgp-aanwijzingen op complex, straat, buurt of wijk voor ten hoogste "
            "4 + 4 jaar.",
        )


@rule(code="P005", severity="fout", title="Toewijzingsregel buiten de wet")
def _allocation_beyond_law(ctx: CheckContext) -> Iterator[Hit]:
    """Priority shares, Wbmgp designations or ``[allocation]`` rules the law does not allow."""
    yield from _priority_hits(ctx)
    yield from _wbmgp_hits(ctx)
    yield from _allocation_hits(ctx)


def reachable_social_share(
    ctx: CheckContext, area: str, year: int
) -> tuple[float, float, float, float] | None:
    """Social rent and dwellings of ``area`` at the start and after the plan's measures.

    Returns ``(social_start, dwellings_start, social_end, dwellings_end)`` at the
    end of ``year``, or None when the area has no stock entry.
    """
    base = ctx.stock.get(area)
    if base is None:
        return None
    s, d = float(base.social_rent), float(base.dwellings)
    s0, d0 = s, d
    for _, m, ins in ctx.measures():
        if not ins.physical or not area_within(m.area, area) or m.years[0] > year:
            continue
        n = _dwellings(m, ins, ctx.stock)
        if n is None:
            continue
        start, end = m.years
        frac = 1.0 if end <= year else (year - start + 1) / (end - start + 1)
        n *= frac
        if ins.kind == "sloop":
            d -= n
            s -= n * _social_share(m, 1.0)
        elif ins.kind == "toevoeging":
            d += n
            s += n * _social_share(m, 0.0)
        elif ins.kind in ("verkoop", "liberalisatie"):
            s -= n * _social_share(m, 1.0)
        elif ins.kind == "aankoop":
            s += n * _social_share(m, 1.0)
    return s0, d0, s, d


@rule(code="P006", severity="fout", title="Streefwaarde onbereikbaar met de voorraad")
def _target_unreachable(ctx: CheckContext) -> Iterator[Hit]:
    """A social-rent share target that the plan's stock measures cannot produce."""
    for i, g in enumerate(ctx.plan.goals):
        if g.indicator not in SOCIAL_RENT_INDICATORS:
            continue
        res = reachable_social_share(ctx, g.area, g.target_year)
        if res is None:
            continue
        s0, d0, s, d = res
        if d <= 0 or d0 <= 0:
            continue
        reach, start = 100.0 * s / d, 100.0 * s0 / d0
        tol = g.tolerance
        bad = (
            (g.direction == "omlaag" and reach > g.target + tol + 1e-9)
            or (g.direction == "omhoog" and reach < g.target - tol - 1e-9)
            or (g.direction == "gelijk" and abs(reach - g.target) > tol + 1e-9)
        )
        if bad:
            yield Hit(
                f"goals[{i}].target",
                f"doel '{g.id}' vraagt {_nl(g.target, 1)} % {g.indicator} in {g.area} in "
                f"{g.target_year}, maar met de sloop, nieuwbouw en verkoop van dit plan komt "
                f"het aandeel op {_nl(reach, 1)} % (start {_nl(start, 1)} %: "
                f"{_nl(s0)} van {_nl(d0)} woningen; eind {_nl(s)} van {_nl(d)}).",
                "Pas de aantallen of de segmentmix van sloop, nieuwbouw en verkoop aan, of "
                "stel een streefwaarde die de voorraad kan halen.",
            )


@rule(code="P007", severity="waarschuwing", title="Geen indicator voor verdringing of waterbed")
def _no_displacement_indicator(ctx: CheckContext) -> Iterator[Hit]:
    """Physical or allocation measures, but no goal follows displacement or waterbed effects."""
    moving = [m for _, m, ins in ctx.measures() if ins.group in ("fysiek", "toewijzing")]
    if not moving:
        return
    follows = any(g.indicator.lower().startswith(DISPLACEMENT_PREFIXES) for g in ctx.plan.goals)
    if not follows:
        yield Hit(
            "goals",
            f"het plan heeft {len(moving)} fysieke of toewijzingsmaatregelen, maar geen doel "
            "met een indicator die verdringing of het waterbedeffect volgt.",
            "Voeg een doel toe met een indicator die begint met 'displacement', 'verdringing' "
            "of 'waterbed' (bijvoorbeeld displacement_forced_out, of het aandeel lage "
            "inkomens in de buurwijken).",
        )


@rule(code="P008", severity="waarschuwing", title="Bewoners ontbreken bij de partijen")
def _no_residents(ctx: CheckContext) -> Iterator[Hit]:
    """No party of kind ``bewoners``."""
    if not any(p.kind == "bewoners" for p in ctx.plan.parties):
        yield Hit(
            "parties",
            "geen enkele partij is van de soort 'bewoners'.",
            "Neem bewoners (bewonersorganisatie, huurdersvereniging, wijkraad) op als partij "
            'met kind = "bewoners", met hun belang en invloed.',
        )


@rule(code="P009", severity="waarschuwing", title="Stop op de routekaart zonder eigenaar")
def _stop_without_owner(ctx: CheckContext) -> Iterator[Hit]:
    """A route-map stop without an ``owner``."""
    for stage, i, s in ctx.plan.routekaart.stops():
        if s.owner is None:
            yield Hit(
                f"routekaart.{stage}[{i}].owner",
                f"stop '{s.id}' ({s.title}) heeft geen eigenaar.",
                'Wijs met owner = "<partij-id>" een partij aan die de stop trekt.',
            )


@rule(code="P010", severity="waarschuwing", title="Veel losse maatregelen zonder doel")
def _many_loose_measures(ctx: CheckContext) -> Iterator[Hit]:
    """Three or more measures serve no goal: one summary finding."""
    loose = [(i, m) for i, m in enumerate(ctx.plan.measures) if not m.goals]
    if len(loose) >= 3:
        names = ", ".join(f"measures[{i}] ('{m.id}')" for i, m in loose)
        yield Hit(
            "measures",
            f"{len(loose)} van de {len(ctx.plan.measures)} maatregelen dienen geen doel: {names}.",
            "Veel losse maatregelen zonder doel versnipperen het plan: bundel ze onder de "
            "doelen waarvoor ze bedoeld zijn, of schrap ze.",
        )


@rule(code="P011", severity="fout", title="Instrument niet in de catalogus")
def _unknown_instrument(ctx: CheckContext) -> Iterator[Hit]:
    """A measure naming an instrument that is not in the catalogue."""
    for i, m in enumerate(ctx.plan.measures):
        if m.instrument not in CATALOGUE:
            close = difflib.get_close_matches(m.instrument, list(CATALOGUE), n=1)
            tip = f"Bedoelde u '{close[0]}'? " if close else ""
            yield Hit(
                f"measures[{i}].instrument",
                f"maatregel '{m.id}' noemt instrument '{m.instrument}', dat niet in de "
                "catalogus staat.",
                tip + "Kies een instrument uit de catalogus (wijkmix.plan.CATALOGUE).",
            )


@rule(code="P012", severity="fout", title="Niet-simuleerbaar instrument als gesimuleerd")
def _claimed_simulated(ctx: CheckContext) -> Iterator[Hit]:
    """``simulated = true`` on an instrument that the simulation does not model."""
    for i, m, ins in ctx.measures():
        if m.simulated and not ins.simulated:
            why = (
                "sociale en economische instrumenten hebben geen betrouwbaar kwantitatief model"
                if ins.group in ("sociaal", "economisch")
                else "dit instrument heeft geen eigen plaats in de simulatie"
            )
            yield Hit(
                f"measures[{i}].simulated",
                f"maatregel '{m.id}' ({ins.name}) staat op simulated = true, maar {why} "
                f"({ins.simulation}).",
                "Zet simulated = false en volg de maatregel met de monitor (doelen en metingen).",
            )


@rule(code="P013", severity="waarschuwing", title="Verwachte bijdragen halen het doel niet")
def _contributions_short(ctx: CheckContext) -> Iterator[Hit]:
    """The expected contributions to a goal add up to less than the change it asks."""
    totals: dict[str, float] = {}
    for m in ctx.plan.measures:
        for e in m.expected:
            totals[e.goal] = totals.get(e.goal, 0.0) + e.contribution
    for i, g in enumerate(ctx.plan.goals):
        if g.id not in totals or g.direction == "gelijk":
            continue
        need = g.target - g.baseline.value
        got = totals[g.id]
        short = (got < need - g.tolerance - 1e-9) if need > 0 else (got > need + g.tolerance + 1e-9)
        if short:
            yield Hit(
                f"goals[{i}]",
                f"doel '{g.id}' vraagt een verandering van {_nl(need, 1)} (van "
                f"{_nl(g.baseline.value, 1)} naar {_nl(g.target, 1)}), maar de verwachte "
                f"bijdragen van de maatregelen tellen op tot {_nl(got, 1)}.",
                "Voeg maatregelen toe, vergroot ze, of stel de streefwaarde bij.",
            )


@rule(code="P014", severity="waarschuwing", title="Buiten de looptijd van het plan")
def _outside_period(ctx: CheckContext) -> Iterator[Hit]:
    """A measure or goal year outside ``start_year`` … ``start_year + horizon − 1``."""
    first, last = ctx.plan.plan.start_year, ctx.plan.plan.last_year
    for i, m in enumerate(ctx.plan.measures):
        if m.years[0] < first or m.years[1] > last:
            yield Hit(
                f"measures[{i}].years",
                f"maatregel '{m.id}' loopt {m.years[0]}–{m.years[1]}, buiten de looptijd van "
                f"het plan ({first}–{last}).",
                "Verleng de horizon van het plan of pas de jaren van de maatregel aan.",
            )
    for i, g in enumerate(ctx.plan.goals):
        if not first <= g.target_year <= last:
            yield Hit(
                f"goals[{i}].target_year",
                f"doel '{g.id}' heeft doeljaar {g.target_year}, buiten de looptijd van het "
                f"plan ({first}–{last}).",
                "Kies een doeljaar binnen de looptijd of verleng de horizon.",
            )


@rule(code="P015", severity="waarschuwing", title="Maatregel zonder aantallen")
def _without_quantities(ctx: CheckContext) -> Iterator[Hit]:
    """A physical measure without dwellings or share, or a priority/lottery rule without share."""
    for i, m, ins in ctx.measures():
        q = m.quantities
        if ins.physical and q.dwellings is None and q.share is None:
            yield Hit(
                f"measures[{i}].quantities",
                f"fysieke maatregel '{m.id}' ({ins.name.lower()}) noemt geen aantal woningen "
                "en geen aandeel.",
                "Geef quantities.dwellings (aantal woningen) of quantities.share (aandeel van "
                "de voorraad).",
            )
        elif ins.sim_rule in _SHARE_RULES and q.share is None:
            yield Hit(
                f"measures[{i}].quantities",
                f"toewijzingsmaatregel '{m.id}' ({ins.name.lower()}) noemt geen aandeel van "
                "het aanbod.",
                "Geef quantities.share: het aandeel (0–1) van het vrijkomende aanbod.",
            )


# --- the report -----------------------------------------------------------------------
_FRAME_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "code": "code",
        "severity": "ernst",
        "title": "regel",
        "field": "veld",
        "message": "melding",
        "hint": "tip",
    }
)


@dataclass(frozen=True)
class CheckReport:
    """The findings of :func:`check_plan`.

    Attributes
    ----------
    findings : tuple of Finding
        In rule-code order, then in the order each rule found them.
    rules : tuple of str
        The codes of the rules that ran.
    """

    findings: tuple[Finding, ...]
    rules: tuple[str, ...]

    @property
    def counts(self) -> Mapping[str, int]:
        """Number of findings per severity (``fout``, ``waarschuwing``)."""
        return MappingProxyType(
            {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        )

    @property
    def codes(self) -> frozenset[str]:
        """The codes of the rules that found something."""
        return frozenset(f.code for f in self.findings)

    @property
    def exit_code(self) -> int:
        """0 without findings, 1 with warnings only, 2 with at least one error."""
        if self.counts["fout"]:
            return 2
        return 1 if self.findings else 0

    def to_frame(self) -> pd.DataFrame:
        """The findings as a table with Dutch column names."""
        rows = [
            {nl: getattr(f, attr) for attr, nl in _FRAME_COLUMNS.items()} for f in self.findings
        ]
        return pd.DataFrame(rows, columns=list(_FRAME_COLUMNS.values()))

    def to_json(self) -> str:
        """The report as JSON: findings, counts and exit code."""
        return json.dumps(
            {
                "findings": [asdict(f) for f in self.findings],
                "counts": dict(self.counts),
                "exit_code": self.exit_code,
            },
            ensure_ascii=False,
            indent=2,
        )


def _stock_from(stock: Mapping[str, Any] | None) -> dict[str, StockEntry]:
    out: dict[str, StockEntry] = {}
    if stock is None:
        return out
    if not isinstance(stock, Mapping):
        raise InputError(
            "invalid stock",
            where="stock",
            expected="a mapping {area code: {dwellings, social_rent}}",
            found=type(stock).__name__,
        )
    for key, value in stock.items():
        code = str(key).strip()
        if code[:2].upper() in ("GM", "WK", "BU"):
            code = parse_code(code, where=Location(field=f"stock[{key!r}]")).code
        if isinstance(value, StockEntry):
            out[code] = value
            continue
        try:
            out[code] = StockEntry.model_validate(value)
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            sub = ".".join(str(x) for x in err.get("loc", ()))
            raise InputError(
                "invalid stock entry",
                where=f"stock[{key!r}]" + (f".{sub}" if sub else ""),
                expected="{dwellings: whole number ≥ 0, social_rent: whole number ≤ dwellings}",
                found=err.get("input") if not isinstance(err.get("input"), Mapping) else value,
            ) from None
    return out


def check_plan(plan: Plan, *, stock: Mapping[str, Any] | None = None) -> CheckReport:
    """Run every precision check on a plan.

    Parameters
    ----------
    plan : Plan
        A validated plan (:func:`wijkmix.plan.load_plan`).
    stock : Mapping, optional
        Dwellings and social rent per area code at the start of the plan,
        ``{code: {"dwellings": int, "social_rent": int}}`` or
        :class:`~wijkmix.plan.schema.StockEntry` values (the lead passes the
        store's figures). The plan's own ``[plan.stock]`` wins for an area in both.

    Returns
    -------
    CheckReport

    Raises
    ------
    InputError
        If ``stock`` is malformed.
    """
    merged = _stock_from(stock)
    merged.update(plan.plan.stock)
    ctx = CheckContext(plan=plan, stock=MappingProxyType(merged))
    findings: list[Finding] = []
    for code in sorted(RULES):
        findings.extend(RULES[code].run(ctx))
    return CheckReport(findings=tuple(findings), rules=tuple(sorted(RULES)))
