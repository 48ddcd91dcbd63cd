"""Measure ingestion: load + standardise + clean + validate on a large transaction CSV,
against a bare ``pandas.read_csv(path, engine="pyarrow")`` of the same file.

    python benchmarks/ingest.py --rows 10000000            # generates the file first
    python benchmarks/ingest.py --path sales.csv            # or takes yours

Each measurement runs in a fresh interpreter so peak RSS belongs to it alone. Prints
rows, seconds, rows/s, peak RSS and the ratio ours / bare read. Never used in tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import json, resource, sys, time
import pandas as pd
started = time.perf_counter()
frame = pd.read_csv(sys.argv[1], engine="pyarrow")
seconds = time.perf_counter() - started
print(json.dumps({"rows": len(frame), "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OURS = """
import json, resource, sys, time
from salesforge.data.cleaning import StandardCleaner
from salesforge.data.csv_loader import CsvLoader
from salesforge.schema import REQUIRED_COLUMNS
started = time.perf_counter()
raw = CsvLoader().load(sys.argv[1])
loaded = time.perf_counter()
result = StandardCleaner().clean(raw, source=sys.argv[1])
cleaned = time.perf_counter()
clean = result.clean
for column, dtype in REQUIRED_COLUMNS.items():
    assert str(clean[column].dtype) == dtype, (column, clean[column].dtype)
assert result.rows_in == len(raw) and clean["date"].notna().all()
done = time.perf_counter()
print(json.dumps({"rows": len(raw), "seconds": done - started, "load": loaded - started,
                  "clean": cleaned - loaded, "validate": done - cleaned,
                  "rows_clean": len(clean), "rows_rejected": len(result.rejected),
                  "rows_duplicate": result.duplicates,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(code: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--path", type=Path, help="an existing CSV (skips generation)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best is shown")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = options.path
        if path is None:
            from salesforge.data.sample import write_sample

            path = Path(scratch) / "sales.csv"
            started = time.perf_counter()
            write_sample(path, rows=options.rows)
            print(f"generated {options.rows:,} rows in {time.perf_counter() - started:.1f}s "
                  f"({path.stat().st_size / 1e6:,.0f} MB)")
        bare = min((measure(BARE, path) for _ in range(options.repeat)),
                   key=lambda m: m["seconds"])
        ours = min((measure(OURS, path) for _ in range(options.repeat)),
                   key=lambda m: m["seconds"])
    rows = ours["rows"]
    print(f"bare pandas.read_csv(engine='pyarrow'): {bare['seconds']:.2f} s, "
          f"{rows / bare['seconds']:,.0f} rows/s, peak RSS {bare['peak_mb']:,.0f} MB")
    print(f"salesforge load+standardise+clean+validate: {ours['seconds']:.2f} s "
          f"(load {ours['load']:.2f}, clean {ours['clean']:.2f}, validate "
          f"{ours['validate']:.2f}), {rows / ours['seconds']:,.0f} rows/s, "
          f"peak RSS {ours['peak_mb']:,.0f} MB")
    print(f"rows={rows:,} clean={ours['rows_clean']:,} rejected={ours['rows_rejected']:,} "
          f"duplicate={ours['rows_duplicate']:,}")
    print(f"ratio ours / bare = {ours['seconds'] / bare['seconds']:.2f} "
          "(targets: >= 2,000,000 rows/s, ratio <= 2.0, peak RSS <= 3,072 MB)")


if __name__ == "__main__":
    main()
