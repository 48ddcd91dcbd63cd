"""The root of every component: scikit-learn's parameter conventions."""

from __future__ import annotations

import inspect
from abc import ABC
from typing import Any


class Component(ABC):  # noqa: B024 - the abstract methods are each kind's (base/*.py)
    """A configurable building block.

    Following scikit-learn: ``__init__`` stores its keyword arguments unchanged under the
    same names and does nothing else; validation happens when the component is used;
    attributes learnt from data end in ``_``; ``fit`` returns ``self``. Each kind's base
    class marks the methods a component must write as abstract: a class that leaves one
    out cannot be instantiated (``TypeError`` naming it), so the registry never builds a
    half-written component.

    Settings are declared once, in the component's config dataclass (its fields, types,
    defaults and ``#:`` docs are the ``conf/`` schema); the component is a dataclass over
    its kind's base and that config, so ``__init__`` is derived from it::

        @dataclass
        class ShrinkConfig:
            #: Weight of the series' mean.
            weight: float = 0.5

        @dataclass(eq=False)
        class Shrink(Forecaster, ShrinkConfig):
            def _fit(self, frame): ...

    ``eq=False`` keeps a component equal only to itself and hashable, as this base makes it.
    """

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, as stored."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Component:
        """Set constructor arguments; unknown names raise ``ValueError``."""
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}")
            setattr(self, name, value)
        return self

    def is_fitted(self) -> bool:
        """True once ``fit`` set at least one learnt (trailing-underscore) attribute."""
        return any(k.endswith("_") and not k.startswith("_") for k in vars(self))

    def _check_fitted(self) -> None:
        if not self.is_fitted():
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit() first.")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"
