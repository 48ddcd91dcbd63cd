"""The frames earlier stages leave on the run context, for the stages that read them."""

from __future__ import annotations

import pandas as pd

from salesforge.schema import RunContext


def clean_frame(ctx: RunContext) -> pd.DataFrame:
    """``ctx.clean``, the cleaned transactions; ``RuntimeError`` when the clean stage has
    not run (every stage that reads them requires it, :data:`salesforge.stages.REQUIRES`)."""
    if ctx.clean is None:
        raise RuntimeError("the clean data is not there: the clean stage has not run")
    return ctx.clean
