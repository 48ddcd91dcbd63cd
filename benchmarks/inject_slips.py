"""Write a real sales file with seeded, labelled slips injected, for ``salesforge run``.

    python benchmarks/inject_slips.py --rate 0.005 --seed 0 --out /tmp/retail_slips.csv
    salesforge run data.path=/tmp/retail_slips.csv detector.labels=/tmp/retail_slips_labels.csv \
        stages.forecast=false report.currency=GBP

Reads the file (default: the full UCI Online Retail file in ../shared/datasets), cleans it with
the standard cleaner, appends slips (price x10 / x100 / /10, quantity x25, another
product's price, bursts of repeated orders; see ``salesforge.detect.slips``) as ``rate`` of
the rows, and writes the cleaned rows plus slips (canonical columns) and a labels CSV
(order_id, label, anomaly_type). The real rows are kept as they are. Same arguments, same
files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
DEFAULT = SHARED / "online_retail" / "online_retail_full.csv.gz"


def main() -> None:
    from salesforge.data.cleaning import StandardCleaner
    from salesforge.detect.slips import KINDS, inject_slips, write_labels

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT, help="sales CSV (any encoding "
                        "pandas reads with latin-1)")
    parser.add_argument("--rate", type=float, default=0.005, help="share of rows that are slips")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")
    parser.add_argument("--labels", type=Path, help="labels CSV (default: <out>_labels.csv)")
    options = parser.parse_args()
    raw = pd.read_csv(options.data, encoding="latin-1")
    clean = StandardCleaner().clean(raw).clean
    frame, kind = inject_slips(clean, rate=options.rate, seed=options.seed,
                               kinds=tuple(options.kinds))
    labels = options.labels or options.out.with_name(f"{options.out.stem}_labels.csv")
    frame.drop(columns=["is_return", "source_row"], errors="ignore").to_csv(options.out,
                                                                            index=False)
    write_labels(frame, kind, labels)
    counts = kind.value_counts().to_dict()
    print(f"{options.out}: {len(frame):,} rows, {kind.notna().sum():,} slips {counts}; "
          f"labels {labels}")


if __name__ == "__main__":
    main()
