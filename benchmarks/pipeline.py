"""Time a full ``salesforge run`` per stage on synthetic data of one or more sizes.

    python benchmarks/pipeline.py --rows 0.5M,2M,5M,10M [--override forecast.freq=W]

For each size, a file from ``salesforge sample --rows N`` (gzip CSV, made once per size in a
scratch folder), then two child processes, one after the other, so that each peak RSS is
its own:

* a bare ``pandas.read_csv(engine="pyarrow")`` of the same file, the better of two (the
  base of the load + clean ratio);
* the default ``salesforge run`` (plus any ``--override``), through
  :func:`salesforge.runner.run`; the child reports the manifest's seconds per stage, the
  wall seconds of the run and its peak RSS. With ``--repeat N``, N such children, and per
  stage (and for the wall) the smallest seconds of the N, the largest peak RSS: on a shared 2-core
  machine one size's stage varies by up to a factor of two from run to run, which a single
  run turns into a growth exponent far from the code's. From three runs on, a second table
  of exponents is worked out on each stage's median of the runs.

Prints one table (rows, wall, peak RSS, seconds per stage, bare read, load + clean over the
bare read) and, between consecutive sizes, the growth exponent of every stage, of the
wall time and of the bare read itself (how much of a stage's growth the machine gives any
reader of that much data): ``log(t2 / t1) / log(n2 / n1)`` (1.0 is linear). Never used in
tests; the figures depend on the machine's load, printed before and after.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("load", "clean", "features", "forecast", "segment", "detect", "analytics", "report")


def parse_rows(text: str) -> list[int]:
    """``"0.5M,2M,100k,2500"`` -> ``[500000, 2000000, 100000, 2500]``."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1:], 1)
        number = part[:-1] if scale > 1 else part
        sizes.append(round(float(number) * scale))
    return sizes


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_bare(path: str) -> dict:
    import pandas as pd

    best, rows = math.inf, 0
    for _ in range(2):  # the better of two: the first also pays for starting Arrow's threads
        started = time.perf_counter()
        rows = len(pd.read_csv(path, engine="pyarrow"))
        best = min(best, time.perf_counter() - started)
    return {"seconds": best, "rows": rows, "peak_rss_mb": peak_rss_mb()}


def child_run(path: str, overrides: list[str], scratch: str) -> dict:
    from salesforge.composition import compose
    from salesforge.runner import run

    cfg = compose([f"data.path={path}", f"runs.index={scratch}/index.jsonl",
                   "data.drift.reference=false", "forecast.realized=false", *overrides])
    started = time.perf_counter()
    result = run(cfg, Path(tempfile.mkdtemp(dir=scratch)) / "run")
    wall = time.perf_counter() - started
    manifest = result.manifest
    if manifest["status"] != "ok":
        raise SystemExit(f"the run failed: {manifest.get('error')}")
    return {"wall": wall, "timings": manifest["timings"], "peak_rss_mb": peak_rss_mb()}


def in_child(*arguments: str) -> dict:
    """Run this script with ``arguments`` in a fresh interpreter; its last stdout line is
    JSON."""
    done = subprocess.run([sys.executable, __file__, *arguments], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(runs: list[dict]) -> dict:
    """Of repeated runs of one size: per stage and for the wall the smallest seconds (the
    least disturbed by the rest of the machine); the largest peak RSS (memory is a
    ceiling). Also each stage's and the wall's median (``median``), which one lucky
    run does not move."""
    stages = {s for r in runs for s in r["timings"]}
    return {"wall": min(r["wall"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "timings": {s: min(r["timings"].get(s, math.inf) for r in runs) for s in stages},
            "median": {"wall": statistics.median(r["wall"] for r in runs),
                       "timings": {s: statistics.median(r["timings"].get(s, math.inf)
                                                        for r in runs) for s in stages}}}


def exponent(small: float, large: float, n_small: int, n_large: int) -> float:
    if small <= 0 or large <= 0:
        return math.nan
    return math.log(large / small) / math.log(n_large / n_small)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1M", help="sizes, e.g. 0.5M,2M,5M,10M")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per size, each in a fresh process; the table keeps each "
                             "stage's best (default 1)")
    parser.add_argument("--override", action="append", default=[],
                        help="extra config override, e.g. --override forecast.freq=W")
    parser.add_argument("--child", choices=("bare", "run"), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "bare":
        print(json.dumps(child_bare(options.data)))
        return
    if options.child == "run":
        print(json.dumps(child_run(options.data, options.override, options.scratch)))
        return

    from salesforge.data.sample import write_sample

    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for rows in parse_rows(options.rows):
            data = Path(scratch) / f"sales-{rows}.csv.gz"
            started = time.perf_counter()
            write_sample(data, rows=rows, seed=options.seed)
            print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s "
                  f"({data.stat().st_size / 1e6:.1f} MB gz)", flush=True)
            bare = in_child("--child", "bare", "--data", str(data))
            extra = [f"--override={o}" for o in options.override]
            runs = [in_child("--child", "run", "--data", str(data), "--scratch", scratch,
                             *extra) for _ in range(options.repeat)]
            run = best_of(runs)
            results.append({"rows": rows, "bare": bare, **run})
            if options.repeat > 1:
                print("  runs " + ", ".join(f"{r['wall']:.1f} s / {r['peak_rss_mb']:,.0f} MB"
                                            for r in runs)
                      + "; below, each stage's and the wall's best, the largest peak",
                      flush=True)
            print(f"  run {run['wall']:.1f} s, peak RSS {run['peak_rss_mb']:,.0f} MB; bare read "
                  f"{bare['seconds']:.2f} s", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print(table(results))
    if len(results) > 1:
        print("\n" + growth(results))
        if options.repeat > 2:
            medians = [{**r, **r["median"]} for r in results]
            print("\n" + growth(medians, "on each stage's median of the runs"))


def table(results: list[dict]) -> str:
    stages = [s for s in STAGES if any(s in r["timings"] for r in results)]
    lines = ["| rows | wall s | peak RSS GB | " + " | ".join(stages)
             + " | bare read s | (load + clean) / bare |",
             "|" + " --- |" * (len(stages) + 5)]
    for r in results:
        t = r["timings"]
        ratio = (t.get("load", 0) + t.get("clean", 0)) / r["bare"]["seconds"]
        cells = [f"{r['rows']:,}", f"{r['wall']:.1f}", f"{r['peak_rss_mb'] / 1024:.2f}",
                 *[f"{t.get(s, 0):.2f}" for s in stages],
                 f"{r['bare']['seconds']:.2f}", f"{ratio:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth(results: list[dict], basis: str = "on each stage's best") -> str:
    """Growth exponents between consecutive sizes (and first to last)."""
    stages = [s for s in STAGES if any(s in r["timings"] for r in results)]
    pairs = list(itertools.pairwise(results))
    if len(results) > 2:
        pairs.append((results[0], results[-1]))
    lines = ["| sizes | wall | " + " | ".join(stages) + " | bare read |",
             "|" + " --- |" * (len(stages) + 3)]
    for a, b in pairs:
        def power(small: float, large: float, a: dict = a, b: dict = b) -> str:
            return f"{exponent(small, large, a['rows'], b['rows']):.2f}"

        cells = [f"{a['rows']:,} → {b['rows']:,}", power(a["wall"], b["wall"]),
                 *[power(a["timings"].get(s, 0), b["timings"].get(s, 0)) for s in stages],
                 power(a["bare"]["seconds"], b["bare"]["seconds"])]
        lines.append("| " + " | ".join(cells) + " |")
    return f"growth exponents (1.0 = linear), {basis}\n" + "\n".join(lines)


if __name__ == "__main__":
    main()
