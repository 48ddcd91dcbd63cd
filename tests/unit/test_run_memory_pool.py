"""A run switches Arrow to jemalloc (issue 20: mimalloc spent most of a 10 M-row load
zeroing fresh pages), unless the user chose a pool with ``ARROW_DEFAULT_MEMORY_POOL``.
Each case in a fresh interpreter: the pool is process-wide."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

SCRIPT = """
import pyarrow as pa
from salesforge.exec.memory import use_run_memory_pool
before = pa.default_memory_pool().backend_name
print(before, use_run_memory_pool(), pa.default_memory_pool().backend_name)
"""


def backends(**env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env={**environ, **env},
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.split()


def has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(not has_jemalloc(), reason="this pyarrow build has no jemalloc pool")
def test_a_run_uses_jemalloc_for_arrow():
    _before, chosen, now = backends()
    assert chosen == now == "jemalloc"


def test_the_users_choice_of_pool_is_kept():
    before, chosen, now = backends(ARROW_DEFAULT_MEMORY_POOL="system")
    assert before == chosen == now == "system"
