"""Background runs: compose a config (:func:`salesforge.composition.compose`), run it in a
worker thread, report per-stage progress through the runner's
``salesforge_before_stage`` / ``salesforge_after_stage`` hooks."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from salesforge.composition import compose
from salesforge.errors import describe_error
from salesforge.overrides import check_overrides
from salesforge.plugin import hookimpl
from salesforge.plugin.manager import build_plugin_manager
from salesforge.runner import run
from salesforge.schema import STAGES


def compose_config(overrides: list[str]):
    """The run config for ``overrides``, checked the way ``salesforge run`` checks them,
    and the plugin manager it was checked against."""
    pm = build_plugin_manager()
    check_overrides(overrides, pm)
    return compose(overrides, registry=pm.registry), pm


@dataclass
class Job:
    """One background run; its fields are written by the worker, read by the page."""

    overrides: list[str]
    run_dir: Path
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    status: str = "queued"  # queued | running | ok | failed
    stages: dict[str, str] = field(default_factory=lambda: dict.fromkeys(STAGES, "pending"))
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def done(self) -> bool:
        return self.status in ("ok", "failed")

    @property
    def fraction(self) -> float:
        """Share of the stages finished (ok, skipped or failed)."""
        over = sum(s not in ("pending", "running") for s in self.stages.values())
        return 1.0 if self.status == "ok" else over / len(self.stages)


class Progress:
    """Plugin object recording the stage states of one job."""

    def __init__(self, job: Job) -> None:
        self.job = job

    @hookimpl
    def salesforge_before_stage(self, context, stage: str) -> None:
        self.job.stages[stage] = "running"

    @hookimpl
    def salesforge_after_stage(self, context, stage: str, outcome) -> None:
        self.job.stages[stage] = context.manifest["stages"].get(stage, "ok")


class JobRunner:
    """Runs jobs on a small shared thread pool into ``<runs>/app/<time>-<id>/``."""

    def __init__(self, runs: str | Path, workers: int = 2) -> None:
        self.runs = Path(runs)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="salesforge-app")
        self.jobs: dict[str, Job] = {}

    def submit(self, overrides: list[str]) -> tuple[Job, Future]:
        """Queue a run of ``overrides``; the job's fields follow its progress."""
        stamp = time.strftime("%Y-%m-%d/%H-%M-%S")
        job = Job(list(overrides), self.runs / "app" / f"{stamp}-{uuid.uuid4().hex[:6]}")
        self.jobs[job.id] = job
        return job, self.pool.submit(self._work, job)

    def _work(self, job: Job) -> Job:
        job.status = "running"
        try:
            index = json.dumps(str(self.runs / "runs.db"))  # the app's runs folder's index
            cfg, pm = compose_config([*job.overrides, f"runs.index={index}"])
            pm.register(Progress(job), name=f"app-progress-{job.id}")
            result = run(cfg, job.run_dir, plugins=pm)
            job.stages.update(result.manifest["stages"])
            job.status = "ok"
        except BaseException as error:
            job.error = describe_error(error)
            job.status = "failed"
            for stage, state in job.stages.items():
                if state == "running":
                    job.stages[stage] = "failed"
        finally:
            job.finished = time.time()
        return job


def path_override(paths: list[Path]) -> str:
    """``data.path=...`` for one or several files, quoted for Hydra."""
    quoted = [f"'{p}'" for p in paths]
    return f"data.path={quoted[0]}" if len(quoted) == 1 else f"data.path=[{','.join(quoted)}]"
