"""Background jobs: pipeline runs on a small thread pool, with live stage progress.

Every job is a real ``salesforge.runner.run`` on a config composed with Hydra's compose
API (serialised by a lock: Hydra's global state is not thread-safe). Its run directory
lives in the store, so its manifest and artifacts outlive the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from salesforge import hookimpl
from salesforge.config import conf_dir, register_component_configs
from salesforge.errors import ConfigError
from salesforge.overrides import check_overrides, describe_compose_error
from salesforge.runner import run
from salesforge.schema import RunContext, RunResult

from .store import Store, new_id, now

log = logging.getLogger(__name__)
_COMPOSE_LOCK = threading.Lock()

#: Override keys a caller may set (prefix match); paths, storage URLs and hydra are not.
ALLOWED = ("forecaster", "features", "segmenter", "detector", "reporter", "cleaner",
           "analyzer", "forecast.", "backtest.", "detect.", "segment.", "report.", "stages.",
           "tuning.enabled", "tuning.n_trials", "tuning.timeout", "tuning.metric",
           "tuning.seed", "tuning.models", "tuning.space", "data.columns.", "data.dayfirst",
           "data.options.delimiter", "data.options.encoding", "data.options.sheet")


def check_allowed(overrides: Sequence[str]) -> None:
    """Raise :class:`ConfigError` for an override outside :data:`ALLOWED` (data paths,
    storage URLs, executors and Hydra settings stay under the server's control)."""
    for override in overrides:
        key = override.lstrip("+~").split("=", 1)[0].strip()
        if "${" in override:
            raise ConfigError(f"override {override!r} uses an interpolation (${{...}}), which "
                              "the API does not accept; give the value itself.")
        if key.startswith("reporter."):  # reporter settings name output files
            raise ConfigError(f"config key {key!r} cannot be set through the API; choose "
                              "reporters with reporter=[...] only.")
        if not any(key == a.rstrip(".") or key.startswith(a if a.endswith(".") else a + ".")
                   or key == a for a in ALLOWED):
            raise ConfigError(f"config key {key!r} cannot be set through the API; allowed "
                              "are component groups and forecast., backtest., detect., "
                              "segment., report., stages., tuning. and data.columns. keys.")


class RunProgress:
    """Plugin keeping a live view of each running job's manifest (stage states)."""

    def __init__(self) -> None:
        self.live: dict[str, dict[str, Any]] = {}

    @hookimpl
    def salesforge_run_start(self, context: RunContext) -> None:
        self.live[str(Path(context.run_dir).resolve())] = context.manifest

    def stages(self, run_dir: Path) -> dict[str, str] | None:
        manifest = self.live.get(str(run_dir.resolve()))
        return dict(manifest["stages"]) if manifest else None

    def forget(self, run_dir: Path) -> None:
        self.live.pop(str(run_dir.resolve()), None)


class Jobs:
    """Compose, submit and track pipeline runs for the API."""

    def __init__(self, store: Store, plugins: Any, workers: int) -> None:
        self.store = store
        self.plugins = plugins
        self.progress = RunProgress()
        plugins.register(self.progress, name="salesforge-api-progress")
        with _COMPOSE_LOCK:
            register_component_configs(plugins.registry)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sf-api-job")
        self.futures: dict[str, Future] = {}

    def compose(self, data_path: Path, overrides: Sequence[str]) -> DictConfig:
        """The run config for ``data_path`` with caller ``overrides`` (checked first)."""
        overrides = [str(o) for o in overrides]
        check_allowed(overrides)
        with _COMPOSE_LOCK:
            check_overrides(overrides, self.plugins)
            try:
                with initialize_config_dir(str(conf_dir()), version_base="1.3"):
                    return compose("config", overrides=[*overrides, f"data.path={data_path}"])
            except (HydraException, OmegaConfBaseException) as exc:
                raise ConfigError(describe_compose_error(exc)) from None

    def run_now(self, kind: str, dataset: dict[str, Any], overrides: Sequence[str]
                ) -> tuple[str, RunResult]:
        """Compose and run in this thread (quick work); returns run id and result."""
        cfg = self.compose(self.store.dataset_path(dataset), overrides)
        run_id = self._record(kind, dataset, overrides, "running")
        result = self._execute(run_id, cfg, None, reraise=True)
        assert result is not None
        return run_id, result

    def submit(self, kind: str, dataset: dict[str, Any], overrides: Sequence[str],
               on_success: Callable[[str, RunResult], None] | None = None) -> str:
        """Compose now (bad overrides fail the request), run in the pool; returns the id."""
        cfg = self.compose(self.store.dataset_path(dataset), overrides)
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

    def _execute(self, run_id: str, cfg: DictConfig,
                 on_success: Callable[[str, RunResult], None] | None,
                 reraise: bool = False) -> RunResult | None:
        run_dir = self.store.run_dir(run_id)
        self.store.update("runs", run_id, status="running")
        try:
            result = run(cfg, run_dir, plugins=self.plugins)
            if on_success is not None:
                on_success(run_id, result)
        except Exception as error:  # the job fails; the server goes on
            log.warning("job %s failed: %s", run_id, error)
            self.store.update("runs", run_id, status="failed", finished_at=now(),
                              error=str(error) or type(error).__name__)
            if reraise:
                raise
            return None
        finally:
            self.progress.forget(run_dir)
        self.store.update("runs", run_id, status="ok", finished_at=now())
        return result

    def wait(self, run_id: str, timeout: float | None = None) -> None:
        """Block until job ``run_id`` ends (tests, the CLI)."""
        future = self.futures.get(run_id)
        if future is not None:
            future.exception(timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
