"""The audit log is append-only and any tampering is found, with the first bad record named."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from spbe.audit import services
from spbe.audit.models import AppendOnlyError, AuditEvent
from spbe.core import context
from tests.support.triggers import audit_triggers_lifted


def _fill(n: int = 6) -> list[AuditEvent]:
    with context.acting_as():
        return [services.record("test.thing.happened", data={"n": i, "note": "café ✓"}) for i in range(n)]


def _raw(sql: str, params=()):
    with audit_triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_chain_links_every_event_and_verifies():
    events = _fill()
    assert [e.sequence for e in events] == list(range(1, 7))
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    report = services.verify_chain()
    assert report.ok and report.checked == 6


@pytest.mark.django_db
def test_altered_content_is_detected_at_that_record():
    _fill()
    _raw("UPDATE audit_auditevent SET data = %s WHERE sequence = 4", [json.dumps({"n": 99, "note": "café ✓"})])
    report = services.verify_chain()
    assert not report.ok
    assert report.first_bad_sequence == 4
    assert "altered" in report.reason
    assert report.checked == 3


@pytest.mark.django_db
def test_altered_actor_is_detected():
    _fill()
    _raw("UPDATE audit_auditevent SET actor_repr = 'someone-else' WHERE sequence = 2")
    assert services.verify_chain().first_bad_sequence == 2


@pytest.mark.django_db
def test_rehashed_record_breaks_the_next_link():
    """An attacker who also recomputes the altered record's hash still breaks record n+1."""
    _fill()
    _raw("UPDATE audit_auditevent SET target_repr = 'forged' WHERE sequence = 3")
    forged = AuditEvent.objects.get(sequence=3)
    from spbe.audit.chain import compute_hash

    _raw("UPDATE audit_auditevent SET hash = %s WHERE sequence = 3", [compute_hash(forged)])
    report = services.verify_chain()
    assert report.first_bad_sequence == 4
    assert "link" in report.reason


@pytest.mark.django_db
def test_deleted_record_in_the_middle_is_detected():
    _fill()
    _raw("DELETE FROM audit_auditevent WHERE sequence = 3")
    report = services.verify_chain()
    assert report.first_bad_sequence == 3
    assert "gap" in report.reason


@pytest.mark.django_db
def test_deleted_tail_is_detected_against_the_chain_head():
    _fill()
    _raw("DELETE FROM audit_auditevent WHERE sequence >= 5")
    report = services.verify_chain()
    assert not report.ok
    assert report.first_bad_sequence == 5


@pytest.mark.django_db
def test_orm_refuses_update_and_delete():
    event = _fill(1)[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_database_triggers_refuse_raw_update_and_delete():
    _fill(2)
    for sql in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 2
    assert services.verify_chain().ok


@pytest.mark.django_db
def test_verify_command_reports_first_tampered_record_and_exits_1():
    _fill()
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "6 records verified" in out.getvalue()
    _raw("UPDATE audit_auditevent SET action = 'forged' WHERE sequence = 5")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", "--format", "json", stdout=out)
    assert exit_info.value.code == 1
    report = json.loads(out.getvalue())
    assert report == {"ok": False, "checked": 4, "first_bad_sequence": 5, "reason": report["reason"]}


@pytest.mark.django_db
def test_event_is_rolled_back_with_the_change_it_describes():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record("test.rolled.back")
        raise RuntimeError
    assert AuditEvent.objects.count() == 0
    _fill(1)
    assert services.verify_chain().ok


@pytest.mark.django_db
def test_service_writes_record_actor_agency_and_request(world, client, api_token):
    headers = api_token(world.users["admin_a"])
    response = client.patch(
        f"/api/v1/inventory/applications/{world.assets['app_a'].pk}",
        data=json.dumps({"name": "Aplikasi Baru"}),
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-1234567890",
        **headers,
    )
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="inventory.application.updated").latest("sequence")
    assert event.actor == world.users["admin_a"]
    assert event.actor_kind == "token"
    assert event.agency_id == world.agency_a.pk
    assert event.request_id == "req-1234567890"
    assert event.data["changes"]["name"] == {"before": "Aplikasi a", "after": "Aplikasi Baru"}
    assert services.verify_chain().ok


@pytest.mark.django_db
def test_a_batch_appends_its_events_in_order_at_its_end():
    _fill(2)
    with context.acting_as(), transaction.atomic(), services.batched():
        services.record("test.batch.first")
        assert AuditEvent.objects.count() == 2  # nothing appended (nor the head locked) yet
        services.record("test.batch.second")
    actions = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "action"))
    assert actions[2:] == [(3, "test.batch.first"), (4, "test.batch.second")]
    assert services.verify_chain().ok


@pytest.mark.django_db
def test_a_batch_leaves_out_the_events_of_a_rolled_back_savepoint():
    with context.acting_as(), transaction.atomic(), services.batched():
        services.record("test.batch.kept")
        try:
            with transaction.atomic():
                services.record("test.batch.undone")
                raise DatabaseError("the change failed")
        except DatabaseError:
            pass
        with transaction.atomic():
            services.record("test.batch.nested_and_kept")
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "test.batch.kept", "test.batch.nested_and_kept"]
    assert services.verify_chain().ok


@pytest.mark.django_db
def test_a_failed_batch_appends_nothing():
    with pytest.raises(ValueError), context.acting_as(), transaction.atomic(), services.batched():
        services.record("test.batch.lost")
        raise ValueError("the whole change fails")
    assert not AuditEvent.objects.filter(action="test.batch.lost").exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_needs_a_transaction():
    with pytest.raises(RuntimeError):
        with services.batched():
            pass
