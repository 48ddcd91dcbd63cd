"""The REST API as served by ``salesforge api`` on loopback, probed over real sockets:
chunked bodies are authenticated and bounded before they are read, health keeps answering
under load while jobs run, and a schema-driven fuzzing pass finds no server error
(issue #14, finding 5 and "Done when")."""

from __future__ import annotations

import asyncio
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from salesforge.data.sample import sample_path
from tests.conftest import api_server

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
KEY = "sf-test-key-7f3a"


def _chunked_upload(port: int, headers: str, most: int) -> tuple[int, int]:
    """Send a chunked multipart upload of up to ``most`` bytes, stopping as soon as the
    server answers; returns (status code, bytes of body sent)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall((f"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
                  "Transfer-Encoding: chunked\r\n"
                  "Content-Type: multipart/form-data; boundary=XyZ\r\n\r\n").encode())
    block = b"date,product,revenue\n" + b"2024-01-01,a,1\n" * 4096
    preamble = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.csv"'
                b"\r\nContent-Type: text/csv\r\n\r\n")
    sent = 0
    answer = b""
    try:
        for payload in [preamble] + [block] * (most // len(block)):
            if select.select([sock], [], [], 0)[0]:
                break
            sock.sendall(b"%x\r\n%s\r\n" % (len(payload), payload))
            sent += len(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    sock.settimeout(30)
    try:
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    finally:
        sock.close()
    status = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    assert status, answer[:200]
    return int(status[1]), sent


def test_chunked_uploads_are_checked_before_their_body_is_read(tmp_path):
    store = tmp_path / "store"
    with api_server(store, SALESFORGE_API_KEYS=KEY, SALESFORGE_API_MAX_UPLOAD_MB="1") as (_, port):
        status, sent = _chunked_upload(port, "", 300 * 1024 * 1024)
        assert status == 401
        assert sent < 32 * 1024 * 1024  # answered at once, not after 300 MB
        status, sent = _chunked_upload(port, f"X-API-Key: {KEY}\r\n", 300 * 1024 * 1024)
        assert status == 413
        assert sent < 48 * 1024 * 1024
        time.sleep(0.5)
        biggest = max((p.stat().st_size for p in (store / "incoming").rglob("*")
                       if p.is_file()), default=0)
        assert biggest <= 1.2 * 1024 * 1024
        assert httpx.get(f"http://127.0.0.1:{port}/api/datasets",
                         headers={"X-API-Key": KEY}).json() == []


async def _hammer(url: str, n: int) -> list[int]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        answers = await asyncio.gather(*(client.get("/api/health") for _ in range(n)),
                                       return_exceptions=True)
    return [a.status_code if isinstance(a, httpx.Response) else -1 for a in answers]


def test_health_answers_200_concurrent_requests_while_two_jobs_run(tmp_path):
    with api_server(tmp_path / "store", SALESFORGE_API_WORKERS="2") as (url, _), \
            httpx.Client(base_url=url, timeout=120) as client:
        with open(sample_path(), "rb") as handle:
            dataset = client.post("/api/upload", files={"file": ("s.csv.gz", handle)}).json()
        busy = ["tuning.enabled=true", "tuning.n_trials=60", "forecaster=[random_forest]"]
        jobs = [client.post("/api/runs", json={"dataset": dataset["id"], "overrides": busy})
                .json()["job"] for _ in range(2)]
        deadline = time.monotonic() + 60
        while {client.get(f"/api/runs/{j}").json()["status"] for j in jobs} != {"running"}:
            assert time.monotonic() < deadline, "the two jobs never ran at once"
            time.sleep(0.2)
        codes = asyncio.run(_hammer(url, 200))
        assert codes == [200] * 200
        assert {client.get(f"/api/runs/{j}").json()["status"] for j in jobs} == {"running"}
        for job in jobs:
            assert client.delete(f"/api/runs/{job}").status_code == 202


def test_schemathesis_with_keys_finds_no_server_error(tmp_path):
    with api_server(tmp_path / "store", SALESFORGE_API_KEYS=KEY) as (url, _):
        with open(sample_path(), "rb") as handle:
            httpx.post(f"{url}/api/upload", files={"file": ("sales.csv.gz", handle)},
                       headers={"X-API-Key": KEY}, timeout=60)
        result = subprocess.run(
            [str(BIN / "st"), "run", f"{url}/openapi.json", "--checks", "not_a_server_error",
             "-H", f"X-API-Key: {KEY}", "--max-examples", "5",
             "--seed", "11", "--request-timeout", "30", "--phases", "coverage,fuzzing"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path)
    tail = result.stdout[-3000:]
    assert result.returncode == 0, tail
    generated = re.search(r"(\d+) generated, (\d+) passed", tail)
    assert generated and int(generated[1]) == int(generated[2]) > 100, tail
