"""Time the analytics stage alone: this tree's ``kpis`` analyzer against an earlier revision's.

    python benchmarks/analytics.py --rows 2000000,5000000 [--reference caf2a51] [--repeat 3]

For each size: write a synthetic sample, load and clean it through ``salesforge.runner.run``
(the stages after ``clean`` off), read ``data/clean.parquet``, then time
``KpiAnalyzer().analyze`` of this tree on it and the analyzer of ``--reference`` (a git
revision of ``salesforge/analytics``, extracted to a temporary package; default: the last
revision before issue 20 encoded columns once) on the same rows with the encoded columns
as Arrow text, as the cleaner gave them then. Both analyses must be identical (tables,
KPIs, insights). Prints seconds (the fastest of ``--repeat``), the speed-up, the growth
exponent between sizes and the load average. Never used in tests.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.composition import compose
from salesforge.data.sample import write_sample
from salesforge.runner import run

ROOT = Path(__file__).resolve().parents[1]
#: The last revision whose analyzer grouped text columns (before issue 20).
REFERENCE = "caf2a51"
AFTER_CLEAN = ("features", "forecast", "segment", "detect", "analytics", "report")


def parse_rows(text: str) -> list[int]:
    """``"2000000,5M,0.5M"`` -> [2000000, 5000000, 500000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().upper()
        scale = 1_000_000 if part.endswith("M") else 1_000 if part.endswith("K") else 1
        sizes.append(int(float(part.rstrip("MK")) * scale))
    return sizes


def reference_analyzer(revision: str, scratch: Path) -> Any:
    """The ``KpiAnalyzer`` class of ``salesforge/analytics`` at git ``revision``."""
    package = f"ref_analytics_{revision.replace('-', '_').replace('.', '_')}"
    folder = scratch / package
    folder.mkdir()
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{revision}:salesforge/analytics"],
                           cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    for name in (n for n in names if n.endswith(".py")):
        text = subprocess.run(["git", "show", f"{revision}:salesforge/analytics/{name}"],
                              cwd=ROOT, check=True, capture_output=True, text=True).stdout
        (folder / name).write_text(text.replace("salesforge.analytics.", f"{package}."))
    sys.path.insert(0, str(scratch))
    return importlib.import_module(f"{package}.kpis").KpiAnalyzer


def clean_frame(rows: int, seed: int, scratch: Path) -> pd.DataFrame:
    """The clean frame of a ``rows``-row sample, as the clean stage writes it."""
    data = scratch / f"sales_{rows}.csv.gz"
    write_sample(data, rows=rows, seed=seed)
    overrides = [f"data.path={data}", "data.drift.reference=false",
                 "data.out_of_core.enabled=false",
                 *(f"stages.{stage}=false" for stage in AFTER_CLEAN)]
    result = run(compose(overrides), scratch / f"run_{rows}")
    return pd.read_parquet(result.run_dir / "data" / "clean.parquet")


def as_text(clean: pd.DataFrame) -> pd.DataFrame:
    """``clean`` with its categorical columns as Arrow text (the cleaner's output before)."""
    text = pd.StringDtype("pyarrow")
    return clean.assign(**{c: clean[c].astype(text) for c in clean.columns
                           if isinstance(clean[c].dtype, pd.CategoricalDtype)})


def fastest(analyzer: Any, clean: pd.DataFrame, repeat: int) -> tuple[float, Any]:
    best, analysis = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        analysis = analyzer.analyze(clean, "en", "IDR")
        best = min(best, time.perf_counter() - started)
    return best, analysis


def same(a: Any, b: Any) -> bool:
    if list(a.tables) != list(b.tables) or a.kpis != b.kpis or a.insights != b.insights:
        return False
    for name, table in a.tables.items():
        try:
            pd.testing.assert_frame_equal(table, b.tables[name], check_exact=True)
        except AssertionError:
            return False
    return True


def exponent(sizes: list[int], seconds: list[float]) -> str:
    if len(seconds) < 2 or min(seconds) <= 0:
        return "-"
    return f"{math.log(seconds[-1] / seconds[0]) / math.log(sizes[-1] / sizes[0]):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="2000000,5000000",
                        help="comma-separated sizes, e.g. 2M,5M,10M")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reference", default=REFERENCE,
                        help="git revision to compare with; 'none' times this tree only")
    parser.add_argument("--repeat", type=int, default=1, help="timings per size; the fastest")
    options = parser.parse_args()
    sizes = parse_rows(options.rows)
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    new_seconds, old_seconds = [], []
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        old_analyzer = None if options.reference == "none" \
            else reference_analyzer(options.reference, scratch)
        print(f"{'rows':>12} {'reference s':>12} {'new s':>8} {'speed-up':>9}  identical")
        for rows in sizes:
            clean = clean_frame(rows, options.seed, scratch)
            new, analysis = fastest(KpiAnalyzer(), clean, options.repeat)
            new_seconds.append(new)
            if old_analyzer is None:
                print(f"{rows:>12,} {'-':>12} {new:>8.2f} {'-':>9}  -")
                continue
            text = as_text(clean)
            del clean
            old, reference = fastest(old_analyzer(), text, options.repeat)
            old_seconds.append(old)
            print(f"{rows:>12,} {old:>12.2f} {new:>8.2f} {old / new:>8.1f}x  "
                  f"{'yes' if same(analysis, reference) else 'NO'}")
    print(f"growth exponent {sizes[0]:,} -> {sizes[-1]:,} rows: new "
          f"{exponent(sizes, new_seconds)}, reference {exponent(sizes, old_seconds)}")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
