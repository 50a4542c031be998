"""What the metrics endpoints answer, as Pydantic models: the API description is generated
from them (tractatus_site/openapi.py), and the tests check real answers against it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

Window = Literal["24h", "7d", "30d"]


class Tally(BaseModel):
    operations: int = Field(ge=0)
    blocked: int = Field(ge=0)


class ServiceFigures(BaseModel):
    key: str
    name: str
    windows: dict[Window, Tally]


class Enforcement(BaseModel):
    uptime_percent: float
    bypasses: int = Field(ge=0)


class LatestSnapshot(BaseModel):
    """The latest accepted snapshot, normalised, with the hashes to fetch and check it."""

    generated_at: datetime
    ingested_at: datetime
    source: str
    demo: bool
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    previous_sha256: str = Field(description="empty for the first snapshot")
    deployed_since: date
    log_index: int | None = Field(description="its entry in the transparency log")
    services: list[ServiceFigures]
    tenant_isolation: dict[Window, int]
    enforcement: Enforcement


class LiveFigures(BaseModel):
    """The state line and every figure as the pages show it, by figure id."""

    state: str
    state_label: str
    sha256: str | None
    as_of: datetime | None
    as_of_text: str
    figures: dict[str, str]
