"""Stage ``report``: charts to ``charts/``, then every selected reporter to ``reports/``."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, cast

import pandas as pd
from omegaconf import OmegaConf

from salesforge.base.reporter import DEFAULT_SECTIONS, ReportBundle
from salesforge.charts.export import chart_json, save_chart
from salesforge.config import choices
from salesforge.errors import ConfigError, PluginError
from salesforge.layout import RunLayout
from salesforge.report.figures import anomaly_frames, build_charts
from salesforge.report.sections import resolve_sections
from salesforge.schema import RunContext


def _data_quality(ctx: RunContext) -> pd.DataFrame:
    data = ctx.manifest["data"]
    quality = {k: data.get(k) for k in ("rows_in", "rows_clean", "rows_rejected",
                                        "rows_duplicate")}
    quality.update({f"rejected: {r}": n for r, n in data.get("rejected_reasons", {}).items()})
    return pd.DataFrame({"item": list(quality), "value": list(quality.values())})


def _section_names(ctx: RunContext) -> list[str]:
    node = ctx.config.report.get("sections")
    if node is None:
        return list(DEFAULT_SECTIONS)
    names = OmegaConf.to_container(node, resolve=True) if not isinstance(node, str) else [node]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError("config key report.sections must be a list of section names, e.g. "
                          "report.sections=[summary,insights,forecast].")
    return names


def plugin_sections(ctx: RunContext) -> dict[str, Any]:
    """The sections plugins add to this run (``salesforge_report_sections``), then those
    put under the deprecated ``context.results["report_sections"]``.

    :raises PluginError: two plugins give a section the same name."""
    sections: dict[str, Any] = {}
    owners: dict[str, str] = {}
    hook = ctx.plugins.hook.salesforge_report_sections
    for impl in hook.get_hookimpls():  # registration order, to name both of a clash
        # pluggy types a hook's result as object: this hook's is {name: section} or None
        given = cast("Mapping[str, Any] | None",
                     impl.function(*[{"context": ctx}[arg] for arg in impl.argnames])) or {}
        for name, section in dict(given).items():
            if name in sections:
                raise PluginError(f"report section {name!r} is given by both "
                                  f"{owners[name]} and {impl.plugin_name}; rename one.")
            sections[name], owners[name] = section, impl.plugin_name
    legacy = ctx.plugin_state.get("report_sections")
    if legacy:
        warnings.warn("context.results['report_sections'] is deprecated; return the sections "
                      "from a salesforge_report_sections(context) hook.", DeprecationWarning,
                      stacklevel=2)
        sections.update({k: v for k, v in dict(legacy).items() if k not in sections})
    return sections


def bundle(ctx: RunContext) -> ReportBundle:
    """The report input: analytics tables plus forecast, segment, anomaly and data-quality
    tables from whichever stages ran (a switched-off stage leaves its tables out)."""
    report = ctx.config.report
    results = ctx.stage_results
    analysis = results.analytics
    tables: dict[str, pd.DataFrame] = dict(analysis.tables) if analysis else {}
    if results.forecast is not None:
        tables.update(leaderboard=results.forecast.leaderboard,
                      forecast=results.forecast.forecast, backtest=results.forecast.backtest)
    if results.segment is not None:
        tables["segments"] = results.segment.table
    if results.detect is not None:
        tables["anomalies"] = results.detect.anomalies
    if ctx.rejected is not None and "data" in ctx.manifest:
        tables["data_quality"] = _data_quality(ctx)
    return ReportBundle(
        title=str(report.title), language=str(report.language),
        currency=str(report.currency), kpis=analysis.kpis if analysis else {},
        tables=tables, insights=analysis.insights if analysis else [], manifest=ctx.manifest,
        details=list(getattr(analysis, "details", []) or []),
        section_names=_section_names(ctx),
        extra_sections=plugin_sections(ctx),
    )


def _chart_extras(ctx: RunContext, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    extras: dict[str, pd.DataFrame] = {}
    if ctx.clean is None:
        return extras
    if "forecast" in tables and "forecast" in ctx.manifest:
        from salesforge.forecast.series import build_series

        cfg = ctx.manifest["forecast"]
        extras["history"] = build_series(ctx.clean, cfg["target"], cfg["freq"],
                                         list(cfg.get("by") or []))
    detect = ctx.stage_results.detect
    scores = None if detect is None else detect.scores
    flagged = tables.get("anomalies")
    if scores is not None and flagged is not None and len(scores) == len(ctx.clean):
        extras.update(anomaly_frames(ctx.clean, scores, flagged.index))
    return extras


def write_charts(ctx: RunContext, content: ReportBundle) -> dict[str, Any]:
    """Build the charts, save each as ``charts/<name>.html`` and ``.png``; fills
    ``content.charts`` and ``content.images`` and returns the artifact paths."""
    settings = ctx.config.report
    content.charts = build_charts(content.tables, _chart_extras(ctx, content.tables),
                                  ctx.manifest, settings.moving_average, content.language)
    folder = ctx.folder(RunLayout.CHARTS)
    written = {}
    ctx.report_progress("report", "charts", 0, len(content.charts))
    for done, (name, chart) in enumerate(content.charts.items(), start=1):
        content.specs[name] = chart_json(chart)
        paths = save_chart(content.specs[name], folder, name,
                           png=settings.png)
        if "png" in paths:
            content.images[name] = paths["png"]
        written[name] = [p.relative_to(ctx.run_dir).as_posix() for p in paths.values()]
        for kind, path in paths.items():
            ctx.record_artifact(f"chart:{name}:{kind}", path.relative_to(ctx.run_dir).as_posix())
        ctx.report_progress("report", "charts", done, len(content.charts))
    return written


def run_report(ctx: RunContext) -> None:
    content = bundle(ctx)
    resolve_sections(content)  # an unknown name in report.sections fails before any work
    ctx.manifest["charts"] = write_charts(ctx, content)
    written = {}
    reporters = choices(ctx.config, "reporter")
    ctx.report_progress("report", "reporters", 0, len(reporters))
    for done, (name, settings) in enumerate(reporters, start=1):
        reporter = ctx.create("reporter", name, settings, key=f"reporter.{name}")
        paths = reporter.write(content, ctx.folder(RunLayout.REPORTS))
        written[name] = [p.relative_to(ctx.run_dir).as_posix() for p in paths]
        for path in written[name]:
            ctx.record_artifact(f"report:{name}:{path.rsplit('/', 1)[-1]}", path)
        ctx.report_progress("report", "reporters", done, len(reporters))
    ctx.manifest["reports"] = written
