"""REST API: health, plugins, uploads (safety rules), summaries, auth, CORS and restarts."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from salesforge.api import ApiSettings, create_app, load_settings
from salesforge.data.sample import sample_path
from salesforge.errors import ConfigError

SAMPLE = Path(sample_path())


def client_for(store: Path, **settings) -> TestClient:
    return TestClient(create_app(ApiSettings(store=store, **settings)))


def upload(client: TestClient, name: str, content: bytes):
    return client.post("/api/upload", files={"file": (name, content)})


@pytest.fixture
def client(tmp_path):
    with client_for(tmp_path / "store") as test_client:
        yield test_client


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_health_reports_versions_and_plugin_counts(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["versions"]["pandas"]
    assert body["plugins"]["forecaster"] >= 3 and body["plugins"]["loader"] >= 4
    assert body["components"] == len(client.get("/api/plugins").json())


def test_plugins_lists_registered_components(client):
    rows = client.get("/api/plugins").json()
    assert {"kind": "forecaster", "name": "seasonal_naive"}.items() <= next(
        r for r in rows if r["name"] == "seasonal_naive").items()


def test_upload_summarises_the_sample_and_summary_reads_it_back(client):
    response = client.post("/api/upload", files={"file": ("sales.csv.gz", SAMPLE.read_bytes())})
    assert response.status_code == 201, response.text
    dataset = response.json()
    assert dataset["id"].startswith("ds-")
    summary = client.get("/api/data/summary", params={"dataset": dataset["id"]}).json()
    assert summary["rows_in"] == 33850 == summary["rows_clean"] + summary["rows_rejected"] \
        + summary["rows_duplicate"]
    assert (summary["date_min"], summary["date_max"]) == ("2022-01-01", "2023-12-31")
    assert summary["columns_mapped"]["revenue"] == "revenue"
    assert [d["id"] for d in client.get("/api/datasets").json()] == [dataset["id"]]


def test_upload_reads_real_excel_and_csv(client, shared_dataset):
    xls = shared_dataset("superstore/sample_superstore.xls")
    body = upload(client, xls.name, xls.read_bytes()).json()
    assert body["summary"]["loader"] == "excel" and body["summary"]["rows_clean"] > 9000
    csv = shared_dataset("online_retail/online_retail_random20k.csv")
    body = upload(client, csv.name, csv.read_bytes()).json()
    assert body["summary"]["rows_in"] == 20000 and body["summary"]["date_min"] == "2010-12-01"


def test_summary_of_unknown_or_malformed_dataset_is_a_4xx(client):
    assert client.get("/api/data/summary", params={"dataset": "ds-000000000000"}).status_code \
        == 404
    response = client.get("/api/data/summary", params={"dataset": "../../etc/passwd"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("query.dataset:")


@pytest.mark.parametrize("name", ["../../../escape.csv", "..\\..\\escape.csv", "/etc/escape.csv"])
def test_upload_path_traversal_stays_inside_the_store(tmp_path, name):
    with client_for(tmp_path / "store") as client:
        body = upload(client, name, b"date,product,revenue\n2024-01-01,A,10\n").json()
    assert body["filename"] == "escape.csv"
    written = files_in(tmp_path)
    assert tmp_path / "store" / "datasets" / body["id"] / "escape.csv" in written
    assert not (tmp_path / "escape.csv").exists() and not Path("/etc/escape.csv").exists()


def test_same_name_twice_never_overwrites(client):
    first = upload(client, "s.csv", b"date,product,revenue\n2024-01-01,A,10\n").json()
    second = upload(client, "s.csv", b"date,product,revenue\n2024-02-01,B,99\n2024-02-02,B,1\n"
                    ).json()
    assert first["id"] != second["id"]
    assert client.get("/api/data/summary", params={"dataset": first["id"]}).json()[
        "rows_in"] == 1


class Boom:
    def __reduce__(self):
        return (Path.touch, (Path("/tmp/salesforge-api-unpickled"),))


@pytest.mark.parametrize(("name", "content"), [
    ("sales.xlsx", b"date,revenue\n2024-01-01,1\n"),          # text claiming to be xlsx
    ("sales.parquet", b"date,revenue\n2024-01-01,1\n"),       # text claiming to be parquet
    ("sales.xls", b"PK\x03\x04 not an OLE file"),              # zip claiming to be xls
    ("sales.json", b"date,revenue\n"),                         # not JSON
    ("sales.csv.gz", b"date,revenue\n"),                       # not gzip
    ("sales.csv", pickle.dumps(Boom())),                       # a pickle named .csv
    ("model.pkl", pickle.dumps(Boom())),                       # a pickle
    ("sales.db", b"SQLite format 3\x00"),                      # databases are refused
    ("noext", b"date,revenue\n"),
    ("sales.csv", b""),
])
def test_upload_type_checked_by_extension_and_content(client, name, content):
    response = upload(client, name, content)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].endswith(".")
    assert not Path("/tmp/salesforge-api-unpickled").exists()
    assert client.get("/api/datasets").json() == []


def test_upload_without_usable_rows_is_refused_and_leaves_nothing(tmp_path):
    with client_for(tmp_path / "store") as client:
        response = upload(client, "bad.csv", b"a,b\n1,2\n3,4\n")
        assert response.status_code == 422
        assert "bad.csv" in response.json()["detail"]
    assert files_in(tmp_path / "store" / "datasets") == []


def test_upload_without_file_field_is_one_sentence(client):
    response = client.post("/api/upload", data={"x": "1"})
    assert response.status_code == 422
    assert response.json() == {"detail": "file: Field required."}


@pytest.mark.parametrize("size", [60_000, 400_000])  # under / over the early header check
def test_oversize_upload_is_413(tmp_path, size):
    with client_for(tmp_path / "store", max_upload_mb=0.05) as client:
        content = b"date,product,revenue\n" + b"2024-01-01,A,10\n" * (size // 16)
        response = upload(client, "big.csv", content)
        assert response.status_code == 413
        assert "api.max_upload_mb" in response.json()["detail"]
        assert client.get("/api/datasets").json() == []
    assert files_in(tmp_path / "store" / "incoming") == []


def test_api_key_required_when_configured(tmp_path):
    with client_for(tmp_path / "store", keys=("s3cret",)) as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/plugins").status_code == 401
        wrong = client.get("/api/plugins", headers={"X-API-Key": "nope"})
        assert wrong.status_code == 401 and "X-API-Key" in wrong.json()["detail"]
        assert client.get("/api/plugins", headers={"X-API-Key": "s3cret"}).status_code == 200
        assert upload(client, "s.csv", b"date,revenue\n").status_code == 401


def test_cors_allowlist(tmp_path):
    with client_for(tmp_path / "store", cors_origins=("http://good.example",)) as client:
        good = client.get("/api/health", headers={"Origin": "http://good.example"})
        bad = client.get("/api/health", headers={"Origin": "http://evil.example"})
    assert good.headers["access-control-allow-origin"] == "http://good.example"
    assert "access-control-allow-origin" not in bad.headers


def test_environment_configures_a_container(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESFORGE_API_KEYS", "k1, k2")
    monkeypatch.setenv("SALESFORGE_API_CORS_ORIGINS", "http://app.example:5006,")
    monkeypatch.setenv("SALESFORGE_API_MAX_UPLOAD_MB", "0.001")
    monkeypatch.setenv("SALESFORGE_API_WORKERS", "3")
    settings = load_settings().with_(store=tmp_path / "store")
    assert settings.keys == ("k1", "k2") and settings.workers == 3
    assert settings.cors_origins == ("http://app.example:5006",)
    with TestClient(create_app(settings)) as client:
        allowed = client.get("/api/health", headers={"Origin": "http://app.example:5006"})
        assert allowed.headers["access-control-allow-origin"] == "http://app.example:5006"
        too_big = client.post("/api/upload", headers={"X-API-Key": "k2"},
                              files={"file": ("s.csv", SAMPLE.read_bytes()[:5000])})
        assert too_big.status_code == 413


@pytest.mark.parametrize(("name", "value"), [("SALESFORGE_API_WORKERS", "two"),
                                             ("SALESFORGE_API_MAX_UPLOAD_MB", "16MB"),
                                             ("SALESFORGE_API_WORKERS", "0")])
def test_a_bad_environment_setting_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


def test_restart_keeps_datasets_and_drops_partial_uploads(tmp_path):
    store = tmp_path / "store"
    with client_for(store) as client:
        dataset = upload(client, "sales.csv.gz", SAMPLE.read_bytes()).json()["id"]
    partial = store / "incoming" / "crashed.part"
    partial.write_bytes(b"date,revenue\n2024-01-01,")  # a server killed mid-upload
    with client_for(store) as client:
        summary = client.get("/api/data/summary", params={"dataset": dataset})
        assert summary.status_code == 200 and summary.json()["rows_in"] == 33850
        assert [d["id"] for d in client.get("/api/datasets").json()] == [dataset]
    assert not partial.exists()


def test_unknown_route_and_method_are_json_4xx(client):
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    assert client.delete("/api/health").status_code == 405


def test_restart_marks_unfinished_jobs_failed(tmp_path):
    from salesforge.api.store import Store

    store = Store(tmp_path / "store")
    store.put("runs", "run-0123456789ab", {"kind": "run", "status": "running",
                                           "created_at": "2026-01-01T00:00:00+00:00"})
    reopened = Store(tmp_path / "store")
    record = reopened.get("runs", "run-0123456789ab")
    assert record["status"] == "failed" and "server stopped" in record["error"]
    assert [p.name for p in (tmp_path / "store").iterdir() if p.name.endswith(".tmp")] == []
