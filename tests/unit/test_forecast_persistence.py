"""Saved models: no pickle, identical forecasts after loading, clear errors on mismatch."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesforge.errors import ConfigError, DataError
from salesforge.forecast.persistence import (
    MODEL_FILE,
    decode,
    encode,
    library_versions,
    load_model,
    save_model,
)
from salesforge.forecast.predict import model_folder, predict_saved
from salesforge.forecast.series import sample_series
from salesforge.plugin.manager import build_plugin_manager

FAST = {"random_forest": {"n_estimators": 20}, "xgboost": {"n_estimators": 30},
        "prophet": {"uncertainty_samples": 30}}


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager()


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return pd.concat([sample_series().tail(200), sample_series(by=["category"]).tail(800)],
                     ignore_index=True)


def _saved(plugins, series, name, folder):
    if ("forecaster", name) not in plugins.registry:
        pytest.skip(f"forecaster {name} is not installed")
    model = plugins.create("forecaster", name, FAST.get(name, {})).fit(series, "D")
    save_model(model, name, folder, {"horizon": 7, "intervals": {"levels": []}})
    return model


@pytest.mark.parametrize("name", ["seasonal_naive", "linear", "random_forest", "xgboost",
                                  "prophet"])
def test_round_trip_gives_the_same_forecast_without_pickle(plugins, series, name, tmp_path):
    model = _saved(plugins, series, name, tmp_path)
    loaded, document = load_model(tmp_path, plugins.registry)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    np.testing.assert_allclose(loaded.predict(7)["y_pred"], model.predict(7)["y_pred"])
    assert document["libraries"]["salesforge"] == library_versions()["salesforge"]
    for file in tmp_path.iterdir():
        assert file.suffix in (".json", ".skops"), file
        assert not file.read_bytes().startswith(b"\x80"), f"{file} looks like a pickle"


def test_tagged_json_round_trips_pandas_and_numpy_values():
    value = {"s": pd.Series([1.5, np.nan], index=pd.Index(["a", "b"], name="series_id")),
             "t": pd.Timestamp("2024-01-02"), "a": np.arange(3), 3: ("x", None),
             "d": pd.Series(pd.to_datetime(["2024-01-01"]), index=["k"])}
    back = decode(json.loads(json.dumps(encode(value, None, "v"))), None)
    pd.testing.assert_series_equal(back["s"], value["s"])
    pd.testing.assert_series_equal(back["d"], value["d"])
    assert back["t"] == value["t"] and back[3] == ("x", None)
    np.testing.assert_array_equal(back["a"], value["a"])
    with pytest.raises(TypeError, match="cannot save v of type object"):
        encode(object(), None, "v")


def test_a_version_mismatch_is_a_clear_error(plugins, series, tmp_path):
    _saved(plugins, series, "linear", tmp_path)
    path = tmp_path / MODEL_FILE
    document = json.loads(path.read_text())
    document["libraries"]["scikit-learn"] = "0.1.0"
    path.write_text(json.dumps(document))
    with pytest.raises(ConfigError, match=r"saved with scikit-learn 0\.1\.0 but this "
                                          r"environment has scikit-learn"):
        load_model(tmp_path, plugins.registry)


def test_a_feature_mismatch_is_a_clear_error(plugins, series, tmp_path):
    _saved(plugins, series, "random_forest", tmp_path)
    path = tmp_path / MODEL_FILE
    document = json.loads(path.read_text())
    document["features"] = ["lag_1", "promo_flag"]
    path.write_text(json.dumps(document))
    with pytest.raises(ConfigError, match=r"trained on features \['lag_1', 'promo_flag'\]"):
        load_model(tmp_path, plugins.registry)


def test_an_untrusted_type_in_a_skops_file_is_refused(plugins, series, tmp_path):
    import skops.io as sio

    from salesforge.forecast.model_files import load_skops

    class Sneaky:
        pass

    sio.dump({"payload": Sneaky()}, tmp_path / "evil.skops")
    with pytest.raises(DataError, match="refusing to load it"):
        load_skops(tmp_path / "evil.skops")


def test_not_a_model_file_and_missing_paths(plugins, tmp_path):
    (tmp_path / MODEL_FILE).write_text("{not json")
    with pytest.raises(DataError, match="is not a salesforge model file"):
        load_model(tmp_path, plugins.registry)
    with pytest.raises(ConfigError, match="neither a run directory nor a saved model"):
        model_folder(tmp_path / "nothing")


def test_predict_from_a_saved_model_uses_its_interval_widths(plugins, series, tmp_path):
    model = plugins.create("forecaster", "seasonal_naive", {}).fit(series, "D")
    widths = {sid: {"80": 10.0, "95": 20.0} for sid in series["series_id"].unique()}
    save_model(model, "seasonal_naive", tmp_path, {
        "horizon": 5, "floor": None, "intervals": {"levels": [0.8, 0.95], "halfwidths": widths}})
    out = predict_saved(tmp_path, 9, plugins.registry)
    assert list(out.columns) == ["series_id", "ds", "model", "y_pred", "y_lo", "y_hi",
                                 "y_lo_95", "y_hi_95"]
    assert len(out) == 9 * series["series_id"].nunique()
    np.testing.assert_allclose(out["y_hi_95"] - out["y_pred"], 20.0)
    assert len(predict_saved(tmp_path / MODEL_FILE, None, plugins.registry)) == \
        5 * series["series_id"].nunique()
