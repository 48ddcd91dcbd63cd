"""Live progress of ``salesforge run`` on the terminal: a built-in plugin on the lifecycle hooks.

One bar counts the enabled stages and names the one running; below it, one bar per task a
stage reports through ``context.report_progress`` (``salesforge_progress``: per model,
backtest window or tuning trial). A stage's task bars go when the stage ends; the whole
display goes when the run ends, leaving the log lines (``stage forecast done in 1.16s``)
printed above it.

The display is off until :func:`enable` turns it on, which ``salesforge run`` does when
stderr is a terminal, unless ``--quiet`` or ``--log-json``; so notebooks, the app, the API
and pipes never see it. Rich wraps ``sys.stderr`` while the display is live, and
:class:`salesforge.logs.StderrHandler` writes to the wrapped stream, so log lines print
cleanly above the bars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from salesforge.plugin.markers import hookimpl

if TYPE_CHECKING:
    from salesforge.schema import RunContext, StageOutcome


class TerminalProgress:
    """The progress display of one run after another on one console."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.stages: TaskID | None = None
        self.tasks: dict[tuple[str, str], TaskID] = {}

    @property
    def live(self) -> bool:
        return self.progress is not None

    def start(self, total_stages: int) -> None:
        """Show the display with a bar over ``total_stages`` stages."""
        self.stop()
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(),
            console=self.console, transient=True)
        self.progress.start()
        self.stages = self.progress.add_task("salesforge run", total=total_stages)

    def stage_started(self, stage: str) -> None:
        if self.progress is not None and self.stages is not None:
            self.progress.update(self.stages, description=f"stage [bold]{stage}[/]")

    def stage_done(self, stage: str) -> None:
        """Advance the stage bar and drop the stage's task bars."""
        if self.progress is None or self.stages is None:
            return
        self.progress.advance(self.stages)
        for key in [k for k in self.tasks if k[0] == stage]:
            self.progress.remove_task(self.tasks.pop(key))

    def update(self, stage: str, task: str, done: int, total: int | None) -> None:
        """Show ``task`` of ``stage`` at ``done`` of ``total`` (``None``: unknown)."""
        if self.progress is None:
            return
        key = (stage, task)
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(f"  {task}", total=total)
        self.progress.update(self.tasks[key], completed=done, total=total)

    def stop(self) -> None:
        """Remove the display (a no-op when it is not shown)."""
        if self.progress is not None:
            self.progress.stop()
        self.progress, self.stages, self.tasks = None, None, {}


_display: TerminalProgress | None = None


def enable(console: Console | None = None) -> bool:
    """Show progress on ``console`` (default: stderr) if it is an interactive terminal;
    return whether the display is on."""
    global _display
    console = console or Console(stderr=True)
    if not console.is_terminal or console.is_dumb_terminal:
        _display = None
        return False
    _display = TerminalProgress(console)
    return True


def disable() -> None:
    """Switch the display off (and remove it if shown)."""
    global _display
    if _display is not None:
        _display.stop()
    _display = None


def display() -> TerminalProgress | None:
    """The display when enabled, else ``None``."""
    return _display


@hookimpl
def salesforge_run_start(context: RunContext) -> None:
    if _display is not None:
        from salesforge.runner import enabled_stages

        _display.start(len(enabled_stages(context.config)))


@hookimpl
def salesforge_before_stage(stage: str) -> None:
    if _display is not None:
        _display.stage_started(stage)


@hookimpl
def salesforge_after_stage(stage: str, outcome: StageOutcome) -> None:
    if _display is not None:
        _display.stage_done(stage)


@hookimpl
def salesforge_progress(stage: str, task: str, done: int, total: int | None) -> None:
    if _display is not None:
        _display.update(stage, task, done, total)


@hookimpl(tryfirst=True)
def salesforge_run_finish() -> None:
    if _display is not None:
        _display.stop()


@hookimpl(tryfirst=True)
def salesforge_run_error() -> None:
    if _display is not None:
        _display.stop()
