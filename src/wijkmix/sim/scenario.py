"""A simulation scenario: what the plan changes, for how long, under which rules.

A :class:`Scenario` is inert data: a name, the gemeente and start year, the
horizon, the plan events, the social-rent allocation rules of the plan and of
the situation without the plan, the parameters of every step, the plan areas
and what to record. :func:`load_scenario` reads one from a TOML file (the format
is documented field by field in ``docs/scenario.md``); :meth:`Scenario.baseline`
gives the same scenario *without the plan*.

Years in a scenario file are **calendar years** (``year = 2022``); inside the
simulation an event carries the simulated year (1 = ``start_year``).

Every error names the file and the dotted field::

    invalid value in baseline.toml, field 'events[2].year': expected ...
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from wijkmix.areas import Level, parse_code
from wijkmix.errors import InputError, Location
from wijkmix.params.legal import YEARS, LegalParams, legal_params
from wijkmix.sim.allocation import AllocationRules, validate_rules
from wijkmix.sim.events import PlanEvent
from wijkmix.sim.outcomes import PLAN_LEVELS, REPORT_LEVELS, VARIABLES, OutcomeSettings
from wijkmix.sim.params import SimParams, to_plain

__all__ = [
    "HIGH_INCOME_FACTOR",
    "TOP_LEVEL_KEYS",
    "Scenario",
    "WaterbedSpec",
    "legal_for_year",
    "load_scenario",
]

#: The keys a scenario file may have at the top level.
TOP_LEVEL_KEYS: tuple[str, ...] = (
    "name",
    "description",
    "gemeente",
    "start_year",
    "horizon",
    "plan_areas",
    "events",
    "allocation",
    "baseline",
    "params",
    "outcomes",
)
_OUTCOME_KEYS = (
    "levels",
    "income_low",
    "income_high",
    "index_incomes",
    "social_rent_target",
    "waterbed",
)
_WATERBED_KEYS = ("level", "variable", "category", "measure")
#: Default upper income class bound as a multiple of the lower one (wijkmix
#: assumption: twice the DAEB limit for one person, about twice the modal
#: income; 2020: € 78.110).
HIGH_INCOME_FACTOR = 2.0
_MAX_HORIZON = 100


def _bad(
    where: str, what: str, expected: str, found: object, hint: str | None = None
) -> InputError:
    return InputError(what, where=Location(field=where), expected=expected, found=found, hint=hint)


def _nl_pct(x: float) -> str:
    """A share as a Dutch percentage: 0.025 → '2,5 %'."""
    return f"{100 * x:.1f}".replace(".", ",") + " %"


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return (_is_int(v) or isinstance(v, float)) and math.isfinite(float(cast(float, v)))


# ---------------------------------------------------------------------------
# the law of a calendar year
# ---------------------------------------------------------------------------
def legal_for_year(calendar_year: int, *, income_growth: float = 0.0) -> LegalParams:
    """The legal allocation parameters that apply in ``calendar_year``.

    Years that :mod:`wijkmix.params.legal` has are returned as they are. For a
    later year the rules of the last known year apply, with its *income*
    limits (DAEB and passend toewijzen) indexed by ``income_growth`` per year,
    because the simulation lets incomes grow by that rate (rents and rent
    limits are not indexed: dwelling rents do not grow in the simulation).

    Parameters
    ----------
    calendar_year : int
    income_growth : float, default 0
        Yearly nominal income growth (``params.demography.income_growth``).

    Raises
    ------
    InputError
        For a year before the first year of the table.

    Examples
    --------
    >>> legal_for_year(2025).daeb_income_limit_single
    49669.0
    >>> round(legal_for_year(2027, income_growth=0.02).daeb_income_limit_single, 2)
    51675.63
    >>> legal_for_year(2027).year
    2025
    """
    first, last = YEARS[0], YEARS[-1]
    if calendar_year < first:
        raise InputError(
            "no legal allocation parameters for this year",
            where="start_year",
            expected=f"a calendar year from {first} (the legal table has "
            + ", ".join(str(y) for y in YEARS)
            + ")",
            found=calendar_year,
        )
    if calendar_year <= last:
        return legal_params(calendar_year)
    base = legal_params(last)
    if income_growth == 0.0:
        return base
    f = (1.0 + income_growth) ** (calendar_year - last)
    sources = dict(base.sources)
    indexed = (
        "daeb_income_limit_single",
        "daeb_income_limit_multi",
        "passend_income_limit_single",
        "passend_income_limit_multi",
    )
    for name in indexed:
        sources[name] = (
            f"{sources.get(name, '')}; na {last} geïndexeerd met {_nl_pct(income_growth)} per jaar "
            f"(inkomensgroei van de simulatie) tot {calendar_year}"
        )
    return dataclasses.replace(
        base,
        daeb_income_limit_single=base.daeb_income_limit_single * f,
        daeb_income_limit_multi=base.daeb_income_limit_multi * f,
        passend_income_limit_single=base.passend_income_limit_single * f,
        passend_income_limit_multi=base.passend_income_limit_multi * f,
        sources=MappingProxyType(sources),
    )


# ---------------------------------------------------------------------------
# the scenario
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WaterbedSpec:
    """Which composition cell the waterbed compares (see :func:`wijkmix.sim.outcomes.waterbed`).

    Parameters
    ----------
    level : str, default "buurt"
    variable : str, default "income_class"
    category : str, default "laag"
    measure : {"households", "share"}, default "households"
    """

    level: str = "buurt"
    variable: str = "income_class"
    category: str = "laag"
    measure: str = "households"


@dataclass(frozen=True)
class Scenario:
    """A scenario of the microsimulation (inert data; see :func:`load_scenario`).

    Parameters
    ----------
    name : str
        Short name (used in result directories and provenance).
    gemeente : str
        CBS gemeente code (``GM0518``).
    start_year : int
        Calendar year of simulated year 1 (the registers describe 1 January).
    horizon : int, default 20
        Number of simulated years.
    events : tuple of PlanEvent
        The plan's changes of the stock; ``PlanEvent.year`` is the simulated
        year (1 = ``start_year``).
    rules : AllocationRules
        Social-rent allocation rules with the plan.
    params : SimParams
        Parameters of every step (the same with and without the plan).
    plan_areas : tuple of (level, code)
        The areas the plan is about: for each the stayers, leavers and
        newcomers and the change decomposition are reported.
    outcomes : OutcomeSettings, optional
        What to record; None means the defaults of :meth:`outcome_settings`.
    description : str
        Free text (Dutch), shown in summaries.
    baseline_rules : AllocationRules
        Allocation rules of the situation without the plan.
    waterbed : WaterbedSpec
        The composition cell compared between plan and baseline.
    source : str, optional
        The file the scenario was read from.
    sha256 : str, optional
        sha256 of that file.
    notes : tuple of str
        Dutch notes made while loading: those of :meth:`check` (which years
        use the law of another year).
    is_baseline : bool
        True for the scenario returned by :meth:`baseline`.

    Examples
    --------
    >>> s = Scenario(name="x", gemeente="GM0518", start_year=2020, horizon=3)
    >>> s.calendar_year(1), s.calendar_year(3)
    (2020, 2022)
    >>> s.baseline().events, s.baseline().is_baseline
    ((), True)
    """

    name: str
    gemeente: str
    start_year: int
    horizon: int = 20
    events: tuple[PlanEvent, ...] = ()
    rules: AllocationRules = field(default_factory=AllocationRules)
    params: SimParams = field(default_factory=SimParams.default)
    plan_areas: tuple[tuple[str, str], ...] = ()
    outcomes: OutcomeSettings | None = None
    description: str = ""
    baseline_rules: AllocationRules = field(default_factory=AllocationRules)
    waterbed: WaterbedSpec = field(default_factory=WaterbedSpec)
    source: str | None = None
    sha256: str | None = None
    notes: tuple[str, ...] = ()
    is_baseline: bool = False

    # -- years -----------------------------------------------------------------------
    def calendar_year(self, year: int) -> int:
        """Calendar year of simulated ``year`` (1 = ``start_year``)."""
        return self.start_year + year - 1

    @property
    def calendar_years(self) -> tuple[int, int]:
        """First and last calendar year of the run."""
        return self.start_year, self.start_year + self.horizon - 1

    def legal(self, year: int) -> LegalParams:
        """The legal parameters of simulated ``year`` (see :func:`legal_for_year`)."""
        return legal_for_year(
            self.calendar_year(year), income_growth=self.params.demography.income_growth
        )

    def events_of(self, year: int) -> tuple[PlanEvent, ...]:
        """The plan events of simulated ``year``, in file order."""
        return tuple(e for e in self.events if e.year == year)

    # -- without the plan --------------------------------------------------------------
    def baseline(self) -> Scenario:
        """The same scenario without the plan.

        Without the plan means: no plan events, and the allocation rules of the
        situation without the plan (:attr:`baseline_rules`: the file's
        ``[baseline.allocation]`` table, else the default rules). Everything
        else is the same: start year, horizon, parameters, plan areas (so that
        the same areas are reported) and the outcome settings. Run with the
        same seed, the baseline sees the same random numbers.
        """
        return dataclasses.replace(
            self,
            events=(),
            rules=self.baseline_rules,
            is_baseline=True,
        )

    @property
    def has_plan(self) -> bool:
        """Whether the plan differs from the baseline (events or rules)."""
        return bool(self.events) or self.rules != self.baseline_rules

    # -- outcome settings -----------------------------------------------------------------
    def outcome_settings(self) -> OutcomeSettings:
        """The effective outcome settings.

        Without :attr:`outcomes`: levels buurt, wijk and gemeente (plus the
        levels of the plan areas), income class ``laag`` below the DAEB income
        limit for one person of the start year, ``hoog`` from
        :data:`HIGH_INCOME_FACTOR` times that, both indexed every simulated
        year by ``params.demography.income_growth`` (incomes grow by that rate
        in the simulation), social-rent target 30 %. The plan areas are always
        the scenario's.
        """
        if self.outcomes is not None:
            base = self.outcomes
            return dataclasses.replace(base, plan_areas=tuple(self.plan_areas))
        low = legal_for_year(self.start_year).daeb_income_limit_single
        return _default_outcomes(self, low, HIGH_INCOME_FACTOR * low, None, None, True)

    # -- checks ----------------------------------------------------------------------------
    def check(self) -> tuple[str, ...]:
        """Check the rules against the law of every calendar year of the run.

        Both the plan's rules (field ``allocation``) and the baseline rules
        (``baseline.allocation``) are checked with
        :func:`wijkmix.sim.allocation.validate_rules` for each calendar year
        of the horizon. Years after the last year of the legal table are
        checked against the law of that last year.

        Returns
        -------
        tuple of str
            Dutch notes (which years use the law of another year).

        Raises
        ------
        InputError
            A rule beyond the law (the field names the rule), or a start year
            before the legal table.
        """
        first, last = self.calendar_years
        known_last = YEARS[-1]
        growth = self.params.demography.income_growth
        seen: set[int] = set()
        for cy in range(first, last + 1):
            legal = legal_for_year(cy, income_growth=growth)
            if legal.year in seen:
                continue
            seen.add(legal.year)
            # the baseline first: a plan without [allocation] uses the baseline rules,
            # and an error must name the table the rule is in
            validate_rules(
                self.baseline_rules,
                legal,
                horizon_years=(first, last),
                field="baseline.allocation",
            )
            if self.rules != self.baseline_rules:
                validate_rules(self.rules, legal, horizon_years=(first, last), field="allocation")
        notes: list[str] = []
        if last > known_last:
            notes.append(
                f"Wettelijke toewijzingsregels zijn bekend tot en met {known_last}; voor "
                f"{max(first, known_last + 1)}–{last} gelden die van {known_last}, met de "
                f"inkomensgrenzen geïndexeerd met de inkomensgroei van de simulatie "
                f"({_nl_pct(growth)} per jaar)."
            )
        return tuple(notes)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain JSON-ready values (for provenance)."""
        out: dict[str, Any] = to_plain(
            {
                "name": self.name,
                "description": self.description,
                "gemeente": self.gemeente,
                "start_year": self.start_year,
                "horizon": self.horizon,
                "plan_areas": [list(a) for a in self.plan_areas],
                "events": self.events,
                "allocation": self.rules,
                "baseline_allocation": self.baseline_rules,
                "params": self.params.to_dict(),
                "outcomes": self.outcome_settings(),
                "waterbed": self.waterbed,
                "source": self.source,
                "sha256": self.sha256,
                "is_baseline": self.is_baseline,
            }
        )
        return out


def _default_outcomes(
    scenario: Scenario,
    low: float,
    high: float,
    levels: Sequence[str] | None,
    target: float | None,
    index_incomes: bool,
) -> OutcomeSettings:
    plan_levels = {lv for lv, _ in scenario.plan_areas}
    if levels is None:
        wanted = {"buurt", "wijk", "gemeente"} | plan_levels
        levels = tuple(lv for lv in REPORT_LEVELS if lv in wanted)
    growth = scenario.params.demography.income_growth
    by_year: dict[int, tuple[float, float]] = {}
    if index_incomes and growth != 0.0:
        for y in range(scenario.horizon + 1):
            f = (1.0 + growth) ** y
            by_year[y] = (low * f, high * f)
    return OutcomeSettings(
        income_low=float(low),
        income_high=float(high),
        plan_areas=tuple(scenario.plan_areas),
        levels=tuple(levels),
        social_rent_target=0.30 if target is None else float(target),
        income_by_year=MappingProxyType(by_year),
    )


# ---------------------------------------------------------------------------
# reading a file
# ---------------------------------------------------------------------------
def _in_file(err: InputError, path: str) -> InputError:
    """The same error with the file added to its location."""
    return InputError(
        err.what,
        where=Location(
            file=path,
            row=err.where.row,
            column=err.where.column,
            field=err.where.field,
        ),
        expected=err.expected,
        found=err.found,
        hint=err.hint,
    )


def _table(d: object, where: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise _bad(where, "not a table", f"a table [{where}]", type(d).__name__)
    return d


def _keys(d: Mapping[str, Any], where: str | None, allowed: Sequence[str]) -> None:
    for k in d:
        if k not in allowed:
            raise _bad(
                f"{where}.{k}" if where else k,
                "unknown key",
                "one of " + ", ".join(allowed),
                k,
            )


def _int_field(d: Mapping[str, Any], key: str, *, lo: int, hi: int, default: int | None) -> int:
    if key not in d:
        if default is None:
            raise _bad(key, "missing field", f"{key} = a whole number", None)
        return default
    v = d[key]
    if not _is_int(v) or not lo <= v <= hi:
        raise _bad(key, "invalid value", f"a whole number from {lo} to {hi}", v)
    return int(v)


def _text_field(d: Mapping[str, Any], key: str, default: str | None) -> str:
    if key not in d:
        if default is None:
            raise _bad(key, "missing field", f'{key} = "text"', None)
        return default
    v = d[key]
    if not isinstance(v, str):
        raise _bad(key, "invalid value", "a text in quotes", v)
    return v


def _plan_areas(raw: object, gemeente: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        raise _bad("plan_areas", "invalid value", 'a list, e.g. ["WK051836"]', raw)
    out: list[tuple[str, str]] = []
    for i, item in enumerate(raw):
        w = f"plan_areas[{i}]"
        if isinstance(item, str):
            code = parse_code(item, where=Location(field=w))
            level = str(code.level)
            text = code.code
        elif isinstance(item, Mapping):
            _keys(item, w, ("level", "code"))
            level = str(item.get("level"))
            if level not in PLAN_LEVELS:
                raise _bad(
                    f"{w}.level",
                    "invalid plan area level",
                    "one of " + ", ".join(PLAN_LEVELS),
                    level,
                )
            raw_code = item.get("code")
            if level in ("buurt", "wijk"):
                text = parse_code(
                    raw_code, level=cast(Level, level), where=Location(field=f"{w}.code")
                ).code
            elif isinstance(raw_code, str) and raw_code.strip():
                text = raw_code.strip()
            else:
                raise _bad(f"{w}.code", "invalid area code", f"a {level} code as text", raw_code)
        else:
            raise _bad(
                w,
                "invalid plan area",
                'a CBS code ("WK051836") or a table {level = "complex", code = "..."}',
                item,
            )
        if level not in PLAN_LEVELS:
            raise _bad(w, "invalid plan area level", "a buurt or wijk code", text)
        if level in ("buurt", "wijk") and "GM" + text[2:6] != gemeente:
            raise _bad(w, "plan area outside the gemeente", f"an area of {gemeente}", text)
        if (level, text) in out:
            raise _bad(w, "plan area listed twice", "each area once", text)
        out.append((level, text))
    return tuple(out)


def _events(raw: object, start_year: int, horizon: int, gemeente: str) -> tuple[PlanEvent, ...]:
    if not isinstance(raw, list):
        raise _bad("events", "invalid value", "a list of tables [[events]]", type(raw).__name__)
    first, last = start_year, start_year + horizon - 1
    out: list[PlanEvent] = []
    for i, item in enumerate(raw):
        w = f"events[{i}]"
        d = dict(_table(item, w))
        calendar = d.get("year")
        for key in ("year", "completion_year"):
            if key not in d:
                if key == "year":
                    raise _bad(f"{w}.year", "missing key", "year = a calendar year", None)
                continue
            v = d[key]
            if not _is_int(v):
                raise _bad(f"{w}.{key}", "invalid value", "a calendar year (e.g. 2022)", v)
            lo = cast(int, calendar) if key == "completion_year" else first
            if not lo <= v <= last:
                raise _bad(
                    f"{w}.{key}",
                    "year outside the run",
                    f"a calendar year from {lo} to {last} (start_year {start_year}, "
                    f"horizon {horizon})",
                    v,
                    hint="years in a scenario are calendar years, not simulated years",
                )
            d[key] = v - start_year + 1
        ev = PlanEvent.from_dict(d, field=w)
        if ev.area_level in ("buurt", "wijk", "gemeente"):
            code = ev.area_code
            gm = code if code.startswith("GM") else "GM" + code[2:6]
            if gm != gemeente:
                raise _bad(
                    f"{w}.area_code", "event outside the gemeente", f"an area of {gemeente}", code
                )
        out.append(ev)
    return tuple(out)


def _outcomes(raw: object, scenario: Scenario) -> tuple[OutcomeSettings, WaterbedSpec]:
    d = _table(raw, "outcomes")
    _keys(d, "outcomes", _OUTCOME_KEYS)
    levels: tuple[str, ...] | None = None
    if "levels" in d:
        lv = d["levels"]
        if (
            not isinstance(lv, list)
            or not lv
            or any(x not in REPORT_LEVELS for x in lv)
            or len(set(lv)) != len(lv)
        ):
            raise _bad(
                "outcomes.levels",
                "invalid levels",
                "a list of distinct levels among " + ", ".join(REPORT_LEVELS),
                lv,
            )
        levels = tuple(x for x in REPORT_LEVELS if x in lv)
        missing = [lvl for lvl, _ in scenario.plan_areas if lvl not in levels]
        if missing:
            raise _bad(
                "outcomes.levels",
                "level of a plan area not recorded",
                "the levels of every plan area among the levels",
                ", ".join(sorted(set(missing))),
            )
    default_low = legal_for_year(scenario.start_year).daeb_income_limit_single
    low, high = default_low, None
    for key in ("income_low", "income_high"):
        if key in d:
            v = d[key]
            if not _is_number(v) or v < 0:
                raise _bad(f"outcomes.{key}", "invalid value", "a yearly income in euro", v)
            if key == "income_low":
                low = float(v)
            else:
                high = float(v)
    if high is None:
        high = HIGH_INCOME_FACTOR * low
    if high < low:
        raise _bad(
            "outcomes.income_high",
            "income thresholds out of order",
            f"at least income_low ({low:g})",
            high,
        )
    target = None
    if "social_rent_target" in d:
        v = d["social_rent_target"]
        if not _is_number(v) or not 0 <= v <= 1:
            raise _bad(
                "outcomes.social_rent_target", "invalid value", "a share from 0 to 1 (0.30)", v
            )
        target = float(v)
    index = True
    if "index_incomes" in d:
        if not isinstance(d["index_incomes"], bool):
            raise _bad(
                "outcomes.index_incomes", "invalid value", "true or false", d["index_incomes"]
            )
        index = d["index_incomes"]
    settings = _default_outcomes(scenario, low, high, levels, target, index)
    spec = WaterbedSpec()
    if "waterbed" in d:
        wb = _table(d["waterbed"], "outcomes.waterbed")
        _keys(wb, "outcomes.waterbed", _WATERBED_KEYS)
        level = wb.get("level", spec.level)
        if level not in settings.levels:
            raise _bad(
                "outcomes.waterbed.level",
                "level not recorded",
                "one of the recorded levels " + ", ".join(settings.levels),
                level,
            )
        variable = wb.get("variable", spec.variable)
        if variable not in VARIABLES:
            raise _bad(
                "outcomes.waterbed.variable",
                "unknown variable",
                "one of " + ", ".join(VARIABLES),
                variable,
            )
        category = wb.get("category", VARIABLES[variable][0] if "variable" in wb else spec.category)
        if category not in VARIABLES[variable]:
            raise _bad(
                "outcomes.waterbed.category",
                "unknown category",
                f"a category of {variable}: " + ", ".join(VARIABLES[variable]),
                category,
            )
        measure = wb.get("measure", spec.measure)
        if measure not in ("households", "share"):
            raise _bad(
                "outcomes.waterbed.measure", "unknown measure", "households or share", measure
            )
        spec = WaterbedSpec(level=level, variable=variable, category=category, measure=measure)
    return settings, spec


def _parse(data: Mapping[str, Any], stem: str) -> Scenario:
    _keys(data, None, TOP_LEVEL_KEYS)
    name = _text_field(data, "name", stem).strip()
    if not name:
        raise _bad("name", "empty name", "a short name", name)
    description = _text_field(data, "description", "").strip()
    gemeente = parse_code(
        _text_field(data, "gemeente", None), level="gemeente", where=Location(field="gemeente")
    ).code
    start_year = _int_field(data, "start_year", lo=YEARS[0], hi=2200, default=None)
    horizon = _int_field(data, "horizon", lo=1, hi=_MAX_HORIZON, default=20)
    params = SimParams.from_dict(data.get("params", {}), field="params")
    plan_areas = _plan_areas(data.get("plan_areas", []), gemeente)
    events = _events(data.get("events", []), start_year, horizon, gemeente)
    baseline_rules = AllocationRules()
    if "baseline" in data:
        b = _table(data["baseline"], "baseline")
        _keys(b, "baseline", ("allocation",))
        if "allocation" in b:
            baseline_rules = AllocationRules.from_dict(b["allocation"], field="baseline.allocation")
    rules = (
        AllocationRules.from_dict(data["allocation"], field="allocation")
        if "allocation" in data
        else baseline_rules
    )
    scenario = Scenario(
        name=name,
        gemeente=gemeente,
        start_year=start_year,
        horizon=horizon,
        events=events,
        rules=rules,
        params=params,
        plan_areas=plan_areas,
        description=description,
        baseline_rules=baseline_rules,
    )
    if "outcomes" in data:
        settings, spec = _outcomes(data["outcomes"], scenario)
        scenario = dataclasses.replace(scenario, outcomes=settings, waterbed=spec)
    else:
        scenario = dataclasses.replace(scenario, outcomes=scenario.outcome_settings())
    notes = scenario.check()
    return dataclasses.replace(scenario, notes=notes)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (TOML; see ``docs/scenario.md``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Scenario
        With :attr:`Scenario.source`, :attr:`Scenario.sha256` and the notes of
        :meth:`Scenario.check`.

    Raises
    ------
    InputError
        If the file is missing or not valid TOML, or a field is missing,
        unknown or invalid, or a rule goes beyond the law of a year of the
        run; the message names the file and the dotted field
        (``baseline.toml, field 'events[2].year'``).
    """
    p = Path(path)
    shown = str(path)
    if not p.is_file():
        raise InputError(
            "scenario file not found",
            where=Location(file=shown),
            expected="an existing TOML file",
            found=shown,
        )
    raw = p.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(
            "scenario file is not UTF-8 text",
            where=Location(file=shown),
            expected="a TOML file in UTF-8",
            found=str(e),
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(
            "invalid TOML",
            where=Location(file=shown),
            expected="a valid TOML file",
            found=str(e),
            hint='texts need quotes (codes too: gemeente = "GM0518")',
        ) from None
    try:
        scenario = _parse(data, p.stem)
    except InputError as e:
        raise _in_file(e, shown) from None
    return dataclasses.replace(scenario, source=shown, sha256=hashlib.sha256(raw).hexdigest())
