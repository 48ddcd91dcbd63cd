"""Issue #14, finding 3: small files that expand into huge ones. A 0.5 MB ``.csv.gz`` holding
200 MB, a 10 MB CSV with a million columns, a 0.1 MB ``.xlsx`` holding 24 MB of sheet XML
are refused while streaming, before anything is materialised, by the one validator the
REST API, the results app and ``salesforge run`` share, each with its own limits
(``api.limits``, ``app.limits``, ``data.limits``)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from salesforge.api import ApiSettings, create_app
from salesforge.api.settings import load_settings
from salesforge.app.uploads import app_limits, save_uploads
from salesforge.cli import main
from salesforge.data import input_check
from salesforge.data.input_check import check_data_file, check_input_file
from salesforge.data.input_limits import GENEROUS, STRICT, InputLimits, limits_from_config
from salesforge.data.parse_deadline import load_within
from salesforge.data.sample import sample_labels_path, sample_path
from salesforge.errors import ConfigError, DataError

API = STRICT  # the defaults of api.limits
SAMPLE = Path(sample_path())
MB = 1024 * 1024
#: Peak memory a refusal may add (a materialising check adds the decompressed size).
MAX_GROWTH_MB = 150
LOAD_ONLY = [f"stages.{s}=false" for s in
             ("features", "forecast", "segment", "detect", "analytics", "report")]


def write_gzip_bomb(path: Path, expanded_mb: int = 200) -> Path:
    """Sales-like CSV lines, ``expanded_mb`` of them, gzip-compressed while written."""
    line = b"2024-01-01,Widget,10\n"
    block = line * 50_000
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as out:
        out.write(packer.compress(b"date,product,revenue\n"))
        for _ in range(expanded_mb * MB // len(block) + 1):
            out.write(packer.compress(block))
        out.write(packer.flush())
    return path


def write_wide_csv(path: Path, columns: int = 1_000_000) -> Path:
    """A header of ``columns`` names and one row: about 10 MB."""
    header = ",".join(f"c{i}" for i in range(columns)).encode()
    path.write_bytes(header + b"\n" + b"1," * (columns - 1) + b"1\n")
    return path


def sheet_xml(rows: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + "".join(rows) + "</sheetData></worksheet>")


_PACKAGE = "http://schemas.openxmlformats.org/package/2006/"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
#: The smallest parts openpyxl opens: content types, relationships, workbook.
WORKBOOK_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PACKAGE}content-types"><Default Extension="rels" '
    f'ContentType="{_PACKAGE[:-5]}relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    f'{_SHEET_TYPE}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_SHEET_TYPE}.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_PACKAGE}relationships"><Relationship Id="rId1" '
    f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    f'main" xmlns:r="{_OFFICE}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE}relationships">'
    f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>",
}


def write_workbook(path: Path, sheet: str) -> Path:
    """A workbook openpyxl opens, holding ``sheet`` as xl/worksheets/sheet1.xml, zipped
    directly."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for part, text in WORKBOOK_PARTS.items():
            book.writestr(part, text)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def write_xlsx_bomb(path: Path, expanded_mb: int = 24) -> Path:
    """Rows of 40 numeric cells until the sheet XML holds ``expanded_mb``."""
    cells = '<c t="n"><v>1</v></c>' * 40
    row_bytes = len(f'<row r="1000000">{cells}</row>')
    rows = [f'<row r="{r}">{cells}</row>' for r in range(1, expanded_mb * MB // row_bytes + 2)]
    return write_workbook(path, sheet_xml(rows))


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {"bomb.csv.gz": write_gzip_bomb(folder / "bomb.csv.gz"),
            "wide.csv": write_wide_csv(folder / "wide.csv"),
            "bomb.xlsx": write_xlsx_bomb(folder / "bomb.xlsx")}


#: upload name -> the limit its bomb passes first under the strict defaults
REFUSED_BY = {"bomb.csv.gz": "max_ratio", "wide.csv": "max_columns", "bomb.xlsx": "max_ratio"}


def assert_one_sentence(message: str, name: str, key: str, hidden: Path) -> None:
    assert key in message and name in message, message
    assert str(hidden) not in message, message  # the upload name, never a server path
    assert message.endswith(".") and "\n" not in message
    assert message.count(". ") == 0, message


def test_the_bombs_are_what_the_issue_describes(bombs):
    assert bombs["bomb.csv.gz"].stat().st_size < 0.6 * MB
    assert bombs["wide.csv"].stat().st_size < 10 * MB
    assert bombs["bomb.xlsx"].stat().st_size < 0.2 * MB
    with zipfile.ZipFile(bombs["bomb.xlsx"]) as book:
        assert book.getinfo("xl/worksheets/sheet1.xml").file_size > 24_000_000


@pytest.mark.parametrize("name", sorted(REFUSED_BY))
def test_the_shared_validator_refuses_each_bomb_naming_the_limit(bombs, name):
    with pytest.raises(DataError) as refused:
        check_input_file(bombs[name], name, API)
    assert_one_sentence(str(refused.value), name, f"api.limits.{REFUSED_BY[name]}",
                        bombs[name].parent)


def test_the_absolute_cap_holds_without_a_ratio(bombs):
    limits = InputLimits(max_decompressed_mb=64, config_key="api.limits")
    with pytest.raises(DataError, match=r"more than 64 MB.*api\.limits\.max_decompressed_mb"):
        check_input_file(bombs["bomb.csv.gz"], "bomb.csv.gz", limits)


def test_a_million_column_header_is_refused_after_a_bounded_read(bombs, monkeypatch):
    read: list[int] = []

    class CountingFile:
        def __init__(self, *args, **kwargs) -> None:
            self.handle = open(*args, **kwargs)  # noqa: SIM115 (closed by __exit__)

        def read(self, size: int = -1) -> bytes:
            data = self.handle.read(size)
            read.append(len(data))
            return data

        def __enter__(self) -> CountingFile:
            return self

        def __exit__(self, *error) -> None:
            self.handle.close()

    monkeypatch.setattr(input_check, "open", CountingFile, raising=False)
    with pytest.raises(DataError, match=r"api\.limits\.max_columns"):
        check_input_file(bombs["wide.csv"], "wide.csv", API)
    assert 0 < sum(read) <= 2 * MB  # of the file's 9.9 MB
    read.clear()  # salesforge run on a long plain CSV: only its header is read
    long = bombs["wide.csv"].with_name("long.csv")
    long.write_bytes(b"date,product,revenue\n" + b"2024-01-01,Widget,10\n" * 500_000)
    assert check_data_file(long, str(long), GENEROUS) == "csv"
    assert 0 < sum(read) <= 2 * MB  # of 10 MB


def test_declared_sizes_that_lie_are_caught_while_streaming(tmp_path):
    """The directory says 1 KB; the member really inflates to 24 MB."""
    path = write_workbook(tmp_path / "liar.xlsx", sheet_xml(['<row r="1"><c><v>1</v></c></row>'
                                                            * 800_000]))
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = -1
        while (at := data.find(signature, at + 1)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + 24] == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<I", data, at + offset, 1024)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as book:
        assert book.getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    with pytest.raises(DataError, match=r"liar\.xlsx"):
        check_input_file(path, "liar.xlsx", API)


def test_sheet_columns_and_cells_are_counted_while_streaming(tmp_path):
    wide = write_workbook(tmp_path / "wide.xlsx", sheet_xml(
        ['<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>']))
    with pytest.raises(DataError, match=r"column 16,384.*api\.limits\.max_columns"):
        check_input_file(wide, "wide.xlsx", API)
    tall = write_workbook(tmp_path / "tall.xlsx", sheet_xml(
        ['<row r="1"><c r="A1"><v>1</v></c></row>',
         '<row r="1000000"><c r="J1000000"><v>2</v></c></row>']))
    limits = InputLimits(max_columns=1000, max_cells=1_000_000, config_key="app.limits")
    with pytest.raises(DataError, match=r"app\.limits\.max_cells"):
        check_input_file(tall, "tall.xlsx", limits)


def test_csv_cells_json_fields_and_parquet_metadata_are_bounded(tmp_path):
    limits = InputLimits(max_columns=50, max_cells=1000, config_key="api.limits")
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"date,product,revenue\n" + b"2024-01-01,A,1\n" * 400)
    with pytest.raises(DataError, match=r"api\.limits\.max_cells"):
        check_input_file(rows, "rows.csv", limits)
    records = tmp_path / "rows.json"
    records.write_text(json.dumps([{"date": "2024-01-01", "revenue": 1}] * 600))
    with pytest.raises(DataError, match=r"api\.limits\.max_cells"):
        check_input_file(records, "rows.json", limits)
    wide = tmp_path / "wide.parquet"
    pd.DataFrame({f"c{i}": [1] for i in range(60)}).to_parquet(wide)
    with pytest.raises(DataError, match=r"has 60 columns.*api\.limits\.max_columns"):
        check_input_file(wide, "wide.parquet", limits)


def test_refusals_keep_peak_memory_small(bombs, tmp_path):
    """In a fresh process, the peak RSS added by each refusal (validator, API, app)."""
    script = r"""
import json, resource, sys, time
from pathlib import Path
from fastapi.testclient import TestClient
from salesforge.api import ApiSettings, create_app
from salesforge.app.uploads import save_uploads
from salesforge.data.input_check import check_input_file
from salesforge.data.input_limits import STRICT, InputLimits
from salesforge.errors import DataError

bombs, store = {k: Path(v) for k, v in json.loads(sys.argv[1]).items()}, Path(sys.argv[2])
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
found = {}

def measure(label, call):
    before, start = peak(), time.perf_counter()
    try:
        outcome = call()
    except DataError as error:
        outcome = str(error)
    found[label] = [peak() - before, time.perf_counter() - start, outcome]

cap = InputLimits(max_decompressed_mb=150, config_key="api.limits")
measure("validator cap", lambda: check_input_file(bombs["bomb.csv.gz"], "bomb.csv.gz", cap))
for name, path in bombs.items():
    measure(f"validator {name}", lambda: check_input_file(path, name, STRICT))
with TestClient(create_app(ApiSettings(store=store))) as client:
    client.post("/api/upload", files={"file": ("warm.csv", b"date,revenue\n2024-01-01,1\n")})
    for name, path in bombs.items():
        data = path.read_bytes()
        measure(f"api {name}", lambda: client.post(
            "/api/upload", files={"file": (name, data)}).json()["detail"])
        measure(f"app {name}", lambda: save_uploads({name: data}, store / "app"))
print(json.dumps(found))
"""
    done = subprocess.run([sys.executable, "-c", script,
                           json.dumps({k: str(v) for k, v in bombs.items()}),
                           str(tmp_path / "store")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert "api.limits.max_decompressed_mb" in found["validator cap"][2]
    for name, key in REFUSED_BY.items():
        for who, node in (("validator", "api"), ("api", "api"), ("app", "app")):
            growth, _seconds, message = found[f"{who} {name}"]
            assert f"{node}.limits.{key}" in message, (who, message)
            assert growth < MAX_GROWTH_MB, (who, name, growth)
    assert found["validator cap"][0] < MAX_GROWTH_MB


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(ApiSettings(store=tmp_path / "store"))) as test_client:
        yield test_client


@pytest.mark.parametrize("name", sorted(REFUSED_BY))
def test_the_api_refuses_each_bomb_and_keeps_nothing(bombs, client, tmp_path, name):
    answer = client.post("/api/upload", files={"file": (name, bombs[name].read_bytes())})
    assert answer.status_code in (413, 422), answer.text
    assert_one_sentence(answer.json()["detail"], name, f"api.limits.{REFUSED_BY[name]}",
                        tmp_path)
    assert client.get("/api/datasets").json() == []
    datasets = tmp_path / "store" / "datasets"
    assert not datasets.exists() or not [p for p in datasets.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", sorted(REFUSED_BY))
def test_the_app_refuses_each_bomb_with_the_same_validator(bombs, tmp_path, name):
    with pytest.raises(DataError) as refused:
        save_uploads({name: bombs[name].read_bytes()}, tmp_path / "uploads")
    assert_one_sentence(str(refused.value), name, f"app.limits.{REFUSED_BY[name]}", tmp_path)
    assert list((tmp_path / "uploads").iterdir()) == []


@pytest.fixture(scope="module")
def legitimate(tmp_path_factory) -> dict[str, Path]:
    """The bundled sample, its labels, and a slice of it as xlsx, parquet and csv.gz."""
    folder = tmp_path_factory.mktemp("legit")
    frame = pd.read_csv(SAMPLE).head(400)
    frame.to_excel(folder / "sales.xlsx", index=False)
    frame.to_parquet(folder / "sales.parquet")
    frame.to_csv(folder / "sales.csv.gz", index=False)
    frame.to_json(folder / "sales.json", orient="records")
    return {"sales_sample.csv.gz": SAMPLE, "sales_sample_labels.csv": Path(sample_labels_path()),
            **{p.name: p for p in folder.iterdir()}}


def test_legitimate_files_pass_every_entry_point(legitimate, client, tmp_path):
    kinds = {"sales_sample.csv.gz": "csv.gz", "sales_sample_labels.csv": "csv",
             "sales.xlsx": "xlsx", "sales.parquet": "parquet", "sales.csv.gz": "csv.gz",
             "sales.json": "json"}
    for name, path in legitimate.items():
        assert check_input_file(path, name, API) == kinds[name]
        assert check_data_file(path, name, GENEROUS) == kinds[name]
        kind = "labels" if "labels" in name else "sales"
        answer = client.post("/api/upload", params={"kind": kind},
                             files={"file": (name, path.read_bytes())})
        assert answer.status_code == 201, (name, answer.text)
    saved = save_uploads({n: p.read_bytes() for n, p in legitimate.items()}, tmp_path / "app")
    assert sorted(p.name for p in saved) == sorted(
        ["sales_sample.csv.gz", "sales_sample_labels.csv", "sales.xlsx", "sales.parquet",
         "sales.csv.gz", "sales.json"])


def cli_refusal(tmp_path: Path, capsys, data: Path, *overrides: str
                ) -> tuple[int | str | None, list[str]]:
    """(exit code, error lines) of a load-only ``salesforge run`` of ``data`` that exits."""
    with pytest.raises(SystemExit) as failed:
        main(["run", *LOAD_ONLY, f"hydra.run.dir={tmp_path / 'run'}",
              f"runs.index={tmp_path / 'runs.db'}", f"data.path={data}", *overrides,
              "--quiet"])
    return failed.value.code, [line for line in capsys.readouterr().err.splitlines()
                               if "error:" in line]


def test_the_cli_refuses_a_real_file_over_data_limits(tmp_path, capsys):
    code, error = cli_refusal(tmp_path, capsys, SAMPLE, "data.limits.max_columns=3")
    assert code != 0
    assert len(error) == 1, error
    assert "data.limits.max_columns (3)" in error[0] and SAMPLE.name in error[0]
    assert "Traceback" not in error[0]


def test_a_load_past_max_parse_seconds_is_refused_and_stopped():
    stopped = threading.Event()

    def slow_python_parse() -> None:  # pure Python, like openpyxl reading a sheet
        try:
            while True:
                sum(range(1000))
        finally:
            stopped.set()

    limits = InputLimits(max_parse_seconds=0.2, config_key="api.limits")
    started = time.monotonic()
    with pytest.raises(DataError, match=r"sales\.xlsx took too long to load.*"
                                        r"api\.limits\.max_parse_seconds"):
        load_within(slow_python_parse, "sales.xlsx", limits)
    assert time.monotonic() - started < 30
    assert stopped.wait(30), "the worker kept parsing after the deadline"
    assert load_within(lambda: 42, "x.csv", limits) == 42
    with pytest.raises(KeyError):
        load_within(lambda: {}["missing"], "x.csv", limits)


def test_limits_are_settings_with_the_documented_defaults(tmp_path):
    assert load_settings().limits == API
    assert app_limits() == replace(API, config_key="app.limits")
    config = tmp_path / "config.yaml"
    config.write_text("api:\n  limits:\n    max_columns: 20\n    max_cells: null\n")
    custom = load_settings(config).limits
    assert (custom.max_columns, custom.max_cells, custom.max_ratio) == (20, None, 100)
    for bad in ({"max_colums": 5}, {"max_columns": -1}, {"max_columns": 2.5},
                {"max_ratio": "high"}):
        with pytest.raises(ConfigError, match=r"config key data\.limits\.max_colum|"
                                              r"config key data\.limits\.max_ratio"):
            limits_from_config(bad, "data.limits", GENEROUS)
