"""Time transaction anomaly scoring, and measure detector quality on the real datasets.

    python benchmarks/detect.py --rows 1000000                 # speed: default + isolation_forest
    python benchmarks/detect.py --detector ensemble --detector pyod
    python benchmarks/detect.py --quality                       # sample, Online Retail slips, NAB

Speed: for each detector, in a fresh process, builds the context features of ``rows``
synthetic transactions (``generate_sample``), fits, scores every row, cuts, writes the
reasons and money impacts of the flagged rows; prints seconds per step, F1 against the
sample's labels, the process's peak RSS and the machine's load average. Never used in tests.

Quality, per detector (each in its default mode, plus F1 when every detector flags the
labelled share, ``F1@rate``): precision, recall, F1, PR-AUC and ROC-AUC on

* the bundled sample with its labels;
* the full Online Retail file with slips injected by ``benchmarks/inject_slips.py``
  (``salesforge.detect.slips``, seeded) at 0.5 % and 1 %, with recall per slip kind for the
  default detector;
* the NAB series with their label windows (periods inside a window are positives; windows
  found and false alarms too).

PyOD (through the ``salesforge-pyod`` plugin) is the peer library compared: ECOD, IForest
and HBOS on the same context features.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
#: (label, detector, settings) compared in --quality; pyod rows need salesforge-pyod.
DETECTORS = [("mad (default)", "mad", {}), ("zscore", "zscore", {}),
             ("isolation_forest", "isolation_forest", {}), ("ensemble", "ensemble", {}),
             ("pyod ECOD", "pyod", {"model": "ECOD"}), ("pyod IForest", "pyod",
                                                        {"model": "IForest"}),
             ("pyod HBOS", "pyod", {"model": "HBOS"})]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} (1/5 min) on {os.cpu_count()} cores"


def time_detector(name: str, rows: int, seed: int) -> None:
    from salesforge.data.sample import generate_sample
    from salesforge.detect.partitions import score_transactions
    from salesforge.plugin.manager import build_plugin_manager

    sales, labels = generate_sample(rows=rows, seed=seed)
    detector = build_plugin_manager().registry.create("detector", name, {})
    started = time.perf_counter()
    scored = score_transactions(sales, detector)
    total = time.perf_counter() - started
    truth = sales["order_id"].isin(labels["order_id"]).to_numpy()
    flags = scored.flags
    f1 = 2 * (flags & truth).sum() / (flags.sum() + truth.sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name:<17} rows={rows:,} features+fit+score+cut+reasons={total:.2f}s "
          f"flagged={int(flags.sum()):,} f1={f1:.4f} peak_rss={peak:,.0f} MB; {load()}")


def profile_steps(rows: int, seed: int) -> None:
    """Seconds of each step of the default detector (features, fit + score, explain)."""
    from salesforge.data.sample import generate_sample
    from salesforge.detect.context import context_features
    from salesforge.detect.explain import explain
    from salesforge.detect.known_context import fit_score_raw_on_known_context
    from salesforge.detect.mad import RobustMADDetector

    sales, _ = generate_sample(rows=rows, seed=seed)
    started = time.perf_counter()
    inputs, ratio = context_features(sales)
    features_s = time.perf_counter() - started
    detector = RobustMADDetector()
    scores, raw = fit_score_raw_on_known_context(detector, inputs, ratio)
    flags = detector.cut(scores).flags(scores)
    scoring_s = time.perf_counter() - started - features_s
    explain(detector.contributions(inputs[flags]), ratio[flags], sales[flags], raw[flags],
            detector.raw_name, str)
    explain_s = time.perf_counter() - started - features_s - scoring_s
    print(f"mad steps: features={features_s:.2f}s fit+score+cut={scoring_s:.2f}s "
          f"explain={explain_s:.2f}s")


def metrics(truth: np.ndarray, scores: np.ndarray, flags: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    hits = int((flags & truth).sum())
    precision = hits / flags.sum() if flags.any() else 0.0
    recall = hits / truth.sum()
    return {"P": precision, "R": recall,
            "F1": 2 * precision * recall / (precision + recall) if hits else 0.0,
            "PR-AUC": average_precision_score(truth, scores),
            "ROC-AUC": roc_auc_score(truth, scores)}


def compare(title: str, frame: pd.DataFrame, truth: np.ndarray,
            kind: pd.Series | None = None) -> None:
    from salesforge.base.detector import rate_cut
    from salesforge.detect.partitions import score_transactions
    from salesforge.plugin.manager import build_plugin_manager

    registry = build_plugin_manager().registry
    rate = float(truth.mean())
    print(f"\n{title}: {len(frame):,} rows, {truth.sum():,} labelled ({rate:.2%})")
    print(f"  {'detector':<17} {'flagged':>8} {'P':>6} {'R':>6} {'F1':>6} {'PR-AUC':>7} "
          f"{'ROC-AUC':>7} {'F1@rate':>7} {'seconds':>7}")
    for label, name, settings in DETECTORS:
        if ("detector", name) not in registry:
            continue
        started = time.perf_counter()
        scored = score_transactions(frame, registry.create("detector", name, dict(settings)))
        seconds = time.perf_counter() - started
        # the same scores cut at the labelled share (contamination only moves the cut)
        at_rate = scored.scores >= rate_cut(scored.scores, rate)
        found = metrics(truth, scored.scores, scored.flags)
        f1_rate = 2 * (at_rate & truth).sum() / (at_rate.sum() + truth.sum())
        print(f"  {label:<17} {scored.flags.mean():>8.2%} {found['P']:>6.3f} "
              f"{found['R']:>6.3f} {found['F1']:>6.3f} {found['PR-AUC']:>7.3f} "
              f"{found['ROC-AUC']:>7.3f} {f1_rate:>7.3f} {seconds:>7.1f}")
        if kind is not None and name == "mad":
            by_kind = pd.Series(scored.flags[truth]).groupby(kind[truth].to_numpy()).mean()
            print("    recall by kind: " + ", ".join(f"{k} {v:.2f}"
                                                     for k, v in by_kind.items()))


def sample_quality() -> None:
    from salesforge.data.sample import generate_sample

    sales, labels = generate_sample()
    compare("Bundled sample", sales, sales["order_id"].isin(labels["order_id"]).to_numpy())


def retail_quality(rates: list[float], seed: int) -> None:
    from salesforge.data.cleaning import StandardCleaner
    from salesforge.detect.slips import inject_slips

    raw = pd.read_csv(SHARED / "online_retail/online_retail_full.csv.gz", encoding="latin-1")
    clean = StandardCleaner().clean(raw).clean
    for rate in rates:
        frame, kind = inject_slips(clean, rate=rate, seed=seed)
        compare(f"Online Retail, slips at {rate:.1%} (seed {seed})", frame,
                kind.notna().to_numpy(), kind)


NAB = [("realKnownCause/nyc_taxi.csv", "30min", 336), ("realKnownCause/nyc_taxi.csv", "D", 7),
       ("realKnownCause/ec2_request_latency_system_failure.csv", "5min", 1)] + [
    (f"realAdExchange/exchange-{i}_{m}_results.csv", "h", 24) for i in (2, 3, 4)
    for m in ("cpc", "cpm")]
SERIES_DETECTORS = [("mad (threshold 4)", "mad", {"threshold": 4.0}),
                    ("isolation_forest", "isolation_forest", {})]


def nab_quality() -> None:
    from salesforge.detect.periods import detect_periods, window_hits
    from salesforge.plugin.manager import build_plugin_manager

    registry = build_plugin_manager().registry
    root = SHARED / "nab_labeled_anomalies"
    windows = json.loads((root / "labels/combined_windows.json").read_text())
    print("\nNAB series, seasonal baseline (positives: periods inside a label window)")
    print(f"  {'series':<42} {'freq':>5} {'detector':<18} {'P':>6} {'R':>6} {'F1':>6} "
          f"{'PR-AUC':>7} {'ROC-AUC':>7} {'windows':>8} {'false alarms':>14}")
    for key, freq, season in NAB:
        raw = pd.read_csv(root / key, parse_dates=["timestamp"])
        clean = pd.DataFrame({"date": raw["timestamp"], "revenue": raw["value"],
                              "quantity": 1.0, "product": "x"})
        for label, name, settings in SERIES_DETECTORS:
            periods, _, _ = detect_periods(clean, registry.create("detector", name, settings),
                                           target="revenue", freq=freq, by=[], season=season,
                                           cycles=4, drill=[], top=3, money=str)
            flags = periods["flagged"].to_numpy()
            hits = window_hits(flags, periods["ds"], windows[key])
            ds = pd.to_datetime(periods["ds"]).to_numpy()
            inside = np.zeros(len(ds), dtype=bool)
            for start, end in windows[key]:
                inside |= (ds >= np.datetime64(pd.Timestamp(start))) & \
                          (ds <= np.datetime64(pd.Timestamp(end)))
            found = metrics(inside, periods["anomaly_score"].to_numpy(), flags)
            short = key.split("/")[1].removesuffix(".csv")
            print(f"  {short:<42} {freq:>5} {label:<18} {found['P']:>6.3f} {found['R']:>6.3f} "
                  f"{found['F1']:>6.3f} {found['PR-AUC']:>7.3f} {found['ROC-AUC']:>7.3f} "
                  f"{hits['detected']:>4}/{hits['windows']:<3} "
                  f"{hits['false_alarms']:>6}/{len(periods):<7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--detector", action="append", default=None,
                        help="detector to time (repeatable); default: mad and isolation_forest")
    parser.add_argument("--quality", action="store_true",
                        help="measure quality on the sample and ../shared/datasets instead")
    parser.add_argument("--rates", type=float, nargs="+", default=[0.005, 0.01],
                        help="slip rates on Online Retail (--quality)")
    parser.add_argument("--slip-seed", type=int, default=0, help="injection seed (--quality)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        time_detector(options.child, options.rows, options.seed)
    elif options.steps:
        profile_steps(options.rows, options.seed)
    elif options.quality:
        print(load())
        sample_quality()
        retail_quality(options.rates, options.slip_seed)
        nab_quality()
    else:
        print(load())
        for name in options.detector or ["mad", "isolation_forest"]:
            subprocess.run([sys.executable, __file__, "--child", name, "--rows",
                            str(options.rows), "--seed", str(options.seed)], check=True)
        subprocess.run([sys.executable, __file__, "--steps", "--rows", str(options.rows),
                        "--seed", str(options.seed)], check=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
