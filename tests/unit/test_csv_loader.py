"""Unit tests for salesforge.data.csv_loader.CsvLoader."""

from __future__ import annotations

import bz2
import gzip
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from salesforge.data.csv_loader import CsvLoader, _guess_encoding, _sniff_delimiter
from salesforge.errors import DataError

ROWS = [
    ("2024-01-01", "Café Latte", "Jatinegara", 2, 15000),
    ("2024-01-02", "Teh Manis", "Kemang", 1, 5000),
    ("2024-01-03", "Kopi Susu", "Menteng", 3, 18000),
]
HEADER = ("tanggal", "produk", "wilayah", "jumlah", "harga")


def text(delimiter: str = ",") -> str:
    lines = [delimiter.join(HEADER)]
    lines += [delimiter.join(str(v) for v in row) for row in ROWS]
    return "\n".join(lines) + "\n"


def assert_expected_frame(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(HEADER)
    assert len(frame) == len(ROWS)
    assert list(frame["produk"]) == [row[1] for row in ROWS]
    assert list(frame["wilayah"]) == [row[2] for row in ROWS]
    assert list(frame["jumlah"]) == [row[3] for row in ROWS]
    assert list(frame["harga"]) == [row[4] for row in ROWS]


@pytest.mark.parametrize(("delimiter", "name"),
                         [(",", "sales.csv"), (";", "sales.csv"), ("\t", "sales.tsv"),
                          ("\t", "sales.txt"), ("|", "sales.csv")])
def test_delimiters_are_sniffed(tmp_path, delimiter, name):
    path = tmp_path / name
    path.write_text(text(delimiter), encoding="utf-8")
    assert_expected_frame(CsvLoader().load(path))


def test_explicit_delimiter_is_used(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(text(";"), encoding="utf-8")
    assert_expected_frame(CsvLoader(delimiter=";").load(path))
    # a wrong explicit delimiter is honoured too: everything lands in one column
    one_column = CsvLoader(delimiter=",").load(path)
    assert one_column.shape[1] == 1


def test_semicolon_file_with_commas_inside_values(tmp_path):
    path = tmp_path / "id.csv"
    path.write_text("tanggal;produk;harga\n2024-01-01;Kopi, susu;15000,5\n"
                    "2024-01-02;Teh;5000,25\n", encoding="utf-8")
    frame = CsvLoader().load(path)
    assert list(frame.columns) == ["tanggal", "produk", "harga"]
    assert list(frame["produk"]) == ["Kopi, susu", "Teh"]
    assert list(frame["harga"]) == ["15000,5", "5000,25"]  # kept as read


def test_quoted_comma_file_with_semicolons_inside_values(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text('date,product,revenue\n2024-01-01,"a; b",1\n2024-01-02,"c, d",2\n',
                    encoding="utf-8")
    frame = CsvLoader().load(path)
    assert list(frame.columns) == ["date", "product", "revenue"]
    assert list(frame["product"]) == ["a; b", "c, d"]


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text(",").encode("utf-8"))
    frame = CsvLoader().load(path)
    assert frame.columns[0] == "tanggal"  # no "\ufeff" glued to the first name
    assert_expected_frame(frame)


def test_latin1_text(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(text(",").encode("latin-1"))
    frame = CsvLoader().load(path)
    assert frame["produk"].iloc[0] == "Café Latte"
    assert_expected_frame(frame)


def test_explicit_encoding_is_used(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("date,product\n2024-01-01,Café – Jatinegara\n".encode("cp1252"))
    frame = CsvLoader(encoding="cp1252").load(path)
    assert frame["product"].iloc[0] == "Café – Jatinegara"


def test_latin1_text_at_the_very_end_of_a_small_file(tmp_path):
    path = tmp_path / "latin_end.csv"
    path.write_bytes(b"date,region,product\n2024-01-01,Jatinegara,Teh\n"
                     b"2024-01-02,Kemang,Caf\xe9\n")
    frame = CsvLoader().load(path)
    assert list(frame["product"]) == ["Teh", "Café"]


def test_guess_encoding():
    assert _guess_encoding(b"\xef\xbb\xbfa,b\n") == "utf-8-sig"
    assert _guess_encoding("a,b\nCafé,1\n".encode()) == "utf-8"
    assert _guess_encoding("a,b\nCafé,1\nTeh,2\nKopi,3\n".encode("latin-1")) == "latin-1"
    # a multi-byte UTF-8 character cut by the 64 KiB head is not mistaken for Latin-1
    head = ("x" * 65535 + "é").encode("utf-8")[:65536]
    assert _guess_encoding(head) == "utf-8"


def test_sniff_delimiter_falls_back_to_comma():
    assert _sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert _sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert _sniff_delimiter("") == ","


def test_utf8_file_larger_than_the_sniffed_head(tmp_path):
    path = tmp_path / "big.csv"
    body = "".join(f"2024-01-01,Produk {i} – Jatinegara,{i}\n" for i in range(4000))
    path.write_text("date,product,revenue\n" + body + "2024-01-02,Café,1\n", encoding="utf-8")
    assert path.stat().st_size > 65536
    frame = CsvLoader().load(path)
    assert len(frame) == 4001
    assert frame["product"].iloc[0] == "Produk 0 – Jatinegara"
    assert frame["product"].iloc[-1] == "Café"


# --- compressed files ----------------------------------------------------------------------


def test_gzip_is_read_directly(tmp_path):
    path = tmp_path / "sales.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text(";"))
    assert_expected_frame(CsvLoader().load(path))


def test_zip_is_read_directly(tmp_path):
    path = tmp_path / "sales.csv.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/penjualan.csv", text(","))
    assert_expected_frame(CsvLoader().load(path))


def test_zip_with_latin1_member(tmp_path):
    path = tmp_path / "sales.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("penjualan.csv", text("\t").encode("latin-1"))
    frame = CsvLoader().load(path)
    assert frame["produk"].iloc[0] == "Café Latte"


def test_bz2_is_read_directly(tmp_path):
    path = tmp_path / "sales.tsv.bz2"
    path.write_bytes(bz2.compress(text("\t").encode("utf-8")))
    assert_expected_frame(CsvLoader().load(path))


# --- errors --------------------------------------------------------------------------------


def test_missing_file_raises_data_error_naming_the_path(tmp_path):
    path = tmp_path / "nowhere" / "sales.csv"
    with pytest.raises(DataError) as info:
        CsvLoader().load(path)
    assert str(path) in str(info.value)
    assert "does not exist" in str(info.value)


def test_folder_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="folder"):
        CsvLoader().load(tmp_path)


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \n  \n"])
def test_empty_file_raises_data_error_naming_the_path(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        CsvLoader().load(path)
    assert str(path) in str(info.value)
    assert "empty" in str(info.value)


def test_header_only_file_raises_data_error_naming_the_path(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("date,product,revenue\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        CsvLoader().load(path)
    assert str(path) in str(info.value)


def test_empty_gzip_raises_data_error(tmp_path):
    path = tmp_path / "empty.csv.gz"
    with gzip.open(path, "wb"):
        pass
    with pytest.raises(DataError, match="empty"):
        CsvLoader().load(path)


def test_empty_zip_raises_data_error(tmp_path):
    path = tmp_path / "empty.csv.zip"
    with zipfile.ZipFile(path, "w"):
        pass
    with pytest.raises(DataError, match="empty"):
        CsvLoader().load(path)


def test_accepts_str_paths(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(text(","), encoding="utf-8")
    assert_expected_frame(CsvLoader().load(str(path)))


# --- handles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["sales.csv", "SALES.CSV", "data/sales.tsv", "sales.txt", "sales.csv.gz", "sales.csv.zip",
     "sales.tsv.bz2", "sales.txt.xz", Path("/tmp/x/Penjualan.Csv.Gz")],
)
def test_handles_delimited_text_and_its_compressed_forms(name):
    assert CsvLoader.handles(name)


@pytest.mark.parametrize(
    "name",
    ["sales.parquet", "sales.xlsx", "sales.json", "sales.gz", "sales.zip", "sales.csv.zst",
     "csv", "sales.csv.bak"],
)
def test_does_not_handle_other_files(name):
    assert not CsvLoader.handles(name)


def test_parameters_follow_the_component_conventions():
    loader = CsvLoader(delimiter=";", encoding="latin-1")
    assert loader.get_params() == {"delimiter": ";", "encoding": "latin-1"}
    assert not loader.is_fitted()


# --- Arrow reading: CRLF, late text in a number column, late Latin-1 ----------------------


def test_crlf_line_endings(tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes(text(",").replace("\n", "\r\n").encode("utf-8"))
    frame = CsvLoader().load(path)
    assert_expected_frame(frame)
    assert not frame["harga"].astype(str).str.endswith("\r").any()


@pytest.mark.slow
def test_number_column_with_text_after_the_first_block_stays_text(tmp_path):
    path = tmp_path / "late_text.csv"
    body = "".join(f"{i},2024-01-01,{i % 7}\n" for i in range(500_000))  # > one 8 MiB block
    path.write_text("InvoiceNo,date,qty\n" + body + "C536379,2024-01-02,-1\n")
    assert path.stat().st_size > 1 << 23
    frame = CsvLoader().load(path)
    assert len(frame) == 500_001
    assert str(frame["InvoiceNo"].dtype) == "string"
    assert frame["InvoiceNo"].iloc[-1] == "C536379" and frame["InvoiceNo"].iloc[5] == "5"
    assert str(frame["date"].dtype) == "datetime64[ns]"


def test_latin1_byte_far_beyond_the_sniffed_head(tmp_path):
    path = tmp_path / "late_latin.csv"
    body = "".join(f"2024-01-01,Produk {i},{i}\n" for i in range(20_000)).encode()
    path.write_bytes(b"date,product,revenue\n" + body + b"2024-01-02,Caf\xe9,1\n")
    frame = CsvLoader().load(path)
    assert frame["product"].iloc[-1] == "Café" and len(frame) == 20_001
