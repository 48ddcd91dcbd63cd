"""The results app and the REST API accept uploads by one rule
(:func:`salesforge.data.uploads.check_upload_file`)."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest

import salesforge.api.routes_data as api_routes
import salesforge.app.uploads as app_uploads
from salesforge.data.input_limits import STRICT
from salesforge.data.uploads import check_upload_file, safe_name
from salesforge.errors import DataError

CSV = b"date,revenue\n2024-01-01,5\n2024-01-02,7\n"


def _parquet() -> bytes:
    out = io.BytesIO()
    pd.DataFrame({"date": ["2024-01-01"], "revenue": [5.0]}).to_parquet(out)
    return out.getvalue()


CASES = [  # (sent name, bytes, stored name or the start of the refusal)
    ("sales.csv", CSV, "sales.csv"),
    ("../../x/sales data.txt", CSV, "sales_data.csv"),
    ("sales.tsv.gz", gzip.compress(CSV), "sales.csv.gz"),
    ("sales.pq", _parquet(), "sales.parquet"),
    ("sales.xlsx", CSV, "upload sales.xlsx does not contain what its suffix .xlsx says"),
    ("sales.csv", _parquet(), "upload sales.csv does not contain what its suffix .csv says"),
    ("sales", CSV, "upload sales has no accepted suffix"),
    ("sales.csv", b"", "upload sales.csv is empty."),
    ("model.pkl", b"\x80\x04K\x01.", "upload model.pkl has no accepted suffix"),
    ("sales.csv", b"\x80\x04\x95\x00\xff\xfe", "upload sales.csv is not CSV"),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES,
                         ids=[f"{n}-{e[:20]}" for n, _, e in CASES])
def test_the_app_and_the_validator_agree(tmp_path, name, data, expected):
    part = tmp_path / "part"
    part.write_bytes(data)
    if " " in expected:  # a refusal sentence
        with pytest.raises(DataError, match=f"^{expected}"):
            check_upload_file(part, name, STRICT)
        with pytest.raises(DataError, match=f"^{expected}"):
            app_uploads.check_upload(name, data, limits=STRICT)
        return
    assert check_upload_file(part, name, STRICT).name == expected
    assert app_uploads.check_upload(name, data, limits=STRICT)[0] == expected


def test_both_front_ends_call_the_shared_validator():
    assert app_uploads.check_upload_file is check_upload_file
    assert api_routes.check_upload_file is check_upload_file
    assert app_uploads.safe_name is safe_name


def test_names_lose_folders_and_odd_characters():
    assert safe_name("../../etc/pass wd?.csv") == "pass_wd_.csv"
    assert safe_name("C:\\Users\\a\\..\\b.csv") == "b.csv"
    assert safe_name("...") == "upload"
    assert safe_name(None) == "upload"
