"""Who is acting right now, for audit records and log lines.

Set by the request middleware (web), the API authenticators (token clients) and task
wrappers (system). Services read it instead of taking a request object.
"""

from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ActorContext:
    user: object | None = None
    kind: str = "system"  # user | token | system | public | partner
    request_id: str = ""
    ip_address: str | None = None
    token_name: str = ""


_current: contextvars.ContextVar[ActorContext] = contextvars.ContextVar("spbe_actor", default=ActorContext())


def current() -> ActorContext:
    return _current.get()


def set_current(ctx: ActorContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def update_current(**changes) -> None:
    _current.set(replace(_current.get(), **changes))


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting_as(user=None, kind: str | None = None, request_id: str | None = None):
    """Run a block as ``user`` (commands, tasks, tests)."""
    ctx = ActorContext(
        user=user,
        kind=kind or ("user" if user is not None else "system"),
        request_id=request_id or new_request_id(),
    )
    token = set_current(ctx)
    try:
        yield ctx
    finally:
        reset(token)
