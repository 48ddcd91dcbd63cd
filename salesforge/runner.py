"""Run the stages in order and record what happened in ``manifest.json``.

No Hydra application lives here: :func:`run` takes a composed config, so notebooks,
tests, the app and the API call it the same way the CLI does.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from salesforge import __version__
from salesforge.config import plain
from salesforge.errors import ConfigError, StageSkipped
from salesforge.exec.memory import use_run_memory_pool
from salesforge.manifest import config_hash, utc_now, write_manifest
from salesforge.plugin.manager import SalesforgePluginManager, build_plugin_manager
from salesforge.runs.status import owner_process
from salesforge.schema import STAGES, RunContext, RunResult, StageOutcome
from salesforge.settings import typed_settings
from salesforge.stages import REQUIRES, STAGE_FUNCTIONS

log = logging.getLogger(__name__)


def enabled_stages(cfg: DictConfig) -> list[str]:
    """The stages switched on, in order; a stage whose input stage is off is an error."""
    flags = cfg.get("stages") or {}
    unknown = sorted(set(flags) - set(STAGES))
    if unknown:
        raise ConfigError(f"config key stages.{unknown[0]} is not a stage "
                          f"(stages: {', '.join(STAGES)}).")
    enabled = [s for s in STAGES if bool(flags.get(s, True))]
    for stage in enabled:
        for needed in REQUIRES[stage]:
            if needed not in enabled:
                raise ConfigError(f"config key stages.{needed}=false leaves stage {stage!r} "
                                  f"without input; also set stages.{stage}=false.")
    return enabled


def new_run_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def run(cfg: DictConfig, run_dir: str | Path,
        plugins: SalesforgePluginManager | None = None) -> RunResult:
    """Run every enabled stage on ``cfg``, writing artifacts into ``run_dir``.

    Always leaves ``manifest.json``: written with ``status: "running"`` and the owning
    ``process`` before the first stage, rewritten as each stage starts and ends (so other
    processes can follow the run), and last with ``"ok"`` — or ``"failed"`` with the
    error, after which the ``salesforge_run_error`` hook is called and the exception is
    re-raised.
    A run whose process dies keeps ``"running"``; readers show it as ``interrupted``
    (:func:`salesforge.runs.status.effective_status`).
    """
    pm = plugins or build_plugin_manager()
    use_run_memory_pool()  # jemalloc for Arrow: salesforge.exec.memory says why
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config = plain(cfg)
    config.pop("hydra", None)
    manifest: dict[str, Any] = {
        "salesforge_version": __version__, "run_id": new_run_id(), "status": "running",
        "started_at": utc_now(), "finished_at": None, "config": config,
        "config_hash": config_hash(config), "data_hash": None, "plugins": [],
        "plugin_failures": [f.describe() for f in pm.failures],
        "data": {}, "forecast": None, "segments": None, "anomalies": None,
        "analytics": None, "stages": {s: "pending" for s in STAGES}, "notes": {},
        "timings": {}, "extensions": {},
        "artifacts": {}, "warnings": [], "process": owner_process(),
    }
    ctx = RunContext(config=cfg, run_dir=run_dir, plugins=pm, manifest=manifest)
    _save(ctx)  # a run killed from here on still leaves a manifest (status running)
    ids = {"run_id": manifest["run_id"]}  # extra fields of every log line (JSON logs keep them)
    log.info("run %s started in %s", manifest["run_id"], run_dir,
             extra={**ids, "run_dir": str(run_dir)})
    stage: str | None = None
    try:
        typed_settings(cfg)  # a config not made by compose(): the same typed settings
        stages = enabled_stages(cfg)
        pm.hook.salesforge_run_start(context=ctx)
        for stage in STAGES:
            if stage not in stages:
                manifest["stages"][stage] = "skipped"
                continue
            pm.hook.salesforge_before_stage(context=ctx, stage=stage)
            manifest["stages"][stage] = "running"
            _save(ctx)
            started = time.perf_counter()
            before = dict(ctx.artifacts)
            try:
                STAGE_FUNCTIONS[stage](ctx)
                manifest["stages"][stage] = "ok"
            except StageSkipped as note:
                manifest["stages"][stage] = "skipped"
                manifest["notes"][stage] = str(note)
                log.warning("stage %s skipped: %s", stage, note, extra={**ids, "stage": stage})
            seconds = time.perf_counter() - started
            manifest["timings"][stage] = round(seconds, 4)
            log.info("stage %s done in %.2fs", stage, seconds,
                     extra={**ids, "stage": stage, "seconds": round(seconds, 4),
                            "status": manifest["stages"][stage]})
            _save(ctx)
            written = {k: v for k, v in ctx.artifacts.items() if before.get(k) != v}
            pm.hook.salesforge_after_stage(context=ctx, stage=stage,
                                           outcome=StageOutcome(stage, seconds, written))
        stage = None
    except BaseException as error:
        if stage is not None:
            manifest["stages"][stage] = "failed"
        _finish(ctx, "failed", error={"stage": stage, "type": type(error).__name__,
                                      "message": str(error)})
        log.error("run %s failed%s: %s: %s", manifest["run_id"],
                  f" in stage {stage}" if stage else "", type(error).__name__, error,
                  extra={**ids, "stage": stage, "status": "failed"})
        _notify(pm.hook.salesforge_run_error, context=ctx, stage=stage, error=error)
        raise
    _finish(ctx, "ok")
    total = sum(manifest["timings"].values())
    log.info("run %s ok in %.2fs", manifest["run_id"], total,
             extra={**ids, "status": "ok", "seconds": round(total, 4)})
    _notify(pm.hook.salesforge_run_finish, context=ctx, manifest=ctx.manifest)
    return RunResult(run_dir=run_dir, manifest=ctx.manifest)


def _notify(hook, **kwargs) -> None:
    """Call a hook that reports a finished run: a plugin failing there is logged, and
    neither changes the run's outcome nor hides the run's own error."""
    try:
        hook(**kwargs)
    except Exception as exc:  # a third-party plugin may raise anything
        log.warning("a plugin failed in %s: %s: %s", hook.name, type(exc).__name__, exc)


def _finish(ctx: RunContext, status: str, error: dict | None = None) -> None:
    try:  # the run's executor (e.g. a Dask LocalCluster) ends with the run
        ctx.close_executor()
    except Exception as exc:  # closing never changes the run's outcome
        log.warning("closing the executor failed: %s: %s", type(exc).__name__, exc)
    manifest = ctx.manifest
    manifest["status"] = status
    if error is not None:
        manifest["error"] = error
    manifest["finished_at"] = utc_now()
    _save(ctx)


def _save(ctx: RunContext) -> None:
    """Write ``manifest.json`` (atomically) with the artifacts and plugins so far."""
    manifest = ctx.manifest
    manifest["artifacts"] = dict(ctx.artifacts)
    registry = ctx.plugins.registry
    manifest["plugins"] = [
        {"kind": kind, "name": name, "distribution": registry.get(kind, name).distribution,
         "version": registry.get(kind, name).version}
        for kind, name in ctx.components
    ]
    write_manifest(ctx.run_dir, manifest)
