"""Tests of the synthetic population (wijkmix.synth) and the income thresholds.

The hand-built frame has one gemeente (GM0999), two wijken and five buurten;
buurt BU09990202 has its tenure, WOZ, income and bijstand figures suppressed
(NaN), so they must be borrowed from wijk WK099902. Every count in the frame is
consistent (one-person + without + with children = households), so household
kinds must be reproduced exactly.

Tolerances:

* households per buurt: exact (the acceptance test on real data allows 1 %);
* owner counts per buurt: within one dwelling of the CBS shares (normalised to
  100 %) times the generated dwellings, i.e. within ``100 / dwellings``
  percentage points (< 1 point for buurten of 100+ dwellings);
* income shares: within half a household (``50 / households`` points), the
  rounding of the target share to whole households.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkmix.errors import InputError
from wijkmix.params.income import (
    EQUIVALENCE_FACTORS,
    GROSS_PER_DISPOSABLE,
    income_params,
    is_low_income,
    is_social_minimum,
    low_income_threshold,
    social_minimum_threshold,
)
from wijkmix.store.schema import DWELLING_COLUMNS, HOUSEHOLD_COLUMNS, TABLES
from wijkmix.synth import (
    DERIVED,
    FALLBACK,
    FIT_COLUMNS,
    SyntheticPopulation,
    SynthResult,
)
from wijkmix.synth.layout import build_layout

# --------------------------------------------------------------------------
# a small hand-built KWB frame
# --------------------------------------------------------------------------
_COLS = [
    "code", "level", "parent", "inhabitants", "households", "one_person_households",
    "households_without_children", "households_with_children", "avg_household_size",
    "age_0_15", "age_15_25", "age_25_45", "age_45_65", "age_65_plus", "dwellings", "avg_woz",
    "pct_owner_occupied", "pct_corporation", "pct_other_landlords",
    "pct_low_income_households", "pct_households_social_minimum", "bijstand_persons",
    "avg_income_per_inhabitant",
]  # fmt: skip
NAN = float("nan")
_ROWS = [
    ("GM0999", "gemeente", None, 6000, 2830, 1230, 750, 850, 2.1,
     1010, 800, 1720, 1450, 1020, 2920, 280, 46, 37, 17, 9.0, 8.5, 190, 29.0),
    ("WK099901", "wijk", "GM0999", 4400, 2100, 900, 550, 650, 2.1,
     750, 600, 1250, 1050, 750, 2170, 270, 42, 41, 17, 9.5, 8.7, 160, 28.5),
    ("BU09990101", "buurt", "WK099901", 2000, 1000, 450, 250, 300, 2.0,
     300, 250, 600, 500, 350, 1040, 250, 40, 40, 19, 10.0, 9.0, 80, 28.0),
    ("BU09990102", "buurt", "WK099901", 1500, 600, 150, 180, 270, 2.5,
     350, 200, 400, 350, 200, 610, 380, 70, 15, 15, 4.0, 3.5, 22, 35.0),
    ("BU09990103", "buurt", "WK099901", 900, 500, 300, 120, 80, 1.8,
     100, 150, 250, 200, 200, 520, 200, 20, 60, 20, 14.0, 13.0, 66, 22.0),
    ("WK099902", "wijk", "GM0999", 1600, 730, 330, 200, 200, 2.2,
     260, 200, 470, 400, 270, 750, 290, 52, 28, 20, 7.0, 7.5, 40, 29.0),
    ("BU09990201", "buurt", "WK099902", 1200, 550, 250, 150, 150, 2.2,
     200, 150, 350, 300, 200, 560, 300, 50, 30, 20, 8.0, 8.5, 33, 30.0),
    ("BU09990202", "buurt", "WK099902", 400, 180, 80, 50, 50, 2.2,
     60, 50, 120, 100, 70, 190, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN),
]  # fmt: skip
SUPPRESSED = "BU09990202"


def small_frame() -> pd.DataFrame:
    frame = pd.DataFrame(_ROWS, columns=_COLS)
    frame["gemeente_code"] = "GM0999"
    frame["name"] = None
    return frame


def buurten(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["level"] == "buurt"].set_index("code")


def rows(frame: pd.DataFrame) -> Iterator[tuple[str, pd.Series]]:
    for code, row in frame.iterrows():
        yield str(code), row


def area_row(code: str) -> pd.Series:
    row = small_frame().set_index("code").loc[code]
    assert isinstance(row, pd.Series)
    return row


@pytest.fixture(scope="module")
def result() -> SynthResult:
    return SyntheticPopulation(2019).generate(small_frame(), "GM0999", np.random.default_rng(42))


def with_buurt(res: SynthResult) -> pd.DataFrame:
    """Households joined to their dwelling's buurt and owner."""
    d = res.dwellings[["dwelling_id", "buurt_code", "owner", "status"]]
    return res.households.merge(d, on="dwelling_id", how="left", validate="one_to_one")


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


# --------------------------------------------------------------------------
# shape and determinism
# --------------------------------------------------------------------------
def test_columns_are_the_store_schema_without_source(result: SynthResult) -> None:
    assert list(result.dwellings.columns) == [c for c, _ in DWELLING_COLUMNS if c != "source"]
    assert list(result.households.columns) == [c for c, _ in HOUSEHOLD_COLUMNS if c != "source"]
    fit_store = [c for c, _ in TABLES["synth_fit"] if c not in ("seed", "source")]
    assert list(result.fit.columns) == fit_store == list(FIT_COLUMNS)
    # BIGINT columns are integers, BOOLEAN columns booleans
    for cols, frame in (
        (DWELLING_COLUMNS, result.dwellings),
        (HOUSEHOLD_COLUMNS, result.households),
    ):
        for name, sqltype in cols:
            if name == "source":
                continue
            kind = frame[name].dtype.kind
            if sqltype == "BIGINT":
                assert kind == "i", name
            elif sqltype == "BOOLEAN":
                assert kind == "b", name
            elif sqltype == "DOUBLE":
                assert kind == "f", name


def test_same_seed_identical_bytes_different_seed_different() -> None:
    sp = SyntheticPopulation(2019)
    a = sp.generate(small_frame(), "GM0999", np.random.default_rng(7))
    b = sp.generate(small_frame(), "GM0999", np.random.default_rng(7))
    c = sp.generate(small_frame(), "GM0999", np.random.default_rng(8))
    for name in ("dwellings", "households", "fit"):
        assert parquet_bytes(getattr(a, name)) == parquet_bytes(getattr(b, name))
    assert a.notes == b.notes
    assert a.seed == 7
    assert parquet_bytes(a.households) != parquet_bytes(c.households)
    assert not a.households["income"].equals(c.households["income"])


def test_rng_state_reproduces_the_run() -> None:
    sp = SyntheticPopulation(2019)
    a = sp.generate(small_frame(), "GM0999", np.random.default_rng(np.random.SeedSequence(123)))
    rng = np.random.default_rng()
    rng.bit_generator.state = dict(a.rng_state)
    b = sp.generate(small_frame(), "GM0999", rng)
    pd.testing.assert_frame_equal(a.households, b.households)


# --------------------------------------------------------------------------
# marginals
# --------------------------------------------------------------------------
def test_households_per_buurt_exact(result: SynthResult) -> None:
    hb = with_buurt(result)
    counts = hb.groupby("buurt_code").size()
    expected = buurten(small_frame())["households"]
    assert counts.reindex(expected.index).tolist() == expected.astype(int).tolist()
    fit = result.fit[result.fit["concept"] == "households"]
    assert (fit["target"] == fit["generated"]).all()


def test_dwellings_status_and_one_household_per_dwelling(result: SynthResult) -> None:
    d = result.dwellings
    frame = buurten(small_frame())
    per_buurt = d.groupby("buurt_code").size()
    # every buurt here has more dwellings than households: the CBS stock exactly
    assert per_buurt.reindex(frame.index).tolist() == frame["dwellings"].astype(int).tolist()
    occupied = d[d["status"] == "bewoond"]
    assert set(d["status"]) == {"bewoond", "leeg"}
    assert result.households["dwelling_id"].is_unique
    assert set(result.households["dwelling_id"]) == set(occupied["dwelling_id"])
    assert d["dwelling_id"].is_unique
    assert result.households["household_id"].is_unique


def test_tenure_counts_within_one_dwelling(result: SynthResult) -> None:
    d = result.dwellings
    frame = buurten(small_frame())
    counts = pd.crosstab(d["buurt_code"], d["owner"])
    for code, row in rows(frame):
        if code == SUPPRESSED:
            row = area_row("WK099902")
        shares = np.array(
            [row["pct_corporation"], row["pct_other_landlords"], row["pct_owner_occupied"]]
        )
        n = counts.loc[code].sum()
        expected = shares / shares.sum() * n
        got = counts.loc[code, ["corporatie", "particuliere_verhuurder", "eigenaar_bewoner"]]
        assert np.all(np.abs(got.to_numpy() - expected) < 1.0), code
        assert n >= 100
        # in percentage points: within 100 / n < 1
        assert np.all(np.abs(100 * got.to_numpy() / n - 100 * shares / shares.sum()) <= 100 / n)


def test_household_kinds_exact_and_types_consistent_with_size(result: SynthResult) -> None:
    hb = with_buurt(result)
    frame = buurten(small_frame())
    kind = hb["type"].map(
        {
            "alleenstaand": "one_person_households",
            "paar": "households_without_children",
            "overig": "households_without_children",
            "paar_met_kinderen": "households_with_children",
            "eenouder": "households_with_children",
        }
    )
    got = pd.crosstab(hb["buurt_code"], kind)
    for col in ("one_person_households", "households_without_children", "households_with_children"):
        assert got[col].reindex(frame.index).tolist() == frame[col].astype(int).tolist()
    size = hb["size"]
    t = hb["type"]
    assert (size[t == "alleenstaand"] == 1).all()
    assert (size[t == "paar"] == 2).all()
    assert (size[t == "paar_met_kinderen"] >= 3).all()
    assert (size[t == "eenouder"] >= 2).all()
    assert (size[t == "overig"] >= 2).all()
    assert (hb["age_head"] >= 18).all()


def test_persons_close_to_inhabitants(result: SynthResult) -> None:
    hb = with_buurt(result)
    persons = hb.groupby("buurt_code")["size"].sum()
    inh = buurten(small_frame())["inhabitants"]
    # inhabitants / households agrees with the average size in every buurt here
    rel = (persons.reindex(inh.index) - inh).abs() / inh
    assert rel.max() <= 0.01


def test_income_shares_reproduced_by_the_thresholds(result: SynthResult) -> None:
    p = income_params(2019)
    hb = with_buurt(result)
    hb["low"] = is_low_income(p, hb["income"], hb["size"])
    hb["sm"] = is_social_minimum(p, hb["income"], hb["size"], hb["type"], hb["age_head"])
    share = hb.groupby("buurt_code")[["low", "sm"]].mean() * 100
    n = hb.groupby("buurt_code").size()
    frame = buurten(small_frame())
    wijk = area_row("WK099902")
    for code, row in rows(frame):
        src = wijk if code == SUPPRESSED else row
        tol = 50.0 / n[code] + 1e-9
        assert abs(share.loc[code, "low"] - src["pct_low_income_households"]) <= tol, code
        assert abs(share.loc[code, "sm"] - src["pct_households_social_minimum"]) <= tol, code


def test_bijstand_households_live_around_the_social_minimum(result: SynthResult) -> None:
    p = income_params(2019)
    hb = with_buurt(result)
    bij = hb[hb["income_source"] == "uitkering"]
    counts = bij.groupby("buurt_code").size()
    frame = buurten(small_frame())
    for code, row in rows(frame):
        # the suppressed buurt gets the wijk's rate: 40 persons per 1 600 inhabitants
        persons = 40 / 1600 * row["inhabitants"] if code == SUPPRESSED else row["bijstand_persons"]
        assert counts.get(code, 0) == round(persons / 1.1), code
    assert (bij["age_head"] < p.aow_age).all()
    sm = social_minimum_threshold(p, bij["size"], bij["type"], bij["age_head"])
    li = low_income_threshold(p, bij["size"])
    ratio = bij["income"].to_numpy() / np.minimum(sm, li)
    assert ratio.min() >= 0.95 and ratio.max() < 1.0


def test_segments_follow_rent_and_woz_limits(result: SynthResult) -> None:
    d = result.dwellings
    p = income_params(2019)
    rented = d[d["owner"] != "eigenaar_bewoner"]
    owned = d[d["owner"] == "eigenaar_bewoner"]
    assert rented["rent"].notna().all() and rented["woz_value"].isna().all()
    assert owned["woz_value"].notna().all() and owned["rent"].isna().all()
    expected_rent = np.where(
        rented["rent"] <= 720.42, "sociale_huur",
        np.where(rented["rent"] <= p.middenhuur_limit, "middenhuur", "vrije_huur"),
    )  # fmt: skip
    assert (rented["segment"].to_numpy() == expected_rent).all()
    expected_own = np.where(owned["woz_value"] <= 290_000, "koop_betaalbaar", "koop_duur")
    assert (owned["segment"].to_numpy() == expected_own).all()
    corp = d[d["owner"] == "corporatie"]
    assert (corp["segment"] == "sociale_huur").mean() >= 0.9


def test_woz_level_reproduced(result: SynthResult) -> None:
    fit = result.fit[result.fit["concept"] == "avg_woz"].set_index("area_code")
    frame = buurten(small_frame())
    for code, row in rows(frame):
        target = 290.0 if code == SUPPRESSED else float(row["avg_woz"])
        assert fit["target"][code] == target
        # each value is rounded to 1 000 euro: the mean moves by at most 0.5
        assert abs(float(fit["generated"][code]) - target) <= 0.5
    # owner-occupied dwellings are worth more than the buurt average
    d = result.dwellings
    owned = d[d["owner"] == "eigenaar_bewoner"].groupby("buurt_code")["woz_value"].mean()
    assert (owned / 1000 > frame["avg_woz"].fillna(290.0).reindex(owned.index)).all()


# --------------------------------------------------------------------------
# layout
# --------------------------------------------------------------------------
def test_portieken_complexes_streets_nest_and_respect_bounds(result: SynthResult) -> None:
    d = result.dwellings
    assert (d.groupby("portiek_code")["complex_code"].nunique() == 1).all()
    assert (d.groupby("complex_code")["buurt_code"].nunique() == 1).all()
    assert (d.groupby("complex_code")["straat_code"].nunique() == 1).all()
    assert (d.groupby("straat_code")["buurt_code"].nunique() == 1).all()
    assert (d.groupby("buurt_code")["wijk_code"].nunique() == 1).all()
    prefix = [
        p.startswith(c + "-P") and c.startswith(b + "-C") and i.startswith(p + "-")
        for i, p, c, b in zip(
            d["dwelling_id"], d["portiek_code"], d["complex_code"], d["buurt_code"], strict=True
        )
    ]
    assert all(prefix)
    assert d["straat_code"].str.match(r"^BU\d{8}-S\d{2,}$").all()
    assert d["wijk_code"].str.slice(2, 8).eq(d["buurt_code"].str.slice(2, 8)).all()
    p_size = d.groupby("portiek_code").size()
    c_size = d.groupby("complex_code").size()
    assert p_size.between(4, 12).all()
    assert c_size.between(20, 400).all()
    per_street = d.groupby("straat_code")["complex_code"].nunique()
    assert per_street.mean() >= 2


def test_corporation_stock_concentrated_in_complexes(result: SynthResult) -> None:
    d = result.dwellings.assign(corp=lambda x: x["owner"] == "corporatie")
    share = d.groupby("complex_code")["corp"].mean()
    corp_complexes = share[share > 0.5]
    assert len(corp_complexes) >= 5
    assert corp_complexes.mean() >= 0.8
    # and owner-occupied dwellings sit in complexes that are mostly owner-occupied
    own = d.assign(own=lambda x: x["owner"] == "eigenaar_bewoner").groupby("complex_code")["own"]
    own_share = own.mean()
    own_of_dwelling = d["complex_code"].map(own_share)[d["owner"] == "eigenaar_bewoner"]
    assert own_of_dwelling.mean() >= 0.8


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(*(st.integers(0, 1500) for _ in range(3))), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
)
def test_layout_bounds_hold_for_any_tenure(tenure: list[tuple[int, int, int]], seed: int) -> None:
    t = np.array(tenure, dtype=np.int64)
    lay = build_layout(t, np.random.default_rng(seed))
    # owner counts per buurt are kept exactly
    got = np.zeros_like(t)
    np.add.at(got, (lay.buurt, lay.owner), 1)
    assert (got == t).all()
    sizes = np.bincount(lay.complex, minlength=len(lay.complex_buurt))
    assert (sizes == lay.complex_size).all()
    total = t.sum(axis=1)[lay.complex_buurt]
    big = total >= 20
    assert ((sizes[big] >= 20) & (sizes[big] <= 400)).all()
    assert (sizes[~big] == total[~big]).all()  # a tiny buurt is one complex
    key = lay.complex * 1000 + lay.portiek_no
    uniq, first, p_sizes = np.unique(key, return_index=True, return_counts=True)
    c_of_p = lay.complex[first]
    ok = (p_sizes >= 4) & (p_sizes <= 12)
    # a complex smaller than the portiek minimum is a single portiek
    assert np.where(sizes[c_of_p] >= 4, ok, p_sizes == sizes[c_of_p]).all()
    assert len(uniq) == lay.complex_portieken.sum()


def test_year_2024_uses_its_own_limits() -> None:
    res = SyntheticPopulation(2024).generate(small_frame(), "GM0999", np.random.default_rng(11))
    p = income_params(2024)
    # in 2024 the social minimum of a single person lies above the low-income limit
    assert (
        social_minimum_threshold(p, [1], ["alleenstaand"], [40])[0]
        > low_income_threshold(p, [1])[0]
    )
    hb = with_buurt(res)
    hb["low"] = is_low_income(p, hb["income"], hb["size"])
    hb["sm"] = is_social_minimum(p, hb["income"], hb["size"], hb["type"], hb["age_head"])
    share = hb.groupby("buurt_code")[["low", "sm"]].mean() * 100
    n = hb.groupby("buurt_code").size()
    frame = buurten(small_frame()).drop(index=SUPPRESSED)
    for code, row in rows(frame):
        tol = 50.0 / n[code] + 1e-9
        assert abs(share.loc[code, "low"] - row["pct_low_income_households"]) <= tol
        assert abs(share.loc[code, "sm"] - row["pct_households_social_minimum"]) <= tol
    rented = res.dwellings[res.dwellings["owner"] != "eigenaar_bewoner"]
    social = rented["segment"] == "sociale_huur"
    assert (social == (rented["rent"] <= 879.66)).all()


# --------------------------------------------------------------------------
# suppressed, derived and adjusted targets
# --------------------------------------------------------------------------
def test_suppressed_values_borrowed_from_wijk_with_note(result: SynthResult) -> None:
    fit = result.fit[result.fit["area_code"] == SUPPRESSED].set_index("concept")
    for concept in (
        "pct_low_income_households",
        "pct_households_social_minimum",
        "pct_corporation",
        "avg_woz",
        "bijstand_households",
        "avg_income_per_inhabitant",
    ):
        assert fit.loc[concept, "borrowed_from"] == "WK099902", concept
    assert fit.loc["pct_low_income_households", "target"] == 7.0
    assert bool(fit["borrowed_from"].isna()["households"])
    own = result.fit[result.fit["area_code"] != SUPPRESSED]
    assert own["borrowed_from"].isna().all()
    assert (
        "Buurt BU09990202: percentage huishoudens met een laag inkomen onderdrukt door CBS; "
        "overgenomen van wijk WK099902." in result.notes
    )
    assert sum(SUPPRESSED in n for n in result.notes) == 6


def test_suppressed_households_are_derived() -> None:
    frame = small_frame()
    frame.loc[frame["code"] == "BU09990102", "households"] = NAN
    res = SyntheticPopulation(2019).generate(frame, "GM0999", np.random.default_rng(3))
    n = (with_buurt(res)["buurt_code"] == "BU09990102").sum()
    assert n == round(1500 / 2.5)
    fit = res.fit[(res.fit["area_code"] == "BU09990102") & (res.fit["concept"] == "households")]
    assert fit["borrowed_from"].tolist() == [DERIVED]
    assert any(
        "BU09990102: aantal huishoudens onderdrukt door CBS; afgeleid" in note for note in res.notes
    )


def test_more_households_than_dwellings_adds_dwellings() -> None:
    frame = small_frame()
    frame.loc[frame["code"] == "BU09990103", "dwellings"] = 450
    res = SyntheticPopulation(2019).generate(frame, "GM0999", np.random.default_rng(3))
    d = res.dwellings[res.dwellings["buurt_code"] == "BU09990103"]
    assert len(d) == 500 and (d["status"] == "bewoond").all()
    fit = res.fit[(res.fit["area_code"] == "BU09990103") & (res.fit["concept"] == "dwellings")]
    assert fit[["target", "generated"]].to_numpy().tolist() == [[450.0, 500.0]]
    assert (
        "Buurt BU09990103: meer huishoudens (500) dan woningen (450); 50 woningen toegevoegd."
        in res.notes
    )


def test_tiny_buurt_gets_one_small_complex() -> None:
    frame = small_frame()
    row = frame["code"] == "BU09990202"
    frame.loc[row, ["households", "one_person_households", "households_without_children"]] = [
        10,
        5,
        3,
    ]
    frame.loc[row, ["households_with_children", "inhabitants", "dwellings"]] = [2, 20, 12]
    res = SyntheticPopulation(2019).generate(frame, "GM0999", np.random.default_rng(5))
    d = res.dwellings[res.dwellings["buurt_code"] == "BU09990202"]
    assert len(d) == 12 and d["complex_code"].nunique() == 1
    assert d.groupby("portiek_code").size().between(4, 12).all()


def test_unresolvable_value_needs_a_fallback() -> None:
    frame = small_frame()
    frame.loc[frame["code"].isin(["WK099902", "GM0999"]), "pct_low_income_households"] = NAN
    sp = SyntheticPopulation(2019)
    with pytest.raises(InputError, match=r"pct_low_income_households.*fallback"):
        sp.generate(frame, "GM0999", np.random.default_rng(1))
    res = SyntheticPopulation(2019, fallback={"pct_low_income_households": 5.0}).generate(
        frame, "GM0999", np.random.default_rng(1)
    )
    fit = res.fit.set_index(["area_code", "concept"])
    assert fit.loc[(SUPPRESSED, "pct_low_income_households"), "borrowed_from"] == FALLBACK
    assert fit.loc[(SUPPRESSED, "pct_low_income_households"), "target"] == 5.0


def test_bad_inputs_raise_input_errors() -> None:
    sp = SyntheticPopulation(2019)
    rng = np.random.default_rng(1)
    with pytest.raises(InputError, match="no buurten for this gemeente"):
        sp.generate(small_frame(), "GM0363", rng)
    with pytest.raises(InputError, match="unknown gemeente"):
        sp.generate(small_frame(), "Atlantis", rng)
    with pytest.raises(InputError, match="missing column"):
        sp.generate(small_frame().drop(columns="households"), "GM0999", rng)
    with pytest.raises(InputError, match="no income parameters for this year"):
        SyntheticPopulation(2015).generate(small_frame(), "GM0999", rng)
    with pytest.raises(InputError, match="complex size"):
        SyntheticPopulation(2019, complex_size=(20, 50)).generate(small_frame(), "GM0999", rng)
    dup = pd.concat([small_frame(), small_frame().iloc[[2]]], ignore_index=True)
    with pytest.raises(InputError, match="buurt occurs twice"):
        sp.generate(dup, "GM0999", rng)


def test_fit_summary(result: SynthResult) -> None:
    s = result.fit_summary().set_index("concept")
    assert s.loc["households", "buurten"] == 5
    assert s.loc["households", "max_abs_error"] == 0.0
    assert s.loc["one_person_households", "max_abs_error"] == 0.0
    fit = result.fit[result.fit["concept"] == "pct_low_income_households"]
    err = (fit["generated"] - fit["target"]).abs()
    assert s.loc["pct_low_income_households", "mean_abs_error"] == pytest.approx(err.mean())
    assert s.loc["pct_low_income_households", "max_abs_error"] == pytest.approx(err.max())
    assert list(s.columns) == ["label", "buurten", "mean_abs_error", "max_abs_error"]


# --------------------------------------------------------------------------
# income thresholds (closed form)
# --------------------------------------------------------------------------
def test_income_thresholds_closed_form() -> None:
    p = income_params(2019)
    # CPI 2000 -> 2019 from the yearly changes 2001..2019
    changes = [4.2, 3.3, 2.1, 1.2, 1.7, 1.1, 1.6, 2.5, 1.2, 1.3, 2.3, 2.5, 2.5, 1.0, 0.6,
               0.3, 1.4, 1.7, 2.6]  # fmt: skip
    limit = 9249 * float(np.prod([1 + c / 100 for c in changes]))
    assert p.low_income_limit_single == pytest.approx(limit)
    assert low_income_threshold(p, [1, 4])[1] == pytest.approx(limit * 1.86 * 1.15)
    assert EQUIVALENCE_FACTORS[3] == 1.86 and GROSS_PER_DISPOSABLE == 1.15
    # single, 40 years: 101 % of the bijstand norm 12 140, gross
    t = 1.01 * 12140 * 1.15
    assert social_minimum_threshold(p, [1], ["alleenstaand"], [40])[0] == pytest.approx(t)
    assert is_social_minimum(
        p, [t - 1, t + 1], [1, 1], ["alleenstaand"] * 2, [40, 40]
    ).tolist() == [
        True,
        False,
    ]
    # couple with two children, 40: couple norm + 2 children
    t4 = 1.01 * (17340 + 2 * 2100) * 1.15
    assert social_minimum_threshold(p, [4], ["paar_met_kinderen"], [40])[0] == pytest.approx(t4)
    # one parent with one child: single norm + 1 child
    t2 = 1.01 * (12140 + 2100) * 1.15
    assert social_minimum_threshold(p, [2], ["eenouder"], [40])[0] == pytest.approx(t2)
    # pensioner couple (AOW age 66 and 4 months in 2019): the AOW norm
    assert social_minimum_threshold(p, [2], ["paar"], [67])[0] == pytest.approx(1.01 * 20280 * 1.15)
    assert social_minimum_threshold(p, [2], ["paar"], [66])[0] == pytest.approx(1.01 * 17340 * 1.15)
    assert p.liberalisation_limit == 720.42
    assert income_params(2024).liberalisation_limit == 879.66
    assert set(p.sources) >= {"low_income_limit_single", "liberalisation_limit", "aow_age"}


# --------------------------------------------------------------------------
# real data: Den Haag, KWB 2019
# --------------------------------------------------------------------------
_KWB_KEYS = {
    "AantalInwoners_5": "inhabitants",
    "k_0Tot15Jaar_8": "age_0_15",
    "k_15Tot25Jaar_9": "age_15_25",
    "k_25Tot45Jaar_10": "age_25_45",
    "k_45Tot65Jaar_11": "age_45_65",
    "k_65JaarOfOuder_12": "age_65_plus",
    "HuishoudensTotaal_28": "households",
    "Eenpersoonshuishoudens_29": "one_person_households",
    "HuishoudensZonderKinderen_30": "households_without_children",
    "HuishoudensMetKinderen_31": "households_with_children",
    "GemiddeldeHuishoudensgrootte_32": "avg_household_size",
    "Woningvoorraad_34": "dwellings",
    "GemiddeldeWoningwaarde_35": "avg_woz",
    "Koopwoningen_40": "pct_owner_occupied",
    "InBezitWoningcorporatie_42": "pct_corporation",
    "InBezitOverigeVerhuurders_43": "pct_other_landlords",
    "GemiddeldInkomenPerInwoner_72": "avg_income_per_inhabitant",
    "HuishoudensMetEenLaagInkomen_78": "pct_low_income_households",
    "HuishOnderOfRondSociaalMinimum_79": "pct_households_social_minimum",
    "PersonenPerSoortUitkeringBijstand_83": "bijstand_persons",
}


def read_denhaag_2019() -> pd.DataFrame:
    """Parse the StatLine CSV: ';', quoted, BOM, padded values, '.' = suppressed."""
    path = resources.files("wijkmix") / "data" / "kwb" / "denhaag_kwb-2019_84583NED_statline.csv"
    with resources.as_file(path) as p:
        raw = pd.read_csv(p, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    raw = raw.apply(lambda s: s.str.strip())
    code = raw["Codering_3"]
    level = code.str.slice(0, 2).map({"GM": "gemeente", "WK": "wijk", "BU": "buurt"})
    out = pd.DataFrame({"code": code, "level": level})
    out["parent"] = np.where(
        level == "buurt",
        "WK" + code.str.slice(2, 8),
        np.where(level == "wijk", "GM" + code.str.slice(2, 6), None),
    )
    out["gemeente_code"] = "GM0518"
    for key, concept in _KWB_KEYS.items():
        out[concept] = pd.to_numeric(raw[key].replace(".", ""), errors="coerce")
    return out


def test_denhaag_2019_households_within_one_percent() -> None:
    frame = read_denhaag_2019()
    assert (frame["level"] == "buurt").sum() == 114
    res = SyntheticPopulation(2019).generate(frame, "GM0518", np.random.default_rng(2019))
    d = res.dwellings[["dwelling_id", "buurt_code"]]
    got = res.households.merge(d, on="dwelling_id").groupby("buurt_code").size()
    published = buurten(frame)["households"].dropna()
    assert len(published) == 114
    got = got.reindex(published.index, fill_value=0)
    nonzero = published > 0
    assert ((got[nonzero] - published[nonzero]).abs() <= 0.01 * published[nonzero]).all()
    assert (got[~nonzero] == 0).all()
    # the income shares where CBS publishes them (100+ households), by the thresholds
    p = income_params(2019)
    hb = res.households.merge(d, on="dwelling_id")
    hb["low"] = is_low_income(p, hb["income"], hb["size"])
    low = hb.groupby("buurt_code")["low"].mean() * 100
    n = hb.groupby("buurt_code").size()
    cbs = buurten(frame)["pct_low_income_households"].dropna()
    err = (low.reindex(cbs.index) - cbs).abs()
    assert (err <= 50.0 / n.reindex(cbs.index) + 1e-9).all()
    # the tiny buurt without any figure but one dwelling borrows from the gemeente
    assert any(n.startswith("Buurt BU05180170: eigendomsverdeling") for n in res.notes)
