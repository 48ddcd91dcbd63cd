"""Names for value segments: Star / Premium / Volume / Low from revenue and frequency;
segments sharing one of those names are told apart by the traits that distinguish them."""

from __future__ import annotations

import pandas as pd

from salesforge.i18n import N_, gettext

#: (high revenue, high frequency) -> segment name.
NAMES = {
    (True, True): N_("Star Products"),
    (True, False): N_("Premium Products"),
    (False, True): N_("Volume Products"),
    (False, False): N_("Low Performers"),
}
#: Order names appear in (best first) when segments are listed.
NAME_ORDER = ("Star Products", "Premium Products", "Volume Products", "Low Performers")
#: How a feature reads when a segment's centre is above / below its siblings'.
TRAIT_WORDS = {
    "revenue": (N_("more revenue"), N_("less revenue")),
    "transactions": (N_("more orders"), N_("fewer orders")),
    "units": (N_("more units"), N_("fewer units")),
    "avg_price": (N_("higher price"), N_("lower price")),
    "growth": (N_("faster growth"), N_("slower growth")),
    "margin": (N_("higher margin"), N_("lower margin")),
    "demand_cv": (N_("more erratic demand"), N_("steadier demand")),
    "recency_days": (N_("longer since last sale"), N_("more recent sales")),
}
#: The word of the first of segments ranked by revenue (" — top").
TOP = N_("top")
#: Features never named as traits (``revenue_share`` says what ``revenue`` says).
NOT_TRAITS = ("revenue_share",)
#: Traits in the name of a segment that shares its quadrant name.
TRAITS_SHOWN = 2


def quadrant_names(revenue: pd.Series, frequency: pd.Series, labels,
                   centres: pd.DataFrame | None = None) -> dict[int, str]:
    """Name each segment from its centre's mean revenue and frequency against the medians
    of all entities. Segments sharing a name get the traits that set each apart from the
    others of that name ("Volume Products — more units, lower price"), from ``centres``
    (segment id x feature, in comparable units, e.g. standardised); without ``centres``,
    or when traits cannot tell them apart, they are ranked by revenue (" — top", " — 2")."""
    means = pd.DataFrame({"revenue": revenue.to_numpy(), "frequency": frequency.to_numpy()}
                         ).groupby(list(labels)).mean()
    base = {int(segment): NAMES[(bool(row.revenue >= revenue.median()),
                                 bool(row.frequency >= frequency.median()))]
            for segment, row in means.iterrows()}
    if centres is not None:
        base = trait_names(base, centres)
    return rank_duplicates(base, means["revenue"])


def trait_names(base: dict[int, str], centres: pd.DataFrame) -> dict[int, str]:
    """``base`` with each name that several segments share qualified by the traits in which
    a segment's centre differs most from the mean of the others of that name
    (:data:`TRAIT_WORDS`, :data:`TRAITS_SHOWN` of them, more where that is what makes the
    names unique). Names that stay equal are left for :func:`rank_duplicates`."""
    features = [c for c in centres.columns if c not in NOT_TRAITS]
    names = dict(base)
    for name in dict.fromkeys(base.values()):
        siblings = [s for s, n in base.items() if n == name]
        if len(siblings) < 2:
            continue
        part = centres.loc[siblings, features].astype(float)
        ranked = {}
        for segment in siblings:
            gap = part.loc[segment] - part.drop(index=segment).mean()
            order = gap.abs().sort_values(ascending=False, kind="stable").index
            ranked[segment] = [_trait(f, float(gap[f])) for f in order if gap[f] != 0]
        for shown in range(TRAITS_SHOWN, len(features) + 1):
            named = {s: _qualified(name, ranked[s][:shown]) for s in siblings}
            if len(set(named.values())) == len(siblings) or shown == len(features):
                names.update(named)
                break
    return names


def _trait(feature: str, gap: float) -> str:
    higher, lower = TRAIT_WORDS.get(feature, (f"higher {feature}", f"lower {feature}"))
    return higher if gap > 0 else lower


def _qualified(name: str, traits: list[str]) -> str:
    return f"{name} — {', '.join(traits)}" if traits else name


def rank_duplicates(base: dict[int, str], order_by: pd.Series) -> dict[int, str]:
    """Make names unique: segments sharing a name get " — top", " — 2", ... by descending
    ``order_by`` (indexed by segment id)."""
    names: dict[int, str] = {}
    for name in dict.fromkeys(base.values()):
        members = [s for s, n in base.items() if n == name]
        ranked = order_by.loc[members].sort_values(ascending=False, kind="stable").index
        for rank, segment in enumerate(ranked, start=1):
            suffix = "" if len(ranked) == 1 else f" — {TOP if rank == 1 else rank}"
            names[int(segment)] = f"{name}{suffix}"
    return names


def localised_name(name: str, language: str) -> str:
    """A segment name as :func:`quadrant_names` writes it (English, as stored in
    ``segments/segments.csv``) in ``language``: "Volume Products — more units, lower
    price" -> "Produk Volume — unit lebih banyak, harga lebih rendah". Parts the catalog
    does not know (a plugin's names, custom features) stay as they are."""
    _ = gettext(language)
    base, sep, traits = name.partition(" — ")
    if not sep:
        return _(base)
    return f"{_(base)} — {', '.join(_(t) for t in traits.split(', '))}"
