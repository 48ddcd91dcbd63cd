"""Safe saving and loading of fitted forecasters: JSON, skops and native formats, no pickle.

A saved model is a folder: ``model.json`` holds the component name, its settings, its
fitted attributes (plain values, arrays, pandas objects as tagged JSON) and metadata
(versions, features, training range, config hash, interval half-widths);
scikit-learn estimators go to ``<attr>.skops`` (loaded only when every type in the file
is one our own models contain, see :mod:`salesforge.forecast.model_files`) and
attributes a forecaster lists in ``native_attributes`` go to its own safe format (XGBoost
JSON, Prophet JSON). ``files`` in model.json holds the SHA-256 of every other file in the
folder, checked before any of them is read. The class is looked up in the plugin registry
by name, never imported from a path in the file. Format 2 added ``files``; format-1
models are refused with a request to retrain them.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
from salesforge.errors import ConfigError, DataError
from salesforge.forecast.model_files import (
    MODEL_FILE,
    checksums,
    load_skops,
    model_file,
    verify_files,
)

FORMAT = 2
#: Libraries whose versions are recorded with every model and checked on load.
LIBRARIES = ("salesforge", "numpy", "pandas", "scikit-learn", "xgboost", "prophet", "lightgbm",
             "statsforecast")


def library_versions() -> dict[str, str]:
    """Installed versions of :data:`LIBRARIES` (absent ones left out)."""
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _array(values: np.ndarray) -> dict[str, Any]:
    if values.dtype.kind in "mM":
        return {"__ndarray__": values.view("int64").tolist(), "dtype": str(values.dtype)}
    if values.dtype == object:
        return {"__ndarray__": [encode(v, None, "") for v in values.tolist()],
                "dtype": "object"}
    return {"__ndarray__": values.tolist(), "dtype": str(values.dtype)}


def encode(value: Any, folder: Path | None, name: str) -> Any:
    """Tagged JSON of ``value``; scikit-learn estimators are written to ``folder``."""
    from sklearn.base import BaseEstimator

    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return {"__timestamp__": value.isoformat()}
    if isinstance(value, list):
        return [encode(v, folder, f"{name}.{i}") for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, folder, f"{name}.{i}") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, folder, name), encode(v, folder, f"{name}.{i}")]
                             for i, (k, v) in enumerate(value.items())]}
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, pd.Series):
        return {"__series__": _array(value.to_numpy()), "dtype": str(value.dtype),
                "index": encode(value.index, folder, name), "name": encode(value.name, None, "")}
    if isinstance(value, pd.Index):
        return {"__index__": _array(value.to_numpy()), "dtype": str(value.dtype),
                "name": encode(value.name, None, "")}
    if isinstance(value, BaseEstimator) and folder is not None:
        import skops.io as sio

        file = f"{name}.skops"
        sio.dump(value, folder / file)
        return {"__skops__": file}
    raise TypeError(f"cannot save {name} of type {type(value).__name__} safely")


def _unarray(node: dict[str, Any]) -> np.ndarray:
    dtype = node["dtype"]
    if dtype == "object":
        return np.array([decode(v, None) for v in node["__ndarray__"]], dtype=object)
    if np.dtype(dtype).kind in "mM":
        return np.array(node["__ndarray__"], dtype="int64").view(dtype)
    return np.array(node["__ndarray__"], dtype=dtype)


def decode(node: Any, folder: Path | None) -> Any:
    """The value :func:`encode` wrote."""
    if isinstance(node, list):
        return [decode(v, folder) for v in node]
    if not isinstance(node, dict):
        return node
    if "__timestamp__" in node:
        return pd.Timestamp(node["__timestamp__"])
    if "__tuple__" in node:
        return tuple(decode(v, folder) for v in node["__tuple__"])
    if "__dict__" in node:
        return {decode(k, folder): decode(v, folder) for k, v in node["__dict__"]}
    if "__ndarray__" in node:
        return _unarray(node)
    if "__series__" in node:
        return pd.Series(_unarray(node["__series__"]), index=decode(node["index"], folder),
                         name=decode(node["name"], folder)).astype(node["dtype"])
    if "__index__" in node:
        return pd.Index(_unarray(node["__index__"]), dtype=node["dtype"],
                        name=decode(node["name"], folder))
    if "__skops__" in node:
        if folder is None:
            raise DataError("a saved model holds a .skops entry where none can be; retrain it.")
        return load_skops(model_file(folder, node["__skops__"]))
    raise DataError(f"unknown entry {sorted(node)} in a saved model.")


def save_model(model: Forecaster, name: str, folder: str | Path,
               metadata: dict[str, Any]) -> Path:
    """Write fitted ``model`` (registered as forecaster ``name``) to ``folder``; returns
    the path of its ``model.json``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {}
    for attr, value in vars(model).items():
        if not attr.endswith("_") or attr.startswith("_"):
            continue
        if attr in model.native_attributes:
            state[attr] = {"__native__": model._save_native(attr, value, folder)}
        else:
            state[attr] = encode(value, folder, attr)
    document = {
        "format": FORMAT, "kind": "forecaster", "name": name,
        "class": type(model).__qualname__, "params": encode(model.get_params(), None, ""),
        "features": list(getattr(model, "feature_names_", []) or []),
        "libraries": library_versions(), **metadata, "state": state,
        "files": checksums(folder),
    }
    path = folder / MODEL_FILE
    path.write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")
    return path


def _minor(text: str) -> tuple[str, ...]:
    return tuple(text.split(".")[:2])


def check_versions(saved: dict[str, str], path: Path) -> None:
    """Raise :class:`ConfigError` when a library recorded in ``saved`` is missing or has
    another major.minor version here."""
    installed = library_versions()
    for library, then in saved.items():
        now = installed.get(library)
        if now is None or _minor(now) != _minor(then):
            raise ConfigError(
                f"model {path} was saved with {library} {then} but this environment has "
                f"{library} {now or 'not installed'}; install {library}=={then} or retrain "
                "with salesforge run.")


def load_model(path: str | Path, registry: Any) -> tuple[Forecaster, dict[str, Any]]:
    """The fitted forecaster saved at ``path`` (a model folder or its model.json) and its
    document; version or feature mismatches raise :class:`ConfigError`."""
    path = Path(path)
    file = path / MODEL_FILE if path.is_dir() else path
    if not file.is_file():
        raise ConfigError(f"no saved model at {file}; pass model=<run dir or model folder>.")
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"{file} is not a salesforge model file ({error}).") from None
    if isinstance(document, dict) and document.get("kind") == "forecaster" and \
            document.get("format") == 1:
        raise DataError(f"model {file} was saved by an older salesforge (format 1, without "
                        "file checksums); retrain it with salesforge run.")
    if not isinstance(document, dict) or document.get("format") != FORMAT or \
            document.get("kind") != "forecaster":
        raise DataError(f"{file} is not a salesforge forecaster file of format {FORMAT}.")
    verify_files(file.parent, document)
    check_versions(document.get("libraries", {}), file)
    info = registry.get("forecaster", document["name"])
    if info.cls.__qualname__ != document["class"]:
        raise ConfigError(f"model {file} was saved from class {document['class']} but forecaster "
                          f"{document['name']!r} is now {info.cls.__qualname__}; retrain it.")
    model = info.cls(**decode(document["params"], None))
    for attr, node in document["state"].items():
        if isinstance(node, dict) and "__native__" in node:
            native = model_file(file.parent, node["__native__"]).name
            setattr(model, attr, model._load_native(attr, file.parent, native))
        else:
            setattr(model, attr, decode(node, file.parent))
    check_features(model, document.get("features", []), file)
    return model, document


def check_features(model: Forecaster, saved: list[str], path: Path) -> None:
    """Raise :class:`ConfigError` when the features recorded in the file differ from the
    model's or from those this version of the code builds."""
    fitted = list(getattr(model, "feature_names_", []) or [])
    expected = model.expected_features() if hasattr(model, "expected_features") else fitted
    if saved != fitted or fitted != list(expected):
        raise ConfigError(
            f"model {path} was trained on features {saved} but this salesforge builds "
            f"{list(expected)}; retrain it with salesforge run.")
