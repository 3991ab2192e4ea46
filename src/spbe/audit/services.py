"""Writing and verifying the audit log. Every state change of value calls ``record``."""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from spbe.core import context

from .chain import compute_hash
from .models import GENESIS_HASH, AuditEvent, ChainHead


def _json_safe(data: dict | None) -> dict:
    # Round-trip through JSON so what we hash is exactly what every database returns.
    return json.loads(json.dumps(data or {}, default=str, sort_keys=True))


def _actor_fields(actor) -> dict:
    ctx = context.current()
    user = actor if actor is not None else ctx.user
    kind = ctx.kind if actor is None else "user"
    if user is None or not getattr(user, "is_authenticated", False):
        user = None
        if kind in ("user", "token"):
            kind = "public"
    actor_repr = ctx.token_name if kind == "partner" else ""
    if user is not None:
        actor_repr = user.get_username()
        if kind == "token" and ctx.token_name:
            actor_repr = f"{actor_repr} (token {ctx.token_name})"
    return {
        "actor": user,
        "actor_kind": kind,
        "actor_repr": actor_repr[:200],
        "request_id": ctx.request_id,
        "ip_address": ctx.ip_address,
    }


def record(
    action: str,
    target: Model | None = None,
    *,
    agency=None,
    data: dict | None = None,
    actor=None,
    target_repr: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``action`` is a namespaced code such as ``inventory.application.created``. The event
    commits or rolls back together with the change it describes.
    """
    if agency is None and target is not None:
        from spbe.core.permissions import owner_agency_id

        agency_id = owner_agency_id(target)
    else:
        agency_id = getattr(agency, "pk", agency)
    event = AuditEvent(
        occurred_at=timezone.now(),
        agency_id=agency_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr if target_repr is not None else str(target) if target is not None else "")[:255],
        data=_json_safe(data),
        **_actor_fields(actor),
    )
    pending = _batch.get()
    if pending is not None:
        # Appended when the batch ends; registered with the transaction so that an event
        # whose savepoint is rolled back is dropped together with the change it describes.
        marker = _Pending(event)
        transaction.on_commit(marker)
        pending.append(marker)
        return event
    _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    """Link ``events`` to the chain in order. The head stays locked until the caller commits."""
    if not events:
        return
    # No savepoint: the events belong to the caller's transaction and fail with it.
    with transaction.atomic(savepoint=False):
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        sequence, previous = head.last_sequence, head.last_hash
        for event in events:
            sequence += 1
            event.sequence, event.prev_hash = sequence, previous
            event.hash = previous = compute_hash(event)
        AuditEvent.objects.bulk_create(events)
        ChainHead.objects.filter(pk=1).update(last_sequence=sequence, last_hash=previous)


class _Pending:
    """An event waiting for the end of its batch; a no-op when the transaction commits."""

    __slots__ = ("event",)

    def __init__(self, event: AuditEvent):
        self.event = event

    def __call__(self) -> None:
        pass


_batch: ContextVar[list | None] = ContextVar("audit_batch", default=None)


@contextmanager
def batched():
    """Inside a transaction: append the block's events to the chain in one go at its end.

    ``record`` locks the chain head until the transaction commits, so a transaction that
    records early and then works on (signs vouchers, renders, queues) keeps every other writer
    waiting that long. Within ``batched()`` the head is locked only from the end of the block to
    the commit — for hot paths such as paying an order. The events keep their order; those
    recorded inside a savepoint that was rolled back are left out. ``record`` returns the event
    unsaved (no sequence yet) inside a batch.
    """
    if _batch.get() is not None:
        yield
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.batched() must run inside a transaction")
    pending: list[_Pending] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    # Django drops a rolled-back savepoint's on-commit callbacks: the markers still
    # registered are the events whose changes stand.
    standing = {id(func) for _, func, _ in connection.run_on_commit}
    _append([marker.event for marker in pending if id(marker) in standing])


@dataclass
class ChainReport:
    ok: bool
    checked: int
    first_bad_sequence: int | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad_sequence": self.first_bad_sequence,
            "reason": self.reason,
        }


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first record that was altered, removed or inserted."""
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainReport(
                False,
                checked,
                expected_sequence,
                f"sequence gap: expected #{expected_sequence}, found #{event.sequence} (records removed)",
            )
        if event.prev_hash != expected_prev:
            return ChainReport(False, checked, event.sequence, "link to previous record broken")
        if compute_hash(event) != event.hash:
            return ChainReport(False, checked, event.sequence, "content does not match its hash (record altered)")
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    last_sequence = head.last_sequence if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_sequence != checked or last_hash != expected_prev:
        return ChainReport(
            False,
            checked,
            checked + 1 if last_sequence > checked else last_sequence,
            f"chain head says #{last_sequence} but the log ends at #{checked} (records removed at the end)",
        )
    return ChainReport(True, checked)


def history(target_type: str, target_id) -> list:
    """The events of one object, oldest first (for the history panel of its page)."""
    from .models import AuditEvent

    return list(AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("sequence"))
