""""Tugas saya": the work waiting for a user, gathered from every module.

Modules register providers in ``AppConfig.ready()`` (as they do navigation); core knows none of
them. A provider takes the user and returns ``Task``s — what waits, how many, where to act, and
by when — already limited to what that user may see and do. The console home lists them, overdue
first, then by deadline.

A provider that fails is logged and skipped: one broken module must not take the home page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.functional import Promise

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    label: str | Promise  # what to do, e.g. "Documents waiting for your signature"
    count: int
    url: str  # a page the user can open where the work is done
    group: str | Promise = ""  # the module, as the navigation names it
    due: date | datetime | None = None  # the earliest deadline among the items

    @property
    def due_has_time(self) -> bool:
        return isinstance(self.due, datetime)

    @property
    def overdue(self) -> bool:
        if self.due is None:
            return False
        if isinstance(self.due, datetime):
            return self.due < timezone.now()
        return self.due < timezone.localdate()


Provider = Callable[[object], list[Task]]
_PROVIDERS: list[tuple[str, Provider]] = []


def register(name: str, provider: Provider) -> None:
    if name not in [existing for existing, _ in _PROVIDERS]:
        _PROVIDERS.append((name, provider))


def _sort_key(task: Task):
    due = task.due
    if isinstance(due, datetime):
        due = timezone.localtime(due).date()
    return (not task.overdue, due or date.max, str(task.group), str(task.label))


def tasks_for(user) -> list[Task]:
    """Every non-empty task for ``user``, overdue first, then by deadline."""
    if not getattr(user, "is_authenticated", False):
        return []
    tasks: list[Task] = []
    for name, provider in _PROVIDERS:
        try:
            tasks.extend(task for task in provider(user) if task.count > 0)
        except Exception:  # noqa: BLE001 — a module's failure costs its own tasks only
            logger.exception("work queue provider %s failed", name)
    return sorted(tasks, key=_sort_key)
