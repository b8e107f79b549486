"""Tests of scenario files (wijkmix.sim.scenario) and the step-parameter composition.

Expected values are written out by hand: calendar years are converted to
simulated years as ``year - start_year + 1``; the DAEB income limit for one
person in 2020 is € 39 055 (BZK, Inkomens- en huurprijsgrenzen 2020) and in
2025 € 49 669 (DESIGN §8).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wijkmix.errors import InputError
from wijkmix.sim.allocation import AllocationRules
from wijkmix.sim.params import STEPS, SimParams
from wijkmix.sim.scenario import (
    TOP_LEVEL_KEYS,
    Scenario,
    legal_for_year,
    load_scenario,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "scenarios"
DOCS = ROOT / "docs" / "scenario.md"
EXAMPLE_NAMES = (
    "baseline",
    "herstructurering_bouwen_eerst",
    "herstructurering_slopen_eerst",
    "lokale_binding_50",
    "wbmgp_artikel8",
)

MINIMAL = """
name = "t"
gemeente = "GM0518"
start_year = 2020
horizon = 5
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --------------------------------------------------------------------------
# the examples
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_loads(name: str) -> None:
    s = load_scenario(EXAMPLES / f"{name}.toml")
    assert s.name == name
    assert s.gemeente == "GM0518"
    assert (s.start_year, s.horizon) == (2020, 20)
    assert s.sha256 is not None and len(s.sha256) == 64
    assert s.plan_areas, "every example reports on plan areas"
    # the law is known until 2025: the later years are noted
    assert any("2026–2039" in n and "2025" in n for n in s.notes)


def test_example_directory_holds_exactly_the_documented_examples() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.toml")) == sorted(EXAMPLE_NAMES)


def _construction_and_demolition(s: Scenario) -> tuple[dict[str, list[int]], list[tuple[str, int]]]:
    done: dict[str, list[int]] = {}
    demolished: list[tuple[str, int]] = []
    for ev in s.events:
        if ev.kind == "new_construction":
            assert ev.area_level == "buurt" and ev.completion_year is not None
            done.setdefault(ev.area_code, []).append(ev.completion_year)
        elif ev.kind == "demolition":
            assert ev.area_level == "complex"
            demolished.append((ev.area_code[:10], ev.year))
    return done, demolished


def test_restructuring_variants_differ_only_in_timing() -> None:
    build = load_scenario(EXAMPLES / "herstructurering_bouwen_eerst.toml")
    demolish = load_scenario(EXAMPLES / "herstructurering_slopen_eerst.toml")
    db, kb = _construction_and_demolition(build)
    dd, kd = _construction_and_demolition(demolish)
    # the same complexes in the same years, the same number of new dwellings
    assert kb == kd and len(kb) == 25
    n_new = [
        sum(e.dwellings or 0 for e in s.events if e.kind == "new_construction")
        for s in (build, demolish)
    ]
    assert n_new == [3714, 3714]
    # demolition in simulated years 2..8 (calendar 2021..2027)
    assert {y for _, y in kb} == set(range(2, 9))
    # build first: every buurt with a demolition in year y has a completion in year y;
    # demolish first: the first completion in a buurt comes 2 years after its first demolition
    for buurt, year in kb:
        assert year in db[buurt]
        assert year + 2 in dd[buurt] and min(dd[buurt]) > min(y for b, y in kb if b == buurt)
    assert build.rules == demolish.rules == AllocationRules(return_scope="buurt")
    assert build.baseline_rules == AllocationRules()


def test_wbmgp_example_designates_three_buurten_four_plus_four_years() -> None:
    s = load_scenario(EXAMPLES / "wbmgp_artikel8.toml")
    a8 = s.rules.article8
    assert [a.code for a in a8] == ["BU05182915", "BU05182916", "BU05182917"]
    assert all(
        (a.start_year, a.years, a.extended_years, a.last_year) == (2021, 4, 4, 2028) for a in a8
    )
    assert s.baseline().rules.article8 == ()


def test_local_ties_example_is_half_the_supply_for_the_region() -> None:
    s = load_scenario(EXAMPLES / "lokale_binding_50.toml")
    assert (s.rules.local_tie_share, s.rules.local_tie_scope) == (0.5, "regio")
    assert s.baseline_rules.local_tie_share == 0.0


def test_documented_example_loads(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"## A complete example\s+```toml\n(.*?)```", text, re.S)
    assert block is not None
    s = load_scenario(write(tmp_path, block.group(1)))
    assert [e.kind for e in s.events] == ["new_construction", "demolition"]
    assert (s.events[0].year, s.events[0].completion_year, s.events[1].year) == (1, 2, 2)
    assert s.params.moves.max_seek_years == 4
    assert s.rules.return_scope == "buurt"


def test_docs_name_every_field() -> None:
    from wijkmix.sim.allocation import _DESIGNATION_KEYS, _PROFILE_KEYS, _RULE_KEYS
    from wijkmix.sim.events import _KIND_KEYS, _MIX_KEYS
    from wijkmix.sim.scenario import _OUTCOME_KEYS, _WATERBED_KEYS

    text = DOCS.read_text(encoding="utf-8")
    keys = {
        *TOP_LEVEL_KEYS,
        *_RULE_KEYS,
        *_DESIGNATION_KEYS,
        *_PROFILE_KEYS,
        *(k for ks in _KIND_KEYS.values() for k in ks),
        *_MIX_KEYS,
        *_OUTCOME_KEYS,
        *_WATERBED_KEYS,
        *STEPS,
        "kind",
        "year",
        "area_level",
        "area_code",
        "refuse_share",
        "profile",
    }
    params = SimParams.default().to_dict()
    for step in STEPS:
        keys |= set(params[step]) - {"sources"}
    missing = sorted(k for k in keys if not re.search(rf"(?<![A-Za-z_]){k}(?![A-Za-z_])", text))
    assert missing == []


# --------------------------------------------------------------------------
# reading: years, areas, defaults
# --------------------------------------------------------------------------
def test_calendar_years_become_simulated_years(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        MINIMAL
        + """
[[events]]
kind = "new_construction"
year = 2022
completion_year = 2024
area_level = "wijk"
area_code = "WK051836"
dwellings = 10
owner = "corporatie"
segment = "sociale_huur"
""",
    )
    s = load_scenario(p)
    ev = s.events[0]
    assert (ev.year, ev.completion_year) == (3, 5)
    assert s.events_of(3) == (ev,) and s.events_of(2) == ()
    assert s.calendar_year(3) == 2022


def test_plan_areas_text_and_tables(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        MINIMAL.replace(
            "horizon = 5",
            'horizon = 5\nplan_areas = ["wk051836", {level = "complex", code = "BU05183637-C019"}]',
        ),
    )
    s = load_scenario(p)
    assert s.plan_areas == (("wijk", "WK051836"), ("complex", "BU05183637-C019"))
    # the complex level is recorded because a plan area has it
    assert s.outcome_settings().levels == ("complex", "buurt", "wijk", "gemeente")


def test_default_outcome_settings_follow_the_law_and_income_growth(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, MINIMAL))
    o = s.outcome_settings()
    assert (o.income_low, o.income_high) == (39055.0, 78110.0)
    low3, high3 = o.thresholds(3)
    assert low3 == pytest.approx(39055 * 1.025**3)
    assert high3 == pytest.approx(78110 * 1.025**3)
    assert o.social_rent_target == 0.30


def test_outcome_table_overrides(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        MINIMAL
        + """
[outcomes]
income_low = 30000
index_incomes = false
social_rent_target = 0.25
[outcomes.waterbed]
variable = "vulnerable"
category = "ja"
measure = "share"
""",
    )
    s = load_scenario(p)
    o = s.outcome_settings()
    assert (o.income_low, o.income_high, o.thresholds(4)) == (30000.0, 60000.0, (30000.0, 60000.0))
    assert o.social_rent_target == 0.25
    assert (s.waterbed.variable, s.waterbed.category, s.waterbed.measure) == (
        "vulnerable",
        "ja",
        "share",
    )


def test_legal_parameters_after_the_table_are_indexed_incomes_only() -> None:
    base = legal_for_year(2025)
    later = legal_for_year(2028, income_growth=0.02)
    assert later.year == 2025
    assert later.daeb_income_limit_single == pytest.approx(49669 * 1.02**3)
    assert later.passend_income_limit_multi == pytest.approx(
        base.passend_income_limit_multi * 1.02**3
    )
    # rents do not grow in the simulation: rent limits stay
    assert later.liberalisation_limit == base.liberalisation_limit
    assert later.passend_cap_small == base.passend_cap_small
    with pytest.raises(InputError, match="start_year"):
        legal_for_year(2018)


# --------------------------------------------------------------------------
# without the plan
# --------------------------------------------------------------------------
def test_baseline_drops_events_and_plan_rules(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        MINIMAL
        + """
[[events]]
kind = "demolition"
year = 2021
area_level = "wijk"
area_code = "WK051836"
share = 0.1

[allocation]
lottery_share = 0.3

[baseline.allocation]
lottery_share = 0.2

[params.moves]
max_seek_years = 3
""",
    )
    s = load_scenario(p)
    b = s.baseline()
    assert s.has_plan and not b.has_plan and b.is_baseline
    assert b.events == ()
    assert (s.rules.lottery_share, b.rules.lottery_share) == (0.3, 0.2)
    assert b.params == s.params and b.params.moves.max_seek_years == 3
    assert (b.start_year, b.horizon, b.plan_areas) == (s.start_year, s.horizon, s.plan_areas)
    assert b.outcome_settings() == s.outcome_settings()


def test_plan_without_allocation_table_uses_the_baseline_rules(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, MINIMAL + "\n[baseline.allocation]\nlottery_share = 0.2\n"))
    assert s.rules == s.baseline_rules == AllocationRules(lottery_share=0.2)
    assert not s.has_plan


# --------------------------------------------------------------------------
# errors name the file and the field
# --------------------------------------------------------------------------
_EVENT = """
[[events]]
kind = "demolition"
year = {year}
area_level = "wijk"
area_code = "WK051836"
"""


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (_EVENT.format(year=2021) * 2 + _EVENT.format(year=2041), r"events\[2\]\.year"),
        (_EVENT.format(year=2019), r"events\[0\]\.year"),
        (_EVENT.format(year='"2021"'), r"events\[0\]\.year"),
        (_EVENT.format(year=2021).replace('"WK051836"', '"WK036301"'), r"events\[0\]\.area_code"),
        (_EVENT.format(year=2021) + "shares = 0.5\n", r"events\[0\]\.shares"),
        ("\n[params.movse]\nbase_rate = 0.1\n", r"params\.movse"),
        ("\n[params.moves]\nbase_rat = 0.1\n", r"params\.moves\.base_rat"),
        ("\n[allocation]\nlottery_share = 1.5\n", r"allocation\.lottery_share"),
        ("\n[outcomes]\nlevels = ['buurt', 'land']\n", r"outcomes\.levels"),
        ("\n[outcomes.waterbed]\ncategory = 'rijk'\n", r"outcomes\.waterbed\.category"),
    ],
)
def test_bad_field_names_file_and_field(tmp_path: Path, extra: str, field: str) -> None:
    p = write(tmp_path, MINIMAL + extra, "baseline.toml")
    with pytest.raises(InputError, match=rf"baseline\.toml, field '{field}'"):
        load_scenario(p)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('name = "x"\nstart_year = 2020\n', "gemeente"),
        ('gemeente = "GM0518"\n', "start_year"),
        ('gemeente = "GM0518"\nstart_year = 2020\nhorizon = 0\n', "horizon"),
        ("gemeente = 518\nstart_year = 2020\n", "gemeente"),
        ('gemeente = "GM0518"\nstart_year = 2020\nseed = 3\n', "seed"),
        ('gemeente = "GM0518"\nstart_year = 2020\nplan_areas = ["WK036301"]\n', r"plan_areas\[0\]"),
        ('gemeente = "GM0518"\nstart_year = 2020\nplan_areas = ["GM0518"]\n', r"plan_areas\[0\]"),
    ],
)
def test_bad_top_level_field(tmp_path: Path, text: str, field: str) -> None:
    p = write(tmp_path, text, "s.toml")
    with pytest.raises(InputError, match=rf"s\.toml, field '{field}'"):
        load_scenario(p)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"invalid TOML in .*broken\.toml"):
        load_scenario(write(tmp_path, "gemeente = GM0518\n", "broken.toml"))
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.toml")


# --------------------------------------------------------------------------
# rules beyond the law
# --------------------------------------------------------------------------
def test_local_ties_to_the_municipality_above_25_percent_rejected_before_2024(
    tmp_path: Path,
) -> None:
    rule = "\n[allocation]\nlocal_tie_share = 0.5\n"
    with pytest.raises(
        InputError, match=r"s\.toml, field 'allocation\.local_tie_share'.*at most 25%"
    ):
        load_scenario(write(tmp_path, MINIMAL + rule, "s.toml"))
    # from 2024 the Huisvestingswet allows 50 % in total
    later = MINIMAL.replace("start_year = 2020", "start_year = 2024")
    assert load_scenario(write(tmp_path, later + rule, "s.toml")).rules.local_tie_share == 0.5
    # and above 50 % never
    with pytest.raises(InputError, match=r"allocation\.local_tie_share"):
        load_scenario(write(tmp_path, later + rule.replace("0.5", "0.6"), "s.toml"))


def test_a_rule_legal_in_one_year_of_the_run_but_not_another_is_rejected(tmp_path: Path) -> None:
    # crucial professions only from 2024: a run 2022-2026 contains 2022 and 2023
    text = MINIMAL.replace("start_year = 2020", "start_year = 2022") + (
        "\n[allocation]\ncrucial_share = 0.1\n"
    )
    with pytest.raises(InputError, match=r"field 'allocation\.crucial_share'.*2022"):
        load_scenario(write(tmp_path, text, "s.toml"))


def test_wbmgp_designation_beyond_four_years_rejected(tmp_path: Path) -> None:
    text = MINIMAL + (
        "\n[[allocation.article8]]\nlevel = 'buurt'\ncode = 'BU05182915'\n"
        "start_year = 2021\nyears = 5\n"
    )
    with pytest.raises(InputError, match=r"field 'allocation\.article8\[0\]\.years'"):
        load_scenario(write(tmp_path, text, "s.toml"))


def test_baseline_rules_are_checked_too(tmp_path: Path) -> None:
    text = MINIMAL + "\n[baseline.allocation]\nlocal_tie_share = 0.4\n"
    with pytest.raises(InputError, match=r"field 'baseline\.allocation\.local_tie_share'"):
        load_scenario(write(tmp_path, text, "s.toml"))


# --------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------
def test_sim_params_from_dict() -> None:
    p = SimParams.from_dict({"moves": {"max_seek_years": 2}, "market": {"homophily": 0.0}})
    d = SimParams.default()
    assert p.moves.max_seek_years == 2 and p.market.homophily == 0.0
    assert p.demography == d.demography and p.events == d.events
    with pytest.raises(InputError, match=r"field 'params\.markt'"):
        SimParams.from_dict({"markt": {}})
    with pytest.raises(InputError, match=r"field 'params\.moves'"):
        SimParams.from_dict({"moves": 3})
    plain = p.to_dict()
    assert plain["moves"]["max_seek_years"] == 2 and set(plain) == set(STEPS)


# --------------------------------------------------------------------------
# the Den Haag examples fit the demo population
# --------------------------------------------------------------------------
def test_example_areas_exist_in_the_demo_population() -> None:
    from wijkmix.datasets import demo_files
    from wijkmix.io.cbs_kwb import import_kwb
    from wijkmix.store import open_store
    from wijkmix.workflows import synthesize

    store = open_store(":memory:")
    files = demo_files("GM0518")
    import_kwb(store, files.kwb, gemeente=files.gemeente)
    synthesize(store, "GM0518")  # the demo's seed
    d = store.read("dwellings")
    codes = {
        "buurt": set(d["buurt_code"]),
        "wijk": set(d["wijk_code"]),
        "gemeente": set(d["gemeente_code"]),
        "complex": set(d["complex_code"]),
    }
    for name in EXAMPLE_NAMES:
        s = load_scenario(EXAMPLES / f"{name}.toml")
        for level, code in s.plan_areas:
            assert code in codes[level], (name, code)
        for ev in s.events:
            assert ev.area_code in codes[ev.area_level], (name, ev.where, ev.area_code)
        for a in s.rules.article8:
            assert a.code in codes[a.level]
    # the demolished complexes hold 2 857 corporation dwellings, 39 % of Moerwijk's 7 277
    s = load_scenario(EXAMPLES / "herstructurering_bouwen_eerst.toml")
    cx = {e.area_code for e in s.events if e.kind == "demolition"}
    corp = d[d["owner"] == "corporatie"]
    assert int(corp["complex_code"].isin(cx).sum()) == 2857
    assert int((corp["wijk_code"] == "WK051836").sum()) == 7277
