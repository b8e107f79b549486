import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkmix.errors import InputError
from wijkmix.measures.change import LABELS, decompose_change, panel_change


def test_scalar_terms_by_hand():
    # X_0 = 0.5*20 + 0.5*30 = 25; X_T = 0.6*24 + 0.4*40 = 30.4; dX = 5.4
    t = decompose_change(20.0, 24.0, 30.0, 40.0, 0.5, 0.6)
    assert float(t.stayers) == pytest.approx(0.6 * 4)  # w_T (S_T - S_0)
    assert float(t.replacement) == pytest.approx(0.4 * 10)  # (1 - w_T)(N_T - L_0)
    assert float(t.shift) == pytest.approx(0.1 * -10)  # (w_T - w_0)(S_0 - L_0)
    assert float(t.total) == pytest.approx(5.4)


def test_arrays_and_empty_groups():
    nan = np.nan
    t = decompose_change(
        s0=[nan, 10.0, 10.0],
        sT=[nan, 12.0, 12.0],
        l0=[5.0, nan, 20.0],
        nT=[9.0, 16.0, nan],
        w0=[0.0, 1.0, 0.5],
        wT=[0.0, 0.5, 1.0],
    )
    # no stayers: everything is replacement, 9 - 5
    assert t.stayers[0] == 0.0 and t.shift[0] == 0.0 and t.replacement[0] == 4.0
    # no leavers: X_0 = 10, X_T = 0.5*12 + 0.5*16 = 14; L_0 taken as S_0
    assert t.stayers[1] == 1.0 and t.replacement[1] == 3.0 and t.shift[1] == 0.0
    assert t.total[1] == 4.0
    # no newcomers: X_0 = 15, X_T = 12; replacement 0, shift 0.5 * (10 - 20) = -5
    assert t.stayers[2] == 2.0 and t.replacement[2] == 0.0 and t.shift[2] == -5.0
    assert t.total[2] == -3.0


def test_missing_mean_propagates():
    t = decompose_change(10.0, np.nan, 20.0, 30.0, 0.5, 0.5)
    assert np.isnan(t.stayers) and np.isnan(t.total)
    assert float(t.replacement) == 5.0


def test_validation():
    with pytest.raises(InputError, match="field 'wT'"):
        decompose_change(1, 1, 1, 1, 0.5, 1.2)
    with pytest.raises(InputError, match="inconsistent stayer shares"):
        decompose_change(1, 1, 1, 1, 0.0, 0.5)
    with pytest.raises(InputError, match="field 's0'"):
        decompose_change("veel", 1, 1, 1, 0.5, 0.5)


def _panel():
    f0 = pd.DataFrame(
        {
            "household_id": ["h1", "h2", "h3", "h5", "h6", "h8", "h10", "h11"],
            "area_code": ["A", "A", "A", "B", "C", "E", "F", "F"],
            "value": [10.0, 20.0, 30.0, 40.0, 10.0, 5.0, 10.0, 20.0],
        }
    )
    fT = pd.DataFrame(
        {
            "household_id": ["h1", "h2", "h4", "h5", "h3", "h7", "h9", "h10"],
            "area_code": ["A", "A", "A", "B", "B", "D", "E", "F"],
            "value": [14.0, 22.0, 50.0, 40.0, 36.0, 1.0, 9.0, 12.0],
        }
    )
    return f0, fT


def test_panel_by_hand():
    t = panel_change(*_panel()).table
    assert t.index.tolist() == ["A", "B", "C", "D", "E", "F"]
    a = t.loc["A"]
    # stayers h1, h2 (S_0 = 15, S_T = 18); leaver h3 (30, moved to B); newcomer h4 (50)
    assert (a["n_stayers"], a["n_leavers"], a["n_newcomers"]) == (2, 1, 1)
    assert (a["s0"], a["sT"], a["l0"], a["nT"]) == (15.0, 18.0, 30.0, 50.0)
    assert a["w0"] == pytest.approx(2 / 3) and a["wT"] == pytest.approx(2 / 3)
    # X_0 = 20, X_T = 86/3; stayers 2/3 * 3 = 2, replacement 1/3 * 20, shift 0
    assert a["delta"] == pytest.approx(86 / 3 - 20)
    assert a["stayers"] == pytest.approx(2.0)
    assert a["replacement"] == pytest.approx(20 / 3)
    assert a["shift"] == pytest.approx(0.0)
    b = t.loc["B"]
    # stayer h5 (40 -> 40); no leavers; newcomer h3 (36): w_0 = 1, w_T = 1/2
    assert (b["n_stayers"], b["n_leavers"], b["n_newcomers"]) == (1, 0, 1)
    assert (b["w0"], b["wT"]) == (1.0, 0.5)
    assert (b["stayers"], b["replacement"], b["shift"], b["delta"]) == (0.0, -2.0, 0.0, -2.0)
    # C: everyone left, nobody came: X_T undefined; D: nobody at t0
    assert t.loc["C", ["n_leavers"]].tolist() == [1]
    assert (
        t.loc[["C", "D"], ["delta", "stayers", "replacement", "shift", "total"]].isna().all().all()
    )
    # E: no stayers: 9 - 5 all replacement
    e = t.loc["E"]
    assert (e["stayers"], e["replacement"], e["shift"], e["total"]) == (0.0, 4.0, 0.0, 4.0)
    # F: no newcomers: X_0 = 15, X_T = 12; stayers 1 * 2, shift 0.5 * (10 - 20)
    f = t.loc["F"]
    assert (f["stayers"], f["replacement"], f["shift"], f["delta"]) == (2.0, 0.0, -5.0, -3.0)
    assert set(t.columns) <= set(LABELS)


def test_panel_errors():
    f0, fT = _panel()
    dup = pd.concat([f0, f0.iloc[:1]], ignore_index=True)
    with pytest.raises(InputError, match=r"household occurs twice in frame0, row 9"):
        panel_change(dup, fT)
    bad = fT.assign(value=[1.0, None, 1, 1, 1, 1, 1, 1])
    with pytest.raises(InputError, match=r"frameT, row 2, column 'value'"):
        panel_change(f0, bad)
    with pytest.raises(InputError, match="column 'income'"):
        panel_change(f0, fT, value="income")


AREAS = st.sampled_from([None, "A", "B", "C"])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            AREAS,
            AREAS,
            st.floats(-100, 100, allow_nan=False),
            st.floats(-100, 100, allow_nan=False),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_terms_add_up_on_random_panels(rows):
    rows = [r for r in rows if r[0] is not None or r[1] is not None]
    if not rows:
        return
    f0 = pd.DataFrame(
        [(i, a0, v0) for i, (a0, _, v0, _) in enumerate(rows) if a0 is not None],
        columns=["household_id", "area_code", "value"],
    )
    fT = pd.DataFrame(
        [(i, aT, vT) for i, (_, aT, _, vT) in enumerate(rows) if aT is not None],
        columns=["household_id", "area_code", "value"],
    )
    t = panel_change(f0, fT).table
    # every household at t0 is a stayer or a leaver of its area, at T a stayer or newcomer
    at0 = f0.groupby("area_code").size().reindex(t.index, fill_value=0)
    atT = fT.groupby("area_code").size().reindex(t.index, fill_value=0)
    assert (t["n_stayers"] + t["n_leavers"]).tolist() == at0.tolist()
    assert (t["n_stayers"] + t["n_newcomers"]).tolist() == atT.tolist()
    defined = (at0 > 0) & (atT > 0)
    assert t["delta"].notna().tolist() == defined.tolist()
    assert t["total"].notna().tolist() == defined.tolist()
    gap = (t["total"] - t["delta"])[defined].abs()
    assert (gap <= 1e-12).all()


@settings(max_examples=80, deadline=None)
@given(
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.floats(0.01, 1.0),
    st.floats(0.01, 1.0),
)
def test_identity_for_any_numbers(s0, sT, l0, nT, w0, wT):
    t = decompose_change(s0, sT, l0, nT, w0, wT)
    x0 = w0 * s0 + (1 - w0) * l0
    xT = wT * sT + (1 - wT) * nT
    assert float(t.total) == pytest.approx(xT - x0, abs=1e-9)
