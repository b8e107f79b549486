"""Precision checks: every registered rule fires on a flaw and stays quiet on a near miss."""

import json
import tomllib
from pathlib import Path

import pytest

from wijkmix.errors import InputError
from wijkmix.plan import (
    RULES,
    CheckReport,
    Finding,
    check_plan,
    load_plan,
    plan_from_dict,
    reachable_social_share,
    rule,
)
from wijkmix.plan import checks as checks_mod
from wijkmix.plan.checks import CheckContext

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "examples" / "plans" / "herstructurering_goed.toml"
FLAWED = ROOT / "examples" / "plans" / "herstructurering_gebrekkig.toml"
GOOD_TEXT = GOOD.read_text(encoding="utf-8")


def good() -> dict:
    return tomllib.loads(GOOD_TEXT)


def idx(d: dict, ident: str) -> int:
    return next(i for i, m in enumerate(d["measures"]) if m["id"] == ident)


def meas(d: dict, ident: str) -> dict:
    return d["measures"][idx(d, ident)]


def goal_idx(d: dict, ident: str) -> int:
    return next(i for i, g in enumerate(d["goals"]) if g["id"] == ident)


def run(d: dict, **kw) -> CheckReport:
    return check_plan(plan_from_dict(d), **kw)


# --- hand-computed figures of the good plan (KWB 2019, WK051833) ---------------------------
D0, S0 = 12741, 7899  # dwellings; 62 % corporation stock = round(0.62 * 12741)
DEMOLISHED = 1200 + 700 + 1260  # = 3160 = 40 % of S0
NEW = 1560 + 910 + 1638  # = 4108 = 1.3 x 3160
SOLD = 300
REACH_2030 = 100 * (S0 - DEMOLISHED + 0.30 * NEW - SOLD) / (D0 - DEMOLISHED + NEW)


# --- one flaw per rule, and a near miss that must stay quiet -------------------------------
def _p001(d):
    meas(d, "winkelplinten")["goals"] = []
    return f"measures[{idx(d, 'winkelplinten')}].goals"


def _p001_quiet(d):  # one goal is enough
    meas(d, "winkelplinten")["goals"] = ["leegstand_plinten"]


def _p002(d):
    d["goals"].append(
        {
            "id": "tevredenheid",
            "indicator": "satisfaction",
            "level": "wijk",
            "area": "WK051833",
            "baseline": {"value": 6.1, "year": 2021, "source": "enquête"},
            "target": 7.0,
            "target_year": 2030,
            "direction": "omhoog",
        }
    )
    return f"goals[{len(d['goals']) - 1}]"


def _p002_quiet(d):
    _p002(d)
    meas(d, "wijkfonds")["goals"].append("tevredenheid")


def _p003(d):  # flanked only by an allocation measure: no social or economic flanking
    meas(d, "sloop_dg1")["flanking"] = ["terugkeerrecht"]
    return f"measures[{idx(d, 'sloop_dg1')}].flanking"


def _p003_quiet(d):  # one economic measure is enough
    meas(d, "sloop_dg1")["flanking"] = ["terugkeerrecht", "winkelplinten"]


def _p004(d):  # phase-1 replacement delivered in 2023, demolition starts 2022
    meas(d, "nieuwbouw_dg1")["years"] = [2020, 2023]
    return f"measures[{idx(d, 'sloop_dg1')}].years"


def _p004_quiet(d):  # replacement equals the demolition, delivered in its start year
    meas(d, "nieuwbouw_dg1")["quantities"]["dwellings"] = 1200
    meas(d, "nieuwbouw_dg2")["quantities"]["dwellings"] = 700


def _p005(d):  # 30 % local ties already in 2022-2023, when at most 25 % was allowed
    meas(d, "lokale_binding")["years"] = [2022, 2031]
    return f"measures[{idx(d, 'lokale_binding')}].quantities.share"


def _p005_quiet(d):  # exactly 50 % from 2024
    meas(d, "lokale_binding")["quantities"]["share"] = 0.5


def _p006(d):  # 40 % is below the reachable 41.4 %
    d["goals"][goal_idx(d, "corporatiebezit")]["target"] = 40.0
    return f"goals[{goal_idx(d, 'corporatiebezit')}].target"


def _p006_quiet(d):  # 41.5 % is just above the reachable 41.43 %
    d["goals"][goal_idx(d, "corporatiebezit")]["target"] = 41.5


def _p007(d):
    for g in d["goals"]:
        if g["indicator"].startswith(("displacement", "waterbed")):
            g["indicator"] = "x_" + g["indicator"]
    return "goals"


def _p007_quiet(d):  # one Dutch-named displacement indicator is enough
    _p007(d)
    d["goals"][goal_idx(d, "verdringing")]["indicator"] = "verdringing_buiten_zuidwest"


def _p008(d):
    next(p for p in d["parties"] if p["kind"] == "bewoners")["kind"] = "overig"
    return "parties"


def _p008_quiet(d):  # residents under another id still count
    _p008(d)
    next(p for p in d["parties"] if p["id"] == "ondernemers")["kind"] = "bewoners"


def _p009(d):
    del d["routekaart"]["verrichten"][1]["owner"]
    return "routekaart.verrichten[1].owner"


def _p009_quiet(d):
    d["routekaart"]["verrichten"][1]["owner"] = "bewoners"


def _p010(d):  # three measures without goals
    for ident in ("wijkfonds", "sleutelfiguren", "ontmoetingsplek"):
        meas(d, ident)["goals"] = []
    return "measures"


def _p010_quiet(d):  # two are not yet 'many'
    for ident in ("wijkfonds", "sleutelfiguren"):
        meas(d, ident)["goals"] = []


def _p011(d):
    meas(d, "nieuwbouw_dg2")["instrument"] = "nieuwbouww"
    return f"measures[{idx(d, 'nieuwbouw_dg2')}].instrument"


def _p011_quiet(d):
    meas(d, "nieuwbouw_dg2")["instrument"] = "verdichting"


def _p012(d):
    meas(d, "winkelplinten")["simulated"] = True
    return f"measures[{idx(d, 'winkelplinten')}].simulated"


def _p012_quiet(d):  # an allocation instrument with a model may be simulated
    meas(d, "spreiding")["simulated"] = True
    meas(d, "winkelplinten")["simulated"] = False


def _p013(d):  # contributions -2-4-6-1 = -13 do not reach 45 - 62 = -17
    meas(d, "sloop_dg1")["expected"][0]["contribution"] = -2.0
    return f"goals[{goal_idx(d, 'corporatiebezit')}]"


def _p013_quiet(d):  # -6-4-6-1 = -17 exactly
    meas(d, "sloop_dg1")["expected"][0]["contribution"] = -6.0


def _p014(d):  # the plan runs 2020-2035
    meas(d, "winkelplinten")["years"] = [2023, 2036]
    return f"measures[{idx(d, 'winkelplinten')}].years"


def _p014_quiet(d):
    meas(d, "winkelplinten")["years"] = [2020, 2035]


def _p015(d):
    meas(d, "sloop_dg2")["quantities"] = {}
    return f"measures[{idx(d, 'sloop_dg2')}].quantities"


def _p015_quiet(d):  # a share of the stock is a quantity too
    meas(d, "sloop_dg2")["quantities"] = {"share": 0.224}


FIRE = {
    "P001": _p001,
    "P002": _p002,
    "P003": _p003,
    "P004": _p004,
    "P005": _p005,
    "P006": _p006,
    "P007": _p007,
    "P008": _p008,
    "P009": _p009,
    "P010": _p010,
    "P011": _p011,
    "P012": _p012,
    "P013": _p013,
    "P014": _p014,
    "P015": _p015,
}
QUIET = {
    "P001": _p001_quiet,
    "P002": _p002_quiet,
    "P003": _p003_quiet,
    "P004": _p004_quiet,
    "P005": _p005_quiet,
    "P006": _p006_quiet,
    "P007": _p007_quiet,
    "P008": _p008_quiet,
    "P009": _p009_quiet,
    "P010": _p010_quiet,
    "P011": _p011_quiet,
    "P012": _p012_quiet,
    "P013": _p013_quiet,
    "P014": _p014_quiet,
    "P015": _p015_quiet,
}


def test_every_registered_rule_has_a_firing_and_a_quiet_test():
    assert set(FIRE) == set(RULES), "a registered rule without tests"
    assert set(QUIET) == set(RULES), "a registered rule without a quiet test"


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_fires(code):
    d = good()
    field = FIRE[code](d)
    report = run(d)
    mine = [f for f in report.findings if f.code == code]
    assert mine, f"{code} did not fire"
    assert field in {f.field for f in mine}
    for f in mine:
        assert f.message.startswith(f.field + ": ")
        assert f.severity == RULES[code].severity and f.title == RULES[code].title
        assert f.hint


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_stays_quiet_on_a_near_miss(code):
    d = good()
    QUIET[code](d)
    report = run(d)
    assert code not in report.codes, [f.message for f in report.findings if f.code == code]


# --- the example plans --------------------------------------------------------------------
def test_good_plan_has_no_findings():
    report = check_plan(load_plan(GOOD))
    assert report.findings == ()
    assert report.exit_code == 0
    assert dict(report.counts) == {"fout": 0, "waarschuwing": 0}
    assert report.rules == tuple(sorted(RULES))


def test_flawed_plan_breaks_every_rule():
    report = check_plan(load_plan(FLAWED))
    assert report.codes == set(RULES)
    assert report.exit_code == 2
    n_err = sum(RULES[f.code].severity == "fout" for f in report.findings)
    assert report.counts["fout"] == n_err
    assert report.counts["waarschuwing"] == len(report.findings) - n_err


# --- figures behind the rules -------------------------------------------------------------
def test_reachable_social_share_of_the_good_plan_by_hand():
    plan = load_plan(GOOD)
    ctx = CheckContext(plan=plan, stock=plan.plan.stock)
    s0, d0, s, d = reachable_social_share(ctx, "WK051833", 2030)
    assert (s0, d0) == (S0, D0)
    assert d == pytest.approx(D0 - DEMOLISHED + NEW)
    assert 100 * s / d == pytest.approx(REACH_2030)
    assert round(REACH_2030, 2) == 41.43


def test_reachable_share_counts_measures_under_way_pro_rata():
    plan = load_plan(GOOD)
    ctx = CheckContext(plan=plan, stock=plan.plan.stock)
    _, _, s, d = reachable_social_share(ctx, "WK051833", 2023)
    # by 2023: nieuwbouw_dg1 (2020-22) and nieuwbouw_zsz (2021-23) delivered; sloop_dg1
    # (2022-24) two of three years; verkoop (2022-30) two of nine years.
    demolished = 1200 * 2 / 3
    new = 1560 + 1638
    sold = 300 * 2 / 9
    assert d == pytest.approx(D0 - demolished + new)
    assert s == pytest.approx(S0 - demolished + 0.3 * new - sold)


def test_reachable_share_of_a_buurt_uses_only_its_measures():
    plan = load_plan(GOOD)
    ctx = CheckContext(plan=plan, stock=plan.plan.stock)
    _, _, s, d = reachable_social_share(ctx, "BU05183396", 2030)
    assert d == pytest.approx(3563 - 1260 + 1638)
    assert s == pytest.approx(2245 - 1260 + 0.3 * 1638)
    assert reachable_social_share(ctx, "WK051834", 2030) is None


def test_p006_message_gives_the_reachable_share():
    d = good()
    _p006(d)
    (f,) = [f for f in run(d).findings if f.code == "P006"]
    assert f"{REACH_2030:.1f}".replace(".", ",") + " %" in f.message
    assert "7.899 van 12.741" in f.message


def test_p006_needs_a_stock_and_takes_it_from_the_caller():
    d = good()
    _p006(d)
    del d["plan"]["stock"]
    assert "P006" not in run(d).codes
    stock = {"WK051833": {"dwellings": D0, "social_rent": S0}}
    assert "P006" in run(d, stock=stock).codes
    # the plan's own figures win over the caller's
    d2 = good()
    _p006(d2)
    tiny = {"WK051833": {"dwellings": D0, "social_rent": 1000}}
    assert "P006" in run(d2, stock=tiny).codes


def test_invalid_stock_argument_is_an_input_error():
    plan = load_plan(GOOD)
    with pytest.raises(InputError, match=r"stock\['WK051833'\]"):
        check_plan(plan, stock={"WK051833": {"dwellings": 5, "social_rent": 9}})
    with pytest.raises(InputError, match="invalid area code"):
        check_plan(plan, stock={"WK05": {"dwellings": 5, "social_rent": 1}})
    with pytest.raises(InputError, match="invalid stock"):
        check_plan(plan, stock=[1, 2])  # type: ignore[arg-type]


def test_p004_is_cumulative_over_phases():
    d = good()
    # phase 1 is covered (1560 >= 1200), but phase 2 of 2026 needs 1900 in total and
    # only 1560 are delivered when nieuwbouw_dg2 slips to 2027.
    meas(d, "nieuwbouw_dg2")["years"] = [2024, 2027]
    hits = [f for f in run(d).findings if f.code == "P004"]
    assert [f.field for f in hits] == [f"measures[{idx(d, 'sloop_dg2')}].years"]
    assert "1.900 woningen gesloopt" in hits[0].message
    assert "pas 1.560 vervangende" in hits[0].message


def test_p004_follows_replaced_by_and_skips_deliberate_non_replacement():
    d = good()
    # demolition in De Uithof with replacement elsewhere, delivered in time
    d["measures"].append({
        "id": "sloop_uithof", "instrument": "sloop", "party": "corporatie", "level": "buurt",
        "area": "BU05183399", "years": [2024, 2025], "quantities": {"dwellings": 100},
        "goals": ["corporatiebezit"], "flanking": ["sociaal_plan"],
        "replaced_by": ["nieuwbouw_zsz"],
    })  # fmt: skip
    assert "P004" not in run(d).codes
    meas(d, "sloop_uithof")["replaced_by"] = []
    assert "P004" not in run(d).codes
    del meas(d, "sloop_uithof")["replaced_by"]  # no construction in De Uithof itself
    (f,) = [f for f in run(d).findings if f.code == "P004"]
    assert f.field == f"measures[{idx(d, 'sloop_uithof')}].years"
    assert "vervanging en opleverjaar: geen" in f.message


def test_p005_reports_the_years_beyond_the_law():
    d = good()
    _p005(d)
    (f,) = [f for f in run(d).findings if f.code == "P005"]
    assert "in 2022–2023:" in f.message and "30 %" in f.message and "25 %" in f.message


def test_p005_sums_priority_over_overlapping_areas():
    d = good()
    d["measures"].append({
        "id": "cruciaal", "instrument": "cruciale_beroepen", "party": "gemeente",
        "level": "gemeente", "area": "GM0518", "years": [2030, 2033],
        "quantities": {"share": 0.25}, "goals": ["verdringing"],
    })  # fmt: skip
    # 30 % ties in the wijk + 25 % crucial in the whole gemeente = 55 % in 2030-2031
    (f,) = [f for f in run(d).findings if f.code == "P005"]
    assert "in 2030–2031: samen 55 %" in f.message
    meas(d, "cruciaal")["quantities"]["share"] = 0.2
    assert "P005" not in run(d).codes


def test_p005_wbmgp_outside_a_designated_area_or_too_long():
    d = good()
    d["measures"].append({
        "id": "art8", "instrument": "wbmgp_art8", "party": "gemeente", "level": "buurt",
        "area": "BU05183398", "years": [2022, 2030], "goals": ["lage_inkomens"],
    })  # fmt: skip
    assert "P005" not in run(d).codes  # 4 + 4 years in a buurt is allowed
    meas(d, "art8")["years"] = [2022, 2031]
    (f,) = [f for f in run(d).findings if f.code == "P005"]
    assert f.field.endswith(".years") and "9 jaar" in f.message
    meas(d, "art8").update(years=[2022, 2026], level="gemeente", area="GM0518")
    (f,) = [f for f in run(d).findings if f.code == "P005"]
    assert f.field.endswith(".level")


def test_p005_checks_the_allocation_table_for_every_year():
    d = good()
    d["allocation"]["local_tie_scope"] = "gemeente"  # 30 % ties to the gemeente before 2024
    (f,) = [f for f in run(d).findings if f.code == "P005"]
    assert f.field == "allocation.local_tie_share"
    assert "in 2020–2023" in f.message
    d["allocation"]["local_tie_share"] = 0.25
    assert "P005" not in run(d).codes


def test_p005_fallback_without_the_allocation_module(monkeypatch):
    d = good()
    d["allocation"]["local_tie_share"] = 0.6
    monkeypatch.setattr(checks_mod, "_allocation_api", lambda: None)
    hits = [f for f in run(d).findings if f.field.startswith("allocation")]
    assert {f.code for f in hits} == {"P005"}
    assert any("in 2020–2035" in f.message and "60 %" in f.message for f in hits)
    d["allocation"]["local_tie_share"] = 0.5
    d["allocation"]["article8"] = [
        {"level": "gemeente", "code": "GM0518", "start_year": 2022, "years": 5}
    ]
    fields = {f.field for f in run(d).findings if f.code == "P005"}
    assert fields == {"allocation.article8[0].level", "allocation.article8[0].years"}


def test_legal_fallback_without_the_params_module(monkeypatch):
    real = checks_mod.importlib.import_module

    def fake(name, *a, **k):
        if name == "wijkmix.params.legal":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(checks_mod.importlib, "import_module", fake)
    assert checks_mod._legal(2023).local_tie_max_share == 0.25
    assert checks_mod._legal(2024).crucial_priority_allowed is True
    assert checks_mod._wbmgp_levels() == ("complex", "straat", "buurt", "wijk")
    d = good()
    _p005(d)
    assert "P005" in run(d).codes


def test_p007_only_when_something_moves_people():
    d = good()
    _p007(d)
    # without physical or allocation measures nobody is displaced
    keep = [
        m
        for m in d["measures"]
        if m["instrument"]
        in ("sociaal_plan", "ontmoetingsplekken", "subtiele_regie", "wijkfonds", "winkelplinten")
    ]
    for m in keep:
        m["flanking"] = []
    d["measures"] = keep
    assert "P007" not in run(d).codes


def test_p011_suggests_the_closest_instrument():
    d = good()
    _p011(d)
    (f,) = [f for f in run(d).findings if f.code == "P011"]
    assert "Bedoelde u 'nieuwbouw'?" in f.hint


def test_p012_says_plainly_that_social_instruments_are_not_simulated():
    d = good()
    _p012(d)
    (f,) = [f for f in run(d).findings if f.code == "P012"]
    assert "niet gesimuleerd: volgen met de monitor" in f.message


# --- the report ---------------------------------------------------------------------------
def test_exit_code_one_for_warnings_only():
    d = good()
    _p009(d)
    report = run(d)
    assert report.codes == {"P009"}
    assert report.exit_code == 1
    assert dict(report.counts) == {"fout": 0, "waarschuwing": 1}


def test_report_frame_and_json():
    report = check_plan(load_plan(FLAWED))
    df = report.to_frame()
    assert list(df.columns) == ["code", "ernst", "regel", "veld", "melding", "tip"]
    assert len(df) == len(report.findings)
    assert df["code"].tolist() == sorted(df["code"].tolist())
    data = json.loads(report.to_json())
    assert data["exit_code"] == 2
    assert data["counts"] == dict(report.counts)
    assert data["findings"][0]["code"] == report.findings[0].code
    assert isinstance(report.findings[0], Finding)
    with pytest.raises(AttributeError):
        report.findings = ()  # type: ignore[misc]


def test_empty_report_frame_has_the_columns():
    df = check_plan(load_plan(GOOD)).to_frame()
    assert df.empty and list(df.columns)[:2] == ["code", "ernst"]


# --- the registry -------------------------------------------------------------------------
def test_registry_is_read_only_and_rules_are_described():
    with pytest.raises(TypeError):
        RULES["P999"] = RULES["P001"]  # type: ignore[index]
    for code, r in RULES.items():
        assert r.code == code and r.severity in ("fout", "waarschuwing")
        assert r.title and r.description


def test_rule_decorator_rejects_bad_registrations():
    with pytest.raises(ValueError, match="already registered"):
        rule(code="P001", severity="fout", title="x")
    with pytest.raises(ValueError, match="three digits"):
        rule(code="X1", severity="fout", title="x")
    with pytest.raises(ValueError, match="severity"):
        rule(code="P998", severity="ernstig", title="x")  # type: ignore[arg-type]


def test_a_new_rule_runs_in_check_plan():
    try:

        @rule(code="P999", severity="waarschuwing", title="Plan zonder risico's")
        def _no_risks(ctx):
            """A plan without risks."""
            if not ctx.plan.risks:
                yield checks_mod.Hit("risks", "geen risico's.", "Noem de risico's.")

        d = good()
        assert "P999" not in run(d).codes
        d["risks"] = []
        (f,) = [f for f in run(d).findings if f.code == "P999"]
        assert f.message == "risks: geen risico's."
        assert RULES["P999"].description == "A plan without risks."
    finally:
        checks_mod._REGISTRY.pop("P999", None)


def test_p005_does_not_add_priorities_of_different_wijken():
    d = good()
    d["plan"]["areas"].append({"level": "wijk", "code": "WK051834"})
    d["measures"] += [
        {"id": "binding_morgenstond", "instrument": "lokale_binding", "party": "gemeente",
         "level": "wijk", "area": "WK051834", "years": [2024, 2031],
         "quantities": {"share": 0.3}, "goals": ["verdringing"]},
        {"id": "cruciaal", "instrument": "cruciale_beroepen", "party": "gemeente",
         "level": "gemeente", "area": "GM0518", "years": [2024, 2031],
         "quantities": {"share": 0.2}, "goals": ["verdringing"]},
    ]  # fmt: skip
    # each wijk: 30 % ties + 20 % crucial = 50 %; the two wijken are different supplies
    assert "P005" not in run(d).codes
    meas(d, "cruciaal")["quantities"]["share"] = 0.21
    hits = [f for f in run(d).findings if f.code == "P005"]
    assert len(hits) == 2  # one per wijk
    assert all("samen 51 %" in f.message for f in hits)
