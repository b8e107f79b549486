"""Benchmark: synthesise more than a million households.

Builds a KWB-like wide frame of about 5 000 buurten by replicating the 114
buurten of Den Haag (KWB 2019) 44 times into one fictitious gemeente, with the
counts of every copy scaled by a random factor and the percentages jittered,
then times :meth:`wijkmix.synth.SyntheticPopulation.generate` and prints
households per second and the peak resident memory.

Run: ``.venv/bin/python benchmarks/bench_synth.py [copies] [scale]``
"""

from __future__ import annotations

import resource
import sys
import time
from importlib import resources

import numpy as np
import pandas as pd

from wijkmix.synth import SyntheticPopulation, SynthResult

COLUMNS = {
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
COUNTS = [
    "inhabitants",
    "age_0_15",
    "age_15_25",
    "age_25_45",
    "age_45_65",
    "age_65_plus",
    "households",
    "one_person_households",
    "households_without_children",
    "households_with_children",
    "dwellings",
    "bijstand_persons",
]
PERCENTS = [
    "pct_owner_occupied",
    "pct_corporation",
    "pct_other_landlords",
    "pct_low_income_households",
    "pct_households_social_minimum",
]
B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def read_denhaag() -> pd.DataFrame:
    path = resources.files("wijkmix") / "data" / "kwb" / "denhaag_kwb-2019_84583NED_statline.csv"
    with resources.as_file(path) as p:
        raw = pd.read_csv(p, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    raw = raw.apply(lambda s: s.str.strip())
    out = pd.DataFrame({"code": raw["Codering_3"]})
    for key, concept in COLUMNS.items():
        out[concept] = pd.to_numeric(raw[key].replace(".", ""), errors="coerce")
    return out


def build_frame(copies: int, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    dh = read_denhaag()
    gm = dh[dh["code"] == "GM0518"].iloc[0]
    buurten = dh[dh["code"].str.startswith("BU")].reset_index(drop=True)
    rows = []
    wijk_rows = []
    k = 0
    for c in range(copies):
        for start in range(0, len(buurten), 12):
            wk = "WK9999" + B36[k // 36] + B36[k % 36]
            k += 1
            part = buurten.iloc[start : start + 12].copy()
            f = rng.uniform(0.5, 1.5, len(part)) * scale
            for col in COUNTS:
                part[col] = np.round(part[col] * f)
            for col in PERCENTS:
                part[col] = np.clip(part[col] + rng.normal(0, 2, len(part)), 0, 100)
            part["code"] = ["BU" + wk[2:] + B36[i // 36] + B36[i % 36] for i in range(len(part))]
            part["level"] = "buurt"
            part["parent"] = wk
            rows.append(part)
            wrow = part[COUNTS].sum().to_dict()
            wrow.update({col: part[col].mean() for col in COLUMNS.values() if col not in COUNTS})
            wrow.update({"code": wk, "level": "wijk", "parent": "GM9999"})
            wijk_rows.append(wrow)
        del c
    g = gm.to_dict()
    g.update({"code": "GM9999", "level": "gemeente", "parent": None})
    frame = pd.concat([pd.DataFrame([g]), pd.DataFrame(wijk_rows), *rows], ignore_index=True)
    frame["gemeente_code"] = "GM9999"
    frame["name"] = None
    return frame


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 44
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    frame = build_frame(copies, scale, np.random.default_rng(2019))
    n_buurten = int((frame["level"] == "buurt").sum())
    sp = SyntheticPopulation(2019)
    sp.generate(build_frame(1, scale, np.random.default_rng(0)), "GM9999", np.random.default_rng(0))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best = float("inf")
    result: SynthResult | None = None
    for seed in (1, 2, 3):
        result = None  # free the previous result first: the peak is that of one run
        t0 = time.perf_counter()
        result = sp.generate(frame, "GM9999", np.random.default_rng(seed))
        best = min(best, time.perf_counter() - t0)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert result is not None
    frames_mib = (
        result.dwellings.memory_usage(deep=True).sum()
        + result.households.memory_usage(deep=True).sum()
    ) / 2**20
    n_h = len(result.households)
    n_d = len(result.dwellings)
    summary = result.fit_summary().drop(columns="label")
    print(f"buurten:              {n_buurten}")
    print(f"households:           {n_h:,}")
    print(f"dwellings:            {n_d:,}")
    print(f"best of 3:            {best:.2f} s")
    print(f"households per second: {n_h / best:,.0f}")
    print(f"peak RSS:             {rss1 / 1024:,.0f} MiB (before the runs: {rss0 / 1024:,.0f} MiB)")
    print(f"result frames:        {frames_mib:,.0f} MiB")
    print("\nfit summary (errors in the unit of the concept):")
    print(summary.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
