"""Arrow's memory pool for runs over millions of rows.

pyarrow's wheels allocate with mimalloc by default. Measured on the 2-core Linux machine of
``docs/benchmarks.md``, reading the 10 M-row sample CSV took 9.7 s with mimalloc (11.5 s of
it kernel time zeroing fresh pages: freed pages go back to the system and come back as new
ones) and 4.2 s with jemalloc, at a lower peak RSS (1.9 GB against 2.3 GB); reading
``clean.parquet`` of 5 M rows, 2.3 s against 1.0 s.

:func:`use_run_memory_pool` switches the process to jemalloc where the pyarrow build has it;
a user's own choice through ``ARROW_DEFAULT_MEMORY_POOL`` is left alone.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

#: The environment variable with which Arrow lets a user choose the pool.
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def use_run_memory_pool() -> str:
    """Make jemalloc Arrow's default pool (unless ``ARROW_DEFAULT_MEMORY_POOL`` is set or
    the build lacks it); the backend now in use."""
    import pyarrow as pa

    if os.environ.get(ARROW_POOL_VARIABLE):
        return pa.default_memory_pool().backend_name
    if pa.default_memory_pool().backend_name != "jemalloc":
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except NotImplementedError:  # a pyarrow built without jemalloc keeps its pool
            log.debug("pyarrow has no jemalloc pool; keeping %s",
                      pa.default_memory_pool().backend_name)
    return pa.default_memory_pool().backend_name
