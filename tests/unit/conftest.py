"""Shared helpers for the unit tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

#: The read-only evaluation datasets, next to the repository: ``../shared/datasets``.
SHARED_DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def require_dataset(relative: str) -> Path:
    """The path of ``../shared/datasets/<relative>``; skips the test when it is absent."""
    path = SHARED_DATASETS / relative
    if not path.is_file():
        pytest.skip(f"../shared/datasets not present: {path} does not exist")
    return path


@pytest.fixture(scope="session")
def shared_dataset() -> Callable[[str], Path]:
    """Call with a path relative to ``../shared/datasets``; skips when the file is absent."""
    return require_dataset
