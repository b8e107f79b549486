"""Benchmark: wijkmix segregation indices against PySAL ``segregation``.

Times every index the two share, in the same run, on random count tables of
14 000 units × 3 groups, 14 000 × 5 and 1 000 000 × 2 (Poisson counts with a
gamma-distributed tilt per unit and group, from one seeded generator). Both
get the same pandas data frame of float64 group columns (PySAL's single-group
classes also a ``total`` column; for them the focal group is group 0 against
the rest). Each time is the median of several calls (``timeit``, one call per
repeat), and the best of ``--rounds`` such medians (other processes may load
the cores). Before timing, one warm-up call compiles the numba kernels of both
libraries (wijkmix's are cached on disk, so a later process only loads them):
the times do not include compilation.

PySAL's ``Gini`` and ``MultiGini`` sum all n² pairs of units (``MultiGini``
even builds n × n matrices). Their time at a size is first estimated from two
smaller runs as ``a + b n²``; a run estimated above 60 s (or, for
``MultiGini``, needing more than 8 GB) is skipped and the estimate is shown
instead, marked ``~``. Targets: at least 5× faster than PySAL at 14 000
units and 10× at 1 000 000 units. Run::

    .venv/bin/python benchmarks/bench_segregation.py [--repeat 7] [--rounds 3] [--seed 2024]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import timeit
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from wijkmix.measures import segregation as seg

SIZES = [(14_000, 3), (14_000, 5), (1_000_000, 2)]
SKIP_SECONDS = 60.0
SKIP_BYTES = 8e9


@dataclass(frozen=True)
class Shared:
    """One index in both libraries."""

    name: str
    ours: Callable[[pd.DataFrame], float]
    theirs: Callable[[pd.DataFrame, list[str]], float]
    quadratic: bool = False  # PySAL sums all n² pairs
    matrices: bool = False  # PySAL builds n × n float64 matrices (3 at a time)


def shared_indices() -> list[Shared]:
    from segregation import multigroup as mg
    from segregation import singlegroup as sg

    def single(cls: type) -> Callable[[pd.DataFrame, list[str]], float]:
        return lambda df, cols: float(cls(df, cols[0], "total").statistic)

    def multi(cls: type) -> Callable[[pd.DataFrame, list[str]], float]:
        return lambda df, cols: float(cls(df, cols).statistic)

    def two_group_h(counts: pd.DataFrame) -> float:
        # group 0 versus the rest, as a two-column table (built inside the timing)
        c = counts.to_numpy()
        return seg.theil_h(np.column_stack([c[:, 0], c[:, 1:].sum(axis=1)]))

    return [
        Shared("dissimilarity", lambda c: seg.dissimilarity(c, 0), single(sg.Dissim)),
        Shared("gini", lambda c: seg.gini(c, 0), single(sg.Gini), quadratic=True),
        Shared("isolation", lambda c: seg.isolation(c, 0), single(sg.Isolation)),
        Shared("exposure (rest)", lambda c: seg.exposure(c, 0), single(sg.Interaction)),
        Shared("correlation_ratio", lambda c: seg.correlation_ratio(c, 0), single(sg.CorrelationR)),
        Shared("theil_h (2 groups)", two_group_h, single(sg.Entropy)),
        Shared("multigroup_dissimilarity", seg.multigroup_dissimilarity, multi(mg.MultiDissim)),
        Shared(
            "multigroup_gini",
            seg.multigroup_gini,
            multi(mg.MultiGini),
            quadratic=True,
            matrices=True,
        ),
        Shared("theil_h", seg.theil_h, multi(mg.MultiInfoTheory)),
        Shared("mutual_information", seg.mutual_information, multi(mg.MultiDivergence)),
        Shared("relative_diversity", seg.relative_diversity, multi(mg.MultiRelativeDiversity)),
        Shared("normalized_exposure", seg.normalized_exposure, multi(mg.MultiNormExposure)),
        Shared("simpson_interaction", seg.simpson_interaction, multi(mg.SimpsonsInteraction)),
        Shared("simpson_concentration", seg.simpson_concentration, multi(mg.SimpsonsConcentration)),
    ]


def make_table(n_units: int, n_groups: int, rng: np.random.Generator) -> pd.DataFrame:
    sizes = rng.uniform(5.0, 40.0, size=n_groups)
    tilt = rng.gamma(1.5, 1.0, size=(n_units, n_groups))
    counts = rng.poisson(sizes * tilt).astype(np.float64)
    counts[rng.random(n_units) < 0.02] = 0.0  # some empty units
    df = pd.DataFrame(counts, columns=[f"g{k}" for k in range(n_groups)])
    df["total"] = counts.sum(axis=1)
    return df


def median_seconds(
    fn: Callable[[], object], repeat: int, *, warm: bool = True, rounds: int = 1
) -> float:
    """Best over ``rounds`` of the median of ``repeat`` calls."""
    if warm:
        fn()  # warm-up (and numba compilation)
    return min(statistics.median(timeit.repeat(fn, number=1, repeat=repeat)) for _ in range(rounds))


def estimate_quadratic(
    index: Shared, n_groups: int, n_target: int, rng: np.random.Generator
) -> float:
    """Seconds at ``n_target``, from a fit ``a + b n²`` to two smaller runs.

    The intercept takes up the per-call overhead, which dominates at small n.
    ``MultiGini`` is measured at n = 2 000 and 4 000 (it builds n × n
    matrices), ``Gini`` at 8 000 and 16 000.
    """
    sizes = (2_000, 4_000) if index.matrices else (8_000, 16_000)
    times = []
    for n in sizes:
        df = make_table(n, n_groups, rng)
        cols = [c for c in df.columns if c != "total"]
        times.append(median_seconds(partial(index.theirs, df, cols), 3))
    (n1, n2), (t1, t2) = sizes, times
    slope = (t2 - t1) / (n2**2 - n1**2)
    if slope <= 0:  # timing noise: fall back to t ∝ n² through the larger run
        return t2 * (n_target / n2) ** 2
    return t1 + slope * (n_target**2 - n1**2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="calls per timing (median)")
    parser.add_argument("--rounds", type=int, default=3, help="medians taken (best counts)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    import segregation

    warnings.simplefilter("ignore")  # PySAL's numba and numpy warnings
    rng = np.random.default_rng(np.random.SeedSequence(args.seed))
    print(
        f"wijkmix vs PySAL segregation {segregation.__version__}; numpy {np.__version__}, "
        f"pandas {pd.__version__}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )
    print(
        f"best of {args.rounds} medians of {args.repeat} calls (PySAL's n² indices: one median), "
        "after a warm-up call (numba compilation not timed); "
        "'~' = PySAL estimated as a + b n² from smaller runs"
    )
    header = f"{'index':<26} {'size':>13} {'wijkmix ms':>11} {'PySAL ms':>12} {'ratio':>9}  target"
    print(header)
    print("-" * len(header))
    misses = []
    for n_units, n_groups in SIZES:
        df = make_table(n_units, n_groups, rng)
        cols = [c for c in df.columns if c != "total"]
        counts = df[cols]
        target = 5.0 if n_units < 1_000_000 else 10.0
        for index in shared_indices():
            ours_value = index.ours(counts)
            ours = median_seconds(partial(index.ours, counts), args.repeat, rounds=args.rounds)
            estimated, reps = False, args.repeat
            if index.quadratic:
                est = estimate_quadratic(index, n_groups, n_units, rng)
                too_big = index.matrices and 3 * 8.0 * n_units**2 > SKIP_BYTES
                if est > SKIP_SECONDS or too_big:
                    theirs, estimated = est, True
                elif est > 2.0:
                    reps = 1
            if not estimated:
                theirs_value = index.theirs(df, cols)
                if not np.isclose(ours_value, theirs_value, rtol=1e-9, atol=1e-12):
                    raise SystemExit(f"{index.name}: {ours_value!r} != PySAL {theirs_value!r}")
                theirs = median_seconds(
                    partial(index.theirs, df, cols),
                    reps,
                    warm=False,
                    rounds=1 if index.quadratic else args.rounds,
                )
            ratio = theirs / ours
            ok = ratio >= target
            if not ok:
                misses.append(f"{index.name} at {n_units} × {n_groups}: {ratio:.1f}×")
            mark = "~" if estimated else " "
            print(
                f"{index.name:<26} {f'{n_units} × {n_groups}':>13} {ours * 1e3:>11.3f} "
                f"{mark}{theirs * 1e3:>11.1f} {ratio:>8.1f}×  "
                f"{'ok' if ok else 'MISS'} (≥{target:g}×)"
            )
    if misses:
        print("below target: " + "; ".join(misses))
    else:
        print("all targets met")


if __name__ == "__main__":
    main()
