"""Stage ``report``: hand everything the run produced to each selected reporter."""

from __future__ import annotations

import pandas as pd

from salesforge.base.reporter import ReportBundle
from salesforge.config import choices
from salesforge.schema import RunContext


def bundle(ctx: RunContext) -> ReportBundle:
    """The report input: analytics tables plus forecast, segment, anomaly and data-quality
    tables from whichever stages ran."""
    report = ctx.config.report
    analysis = ctx.results.get("analytics")
    tables: dict[str, pd.DataFrame] = dict(analysis.tables) if analysis else {}
    forecast = ctx.results.get("forecast")
    if forecast:
        tables["leaderboard"] = forecast["leaderboard"]
        tables["forecast"] = forecast["forecast"]
    if "segment" in ctx.results:
        tables["segments"] = ctx.results["segment"]["table"]
    if "detect" in ctx.results:
        tables["anomalies"] = ctx.results["detect"]["anomalies"]
    if ctx.rejected is not None:
        data = ctx.manifest["data"]
        quality = {k: data.get(k) for k in ("rows_in", "rows_clean", "rows_rejected",
                                            "rows_duplicate")}
        quality.update({f"rejected: {r}": n for r, n in data.get("rejected_reasons", {}).items()})
        tables["data_quality"] = pd.DataFrame({"item": list(quality),
                                               "value": list(quality.values())})
    return ReportBundle(
        title=str(report.title), language=str(report.language),
        currency=str(report.currency), kpis=analysis.kpis if analysis else {},
        tables=tables, insights=analysis.insights if analysis else [], manifest=ctx.manifest,
    )


def run_report(ctx: RunContext) -> None:
    content = bundle(ctx)
    written = {}
    for name, settings in choices(ctx.config, "reporter"):
        reporter = ctx.create("reporter", name, settings, key=f"reporter.{name}")
        paths = reporter.write(content, ctx.folder("reports"))
        written[name] = [p.relative_to(ctx.run_dir).as_posix() for p in paths]
        for path in written[name]:
            ctx.record_artifact(f"report:{name}:{path.rsplit('/', 1)[-1]}", path)
    ctx.manifest["reports"] = written
