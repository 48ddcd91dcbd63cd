"""Measure out-of-core aggregation (``data.out_of_core``): DuckDB sums Parquet or CSV
partitions to daily rows under a memory limit well below the data's in-memory size,
against the pandas path (loaders + standard cleaner + groupby) on the same files.

    python benchmarks/large_input.py --rows 20000000                 # Parquet partitions
    python benchmarks/large_input.py --rows 5000000 --format csv
    python benchmarks/large_input.py --rows 20000000 --memory-limit 1GB --pandas no

The partitions are generated chunk by chunk (never all in memory) into a temporary folder
(``--folder`` keeps them). Each measurement runs in a fresh interpreter so its peak RSS is
its own. Prints input size on disk, estimated pandas in-memory size, seconds, rows/s, peak
RSS, and the ratios DuckDB / pandas when the pandas run fits (``--pandas auto``: when the
estimate is under half the free memory). Never used in tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

PRODUCTS = 300
REGIONS = [f"Kota {i:02d}" for i in range(10)]
CATEGORIES = [f"Kategori {i:02d}" for i in range(12)]

DUCKDB = """
import json, resource, sys
from pathlib import Path
from salesforge.data.duckdb_aggregate import aggregate
from salesforge.data.out_of_core import parse_settings
files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.suffix in (".parquet", ".csv"))
settings = parse_settings({"memory_limit": sys.argv[2], "rejected_examples": 100})
result = aggregate(files, settings, temp_root=Path(sys.argv[3]))
print(json.dumps({"seconds": result.summary["seconds"], "rows": result.source_rows,
                  "aggregated_rows": len(result.frame), "rejected": result.rejected_counts,
                  "revenue": float(result.frame["revenue"].sum()),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PANDAS = """
import json, resource, sys, time
from pathlib import Path
from salesforge.data.cleaning import StandardCleaner
from salesforge.data.csv_loader import CsvLoader
from salesforge.data.parquet_loader import ParquetLoader
from salesforge.data.sources import stack
started = time.perf_counter()
files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.suffix in (".parquet", ".csv"))
frames = [(ParquetLoader() if f.suffix == ".parquet" else CsvLoader()).load(f) for f in files]
raw = stack(frames, [f.name for f in files])
del frames
result = StandardCleaner(drop_duplicates=False).clean(raw)
clean = result.clean
daily = clean.groupby([clean["date"].dt.normalize(), "product", "category", "region"],
                      observed=True)[["quantity", "revenue"]].sum()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": len(raw),
                  "aggregated_rows": len(daily), "revenue": float(daily["revenue"].sum()),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def chunk(rows: int, start: int, seed: int) -> pd.DataFrame:
    """``rows`` synthetic transactions (two years, 300 products, 10 cities: at most
    2.2M daily rows per product and city)."""
    rng = np.random.default_rng(seed)
    product = rng.zipf(1.3, rows) % PRODUCTS
    seconds = rng.integers(0, 730 * 86400, rows)
    quantity = rng.integers(1, 6, rows)
    price = np.round(1000 + (product * 7919 % 500) * 1000.0, 2)
    return pd.DataFrame({
        "order_id": pd.Series(np.arange(start, start + rows)).map("SO-{:010d}".format),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(seconds, unit="s"),
        "product": pd.Categorical.from_codes(product, [f"Produk {i:04d}" for i in
                                                       range(PRODUCTS)]).astype(str),
        "category": np.asarray(CATEGORIES, dtype=object)[product % len(CATEGORIES)],
        "region": np.asarray(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), rows)],
        "customer_id": rng.integers(10000, 99999, rows),
        "quantity": quantity,
        "price": price,
        "revenue": quantity * price,
    })


def generate(folder: Path, rows: int, fmt: str, per_file: int) -> float:
    """Write the partitions; returns the estimated pandas in-memory size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    estimate = 0.0
    for i, start in enumerate(range(0, rows, per_file)):
        part = chunk(min(per_file, rows - start), start, seed=i)
        table = pa.Table.from_pandas(part, preserve_index=False)
        if fmt == "parquet":
            pq.write_table(table, folder / f"part-{i:04d}.parquet")
        else:
            pacsv.write_csv(table, folder / f"part-{i:04d}.csv")
        if i == 0:  # Arrow-backed strings, as the loaders read them
            arrow = part.astype({c: "string[pyarrow]" for c in
                                 ("order_id", "product", "category", "region")})
            estimate = arrow.memory_usage(deep=True).sum() / len(part)
    return estimate * rows


def measure(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter; its JSON line plus the wall time."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def free_memory() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    parser.add_argument("--per-file", type=int, default=1_000_000)
    parser.add_argument("--memory-limit", default=None,
                        help="DuckDB memory_limit; default a tenth of the pandas estimate, "
                        "at least 256MB")
    parser.add_argument("--pandas", choices=["auto", "yes", "no"], default="auto")
    parser.add_argument("--folder", type=Path, default=None,
                        help="keep the partitions here (default: a temporary folder)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="salesforge-large-"))
    folder = args.folder or root / "parts"
    try:
        started = time.perf_counter()
        estimate = generate(folder, args.rows, args.format, args.per_file)
        written = time.perf_counter() - started
        disk = sum(p.stat().st_size for p in folder.iterdir())
        limit = args.memory_limit or f"{max(256, int(estimate / 10 / 2**20))}MB"
        print(f"rows {args.rows:,} as {args.format} ({len(list(folder.iterdir()))} files), "
              f"written in {written:.1f}s")
        print(f"input on disk {disk / 2**20:,.0f} MB; estimated pandas in-memory size "
              f"{estimate / 2**20:,.0f} MB; DuckDB memory_limit {limit}")
        duck = measure(DUCKDB, str(folder), limit, str(root / "spill"))
        print(f"duckdb : {duck['seconds']:.1f}s, {duck['rows'] / duck['seconds']:,.0f} rows/s, "
              f"peak RSS {duck['peak_mb']:,.0f} MB, {duck['aggregated_rows']:,} daily rows")
        run_pandas = args.pandas == "yes" or (args.pandas == "auto"
                                              and estimate * 3 < free_memory() / 2)
        if run_pandas:
            pand = measure(PANDAS, str(folder))
            print(f"pandas : {pand['seconds']:.1f}s, {pand['rows'] / pand['seconds']:,.0f} "
                  f"rows/s, peak RSS {pand['peak_mb']:,.0f} MB, {pand['aggregated_rows']:,} "
                  "daily rows")
            print(f"ratio duckdb/pandas: time {duck['seconds'] / pand['seconds']:.2f}, "
                  f"peak RSS {duck['peak_mb'] / pand['peak_mb']:.2f}; same revenue: "
                  f"{abs(duck['revenue'] - pand['revenue']) <= 1e-9 * abs(pand['revenue'])}")
        elif args.pandas == "no":
            print("pandas : skipped (--pandas no)")
        else:
            print("pandas : skipped (its estimated peak does not fit in half the free memory; "
                  "--pandas yes forces it)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if args.folder is None and folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
