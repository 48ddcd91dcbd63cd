"""Every hook a salesforge plugin can implement.

Hooks are grouped by lifecycle. Each hook only ever *gains* arguments (pluggy lets an
implementation accept any subset of the spec's arguments), it is never renamed.
A plugin implements a hook with ``@salesforge.hookimpl`` on a module-level function or
method whose name matches the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from salesforge.plugin.markers import hookspec

if TYPE_CHECKING:
    from salesforge.registry import Registry
    from salesforge.schema import RunContext, StageOutcome


# --- registration -------------------------------------------------------------------


@hookspec(historic=True)
def salesforge_register_components(registry: Registry) -> None:
    """Add components to the registry.

    :param registry: the run's :class:`salesforge.registry.Registry`. Call
        ``registry.add(kind, name, cls, config=ConfigDataclass)`` once per component;
        kinds are listed in :data:`salesforge.registry.KINDS`.

    Historic: a plugin registered late still sees the registry. The return value is ignored.
    """


# --- run lifecycle ------------------------------------------------------------------


@hookspec
def salesforge_run_start(context: RunContext) -> None:
    """Called once before the first stage, after the run directory exists.

    :param context: the run's :class:`salesforge.schema.RunContext` (config, run
        directory, manifest being built). Implementations may read it and record their
        own results under ``context.manifest["extensions"][<plugin name>]``.
    """


@hookspec
def salesforge_before_stage(context: RunContext, stage: str) -> None:
    """Called before each enabled stage runs.

    :param context: the run's context.
    :param stage: the stage name (``load``, ``clean``, ``features``, ``forecast``,
        ``segment``, ``detect``, ``analytics``, ``report``).
    """


@hookspec
def salesforge_after_stage(context: RunContext, stage: str, outcome: StageOutcome) -> None:
    """Called after each enabled stage finished without error.

    :param context: the run's context.
    :param stage: the stage name.
    :param outcome: a :class:`salesforge.schema.StageOutcome` with the stage's
        ``seconds`` and the run-directory-relative ``artifacts`` it wrote.
    """


@hookspec
def salesforge_report_sections(context: RunContext) -> Mapping[str, Any] | None:
    """Extra report sections for this run, asked for once as the report stage starts.

    :param context: the run's context (every earlier stage's ``stage_results``).
    :returns: section name -> a :class:`salesforge.base.reporter.Section` or a
        ``builder(bundle) -> Section | None`` (``None``: no data, the section is left out),
        or ``None`` for none. A section is shown where ``report.sections`` names it; two
        plugins giving the same name fail the run naming both.
    """


@hookspec
def salesforge_progress(context: RunContext, stage: str, task: str, done: int,
                        total: int | None) -> None:
    """Called as a long stage makes progress: per model, backtest window or tuning trial.

    :param context: the run's context.
    :param stage: the stage reporting (e.g. ``"forecast"``).
    :param task: what is progressing, e.g. ``"backtest linear"`` or ``"tuning xgboost"``;
        one task reports ``done`` = 0, 1, ..., ``total``.
    :param done: units finished so far in this task.
    :param total: units in the task, or ``None`` when unknown.

    Used by the terminal progress display; an exception raised here fails the run like
    one raised by ``salesforge_after_stage``.
    """


@hookspec
def salesforge_run_finish(context: RunContext, manifest: dict[str, Any]) -> None:
    """Called once after every stage succeeded and ``manifest.json`` was written.

    :param context: the run's context.
    :param manifest: the manifest as written (a plain ``dict``; changing it has no effect).

    An exception raised here is logged as a warning; the run stays successful.
    """


@hookspec
def salesforge_run_error(context: RunContext, stage: str | None, error: BaseException) -> None:
    """Called once when a run fails, after ``manifest.json`` recorded ``status: failed``.

    :param context: the run's context.
    :param stage: the stage that failed, or ``None`` when the run failed before a stage.
    :param error: the exception. The run still exits non-zero after this hook; an
        exception raised here is logged and never replaces ``error``.
    """
