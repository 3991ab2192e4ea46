"""Background work of the assistant: learn from resolved conversations, deliver officers'
replies to webhook channels (retried with back-off). First-response times are watched by
the scheduler (assistant_sweep_task; `spbe assistant_sweep` by hand). Each task is idempotent."""

from django_tasks import task

from spbe.core import context


@task()
def mine_conversation_task(conversation_id: int) -> bool:
    from . import services

    with context.acting_as(kind="system"):
        return services.mine_conversation(conversation_id) is not None


@task()
def deliver_message_task(message_id: int, attempt: int = 1) -> bool:
    """Deliver, and on failure try again later with back-off (up to 8 attempts, ~4 hours)."""
    from datetime import timedelta

    from django.utils import timezone

    from . import services

    if services.deliver(message_id):
        return True
    # Backends that cannot defer (the inline one) leave the retry to `spbe assistant_sweep`.
    if attempt < 8 and getattr(deliver_message_task.get_backend(), "supports_defer", False):
        deliver_message_task.using(run_after=timezone.now() + timedelta(seconds=30 * 2 ** attempt)).enqueue(message_id, attempt + 1)
    return False


@task()
def assistant_sweep_task() -> dict:
    """Periodic (settings.SCHEDULE): flag hand-offs past first-response time, deliver pending replies."""
    from . import services

    with context.acting_as(kind="system"):
        return services.housekeeping()
