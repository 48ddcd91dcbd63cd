"""Time the synthetic sales generator (and optionally the CSV writer) and report peak memory.

    python benchmarks/sample_generation.py --rows 10000000 --out /tmp/sales.csv.gz
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from salesforge.data.sample import DEFAULT_SEED, generate_sample, write_sample


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows to generate")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, help="also write the CSV here (e.g. sales.csv.gz)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    sales, labels = generate_sample(args.rows, args.seed)
    generation_seconds = time.perf_counter() - started
    print(f"rows               {len(sales):,}")
    print(f"anomalies          {len(labels):,}")
    print(f"generation seconds {generation_seconds:.2f}")
    print(f"rows per second    {len(sales) / generation_seconds:,.0f}")
    print(f"frame memory MiB   {sales.memory_usage(deep=True).sum() / 2**20:,.0f}")
    print(f"peak RSS MiB       {peak_rss_mib():,.0f}  (generation)")
    del sales, labels

    if args.out is not None:
        started = time.perf_counter()
        sales_file, labels_file = write_sample(args.out, args.rows, args.seed)
        total_seconds = time.perf_counter() - started
        print(f"write_sample secs  {total_seconds:.2f}  (generation + CSV write)")
        print(f"write seconds      {total_seconds - generation_seconds:.2f}  (estimate: minus the"
              " generation time above)")
        print(f"sales file MiB     {sales_file.stat().st_size / 2**20:,.1f}  {sales_file}")
        print(f"labels file MiB    {labels_file.stat().st_size / 2**20:,.2f}  {labels_file}")
        print(f"peak RSS MiB       {peak_rss_mib():,.0f}  (generation and write)")


if __name__ == "__main__":
    main()
