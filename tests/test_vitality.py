import numpy as np
import pandas as pd
import pytest

from wijkmix.errors import InputError
from wijkmix.measures.vitality import (
    DEFAULT_LBM_SCORES,
    LABELS,
    BandScore,
    CategoryScore,
    PresenceScore,
    VitalityRules,
    vitality,
)

RULES = VitalityRules(resilience=BandScore("pct_laag_inkomen", (10.0, 20.0)))


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["code", "lbm_class", "wijkraad", "wijkregisseur", "pct_laag_inkomen"]
    )


def test_flag_at_exactly_nine_but_not_eight():
    f = _frame(
        [
            # class 4 -> 3, no council nor regisseur -> 3, 5 % < 10 -> 1: 3 x 3 x 1 = 9
            ("a", 4, False, False, 5.0),
            # class 5 -> 2, one of two present -> 2, 10 % (at the cut) -> 2: 2 x 2 x 2 = 8
            ("b", 5, True, False, 10.0),
            # class 6 -> 2, none -> 3, 20 % (at the upper cut) -> 3: 2 x 3 x 3 = 18
            ("c", 6, False, False, 20.0),
            # class 7 -> 1, both -> 1, 19.9 % -> 2: 1 x 1 x 2 = 2
            ("d", 7, True, True, 19.9),
        ]
    )
    t = vitality(f, RULES).table
    assert t["liveability"].tolist() == [3, 2, 2, 1]
    assert t["organising"].tolist() == [3, 2, 3, 1]
    assert t["resilience"].tolist() == [1, 2, 3, 2]
    assert t["product"].tolist() == [9, 8, 18, 2]
    assert t["flagged"].tolist() == [True, False, True, False]
    assert t["missing"].tolist() == ["", "", "", ""]
    assert vitality(f, RULES).flagged_codes == ["a", "c"]


def test_custom_flag_level():
    f = _frame([("a", 4, False, False, 5.0), ("b", 1, False, False, 15.0)])
    rules = VitalityRules(resilience=RULES.resilience, flag_at=12)
    t = vitality(f, rules).table
    # 9 is below 12; 3 x 3 x 2 = 18 is above
    assert t["flagged"].tolist() == [False, True]


def test_default_lbm_mapping():
    assert [DEFAULT_LBM_SCORES[k] for k in range(1, 10)] == [3, 3, 3, 3, 2, 2, 1, 1, 1]


def test_missing_inputs_give_missing_scores_and_a_settled_flag_only_when_certain():
    f = _frame(
        [
            # liveability missing; 3 x 3 x (1..3) >= 9 always -> flagged
            ("a", None, False, False, 25.0),
            # liveability missing; 1 x 1 x (1..3) <= 3 < 9 -> not flagged
            ("b", None, True, True, 5.0),
            # liveability missing; 2 x 2 x (1..3) in 4..12 -> undecided
            ("c", None, True, False, 15.0),
            # council missing, regisseur present: all or some -> organising missing
            ("d", 2, None, True, 25.0),
        ]
    )
    t = vitality(f, RULES).table
    assert t["liveability"].isna().tolist() == [True, True, True, False]
    assert t["product"].isna().all()
    assert t["flagged"].tolist() == [True, False, pd.NA, True]
    assert t["missing"].tolist() == ["lbm_class", "lbm_class", "lbm_class", "wijkraad"]
    assert t["organising"].isna().tolist() == [False, False, False, True]


def test_presence_score_settled_by_known_flags():
    f = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d"],
            "x": [True, True, None, False],
            "y": [False, True, None, False],
            "z": [None, True, True, False],
        }
    )
    rules = VitalityRules(
        resilience=BandScore("r", (0.0, 1.0)),
        organising=PresenceScore(("x", "y", "z")),
    )
    f["lbm_class"] = 5
    f["r"] = 0.5
    t = vitality(f, rules).table
    # a: one present, one absent -> "some" whatever z is -> 2; b: all -> 1;
    # c: z present, x and y unknown -> all or some -> missing; d: none -> 3
    assert t["organising"].tolist() == [2, 1, pd.NA, 3]
    assert t["missing"].tolist() == ["", "", "x, y", ""]


def test_band_direction_and_category_score():
    f = pd.DataFrame(
        {"code": ["a", "b", "c"], "hulp": [0.0, 5.0, 10.0], "overlast": ["laag", "hoog", None]}
    )
    f["lbm_class"] = 9
    rules = VitalityRules(
        resilience=CategoryScore("overlast", {"laag": 1, "midden": 2, "hoog": 3}),
        organising=BandScore("hulp", (5.0, 10.0), higher_is_worse=False),
    )
    t = vitality(f, rules).table
    # higher is better: 0 < 5 -> 3; 5 at the lower cut -> 2; 10 at the upper cut -> 1
    assert t["organising"].tolist() == [3, 2, 1]
    assert t["resilience"].tolist() == [1, 3, pd.NA]
    assert t["product"].tolist() == [3, 6, pd.NA]
    assert set(t.columns) <= set(LABELS)


def test_rule_validation_names_the_field():
    with pytest.raises(InputError, match=r"field 'resilience\.cuts'"):
        VitalityRules(resilience=BandScore("x", (5.0, 3.0)))
    with pytest.raises(InputError, match=r"field 'resilience\.cuts'"):
        VitalityRules(resilience=BandScore("x", (5.0, float("nan"))))
    with pytest.raises(InputError, match="field 'flag_at'"):
        VitalityRules(resilience=BandScore("x", (1.0, 2.0)), flag_at=0)
    with pytest.raises(InputError, match="field 'flag_at'"):
        VitalityRules(resilience=BandScore("x", (1.0, 2.0)), flag_at=28)
    with pytest.raises(InputError, match=r"field 'liveability.scores\[1\]'"):
        VitalityRules(resilience=BandScore("x", (1.0, 2.0)), liveability=CategoryScore("k", {1: 4}))
    with pytest.raises(InputError, match=r"field 'organising.columns'"):
        VitalityRules(resilience=BandScore("x", (1.0, 2.0)), organising=PresenceScore(()))
    with pytest.raises(InputError, match="field 'resilience'"):
        VitalityRules(resilience="pct_laag")  # type: ignore[arg-type]


def test_data_errors():
    f = _frame([("a", 12, True, True, 5.0)])
    with pytest.raises(InputError, match=r"row 1, column 'lbm_class'"):
        vitality(f, RULES)
    with pytest.raises(InputError, match="column 'pct_laag_inkomen'"):
        vitality(f.drop(columns="pct_laag_inkomen").assign(lbm_class=3), RULES)
    g = _frame([("a", 3, "ja", True, 5.0)])
    with pytest.raises(InputError, match=r"invalid flag .*column 'wijkraad'"):
        vitality(g, RULES)
    h = _frame([("a", 3, True, True, "veel")])
    with pytest.raises(InputError, match="invalid number"):
        vitality(h, RULES)


def test_lbm_class_as_float_is_scored():
    f = _frame([("a", 4.0, False, False, np.nan)])
    t = vitality(f, RULES).table
    assert t["liveability"].tolist() == [3]
    assert t["missing"].tolist() == ["pct_laag_inkomen"]
    # 3 x 3 x (1..3) >= 9: flagged even with resilience unknown
    assert t["flagged"].tolist() == [True]
