"""Every chart of an Indonesian report speaks Indonesian: titles, axes, legends, month and
weekday names and compact amounts, as drawn (each chart rendered to SVG, its text read
back) (issue 18)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import vl_convert

#: Chart words of the English reports that must not appear in the Indonesian ones
#: (words both languages share, e.g. total, normal, status, volume, April, are left out).
ENGLISH = ("Revenue", "average", "daily", "Forecast", "actual", "backtest", "value",
           "flagged", "price", "quantity", "share", "Segments", "segment", "Anomalies",
           "transactions", "products", "Top", "day", "bridge", "January", "February",
           "March", "May", "June", "July", "August", "October", "December", "Mon", "Tue",
           "Wed", "Thu", "Fri", "Sat", "Sun")
WORD = re.compile(r"\b(" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)
SI_BILLIONS = re.compile(r"\d(\.\d+)?G\b")


def spec_of(page: Path) -> str:
    """The Vega-Lite spec inside a saved chart page (``vegaEmbed("#chart", {...}, ...)``)."""
    text = page.read_text(encoding="utf-8")
    start = text.index('vegaEmbed("#chart", ') + len('vegaEmbed("#chart", ')
    spec, _ = json.JSONDecoder().raw_decode(text[start:].replace("<\\/", "</"))
    return json.dumps(spec)


def drawn_text(spec: str) -> list[str]:
    svg = vl_convert.vegalite_to_svg(spec)
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from tests.conftest import main_cli

    folder = tmp_path_factory.mktemp("charts")
    out = {}
    for language in ("id", "en"):
        run_dir = folder / language
        result = main_cli("run", f"report.language={language}", "forecast.horizon=14",
                          f"hydra.run.dir={run_dir}", f"runs.index={folder / 'runs.db'}",
                          "--quiet", cwd=folder)
        assert result.returncode == 0, result.stderr
        out[language] = {page.stem: drawn_text(spec_of(page))
                         for page in sorted((run_dir / "charts").glob("*.html"))}
    return out


def test_the_indonesian_charts_have_no_english_word(runs):
    charts = runs["id"]
    assert {"revenue_trend", "weekday_heatmap", "forecast", "anomaly_scatter",
            "product_ranking", "bridge"} <= set(charts)
    for name, texts in charts.items():
        english = sorted({m.group(0) for t in texts for m in WORD.finditer(t)})
        assert english == [], f"{name}: {english} in {texts}"
        assert not [t for t in texts if SI_BILLIONS.search(t)], name
    words = " ".join(" ".join(t) for t in charts.values())
    assert "Pendapatan" in words and "Prakiraan" in words and "\u00a0jt" in words
    assert re.search(r"\b(Sen|Sel|Rab|Kam|Jum|Sab|Min)\b", " ".join(charts["weekday_heatmap"]))


def test_the_english_charts_say_the_same_in_english(runs):
    """The check above can fail: the English charts hold those words."""
    words = " ".join(" ".join(t) for t in runs["en"].values())
    assert len({m.group(0).lower() for m in WORD.finditer(words)}) > 10
    assert not SI_BILLIONS.search(words)
