"""End-to-end runs of the main commands (one each), with the acceptance checks of the foundation."""

import csv
import io
import json
from pathlib import Path

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


def _query(db, sql, params=None):
    from wijkmix.store import open_store

    with open_store(db, create=False) as s:
        return s.query(sql, params or [])


@pytest.mark.slow
def test_analyse_tenure_shares_match_sql_and_small_units_are_suppressed(demo_db):
    db, _ = demo_db
    res = runner.invoke(
        app,
        [
            "analyse",
            "--db",
            str(db),
            "--gemeente",
            "GM0518",
            "--level",
            "buurt",
            "--by",
            "tenure",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = {r["code"]: r for r in json.loads(res.stdout)["Samenstelling naar tenure per buurt"]}
    sql = _query(
        db,
        "SELECT d.buurt_code AS code, COUNT(*) AS n, "
        "SUM(CASE WHEN d.owner = 'corporatie' THEN 1 ELSE 0 END) AS corp "
        "FROM households h JOIN dwellings d USING (dwelling_id) GROUP BY 1",
    )
    checked = 0
    for code, n, corp in sql.itertuples(index=False):
        if n >= 10:
            assert rows[code]["households"] == n
            assert rows[code]["pct_corporatie"] == pytest.approx(100.0 * corp / n)
            checked += 1
        else:
            assert rows[code]["pct_corporatie"] is None
    assert checked > 100
    stored = _query(db, "SELECT COUNT(*) AS n FROM results WHERE kind LIKE 'analyse:%'")
    assert stored["n"].iloc[0] > 0


@pytest.mark.slow
def test_segregatie_decomposition_adds_up_and_matches_hand_m(demo_db):
    import numpy as np

    db, _ = demo_db
    res = runner.invoke(
        app,
        [
            "segregatie",
            "--db",
            str(db),
            "--gemeente",
            "GM0518",
            "--by",
            "tenure",
            "--levels",
            "portiek,complex,buurt,wijk",
            "--bootstrap",
            "5",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    idx = {r["niveau"]: r for r in out["Indices per niveau"]}
    comps = out["Decompositie van M (en H) over de niveaus"]
    assert sum(c["m"] for c in comps) == pytest.approx(idx["portiek"]["M"], abs=1e-12)
    assert [c["niveau"] for c in comps] == ["wijk", "buurt", "complex", "portiek"]
    # M between wijken by hand from SQL counts: sum p_ug ln(p_ug / (p_u p_g))
    t = _query(
        db,
        "SELECT d.wijk_code, d.owner, COUNT(*) AS n FROM households h "
        "JOIN dwellings d USING (dwelling_id) GROUP BY 1, 2",
    ).pivot_table(index="wijk_code", columns="owner", values="n", fill_value=0)
    p = t.to_numpy(float) / t.to_numpy().sum()
    pu, pg = p.sum(axis=1, keepdims=True), p.sum(axis=0, keepdims=True)
    nz = p > 0
    m_hand = float((p[nz] * np.log(p[nz] / (pu @ pg)[nz])).sum())
    assert idx["wijk"]["M"] == pytest.approx(m_hand, abs=1e-12)
    assert len(out["Bootstrap (5×): 95%-interval en bias-gecorrigeerde schatting"]) == 8


@pytest.mark.slow
def test_concentratie_and_vitaliteit_run(demo_db, tmp_path):
    db, _ = demo_db
    res = runner.invoke(
        app, ["concentratie", "--db", str(db), "--gemeente", "GM0518", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    flagged = next(v for k, v in out.items() if k.startswith("Gebieden boven"))
    assert flagged and all(r["pct"] > r["threshold_pct"] for r in flagged)
    assert all(r["households"] >= 10 for r in flagged)
    org = tmp_path / "org.csv"
    org.write_text("code,wijkraad,wijkregisseur\nWK051828,nee,nee\nWK051802,ja,ja\n")
    res = runner.invoke(
        app,
        [
            "vitaliteit",
            "--db",
            str(db),
            "--gemeente",
            "GM0518",
            "--organisatie",
            str(org),
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = {r["code"]: r for r in json.loads(res.stdout)["Vitaliteitsscore"]}
    assert rows["WK051828"]["organising"] == 3 and rows["WK051802"]["organising"] == 1
    r = rows["WK051828"]
    assert r["product"] == r["liveability"] * r["organising"] * r["resilience"]
    assert r["flagged"] == (r["product"] >= 9)
    assert rows["WK051803"]["organising"] is None  # no input → no score, never a guess


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_plan_check_good_plan_passes_and_flawed_plan_fires_every_rule():
    from wijkmix.plan import RULES

    good = runner.invoke(app, ["plan", "check", str(EXAMPLES / "plans/herstructurering_goed.toml")])
    assert good.exit_code == 0, good.output
    assert "geen bevindingen" in good.output
    bad = runner.invoke(
        app,
        [
            "plan",
            "check",
            str(EXAMPLES / "plans/herstructurering_gebrekkig.toml"),
            "--format",
            "json",
        ],
    )
    assert bad.exit_code == 2
    payload = json.loads(bad.stdout)
    findings = payload["findings"] if isinstance(payload, dict) else payload
    codes = {f["code"] for f in findings}
    assert codes == set(RULES)


@pytest.mark.slow
def test_monitor_after_a_second_year_of_values(demo_db, tmp_path):
    import shutil

    db, _ = demo_db
    mdb = tmp_path / "monitor.duckdb"
    shutil.copy(db, mdb)
    csv_path = EXAMPLES / "monitor/denhaag_bouwlust_vrederust.csv"
    res = runner.invoke(app, ["import", "monitor", str(csv_path), "--db", str(mdb)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        [
            "monitor",
            "--plan",
            str(EXAMPLES / "plans/herstructurering_goed.toml"),
            "--db",
            str(mdb),
            "--jaar",
            "2024",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    goals = {g["doel"]: g for g in out["Doelen tegen resultaten"]}
    # corporation share: baseline 2019 from CBS, latest value 2023 from the imported file
    g = goals["corporatiebezit"]
    assert g["laatste meetjaar"] == 2023 and g["laatste meting"] == 59
    # straight course from (2019, baseline) to (target_year, target), evaluated in 2023
    course = g["basiswaarde"] + (g["streefwaarde"] - g["basiswaarde"]) * (2023 - 2019) / (
        g["streefjaar"] - 2019
    )
    assert g["status"] == ("op koers" if course >= 59 else "achter")
    assert "Statistiek tegen beleving: waar lopen ze uiteen?" in out


@pytest.mark.slow
def test_simulate_and_compare_end_to_end(demo_db, tmp_path):
    db, _ = demo_db
    outs = []
    for name in ("herstructurering_bouwen_eerst", "herstructurering_slopen_eerst"):
        out = tmp_path / name
        res = runner.invoke(
            app,
            [
                "simulate",
                str(EXAMPLES / f"scenarios/{name}.toml"),
                "--db",
                str(db),
                "--years",
                "3",
                "--seed",
                "7",
                "--out",
                str(out),
            ],
        )
        assert res.exit_code == 0, res.output
        assert "Blijvers" in res.output and "Vertrekkers" in res.output
        assert "niet gesimuleerd" in res.output
        assert (out / "provenance.json").exists()
        outs.append(out)
    # the default output is disclosed: no per-household ledger leaves the program
    assert not list(outs[0].glob("ledger*.parquet"))
    assert list(outs[0].glob("*.parquet"))
    res = runner.invoke(app, ["compare", str(outs[0]), str(outs[1]), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = next(iter(json.loads(res.stdout).values()))
    assert rows and {"indicator", "a", "b", "verschil"} <= set(rows[0])
    for r in rows:
        if r["a"] is not None and r["b"] is not None and r["verschil"] is not None:
            assert r["verschil"] == pytest.approx(r["b"] - r["a"])


@pytest.mark.slow
def test_plan_simulate_scores_the_goals_of_the_good_plan(demo_db):
    from wijkmix.plan import load_plan

    db, _ = demo_db
    path = EXAMPLES / "plans/herstructurering_goed.toml"
    res = runner.invoke(
        app,
        ["plan", "simulate", str(path), "--db", str(db), "--replicates", "1", "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    rows = {r["doel"]: r for r in out["Doelen van het plan: verwachte waarde in het doeljaar"]}
    plan = load_plan(path)
    assert set(rows) == {g.id for g in plan.goals}
    scored = [r for r in rows.values() if r["status"] != "niet gesimuleerd"]
    assert scored, "no goal was scored"
    for r in scored:
        assert r["status"] in {"haalbaar", "onzeker", "niet haalbaar", "onderdrukt"}
        if r["verwacht"] is not None and r["zonder plan"] is not None:
            assert r["effect plan"] == pytest.approx(r["verwacht"] - r["zonder plan"])
    # social and economic goals are not simulated, and say so
    assert rows["contact_buren"]["status"] == "niet gesimuleerd"
