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
        "drift_price": "Prices moved most since run {run}: the median product price is "
                       "{move} ({detail}, {status}).",
        "drift_numeric": "The distribution of {column} shifted most since run {run}: its "
                         "median is {move} ({detail}, {status}).",
        "drift_numeric_plain": "The distribution of {column} shifted most since run {run} "
                               "({detail}, {status}).",
        "drift_category": "The {column} mix shifted most since run {run}: the share of "
                          "{value} went from {before} to {after} ({detail}, {status}).",
        "drift_none": "The data matches run {run}: no column drifted (largest change: "
                      "{column}, {detail}).",
        "drift_products_moved": "{share} of products moved more than 10%",
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
        "drift_price": "Harga paling banyak bergeser sejak run {run}: median harga produk "
                       "{move} ({detail}, {status}).",
        "drift_numeric": "Sebaran {column} paling banyak bergeser sejak run {run}: mediannya "
                         "{move} ({detail}, {status}).",
        "drift_numeric_plain": "Sebaran {column} paling banyak bergeser sejak run {run} "
                               "({detail}, {status}).",
        "drift_category": "Komposisi {column} paling banyak bergeser sejak run {run}: porsi "
                          "{value} berubah dari {before} menjadi {after} ({detail}, {status}).",
        "drift_none": "Data sesuai dengan run {run}: tidak ada kolom yang bergeser (perubahan "
                      "terbesar: {column}, {detail}).",
        "drift_products_moved": "{share} produk berubah lebih dari 10%",
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

#: Drift status -> its word in a sentence.
DRIFT_STATUS: dict[str, dict[str, str]] = {
    "en": {"ok": "ok", "warn": "warning", "drift": "drift"},
    "id": {"ok": "aman", "warn": "peringatan", "drift": "drift"},
}

#: A level compared with an earlier one: (higher, lower, unchanged); "{pct} higher".
LEVEL_WORDS: dict[str, tuple[str, str, str]] = {
    "en": ("{pct} higher", "{pct} lower", "unchanged"),
    "id": ("{pct} lebih tinggi", "{pct} lebih rendah", "tidak berubah"),
}

#: Dimension column -> its plural in a sentence.
DIMENSION_NAMES: dict[str, dict[str, str]] = {
    "en": {"category": "categories", "region": "regions", "product": "products"},
    "id": {"category": "kategori", "region": "wilayah", "product": "produk"},
}
