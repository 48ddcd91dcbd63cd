"""Time transaction anomaly scoring, and measure detector quality on the real datasets.

    python benchmarks/detect.py --rows 1000000                 # speed: default + isolation_forest
    python benchmarks/detect.py --detector ensemble --detector pyod
    python benchmarks/detect.py --quality                       # Online Retail slips, NAB windows

Speed: for each detector, in a fresh process, builds the context features of ``rows``
synthetic transactions (``generate_sample``), fits, scores every row, flags and writes the
reasons of the flagged rows; prints seconds per step, F1 against the sample's labels and
the process's peak RSS. Never used in tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def time_detector(name: str, rows: int, seed: int) -> None:
    from salesforge.data.sample import generate_sample
    from salesforge.detect.context import context_features, fit_on_known_context, reasons
    from salesforge.plugin.manager import build_plugin_manager

    sales, labels = generate_sample(rows=rows, seed=seed)
    detector = build_plugin_manager().registry.create("detector", name, {})
    started = time.perf_counter()
    inputs, ratio = context_features(sales)
    features_s = time.perf_counter() - started
    scores = fit_on_known_context(detector, inputs, ratio)
    flags = scores >= detector.threshold_
    scoring_s = time.perf_counter() - started - features_s
    contributions = detector.contributions(inputs[flags])
    reasons(contributions if contributions is not None else inputs[flags].abs(),
            ratio[flags], sales[flags])
    total = time.perf_counter() - started
    truth = sales["order_id"].isin(labels["order_id"]).to_numpy()
    f1 = 2 * (flags & truth).sum() / (flags.sum() + truth.sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:<17} rows={rows:,} features={features_s:.2f}s fit+score={scoring_s:.2f}s "
          f"total={total:.2f}s flagged={int(flags.sum()):,} f1={f1:.4f} peak_rss={peak:,.0f} MB")


def retail_quality(per_kind: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sklearn.metrics import average_precision_score, roc_auc_score

    from salesforge.data.cleaning import StandardCleaner
    from salesforge.detect.context import context_features, fit_on_known_context
    from salesforge.plugin.manager import build_plugin_manager
    from tests.unit.test_detect_online_retail import inject_slips

    registry = build_plugin_manager().registry
    raw = pd.read_csv(SHARED / "online_retail/online_retail_full.csv.gz", encoding="latin-1")
    frame, kind = inject_slips(StandardCleaner().clean(raw).clean, per_kind=per_kind)
    inputs, ratio = context_features(frame)
    truth = kind.notna().to_numpy()
    print(f"Online Retail: {len(frame):,} clean lines, {truth.sum()} injected slips")
    for name in ("mad", "zscore", "isolation_forest", "ensemble", "pyod"):
        if ("detector", name) not in registry:
            continue
        detector = registry.create("detector", name, {})
        scores = fit_on_known_context(detector, inputs, ratio)
        flags = scores >= detector.threshold_
        hits = (flags & truth).sum()
        print(f"  {name:<17} flagged={flags.mean():.2%} recall={hits / truth.sum():.3f} "
              f"roc_auc={roc_auc_score(truth, scores):.4f} "
              f"pr_auc={average_precision_score(truth, scores):.3f}")


NAB = [("realKnownCause/nyc_taxi.csv", "30min", 336), ("realKnownCause/nyc_taxi.csv", "D", 7),
       ("realKnownCause/ec2_request_latency_system_failure.csv", "5min", 1)] + [
    (f"realAdExchange/exchange-{i}_{m}_results.csv", "h", 24) for i in (2, 3, 4)
    for m in ("cpc", "cpm")]


def nab_quality() -> None:
    from salesforge.detect.mad import RobustMADDetector
    from salesforge.detect.periods import detect_periods, window_hits

    root = SHARED / "nab_labeled_anomalies"
    windows = json.loads((root / "labels/combined_windows.json").read_text())
    print("NAB (mad, threshold 4, seasonal baseline):")
    for key, freq, season in NAB:
        raw = pd.read_csv(root / key, parse_dates=["timestamp"])
        clean = pd.DataFrame({"date": raw["timestamp"], "revenue": raw["value"],
                              "quantity": 1.0, "product": "x"})
        periods, _, _ = detect_periods(clean, RobustMADDetector(threshold=4.0),
                                       target="revenue", freq=freq, by=[], season=season,
                                       cycles=4, drill=[], top=3, money=str)
        hits = window_hits(periods["flagged"].to_numpy(), periods["ds"], windows[key])
        print(f"  {key:<55} {freq:>5} season={season:<4} windows {hits['detected']}/"
              f"{hits['windows']} false_alarms={hits['false_alarms']}/{len(periods)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--detector", action="append", default=None,
                        help="detector to time (repeatable); default: mad and isolation_forest")
    parser.add_argument("--quality", action="store_true",
                        help="measure quality on ../shared/datasets instead of speed")
    parser.add_argument("--slips", type=int, default=100, help="slips per kind (--quality)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        time_detector(options.child, options.rows, options.seed)
    elif options.quality:
        retail_quality(options.slips)
        nab_quality()
    else:
        for name in options.detector or ["mad", "isolation_forest"]:
            subprocess.run([sys.executable, __file__, "--child", name, "--rows",
                            str(options.rows), "--seed", str(options.seed)], check=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
