"""Work handed to the task queue. Callers use ``queues.<name>`` so tests can replace a queue."""

from __future__ import annotations

from django.db import transaction


def _enqueue_voucher_issue(order_id: int) -> None:
    from ..tasks import issue_order_vouchers

    issue_order_vouchers.enqueue(order_id)


def _enqueue_refund(refund_id: int) -> None:
    from ..tasks import execute_refund_task

    transaction.on_commit(lambda: execute_refund_task.enqueue(refund_id))


def _enqueue_voucher_mail(order_id: int) -> None:
    from ..tasks import send_order_vouchers

    send_order_vouchers.enqueue(order_id)


def _enqueue_exemption_mail(exemption_id: int) -> None:
    from ..tasks import send_exemption_decision

    send_exemption_decision.enqueue(exemption_id)
