"""What the audit endpoints answer, as Pydantic models for the API description."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from metrics.models import AuditEvent, IngestRun


class Event(BaseModel):
    """One of the framework's decisions, and the snapshot whose bytes first carried it."""

    id: str
    at: datetime
    service: str
    decision: str = Field(json_schema_extra={"enum": list(AuditEvent.Decision.values)})
    rule: str | None
    tenant: str
    detail: str | None
    snapshot_sha256: str
    demo: bool
    log_index: int | None = Field(description="its entry in the transparency log")


class EventsPage(BaseModel):
    events: list[Event]
    next: str | None = Field(description="the cursor of the next page; null on the last")


class SnapshotReference(BaseModel):
    sha256: str
    previous_sha256: str
    generated_at: datetime
    ingested_at: datetime
    source: str
    signed: bool
    url: str


class LogEntry(BaseModel):
    """One attempt to read the feed, as the public may know it."""

    time: datetime
    outcome: str = Field(json_schema_extra={"enum": list(IngestRun.Outcome.values)})
    outcome_label: str
    reason: str
    snapshot: SnapshotReference | None = Field(
        default=None, description="present for an accepted snapshot only"
    )


class ChainState(BaseModel):
    checked_at: datetime
    intact: bool
    verified_through: str
    broken_at: str
    problem: str


class IngestLogPage(BaseModel):
    page: int
    pages: int
    month: str | None
    chain: ChainState | None
    entries: list[LogEntry]
