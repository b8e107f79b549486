"""The ``wijkmix`` command line: parse, call one function, format.

Exit codes
----------
0
    Success.
1
    Finished, with warnings (reserved for checks such as ``plan check``).
2
    Bad input: a file, a value or an option (the message names where and what
    was expected), or wrong usage.
3
    Database problem (not a wijkmix database, another schema version).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from wijkmix.errors import InputError, StoreError
from wijkmix.store import DEFAULT_DB, ImportResult, Store, open_store

__all__ = ["app", "main"]

EXIT_OK = 0
EXIT_WARNINGS = 1
EXIT_INPUT = 2
EXIT_STORE = 3

app = typer.Typer(
    name="wijkmix",
    help="wijkmix: mengen met precisie — zien, proberen, besluiten, volgen.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Gegevens importeren in de database.", no_args_is_help=True)
app.add_typer(import_app, name="import")
plan_app = typer.Typer(help="Besluiten: een plan dat klopt.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")

DbOpt = Annotated[Path, typer.Option("--db", help="DuckDB-databasebestand.")]


class Fmt(StrEnum):
    """Output formats."""

    table = "table"
    csv = "csv"
    json = "json"


class GeoLevel(StrEnum):
    """Levels that boundaries can be imported for."""

    buurt = "buurt"
    wijk = "wijk"
    gemeente = "gemeente"


def _run(fn: Callable[[], T]) -> T:
    """Call ``fn``; turn wijkmix errors into a Dutch message and an exit code."""
    try:
        return fn()
    except InputError as exc:
        err_console.print(f"[bold red]Fout in de invoer[/]: {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except StoreError as exc:
        err_console.print(f"[bold red]Databasefout[/]: {exc}", highlight=False)
        raise typer.Exit(EXIT_STORE) from None


def _open(db: Path, *, create: bool = True) -> Store:
    if not create and not db.exists():
        raise StoreError(f"database {db} does not exist; run 'wijkmix init --db {db}' first")
    return open_store(db, create=create)


def _report_import(res: ImportResult) -> None:
    if res.skipped:
        console.print(
            f"[yellow]{res.source}[/] was al geïmporteerd (zelfde inhoud); er is niets veranderd."
        )
    else:
        rows = ", ".join(f"{t}: {n:,}".replace(",", ".") for t, n in res.rows.items())
        console.print(f"[green]{res.source}[/] geïmporteerd ({rows}).")


def _print_frame(frame: pd.DataFrame, fmt: Fmt, *, title: str | None = None) -> None:
    if fmt is Fmt.csv:
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt is Fmt.json:
        sys.stdout.write(
            json.dumps(
                json.loads(frame.to_json(orient="records", force_ascii=False, double_precision=15)),
                indent=1,
            )
            + "\n"
        )
    else:
        table = Table(title=title, show_lines=False)
        for col in frame.columns:
            numeric = pd.api.types.is_numeric_dtype(frame[col])
            table.add_column(str(col), justify="right" if numeric else "left")
        for row in frame.itertuples(index=False):
            table.add_row(*["–" if pd.isna(v) else str(v) for v in row])
        console.print(table)


@app.command()
def init(db: DbOpt = Path(DEFAULT_DB)) -> None:
    """Maak een nieuwe (lege) wijkmix-database aan, of controleer een bestaande."""

    def job() -> None:
        with _open(db) as store:
            console.print(f"Database [green]{store.location}[/] is klaar.")

    _run(job)


@import_app.command("kwb")
def import_kwb_cmd(
    file: Annotated[Path, typer.Argument(help="CBS KWB: StatLine-CSV, Excel of OData-JSON.")],
    db: DbOpt = Path(DEFAULT_DB),
    gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente (GMxxxx).")] = None,
    table_id: Annotated[
        str | None, typer.Option("--table-id", help="CBS-tabel, bv. 84583NED.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Jaar van de tabel.")] = None,
) -> None:
    """Importeer CBS Kerncijfers wijken en buurten."""
    from wijkmix.io.cbs_kwb import import_kwb

    def job() -> None:
        with _open(db) as store:
            _report_import(import_kwb(store, file, table_id=table_id, year=year, gemeente=gemeente))

    _run(job)


@import_app.command("lbm")
def import_lbm_cmd(
    file: Annotated[Path, typer.Argument(help="Leefbaarometer 2.0 of 3.0 (CSV of Excel).")],
    db: DbOpt = Path(DEFAULT_DB),
    gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente (GMxxxx).")] = None,
) -> None:
    """Importeer Leefbaarometer-scores."""
    from wijkmix.io.leefbaarometer import import_lbm

    def job() -> None:
        with _open(db) as store:
            _report_import(import_lbm(store, file, gemeente=gemeente))

    _run(job)


@import_app.command("registers")
def import_registers_cmd(
    dwellings: Annotated[Path, typer.Option("--dwellings", help="Woningregister (CSV/Parquet).")],
    households: Annotated[
        Path, typer.Option("--households", help="Huishoudensregister (CSV/Parquet).")
    ],
    db: DbOpt = Path(DEFAULT_DB),
) -> None:
    """Importeer een woning- en huishoudensregister (één transactie)."""
    from wijkmix.io.registers import import_registers

    def job() -> None:
        with _open(db) as store:
            _report_import(import_registers(store, dwellings=dwellings, households=households))

    _run(job)


@import_app.command("geometry")
def import_geometry_cmd(
    file: Annotated[Path, typer.Argument(help="GeoJSON met grenzen.")],
    level: Annotated[GeoLevel, typer.Option(help="Niveau van de grenzen.")],
    db: DbOpt = Path(DEFAULT_DB),
) -> None:
    """Importeer grenzen van buurten, wijken of gemeenten."""
    from wijkmix.io.geometry import import_geometry

    def job() -> None:
        with _open(db) as store:
            _report_import(import_geometry(store, file, level=level.value))

    _run(job)


@app.command()
def synth(
    gemeente: Annotated[str, typer.Option(help="Gemeentecode, bv. GM0518.")],
    seed: Annotated[int, typer.Option(help="Startwaarde van de toevalsgenerator.")] = 20240101,
    db: DbOpt = Path(DEFAULT_DB),
    year: Annotated[int | None, typer.Option(help="KWB-jaar (standaard het laatste).")] = None,
) -> None:
    """Genereer synthetische woningen en huishoudens, geijkt op de CBS-buurtcijfers."""
    from wijkmix.workflows import synthesize

    def job() -> None:
        with _open(db, create=False) as store, console.status("Synthetische populatie genereren"):
            run = synthesize(store, gemeente, seed=seed, year=year)
        _print_synth(run)

    _run(job)


def _print_synth(run: object) -> None:
    from wijkmix.workflows import SynthRun

    assert isinstance(run, SynthRun)
    console.print(
        f"Synthetische populatie {run.gemeente} (seed {run.seed}): "
        f"{_int(run.households)} huishoudens in {_int(run.dwellings)} woningen, "
        f"{_pct(run.seconds, 2)} s"
    )
    _print_frame(
        _dutch_fit(run.fit_summary), Fmt.table, title="Fit per kenmerk (doel tegen gegenereerd)"
    )
    for note in run.notes[:10]:
        console.print(f"  • {note}", highlight=False)
    if len(run.notes) > 10:
        console.print(f"  … en nog {len(run.notes) - 10} opmerkingen (tabel synth_fit).")


def _dutch_fit(summary: pd.DataFrame) -> pd.DataFrame:
    out = summary.copy()
    if "label" in out.columns and "concept" in out.columns:
        out = out.drop(columns="concept")
    ren = {
        "label": "kenmerk",
        "concept": "kenmerk",
        "buurten": "buurten",
        "n_buurten": "buurten",
        "mean_abs_error": "gem. afwijking",
        "max_abs_error": "max. afwijking",
    }
    out = out.rename(columns={k: v for k, v in ren.items() if k in out.columns})
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(3)
    return out


@app.command()
def areas(
    db: DbOpt = Path(DEFAULT_DB),
    level: Annotated[str | None, typer.Option(help="buurt, wijk of gemeente.")] = None,
    gemeente: Annotated[str | None, typer.Option(help="Gemeentecode, bv. GM0518.")] = None,
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Toon gebieden met inwoners, huishoudens en woningen (CBS)."""
    from wijkmix.workflows import areas_overview

    def job() -> None:
        with _open(db, create=False) as store:
            frame = areas_overview(store, level=level, gemeente=gemeente)
        _print_frame(frame, format, title="Gebieden")

    _run(job)


@app.command()
def demo(
    db: DbOpt = Path(DEFAULT_DB),
    gemeente: Annotated[
        str, typer.Option(help="GM0518 (Den Haag) of GM0363 (Amsterdam).")
    ] = "GM0518",
    seed: Annotated[int, typer.Option(help="Startwaarde van de toevalsgenerator.")] = 20240101,
) -> None:
    """Importeer de echte gegevens van een demogemeente, genereer registers, vat samen."""
    from wijkmix.workflows import run_demo

    def job() -> None:
        with _open(db) as store, console.status("Demo voorbereiden") as status:
            res = run_demo(store, gemeente=gemeente, seed=seed, progress=status.update)
        _print_demo(res)

    _run(job)


def _print_demo(res: object) -> None:
    from wijkmix.workflows import DemoResult

    assert isinstance(res, DemoResult)
    console.rule(f"wijkmix demo — {res.name} ({res.gemeente})")
    for imp in res.imports:
        _report_import(imp)
    s = res.summary.frame
    years = sorted({int(y) for y in s["lbm_jaar"].dropna()})
    lbm_head = f"LBM {years[-1]}" if years else "LBM"
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title=f"Wijken van {res.name}: CBS-cijfers en synthetische registers",
        caption="LBM = klasse Leefbaarometer (1 zeer onvoldoende … 9 uitstekend); "
        "synth. = berekend uit de synthetische registers; – = onderdrukt of onbekend.",
    )
    rows = [
        [
            r.naam if isinstance(r.naam, str) else str(r.wijk),
            _int(r.inwoners),
            _int(r.huishoudens),
            _pct(r.pct_corporatie, 0),
            _pct(r.pct_laag_inkomen, 1),
            _int(r.lbm_klasse),
            _int(r.synth_huishoudens),
            _pct(r.synth_pct_corporatie, 1),
        ]
        for r in s.itertuples(index=False)
    ]
    heads = [
        "Wijk",
        "Inw.",
        "Huish.",
        "% corp.",
        "% laag ink.",
        lbm_head,
        "Synth. huish.",
        "Synth. % corp",
    ]
    for k, head in enumerate(heads):
        if k == 0:
            table.add_column(
                head, max_width=max(18, console.width - 62), overflow="ellipsis", no_wrap=True
            )
        else:
            width = max(len(row[k]) for row in rows) if rows else 1
            table.add_column(head, justify="right", min_width=width)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(
        f"Synthetische populatie: {_int(res.synth.households)} huishoudens in "
        f"{_int(res.synth.dwellings)} woningen, gegenereerd in "
        f"{_pct(res.synth.seconds, 1)} s (seed {res.synth.seed})."
    )
    _print_frame(
        _dutch_fit(res.synth.fit_summary), Fmt.table, title="Fit per kenmerk over de buurten"
    )
    if res.summary.n_suppressed:
        console.print(
            f"{res.summary.n_suppressed} cellen onderdrukt (minder dan "
            f"{res.summary.threshold} huishoudens): getoond als –."
        )
    for a in res.attributions:
        console.print(f"[dim]{a}[/]")
    console.print(f"Klaar in {_pct(res.seconds, 1)} s. Database: {res.db}")


class Source(StrEnum):
    """Where composition comes from."""

    registers = "registers"
    kwb = "kwb"


class Target(StrEnum):
    """Target groups of concentration."""

    low_income = "low_income"
    vulnerable = "vulnerable"


def _emit(frames: dict[str, pd.DataFrame], fmt: Fmt, notes: list[str]) -> None:
    """Print several titled tables (table), or one JSON object / CSV per table."""
    if fmt is Fmt.json:
        payload = {
            k: json.loads(v.to_json(orient="records", force_ascii=False, double_precision=15))
            for k, v in frames.items()
        }
        payload["opmerkingen"] = notes
        sys.stdout.write(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
        return
    for title, frame in frames.items():
        if fmt is Fmt.csv:
            if len(frames) > 1:
                sys.stdout.write(f"# {title}\n")
            sys.stdout.write(frame.to_csv(index=False))
        else:
            _print_frame(_rounded(frame), fmt, title=title)
    if fmt is Fmt.table:
        for n in notes:
            console.print(n, highlight=False)


#: Dutch column headers for terminal tables (CSV and JSON keep the identifiers).
DUTCH_HEADERS: dict[str, str] = {
    "households": "huishoudens",
    "count": "aantal",
    "pct": "%",
    "threshold_pct": "drempel %",
    "assessed": "beoordeeld",
    "flagged": "boven drempel",
    "n_areas": "gebieden",
    "codes": "gebieden (codes)",
    "entropy": "entropie",
    "simpson": "Simpson",
    "liveability": "leefbaarheid",
    "organising": "organiserend vermogen",
    "resilience": "veerkracht",
    "product": "product",
    "missing": "ontbrekende invoer",
    "gemeente_code": "gemeente",
    "reference": "referentie",
}


def _dutch_header(col: str) -> str:
    if col in DUTCH_HEADERS:
        return DUTCH_HEADERS[col]
    if col.startswith("pct_"):
        return "% " + col[4:].replace("_", " ")
    return col.replace("_", " ")


def _rounded(frame: pd.DataFrame, decimals: int = 3) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(decimals)
    return out.rename(columns={c: _dutch_header(str(c)) for c in out.columns})


@app.command()
def analyse(
    gemeente: Annotated[str, typer.Option(help="Gemeentecode, bv. GM0518.")],
    db: DbOpt = Path(DEFAULT_DB),
    level: Annotated[str, typer.Option(help="portiek, complex, straat, buurt, wijk.")] = "buurt",
    by: Annotated[
        str,
        typer.Option(
            help="tenure, segment, income, income_source, vulnerability, household_type, "
            "age_group (registers); tenure, income, low_income (kwb)."
        ),
    ] = "tenure",
    source: Annotated[Source, typer.Option(help="registers of kwb.")] = Source.registers,
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Toon samenstelling en diversiteit per gebied (aandelen in %, entropie, Simpson)."""
    from wijkmix.analysis import analyse as job_analyse

    def job() -> None:
        with _open(db, create=False) as store:
            res = job_analyse(store, gemeente, level=level, by=by, source=source.value)
        table = res.table.frame if format is not Fmt.table else res.table.formatted(1)
        notes = [res.composition.note] if res.composition.note else []
        if res.table.n_suppressed:
            notes.append(
                f"{res.table.n_suppressed} cellen onderdrukt (minder dan 10 huishoudens): –."
            )
        _emit({f"Samenstelling naar {by} per {level}": table}, format, notes)

    _run(job)


@app.command()
def segregatie(
    gemeente: Annotated[str, typer.Option(help="Gemeentecode, bv. GM0518.")],
    db: DbOpt = Path(DEFAULT_DB),
    by: Annotated[str, typer.Option(help="income, tenure, segment, income_source, ...")] = "income",
    levels: Annotated[
        str, typer.Option(help="Niveaus, komma-gescheiden: portiek,complex,straat,buurt,wijk.")
    ] = "portiek,complex,buurt,wijk",
    bootstrap: Annotated[int, typer.Option(help="Aantal bootstrap-herhalingen (0 = geen).")] = 100,
    seed: Annotated[int, typer.Option(help="Startwaarde van de bootstrap.")] = 20240101,
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Segregatie-indices per niveau, de exacte decompositie en bootstrap-intervallen."""
    from wijkmix.analysis import segregation_report

    lv = [x.strip() for x in levels.split(",") if x.strip()]

    def job() -> None:
        with _open(db, create=False) as store, console.status("Segregatie berekenen"):
            res = segregation_report(
                store, gemeente, by=by, levels=lv, n_bootstrap=bootstrap, seed=seed
            )
        dec = res.decomposition.rename(
            columns={"level": "niveau", "within": "binnen", "share": "aandeel", "label": "deel"}
        )
        if format is Fmt.table:
            dec["aandeel"] = [f"{100 * v:.1f} %" for v in dec["aandeel"]]
        frames = {
            "Indices per niveau": res.indices.rename(
                columns={"level": "niveau", "units": "eenheden", "households": "huishoudens"}
            ),
            "Decompositie van M (en H) over de niveaus": dec,
        }
        if not res.intervals.empty:
            frames[f"Bootstrap ({bootstrap}×): 95%-interval en bias-gecorrigeerde schatting"] = (
                res.intervals.rename(columns={"level": "niveau", "estimate": "schatting"})
            )
        notes = [res.note]
        if not res.intervals.empty:
            notes.append(
                "Kleine eenheden (portieken) blazen elke index op: vergelijk de schatting met de "
                "bias-gecorrigeerde waarde."
            )
        _emit(frames, format, notes)

    _run(job)


@app.command()
def concentratie(
    gemeente: Annotated[str, typer.Option(help="Gemeentecode, bv. GM0518.")],
    db: DbOpt = Path(DEFAULT_DB),
    level: Annotated[str, typer.Option(help="complex, buurt, wijk, ...")] = "buurt",
    target: Annotated[Target, typer.Option(help="low_income of vulnerable.")] = Target.low_income,
    relative: Annotated[float, typer.Option(help="Drempel: × het gemeentelijke aandeel.")] = 1.5,
    absolute: Annotated[
        float | None, typer.Option(help="Drempel in % (in plaats van relatief).")
    ] = None,
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Concentraties van lage inkomens of kwetsbare huishoudens, en clusters van buren."""
    from wijkmix.analysis import concentration_report
    from wijkmix.measures.concentration import ConcentrationRule

    def job() -> None:
        rule = (
            ConcentrationRule(relative=None, absolute_pct=absolute)
            if absolute is not None
            else ConcentrationRule(relative=relative)
        )
        with _open(db, create=False) as store:
            res = concentration_report(store, gemeente, level=level, target=target.value, rule=rule)
        areas = res.areas.frame
        flagged = (
            areas[areas["flagged"].fillna(False).astype(bool)] if "flagged" in areas else areas
        )
        frames: dict[str, pd.DataFrame] = {
            f"Gebieden boven de drempel ({res.threshold_pct:.1f} %)": flagged,
            "Clusters van aangrenzende gebieden": res.clusters.assign(
                codes=[", ".join(c) for c in res.clusters["codes"]]
            )
            if not res.clusters.empty
            else res.clusters,
        }
        if not res.corporation.empty:
            frames["Buurten met meer dan twee derde corporatiebezit (CBS)"] = res.corporation
        notes = [
            f"Referentie: {res.reference_pct:.1f} % in de gemeente; buren volgens "
            f"{'grenzen' if res.neighbourhood == 'neighbours' else 'de hiërarchie'}."
        ]
        _emit(frames, format, notes)

    _run(job)


@app.command()
def vitaliteit(
    gemeente: Annotated[str, typer.Option(help="Gemeentecode, bv. GM0518.")],
    db: DbOpt = Path(DEFAULT_DB),
    level: Annotated[str, typer.Option(help="wijk of buurt.")] = "wijk",
    organisatie: Annotated[
        Path | None,
        typer.Option(help="CSV met code, wijkraad, wijkregisseur (ja/nee) per gebied."),
    ] = None,
    veerkracht: Annotated[
        str, typer.Option(help="KWB-kenmerk voor veerkracht.")
    ] = "pct_low_income_households",
    grenzen: Annotated[str, typer.Option(help="Twee grenzen, bv. 10,20.")] = "10,20",
    vlag: Annotated[int, typer.Option(help="Vlag vanaf dit product (1–27).")] = 9,
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Vitaliteitsscore: leefbaarheid × organiserend vermogen × veerkracht (1–3 elk)."""
    from wijkmix.analysis import vitality_report

    def job() -> None:
        try:
            lo, hi = (float(x) for x in grenzen.split(","))
        except ValueError:
            raise InputError(
                "invalid cut points",
                where="grenzen",
                expected="two numbers, e.g. 10,20",
                found=grenzen,
            ) from None
        org = None
        if organisatie is not None:
            org = pd.read_csv(organisatie, sep=None, engine="python", dtype=str)
            for c in ("wijkraad", "wijkregisseur"):
                if c in org.columns:
                    org[c] = (
                        org[c]
                        .str.strip()
                        .str.lower()
                        .map(
                            {
                                "ja": True,
                                "nee": False,
                                "true": True,
                                "false": False,
                                "1": True,
                                "0": False,
                            }
                        )
                    )
        with _open(db, create=False) as store:
            res = vitality_report(
                store,
                gemeente,
                level=level,
                organising=org,
                resilience_concept=veerkracht,
                resilience_cuts=(lo, hi),
                flag_at=vlag,
            )
        notes = [
            f"Leefbaarheid uit de Leefbaarometer-klasse ({res.lbm_year}); een ontbrekende invoer "
            "geeft een ontbrekende score, nooit een gok. De Leefbaarometer signaleert, maar "
            "verklaart niet."
        ]
        _emit({"Vitaliteitsscore": res.table}, format, notes)

    _run(job)


@contextmanager
def _years_bar(title: str) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar over simulated years (all replicates and worlds)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("jaren"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class ExecutorChoice(StrEnum):
    """Where Monte Carlo replicates run."""

    local = "local"
    process = "process"


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenariobestand (TOML).")],
    db: DbOpt = Path(DEFAULT_DB),
    years: Annotated[
        int | None, typer.Option(help="Aantal jaren (standaard uit het scenario).")
    ] = None,
    replicates: Annotated[int, typer.Option(help="Aantal Monte-Carloherhalingen.")] = 1,
    seed: Annotated[int, typer.Option(help="Startwaarde van alle toevalsgetallen.")] = 20240101,
    out: Annotated[Path | None, typer.Option(help="Map voor de resultaten (Parquet).")] = None,
    executor: Annotated[
        ExecutorChoice, typer.Option(help="local of process (twee processen).")
    ] = ExecutorChoice.local,
    onbeveiligd: Annotated[
        bool,
        typer.Option(
            "--onbeveiligd",
            help="Schrijf ook het verhuisregister per huishouden en ongefilterde tabellen "
            "(persoonsgegevens: alleen binnen de eigen omgeving).",
        ),
    ] = False,
) -> None:
    """Simuleer een scenario: blijvers, vertrekkers, nieuwkomers en het waterbedeffect."""
    from wijkmix.workflows import simulate as job_simulate

    def job() -> None:
        with _open(db, create=False) as store, _years_bar("Simuleren") as progress:
            res = job_simulate(
                store,
                scenario,
                years=years,
                replicates=replicates,
                seed=seed,
                executor=None if executor is ExecutorChoice.local else "process",
                progress=progress,
            )
        console.print(res.summary_nl(), highlight=False)  # type: ignore[attr-defined]
        if out is not None:
            path = res.write(out, disclosed=not onbeveiligd)  # type: ignore[attr-defined]
            console.print(
                f"Resultaten geschreven naar {path}"
                + (
                    " (zonder verhuisregister; cellen onder 10 huishoudens onderdrukt)."
                    if not onbeveiligd
                    else " (ONBEVEILIGD: met verhuisregister per huishouden; behandel als "
                    "persoonsgegevens)."
                )
            )

    _run(job)


@app.command()
def compare(
    dir_a: Annotated[Path, typer.Argument(help="Resultaatmap A.")],
    dir_b: Annotated[Path, typer.Argument(help="Resultaatmap B.")],
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Vergelijk twee simulaties: de belangrijkste indicatoren en hun verschil (B − A)."""
    from wijkmix.sim import compare as job_compare

    def job() -> None:
        frame = job_compare(dir_a, dir_b)
        _emit({f"Verschil {dir_b.name} − {dir_a.name}": frame}, format, [])

    _run(job)


@import_app.command("monitor")
def import_monitor_cmd(
    file: Annotated[Path, typer.Argument(help="CSV met indicator, area_code, year, value, ...")],
    db: DbOpt = Path(DEFAULT_DB),
) -> None:
    """Importeer gemeten waarden (statistiek en beleving) voor de monitor."""
    from wijkmix.io.monitor import import_monitor

    def job() -> None:
        with _open(db) as store:
            _report_import(import_monitor(store, file))

    _run(job)


@plan_app.command("check")
def plan_check(
    plan: Annotated[Path, typer.Argument(help="Planbestand (TOML).")],
    db: Annotated[
        Path | None, typer.Option("--db", help="Database voor de woningvoorraad (optioneel).")
    ] = None,
    format: Annotated[Fmt, typer.Option("--format", help="table of json.")] = Fmt.table,
) -> None:
    """Controleer de precisie van een plan (exit 0 goed, 1 waarschuwingen, 2 fouten)."""
    from wijkmix.workflows import check_plan_file

    def job() -> int:
        if db is not None:
            with _open(db, create=False) as store:
                _, report = check_plan_file(store, plan)
        else:
            _, report = check_plan_file(None, plan)
        if format is Fmt.json:
            sys.stdout.write(report.to_json() + "\n")  # type: ignore[attr-defined]
        else:
            findings = report.findings  # type: ignore[attr-defined]
            if not findings:
                console.print(f"[green]{plan.name}: geen bevindingen — het plan klopt.[/]")
            else:
                console.rule(f"Precisiecontrole van {plan.name}")
                for f in findings:
                    colour = "red" if f.severity == "fout" else "yellow"
                    console.print(
                        f"[bold {colour}]{f.code} {f.severity}[/] [bold]{escape(f.title)}[/]\n"
                        f"  {escape(f.message)}\n  [dim]Tip: {escape(f.hint)}[/]",
                        highlight=False,
                    )
                counts = report.counts  # type: ignore[attr-defined]
                console.print(
                    ", ".join(f"{n} {sev}" for sev, n in dict(counts).items() if n), highlight=False
                )
        return int(report.exit_code)  # type: ignore[attr-defined]

    code = _run(job)
    if code:
        raise typer.Exit(code)


@plan_app.command("simulate")
def plan_simulate_cmd(
    plan: Annotated[Path, typer.Argument(help="Planbestand (TOML).")],
    db: DbOpt = Path(DEFAULT_DB),
    replicates: Annotated[int, typer.Option(help="Aantal Monte-Carloherhalingen.")] = 2,
    seed: Annotated[int, typer.Option(help="Startwaarde van alle toevalsgetallen.")] = 20240101,
    years: Annotated[int | None, typer.Option(help="Aantal jaren (standaard het plan).")] = None,
    executor: Annotated[
        ExecutorChoice, typer.Option(help="local of process (twee processen).")
    ] = ExecutorChoice.local,
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Simuleer de kwantitatieve maatregelen van een plan en toets elk doel."""
    from wijkmix.workflows import plan_simulate

    def job() -> None:
        with _open(db, create=False) as store, _years_bar("Plan simuleren") as progress:
            res = plan_simulate(
                store,
                plan,
                replicates=replicates,
                seed=seed,
                years=years,
                executor=None if executor is ExecutorChoice.local else "process",
                progress=progress,
            )
        scores = res.scores.to_frame(dutch=True)  # type: ignore[attr-defined]
        if format is Fmt.table:
            console.print(res.result.summary_nl(), highlight=False)  # type: ignore[attr-defined]
        notes = list(res.scores.notes)  # type: ignore[attr-defined]
        notes += [f"Niet gesimuleerd: {m}" for m in getattr(res.translation, "not_simulated", ())]
        _emit({"Doelen van het plan: verwachte waarde in het doeljaar": scores}, format, notes)

    _run(job)


@app.command("monitor")
def monitor_cmd(
    plan: Annotated[Path, typer.Option("--plan", help="Planbestand (TOML).")],
    db: DbOpt = Path(DEFAULT_DB),
    jaar: Annotated[int | None, typer.Option(help="Peiljaar (standaard dit jaar).")] = None,
    format: Annotated[Fmt, typer.Option("--format", help="table, csv of json.")] = Fmt.table,
) -> None:
    """Volg de doelen van een plan: nulmeting, mijlpalen, laatste meting, doel en status."""
    from wijkmix.workflows import monitor_plan

    def job() -> None:
        with _open(db, create=False) as store:
            res = monitor_plan(store, plan, today_year=jaar)
        goals, div = res.goals, res.divergence
        if format is Fmt.table:  # the essentials; csv and json carry every column
            goals = goals[
                [
                    "doel",
                    "gebied",
                    "basisjaar",
                    "basiswaarde",
                    "laatste meetjaar",
                    "laatste meting",
                    "streefwaarde",
                    "streefjaar",
                    "status",
                ]
            ]
            if not div.empty:
                div = div[
                    [
                        "gebied",
                        "statistiek",
                        "statistiek verandering",
                        "beleving",
                        "beleving verandering",
                        "reden",
                    ]
                ]
        frames = {"Doelen tegen resultaten": goals}
        if not div.empty:
            frames["Statistiek tegen beleving: waar lopen ze uiteen?"] = div
        notes = [", ".join(f"{k}: {v}" for k, v in res.counts.items() if v), *res.notes]
        _emit(frames, format, notes)

    _run(job)


def _int(v: object) -> str:
    """Format a count the Dutch way (thousands with a point); missing → ``–``."""
    if not isinstance(v, int | float | np.integer | np.floating) or v != v:
        return "–"
    return f"{round(v):,}".replace(",", ".")


def _pct(v: object, decimals: int) -> str:
    """Format a number with a decimal comma; missing → ``–``."""
    if not isinstance(v, int | float | np.integer | np.floating) or v != v:
        return "–"
    return f"{v:.{decimals}f}".replace(".", ",")


def main() -> None:
    """Entry point of the ``wijkmix`` script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
