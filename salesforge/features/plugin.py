"""Built-in feature builders."""

from salesforge.features.calendar import CalendarFeatures, CalendarFeaturesConfig
from salesforge.features.frequency import FrequencyFeatures, FrequencyFeaturesConfig
from salesforge.features.holiday_calendar import HolidayFeatures, HolidayFeaturesConfig
from salesforge.features.lags import LagFeatures, LagFeaturesConfig
from salesforge.features.price_tiers import PriceTierFeatures, PriceTierFeaturesConfig
from salesforge.features.promotions import PromotionFeatures, PromotionFeaturesConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    add = registry.add
    add("feature_builder", "calendar", CalendarFeatures, config=CalendarFeaturesConfig)
    add("feature_builder", "holidays", HolidayFeatures, config=HolidayFeaturesConfig)
    add("feature_builder", "lags", LagFeatures, config=LagFeaturesConfig)
    add("feature_builder", "price_tiers", PriceTierFeatures, config=PriceTierFeaturesConfig)
    add("feature_builder", "frequency", FrequencyFeatures, config=FrequencyFeaturesConfig)
    add("feature_builder", "promotions", PromotionFeatures, config=PromotionFeaturesConfig)
