"""Tests of wijkmix.plan.monitor: goal statuses and statistics against experience.

Every expected value is worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkmix.errors import InputError, InputErrors
from wijkmix.plan.monitor import (
    STATUSES,
    DivergenceRule,
    divergence,
    monitor,
)


def goal(
    *,
    direction="omhoog",
    b=10.0,
    by=2020,
    t=20.0,
    ty=2030,
    tol=None,
    milestones=None,
    gid="g",
    indicator="x",
    area="WK051833",
    level=None,
):
    g = {
        "id": gid,
        "indicator": indicator,
        "area": area,
        "baseline": {"value": b, "year": by, "source": "hand"},
        "target": t,
        "target_year": ty,
        "direction": direction,
    }
    if level is not None:
        g["level"] = level
    if tol is not None:
        g["tolerance"] = tol
    if milestones is not None:
        g["milestones"] = [{"year": y, "value": v} for y, v in milestones]
    return g


def vals(points, indicator="x", area="WK051833", **extra):
    """A values frame from (year, value) points."""
    d = {
        "indicator": [indicator] * len(points),
        "area_code": [area] * len(points),
        "year": [y for y, _ in points],
        "value": [v for _, v in points],
    }
    for k, v in extra.items():
        d[k] = v
    return pd.DataFrame(d)


def status(g, points, today):
    return monitor([g], vals(points), today_year=today)["g"].status


# --------------------------------------------------------------------------- omhoog
# baseline 10 in 2020, target 20 in 2030, straight path: 10 + (year - 2020); 2025 → 15


@pytest.mark.parametrize(
    ("points", "today", "expected"),
    [
        ([(2025, 15.0)], 2025, "op koers"),  # exactly on the path
        ([(2025, 14.9)], 2025, "achter"),  # just behind
        ([(2025, 20.0)], 2025, "gehaald"),  # exactly the target, early
        ([(2025, 19.99)], 2025, "op koers"),  # ahead, not yet the target
        ([(2028, 19.0)], 2030, "op koers"),  # target year now, not yet measured; path 18
        ([(2028, 19.0)], 2031, "gemist"),  # target year passed
        ([(2030, 19.9)], 2030, "gemist"),  # the target year's measurement misses
        ([(2030, 20.0)], 2030, "gehaald"),  # ... or reaches it exactly
        ([(2031, 25.0)], 2032, "gemist"),  # reached only after the target year
        ([(2020, 30.0)], 2025, "geen meting"),  # only a value in the baseline year
        ([(2026, 30.0)], 2025, "geen meting"),  # a value after today is not used
        ([(2024, 21.0), (2026, 17.0)], 2026, "op koers"),  # reached, lost; path 16
        ([(2024, 21.0), (2026, 15.0)], 2026, "achter"),  # reached, lost, behind
    ],
)
def test_omhoog_status_boundaries(points, today, expected):
    assert status(goal(), points, today) == expected


def test_omhoog_tolerance_is_slack_everywhere():
    g = goal(tol=0.5)
    assert status(g, [(2025, 19.5)], 2025) == "gehaald"  # 19.5 >= 20 - 0.5
    assert status(g, [(2025, 19.4)], 2025) == "op koers"
    assert status(g, [(2025, 14.5)], 2025) == "op koers"  # 14.5 >= 15 - 0.5
    assert status(g, [(2025, 14.4)], 2025) == "achter"


def test_rounding_slack_on_exact_decimal_boundaries():
    # path at 2021: np.interp gives 0.1 + 0.5 * 0.2, which is not exactly 0.2 in binary
    g = goal(b=0.1, by=2020, t=0.3, ty=2022)
    assert status(g, [(2021, 0.2)], 2021) == "op koers"
    assert status(g, [(2021, 0.1999)], 2021) == "achter"
    # 0.1 + 0.2 != 0.3 in binary, still reaches a target of 0.3
    assert status(g, [(2022, 0.1 + 0.2)], 2022) == "gehaald"


# --------------------------------------------------------------------------- omlaag
# baseline 62 in 2019, target 54 in 2027: path 62 - (year - 2019); 2023 → 58


@pytest.mark.parametrize(
    ("points", "today", "expected"),
    [
        ([(2023, 58.0)], 2023, "op koers"),
        ([(2023, 58.5)], 2023, "achter"),
        ([(2023, 57.0)], 2023, "op koers"),
        ([(2023, 54.0)], 2023, "gehaald"),
        ([(2023, 53.0)], 2024, "gehaald"),
        ([(2027, 55.0)], 2028, "gemist"),
        ([(2026, 55.0)], 2027, "op koers"),  # path 2026 = 55
        ([], 2030, "geen meting"),
    ],
)
def test_omlaag_status_boundaries(points, today, expected):
    g = goal(direction="omlaag", b=62.0, by=2019, t=54.0, ty=2027)
    assert status(g, points, today) == expected


# --------------------------------------------------------------------------- gelijk
# baseline 40, target 30, tolerance 1, 2020 → 2030: path 2025 = 35, |path - target| = 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (31.0, "gehaald"),  # |31 - 30| = 1 <= 1
        (29.0, "gehaald"),
        (31.5, "op koers"),  # not within 1, but 1.5 <= 5 + 1
        (36.0, "op koers"),  # |36 - 30| = 6 = 5 + 1: on the boundary
        (36.1, "achter"),
        (24.0, "op koers"),  # overshoot: |24 - 30| = 6 still on the boundary
        (23.9, "achter"),
    ],
)
def test_gelijk_status_boundaries(value, expected):
    g = goal(direction="gelijk", b=40.0, t=30.0, tol=1.0)
    assert status(g, [(2025, value)], 2025) == expected


def test_gelijk_keep_level():
    # baseline = target = 30, tolerance 2: the path stays at 30
    g = goal(direction="gelijk", b=30.0, t=30.0, tol=2.0)
    r = monitor([g], vals([(2025, 32.0)]), today_year=2025)["g"]
    assert r.status == "gehaald" and r.progress is None and r.expected_progress is None
    assert status(g, [(2025, 32.5)], 2025) == "achter"  # 2.5 > 0 + 2
    assert status(g, [(2030, 27.5)], 2031) == "gemist"  # 2.5 > 2, target year passed


# --------------------------------------------------------------------------- milestones


def test_milestone_path_differs_from_straight_line():
    # milestone 11 in 2022: path 2022 = 11 (straight: 12); 2026 = 11 + 9 * 4/8 = 15.5 (straight 16)
    straight = goal()
    stepped = goal(milestones=[(2022, 11.0)])
    assert status(straight, [(2022, 11.5)], 2022) == "achter"
    assert status(stepped, [(2022, 11.5)], 2022) == "op koers"
    assert status(stepped, [(2022, 10.9)], 2022) == "achter"
    assert status(straight, [(2026, 15.75)], 2026) == "achter"
    assert status(stepped, [(2026, 15.5)], 2026) == "op koers"
    assert status(stepped, [(2026, 15.4)], 2026) == "achter"
    r = monitor([stepped], vals([(2026, 15.5)]), today_year=2026)["g"]
    assert r.path_value == 15.5 and r.path(2022) == 11.0 and r.path(2019) == 10.0
    assert r.path(2035) == 20.0


def test_milestones_unsorted_and_several():
    # milestones (2026, 18) and (2023, 12): path 2024 = 12 + 6 * 1/3 = 14
    g = goal(milestones=[(2026, 18.0), (2023, 12.0)])
    assert status(g, [(2024, 14.0)], 2024) == "op koers"
    assert status(g, [(2024, 13.9)], 2024) == "achter"


# --------------------------------------------------------------------------- progress


def test_progress_is_not_clipped():
    # omhoog 10 → 20: 22 is 1.2 of the way; 8 is -0.2; path 2025 = 15 → expected 0.5
    rep = monitor(
        [goal(gid="a"), goal(gid="b", area="WK051834")],
        pd.concat([vals([(2025, 22.0)]), vals([(2025, 8.0)], area="WK051834")]),
        today_year=2025,
    )
    assert rep["a"].progress == pytest.approx(1.2) and rep["a"].status == "gehaald"
    assert rep["b"].progress == pytest.approx(-0.2) and rep["b"].status == "achter"
    assert rep["a"].expected_progress == pytest.approx(0.5)
    # omlaag 62 → 54, value 59 in 2023: (59 - 62) / (54 - 62) = 0.375; path 58 → 0.5
    r = monitor(
        [goal(direction="omlaag", b=62.0, by=2019, t=54.0, ty=2027)],
        vals([(2023, 59.0)]),
        today_year=2023,
    )["g"]
    assert r.progress == pytest.approx(0.375) and r.expected_progress == pytest.approx(0.5)
    # gelijk 40 → 30, value 36: 1 - 6/10 = 0.4; value 24 (overshoot): also 0.4
    g = goal(direction="gelijk", b=40.0, t=30.0, tol=1.0)
    assert monitor([g], vals([(2025, 36.0)]), today_year=2025)["g"].progress == pytest.approx(0.4)
    assert monitor([g], vals([(2025, 24.0)]), today_year=2025)["g"].progress == pytest.approx(0.4)


@settings(max_examples=80, deadline=None)
@given(
    b=st.integers(-50, 50),
    span=st.integers(1, 40),
    year=st.integers(2021, 2029),
    v=st.integers(-100, 100),
)
def test_straight_line_status_agrees_with_progress(b, span, year, v):
    # omhoog, straight line, before the target year, integers (exact arithmetic):
    # gehaald iff progress >= 1, else op koers iff progress >= expected progress
    g = goal(b=float(b), t=float(b + span))
    r = monitor([g], vals([(year, float(v))]), today_year=year)["g"]
    progress = (v - b) / span
    expected = (year - 2020) / 10
    assert r.progress == pytest.approx(progress)
    assert r.expected_progress == pytest.approx(expected)
    if progress >= 1:
        assert r.status == "gehaald"
    elif (v - b) * 10 >= (year - 2020) * span:
        assert r.status == "op koers"
    else:
        assert r.status == "achter"


# --------------------------------------------------------------------------- report


def test_report_frames_and_counts():
    goals = [
        goal(gid="a", milestones=[(2022, 11.0)]),
        goal(gid="b", area="WK051834"),
        goal(gid="c", area="WK051835"),
    ]
    values = pd.concat(
        [
            vals([(2019, 9.0), (2022, 11.5), (2026, 15.5)], source=["kwb", "enq", "enq"]),
            vals([(2026, 10.0)], area="WK051834"),
        ]
    )
    rep = monitor(goals, values, today_year=2026)
    assert len(rep) == 3 and [r.goal_id for r in rep] == ["a", "b", "c"]
    assert rep.counts() == {
        "gehaald": 0,
        "op koers": 1,
        "achter": 1,
        "gemist": 0,
        "geen meting": 1,
    }
    assert tuple(rep.counts()) == STATUSES
    f = rep.to_frame()
    assert f["status"].tolist() == ["op koers", "achter", "geen meting"]
    assert f["latest_year"].tolist()[:2] == [2026, 2026] and pd.isna(f["latest_year"].iloc[2])
    assert f["latest_source"].tolist()[0] == "enq"
    nl = rep.to_frame(dutch=True)
    assert {"doel", "gebied", "basisjaar", "streefwaarde", "koerswaarde", "voortgang"} <= set(
        nl.columns
    )
    assert nl["status"].tolist() == f["status"].tolist()
    # the goal over time: baseline, measurements (also before the baseline), milestone, target
    series = rep.frames()["a"]
    assert series["year"].tolist() == [2019, 2020, 2022, 2026, 2030]
    assert series["path"].tolist()[1:] == [10.0, 11.0, 15.5, 20.0]
    assert np.isnan(series["path"].iloc[0])
    assert series["measured"].tolist()[0] == 9.0 and series["measured"].tolist()[3] == 15.5
    assert series["milestone"].tolist()[2] == 11.0 and series["target"].tolist()[4] == 20.0
    assert list(rep.frames(dutch=True)["a"].columns) == [
        "jaar",
        "basis",
        "mijlpaal",
        "doel",
        "koers",
        "meting",
    ]
    with pytest.raises(KeyError):
        rep["zz"]


def test_goal_records_as_objects_with_enum_direction():
    class Richting(enum.Enum):
        OMLAAG = "omlaag"

    @dataclass
    class Baseline:
        value: float
        year: int
        source: str = "CBS"

    @dataclass
    class Goal:
        id: str
        indicator: str
        area: str
        level: str
        baseline: Baseline
        target: float
        target_year: int
        direction: Richting
        tolerance: float = 0.0
        milestones: list = field(default_factory=list)
        unit: str | None = "%"

    g = Goal(
        "corp",
        "pct_corporation",
        "wk051833",
        "wijk",
        Baseline(62, 2019),
        54,
        2027,
        Richting.OMLAAG,
        milestones=[SimpleNamespace(year=2023, value=59.0)],
    )
    # the milestone puts the path at 59 in 2023 (straight: 58); the code is normalised
    r = monitor(
        [g], vals([(2023, 59.0)], indicator="pct_corporation", area=" WK051833"), today_year=2023
    )
    assert r["corp"].status == "op koers" and r["corp"].unit == "%" and r["corp"].area == "WK051833"


def test_level_separates_areas_with_the_same_id():
    g = goal(area="C12", level="complex")
    values = vals([(2025, 30.0), (2025, 12.0)], area="C12", level=["straat", "complex"])
    r = monitor([g], values, today_year=2025)["g"]
    assert r.latest_value == 12.0 and r.status == "achter"


def test_two_values_in_one_year_are_an_error_unless_equal():
    with pytest.raises(InputError, match="two values for one indicator, area and year"):
        monitor([goal()], vals([(2025, 15.0), (2025, 16.0)]), today_year=2025)
    r = monitor([goal()], vals([(2025, 15.0), (2025, 15.0)]), today_year=2025)
    assert r["g"].status == "op koers"


def test_today_defaults_to_the_calendar_year():
    values = vals([(2025, 15.0)])
    now = dt.date.today().year
    a = monitor([goal()], values)
    b = monitor([goal()], values, today_year=now)
    assert a.today_year == now and a["g"] == b["g"]


def test_invalid_goals_name_every_field():
    bad = [
        {
            "id": "a",
            "indicator": "x",
            "area": "WK051833",
            "baseline": {"value": 1.0, "year": 2020},
            "target": "veel",
            "target_year": 2030,
            "direction": "op",
            "tolerance": -1,
            "milestones": [{"year": 2031, "value": 3.0}],
        },
        goal(gid="b", ty=2019),
        goal(gid="b"),
        goal(gid="b"),
    ]
    with pytest.raises(InputErrors) as info:
        monitor(bad, vals([]), today_year=2025)
    fields = [e.where.field for e in info.value.errors]
    assert fields == [
        "goals[0].target",
        "goals[0].direction",
        "goals[0].tolerance",
        "goals[0].milestones[0].year",
        "goals[1].target_year",
        "goals[3].id",
    ]
    assert "field 'goals[0].direction'" in str(info.value)
    assert "goals[2] has it" in info.value.errors[-1].expected


def test_invalid_values_and_arguments():
    with pytest.raises(InputError, match="column 'year'"):
        monitor([goal()], pd.DataFrame({"indicator": [], "area_code": [], "value": []}))
    with pytest.raises(InputError, match="field 'today_year'"):
        monitor([goal()], vals([]), today_year="2025")
    with pytest.raises(InputError, match="field 'threshold'"):
        monitor([goal()], vals([]), today_year=2025, threshold=0)
    with pytest.raises(InputError, match="invalid year"):
        monitor([goal()], vals([(2025.5, 1.0)]), today_year=2025)


# --------------------------------------------------------------------------- disclosure


def test_survey_values_with_few_respondents_are_suppressed():
    g = goal()
    values = vals([(2024, 14.0), (2025, 16.0)], respondents=[12, 9])
    r = monitor([g], values, today_year=2025)["g"]
    # 2025 rests on 9 < 10 respondents: suppressed, so 2024 (path 14) is assessed
    assert r.suppressed == 1 and r.latest_year == 2024 and r.status == "op koers"
    assert r.measurements == ((2024, 14.0),)
    r10 = monitor([g], vals([(2025, 16.0)], respondents=[10]), today_year=2025)["g"]
    assert r10.suppressed == 0 and r10.status == "op koers"
    # a published figure (no count) passes; households works as the count column
    mixed = vals([(2024, 14.0), (2025, 16.0)], households=[np.nan, 3])
    r2 = monitor([g], mixed, today_year=2025)["g"]
    assert r2.latest_year == 2024 and r2.suppressed == 1
    # the smaller of two counts applies; a lower threshold lets 9 pass
    both = vals([(2025, 16.0)], respondents=[40], households=[9])
    assert monitor([g], both, today_year=2025)["g"].status == "geen meting"
    assert monitor([g], both, today_year=2025, threshold=9)["g"].status == "op koers"


# --------------------------------------------------------------------------- divergence


def city():
    """Ten buurten of one gemeente; satisfaction (higher is better) and lbm in 2002 and 2022.

    satisfaction 2002: 6.0 6.2 7.0 7.1 7.2 7.3 7.4 7.5 7.6 7.7
      0.2-quantile: position 0.2 * 9 = 1.8 → 6.2 + 0.8 * (7.0 - 6.2) = 6.84 → areas 1, 2 low
    satisfaction 2022: 6.0 6.3 7.1 6.9 7.0 7.3 7.4 7.5 7.6 7.7
      sorted 6.0 6.3 6.9 7.0 7.1 ... → 6.3 + 0.8 * (6.9 - 6.3) = 6.78 → areas 1, 2 low
    lbm: up by 0.3 everywhere except area 4 (down 0.2) and area 6 (unchanged).
    """
    codes = [f"BU036300{i:02d}" for i in range(1, 11)]
    sat0 = [6.0, 6.2, 7.0, 7.1, 7.2, 7.3, 7.4, 7.5, 7.6, 7.7]
    sat1 = [6.0, 6.3, 7.1, 6.9, 7.0, 7.3, 7.4, 7.5, 7.6, 7.7]
    lbm0 = [3.8, 3.9, 4.0, 4.2, 4.1, 4.1, 4.2, 4.2, 4.3, 4.3]
    lbm1 = [4.1, 4.2, 4.3, 4.0, 4.4, 4.1, 4.5, 4.5, 4.6, 4.6]
    rows = []
    for i, c in enumerate(codes):
        rows += [
            ("satisfaction", c, 2002, sat0[i]),
            ("satisfaction", c, 2022, sat1[i]),
            ("lbm", c, 2002, lbm0[i]),
            ("lbm", c, 2022, lbm1[i]),
        ]
    return pd.DataFrame(rows, columns=["indicator", "area_code", "year", "value"])


def test_divergence_flags_the_nieuw_west_pattern():
    rep = divergence(city(), statistic_indicators=["lbm"], experience_indicators=["satisfaction"])
    assert (rep.start_year, rep.end_year) == (2002, 2022)
    by = {p.area_code: p for p in rep.pairs}
    assert len(by) == 10
    # 1 and 2: liveability up, satisfaction stayed among the lowest of the city
    assert by["BU03630001"].flagged and by["BU03630001"].reason == "bleef laag"
    assert by["BU03630002"].flagged and by["BU03630002"].reason == "bleef laag"
    # 3: both up, not low → consistent
    assert not by["BU03630003"].flagged and by["BU03630003"].statistic_improved
    # 4: both down → consistent, not flagged although satisfaction fell
    assert by["BU03630004"].experience_declined and not by["BU03630004"].statistic_improved
    assert not by["BU03630004"].flagged
    # 5: liveability up, satisfaction down (7.2 → 7.0), not low
    assert by["BU03630005"].flagged and by["BU03630005"].reason == "daalde"
    assert by["BU03630005"].experience_low_end is False
    # 6: liveability unchanged → not improved
    assert not by["BU03630006"].statistic_improved
    assert rep.flagged_areas == ("BU03630001", "BU03630002", "BU03630005")
    assert by["BU03630001"].statistic_change == pytest.approx(0.3)
    assert by["BU03630001"].level == "buurt"
    nl = rep.to_frame(dutch=True, flagged_only=True)
    assert nl["gebied"].tolist() == list(rep.flagged_areas)
    assert set(nl["reden"]) == {"bleef laag", "daalde"}


def test_divergence_thresholds_and_direction():
    # a threshold of 0.25 on satisfaction decline: area 5 fell 0.2 → no longer "daalde";
    # area 4 fell 0.2 too but lbm fell
    rule = DivergenceRule(experience_decline=0.25)
    rep = divergence(
        city(), statistic_indicators=["lbm"], experience_indicators=["satisfaction"], rule=rule
    )
    assert rep.flagged_areas == ("BU03630001", "BU03630002")
    # a statistic threshold above the rise of 0.3 flags nothing
    rep = divergence(
        city(),
        statistic_indicators=["lbm"],
        experience_indicators=["satisfaction"],
        rule=DivergenceRule(statistic_change=0.3),
    )
    assert rep.flagged_areas == () and not any(p.statistic_improved for p in rep.pairs)
    # intention to move: lower is better; area 1 has the highest in both years and it rose
    move = pd.DataFrame(
        [
            ("move", f"BU036300{i:02d}", 2002, v)
            for i, v in enumerate([30, 20, 15, 15, 15, 15, 15, 15, 15, 15], start=1)
        ]
        + [
            ("move", f"BU036300{i:02d}", 2022, v)
            for i, v in enumerate([32, 15, 15, 15, 15, 15, 15, 15, 15, 15], start=1)
        ],
        columns=["indicator", "area_code", "year", "value"],
    )
    rep = divergence(
        pd.concat([city(), move]),
        statistic_indicators=["lbm"],
        experience_indicators={"move": "omlaag"},
    )
    # 0.8-quantile 2002: sorted 15 x8, 20, 30: position 0.8 * 9 = 7.2 → 15 + 0.2 * 5 = 16,
    # so areas 1 (30) and 2 (20) are low; 2022: sorted 15 x9, 32: 15 → every area is low.
    # area 1 also rose 30 → 32 (worse); area 2 fell 20 → 15 (better); area 3 was not low
    by = {p.area_code: p for p in rep.pairs}
    assert by["BU03630001"].reason == "bleef laag en daalde"
    assert by["BU03630002"].reason == "bleef laag" and not by["BU03630002"].experience_declined
    assert by["BU03630003"].experience_low_start is False and not by["BU03630003"].flagged
    assert not by["BU03630006"].flagged  # lbm unchanged


def test_bottom_quantile_boundary_is_inclusive():
    # five areas, values 1..5, q = 0.25: position 0.25 * 4 = 1 → cut-off exactly 2
    rows = []
    for i, v in enumerate([1.0, 2.0, 3.0, 4.0, 5.0], start=1):
        c = f"WK0518{i:02d}"
        rows += [("s", c, 2019, v), ("s", c, 2023, v), ("l", c, 2019, 1.0), ("l", c, 2023, 2.0)]
    df = pd.DataFrame(rows, columns=["indicator", "area_code", "year", "value"])
    rep = divergence(
        df,
        statistic_indicators=["l"],
        experience_indicators=["s"],
        rule=DivergenceRule(bottom_quantile=0.25),
    )
    assert rep.flagged_areas == ("WK051801", "WK051802")
    # with four areas (below min_areas = 5) "low" is not judged and nothing is flagged
    rep4 = divergence(
        df[df["area_code"] != "WK051805"],
        statistic_indicators=["l"],
        experience_indicators=["s"],
        rule=DivergenceRule(bottom_quantile=0.25),
    )
    assert rep4.flagged_areas == ()
    assert all(p.experience_low_end is None for p in rep4.pairs)
    assert any("te weinig" in n for n in rep4.notes)


def test_year_window_lets_lbm_meet_a_survey():
    rows = []
    for i in range(1, 6):
        c = f"WK0518{i:02d}"
        rows += [
            ("lbm", c, 2018, 4.0),
            ("lbm", c, 2020, 4.05),
            ("lbm", c, 2022, 4.1 if i == 1 else 4.0),
            ("lbm", c, 2024, 3.0),
            ("sat", c, 2019, 6.0 + i),
            ("sat", c, 2023, 6.0 + i - (0.5 if i == 1 else 0.0)),
        ]
    df = pd.DataFrame(rows, columns=["indicator", "area_code", "year", "value"])
    kw = {"statistic_indicators": ["lbm"], "experience_indicators": ["sat"]}
    none = divergence(df, start_year=2019, end_year=2023, **kw)
    assert none.pairs == () and any("lbm" in n for n in none.notes)
    rep = divergence(df, start_year=2019, end_year=2023, rule=DivergenceRule(year_window=1), **kw)
    p = {p.area_code: p for p in rep.pairs}["WK051801"]
    # ties: 2018 and 2020 around 2019 → 2020 (inside); 2022 and 2024 around 2023 → 2022
    assert (p.statistic_start_year, p.statistic_end_year) == (2020, 2022)
    assert p.statistic_change == pytest.approx(0.05)
    assert (p.experience_start_year, p.experience_end_year) == (2019, 2023)
    assert rep.flagged_areas == ("WK051801",) and p.reason == "bleef laag en daalde"


def test_divergence_gates_survey_values():
    df = city()
    df["respondents"] = [np.nan if ind == "lbm" else 50 for ind in df["indicator"]]
    df.loc[
        (df["area_code"] == "BU03630005") & (df["indicator"] == "satisfaction"), "respondents"
    ] = 4
    rep = divergence(df, statistic_indicators=["lbm"], experience_indicators=["satisfaction"])
    assert "BU03630005" not in {p.area_code for p in rep.pairs}
    assert rep.notes[0].startswith("2 waarden onderdrukt")


def test_divergence_rule_validation_names_the_field():
    with pytest.raises(InputError, match=r"DivergenceRule\.bottom_quantile"):
        DivergenceRule(bottom_quantile=1.0)
    with pytest.raises(InputError, match=r"DivergenceRule\.statistic_change"):
        DivergenceRule(statistic_change=-0.1)
    with pytest.raises(InputError, match=r"DivergenceRule\.experience_decline"):
        DivergenceRule(experience_decline=float("nan"))
    with pytest.raises(InputError, match=r"DivergenceRule\.min_areas"):
        DivergenceRule(min_areas=1)
    with pytest.raises(InputError, match=r"DivergenceRule\.year_window"):
        DivergenceRule(year_window=True)
    rule = DivergenceRule()
    with pytest.raises(AttributeError):
        rule.bottom_quantile = 0.5  # type: ignore[misc]


def test_divergence_argument_errors():
    df = city()
    with pytest.raises(InputError, match="both statistic and experience"):
        divergence(df, statistic_indicators=["lbm"], experience_indicators=["lbm"])
    with pytest.raises(InputError, match=r"experience_indicators\['satisfaction'\]"):
        divergence(
            df, statistic_indicators=["lbm"], experience_indicators={"satisfaction": "gelijk"}
        )
    with pytest.raises(InputError, match="empty period"):
        divergence(
            df,
            statistic_indicators=["lbm"],
            experience_indicators=["satisfaction"],
            start_year=2022,
            end_year=2022,
        )
    with pytest.raises(InputError, match="unknown level"):
        divergence(
            df, statistic_indicators=["lbm"], experience_indicators=["satisfaction"], level="wk"
        )
    # the level filter keeps only the wanted level: the city has buurten only
    with pytest.raises(InputError, match="no values"):
        divergence(
            df, statistic_indicators=["lbm"], experience_indicators=["satisfaction"], level="wijk"
        )
