"""Background tasks: one task per website on the "crawler" queue, so several workers scan
different sites in parallel while each site sees at most its own politeness limit."""

from django_tasks import task

from spbe.core import context


@task(queue_name="crawler")
def scan_website(run_id: int) -> dict:
    from .services import execute_scan

    with context.acting_as(kind="system"):
        run = execute_scan(run_id)
    return {"run": run.pk, "status": run.status, "pages": run.pages, "infected": run.infected_pages,
            "worker": run.worker}


@task(queue_name="mail")
def deliver_alerts(finding_id: int, reason: str) -> list[dict]:
    from .services import deliver

    with context.acting_as(kind="system"):
        deliveries = deliver(finding_id, reason)
    return [{"channel": d.channel, "delivered": d.delivered_at is not None, "attempts": d.attempts}
            for d in deliveries]


@task(queue_name="crawler")
def schedule_scans() -> int:
    from .services import schedule_all

    with context.acting_as(kind="system"):
        return len(schedule_all())
