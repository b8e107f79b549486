"""Benchmark: hierarchical decomposition of M for 8 million households.

Generates a synthetic register of households in a nested 7-level hierarchy
(regio → gemeente → wijk → buurt → straat → complex → portiek) with realistic
fan-outs and 5 income groups whose distribution depends on every level
(spatially correlated), then times :func:`wijkmix.measures.decompose.decompose`.
Generation is timed separately. Run::

    .venv/bin/python benchmarks/bench_decompose.py [--households 8000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import numpy as np
import pandas as pd

from wijkmix.measures.decompose import decompose

# finest first, as decompose() wants them
LEVELS = ["portiek", "complex", "straat", "buurt", "wijk", "gemeente", "regio"]
# mean number of children per parent, coarse to fine (children = 1 + Poisson(mean - 1))
FANOUT = {"gemeente": 10, "wijk": 10, "buurt": 4, "straat": 10, "complex": 5, "portiek": 3}
N_REGIO = 35  # the Netherlands has 35 woningmarktregio's
# standard deviation of each level's effect on the latent income score
SIGMA = {
    "regio": 0.15,
    "gemeente": 0.25,
    "wijk": 0.35,
    "buurt": 0.35,
    "straat": 0.3,
    "complex": 0.4,
    "portiek": 0.3,
}
GROUPS = ["laag", "laag-midden", "midden", "midden-hoog", "hoog"]


def generate(
    n_households: int, rng: np.random.Generator, *, cbs_strings: bool
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per household: a code per level and an income group."""
    # parent index of each unit, built top-down
    n_units = {"regio": N_REGIO}
    parent: dict[str, np.ndarray] = {}
    above = "regio"
    for level in ["gemeente", "wijk", "buurt", "straat", "complex", "portiek"]:
        kids = 1 + rng.poisson(FANOUT[level] - 1, size=n_units[above])
        parent[level] = np.repeat(np.arange(n_units[above]), kids)
        n_units[level] = len(parent[level])
        above = level
    n_portiek = n_units["portiek"]
    if n_households < n_portiek:
        raise SystemExit(f"need at least {n_portiek} households")
    # every portiek gets at least one household; the rest by gamma-distributed sizes
    w = rng.gamma(2.0, 1.0, size=n_portiek)
    sizes = 1 + rng.multinomial(n_households - n_portiek, w / w.sum())
    hh_portiek = rng.permutation(np.repeat(np.arange(n_portiek), sizes))

    codes = {"portiek": hh_portiek}
    for child, level in itertools.pairwise(LEVELS):
        codes[level] = parent[child][codes[child]]

    latent = rng.standard_normal(n_households)
    for level in LEVELS:
        effect = rng.normal(0.0, SIGMA[level], size=n_units[level])
        latent += effect[codes[level]]
    cuts = np.quantile(latent, [0.2, 0.4, 0.6, 0.8])
    group = np.searchsorted(cuts, latent)

    frame: dict[str, object] = {f"{level}_code": codes[level] for level in LEVELS}
    if cbs_strings:
        # CBS codes as text, as a register would carry them
        for level, fmt in (("gemeente", "GM{:04d}"), ("wijk", "WK{:06d}"), ("buurt", "BU{:08d}")):
            labels = pd.array([fmt.format(i) for i in range(n_units[level])], dtype="str")
            frame[f"{level}_code"] = labels.take(codes[level])
    out = pd.DataFrame(frame)
    out["inkomensgroep"] = pd.Categorical.from_codes(group, categories=pd.Index(GROUPS))
    return out, n_units


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=8_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240501)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)

    for cbs_strings in (False, True):
        kind = (
            "integer codes on every level"
            if not cbs_strings
            else "text CBS codes (GM/WK/BU) for gemeente, wijk, buurt; integers below"
        )
        t0 = time.perf_counter()
        frame, n_units = generate(args.households, rng, cbs_strings=cbs_strings)
        t_gen = time.perf_counter() - t0
        print(f"\n== {len(frame):,} households, 7 levels, 5 income groups; {kind}")
        print("units per level: " + ", ".join(f"{lv} {n_units[lv]:,}" for lv in reversed(LEVELS)))
        print(f"generation: {t_gen:.2f} s")
        times = []
        result = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = decompose(frame, LEVELS, group="inkomensgroep")
            times.append(time.perf_counter() - t0)
        assert result is not None
        best, med = min(times), statistics.median(times)
        print(
            f"decompose: best {best:.2f} s, median {med:.2f} s over {args.repeat} runs "
            f"({len(frame) / best:,.0f} households/s)"
        )
        parts = result.components["m"].sum()
        gap = abs(parts - result.m)
        print(f"M = {result.m:.6f}, H = {result.h:.6f}; |sum of parts - M| = {gap:.1e}")
        print(result.to_frame().to_string(index=False, float_format=lambda v: f"{v:.5f}"))
        del frame, result

    print(
        "\nPySAL segregation (2.5) has no equivalent: it computes flat and spatial indices per "
        "table and decomposes differences between two regions (DecomposeSegregation), but has no "
        "exact decomposition of M over nested levels, so there is no PySAL figure to compare."
    )


if __name__ == "__main__":
    main()
