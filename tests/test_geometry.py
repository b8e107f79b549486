"""Tests of wijkmix.io.geometry on the real 2019 boundaries and hand-made grids."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from wijkmix.errors import InputError, InputErrors
from wijkmix.io.geometry import (
    NEIGHBOUR_TOLERANCE,
    BoundaryTable,
    import_geometry,
    join_boundaries,
    neighbours,
    read_boundaries,
    repair,
)
from wijkmix.store import open_store

GEO = Path(str(files("wijkmix") / "data" / "geo"))
DH_BUURT = GEO / "buurt_2019_GM0518.geojson"
DH_WIJK = GEO / "wijk_2019_GM0518.geojson"
AMS_BUURT = GEO / "buurt_2019_GM0363.geojson"
AMS_WIJK = GEO / "wijk_2019_GM0363.geojson"

ATTRIBUTION = "Kadaster / Centraal Bureau voor de Statistiek, 2019"


def _raw_features(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["features"]


@pytest.fixture(scope="module")
def dh_buurt() -> BoundaryTable:
    return read_boundaries(DH_BUURT)


# --------------------------------------------------------------------------- reading


def test_den_haag_buurten(dh_buurt: BoundaryTable) -> None:
    raw = _raw_features(DH_BUURT)
    assert len(raw) == 114
    assert len(dh_buurt.frame) == 114
    assert dh_buurt.level == "buurt"
    assert dh_buurt.year == 2019
    assert dh_buurt.source == "buurt_2019_GM0518.geojson"
    assert dh_buurt.attribution == ATTRIBUTION
    assert dh_buurt.missing_geometry == ()
    assert list(dh_buurt.frame.columns) == ["area_code", "level", "year", "name", "geometry"]
    assert set(dh_buurt.frame["level"]) == {"buurt"}
    assert set(dh_buurt.frame["year"]) == {2019}
    names = {f["properties"]["statcode"]: f["properties"]["statnaam"] for f in raw}
    assert dict(zip(dh_buurt.frame["area_code"], dh_buurt.frame["name"], strict=True)) == names
    # a valid feature keeps its coordinates exactly
    first = raw[0]
    row = dh_buurt.frame.set_index("area_code").loc[first["properties"]["statcode"]]
    assert json.loads(row["geometry"]) == first["geometry"]


def test_amsterdam_missing_geometries() -> None:
    t = read_boundaries(AMS_BUURT)
    assert len(t.frame) == 479
    assert t.missing_geometry == ("BU03633310", "BU03633501", "BU03635001", "BU03636400")
    g = t.frame.set_index("area_code")["geometry"]
    for code in t.missing_geometry:
        assert g[code] is None
    assert g.notna().sum() == 475
    assert len(t.shapes()) == 475


@pytest.mark.parametrize("path", [DH_BUURT, DH_WIJK, AMS_BUURT, AMS_WIJK])
def test_repaired_are_exactly_the_invalid_ones_and_become_valid(path: Path) -> None:
    t = read_boundaries(path)
    invalid = sorted(
        f["properties"]["statcode"]
        for f in _raw_features(path)
        if f["geometry"] is not None and not shape(f["geometry"]).is_valid
    )
    assert list(t.repaired) == invalid
    shapes = t.shapes()
    for code, geom in shapes.items():
        assert geom.is_valid, code
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        assert geom.area > 0
    # the stored text itself is valid (no repair needed when read back)
    for code in t.repaired:
        text = t.frame.set_index("area_code").loc[code, "geometry"]
        assert shapely.from_geojson(text).is_valid


def test_readme_examples_are_repaired() -> None:
    assert "BU05180908" in read_boundaries(DH_BUURT).repaired
    assert "BU03636701" in read_boundaries(AMS_BUURT).repaired
    assert "WK036364" in read_boundaries(AMS_WIJK).repaired


def test_repair_of_a_bow_tie_keeps_its_area() -> None:
    # a bow-tie ring: two triangles of area 1/4 each, meeting in (0.5, 0.5)
    bow = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    assert not bow.is_valid
    fixed = repair(bow)
    assert fixed.is_valid
    assert fixed.geom_type == "MultiPolygon"
    assert fixed.area == pytest.approx(0.5)
    square = shapely.box(0, 0, 1, 1)
    assert repair(square) is square


# --------------------------------------------------------------------------- levels


def test_level_parameter_contradicting_the_codes_is_an_error() -> None:
    with pytest.raises(InputErrors, match=r"features\[0\]\.properties\.statcode") as exc:
        read_boundaries(DH_BUURT, level="wijk")
    assert exc.value.errors[0].found == "BU05180170"
    assert "wijk code" in exc.value.errors[0].expected


def test_file_name_contradicting_the_codes_is_an_error(tmp_path: Path) -> None:
    wrong = tmp_path / "buurt_2019_GM0518.geojson"
    shutil.copy(DH_WIJK, wrong)
    with pytest.raises(InputError, match=r"features\[0\]\.properties\.statcode.*buurt code"):
        read_boundaries(wrong)
    # the right level given explicitly still fails on the rubriek property
    with pytest.raises(InputError, match=r"features\[0\]\.properties\.statcode"):
        read_boundaries(wrong, level="buurt")
    # an unknown level is refused
    with pytest.raises(InputError, match="unknown level"):
        read_boundaries(DH_WIJK, level="straat")


def test_level_and_year_without_file_name(tmp_path: Path) -> None:
    p = tmp_path / "grenzen.geojson"
    shutil.copy(DH_WIJK, p)
    t = read_boundaries(p)  # level from rubriek, year from jrstatcode
    assert (t.level, t.year, len(t.frame)) == ("wijk", 2019, 44)
    with pytest.raises(InputError, match="year contradicts the file name"):
        read_boundaries(DH_WIJK, year=2020)


def _grid_file(path: Path, squares: Mapping[str, tuple[float, float, float, float]]) -> Path:
    feats = []
    for code, (x0, y0, x1, y1) in squares.items():
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"statcode": code, "statnaam": code[-2:], "gmCode": "GM0001"},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def test_gmcode_must_match_the_code(tmp_path: Path) -> None:
    p = _grid_file(tmp_path / "buurt_2019_x.geojson", {"BU00020001": (0, 0, 1, 1)})
    with pytest.raises(InputError, match=r"features\[0\]\.properties\.gmCode"):
        read_boundaries(p)


def test_duplicate_code_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "buurt_2019_dup.geojson"
    _grid_file(p, {"BU00010001": (0, 0, 1, 1)})
    doc = json.loads(p.read_text())
    doc["features"].append(doc["features"][0])
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=r"occurs twice.*features\[1\]"):
        read_boundaries(p)


# --------------------------------------------------------------------------- neighbours


def test_neighbours_of_a_2x2_grid(tmp_path: Path) -> None:
    # A B      queen contiguity: A-B, C-D share an edge horizontally,
    # C D      A-C, B-D vertically, A-D and B-C only the centre point (1, 1)
    p = _grid_file(
        tmp_path / "buurt_2019_grid.geojson",
        {
            "BU00010001": (0, 1, 1, 2),  # A
            "BU00010002": (1, 1, 2, 2),  # B
            "BU00010003": (0, 0, 1, 1),  # C
            "BU00010004": (1, 0, 2, 1),  # D
        },
    )
    n = neighbours(read_boundaries(p))
    a, b, c, d = "BU00010001", "BU00010002", "BU00010003", "BU00010004"
    assert n == {a: [b, c, d], b: [a, c, d], c: [a, b, d], d: [a, b, c]}


def test_neighbours_of_a_3x3_grid_and_a_lonely_square(tmp_path: Path) -> None:
    # cells numbered 1..9 row by row:   1 2 3
    #                                   4 5 6
    #                                   7 8 9
    squares: dict[str, tuple[float, float, float, float]] = {}
    for k in range(9):
        row, col = divmod(k, 3)
        squares[f"BU000100{k + 1:02d}"] = (col, 2 - row, col + 1, 3 - row)
    squares["BU00010099"] = (10, 10, 11, 11)  # far away: no neighbours
    n = neighbours(read_boundaries(_grid_file(tmp_path / "buurt_2019_g.geojson", squares)))
    by_hand = {
        1: [2, 4, 5],
        2: [1, 3, 4, 5, 6],
        3: [2, 5, 6],
        4: [1, 2, 5, 7, 8],
        5: [1, 2, 3, 4, 6, 7, 8, 9],
        6: [2, 3, 5, 8, 9],
        7: [4, 5, 8],
        8: [4, 5, 6, 7, 9],
        9: [5, 6, 8],
    }
    expected = {f"BU000100{k:02d}": [f"BU000100{j:02d}" for j in v] for k, v in by_hand.items()}
    expected["BU00010099"] = []
    assert n == expected


def test_neighbour_tolerance(tmp_path: Path) -> None:
    # B lies 1e-7 to the right of A (rounding noise), C 1e-3 to the right of B (a street)
    p = _grid_file(
        tmp_path / "buurt_2019_t.geojson",
        {
            "BU00010001": (0, 0, 1, 1),
            "BU00010002": (1 + 1e-7, 0, 2, 1),
            "BU00010003": (2 + 1e-3, 0, 3, 1),
        },
    )
    t = read_boundaries(p)
    assert 1e-7 < NEIGHBOUR_TOLERANCE < 1e-3
    assert neighbours(t) == {
        "BU00010001": ["BU00010002"],
        "BU00010002": ["BU00010001"],
        "BU00010003": [],
    }
    assert all(v == [] for v in neighbours(t, tolerance=0).values())
    assert neighbours(t, tolerance=2e-3)["BU00010002"] == ["BU00010001", "BU00010003"]
    with pytest.raises(InputError, match="tolerance"):
        neighbours(t, tolerance=-1)


def test_neighbours_den_haag_symmetric_and_equal_to_brute_force(dh_buurt: BoundaryTable) -> None:
    n = neighbours(dh_buurt)
    assert set(n) == set(dh_buurt.codes())
    for a, ns in n.items():
        assert a not in ns
        for b in ns:
            assert a in n[b]
    # brute force over all pairs, independent of the STRtree
    shapes = dh_buurt.shapes()
    codes = sorted(shapes)
    brute: dict[str, list[str]] = {c: [] for c in codes}
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if shapes[a].distance(shapes[b]) <= NEIGHBOUR_TOLERANCE:
                brute[a].append(b)
                brute[b].append(a)
    assert n == {c: sorted(v) for c, v in brute.items()}
    assert sum(len(v) for v in n.values()) // 2 == 311


def test_neighbours_agree_with_libpysal_queen(dh_buurt: BoundaryTable) -> None:
    gpd = pytest.importorskip("geopandas")
    weights = pytest.importorskip("libpysal.weights")
    shapes = dh_buurt.shapes()
    gdf = gpd.GeoDataFrame(
        {"code": list(shapes)}, geometry=list(shapes.values()), crs="EPSG:4326"
    ).set_index("code")
    w = weights.Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
    assert neighbours(dh_buurt) == {k: sorted(v) for k, v in w.neighbors.items()}


def test_neighbours_from_a_store_frame_skip_missing_geometry() -> None:
    t = read_boundaries(AMS_BUURT)
    n_frame = neighbours(t.frame)
    assert n_frame == neighbours(t)
    assert not set(t.missing_geometry) & set(n_frame)
    assert len(n_frame) == 475


# --------------------------------------------------------------------------- join, store


def test_join_boundaries_reports_both_sides(dh_buurt: BoundaryTable) -> None:
    codes = dh_buurt.codes()
    areas = pd.DataFrame(
        {
            "code": [f"{c}  " for c in codes[:3]] + ["BU05189999", "WK051801"],
            "level": ["buurt"] * 4 + ["wijk"],
            "inwoners": [10, 20, 30, 40, 50],
        }
    )
    j = join_boundaries(dh_buurt, areas)
    assert len(j) == 115  # 114 boundaries + 1 buurt without boundary; the wijk is left out
    both = j[j["in_boundaries"] & j["in_areas"]]
    assert both["area_code"].tolist() == codes[:3]
    assert both["inwoners"].tolist() == [10, 20, 30]
    only_areas = j[~j["in_boundaries"]]
    assert only_areas["area_code"].tolist() == ["BU05189999"]
    assert only_areas["geometry"].isna().all()
    only_boundaries = j[~j["in_areas"]]
    assert sorted(only_boundaries["area_code"]) == codes[3:]
    with pytest.raises(InputError, match="code"):
        join_boundaries(dh_buurt, pd.DataFrame({"x": [1]}))


def test_import_geometry_with_attribution_and_skip() -> None:
    store = open_store(":memory:")
    r = import_geometry(store, DH_BUURT)
    assert not r.skipped
    assert r.rows == {"boundaries": 114}
    assert import_geometry(store, DH_BUURT).skipped
    rows = store.read("boundaries")
    assert len(rows) == 114
    assert set(rows["attribution"]) == {ATTRIBUTION}
    assert set(rows["source"]) == {"buurt_2019_GM0518.geojson"}
    prov = store.read("provenance", {"kind": "geometry"})
    assert prov["attribution"].tolist() == [ATTRIBUTION]
    assert prov["year"].tolist() == [2019]
    # neighbours computed from the store rows equal those from the file
    assert neighbours(rows) == neighbours(read_boundaries(DH_BUURT))
    r2 = import_geometry(store, AMS_BUURT)
    assert r2.rows == {"boundaries": 479}
    back = store.read("boundaries", {"area_code": "BU03633310"})
    assert back["geometry"].isna().all()
    store.close()


def test_import_bad_level_writes_nothing() -> None:
    store = open_store(":memory:")
    with pytest.raises(InputError):
        import_geometry(store, DH_BUURT, level="wijk")
    assert store.count("boundaries") == 0
    assert store.count("provenance") == 0
    store.close()
