"""Time a full ``salesforge run`` per stage on synthetic data of a given size.

    python benchmarks/pipeline.py --rows 1000000

Prints rows, seconds per stage, total seconds, rows/s and peak RSS. Never used in tests.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from salesforge.composition import compose
from salesforge.data.sample import write_sample
from salesforge.runner import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--override", action="append", default=[],
                        help="extra config override, e.g. --override forecast.freq=W")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "sales.csv.gz"
        started = time.perf_counter()
        write_sample(data, rows=options.rows, seed=options.seed)
        print(f"generated {options.rows:,} rows in {time.perf_counter() - started:.1f}s "
              f"({data.stat().st_size / 1e6:.1f} MB gz)")
        cfg = compose([f"data.path={data}", *options.override])
        started = time.perf_counter()
        result = run(cfg, Path(scratch) / "run")
        total = time.perf_counter() - started
    for stage, seconds in result.manifest["timings"].items():
        print(f"  {stage:<10} {seconds:8.2f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows={options.rows:,} total={total:.2f}s rows/s={options.rows / total:,.0f} "
          f"peak_rss={peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
