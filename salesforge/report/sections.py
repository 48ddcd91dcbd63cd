"""Report sections: what each reporter shows, in the order ``report.sections`` gives.

A section is plain content (paragraphs, bullets, chart names, titled tables) built from
the :class:`ReportBundle`; a builder returns ``None`` when its data is absent (the stage
was switched off), and every reporter then leaves the section out.

Plugins add sections per run: the ``salesforge_report_sections(context)`` hook returns
name -> :class:`Section` or ``builder(bundle) -> Section | None``; ``report.sections``
names where each goes (:func:`salesforge.stages.report.plugin_sections`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from salesforge.analytics.formatting import format_number, format_percent
from salesforge.base.reporter import ReportBundle, Section
from salesforge.errors import ConfigError
from salesforge.report.display import kpi_rows

__all__ = ["BUILDERS", "Section", "SectionText", "resolve_sections"]

SectionBuilder = Callable[[ReportBundle], Section | None]


@dataclass(frozen=True)
class SectionText:
    """A section's title in English and Indonesian and its Excel sheet name."""

    en: str
    id: str
    sheet: str
    extra: dict[str, tuple[str, str]] = field(default_factory=dict)

    def title(self, language: str) -> str:
        return self.en if language == "en" else self.id

    def say(self, key: str, language: str, **values: object) -> str:
        en, ind = self.extra[key]
        return (en if language == "en" else ind).format(**values)


TEXT: dict[str, SectionText] = {
    "summary": SectionText("Executive summary", "Ringkasan eksekutif", "KPIs",
                           {"kpis": ("Key figures", "Angka utama")}),
    "insights": SectionText("Insights", "Temuan", "Insights"),
    "trend": SectionText("Trend and seasonality", "Tren dan musiman", "Monthly",
                         {"monthly": ("Monthly revenue and growth",
                                      "Pendapatan dan pertumbuhan bulanan"),
                          "quarterly": ("Quarterly growth", "Pertumbuhan kuartalan"),
                          "moy": ("Month of year", "Bulan dalam setahun")}),
    "rankings": SectionText("Products, categories and regions",
                            "Produk, kategori dan wilayah", "Products",
                            {"top": ("Top products", "Produk teratas"),
                             "bottom": ("Bottom products", "Produk terbawah"),
                             "categories": ("Categories", "Kategori"),
                             "regions": ("Regions", "Wilayah")}),
    "growth": SectionText("Growth by dimension", "Pertumbuhan per dimensi", "Growth",
                          {"by": ("Latest month by {dim}", "Bulan terakhir per {dim}")}),
    "bridge": SectionText("Revenue bridge", "Jembatan pendapatan", "Bridge",
                          {"lead": ("Change from {base} to {period} split into price, volume, "
                                    "mix and new/lost products ({basis}).",
                                    "Perubahan dari {base} ke {period} dipecah menjadi harga, "
                                    "volume, bauran dan produk baru/hilang ({basis})."),
                           "by": ("Bridge by {dim}", "Jembatan per {dim}")}),
    "forecast": SectionText("Forecast", "Prakiraan", "Forecast",
                            {"best": ("Best model by {metric}: {model}.",
                                      "Model terbaik menurut {metric}: {model}."),
                             "leaderboard": ("Backtest metrics", "Metrik uji balik"),
                             "table": ("Forecast ({model})", "Prakiraan ({model})")}),
    "segments": SectionText("Segments", "Segmen", "Segments",
                            {"summary": ("Segment sizes", "Ukuran segmen"),
                             "table": ("Segment members", "Anggota segmen")}),
    "anomalies": SectionText("Anomalies", "Anomali", "Anomalies",
                             {"lead": ("{n} transactions were flagged ({rate} of those "
                                       "scored).", "{n} transaksi ditandai ({rate} dari yang "
                                       "dinilai)."),
                              "table": ("Most anomalous transactions",
                                        "Transaksi paling anomali")}),
    "data_quality": SectionText("Data quality", "Kualitas data", "Data Quality",
                                {"table": ("Rows read, cleaned and rejected",
                                           "Baris dibaca, dibersihkan dan ditolak")}),
}


def _inputs(bundle: ReportBundle, section: str,
            *names: str) -> tuple[SectionText, str, list[pd.DataFrame]] | None:
    """The section's text, the language and the tables it needs, or None if one is absent."""
    found = [bundle.tables.get(n) for n in names]
    if any(t is None for t in found):
        return None
    return TEXT[section], bundle.language, found


def summary(bundle: ReportBundle) -> Section | None:
    text, lang = TEXT["summary"], bundle.language
    rows = kpi_rows(bundle.kpis, lang, bundle.currency)
    if not rows:
        return None
    kpis = pd.DataFrame({"kpi": [r[1] for r in rows], "value": [r[3] for r in rows]})
    return Section("summary", text.title(lang), bullets=bundle.insights[:3],
                   charts=["revenue_trend"], tables=[(text.say("kpis", lang), kpis)],
                   sheet=text.sheet)


def insights(bundle: ReportBundle) -> Section | None:
    if not bundle.insights:
        return None
    return Section("insights", TEXT["insights"].title(bundle.language),
                   bullets=list(bundle.insights), sheet=TEXT["insights"].sheet)


def trend(bundle: ReportBundle) -> Section | None:
    inputs = _inputs(bundle, "trend", "growth_monthly")
    if inputs is None:
        return None
    text, lang, found = inputs
    tables = [(text.say("monthly", lang), found[0])]
    for key, name in (("quarterly", "growth_quarterly"), ("moy", "month_of_year")):
        if name in bundle.tables:
            tables.append((text.say(key, lang), bundle.tables[name]))
    return Section("trend", text.title(lang), charts=["revenue_trend", "weekday_heatmap"],
                   tables=tables, sheet=text.sheet)


def rankings(bundle: ReportBundle) -> Section | None:
    inputs = _inputs(bundle, "rankings", "products")
    if inputs is None:
        return None
    text, lang, found = inputs
    tables = [(text.say("top", lang), found[0])]
    for key, name in (("bottom", "bottom_products"), ("categories", "categories"),
                      ("regions", "regions")):
        if name in bundle.tables:
            tables.append((text.say(key, lang), bundle.tables[name]))
    return Section("rankings", text.title(lang),
                   charts=["product_ranking", "category_distribution", "region_distribution"],
                   tables=tables, sheet=text.sheet)


def growth(bundle: ReportBundle) -> Section | None:
    text, lang = TEXT["growth"], bundle.language
    tables = [(text.say("by", lang, dim=c), bundle.tables[f"growth_{c}"])
              for c in ("category", "region", "product") if f"growth_{c}" in bundle.tables]
    return Section("growth", text.title(lang), tables=tables, sheet=text.sheet) if tables \
        else None


def bridge(bundle: ReportBundle) -> Section | None:
    inputs = _inputs(bundle, "bridge", "bridge_category")
    if inputs is None:
        return None
    text, lang, found = inputs
    first = found[0].iloc[0]
    lead = text.say("lead", lang, base=first["base_period"], period=first["period"],
                    basis=first["basis"])
    tables = [(text.say("by", lang, dim=c), bundle.tables[f"bridge_{c}"])
              for c in ("category", "region") if f"bridge_{c}" in bundle.tables]
    return Section("bridge", text.title(lang), paragraphs=[lead], charts=["bridge"],
                   tables=tables, sheet=text.sheet)


def forecast(bundle: ReportBundle) -> Section | None:
    inputs = _inputs(bundle, "forecast", "forecast", "leaderboard")
    if inputs is None:
        return None
    text, lang, found = inputs
    future, board = found
    info = bundle.manifest.get("forecast", {})
    best = info.get("best") or (future["model"].iloc[0] if len(future) else "")
    metric = info.get("selection_metric", "mase")
    pivot = board.pivot_table(index="model", columns="metric", values="value",
                              aggfunc="first", sort=True).reset_index()
    pivot.columns.name = None
    chosen = future[future["model"] == best].drop(columns="model")
    return Section("forecast", text.title(lang),
                   paragraphs=[text.say("best", lang, metric=metric, model=best)],
                   charts=["forecast"],
                   tables=[(text.say("leaderboard", lang), pivot),
                           (text.say("table", lang, model=best), chosen)],
                   sheet=text.sheet)


def segments(bundle: ReportBundle) -> Section | None:
    inputs = _inputs(bundle, "segments", "segments")
    if inputs is None:
        return None
    text, lang, found = inputs
    table = found[0]
    sizes = table.groupby("segment_name", sort=True).agg(
        members=("entity", "size"), revenue=("revenue", "sum")).reset_index()
    sizes["share_pct"] = sizes["revenue"] / sizes["revenue"].sum() * 100
    return Section("segments", text.title(lang), charts=["segments"],
                   tables=[(text.say("summary", lang), sizes), (text.say("table", lang), table)],
                   sheet=text.sheet)


def anomalies(bundle: ReportBundle) -> Section | None:
    inputs = _inputs(bundle, "anomalies", "anomalies")
    if inputs is None:
        return None
    text, lang, found = inputs
    table = found[0]
    info = bundle.manifest.get("anomalies", {})
    rate = info.get("rate")
    lead = text.say("lead", lang, n=format_number(len(table), 0, lang),
                    rate=format_percent(rate * 100, 2, lang) if rate is not None else "–")
    columns = [c for c in ("date", "order_id", "product", "region", "quantity", "price",
                           "revenue", "anomaly_score", "reason") if c in table.columns]
    if "anomaly_score" in table.columns:
        table = table.sort_values("anomaly_score", ascending=False, kind="stable")
    return Section("anomalies", text.title(lang), paragraphs=[lead],
                   charts=["anomaly_timeline", "anomaly_scatter"],
                   tables=[(text.say("table", lang), table[columns])], sheet=text.sheet)


def data_quality(bundle: ReportBundle) -> Section | None:
    inputs = _inputs(bundle, "data_quality", "data_quality")
    if inputs is None:
        return None
    text, lang, found = inputs
    return Section("data_quality", text.title(lang), tables=[(text.say("table", lang), found[0])],
                   sheet=text.sheet)


#: Built-in section name -> builder. ``kpis`` is another name for ``summary``.
BUILDERS: dict[str, SectionBuilder] = {
    "summary": summary, "kpis": summary, "insights": insights, "trend": trend,
    "rankings": rankings, "growth": growth, "bridge": bridge, "forecast": forecast,
    "segments": segments, "anomalies": anomalies, "data_quality": data_quality,
}


def resolve_sections(bundle: ReportBundle) -> list[Section]:
    """The sections ``bundle.section_names`` asks for, in that order, built from the
    bundle; sections whose data is absent are left out.

    :raises ConfigError: a name that is neither built in nor added by a plugin.
    """
    extra = bundle.extra_sections
    out = []
    for name in bundle.section_names:
        builder = extra.get(name, BUILDERS.get(name))
        if builder is None:
            known = ", ".join(sorted({*BUILDERS, *extra}))
            raise ConfigError(f"config key report.sections names unknown section {name!r}; "
                              f"known sections: {known}.")
        section = builder if isinstance(builder, Section) else builder(bundle)
        if section is not None:
            out.append(section)
    return out
