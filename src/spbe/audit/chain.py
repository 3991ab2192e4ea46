"""Hashing rules of the audit chain, shared by writers and the verifier."""

from __future__ import annotations

import hashlib
import json

from .models import GENESIS_HASH, AuditEvent

HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_kind",
    "actor_repr",
    "agency_id",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "data",
    "request_id",
    "ip_address",
    "prev_hash",
)


def canonical_content(event: AuditEvent) -> bytes:
    values = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            value = value.isoformat(timespec="microseconds")
        values[name] = value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_content(event)).hexdigest()


__all__ = ["GENESIS_HASH", "canonical_content", "compute_hash"]
