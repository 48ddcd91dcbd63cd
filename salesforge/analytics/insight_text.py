"""Insight sentence templates in English and Indonesian, and their vocabulary."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "total": "Revenue totalled {revenue} from {count} between {start} and {end}.",
        "orders": "{n} orders",
        "lines": "{n} sales lines",
        "change": "Revenue in {period} {move} against {base}.",
        "change_partial": "Revenue in {period} ({days} of {days_in_period} days so far) "
                          "{move} against the same days of {base}.",
        "yoy": "Revenue in {period} {move} against {base}, a year earlier.",
        "yoy_partial": "Revenue in {period} ({days} of {days_in_period} days so far) {move} "
                       "against the same days of {base}, a year earlier.",
        "bridge": "From {base} to {period} revenue changed by {change}; the largest driver "
                  "was {effect} ({amount}).",
        "top_product": "{product} is the top product with {revenue} ({share} of revenue).",
        "pareto": "The top {top} of {products} products bring {share} of revenue.",
        "mover": "{name} had the largest revenue change among {dimension} in {period}: "
                 "{change} ({pct}).",
        "returns": "Returns took back {share} of gross sales ({amount}).",
        "top_region": "{region} leads the regions with {share} of revenue.",
        "weekday": "{day} is the strongest day of the week with {share} of revenue.",
        "best_month": "The best month was {month} with {revenue}.",
    },
    "id": {
        "total": "Total pendapatan {revenue} dari {count} antara {start} dan {end}.",
        "orders": "{n} pesanan",
        "lines": "{n} baris penjualan",
        "change": "Pendapatan {period} {move} dibanding {base}.",
        "change_partial": "Pendapatan {period} ({days} dari {days_in_period} hari sejauh ini) "
                          "{move} dibanding hari yang sama pada {base}.",
        "yoy": "Pendapatan {period} {move} dibanding {base}, setahun sebelumnya.",
        "yoy_partial": "Pendapatan {period} ({days} dari {days_in_period} hari sejauh ini) "
                       "{move} dibanding hari yang sama pada {base}, setahun sebelumnya.",
        "bridge": "Dari {base} ke {period} pendapatan berubah {change}; pendorong terbesar "
                  "adalah {effect} ({amount}).",
        "top_product": "{product} adalah produk teratas dengan {revenue} ({share} dari "
                       "pendapatan).",
        "pareto": "{top} dari {products} produk teratas menyumbang {share} dari pendapatan.",
        "mover": "{name} mengalami perubahan pendapatan terbesar di antara {dimension} pada "
                 "{period}: {change} ({pct}).",
        "returns": "Retur mengurangi {share} dari penjualan kotor ({amount}).",
        "top_region": "{region} memimpin wilayah dengan {share} dari pendapatan.",
        "weekday": "{day} adalah hari terkuat dalam seminggu dengan {share} dari pendapatan.",
        "best_month": "Bulan terbaik adalah {month} dengan {revenue}.",
    },
}

#: Direction words: (rose, fell, unchanged).
VERBS: dict[str, tuple[str, str, str]] = {
    "en": ("rose", "fell", "was unchanged"),
    "id": ("naik", "turun", "tidak berubah"),
}

#: Bridge effect -> its name in a sentence.
EFFECT_NAMES: dict[str, dict[str, str]] = {
    "en": {"price": "price", "volume": "volume", "mix": "product mix",
           "new": "new products", "lost": "lost products"},
    "id": {"price": "harga", "volume": "volume", "mix": "bauran produk",
           "new": "produk baru", "lost": "produk yang hilang"},
}

#: Dimension column -> its plural in a sentence.
DIMENSION_NAMES: dict[str, dict[str, str]] = {
    "en": {"category": "categories", "region": "regions", "product": "products"},
    "id": {"category": "kategori", "region": "wilayah", "product": "produk"},
}
