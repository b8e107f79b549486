"""End-to-end runs of the main commands (one each), with the acceptance checks of the foundation."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from wijkmix.cli import EXIT_INPUT, EXIT_STORE, app
from wijkmix.datasets import data_path, demo_files

runner = CliRunner()


def _cbs_households(path, level_prefix):
    """Household counts per area read straight from the StatLine CSV with the csv module."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    head = rows[0]
    code_i = head.index("WijkenEnBuurten")
    hh_i = next(i for i, h in enumerate(head) if h.startswith("HuishoudensTotaal_"))
    out = {}
    for r in rows[1:]:
        code = r[code_i].strip()
        if code.startswith(level_prefix):
            v = r[hh_i].strip()
            out[code] = None if v == "." else int(v)
    return out


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    res = runner.invoke(app, ["demo", "--db", str(db)])
    assert res.exit_code == 0, res.output
    return db, res.output


@pytest.mark.slow
def test_demo_prints_dutch_summary_for_den_haag(demo_db):
    _, out = demo_db
    assert "Den Haag" in out or "'s-Gravenhage" in out
    assert "Wijken van" in out and "% corp" in out and "% laag" in out and "LBM" in out
    assert "Bron: CBS" in out
    assert "Kadaster / Centraal Bureau voor de Statistiek" in out


@pytest.mark.slow
def test_areas_lists_114_buurten_with_cbs_households(demo_db):
    db, _ = demo_db
    res = runner.invoke(
        app,
        ["areas", "--db", str(db), "--level", "buurt", "--gemeente", "GM0518", "--format", "csv"],
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 114
    expected = _cbs_households(demo_files("GM0518").kwb, "BU")
    assert len(expected) == 114
    for r in rows:
        want = expected[r["code"]]
        assert (r["households"] == "" and want is None) or int(r["households"]) == want
        assert r["parent"].startswith("WK0518")
    names = [r["name"] for r in rows if r["name"]]
    assert len(names) == 114  # names from the boundaries


@pytest.mark.slow
def test_synthetic_households_within_one_percent_per_buurt(demo_db):
    from wijkmix.store import open_store

    db, _ = demo_db
    expected = _cbs_households(demo_files("GM0518").kwb, "BU")
    with open_store(db, create=False) as s:
        got = s.query(
            "SELECT d.buurt_code, COUNT(*) AS n FROM households h "
            "JOIN dwellings d USING (dwelling_id) GROUP BY d.buurt_code"
        )
    got = dict(zip(got["buurt_code"], got["n"], strict=True))
    published = {k: v for k, v in expected.items() if v}
    assert len(published) > 100
    for code, want in published.items():
        assert abs(got.get(code, 0) - want) <= 0.01 * want, (code, want, got.get(code))


@pytest.mark.slow
def test_areas_json_and_demo_is_idempotent(demo_db):
    db, _ = demo_db
    res = runner.invoke(app, ["areas", "--db", str(db), "--level", "wijk", "--format", "json"])
    assert res.exit_code == 0
    wijken = json.loads(res.stdout)
    assert len(wijken) == 44
    kwb = str(demo_files("GM0518").kwb)
    again = runner.invoke(app, ["import", "kwb", kwb, "--db", str(db), "--gemeente", "GM0518"])
    assert again.exit_code == 0
    assert "al geïmporteerd" in again.stdout
    # the whole file (same areas, other source name) replaces rather than duplicates
    whole = runner.invoke(app, ["import", "kwb", kwb, "--db", str(db)])
    assert whole.exit_code == 0
    from wijkmix.store import open_store

    with open_store(db, create=False) as s:
        assert s.count("areas") == 1 + 44 + 114
        assert (
            s.query(
                "SELECT COUNT(*) AS n FROM area_stats WHERE area_code = 'GM0518' "
                "AND concept = 'households'"
            )["n"].iloc[0]
            == 1
        )


@pytest.mark.parametrize(
    ("file", "buurten", "wijken"),
    [
        ("amsterdam_kwb-2019_84583NED_statline.csv", 479, 99),
        ("utrecht_kwb-2023.xlsx", 111, 10),
    ],
)
def test_other_kwb_files_import(tmp_path, file, buurten, wijken):
    db = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["import", "kwb", str(data_path("kwb", file)), "--db", str(db)])
    assert res.exit_code == 0, res.output
    out = runner.invoke(app, ["areas", "--db", str(db), "--level", "buurt", "--format", "json"])
    assert len(json.loads(out.stdout)) == buurten
    out = runner.invoke(app, ["areas", "--db", str(db), "--level", "wijk", "--format", "json"])
    assert len(json.loads(out.stdout)) == wijken


def test_register_with_bad_value_in_row_17_leaves_store_unchanged(tmp_path):
    from wijkmix.store import open_store

    db = tmp_path / "w.duckdb"
    dw = tmp_path / "dwellings.csv"
    hh = tmp_path / "households.csv"
    header = (
        "dwelling_id,buurt_code,owner,segment,rent,woz_value,rooms,floor_area,build_year,status\n"
    )
    lines = [
        f"d{i},BU05180170,corporatie,sociale_huur,650.5,,3,70,1965,bewoond\n" for i in range(1, 31)
    ]
    dw.write_text(header + "".join(lines), encoding="utf-8")
    hlines = [
        f"h{i},d{i},2,paar,45,{30000 + i},werk,false,false,false,3,10,false,4\n"
        for i in range(1, 31)
    ]
    hhead = (
        "household_id,dwelling_id,size,type,age_head,income,income_source,vulnerable_care,"
        "statushouder,urgent,years_in_dwelling,years_in_municipality,crucial_profession,"
        "registration_years\n"
    )
    hh.write_text(hhead + "".join(hlines), encoding="utf-8")
    ok = runner.invoke(
        app,
        ["import", "registers", "--dwellings", str(dw), "--households", str(hh), "--db", str(db)],
    )
    assert ok.exit_code == 0, ok.output
    with open_store(db, create=False) as s:
        before = (s.count("dwellings"), s.count("households"), s.count("provenance"))
    # row 17 (the 17th data row) gets an income that is not a number
    hlines[16] = hlines[16].replace(",30017,", ",dertigduizend,")
    hh2 = tmp_path / "households2.csv"
    hh2.write_text(hhead + "".join(hlines), encoding="utf-8")
    bad = runner.invoke(
        app,
        ["import", "registers", "--dwellings", str(dw), "--households", str(hh2), "--db", str(db)],
    )
    assert bad.exit_code == EXIT_INPUT
    msg = " ".join(bad.output.split())
    assert "row 17" in msg and "income" in msg and "dertigduizend" in msg
    with open_store(db, create=False) as s:
        assert (s.count("dwellings"), s.count("households"), s.count("provenance")) == before


def test_missing_database_is_a_store_error(tmp_path):
    res = runner.invoke(app, ["areas", "--db", str(tmp_path / "nope.duckdb")])
    assert res.exit_code == EXIT_STORE
    assert "wijkmix init" in res.output


def test_bad_gemeente_code_is_an_input_error(tmp_path):
    db = tmp_path / "w.duckdb"
    runner.invoke(app, ["init", "--db", str(db)])
    res = runner.invoke(app, ["areas", "--db", str(db), "--gemeente", "GM51"])
    assert res.exit_code == EXIT_INPUT
    assert "GM followed by 4 characters" in " ".join(res.output.split())
