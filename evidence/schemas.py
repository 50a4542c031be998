"""The shape of /api/evidence.json, for the API description (tractatus_site/openapi.py)."""

from __future__ import annotations

from pydantic import BaseModel


class EvidenceCheck(BaseModel):
    url: str
    checked_at: str
    status: int | None
    headers: dict[str, str | None]
    grade: str | None
    score: int | None
    sha256: str | None
    failure: str | None
    final_url: str | None
    certificate_days_left: int | None


class ChecksPage(BaseModel):
    """Every check of the partner's live evidence, newest first, 50 a page."""

    checks: list[EvidenceCheck]
    page: int
    pages: int
    next: str | None
