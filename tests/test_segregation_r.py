"""Agreement with the R package ``segregation`` (Elbers) to 1e-9.

The reference values were computed by the R package on the tables in
tests/data/r_segregation (see its README for version and provenance).
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from wijkmix.measures import segregation as seg
from wijkmix.measures.decompose import decompose

DATA = Path(__file__).parent / "data" / "r_segregation"
TABLES = pd.read_csv(
    DATA / "tables.csv",
    dtype={"unit": str, "parent": str, "group": str},
    keep_default_na=False,
)
REF = json.loads((DATA / "reference.json").read_text(encoding="utf-8"))


def _wide(name: str) -> pd.DataFrame:
    x = TABLES[TABLES["table"] == name]
    return x.pivot_table(index="unit", columns="group", values="n", aggfunc="sum")


@pytest.mark.parametrize("name", ["A", "B", "C"])
def test_m_h_and_dissimilarity_match_r(name):
    t, r = _wide(name), REF[name]
    assert seg.mutual_information(t) == pytest.approx(r["M"], abs=1e-9)
    assert seg.theil_h(t) == pytest.approx(r["H"], abs=1e-9)
    assert seg.dissimilarity(t[["g1", "g2"]]) == pytest.approx(r["D_g1_g2"], abs=1e-9)


@pytest.mark.parametrize("name", ["A", "B", "C"])
def test_local_scores_match_r(name):
    x = TABLES[TABLES["table"] == name]
    dec = decompose(x, {"unit": "unit"}, group="group", weight="n")
    ls = dec.units["unit"].set_index("code")["ls"]
    assert set(ls.index) == set(REF[name]["local"])
    for unit, want in REF[name]["local"].items():
        assert ls[unit] == pytest.approx(want, abs=1e-9)


def test_within_and_between_decomposition_matches_r():
    x = TABLES[TABLES["table"] == "C"]
    dec = decompose(x, {"unit": "unit", "parent": "parent"}, group="group", weight="n")
    comp = dec.components.set_index("level")
    r = REF["C"]
    assert comp.loc["parent", "m"] == pytest.approx(r["M_between_parents"], abs=1e-9)
    assert comp.loc["unit", "m"] == pytest.approx(r["M_within_parents"], abs=1e-9)
    assert comp.loc["unit", "h"] == pytest.approx(r["H_within_parents"], abs=1e-9)
    assert dec.m == pytest.approx(r["M"], abs=1e-9)
