"""The clean stage's data-drift check: settings, the reference run and ``manifest.data.drift``.

Every run profiles its clean data (:data:`~salesforge.data.profile.PROFILE`, artifact
``profile``) and compares the profile with an earlier run's (``data.drift.reference``):
``auto`` takes the newest earlier finished run of the run index whose profile has the same
numeric and categorical columns (and grain), a run id takes that run, ``false`` compares
with none. The result lands in ``manifest.data.drift`` — ``{"status", "reference_run",
"threshold", "largest", "columns", ...}``, or ``{"note": ...}`` when there is nothing to
compare with — and a ``drift`` status adds a ``data_drift`` run warning.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from salesforge.data.drift import DEFAULT_THRESHOLD, compare_profiles
from salesforge.data.profile import (
    PROFILE,
    profile_clean,
    profile_columns,
    read_profile,
    write_profile,
)
from salesforge.errors import ConfigError
from salesforge.run_warnings import add_warning
from salesforge.runs.lookup import EarlierRun, earlier_runs, pick_run, reference_setting
from salesforge.schema import RunContext

log = logging.getLogger(__name__)

#: Key of the drift entry in ``manifest.data``; the artifact key of the profile.
DRIFT_KEY = "drift"
PROFILE_ARTIFACT = "profile"
WARNING_CODE = "data_drift"
NO_REFERENCE = "no earlier run with a profile to compare with"
SWITCHED_OFF = "no comparison: data.drift.reference is false"


@dataclass(frozen=True)
class DriftSettings:
    """``data.drift`` checked: ``reference`` is ``"auto"``, a run id or ``None`` (off)."""

    reference: str | None = "auto"
    threshold: float = DEFAULT_THRESHOLD


def drift_settings(data_config: Mapping[str, Any] | None) -> DriftSettings:
    """``data.drift`` of a config's ``data`` node; a bad value is a :class:`ConfigError`
    naming its key."""
    node = data_config.get("drift") if data_config is not None else None
    if node is None:
        return DriftSettings()
    if not isinstance(node, Mapping):
        raise ConfigError(f"config key data.drift must be a mapping with reference and "
                          f"threshold, not {node!r}.")
    threshold = node.get("threshold", DEFAULT_THRESHOLD)
    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
            or not math.isfinite(threshold) or threshold <= 0:
        raise ConfigError(f"config key data.drift.threshold must be a PSI above 0 (e.g. 0.25), "
                          f"not {threshold!r}.")
    reference = reference_setting(node.get("reference", "auto"), "data.drift.reference")
    return DriftSettings(reference, float(threshold))


def record_drift(ctx: RunContext, settings: DriftSettings, *, grain: str = "rows") -> None:
    """Profile ``ctx.clean`` into :data:`PROFILE`, compare it with the reference run's
    profile and write ``manifest.data.drift`` (plus a warning on a ``drift`` status)."""
    profile = profile_clean(ctx.clean, grain=grain)
    write_profile(ctx.path(PROFILE), profile)
    ctx.record_artifact(PROFILE_ARTIFACT, PROFILE)
    entry = drift_entry(settings, ctx.config, ctx.manifest.get("run_id"), profile)
    ctx.manifest["data"][DRIFT_KEY] = entry
    warning = drift_warning(entry)
    if warning is not None:
        add_warning(ctx.manifest, "clean", WARNING_CODE, warning)
        log.warning(warning)


def drift_entry(settings: DriftSettings, config: Any, run_id: str | None,
                profile: Mapping[str, Any]) -> dict[str, Any]:
    """The ``manifest.data.drift`` entry of a run whose clean data has ``profile``."""
    if settings.reference is None:
        return {"note": SWITCHED_OFF}
    found = find_reference(settings.reference, config, run_id, profile)
    if found is None:
        return {"note": NO_REFERENCE}
    run, reference = found
    if reference is None:
        return {"note": f"the profile of run {run.run_id} "
                        f"({run.manifest['artifacts'][PROFILE_ARTIFACT]}) is missing or "
                        "unreadable; nothing to compare with", "reference_run": run.run_id}
    result = compare_profiles(reference, profile, settings.threshold)
    return {"status": result["status"], "reference_run": run.run_id,
            "threshold": result["threshold"], "largest": result["largest"],
            "columns": result["columns"], "bands": result["bands"],
            "columns_added": result["columns_added"],
            "columns_removed": result["columns_removed"],
            "reference_dates": reference.get("dates")}


def find_reference(setting: str, config: Any, run_id: str | None,
                   profile: Mapping[str, Any]
                   ) -> tuple[EarlierRun, dict[str, Any] | None] | None:
    """(earlier run, its profile or ``None`` when the file is gone) for ``setting``
    (``auto`` or a run id), or ``None`` when no run qualifies. ``auto`` only takes a
    profile with the same grain and columns as ``profile``."""
    if setting == "auto":
        wanted = profile_columns(profile)
        for run in earlier_runs(config, run_id, has_profile):
            reference = load_profile(run)
            if reference is not None and profile_columns(reference) == wanted:
                return run, reference
        return None
    picked = pick_run(setting, "data.drift.reference", config, run_id, has_profile)
    return (picked, load_profile(picked)) if picked is not None else None


def has_profile(manifest: Mapping[str, Any]) -> bool:
    """Whether a run's manifest lists a profile artifact."""
    return PROFILE_ARTIFACT in (manifest.get("artifacts") or {})


def load_profile(run: EarlierRun) -> dict[str, Any] | None:
    """An earlier run's profile, or ``None`` when its file is missing or unreadable."""
    return read_profile(run.path / str(run.manifest["artifacts"][PROFILE_ARTIFACT]))


def run_drift(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A run's ``manifest.data.drift`` when it holds a comparison (a ``status``), else
    ``None`` (no comparison, a note, or a manifest from before drift existed)."""
    data = manifest.get("data")
    entry = data.get(DRIFT_KEY) if isinstance(data, Mapping) else None
    return entry if isinstance(entry, Mapping) and "status" in entry else None


def describe(largest: Mapping[str, Any]) -> str:
    """``PSI 0.41`` or ``median product price +30.0%`` for a ``largest`` entry."""
    if largest["statistic"] == "median_price_change":
        return f"median product price {float(largest['value']):+.1%}"
    return f"{str(largest['statistic']).upper()} {float(largest['value']):.2f}"


def drift_warning(entry: Mapping[str, Any]) -> str | None:
    """The warning sentence for a ``drift`` status, else ``None``."""
    if entry.get("status") != "drift":
        return None
    drifted = [name for name, column in entry["columns"].items()
               if column["status"] == "drift"]
    names = drifted[0] if len(drifted) == 1 else \
        f"{', '.join(drifted[:-1])} and {drifted[-1]}"
    largest = entry.get("largest")
    detail = f" (largest: {largest['column']}, {describe(largest)})" if largest else ""
    return (f"The clean data drifted from run {entry['reference_run']}: {names} reached "
            f"status drift{detail}; see data.drift in manifest.json.")
