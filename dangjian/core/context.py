"""The acting context of the current request or command: request id and client address.

Set by :class:`~dangjian.core.middleware.RequestContextMiddleware` for web requests and by the
CLI for commands; read by the audit trail so every entry says where it came from.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_addr: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "dangjian_request_context", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        return RequestContext(request_id=new_request_id(), client_addr="")
    return ctx


@contextlib.contextmanager
def bind(*, request_id: str, client_addr: str) -> Iterator[RequestContext]:
    ctx = RequestContext(request_id=request_id, client_addr=client_addr)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
