"""Data drift between two profiles (salesforge.data.drift) and its settings and warning
(salesforge.data.drift_check)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from salesforge.data.drift import (
    DEFAULT_THRESHOLD,
    PSI_WARN,
    band,
    cdf,
    compare_profiles,
    psi,
    worst,
)
from salesforge.data.drift_check import (
    NO_REFERENCE,
    SWITCHED_OFF,
    DriftSettings,
    drift_entry,
    drift_settings,
    drift_warning,
    run_drift,
)
from salesforge.data.profile import profile_clean
from salesforge.errors import ConfigError


def sales(rows: int = 30_000, seed: int = 0, north: float = 0.7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    product = rng.integers(0, 40, rows)
    base = np.exp(np.random.default_rng(99).normal(10, 1.5, 40))  # the same in every sample
    price = base[product] * rng.uniform(0.98, 1.02, rows)
    quantity = rng.integers(1, 6, rows).astype(float)
    return pd.DataFrame({
        "date": pd.date_range("2024-01-01", periods=rows, freq="h"),
        "product": pd.Series([f"P{p}" for p in product], dtype="string"),
        "category": pd.Series(rng.choice(["Food", "Drink", "Home"], rows), dtype="string"),
        "region": pd.Series(rng.choice(["North", "South"], rows, p=[north, 1 - north]),
                            dtype="string"),
        "quantity": quantity, "price": price, "revenue": quantity * price,
    })


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return sales()


@pytest.fixture(scope="module")
def reference(base) -> dict:
    return profile_clean(base)


def test_identical_profiles_do_not_drift(reference):
    result = compare_profiles(reference, reference)
    assert result["status"] == "ok" and result["threshold"] == DEFAULT_THRESHOLD
    for name, column in result["columns"].items():
        assert column["status"] == "ok", name
        if "psi" in column:
            assert column["psi"] == pytest.approx(0, abs=1e-9)
        if column.get("ks") is not None:
            assert column["ks"] == pytest.approx(0, abs=1e-12)
    level = result["columns"]["price"]["price_level"]
    assert level["median_change"] == 0 and level["share_moved"] == 0
    assert level["products_compared"] == 40
    assert result["columns_added"] == [] and result["columns_removed"] == []


def test_a_fresh_sample_of_the_same_data_does_not_drift(reference):
    result = compare_profiles(reference, profile_clean(sales(seed=0, rows=20_000)))
    assert result["status"] == "ok"
    assert all(c["psi"] < PSI_WARN for c in result["columns"].values())


def test_prices_times_1_3_drift_on_price(base, reference):
    shifted = base.assign(price=base["price"] * 1.3, revenue=base["revenue"] * 1.3)
    result = compare_profiles(reference, profile_clean(shifted))
    price = result["columns"]["price"]
    assert result["status"] == "drift" and price["status"] == "drift"
    assert price["price_level"]["median_change"] == pytest.approx(0.3, abs=0.01)
    assert price["price_level"]["share_moved"] == 1.0
    assert price["median_change"] == pytest.approx(0.3, abs=0.03)
    assert price["ks"] > 0
    assert result["columns"]["quantity"]["status"] == "ok"
    assert result["columns"]["category"]["status"] == "ok"
    assert result["largest"]["column"] in ("price", "revenue")
    assert result["largest"]["status"] == "drift"


def test_a_category_share_shift_is_caught(reference):
    result = compare_profiles(reference, profile_clean(sales(seed=1, north=0.3)))
    region = result["columns"]["region"]
    assert region["status"] == "drift" and region["psi"] > DEFAULT_THRESHOLD
    shift = region["largest_shift"]
    assert shift["value"] in ("North", "South") and abs(shift["change"]) == \
        pytest.approx(0.4, abs=0.02)
    assert result["columns"]["category"]["status"] == "ok"
    assert result["largest"]["column"] == "region"


def test_a_new_category_value_is_a_shift(reference, base):
    renamed = base.assign(category=base["category"].replace("Home", "Garden"))
    result = compare_profiles(reference, profile_clean(renamed))
    category = result["columns"]["category"]
    assert category["status"] == "drift"
    assert category["largest_shift"]["value"] in ("Home", "Garden")


def test_status_bands_and_their_edges():
    assert band(0.0999, PSI_WARN, 0.25) == "ok"
    assert band(0.1, PSI_WARN, 0.25) == "warn"
    assert band(0.2499, PSI_WARN, 0.25) == "warn"
    assert band(0.25, PSI_WARN, 0.25) == "drift"
    assert band(None, PSI_WARN, 0.25) == "ok"
    assert band(0.3, PSI_WARN, 0.5) == "warn"  # a higher threshold moves the drift band
    assert worst(["ok", "drift", "warn"]) == "drift" and worst([]) == "ok"
    assert psi(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0
    assert psi(np.array([0.5, 0.5]), np.array([1.0, 0.0])) > 1  # empty bin: epsilon


def test_the_threshold_decides_drift(reference):
    current = profile_clean(sales(seed=1, north=0.5))
    value = compare_profiles(reference, current)["columns"]["region"]["psi"]
    assert PSI_WARN <= value < DEFAULT_THRESHOLD  # a moderate shift
    assert compare_profiles(reference, current)["columns"]["region"]["status"] == "warn"
    low = compare_profiles(reference, current, threshold=value)
    assert low["columns"]["region"]["status"] == "drift" and low["status"] == "drift"
    with pytest.raises(ValueError, match="threshold"):
        compare_profiles(reference, current, threshold=0)


def test_price_level_bands(base, reference):
    for factor, status in ((1.04, "ok"), (1.051, "warn"), (1.101, "drift"), (0.85, "drift")):
        moved = base.assign(price=base["price"] * factor)
        level = compare_profiles(reference, profile_clean(moved))["columns"]["price"]
        assert level["price_level"]["status"] == status, factor
        assert level["status"] in (status, "drift")  # PSI may see it first


def test_cdf_is_exact_on_the_grid_and_linear_between():
    ecdf = {"x": [1.0, 2.0, 4.0], "F": [0.5, 0.75, 1.0], "F_left": [0.0, 0.6, 0.9]}
    x = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 9.0])
    assert cdf(ecdf, x).tolist() == [0.0, 0.5, 0.55, 0.75, 0.825, 1.0, 1.0]
    assert cdf(ecdf, x, left=True).tolist() == [0.0, 0.0, 0.55, 0.6, 0.825, 0.9, 1.0]


def test_columns_only_one_profile_has_are_listed(reference, base):
    current = profile_clean(base.assign(channel="web"))
    result = compare_profiles(reference, current)
    assert result["columns_added"] == ["channel"] and "channel" not in result["columns"]


def test_settings_are_checked_with_the_key_named():
    assert drift_settings(None) == DriftSettings("auto", 0.25)
    node = OmegaConf.create({"drift": {"reference": "auto", "threshold": 0.4}})
    assert drift_settings(node) == DriftSettings("auto", 0.4)
    assert drift_settings({"drift": {"reference": False}}).reference is None
    assert drift_settings({"drift": {"reference": "20261203-101010-abcdef"}}).reference == \
        "20261203-101010-abcdef"
    for bad in (0, -1, "high", True, float("nan")):
        with pytest.raises(ConfigError, match=r"data\.drift\.threshold"):
            drift_settings({"drift": {"threshold": bad}})
    with pytest.raises(ConfigError, match=r"data\.drift\.reference"):
        drift_settings({"drift": {"reference": [1, 2]}})


def test_no_reference_is_a_note(tmp_path, reference):
    config = OmegaConf.create({"runs": {"index": str(tmp_path / "runs.db"), "record": True}})
    assert drift_entry(DriftSettings(), config, "r1", reference) == {"note": NO_REFERENCE}
    assert drift_entry(DriftSettings(None), config, "r1", reference) == {"note": SWITCHED_OFF}
    with pytest.raises(ConfigError, match=r"data\.drift\.reference"):
        drift_entry(DriftSettings("20261203"), config, "r1", reference)


def test_the_warning_names_the_drifted_columns(base, reference):
    shifted = profile_clean(base.assign(price=base["price"] * 1.3,
                                        revenue=base["revenue"] * 1.3))
    entry = {**compare_profiles(reference, shifted), "reference_run": "20261203-101010-abc"}
    message = drift_warning(entry)
    assert message.startswith("The clean data drifted from run 20261203-101010-abc: ")
    assert "price" in message and message.endswith("see data.drift in manifest.json.")
    assert "\n" not in message
    assert drift_warning({**entry, "status": "warn"}) is None
    assert run_drift({"data": {"drift": entry}}) is entry
    assert run_drift({"data": {"drift": {"note": NO_REFERENCE}}}) is None
    assert run_drift({"data": {}}) is None and run_drift({}) is None
