"""The beacon's report as the API description gives it (measures/beacon.py checks it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .beacon import MAX_SECONDS


class BeaconReport(BaseModel):
    """A page view, or visible time when the page was hidden (docs/measures.md)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="a published page's address, e.g. /enforcement/")
    event: Literal["view", "leave"]
    entry: bool = False
    seconds: float = Field(default=0, ge=0, le=MAX_SECONDS,
                           description="required on a leave")
    continues: str | None = Field(default=None, description="the tab's entry page, on a view")
    resumed: bool = False
