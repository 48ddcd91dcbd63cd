"""Deterministic, seeded, vectorised synthetic sales data (Indonesian electronics retail, IDR).

``generate_sample`` draws orders for every day from ``START`` to ``END`` with a realistic
structure: upward trend, weekly and yearly seasonality, a Ramadan / Lebaran surge, a year-end
surge and 11.11 / 12.12 shopping-day spikes. About 2% of the rows carry an injected anomaly,
listed in a separate labels frame (never a column of the sales frame). The same
``(rows, seed)`` always gives identical frames and byte-identical files.
"""

from __future__ import annotations

import gzip
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

DEFAULT_ROWS = 33_850
DEFAULT_SEED = 42
START = "2022-01-01"
END = "2023-12-31"


class Product(NamedTuple):
    """A catalogue entry: unit price in whole rupiah and how it sells."""

    name: str
    category: str
    base_price: int
    popularity: float  # relative weight when drawing an order's product
    extra_units: float  # mean of (quantity - 1); cheap accessories sell in bulk


PRODUCTS: tuple[Product, ...] = (
    Product("Laptop", "Electronics", 12_000_000, 6.0, 0.05),
    Product("Smartphone", "Electronics", 4_500_000, 10.0, 0.10),
    Product("Tablet", "Electronics", 5_500_000, 4.0, 0.10),
    Product("Monitor", "Electronics", 2_800_000, 5.0, 0.20),
    Product("Mouse", "Accessories", 150_000, 12.0, 2.00),
    Product("Keyboard", "Accessories", 450_000, 9.0, 1.00),
    Product("Headset", "Accessories", 650_000, 7.0, 0.80),
    Product("USB-C Cable", "Accessories", 85_000, 11.0, 3.50),
    Product("Webcam", "Accessories", 750_000, 4.0, 0.50),
    Product("Graphics Card", "Components", 8_500_000, 3.0, 0.05),
    Product("RAM 16GB", "Components", 900_000, 6.0, 0.80),
    Product("Processor", "Components", 4_200_000, 3.0, 0.10),
    Product("SSD 1TB", "Storage", 1_200_000, 8.0, 0.60),
    Product("External HDD 2TB", "Storage", 1_100_000, 4.0, 0.40),
    Product("Flash Drive 64GB", "Storage", 95_000, 9.0, 3.00),
)
#: Yearly relative price change per category (storage and components get cheaper).
PRICE_DRIFT_PER_YEAR: dict[str, float] = {
    "Electronics": 0.02, "Accessories": 0.04, "Components": -0.03, "Storage": -0.06,
}
REGIONS: tuple[str, ...] = (
    "Jakarta", "Surabaya", "Bandung", "Medan", "Makassar", "Semarang", "Yogyakarta",
)
REGION_WEIGHTS: tuple[float, ...] = (0.32, 0.17, 0.15, 0.11, 0.08, 0.09, 0.08)


class Ramadan(NamedTuple):
    """First day of Ramadan and Lebaran (Eid al-Fitr), the day after Ramadan ends."""

    start: str
    lebaran: str


RAMADAN_PERIODS: tuple[Ramadan, ...] = (
    Ramadan("2022-04-02", "2022-05-02"),
    Ramadan("2023-03-23", "2023-04-22"),
)
ANNUAL_GROWTH = 0.20
WEEKDAY_FACTORS: tuple[float, ...] = (0.92, 0.90, 0.93, 0.96, 1.05, 1.25, 1.18)  # Mon..Sun
RAMADAN_FACTOR = 1.15
RAMADAN_LAST_TWO_WEEKS_FACTOR = 1.70  # on top of RAMADAN_FACTOR: mudik and THR shopping
LEBARAN_HOLIDAY_FACTOR = 0.70  # Lebaran and the four days after it: shops close
DECEMBER_FACTOR = 1.30
SHOPPING_DAY_FACTOR = 2.30  # 11.11 and 12.12
ANOMALY_RATE = 0.02
ANOMALY_TYPES: tuple[str, ...] = ("price_spike", "price_drop", "quantity_spike")
GZIP_LEVEL = 5  # 10M rows: ~1.5x faster than level 6 for a ~3% larger file

_COMPRESSION_BY_SUFFIX = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd", ".lz4": "lz4"}


def daily_intensity() -> pd.Series:
    """Relative expected order volume per day from ``START`` to ``END`` (mean 1.0)."""
    days = pd.date_range(START, END, freq="D")
    years_elapsed = np.asarray((days - days[0]).days, dtype=np.float64) / 365.25
    intensity = (1.0 + ANNUAL_GROWTH) ** years_elapsed
    intensity *= np.asarray(WEEKDAY_FACTORS)[days.day_of_week]
    # Yearly cycle: quiet mid-February after the holidays, busiest mid-August (back to school).
    day_of_year = np.asarray(days.day_of_year, dtype=np.float64)
    intensity *= 1.0 - 0.08 * np.cos(2.0 * np.pi * (day_of_year - 45.0) / 365.25)
    for ramadan in RAMADAN_PERIODS:
        start, lebaran = pd.Timestamp(ramadan.start), pd.Timestamp(ramadan.lebaran)
        intensity[(days >= start) & (days < lebaran)] *= RAMADAN_FACTOR
        last_two_weeks = (days >= lebaran - pd.Timedelta(days=14)) & (days < lebaran)
        intensity[last_two_weeks] *= RAMADAN_LAST_TWO_WEEKS_FACTOR
        intensity[(days >= lebaran) & (days < lebaran + pd.Timedelta(days=5))] *= (
            LEBARAN_HOLIDAY_FACTOR
        )
    intensity[days.month == 12] *= DECEMBER_FACTOR
    intensity[(days.month == days.day) & (days.month >= 11)] *= SHOPPING_DAY_FACTOR  # 11.11, 12.12
    return pd.Series(intensity / intensity.mean(), index=days, name="intensity")


def _order_ids(rows: int) -> pa.LargeStringArray:
    """``SO-0000001``, ``SO-0000002``, ... built as one fixed-width byte buffer (no row loop)."""
    width = max(7, len(str(rows)))
    numbers = np.arange(1, rows + 1, dtype=np.uint32 if rows < 2**32 else np.uint64)
    text = np.empty((rows, 3 + width), dtype=np.uint8)
    text[:, :3] = np.frombuffer(b"SO-", dtype=np.uint8)
    for position in range(2 + width, 2, -1):  # last digit first
        numbers, digit = np.divmod(numbers, 10)
        text[:, position] = digit
    text[:, 3:] += ord("0")
    offsets = np.arange(0, (rows + 1) * (3 + width), 3 + width, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(text))


def _labelled(names: tuple[str, ...], codes: np.ndarray) -> pd.Series:
    """A pandas string Series of ``names[codes]`` (decoded from an Arrow dictionary array)."""
    dictionary = pa.array(names, pa.large_string())
    decoded = pa.DictionaryArray.from_arrays(pa.array(codes), dictionary).cast(pa.large_string())
    return decoded.to_pandas()


def generate_sample(
    rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(sales, labels)`` for ``rows`` orders drawn with ``np.random.default_rng(seed)``.

    ``sales`` has exactly ``rows`` rows with columns ``order_id, date, product, category,
    region, quantity (int64 >= 1), price (float64, whole IDR per unit), revenue (float64,
    = quantity * price exactly)``, sorted by date then order_id. Each row's day is drawn with
    probability proportional to :func:`daily_intensity`. ``round(ANOMALY_RATE * rows)`` rows
    get an anomaly of a type in ``ANOMALY_TYPES``; ``labels`` (``order_id, anomaly_type``,
    sorted by order_id) lists them. Same ``(rows, seed)`` gives identical frames.
    """
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    rng = np.random.default_rng(seed)
    intensity = daily_intensity()
    day_counts = rng.multinomial(rows, intensity.to_numpy() / intensity.sum())
    day_index = np.repeat(np.arange(len(intensity), dtype=np.int32), day_counts)

    popularity = np.array([product.popularity for product in PRODUCTS])
    product_codes = rng.choice(len(PRODUCTS), size=rows, p=popularity / popularity.sum())
    product_codes = product_codes.astype(np.int8)
    region_codes = rng.choice(len(REGIONS), size=rows, p=np.asarray(REGION_WEIGHTS))
    region_codes = region_codes.astype(np.int8)

    # Unit price per (product, day) with the slow drift, then ±5% noise per order.
    base_price = np.array([product.base_price for product in PRODUCTS], dtype=np.float64)
    drift = np.array([PRICE_DRIFT_PER_YEAR[product.category] for product in PRODUCTS])
    years_elapsed = np.arange(len(intensity)) / 365.25
    price_by_product_day = base_price[:, None] * (1.0 + drift[:, None]) ** years_elapsed
    price = price_by_product_day[product_codes, day_index]
    price *= rng.uniform(0.95, 1.05, size=rows)
    price = np.round(price, out=price)
    extra_units = np.array([product.extra_units for product in PRODUCTS])
    quantity = rng.poisson(extra_units[product_codes]).astype(np.int64, copy=False)
    quantity += 1

    anomaly_count = round(ANOMALY_RATE * rows)
    anomaly_rows = np.sort(rng.choice(rows, size=anomaly_count, replace=False))
    anomaly_codes = rng.integers(0, len(ANOMALY_TYPES), size=anomaly_count)
    spiked = anomaly_rows[anomaly_codes == 0]
    price[spiked] = np.round(price[spiked] * rng.uniform(8.0, 15.0, size=spiked.size))
    dropped = anomaly_rows[anomaly_codes == 1]
    price[dropped] = np.round(price[dropped] * rng.uniform(0.05, 0.15, size=dropped.size))
    bulk = anomaly_rows[anomaly_codes == 2]
    quantity[bulk] *= rng.integers(20, 51, size=bulk.size)

    order_ids = _order_ids(rows)
    first_day = np.datetime64(START, "D")
    sales_columns = {
        "order_id": order_ids.to_pandas(),
        "date": (first_day + day_index).astype("datetime64[us]"),
        "product": _labelled(tuple(product.name for product in PRODUCTS), product_codes),
        "category": _labelled(tuple(product.category for product in PRODUCTS), product_codes),
        "region": _labelled(REGIONS, region_codes),
        "quantity": quantity,
        "price": price,
        "revenue": quantity * price,
    }
    sales = pd.DataFrame(sales_columns, copy=False)  # no block consolidation: saves a copy
    labels = pd.DataFrame({
        "order_id": order_ids.take(pa.array(anomaly_rows)).to_pandas(),
        "anomaly_type": _labelled(ANOMALY_TYPES, anomaly_codes),
    })
    return sales, labels


def labels_path_for(sales_path: str | Path) -> Path:
    """``<dir>/<stem>_labels.csv`` where the stem drops ``.csv`` and a compression suffix."""
    sales_path = Path(sales_path)
    stem = sales_path.name
    if sales_path.suffix.lower() in _COMPRESSION_BY_SUFFIX:
        stem = stem[: -len(sales_path.suffix)]
    if stem.lower().endswith(".csv"):
        stem = stem[: -len(".csv")]
    return sales_path.with_name(f"{stem}_labels.csv")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` with Arrow's CSV writer: dates as YYYY-MM-DD, nothing quoted.

    gzip goes through Python's ``gzip`` (level ``GZIP_LEVEL``, no mtime or file name in the
    header, so the bytes depend on the data alone); other suffixes use Arrow's codecs.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if "date" in frame.columns:
        date_position = table.schema.get_field_index("date")
        table = table.set_column(date_position, "date", table["date"].cast(pa.date32()))
    header = (",".join(frame.columns) + "\n").encode()
    options = pacsv.WriteOptions(include_header=False, batch_size=65_536, quoting_style="none")
    compression = _COMPRESSION_BY_SUFFIX.get(path.suffix.lower())
    if compression == "gzip":
        with (
            path.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL,
                          mtime=0) as sink,
        ):
            sink.write(header)
            pacsv.write_csv(table, sink, options)
        return
    with pa.output_stream(str(path), compression=compression) as sink:
        sink.write(header)
        pacsv.write_csv(table, sink, options)


def write_sample(
    path: str | Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED
) -> tuple[Path, Path]:
    """Generate a sample and write it; return ``(sales_path, labels_path)``.

    The sales CSV goes to ``path``, compressed when its suffix is ``.gz``, ``.bz2``, ``.zst``
    or ``.lz4`` (``.xz`` / ``.zip`` raise ``ValueError``); the labels go uncompressed to
    :func:`labels_path_for` ``(path)``. Parent folders are created. Output is byte-identical
    for the same ``(rows, seed)``.
    """
    sales_path = Path(path)
    if sales_path.suffix.lower() in (".xz", ".zip", ".7z", ".tar"):
        raise ValueError(f"cannot write {sales_path.suffix} files; use .csv, .csv.gz, .csv.bz2, "
                         ".csv.zst or .csv.lz4")
    labels_path = labels_path_for(sales_path)
    sales, labels = generate_sample(rows, seed)
    sales_path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(sales, sales_path)
    _write_csv(labels, labels_path)
    return sales_path, labels_path


def sample_path() -> Path:
    """The bundled default sample (``write_sample`` with the defaults), shipped with the package."""
    return Path(str(files("salesforge.data") / "sample_data" / "sales_sample.csv.gz"))


def sample_labels_path() -> Path:
    """The anomaly labels of the bundled default sample."""
    return Path(str(files("salesforge.data") / "sample_data" / "sales_sample_labels.csv"))
