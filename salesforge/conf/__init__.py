"""The packaged Hydra config tree (a package so Hydra finds it from a wheel)."""
