"""Background work of the levy: voucher issue and mail, refunds, sweeps.

Each task calls a service that is idempotent, so a task run twice (worker crash, retry)
does no harm.
"""

from django_tasks import task

from spbe.core import context


@task()
def issue_order_vouchers(order_id: int) -> int:
    from .services import issue_vouchers

    with context.acting_as(kind="system"):
        return issue_vouchers(order_id)


@task(queue_name="mail")
def send_order_vouchers(order_id: int) -> bool:
    from . import services

    with context.acting_as(kind="system"):
        return services.send_order_vouchers(order_id)


@task(queue_name="mail")
def send_exemption_decision(exemption_id: int) -> None:
    from . import services

    with context.acting_as(kind="system"):
        services.send_exemption_decision(exemption_id)


@task()
def execute_refund_task(refund_id: int) -> str:
    from .services import execute_refund

    with context.acting_as(kind="system"):
        return execute_refund(refund_id).state


@task(queue_name="mail")  # outbound messages to people and partners share a queue
def deliver_webhook(delivery_id: int) -> str:
    from .services import webhooks

    with context.acting_as(kind="system"):
        return webhooks.deliver(delivery_id)


@task()
def levy_sweep() -> dict:
    """Periodic: expire unpaid orders, issue vouchers a crash left unissued, retry webhooks."""
    from .services import sweep

    with context.acting_as(kind="system"):
        return sweep()
