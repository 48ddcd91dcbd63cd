"""Overrides that come from a client (the REST API, the results app): an allowlist of keys,
each with a typed, bounded value.

The operator's own command line may set anything; a client may not. A client never names
a server path, a storage URL, an executor or a Hydra setting, and never starts work that
cannot end. So every client override is parsed with Hydra's own override grammar and then
checked here:

- the key is one of :data:`SETTINGS` (exact keys, ``*`` standing for one key part such as
  a stage name), a component group (``forecaster=[a,b]``), or a setting of a registered
  component (``forecaster.random_forest.n_estimators``, ``detector.contamination``) whose
  name is not path-like (:data:`PATH_LIKE`) and whose default is a plain value;
- the value has the key's type and lies within its bounds (:data:`COMPONENT_BOUNDS` for
  component settings, a generic bound otherwise);
- no value anywhere looks like a path or a URL, holds an interpolation (``${...}``) or is
  a sweep; no ``+``/``++``/``~`` forms, no ``@package``.

A refusal is :class:`~salesforge.errors.ConfigError` with one sentence naming the key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.errors import OverrideParseException

from salesforge.config import GROUP_KINDS
from salesforge.errors import ConfigError
from salesforge.schema import STAGES

#: Groups a client may choose components in (never ``executor``: it names hosts).
CLIENT_GROUPS = ("forecaster", "features", "segmenter", "detector", "reporter", "cleaner",
                 "analyzer")
#: Component setting names never settable by a client: they name files, folders, hosts or
#: processes (by key; values are checked too, see :func:`looks_like_path`).
PATH_LIKE = re.compile(r"(^|_)(path|paths|file|filename|folder|dir|directory|labels|storage|"
                       r"uri|url|address|host|exog_future|out|output|query|table|n_jobs|"
                       r"params)($|_)")
_NAME = re.compile(r"^[\w][\w .:()%#&+-]{0,79}$", re.UNICODE)
_FREQ = re.compile(r"^\d{0,3}(D|B|W|W-[A-Z]{3}|MS|M|ME|QS|Q|QE|YS|Y|YE|h|H)$")
_WORD = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_LIST = 64


@dataclass(frozen=True)
class Kind:
    """A value type: ``describe`` for messages, ``check(value)`` true when it fits."""

    describe: str
    check: Callable[[Any], bool]
    nullable: bool = False

    def accepts(self, value: Any) -> bool:
        return (value is None and self.nullable) or (value is not None and self.check(value))


def _int(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: type(v) is int and low <= v <= high


def _float(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: (type(v) in (int, float) and math.isfinite(v) and low <= v <= high)


def _list(item: Callable[[Any], bool], most: int = MAX_LIST) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, list) and len(v) <= most and all(item(x) for x in v)


def _choice(*options: str) -> Callable[[Any], bool]:
    return lambda v: v in options


def _name(value: Any) -> bool:
    return isinstance(value, str) and bool(_NAME.match(value)) and not looks_like_path(value)


def _word(value: Any) -> bool:
    return isinstance(value, str) and bool(_WORD.match(value))


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def whole(low: int, high: int, nullable: bool = False) -> Kind:
    return Kind(f"a whole number from {low:,} to {high:,}", _int(low, high), nullable)


def number(low: float, high: float, nullable: bool = False) -> Kind:
    return Kind(f"a number from {low:g} to {high:g}", _float(low, high), nullable)


def choice(*options: str) -> Kind:
    return Kind(f"one of {', '.join(options)}", _choice(*options))


BOOL = Kind("true or false", _is_bool)
NAME = Kind("a column or component name (letters, digits, spaces, _ . - ; no slashes)", _name)
NAMES = Kind(f"a list of at most {MAX_LIST} names", _list(_name))
FREQ = Kind("a pandas frequency such as D, W, W-FRI, MS or QS", lambda v: isinstance(v, str)
            and bool(_FREQ.match(v)))
WORDS = Kind("a list of names (letters, digits, _ and -)", _list(_word, 16))
TITLE = Kind("a text of at most 120 characters", lambda v: isinstance(v, str) and len(v) <= 120
             and "\x00" not in v)
LEVELS = Kind("a list of at most 5 levels between 0.5 and 0.999", _list(_float(0.5, 0.999), 5))
LAGS = Kind("a list of at most 32 whole numbers from 1 to 400", _list(_int(1, 400), 32))

#: Plain settings a client may set: key pattern (``*`` = one key part) -> value type.
SETTINGS: dict[str, Kind] = {
    "forecast.target": choice("revenue", "quantity"),
    "forecast.freq": Kind("auto or a pandas frequency such as D, W, W-FRI, MS or QS",
                          lambda v: v == "auto" or FREQ.check(v)),
    "forecast.horizon": whole(1, 366),
    "forecast.by": Kind("a list of at most 3 column names", _list(_name, 3)),
    "forecast.fill": choice("zero", "gap"),
    "forecast.baseline": Kind("a forecaster name", _word),
    "forecast.select": choice("global", "per_series"),
    "forecast.intermittent": Kind("auto or a list of at most 8 forecaster names",
                                  lambda v: v == "auto" or _list(_word, 8)(v)),
    "forecast.metric": Kind("a metric name", _word),
    "forecast.interval_level": number(0.5, 0.999),
    "forecast.interval_levels": LEVELS,
    "forecast.reconcile": choice("none", "bottom_up", "ols", "mint"),
    "forecast.save_models": BOOL,
    "forecast.exog": Kind("a list of at most 20 column names", _list(_name, 20)),
    "backtest.windows": whole(1, 12),
    "backtest.step": whole(1, 366, nullable=True),
    "tuning.enabled": BOOL,
    "tuning.n_trials": whole(1, 100),
    "tuning.timeout": number(1, 1800, nullable=True),
    "tuning.metric": Kind("a metric name", _word, nullable=True),
    "tuning.seed": whole(0, 2**31 - 1),
    "tuning.models": WORDS,
    "detect.series": BOOL,
    "detect.target": choice("revenue", "quantity"),
    "detect.freq": FREQ,
    "detect.by": Kind("a list of at most 3 column names", _list(_name, 3)),
    "detect.season": whole(1, 366, nullable=True),
    "detect.cycles": whole(1, 52),
    "detect.series_detector": Kind("a detector name", _word),
    "detect.series_settings.threshold": number(0.5, 100),
    "detect.drill": Kind("a list of at most 6 column names", _list(_name, 6)),
    "detect.top_causes": whole(0, 50),
    "detect.partition_by": Kind("a column name", _name, nullable=True),
    "segment.entity": Kind("a column name", _name, nullable=True),
    "segment.freq": FREQ,
    "report.title": TITLE,
    "report.language": choice("en", "id"),
    "report.currency": Kind("a three-letter currency code", lambda v: isinstance(v, str)
                            and bool(re.fullmatch(r"[A-Z]{3}", v))),
    "report.sections": WORDS,
    "report.moving_average": whole(1, 366),
    "report.png": BOOL,
    "stages.*": BOOL,
    "data.columns.*": Kind("a column name", _name, nullable=True),
    "data.dayfirst": Kind("true, false or null", _is_bool, nullable=True),
    "data.options.delimiter": Kind("one of , ; | or a tab", _choice(",", ";", "|", "\t"),
                                   nullable=True),
    "data.options.encoding": Kind("an encoding name such as utf-8 or latin-1", _word,
                                  nullable=True),
    "data.options.sheet": Kind("a sheet name or position", lambda v: _name(v)
                               or _int(0, 255)(v), nullable=True),
}

#: Bounds of component settings by setting name (others: :data:`GENERIC_INT`/``FLOAT``).
COMPONENT_BOUNDS: dict[str, Kind] = {
    "n_estimators": whole(1, 1000),
    "max_depth": whole(1, 32, nullable=True),
    "min_samples_leaf": whole(1, 10_000),
    "max_rows_per_tree": whole(100, 1_000_000, nullable=True),
    "max_samples": whole(16, 100_000),
    "n_clusters": whole(2, 20, nullable=True),
    "k_min": whole(2, 20),
    "k_max": whole(2, 20),
    "lags": LAGS,
    "windows": LAGS,
    "season_length": whole(1, 400, nullable=True),
    "contamination": number(0.0005, 0.5, nullable=True),
    "uncertainty_samples": whole(0, 1000),
    "horizon": whole(1, 366),
    "tiers": whole(2, 20),
    "top_n": whole(1, 1000),
    "max_table_rows": whole(1, 10_000),
    "members": WORDS,
    "features": NAMES,
}
GENERIC_INT = whole(-1_000_000, 1_000_000)
GENERIC_FLOAT = number(-1e6, 1e6)


def looks_like_path(value: str) -> bool:
    """Whether a text value could name a file, folder or URL on the server."""
    text = value.strip()
    return (any(c in text for c in "/\\\x00") or text.startswith(("~", ".")) or ".." in text
            or bool(re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://|[A-Za-z]:|file:)", text)))


def _component_kind(default: Any) -> Kind | None:
    """The value type of a component setting from its default (``None``: not settable)."""
    if isinstance(default, bool):
        return BOOL
    if isinstance(default, int):
        return GENERIC_INT
    if isinstance(default, float):
        return GENERIC_FLOAT
    if isinstance(default, str):
        return NAME
    if default is None:
        return Kind("a number, true/false, a name or null", lambda v: v is None
                    or _is_bool(v) or GENERIC_FLOAT.accepts(v) or _name(v), nullable=True)
    if isinstance(default, list):
        return Kind(f"a list of at most {MAX_LIST} numbers or names", _list(
            lambda v: _name(v) or GENERIC_FLOAT.accepts(v)))
    return None  # dicts and other structures stay under the operator's control


def _settings_of(registry: Any, kind: str, name: str) -> dict[str, Any]:
    try:
        return registry.get(kind, name).settings()
    except Exception:  # an unknown component is reported by check_overrides
        return {}


def _component_setting(key: str, registry: Any) -> Kind | None:
    """The value type of ``forecaster.<name>.<setting>``, ``detector.<setting>`` and the
    like, or ``None`` when ``key`` is no client-settable component setting."""
    group, _, rest = key.partition(".")
    if group not in CLIENT_GROUPS or not rest:
        return None
    kind = GROUP_KINDS[group]
    if group in ("forecaster", "features", "reporter"):  # list groups: <group>.<name>.<key>
        name, _, setting = rest.partition(".")
        settings = _settings_of(registry, kind, name)
    else:
        setting = rest
        settings = {}
        for name in registry.names(kind):
            settings.update(_settings_of(registry, kind, name))
    if not setting or "." in setting or setting not in settings or PATH_LIKE.search(setting):
        return None
    if group == "reporter":  # reporter settings name output files
        return None
    return COMPONENT_BOUNDS.get(setting) or _component_kind(settings[setting])


def _plain_setting(key: str) -> Kind | None:
    if key in SETTINGS:
        return SETTINGS[key]
    head, _, last = key.rpartition(".")
    kind = SETTINGS.get(f"{head}.*")
    if kind is None:
        return None
    if head == "stages" and last not in STAGES:
        return None
    return kind


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)


def _parse(overrides: Sequence[str]) -> list[Override]:
    try:
        return OverridesParser.create().parse_overrides([str(o) for o in overrides])
    except OverrideParseException as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"could not read the override: {first}.") from None


def check_client_overrides(overrides: Sequence[str], registry: Any) -> None:
    """Raise :class:`ConfigError` unless every override is one a client may send."""
    for override, text in zip(_parse(overrides), overrides, strict=True):
        key = override.key_or_group
        if override.type is not OverrideType.CHANGE or override.package is not None:
            raise ConfigError(f"override {text!r} adds, deletes or re-packages a key, which a "
                              "client may not do; set an existing key with key=value.")
        if override.is_sweep_override():
            raise ConfigError(f"override {text!r} is a sweep; a client sends one value.")
        value = override.value()
        for part in _strings(value):
            if "${" in part:
                raise ConfigError(f"config key {key!r} holds an interpolation (${{...}}), "
                                  "which a client may not send; give the value itself.")
        if key in CLIENT_GROUPS:
            names = value if isinstance(value, list) else [value]
            if not names or not all(_word(n) for n in names) or len(names) > 8:
                raise ConfigError(f"config key {key!r} takes one to eight component names.")
            continue
        kind = _plain_setting(key) or _component_setting(key, registry)
        if kind is None:
            raise ConfigError(
                f"config key {key!r} cannot be set by a client; allowed are component choices, "
                "their numeric and named settings and the plain settings listed in "
                "docs/security.md.")
        if isinstance(value, str) and looks_like_path(value) and kind is not TITLE:
            raise ConfigError(f"config key {key!r} was given a path or URL; a client never "
                              "names a server file (upload it and pass its dataset id).")
        if not kind.accepts(value):
            raise ConfigError(f"config key {key!r} must be {kind.describe}"
                              f"{' or null' if kind.nullable else ''}.")
