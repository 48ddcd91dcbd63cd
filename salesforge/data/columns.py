"""Map source column names to canonical ones (English and Indonesian aliases)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from salesforge.errors import ConfigError

#: Canonical column -> known source names, compared after :func:`normalise`.
ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "invoicedate", "orderdate", "transactiondate", "saledate", "salesdate",
             "datetime", "timestamp", "ds", "day", "tanggal", "tgl", "tanggaltransaksi",
             "waktu", "tanggalpenjualan"),
    "product": ("product", "productname", "description", "item", "itemname", "sku",
                "stockcode", "productid", "produk", "namaproduk", "namabarang", "barang",
                "kodebarang"),
    "category": ("category", "productcategory", "subcategory", "kategori", "kategoriproduk",
                 "jenis", "jenisbarang", "department", "dept", "departemen"),
    "region": ("region", "country", "city", "state", "area", "location", "market", "store",
               "wilayah", "daerah", "kota", "provinsi", "lokasi", "cabang", "negara"),
    "quantity": ("quantity", "qty", "units", "unitssold", "volume", "jumlah", "kuantitas",
                 "jumlahbarang", "banyak"),
    "price": ("price", "unitprice", "priceeach", "sellingprice", "harga", "hargasatuan",
              "hargajual"),
    "revenue": ("revenue", "sales", "amount", "total", "totalsales", "salesamount", "value",
                "pendapatan", "penjualan", "omzet", "totalharga", "nilai", "weeklysales",
                "monthlysales", "dailysales", "netsales", "grosssales", "turnover",
                "totalpenjualan", "y"),
    "customer_id": ("customerid", "customer", "clientid", "customername", "pelanggan",
                    "idpelanggan", "namapelanggan", "konsumen"),
    "order_id": ("orderid", "invoiceno", "invoice", "invoicenumber", "transactionid",
                 "orderno", "ordernumber", "nofaktur", "faktur", "notransaksi", "idtransaksi"),
    "discount": ("discount", "diskon", "potongan"),
    "cost": ("cost", "unitcost", "cogs", "modal", "hargapokok", "biaya"),
}

# Which alias wins when several columns match one canonical name: earlier is better.
_PRIORITY = {canon: {alias: i for i, alias in enumerate(names)}
             for canon, names in ALIASES.items()}


def normalise(name: str) -> str:
    """Lower-case, letters and digits only: ``"Order Date"`` -> ``"orderdate"``."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def map_columns(columns: Iterable[str], explicit: Mapping[str, str] | None = None,
                source: str = "data") -> dict[str, str]:
    """Canonical name -> source column.

    ``explicit`` (from ``data.columns``) wins over aliases; a source column is used for
    one canonical name only. Raises :class:`ConfigError` naming ``data.columns.<name>``
    when an explicit mapping names an unknown canonical name or a missing column.
    """
    columns = list(columns)
    explicit = {k: v for k, v in (explicit or {}).items() if v not in (None, "")}
    mapping: dict[str, str] = {}
    for canonical, column in explicit.items():
        if canonical not in ALIASES:
            raise ConfigError(
                f"config key data.columns.{canonical} is not a canonical column "
                f"(canonical columns: {', '.join(ALIASES)})."
            )
        if column not in columns:
            raise ConfigError(
                f"config key data.columns.{canonical} names column {column!r}, which {source} "
                f"does not have (columns: {', '.join(map(str, columns))})."
            )
        mapping[canonical] = column
    used = set(mapping.values())
    for canonical, priority in _PRIORITY.items():
        if canonical in mapping:
            continue
        candidates = [(priority[normalise(c)], c) for c in columns
                      if c not in used and normalise(c) in priority]
        if candidates:
            mapping[canonical] = min(candidates)[1]
            used.add(mapping[canonical])
    return mapping
