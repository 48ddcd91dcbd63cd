"""Messages for clients without server paths: the store's folder is cut off, and any other
absolute path is reduced to its last part (a client never learns where files live)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: An absolute file path (not one of the API's own URL paths, which messages name).
_ABSOLUTE = re.compile(r"(?<![\w.:/])(?!/api/|/docs\b)(?:/[^\s'\"()\[\],;:]+)+")


def redact(text: str, roots: Iterable[str | Path] = ()) -> str:
    """``text`` with each of ``roots`` (and everything under it) shown relative to it and
    every other absolute path shown as its file name."""
    for root in sorted({str(Path(r)) for r in roots}, key=len, reverse=True):
        text = text.replace(root + "/", "").replace(root, "<store>")
    return _ABSOLUTE.sub(lambda m: Path(m.group(0)).name or "<path>", text)


def redact_tree(value: Any, root: str | Path) -> Any:
    """``value`` (JSON-like) with ``root`` cut from every text inside it: a manifest or a
    comparison shows where data lies relative to the store, never the server's folders."""
    prefix = str(Path(root))
    if isinstance(value, str):
        return redact(value, [prefix]) if prefix in value else value
    if isinstance(value, dict):
        return {k: redact_tree(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_tree(v, prefix) for v in value]
    return value
