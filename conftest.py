"""Test-session settings for every test folder (``tests/`` and ``plugins/*/tests``).

``pytest -n 2`` runs two workers on the 2-core machine; a model library that also starts
one OpenMP thread per core in each worker (XGBoost, LightGBM, scikit-learn's KMeans), and
in each ``salesforge`` subprocess a test starts, puts four busy threads on two cores and
the suite slows by about a fifth. One OpenMP thread per process unless the caller set it;
config values such as ``n_jobs`` are not touched.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
