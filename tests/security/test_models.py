"""Saved model folders: only the types our own models contain load, files are checked
against their SHA-256 before any is read, and file names stay inside the folder."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesforge.errors import DataError
from salesforge.forecast.model_files import TRUSTED_TYPES, sha256
from salesforge.forecast.persistence import MODEL_FILE, load_model, save_model
from salesforge.forecast.series import sample_series
from salesforge.plugin.manager import build_plugin_manager

FAST = {"random_forest": {"n_estimators": 5}, "xgboost": {"n_estimators": 10},
        "prophet": {"uncertainty_samples": 10}}
#: Forecasters whose saved folders hold .skops or native files.
WITH_FILES = ["linear", "random_forest", "xgboost", "prophet"]


@pytest.fixture(scope="module")
def plugins():
    return build_plugin_manager()


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return sample_series().tail(120)


def _save(plugins, series, name: str, folder: Path):
    if ("forecaster", name) not in plugins.registry:
        pytest.skip(f"forecaster {name} is not installed")
    model = plugins.create("forecaster", name, FAST.get(name, {})).fit(series, "D")
    save_model(model, name, folder, {"horizon": 7})
    return model


def _document(folder: Path) -> dict:
    return json.loads((folder / MODEL_FILE).read_text())


def _rewrite(folder: Path, document: dict, rehash: bool = True) -> None:
    """Write ``document`` back, with checksums of the folder's files as an attacker who
    controls the whole folder would recompute them."""
    if rehash:
        document["files"] = {p.name: sha256(p) for p in folder.iterdir()
                             if p.name != MODEL_FILE and p.is_file()}
    (folder / MODEL_FILE).write_text(json.dumps(document))


def _schema(value) -> dict:
    import skops.io as sio

    state = json.loads(zipfile.ZipFile(io.BytesIO(sio.dumps(value))).read("schema.json"))
    del state["protocol"], state["_skops_version"]
    return state


def _call_skops(path: Path, module: str, name: str, args: tuple) -> None:
    """A .skops file that calls ``module.name(*args)`` when loaded with that type trusted
    (skops' reduce-style loader constructs the object by calling the named type)."""
    import skops
    from skops.io._protocol import PROTOCOL

    schema = {"__class__": name, "__module__": module, "__loader__": "LossNode",
              "__reduce__": {"args": _schema(args)}, "content": _schema({}), "__id__": 1,
              "protocol": PROTOCOL, "_skops_version": skops.__version__}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))


def _types(path: Path) -> set[str]:
    """Every module.class named in the schema of the .skops file at ``path``."""
    found, stack = set(), [json.loads(zipfile.ZipFile(path).read("schema.json"))]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def test_a_skops_file_calling_numpy_testing_runstring_is_refused_and_runs_nothing(
        plugins, series, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _save(plugins, series, "linear", tmp_path / "m")
    marker = tmp_path / "pwned"
    code = f"open({str(marker)!r}, 'w').write('x')"
    _call_skops(tmp_path / "m" / "model_.skops", "numpy.testing._private.utils", "runstring",
                (code, {}))
    _rewrite(tmp_path / "m", _document(tmp_path / "m"))
    with pytest.raises(DataError) as caught:
        load_model("m", plugins.registry)
    assert not marker.exists(), "loading the crafted model ran its payload"
    message = str(caught.value)
    assert message == ("model folder m: model_.skops holds type "
                       "numpy.testing._private.utils.runstring, which no salesforge model "
                       "contains; refusing to load it.")
    assert str(tmp_path) not in message and "open(" not in message


@pytest.mark.parametrize("module, name, args", [
    ("builtins", "eval", ("open({marker!r}, 'w')",)),
    ("builtins", "exec", ("open({marker!r}, 'w')",)),
    ("operator", "attrgetter", ("__class__",)),
    ("numpy", "load", ("{marker}.npy",)),
    ("sklearn.utils._testing", "assert_allclose", (1, 2)),
])
def test_a_callable_outside_our_models_is_refused(plugins, series, tmp_path, module, name,
                                                  args):
    folder = tmp_path / "m"
    _save(plugins, series, "random_forest", folder)
    marker = tmp_path / "pwned"
    args = tuple(a.format(marker=str(marker)) if isinstance(a, str) else a for a in args)
    _call_skops(folder / "model_.skops", module, name, args)
    _rewrite(folder, _document(folder))
    with pytest.raises(DataError, match=rf"model_\.skops holds type {module}\.{name}, which "
                                        "no salesforge model contains"):
        load_model(folder, plugins.registry)
    assert not marker.exists()


@pytest.mark.parametrize("name, file", [("linear", "model_.skops"),
                                        ("xgboost", "model.xgb.json"),
                                        ("prophet", "prophet_models.json")])
def test_a_file_changed_after_saving_is_refused_before_it_is_read(plugins, series, tmp_path,
                                                                  monkeypatch, name, file):
    import skops.io as sio

    folder = tmp_path / "m"
    model = _save(plugins, series, name, folder)
    data = bytearray((folder / file).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / file).write_bytes(bytes(data))

    def forbidden(*args, **kwargs):
        raise AssertionError("a model file was deserialised before its checksum was checked")

    monkeypatch.setattr(sio, "get_untrusted_types", forbidden)
    monkeypatch.setattr(sio, "load", forbidden)
    monkeypatch.setattr(type(model), "_load_native", forbidden)
    with pytest.raises(DataError, match=re.escape(f"model folder {folder}: {file} does not "
                                                  "match the checksum in model.json")):
        load_model(folder, plugins.registry)


def test_missing_unlisted_and_unchecked_files_are_refused(plugins, series, tmp_path):
    folder = tmp_path / "m"
    _save(plugins, series, "linear", folder)
    document = _document(folder)
    assert set(document["files"]) == {"model_.skops"} and document["format"] == 2
    (folder / "model_.skops").rename(folder / "moved.skops")
    with pytest.raises(DataError, match=r"lacks model_\.skops, listed in model\.json"):
        load_model(folder, plugins.registry)
    (folder / "moved.skops").rename(folder / "model_.skops")
    _rewrite(folder, {**document, "files": {}}, rehash=False)
    with pytest.raises(DataError, match=r"reads model_\.skops, which model\.json does not "
                                        "list with a checksum"):
        load_model(folder, plugins.registry)
    old = {k: v for k, v in document.items() if k != "files"}
    _rewrite(folder, {**old, "format": 1}, rehash=False)
    with pytest.raises(DataError, match=r"saved by an older salesforge \(format 1, without "
                                        r"file checksums\); retrain it with salesforge run\."):
        load_model(folder, plugins.registry)
    _rewrite(folder, old, rehash=False)
    with pytest.raises(DataError, match=r"has no file checksums in model\.json"):
        load_model(folder, plugins.registry)


@pytest.mark.parametrize("kind", ["parent", "absolute", "subfolder", "symlink"])
@pytest.mark.parametrize("name", ["linear", "xgboost"])
def test_a_file_name_leaving_the_folder_is_refused(plugins, series, tmp_path, kind, name):
    """The escaping file is a genuine model file, so only the name check stops it."""
    folder = tmp_path / "m"
    _save(plugins, series, name, folder)
    document = _document(folder)
    attr, key = ("model_", "__skops__") if name == "linear" else ("model_", "__native__")
    genuine = folder / document["state"][attr][key]
    outside = tmp_path / genuine.name
    genuine.rename(outside)
    if kind == "parent":
        reference = f"../{outside.name}"
    elif kind == "absolute":
        reference = str(outside)
    elif kind == "subfolder":
        (folder / "sub").mkdir()
        outside.rename(folder / "sub" / outside.name)
        reference = f"sub/{outside.name}"
    else:
        (folder / "link").symlink_to(outside)
        reference = "link"
    document["state"][attr][key] = reference
    document["files"] = {reference: sha256(folder / reference)}
    _rewrite(folder, document, rehash=False)
    with pytest.raises(DataError, match="which is not a plain file name inside the folder"):
        load_model(folder, plugins.registry)


@pytest.mark.parametrize("name", WITH_FILES)
def test_our_own_models_round_trip_and_list_every_file(plugins, series, tmp_path, name):
    model = _save(plugins, series, name, tmp_path)
    document = _document(tmp_path)
    others = {p.name for p in tmp_path.iterdir() if p.name != MODEL_FILE}
    assert others and set(document["files"]) == others
    assert all(document["files"][f] == sha256(tmp_path / f) for f in others)
    loaded, _ = load_model(tmp_path, plugins.registry)
    np.testing.assert_allclose(loaded.predict(7)["y_pred"], model.predict(7)["y_pred"])


def test_the_trusted_types_are_exactly_those_our_models_need(plugins, series, tmp_path):
    import skops.io as sio

    untrusted, present = set(), set()
    for name in ("linear", "random_forest"):
        _save(plugins, series, name, tmp_path / name)
        for path in (tmp_path / name).glob("*.skops"):
            untrusted |= set(sio.get_untrusted_types(file=path))
            present |= _types(path)
    assert untrusted and untrusted <= TRUSTED_TYPES
    assert TRUSTED_TYPES <= present, "a trusted type no model of ours contains"
    for trusted in TRUSTED_TYPES:
        assert trusted.startswith("sklearn.") or trusted in ("numpy.ndarray", "numpy.float64")
        assert not trusted.startswith(("sklearn.utils", "numpy.testing", "builtins.",
                                       "operator."))
