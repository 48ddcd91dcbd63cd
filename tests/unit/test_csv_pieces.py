"""The CSV loader's piece-by-piece read (salesforge.data.csv_pieces) gives the frame and
the errors of Arrow's whole-file read, with pieces far smaller than the file."""

from __future__ import annotations

import gzip
import lzma
import threading
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from salesforge.data import csv_loader, csv_pieces
from salesforge.data.arrow_frame import arrow_to_pandas, normalised_table
from salesforge.data.csv_loader import CsvLoader
from salesforge.data.input_limits import GENEROUS, InputLimits
from salesforge.errors import DataError


def sales_text(rows: int = 6000, seed: int = 0, line_end: str = "\n") -> str:
    """Dates, text with quotes and delimiters, empty cells, integers and decimals."""
    rng = np.random.default_rng(seed)
    products = ['Kopi "Susu"', "Teh, manis", "Roti", "Es Jeruk", "Café Latte", ""]
    lines = ["tanggal,produk,jumlah,harga,catatan"]
    for i in range(rows):
        product = products[i % len(products)]
        quoted = '"' + product.replace('"', '""') + '"' if product else ""
        price = f"{rng.integers(1000, 90000) / 100:.2f}" if i % 7 else ""
        note = "" if i % 5 else f"order {i}"
        lines.append(f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},{quoted},{rng.integers(1, 9)},"
                     f"{price},{note}")
    return line_end.join(lines) + line_end


def whole(data: bytes, **convert: object) -> pa.Table:
    return normalised_table(pacsv.read_csv(
        pa.py_buffer(data), convert_options=pacsv.ConvertOptions(strings_can_be_null=True,
                                                                 **convert)))


def pieces(data: bytes, piece_bytes: int, **convert: object) -> pa.Table:
    position = 0

    def fill(buffer: bytearray, start: int, size: int) -> int:
        nonlocal position
        chunk = data[position:position + size]
        buffer[start:start + len(chunk)] = chunk
        position += len(chunk)
        return len(chunk)

    return csv_pieces.read_pieces(
        fill, pacsv.ReadOptions(), pacsv.ParseOptions(),
        pacsv.ConvertOptions(strings_can_be_null=True, **convert), piece_bytes)


@pytest.mark.parametrize("piece_bytes", [777, 4096, 16384])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_pieces_give_the_whole_files_table(piece_bytes, line_end):
    data = sales_text(line_end=line_end).encode()
    read = pieces(data, piece_bytes)
    assert read.column(0).num_chunks > 3  # many pieces, their buffers reused in turn
    assert read.combine_chunks().equals(whole(data).combine_chunks())
    assert read.schema.field("produk").type == pa.large_string()
    assert read.schema.field("tanggal").type == pa.timestamp("ns")


def test_each_columns_type_holds_all_its_pieces_as_in_the_whole_read():
    data = ("a,b,c,d\n" + "1,,x,2\n" * 2000 + "lima,5,y,2.5\n").encode()
    blocks = pacsv.read_csv(pa.py_buffer(data), read_options=pacsv.ReadOptions(block_size=4096))
    assert [str(t) for t in blocks.schema.types] == ["string", "int64", "string", "double"]
    with pytest.raises(csv_pieces.Unsuited):  # numbers, then text: left to the whole read
        pieces(data, 4096)
    read = pieces(data.replace(b"lima", b"7"), 4096)  # empty, then numbers; whole, decimals
    assert [str(t) for t in read.schema.types] == ["int64", "int64", "large_string", "double"]
    assert read.column("b").to_pylist()[-2:] == [None, 5]
    assert read.column("d").to_pylist()[-2:] == [2.0, 2.5]


def test_common_type():
    common = csv_pieces.common_type
    assert common([pa.null(), pa.int64(), pa.null()]) == pa.int64()
    assert common([pa.string(), pa.large_string(), pa.null()]) == pa.large_string()
    assert common([pa.int64(), pa.float64()]) == pa.float64()
    assert common([pa.null(), pa.null()]) == pa.null()
    with pytest.raises(csv_pieces.Unsuited):
        common([pa.int64(), pa.timestamp("s")])


def test_a_line_longer_than_a_piece_is_left_to_the_whole_read():
    data = ("a,b\n" + "x" * 5000 + ",1\n").encode()
    with pytest.raises(csv_pieces.Unsuited):
        pieces(data, 1024)


def test_duplicate_names_are_left_to_the_whole_read():
    with pytest.raises(csv_pieces.Unsuited):
        pieces(b"a,a\n1,2\n" * 1 + b"3,4\n" * 500, 1024)


def test_the_reading_thread_ends_when_the_stream_fails():
    calls = 0

    def failing(buffer: bytearray, start: int, size: int) -> int:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise DataError("file x.csv.gz is a damaged gz file (cut short); compress it again.")
        line = b"a,b\n" if calls == 1 else b"1,2\n"
        buffer[start:start + 4] = line
        return 4

    with pytest.raises(DataError, match="damaged"):
        csv_pieces.read_pieces(failing, pacsv.ReadOptions(), pacsv.ParseOptions(),
                               pacsv.ConvertOptions())
    assert not [t for t in threading.enumerate() if t.name == "salesforge-csv-pieces"]


def test_only_encodings_cut_safely_at_line_ends_are_read_in_pieces():
    assert csv_pieces.line_safe("utf8") and csv_pieces.line_safe("latin-1")
    assert not csv_pieces.line_safe("utf-16") and not csv_pieces.line_safe("utf-32-le")


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(csv_pieces, "PIECE_BYTES", 4096)


def write(path, data: bytes):
    suffix = path.name.rsplit(".", 1)[-1]
    if suffix == "gz":
        path.write_bytes(gzip.compress(data))
    elif suffix == "xz":
        path.write_bytes(lzma.compress(data))
    elif suffix == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("penjualan.csv", data)
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["sales.csv", "sales.csv.gz", "sales.csv.xz", "sales.zip"])
@pytest.mark.parametrize("limits", [None, GENEROUS])
def test_the_loader_reads_every_container_in_pieces_as_whole(tmp_path, small_pieces, name,
                                                           limits):
    data = sales_text().encode()
    path = write(tmp_path / name, data)
    loader = CsvLoader()
    loader.input_limits = limits
    expected = arrow_to_pandas(whole(data))
    pd.testing.assert_frame_equal(loader.load(path), expected)


def test_a_column_turning_to_text_in_a_later_piece_is_read_as_text(tmp_path, small_pieces):
    data = sales_text().encode() + b"2024-05-05,Roti,lima,1.5,\n"
    path = write(tmp_path / "sales.csv.gz", data)
    loader = CsvLoader()
    loader.input_limits = GENEROUS
    frame = loader.load(path)
    assert frame["jumlah"].dtype == "string" and frame["jumlah"].iloc[-1] == "lima"
    pd.testing.assert_frame_equal(frame, arrow_to_pandas(whole(data)))


def test_a_bad_row_in_a_later_piece_is_the_whole_reads_error(tmp_path, monkeypatch):
    data = sales_text().encode() + b"2024-05-05,Roti\n"
    path = write(tmp_path / "sales.csv.gz", data)
    loader = CsvLoader()
    loader.input_limits = GENEROUS
    with pytest.raises(DataError) as whole_read:  # one piece: the whole file
        loader.load(path)
    monkeypatch.setattr(csv_pieces, "PIECE_BYTES", 4096)
    with pytest.raises(DataError) as in_pieces:
        loader.load(path)
    assert str(in_pieces.value) == str(whole_read.value)
    assert "could not be read as CSV" in str(in_pieces.value)


def test_limits_refuse_a_file_read_in_pieces(tmp_path, small_pieces):
    path = write(tmp_path / "sales.csv.gz", sales_text().encode())
    loader = CsvLoader()
    loader.input_limits = InputLimits(max_cells=10_000)
    with pytest.raises(DataError, match=r"sales\.csv\.gz"):
        loader.load(path)
    assert not [t for t in threading.enumerate() if t.name == "salesforge-csv-pieces"]


def test_a_file_whose_pieces_cannot_be_cut_is_read_whole(tmp_path, small_pieces):
    data = ("produk,catatan\n" + "Roti," + "x" * 10_000 + "\n" + "Teh,y\n" * 2000).encode()
    frame = CsvLoader().load(write(tmp_path / "sales.csv", data))
    assert len(frame) == 2001 and frame["catatan"].str.len().max() == 10_000


def test_the_multiline_retry_still_reads_quoted_line_breaks(tmp_path, small_pieces):
    rows = "".join(f'{i},"line one\nline two {i}"\n' for i in range(800))
    frame = CsvLoader().load(write(tmp_path / "sales.csv", ("id,note\n" + rows).encode()))
    assert len(frame) == 800 and frame["note"].iloc[-1] == "line one\nline two 799"


def test_whole_reads_stay_for_other_encodings(tmp_path, small_pieces, monkeypatch):
    used: list[int] = []
    original = csv_pieces.read_pieces
    monkeypatch.setattr(csv_loader, "read_pieces",
                        lambda *a, **k: used.append(1) or original(*a, **k))
    path = tmp_path / "sales.csv"
    path.write_bytes(sales_text(rows=200).encode("utf-16"))
    loader = CsvLoader(encoding="utf-16")
    assert len(loader.load(path)) == 200 and used == []
    path.write_bytes(sales_text(rows=200).encode())
    assert len(CsvLoader().load(path)) == 200 and used == [1]


def test_a_line_longer_than_a_block_but_not_a_piece_is_left_to_the_whole_read():
    data = ("a,b\n" + "y,2\n" * 250 + "x" * 12_000 + ",1\n" + "y,2\n" * 100).encode()
    with pytest.raises(csv_pieces.Unsuited, match="block"):
        pieces(data, 8192)  # its end in the next piece, in a third block of 4,096 bytes
