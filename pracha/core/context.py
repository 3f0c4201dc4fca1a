"""Who is acting, from where and through which channel, for the current request or command.

Set by middleware (web and API) or by commands; read by the audit log so services need not pass it.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    channel: str = "system"
    client_ip: str | None = None
    on_behalf_of: str = ""


_current: ContextVar[RequestContext] = ContextVar("pracha_request_context", default=RequestContext())  # noqa: B039 (frozen)


def current_context() -> RequestContext:
    return _current.get()


@contextlib.contextmanager
def use_context(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
