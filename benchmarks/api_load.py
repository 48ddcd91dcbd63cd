"""Drive the REST API on 127.0.0.1 with a bounded load and print throughput and latency.

    python benchmarks/api_load.py --clients 50 --seconds 20

Starts ``salesforge api`` on a free loopback port over a scratch store, uploads the bundled
sample, trains a forecaster (horizon 30, one series) and loads it, then runs each scenario
(health, predict, upload; predict_uncached on request) for ``--seconds`` with
``--clients`` concurrent keep-alive connections of a small asyncio HTTP/1.1 client.
Prints requests/s, p50/p95/p99 latency (ms) and the count of non-2xx answers per scenario.
Never used in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from salesforge.data.sample import sample_path

BIN = Path(sys.executable).parent
SMALL_CSV = b"date,product,region,quantity,price,revenue\n" + b"".join(
    f"2024-01-{d % 28 + 1:02d},P{d % 7},R{d % 3},{d % 5 + 1},100,{(d % 5 + 1) * 100}\n".encode()
    for d in range(200))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(store: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([str(BIN / "salesforge"), "api", "--port", str(port),
                                "--store", str(store)], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the API server did not start within 60 s")


def prepare(url: str, model: str) -> None:
    """Upload the sample, train ``model`` with horizon 30 and wait for the job."""
    with httpx.Client(base_url=url, timeout=300) as client, open(sample_path(), "rb") as fh:
        dataset = client.post("/api/upload", files={"file": ("sales.csv.gz", fh)}).json()["id"]
        job = client.post("/api/forecast/train", json={
            "dataset": dataset, "models": [model], "horizon": 30}).json()["job"]
        while (status := client.get(f"/api/runs/{job}").json())["status"] in ("queued",
                                                                                 "running"):
            time.sleep(0.2)
        if status["status"] != "ok":
            raise SystemExit(f"training failed: {status['error']}")


def request_for(scenario: str, port: int, number: int) -> bytes:
    """The raw HTTP/1.1 request (keep-alive) a client sends as its ``number``-th for
    ``scenario``; ``predict_uncached`` cycles horizons 1..366 so the answer cache (256
    entries) never holds the one asked for."""
    head = f"Host: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n"
    if scenario == "health":
        return f"GET /api/health HTTP/1.1\r\n{head}\r\n".encode()
    if scenario.startswith("predict"):
        horizon = 30 if scenario == "predict" else number % 366 + 1
        body = f'{{"horizon": {horizon}}}'.encode()
        kind = "application/json"
    else:
        boundary = "salesforgebench"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"small.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() \
            + SMALL_CSV + f"\r\n--{boundary}--\r\n".encode()
        kind = f"multipart/form-data; boundary={boundary}"
    path = "/api/forecast/predict" if scenario.startswith("predict") else "/api/upload"
    return (f"POST {path} HTTP/1.1\r\n{head}Content-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   request: bytes) -> int:
    """Send ``request`` and read the whole response; returns the status code."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(int(line.split(b":", 1)[1]) for line in head.lower().split(b"\r\n")
                  if line.startswith(b"content-length:"))
    await reader.readexactly(length)
    return status


async def drive(port: int, scenario: str, clients: int, seconds: float) -> None:
    """``clients`` keep-alive connections sending ``scenario`` requests for ``seconds``."""
    latencies: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds

    async def worker(offset: int) -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        number = offset
        await exchange(reader, writer, request_for(scenario, port, number))  # warm up
        while time.monotonic() < stop:
            number += clients
            request = request_for(scenario, port, number)
            started = time.perf_counter()
            status = await exchange(reader, writer, request)
            latencies.append(time.perf_counter() - started)
            failures += not 200 <= status < 300
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.monotonic() - started
    ms = np.array(latencies) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    print(f"{scenario:<8} clients={clients} requests={len(ms):>6} req/s={len(ms) / elapsed:8.1f} "
          f"p50={p50:7.1f}ms p95={p95:7.1f}ms p99={p99:7.1f}ms non_2xx={failures}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (1-200)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per scenario (<=120)")
    parser.add_argument("--model", default="linear", help="forecaster trained for predict")
    parser.add_argument("--scenarios", default="health,predict,upload")
    options = parser.parse_args()
    clients = min(max(options.clients, 1), 200)
    seconds = min(max(options.seconds, 1), 120)
    with tempfile.TemporaryDirectory() as scratch:
        process, url = start(Path(scratch) / "store")
        try:
            prepare(url, options.model)
            for scenario in options.scenarios.split(","):
                asyncio.run(drive(int(url.rsplit(":", 1)[1]), scenario.strip(), clients,
                                  seconds))
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
