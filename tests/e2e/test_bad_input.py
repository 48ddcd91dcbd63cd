"""Bad input: one sentence on stderr naming the file, column or config key; non-zero exit."""

from __future__ import annotations

import pytest


def error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("salesforge: error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_missing_file_names_the_path(cli, tmp_path):
    result = cli("run", "data.path=nowhere/sales.csv", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode != 0
    line = error_line(result.stderr)
    assert "nowhere/sales.csv does not exist" in line and "data.path" in line


def test_unknown_forecaster_lists_the_available_ones(cli):
    result = cli("run", "forecaster=[seasonal_naive,prophet_typo]")
    assert result.returncode != 0
    line = error_line(result.stderr)
    assert "unknown forecaster 'prophet_typo'" in line
    assert "linear" in line and "seasonal_naive" in line


def test_empty_csv(cli, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    result = cli("run", f"data.path={path}", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode != 0
    assert f"{path} is empty" in error_line(result.stderr)


def test_header_only_csv(cli, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("date,product,revenue\n")
    result = cli("run", f"data.path={path}", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode != 0
    assert f"{path} is empty" in error_line(result.stderr)


def test_csv_without_a_date_column(cli, tmp_path):
    path = tmp_path / "nodate.csv"
    path.write_text("product,revenue\nA,10\nB,20\n")
    result = cli("run", f"data.path={path}", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode != 0
    line = error_line(result.stderr)
    assert "has no date column" in line and "data.columns.date" in line and str(path) in line


@pytest.mark.parametrize(("override", "expected"), [
    ("forecast.horizon=0", "config key forecast.horizon must be a whole number"),
    ("forecast.freq=fortnightly", "config key forecast.freq='fortnightly'"),
    ("report.language=fr", "config key report.language must be en or id"),
    ("forecast.horizn=3", "config key forecast.horizn does not exist"),
    ("detector.contamination=abc", "config key detector.contamination"),
    ("stages.load=false", "stages.load=false leaves stage 'clean' without input"),
    ("forecast.metric=foo", "config key forecast.metric must be one of mase, rmsse, mae"),
    ("forecast.metric=r2", "(lower is better), not 'r2'"),
])
def test_bad_config_values_name_the_key(cli, tmp_path, override, expected):
    result = cli("run", override, f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode != 0
    assert expected in error_line(result.stderr)


def test_unknown_command(cli):
    result = cli("frobnicate")
    assert result.returncode != 0
    assert "unknown command 'frobnicate'" in error_line(result.stderr)


def test_ambiguous_day_month_dates_ask_for_data_dayfirst(cli, tmp_path):
    path = tmp_path / "ambiguous.csv"
    rows = [f"0{d}/0{m}/2024,Mouse,{d * m}" for d in range(1, 10) for m in range(1, 10)]
    path.write_text("tanggal,produk,penjualan\n" + "\n".join(rows) + "\n")
    result = cli("run", f"data.path={path}", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode != 0
    line = error_line(result.stderr)
    assert "column tanggal" in line and "ambiguous" in line and "data.dayfirst" in line

    run_dir = tmp_path / "forced"
    forced = cli("run", f"data.path={path}", "data.dayfirst=true", "forecast.horizon=3",
                 "backtest.windows=1", f"hydra.run.dir={run_dir}")
    assert forced.returncode == 0, forced.stderr
    manifest = forced.manifest(run_dir)
    assert (manifest["data"]["date_min"][:10], manifest["data"]["date_max"][:10]) == (
        "2024-01-01", "2024-09-09")
    assert manifest["stages"]["segment"] == "skipped"
    assert "1 distinct product" in manifest["notes"]["segment"]
