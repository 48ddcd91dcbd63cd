"""Scoring flags and scores against labelled anomalies (precision, recall, F1, ROC/PR-AUC)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from salesforge.errors import DataError

#: Label-file columns read as "is this an anomaly" (1/0, true/false, yes/no).
FLAG_COLUMNS = ("label", "is_anomaly", "anomaly")
TRUE_WORDS = frozenset({"1", "1.0", "true", "yes", "y", "t", "anomaly"})


def read_labels(path: Path, data_columns: list[str]) -> tuple[str, pd.DataFrame]:
    """``(id column, labels)`` from a CSV holding an id column that the data also has and
    optionally a label column (``label`` / ``is_anomaly`` / ``anomaly``: 1/0, true/false)
    and an ``anomaly_type``; rows listed without a label column are anomalies.
    ``labels`` has the id (string), ``label`` (bool) and ``anomaly_type`` when given."""
    if not path.is_file():
        raise DataError(f"labels file {path} does not exist; set detector.labels to a CSV "
                        "with an id column and a label.")
    try:
        labels = pd.read_csv(path, dtype="string")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError) as error:
        first = str(error).strip().splitlines()[0][:120] if str(error).strip() else ""
        raise DataError(f"labels file {path.name} is not a readable CSV table "
                        f"({type(error).__name__}: {first}); send a CSV with an id column "
                        "and a label.") from None
    shared = [c for c in labels.columns if c in data_columns]
    if not shared:
        raise DataError(f"labels file {path} has no column the data has (labels: "
                        f"{', '.join(labels.columns)}); it needs an id column such as order_id.")
    id_column = "order_id" if "order_id" in shared else shared[0]
    flag = next((c for c in labels.columns if c.lower() in FLAG_COLUMNS), None)
    truth = (labels[flag].str.strip().str.lower().isin(TRUE_WORDS).to_numpy()
             if flag else np.ones(len(labels), dtype=bool))
    out = pd.DataFrame({id_column: labels[id_column].str.strip(), "label": truth})
    if "anomaly_type" in labels.columns:
        out["anomaly_type"] = labels["anomaly_type"]
    return id_column, out


def evaluate(frame: pd.DataFrame, scores: np.ndarray, flags: np.ndarray,
             labels_path: Path) -> dict:
    """Precision, recall and F1 of ``flags``; ROC-AUC and PR-AUC of ``scores``; recall per
    ``anomaly_type`` when the labels give one. Rows whose id is not labelled count as normal;
    every row sharing a labelled id (e.g. the lines of one invoice) takes its label."""
    id_column, labels = read_labels(Path(labels_path), list(map(str, frame.columns)))
    positive = labels.loc[labels["label"]]
    ids = frame[id_column].astype("string").str.strip()
    truth = ids.isin(positive[id_column]).to_numpy()
    flags = np.asarray(flags, dtype=bool)
    hits = int((truth & flags).sum())
    precision = hits / int(flags.sum()) if flags.any() else None
    recall = hits / int(truth.sum()) if truth.any() else None
    f1 = (2 * precision * recall / (precision + recall)
          if precision and recall else (0.0 if precision is not None
                                        and recall is not None else None))
    both = 0 < truth.sum() < len(truth)
    result = {
        "labels": str(labels_path), "id_column": id_column,
        "labelled": int(positive[id_column].isin(ids).sum()), "rows_labelled": int(truth.sum()),
        "flagged": int(flags.sum()), "true_positives": hits,
        "precision": _round(precision), "recall": _round(recall), "f1": _round(f1),
        "roc_auc": _round(roc_auc_score(truth, scores)) if both else None,
        "pr_auc": _round(average_precision_score(truth, scores)) if both else None,
    }
    if "anomaly_type" in positive.columns and truth.any():
        kinds = ids.map(positive.drop_duplicates(id_column).set_index(id_column)["anomaly_type"])
        result["recall_by_type"] = {
            str(kind): _round(float(flags[(kinds == kind).fillna(False).to_numpy()].mean()))
            for kind in sorted(kinds.dropna().unique())
        }
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
