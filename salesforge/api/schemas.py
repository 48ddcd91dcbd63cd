"""Request bodies of the REST API (pydantic validates them; extra keys are refused)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ID = r"^[a-z]+-[0-9a-f]{12}$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ForecastTrain(Body):
    dataset: str = Field(pattern=ID, description="dataset id from POST /api/upload")
    models: list[str] = Field(default_factory=lambda: ["seasonal_naive", "linear",
                                                      "window_median"],
                              min_length=1, max_length=8, description="forecaster names")
    horizon: int = Field(28, ge=1, le=366)
    freq: str = Field("D", pattern=r"^[A-Za-z0-9-]{1,8}$")
    target: str = Field("revenue", pattern=r"^(revenue|quantity)$")
    by: list[str] = Field(default_factory=list, max_length=3)
    overrides: list[str] = Field(default_factory=list, max_length=32,
                                 description="further config overrides, e.g. backtest.windows=2")
    exog_future: str | None = Field(None, pattern=ID, description=(
        "dataset id of uploaded future covariates (POST /api/upload?kind=covariates) for "
        "forecast.exog"))


class Predict(Body):
    model: str | None = Field(None, pattern=ID,
                              description="model id; default the loaded forecast model")
    horizon: int | None = Field(None, ge=1, le=366,
                                description="periods ahead; default the trained horizon")


class PredictBatch(Body):
    requests: list[Predict] = Field(min_length=1, max_length=32)


class SegmentTrain(Body):
    dataset: str = Field(pattern=ID)
    segmenter: str = Field("kmeans", pattern=r"^[A-Za-z0-9_]{1,40}$")
    entity: str | None = Field(None, min_length=1, max_length=80,
                               description="column to segment; default the segmenter's own")
    overrides: list[str] = Field(default_factory=list, max_length=32)


class SegmentPredict(Body):
    model: str | None = Field(None, pattern=ID,
                              description="model id; default the loaded segmentation model")
    entities: list[str] = Field(min_length=1, max_length=1000)


class AnomalyDetect(Body):
    dataset: str = Field(pattern=ID)
    detector: str = Field("mad", pattern=r"^[A-Za-z0-9_]{1,40}$")
    overrides: list[str] = Field(default_factory=list, max_length=32)
    limit: int = Field(100, ge=0, le=10000, description="anomalies returned (most severe)")
    labels: str | None = Field(None, pattern=ID, description=(
        "dataset id of uploaded anomaly labels (POST /api/upload?kind=labels) to score the flags"))


class RunRequest(Body):
    dataset: str = Field(pattern=ID)
    overrides: list[str] = Field(default_factory=list, max_length=64,
                                 description="Hydra overrides, e.g. reporter=[csv,html]")
    labels: str | None = Field(None, pattern=ID, description="dataset id of anomaly labels")
    exog_future: str | None = Field(None, pattern=ID,
                                    description="dataset id of future covariates")


class LoadModel(Body):
    model: str = Field(pattern=ID)
