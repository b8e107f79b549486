import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import entropy as scipy_entropy

from wijkmix.errors import InputError
from wijkmix.measures.composition import (
    DEFAULT_INCOME_THRESHOLDS,
    LABELS,
    TENURE_LABELS,
    UNKNOWN,
    IncomeThresholds,
    composition,
    composition_all_levels,
    composition_from_kwb,
    diversity,
)


def _tenure_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "buurt_code": ["B1", "B1", "B1", "B1", "B2", "B2", "B2", "B2"],
            "wijk_code": ["W1"] * 8,
            "owner": [
                "corporatie",
                "corporatie",
                "particuliere_verhuurder",
                "eigenaar_bewoner",
                "eigenaar_bewoner",
                "eigenaar_bewoner",
                "eigenaar_bewoner",
                None,
            ],
        }
    )


def test_tenure_counts_shares_and_diversity_by_hand():
    c = composition(_tenure_frame(), level_column="buurt_code", by="tenure")
    assert c.categories == ("corporatie", "particuliere_verhuurder", "eigenaar_bewoner")
    assert list(c.counts.columns) == [*c.categories, UNKNOWN, "households"]
    assert c.counts.loc["B1"].tolist() == [2, 1, 1, 0, 4]
    assert c.counts.loc["B2"].tolist() == [0, 0, 3, 1, 4]
    # B1: shares 2/4, 1/4, 1/4
    assert c.shares.loc["B1"].tolist() == [0.5, 0.25, 0.25]
    # B2: the unknown household is left out of the shares: 3/3 eigenaar-bewoner
    assert c.shares.loc["B2"].tolist() == [0.0, 0.0, 1.0]
    # B1 entropy: -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) = 0.5 ln 2 + ln 2 = 1.5 ln 2, / ln 3
    assert c.diversity.loc["B1", "entropy"] == pytest.approx(1.5 * math.log(2) / math.log(3))
    # B1 Simpson: 1 - (0.25 + 0.0625 + 0.0625) = 0.625
    assert c.diversity.loc["B1", "simpson"] == pytest.approx(0.625)
    assert c.diversity.loc["B2"].tolist() == [0.0, 0.0]
    assert not c.estimated and c.unit == "households"
    assert c.labels["eigenaar_bewoner"] == "Koop"


def test_labelled_shares_are_percentages_with_dutch_labels():
    c = composition(_tenure_frame(), level_column="buurt_code", by="tenure")
    t = c.labelled_shares()
    assert list(t.columns) == ["Corporatie", "Particuliere verhuur", "Koop"]
    assert t.loc["B1", "Corporatie"] == 50.0


def test_all_levels_wijk_counts_are_sums_of_buurt_counts():
    res = composition_all_levels(_tenure_frame(), by="tenure")
    assert list(res) == ["buurt", "wijk"]
    summed = res["buurt"].counts.sum(axis=0)
    assert res["wijk"].counts.loc["W1"].tolist() == summed.tolist() == [2, 1, 4, 1, 8]


def test_income_classes_default_thresholds_depend_on_size():
    hh = pd.DataFrame(
        {
            "buurt_code": ["B"] * 9,
            "income": [47_000, 50_000, 50_000, 71_548.5, 79_006.49, 10_000, 50_000, None, 90_000],
            "size": [1, 2, 1, 1, 3, None, None, 2, 4],
        }
    )
    # 47,000 1p < 47,699 laag; 50,000 2p < 52,671 laag; 50,000 1p midden;
    # 71,548.50 1p at the high limit -> hoog; 79,006.49 3p just below 79,006.50 -> midden;
    # 10,000 size unknown: laag under both limits; 50,000 size unknown: midden (1p) vs
    # laag (mp) -> onbekend; income unknown -> onbekend; 90,000 4p hoog.
    c = composition(hh, level_column="buurt_code", by="income")
    assert c.counts.loc["B"].tolist() == [3, 2, 2, 2, 9]
    assert DEFAULT_INCOME_THRESHOLDS.low_one_person == 47_699.0


def test_income_flat_thresholds_need_no_size():
    hh = pd.DataFrame({"buurt_code": ["B", "B", "B"], "income": [29_999, 30_000, 60_000]})
    c = composition(hh, level_column="buurt_code", by="income", thresholds=(30_000, 60_000))
    assert c.counts.loc["B", ["laag", "midden", "hoog"]].tolist() == [1, 1, 1]
    with pytest.raises(InputError, match="column 'size'"):
        composition(hh, level_column="buurt_code", by="income")


def test_income_threshold_validation():
    with pytest.raises(InputError, match=r"thresholds\.high_one_person"):
        IncomeThresholds(50_000, 50_000, 40_000, 60_000)


def test_vulnerability_any_flag():
    hh = pd.DataFrame(
        {
            "buurt_code": ["B"] * 5,
            "vulnerable_care": pd.array([True, False, False, None, False], dtype="boolean"),
            "statushouder": pd.array([False, False, None, True, False], dtype="boolean"),
            "urgent": pd.array([False, False, False, None, True], dtype="boolean"),
        }
    )
    # rows: kwetsbaar, niet, onbekend (a flag missing, none set), kwetsbaar, kwetsbaar
    c = composition(hh, level_column="buurt_code", by="vulnerability")
    assert c.counts.loc["B"].tolist() == [3, 1, 1, 5]
    assert c.shares.loc["B", "kwetsbaar"] == pytest.approx(3 / 4)


def test_vulnerability_with_only_some_flags_present():
    hh = pd.DataFrame({"buurt_code": ["B", "B"], "statushouder": [True, False]})
    c = composition(hh, level_column="buurt_code", by="vulnerability")
    assert c.counts.loc["B", ["kwetsbaar", "niet_kwetsbaar"]].tolist() == [1, 1]


def test_age_groups_at_the_boundaries():
    hh = pd.DataFrame({"buurt_code": ["B"] * 7, "age_head": [24, 25, 44, 45, 64, 65, None]})
    c = composition(hh, level_column="buurt_code", by="age_group")
    assert c.counts.loc["B"].tolist() == [1, 2, 2, 1, 1, 7]


def test_generic_category_column_uses_observed_categories():
    hh = pd.DataFrame({"complex_code": ["C1", "C1", "C2"], "colour": ["rood", "blauw", "rood"]})
    c = composition(hh, level_column="complex_code", by="colour")
    assert c.categories == ("blauw", "rood")
    assert c.counts.loc["C1"].tolist() == [1, 1, 0, 2]


def test_unknown_category_is_an_error_naming_row_and_column():
    hh = pd.DataFrame({"buurt_code": ["B", "B"], "owner": ["corporatie", "woco"]})
    with pytest.raises(InputError, match=r"unknown category in frame, row 2, column 'owner'"):
        composition(hh, level_column="buurt_code", by="tenure")


def test_missing_level_column_and_missing_code():
    hh = pd.DataFrame({"buurt_code": ["B", None], "owner": ["corporatie", "corporatie"]})
    with pytest.raises(InputError, match="column 'wijk_code'"):
        composition(hh, level_column="wijk_code", by="tenure")
    with pytest.raises(InputError, match=r"missing area code .*row 2"):
        composition(hh, level_column="buurt_code", by="tenure")


def test_diversity_closed_forms():
    d = diversity(pd.DataFrame({"a": [5, 5, 0, 1], "b": [5, 0, 0, 1], "c": [0, 0, 0, 1]}))
    # (5, 5, 0): ln 2 / ln 3 with K = 3 (an unobserved category still counts)
    assert d.loc[0, "entropy"] == pytest.approx(math.log(2) / math.log(3))
    assert d.loc[0, "simpson"] == pytest.approx(0.5)
    assert d.loc[1].tolist() == [0.0, 0.0]
    assert d.loc[2].isna().all()  # empty unit
    # uniform over K = 3: entropy 1, Simpson 1 - 1/3
    assert d.loc[3, "entropy"] == pytest.approx(1.0)
    assert d.loc[3, "simpson"] == pytest.approx(2 / 3)


def test_diversity_errors():
    with pytest.raises(InputError, match="at least two category columns"):
        diversity(np.array([[1], [2]]))
    with pytest.raises(InputError, match="negative count"):
        diversity(np.array([[1, -1]]))


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.int64,
        st.tuples(st.integers(1, 6), st.integers(2, 6)),
        elements=st.integers(0, 1000),
    )
)
def test_diversity_bounds_and_scipy_agreement(counts):
    d = diversity(counts)
    k = counts.shape[1]
    total = counts.sum(axis=1)
    for i in range(counts.shape[0]):
        e, s = d.loc[i, "entropy"], d.loc[i, "simpson"]
        if total[i] == 0:
            assert np.isnan(e) and np.isnan(s)
            continue
        assert -1e-12 <= e <= 1 + 1e-12
        assert -1e-12 <= s <= 1 - 1 / k + 1e-12
        assert e == pytest.approx(scipy_entropy(counts[i]) / math.log(k), abs=1e-12)


def test_from_kwb_tenure_estimates():
    wide = pd.DataFrame(
        {
            "code": ["BU05180001", "BU05180002"],
            "dwellings": [1000.0, 400.0],
            "pct_corporation": [45.0, np.nan],
            "pct_other_landlords": [20.0, 30.0],
            "pct_owner_occupied": [34.0, 60.0],
        }
    )
    c = composition_from_kwb(wide, by="tenure")
    assert c.estimated and c.unit == "dwellings"
    # 45% of 1000 = 450, 20% = 200, 34% = 340; unknown 1000 - 990 = 10
    assert c.counts.loc["BU05180001"].tolist() == [450.0, 200.0, 340.0, 10.0, 1000.0]
    assert c.shares.loc["BU05180001", "corporatie"] == pytest.approx(450 / 990)
    # a suppressed percentage is missing, never zero
    assert np.isnan(c.counts.loc["BU05180002", "corporatie"])
    assert c.counts.loc["BU05180002", "eigenaar_bewoner"] == pytest.approx(240.0)
    assert c.shares.loc["BU05180002"].isna().all()
    assert "Geschat" in c.note
    assert c.labels == {k: TENURE_LABELS[k] for k in c.categories}


def test_from_kwb_income_classes_and_low_income():
    wide = pd.DataFrame(
        {
            "code": ["WK051801"],
            "households": [500.0],
            "pct_households_lowest_40": [50.0],
            "pct_households_highest_20": [10.0],
            "pct_low_income_households": [12.0],
        }
    )
    c = composition_from_kwb(wide, by="income")
    # 50% -> 250, middle 100 - 50 - 10 = 40% -> 200, 10% -> 50
    assert c.counts.loc["WK051801", ["laagste_40", "midden_40", "hoogste_20"]].tolist() == [
        250.0,
        200.0,
        50.0,
    ]
    low = composition_from_kwb(wide, by="low_income")
    assert low.counts.loc["WK051801", ["laag_inkomen", "geen_laag_inkomen"]].tolist() == [
        60.0,
        440.0,
    ]
    assert LABELS["laagste_40"].startswith("Laagste 40%")


def test_from_kwb_errors():
    wide = pd.DataFrame(
        {
            "code": ["BU05180001"],
            "dwellings": [10.0],
            "pct_corporation": [120.0],
            "pct_other_landlords": [0.0],
            "pct_owner_occupied": [0.0],
        }
    )
    with pytest.raises(InputError, match=r"row 1, column 'pct_corporation'.*between 0 and 100"):
        composition_from_kwb(wide, by="tenure")
    with pytest.raises(InputError, match="column 'households'"):
        composition_from_kwb(wide, by="income")
    with pytest.raises(InputError, match="field 'by'"):
        composition_from_kwb(wide, by="segment")


def test_derived_categories_subset_and_typo():
    hh = pd.DataFrame({"buurt_code": ["B"] * 3, "age_head": [20, 50, 70]})
    c = composition(hh, level_column="buurt_code", by="age_group", categories=["tot_25", "65_plus"])
    # the 50-year-old falls outside the categories considered: counted as unknown, K = 2
    assert c.counts.loc["B"].tolist() == [1, 1, 1, 3]
    assert c.diversity.loc["B", "entropy"] == pytest.approx(1.0)
    with pytest.raises(InputError, match="field 'categories'"):
        composition(hh, level_column="buurt_code", by="age_group", categories=["jong"])
