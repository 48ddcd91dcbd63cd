"""Scoring detectors against label files: formats, metrics, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.detect.evaluation import evaluate, read_labels
from salesforge.errors import DataError


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"order_id": [f"SO-{i}" for i in range(10)], "revenue": np.arange(10.0)})


def test_metrics_against_a_label_column(tmp_path, frame):
    path = tmp_path / "labels.csv"
    pd.DataFrame({"order_id": ["SO-1", "SO-2", "SO-3", "SO-4"],
                  "label": ["1", "1", "0", "true"]}).to_csv(path, index=False)
    flags = np.zeros(10, dtype=bool)
    flags[[1, 2, 3]] = True  # truth is {1, 2, 4}: 2 hits of 3 flags, 2 of 3 found
    scores = np.linspace(0, 0.9, 10)
    scores[[1, 2, 4]] = [0.95, 0.97, 0.99]
    result = evaluate(frame, scores, flags, path)
    assert result["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["roc_auc"] == 1.0 and result["pr_auc"] == 1.0
    assert result["labelled"] == 3 and result["id_column"] == "order_id"


def test_ids_only_file_marks_every_listed_id_and_types_give_recall_per_type(tmp_path, frame):
    path = tmp_path / "labels.csv"
    pd.DataFrame({"order_id": ["SO-0", "SO-9", "SO-404"],
                  "anomaly_type": ["price_spike", "quantity_spike", "price_spike"]}
                 ).to_csv(path, index=False)
    flags = np.zeros(10, dtype=bool)
    flags[0] = True
    result = evaluate(frame, flags.astype(float), flags, path)
    assert result["labelled"] == 2  # SO-404 is not in the data
    assert result["recall_by_type"] == {"price_spike": 1.0, "quantity_spike": 0.0}
    assert result["precision"] == 1.0 and result["recall"] == 0.5


def test_labels_match_any_id_column_the_data_has(tmp_path):
    data = pd.DataFrame({"invoice": ["a", "a", "b", "c"], "revenue": [1.0, 2, 3, 4]})
    path = tmp_path / "labels.csv"
    pd.DataFrame({"invoice": ["a"], "is_anomaly": ["yes"]}).to_csv(path, index=False)
    id_column, labels = read_labels(path, list(data.columns))
    assert id_column == "invoice" and labels["label"].tolist() == [True]
    result = evaluate(data, np.array([0.9, 0.8, 0.1, 0.2]), np.array([1, 0, 0, 0], bool), path)
    assert result["rows_labelled"] == 2 and result["recall"] == 0.5


def test_bad_label_files_raise_one_clear_sentence(tmp_path, frame):
    with pytest.raises(DataError, match=r"does not exist.*detector\.labels"):
        read_labels(tmp_path / "missing.csv", ["order_id"])
    path = tmp_path / "labels.csv"
    pd.DataFrame({"ticket": ["x"], "label": [1]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="no column the data has"):
        evaluate(frame, np.zeros(10), np.zeros(10, bool), path)
