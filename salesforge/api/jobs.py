"""Background jobs: each pipeline run in a process of its own, supervised by a small pool.

A job's config is composed in the server with Hydra's compose API (serialised by a lock:
Hydra's global state is not thread-safe) from the client's overrides, which are checked
against the client allowlist first (:mod:`salesforge.client_overrides`). The run itself
happens in a child process (:mod:`salesforge.api.job_process`), so a job that runs past
``api.job_timeout_s`` or is cancelled (``DELETE /api/runs/{id}``) is really stopped: its
whole process group is killed. Progress is read from the run's ``manifest.json``, which
the runner rewrites after every stage.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from salesforge.client_overrides import check_client_overrides
from salesforge.composition import COMPOSE_LOCK, compose
from salesforge.config import register_component_configs
from salesforge.errors import DataError, SalesforgeError
from salesforge.manifest import as_dict, utc_now, write_manifest
from salesforge.overrides import check_overrides
from salesforge.runs.index import RunIndex
from salesforge.schema import RunResult

from . import job_process
from .records import quote, read_manifest
from .redact import redact
from .store import Store, new_id, now

log = logging.getLogger(__name__)
#: Seconds a killed job's process group gets to go before the parent stops waiting.
_REAP_S = 10.0
#: Store records of jobs that are over.
FINISHED = ("ok", "failed", "cancelled")


class JobFailed(SalesforgeError):
    """A job ended without success; the message is the sentence to show the client."""


def _context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    """A fork server that has imported salesforge and every plugin module once."""
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:  # platforms without fork
        return multiprocessing.get_context("spawn")
    modules = ["salesforge.api.job_process", "salesforge.runner", "salesforge.stages"]
    modules += sorted({ep.module for ep in entry_points(group="salesforge")})
    context.set_forkserver_preload(modules)
    return context


class Jobs:
    """Compose, submit, time out, cancel and track pipeline runs for the API."""

    def __init__(self, store: Store, plugins: Any, workers: int,
                 timeout_s: float | None = None) -> None:
        self.store = store
        self.plugins = plugins
        self.timeout_s = timeout_s
        with COMPOSE_LOCK:  # the config store is Hydra's global state too
            register_component_configs(plugins.registry)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sf-api-job")
        self._mp = _context()
        self._lock = threading.Lock()
        self.futures: dict[str, Future] = {}
        self._processes: dict[str, Any] = {}
        self._cancelled: set[str] = set()

    # -- config ---------------------------------------------------------------------------
    def compose(self, data_path: Path, overrides: Sequence[str],
                server: Sequence[str] = ()) -> DictConfig:
        """The run config for ``data_path`` with the client's ``overrides`` (checked
        against the client allowlist first) and the server's own ``server`` overrides
        (paths of uploaded datasets the request referenced by id)."""
        overrides = [str(o) for o in overrides]
        check_client_overrides(overrides, self.plugins.registry)
        every = [*overrides, *server, f"data.path={quote(data_path)}"]
        check_overrides(overrides, self.plugins)
        return compose(every)

    # -- submitting -----------------------------------------------------------------------
    def run_now(self, kind: str, dataset: dict[str, Any], overrides: Sequence[str],
                server: Sequence[str] = ()) -> tuple[str, RunResult]:
        """Compose and run, waiting for the end (quick work); returns run id and result.
        A failed run raises :class:`JobFailed` (a client error) with the run's sentence."""
        cfg = self.compose(self.store.dataset_path(dataset), overrides, server)
        run_id = self._record(kind, dataset, overrides, "running")
        result = self._execute(run_id, cfg, None, reraise=True)
        assert result is not None
        return run_id, result

    def submit(self, kind: str, dataset: dict[str, Any], overrides: Sequence[str],
               on_success: Callable[[str, RunResult], object] | None = None,
               server: Sequence[str] = ()) -> str:
        """Compose now (bad overrides fail the request), run in the pool; returns the id."""
        cfg = self.compose(self.store.dataset_path(dataset), overrides, server)
        run_id = self._record(kind, dataset, overrides, "queued")
        self.futures[run_id] = self._pool.submit(self._execute, run_id, cfg, on_success)
        return run_id

    def _record(self, kind: str, dataset: dict[str, Any], overrides: Sequence[str],
                status: str) -> str:
        run_id = new_id("run")
        self.store.put("runs", run_id, {"kind": kind, "dataset": dataset["id"],
                                        "overrides": list(overrides), "status": status,
                                        "created_at": now(), "finished_at": None,
                                        "error": None, "models": []})
        return run_id

    # -- running --------------------------------------------------------------------------
    def _execute(self, run_id: str, cfg: DictConfig,
                 on_success: Callable[[str, RunResult], object] | None,
                 reraise: bool = False) -> RunResult | None:
        run_dir = self.store.run_dir(run_id)
        try:
            result = self._run_process(run_id, cfg, run_dir)
            if on_success is not None:
                on_success(run_id, result)
        except Exception as error:  # the job fails; the server goes on
            status = "cancelled" if run_id in self._cancelled else "failed"
            message = redact(str(error) or type(error).__name__, [self.store.root])
            log.warning("job %s %s: %s", run_id, status, message)
            self.store.update("runs", run_id, status=status, finished_at=now(), error=message)
            if reraise:
                raise JobFailed(message) from None
            return None
        self.store.update("runs", run_id, status="ok", finished_at=now())
        return result

    def _run_process(self, run_id: str, cfg: DictConfig, run_dir: Path) -> RunResult:
        config = OmegaConf.to_yaml(cfg, resolve=True)
        process = self._mp.Process(target=job_process.run_job, name=f"sf-{run_id}",
                                   args=(config, str(run_dir), str(self.store.index_path)))
        with self._lock:
            if run_id in self._cancelled:
                raise JobFailed("the job was cancelled before it started.")
            self.store.update("runs", run_id, status="running")
            process.start()
            self._processes[run_id] = process
        try:
            process.join(self.timeout_s)
            if process.is_alive():
                _kill_group(process)
                message = (f"the job ran longer than {self.timeout_s:g} s and was stopped; "
                           "raise config key api.job_timeout_s or ask for less work.")
                self._close_manifest(run_dir, "failed", "JobTimeout", message)
                raise JobFailed(message)
        finally:
            with self._lock:
                self._processes.pop(run_id, None)
        if run_id in self._cancelled:
            self._close_manifest(run_dir, "cancelled", "JobCancelled", "the job was cancelled.")
            raise JobFailed("the job was cancelled.")
        manifest = read_manifest(self.store, run_id)
        if process.exitcode != job_process.OK:
            error = (manifest or {}).get("error") or {}
            if process.exitcode == job_process.USER_ERROR and error.get("message"):
                raise DataError(str(error["message"]))
            raise JobFailed(f"the job stopped without finishing (exit code "
                            f"{process.exitcode}); see the server log.")
        if manifest is None:
            raise JobFailed("the job finished without writing its manifest.")
        return RunResult(run_dir=run_dir, manifest=as_dict(manifest))

    def _close_manifest(self, run_dir: Path, status: str, kind: str, message: str) -> None:
        """Record in the manifest and the index of a killed job's run why it stopped (it
        could not write that itself)."""
        manifest = read_manifest(self.store, run_dir.name)
        if manifest is None or manifest.get("status") != "running":
            return
        stage = next((s for s, state in (manifest.get("stages") or {}).items()
                      if state == "running"), None)
        manifest.update({"status": status, "finished_at": utc_now(),
                         "error": {"stage": stage, "type": kind, "message": message}})
        write_manifest(run_dir, manifest)
        try:
            RunIndex(self.store.index_path).record(manifest, run_dir)
        except Exception as error:  # the index is a cache of the manifests
            log.warning("could not record job %s in the run index: %s", run_dir.name, error)

    # -- control --------------------------------------------------------------------------
    def cancel(self, run_id: str) -> bool:
        """Stop job ``run_id`` (queued or running); ``False`` when it is already over."""
        record = self.store.get("runs", run_id)
        if record is None or record.get("status") in FINISHED:
            return False
        with self._lock:
            self._cancelled.add(run_id)
            process = self._processes.get(run_id)
        future = self.futures.get(run_id)
        if future is not None and future.cancel():  # never started
            self.store.update("runs", run_id, status="cancelled", finished_at=now(),
                              error="the job was cancelled before it started.")
            return True
        if process is not None:
            _kill_group(process)
        return True

    def wait(self, run_id: str, timeout: float | None = None) -> None:
        """Block until job ``run_id`` ends (tests, the CLI)."""
        future = self.futures.get(run_id)
        if future is not None and not future.cancelled():
            future.exception(timeout)

    def shutdown(self) -> None:
        with self._lock:
            running = list(self._processes.items())
            self._cancelled.update(run_id for run_id, _ in running)
        for _, process in running:
            _kill_group(process)
        self._pool.shutdown(wait=True, cancel_futures=True)


def _kill_group(process: Any) -> None:
    """Kill ``process`` and every process it started (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        process.kill()
    process.join(_REAP_S)
