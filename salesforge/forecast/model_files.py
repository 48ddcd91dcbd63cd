"""What a saved model folder may hold, checked before anything in it is deserialised.

``model.json`` records the SHA-256 of every other file in the folder (``files``); a
folder whose referenced files are missing, unlisted or changed is refused, and so is a
file name that is not a plain name inside the folder (``..``, absolute paths, subfolders,
symlinks leading out). A ``.skops`` file loads only when every type skops does not trust
by default is in :data:`TRUSTED_TYPES`, matched exactly (never by prefix). The checksums
catch damaged or swapped files; they are no signature: load models only from folders you
trust to write them (the model store).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from salesforge.errors import DataError

MODEL_FILE = "model.json"
#: The exact type names in the .skops files of salesforge's own forecasters (linear: a
#: StandardScaler + Ridge pipeline; random_forest: a forest of regression trees),
#: found by saving each of them and listing the types in the files. The containers,
#: strings and ufuncs skops trusts by itself are not repeated here.
TRUSTED_TYPES = frozenset({
    "numpy.float64",
    "numpy.ndarray",
    "sklearn.ensemble._forest.RandomForestRegressor",
    "sklearn.linear_model._ridge.Ridge",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.tree._classes.DecisionTreeRegressor",
    "sklearn.tree._tree.Tree",
})
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}")


def shown(name: object) -> str:
    """``name`` as it may appear in a message: itself when it is a plain name, else a
    short escaped form (never raw text from a file)."""
    text = str(name)
    return text if _PLAIN.fullmatch(text) else ascii(text[:60])


def sha256(path: Path) -> str:
    """The hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """File name -> SHA-256 of every plain file in ``folder`` except ``model.json``."""
    return {p.name: sha256(p) for p in sorted(folder.iterdir())
            if p.name != MODEL_FILE and p.is_file() and not p.is_symlink()}


def model_file(folder: Path, name: Any) -> Path:
    """``folder / name`` when ``name`` is a plain file name of a regular file inside
    ``folder``; a :class:`DataError` otherwise."""
    plain = (isinstance(name, str) and name not in ("", ".", "..", MODEL_FILE)
             and "/" not in name and "\\" not in name and "\x00" not in name)
    path = folder / name if plain else None
    if path is None or (path.is_symlink() and path.resolve().parent != folder.resolve()):
        raise DataError(f"model folder {folder} refers to {shown(name)}, which is not a plain "
                        "file name inside the folder; refusing to load it.")
    return path


def referenced(state: dict[str, Any]) -> list[Any]:
    """The file names ``state`` (a model.json ``state``) reads: every ``__skops__`` entry
    at any depth and every top-level ``__native__`` entry."""
    found = [node["__native__"] for node in state.values()
             if isinstance(node, dict) and "__native__" in node]
    stack: list[Any] = list(state.values())
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__skops__" in node:
                found.append(node["__skops__"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def verify_files(folder: Path, document: dict[str, Any]) -> None:
    """Raise :class:`DataError` unless every file ``document`` reads is a plain name listed
    in its ``files`` and every listed file exists with the recorded SHA-256."""
    files = document.get("files")
    if not isinstance(files, dict):
        raise DataError(f"model folder {folder} has no file checksums in {MODEL_FILE} (saved "
                        "by an older salesforge); retrain it with salesforge run.")
    state = document.get("state")
    if not isinstance(state, dict):
        raise DataError(f"model folder {folder} has no fitted state in {MODEL_FILE}; retrain "
                        "it with salesforge run.")
    for name in referenced(state):
        if not isinstance(name, str) or name not in files:
            raise DataError(f"model folder {folder} reads {shown(name)}, which {MODEL_FILE} "
                            "does not list with a checksum; refusing to load it.")
    for name, digest in files.items():
        path = model_file(folder, name)
        if not path.is_file():
            raise DataError(f"model folder {folder} lacks {shown(name)}, listed in "
                            f"{MODEL_FILE}; copy the whole folder or retrain it.")
        if sha256(path) != digest:
            raise DataError(f"model folder {folder}: {shown(name)} does not match the "
                            f"checksum in {MODEL_FILE} (changed after saving); refusing to "
                            "load it.")


def load_skops(path: Path) -> Any:
    """The object in the .skops file at ``path``, refused with a :class:`DataError` when
    it holds a type skops does not trust that is not in :data:`TRUSTED_TYPES`."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as error:  # a malformed archive or schema: never loaded
        raise DataError(f"model folder {path.parent}: {path.name} is not a readable skops "
                        f"file ({type(error).__name__}); retrain the model.") from None
    unsafe = sorted(t for t in untrusted if t not in TRUSTED_TYPES)
    if unsafe:
        raise DataError(f"model folder {path.parent}: {path.name} holds type "
                        f"{shown(unsafe[0])}, which no salesforge model contains; refusing "
                        "to load it.")
    return sio.load(path, trusted=sorted(untrusted))
