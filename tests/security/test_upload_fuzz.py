"""Hypothesis fuzzing of what a client controls: uploaded bytes, file names and kinds, and
override strings. Every answer is a 2xx or a 4xx with one sentence, never a 5xx; the override
check either accepts or raises ConfigError, never anything else (issue #14, "Also")."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesforge.api import ApiSettings, create_app
from salesforge.client_overrides import check_client_overrides
from salesforge.errors import ConfigError
from salesforge.plugin.manager import build_plugin_manager

SUFFIXES = [".csv", ".csv.gz", ".tsv", ".txt", ".json", ".jsonl", ".xlsx", ".xls", ".parquet",
            ".exe", "", ".pkl", ".csv.gz.gz"]
CELL = st.one_of(st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(str),
                 st.text(max_size=12), st.sampled_from(["2024-01-31", "31/01/2024", "Rp 1.000",
                                                        "=cmd|' /C calc'!A0", ""]))


@st.composite
def csv_text(draw) -> bytes:
    columns = draw(st.lists(st.sampled_from(["date", "product", "revenue", "quantity", "price",
                                             "Tanggal", "Produk", "x", ""]),
                            min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(CELL, min_size=len(columns), max_size=len(columns)),
                         max_size=30))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    lines = [delimiter.join(columns)] + [delimiter.join(r) for r in rows]
    return "\n".join(lines).encode(draw(st.sampled_from(["utf-8", "latin-1", "utf-16"])),
                                   errors="replace")


@st.composite
def zipped(draw) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in draw(st.lists(st.sampled_from(["xl/workbook.xml", "xl/worksheets/sheet1.xml",
                                                   "[Content_Types].xml", "../evil.txt"]),
                                  max_size=4, unique=True)):
            archive.writestr(name, draw(st.binary(max_size=300)))
    return buffer.getvalue()


CONTENT = st.one_of(st.binary(max_size=2048), csv_text(), csv_text().map(gzip.compress),
                    zipped(), st.binary(max_size=64).map(lambda b: b"PAR1" + b + b"PAR1"),
                    st.binary(max_size=200).map(gzip.compress))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = tmp_path_factory.mktemp("fuzz") / "store"
    with TestClient(create_app(ApiSettings(store=store, max_upload_mb=1))) as test_client:
        yield test_client


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.data_too_large])
@given(name=st.text(max_size=30), suffix=st.sampled_from(SUFFIXES), content=CONTENT,
       kind=st.sampled_from(["sales", "labels", "covariates", "other"]))
def test_uploads_never_cause_a_server_error(client, name, suffix, content, kind):
    answer = client.post("/api/upload", params={"kind": kind},
                         files={"file": (name + suffix, content)})
    assert answer.status_code in (201, 413, 422), answer.text
    if answer.status_code != 201:
        detail = answer.json()["detail"]
        assert isinstance(detail, str) and detail.endswith((".", ")")), detail


REGISTRY = build_plugin_manager().registry
KEYS = st.sampled_from(["forecast.horizon", "forecast.by", "detector.labels", "data.path",
                        "forecaster", "forecaster.xgboost.lags", "detector.contamination",
                        "stages.report", "hydra.run.dir", "report.title", "data.columns.date",
                        "segmenter.n_clusters", "tuning.storage", "a.b.c", ""])
VALUES = st.one_of(st.text(max_size=20), st.integers().map(str), st.floats().map(str),
                   st.sampled_from(["/etc/passwd", "${oc.env:HOME}", "[1,2]", "null", "1e8",
                                    "range(1,9)", "'a,b'", "[a,/b]", "{a: 1}", "true"]))


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["", "+", "++", "~"]), key=KEYS, value=VALUES)
def test_override_check_accepts_or_refuses_with_a_config_error(prefix, key, value):
    try:
        check_client_overrides([f"{prefix}{key}={value}"], REGISTRY)
    except ConfigError as error:
        assert str(error).endswith(".")
        assert "/etc/passwd" not in str(error) or "override" in str(error)
