"""What the log's API answers, as Pydantic models for the API description."""

from __future__ import annotations

from pydantic import BaseModel, Field, create_model


class InclusionProof(BaseModel):
    index: int = Field(ge=0)
    size: int = Field(ge=1)
    leaf_hash: str = Field(description="base64")
    proof: list[str] = Field(description="base64 hashes, RFC 9162 §2.1.3")


# "from" is a Python keyword: an alias would be described by its field's name ("from_"), so the
# model is made with the answer's own key.
ConsistencyProof = create_model(
    "ConsistencyProof",
    **{
        "from": (int, Field(ge=0)),
        "to": (int, Field(ge=0)),
        "proof": (list[str], Field(description="base64 hashes, RFC 9162 §2.1.4")),
    },
)


class LogIndex(BaseModel):
    log_index: int = Field(ge=0)
    kind: str = Field(json_schema_extra={"enum": ["audit_event", "snapshot"]})
