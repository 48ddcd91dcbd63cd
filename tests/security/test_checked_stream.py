"""``salesforge run`` checks a gzip/bzip2/xz CSV against ``data.limits`` while Arrow reads it
(:class:`~salesforge.data.input_check.CheckedStream`, issue 20): the file is decompressed
once, and a bomb is still refused naming the limit, having read no more than the limit."""

from __future__ import annotations

import bz2
import gzip
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from salesforge.cli import main
from salesforge.data import csv_loader, input_check
from salesforge.data.csv_loader import CsvLoader
from salesforge.data.input_limits import GENEROUS, InputLimits
from salesforge.data.sample import sample_path
from salesforge.errors import DataError
from tests.security.test_upload_limits import LOAD_ONLY, cli_refusal, write_gzip_bomb

SAMPLE = Path(sample_path())  # gzip-compressed
TEXT = gzip.decompress(SAMPLE.read_bytes())


def compressed_sample(folder: Path, suffix: str) -> Path:
    path = folder / f"sales.csv.{suffix}"
    path.write_bytes(gzip.compress(TEXT) if suffix == "gz" else bz2.compress(TEXT))
    return path


@pytest.mark.parametrize("suffix", ["gz", "bz2"])
def test_a_compressed_csv_is_decompressed_once_and_read_as_before(tmp_path, monkeypatch,
                                                                  suffix):
    path = compressed_sample(tmp_path, suffix)
    (tmp_path / "sales.csv").write_bytes(TEXT)
    plain = CsvLoader().load(tmp_path / "sales.csv")
    reads: list[int] = []
    original = input_check.CheckedStream.read

    def counting(self, size=-1):
        chunk = original(self, size)
        reads.append(len(chunk))
        return chunk

    filling = input_check.CheckedStream.fill

    def counting_fill(self, buffer, start, size):
        got = filling(self, buffer, start, size)
        reads.append(got)
        return got

    monkeypatch.setattr(input_check.CheckedStream, "read", counting)
    monkeypatch.setattr(input_check.CheckedStream, "fill", counting_fill)
    loader = CsvLoader()
    assert loader.checks_while_reading(path)
    assert not loader.checks_while_reading(tmp_path / "sales.csv")  # scanned first, cheaply
    loader.input_limits = GENEROUS
    pd.testing.assert_frame_equal(loader.load(path), plain)
    assert sum(reads) == len(TEXT)  # every byte once, through the checks
    # the load stage hands the limits over instead of scanning the file first
    scans: list[Path] = []
    monkeypatch.setattr("salesforge.stages.load.check_data_file",
                        lambda p, *args: scans.append(p))
    reads.clear()
    main(["run", *LOAD_ONLY, f"hydra.run.dir={tmp_path / 'run'}",
          f"runs.index={tmp_path / 'runs.db'}", f"data.path={path}", "--quiet"])
    assert scans == [] and sum(reads) == len(TEXT)


def test_a_gzip_bomb_is_refused_while_arrow_reads_it(tmp_path):
    """In a fresh process: refused at the 20 MB limit, the peak RSS grows far less than the
    200 MB the file holds."""
    bomb = write_gzip_bomb(tmp_path / "bomb.csv.gz", expanded_mb=200)
    script = f"""
import resource, sys
from salesforge.data.csv_loader import CsvLoader
from salesforge.data.input_limits import InputLimits
from salesforge.errors import DataError
loader = CsvLoader()
loader.input_limits = InputLimits(max_decompressed_mb=20, config_key="data.limits")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    loader.load({str(bomb)!r})
except DataError as error:
    print(str(error))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=True)
    message, grown = done.stdout.strip().splitlines()[-2:]
    assert "bomb.csv.gz" in message and "data.limits.max_decompressed_mb" in message, message
    assert float(grown) < 100, grown  # of 200 MB of text


def test_the_cli_refuses_a_bomb_by_ratio_in_one_sentence(tmp_path, capsys):
    bomb = write_gzip_bomb(tmp_path / "bomb.csv.gz", expanded_mb=60)
    code, errors = cli_refusal(tmp_path, capsys, bomb, "data.limits.max_ratio=50")
    assert code != 0
    assert len(errors) == 1 and "data.limits.max_ratio (50)" in errors[0], errors
    assert "Traceback" not in errors[0]


def test_a_damaged_gzip_file_is_one_clear_error(tmp_path):
    path = compressed_sample(tmp_path, "gz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut short
    loader = CsvLoader()
    loader.input_limits = GENEROUS
    with pytest.raises(DataError, match=r"damaged gz file .*compress it again\.$"):
        loader.load(path)


@pytest.mark.parametrize("damage", ["limit", "cut short"])
def test_arrow_never_sees_an_exception_from_the_stream(tmp_path, monkeypatch, damage):
    """An exception thrown into Arrow's reader thread could leave the thread running at
    interpreter exit and abort the process (exit 134, "terminate called without an active
    exception"; seen in CI on the bomb above): the stream ends instead, and the loader raises
    the error once Arrow has stopped."""
    if damage == "limit":
        path, limits = write_gzip_bomb(tmp_path / "bomb.csv.gz", expanded_mb=30), \
            InputLimits(max_decompressed_mb=5, config_key="data.limits")
        expected = "data.limits.max_decompressed_mb"
    else:
        path, limits = compressed_sample(tmp_path, "gz"), GENEROUS
        path.write_bytes(path.read_bytes()[:-2000])
        expected = "damaged gz file"
    raised: list[Exception] = []
    arrow_read_csv = csv_loader.pacsv.read_csv

    def spying(source, *options):
        read = source.read

        def watched(size=-1):
            try:
                return read(size)
            except Exception as error:
                raised.append(error)
                raise

        source.read = watched
        return arrow_read_csv(source, *options)

    monkeypatch.setattr(csv_loader.pacsv, "read_csv", spying)
    loader = CsvLoader()
    loader.input_limits = limits
    with pytest.raises(DataError, match=expected):
        loader.load(path)
    assert raised == []
