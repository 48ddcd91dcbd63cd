"""Time the clean-data profile and a drift comparison on a synthetic clean frame.

    python benchmarks/data_profile.py --rows 1000000 --products 5000

Builds clean-looking rows (date, product, category, region, channel, quantity, price,
revenue, order and customer ids, is_return, source_row), then prints the seconds of
``profile_clean`` (best of ``--repeat``), of ``compare_profiles`` against a copy with
prices x1.3, and the profile's JSON size. Never used in tests.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

from salesforge.data.drift import compare_profiles
from salesforge.data.profile import profile_clean


def frame(rows: int, products: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    product = rng.integers(0, products, rows)
    price = np.exp(rng.normal(10, 1.2, products))[product] * rng.uniform(0.95, 1.05, rows)
    quantity = rng.integers(1, 8, rows).astype(float)
    names = pd.Series([f"SKU-{i:06d}" for i in range(products)], dtype="string")
    return pd.DataFrame({
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, rows), "D"),
        "product": names.iloc[product].reset_index(drop=True),
        "category": pd.Series(rng.choice([f"Cat {i}" for i in range(30)], rows), dtype="string"),
        "region": pd.Series(rng.choice([f"Region {i}" for i in range(12)], rows), dtype="string"),
        "quantity": quantity, "price": price, "revenue": quantity * price,
        "customer_id": pd.Series(rng.integers(0, 50_000, rows).astype(str), dtype="string"),
        "order_id": pd.Series(np.arange(rows).astype(str), dtype="string"),
        "is_return": rng.random(rows) < 0.02,
        "source_row": np.arange(1, rows + 1),
        "channel": pd.Series(rng.choice(["web", "store", "app"], rows), dtype="string"),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    clean = frame(args.rows, args.products)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        profile = profile_clean(clean)
        times.append(time.perf_counter() - started)
    shifted = profile_clean(clean.assign(price=clean["price"] * 1.3,
                                         revenue=clean["revenue"] * 1.3))
    started = time.perf_counter()
    result = compare_profiles(profile, shifted)
    compare = time.perf_counter() - started
    size = len(json.dumps(profile, separators=(",", ":")))
    print(f"rows {args.rows:,}  products {args.products:,}")
    print(f"profile_clean     {min(times):.3f} s (best of {args.repeat})")
    print(f"compare_profiles  {compare * 1000:.1f} ms  status {result['status']}  "
          f"largest {result['largest']['column']}")
    print(f"profile.json      {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
