"""A busy database answers 503 with Retry-After, not a 500 or a 400.

SQLite has one writer at a time: a request that wants to write while another process holds the
write lock (an import, a scoring run, a burst of logins) waits up to the busy timeout
(``DATABASES OPTIONS timeout``, see settings) and then fails with ``OperationalError: database is
locked``. PostgreSQL says the same with ``lock_not_available`` when a ``lock_timeout`` is set,
and with ``deadlock_detected`` when it rolled back one of two transactions waiting for each
other.
That is not a server error but a moment of contention: the user is told in Chinese to try again,
and API clients get ``Retry-After`` to back off.

Three places catch it, because Django turns an exception into a response where it is raised:

* :class:`BusyDatabaseMiddleware` — exceptions of the views (``process_exception``);
* :class:`SessionMiddleware` — the session saved after the view (Django reports a failed session
  update as a 400 "session interrupted");
* :func:`server_error` (``handler500``) — anything else, e.g. a write in another middleware.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("dangjian.busy")

#: seconds a client is asked to wait before it tries again
RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = "系统繁忙：数据库正在处理其他写入操作，请稍候几秒后重试。"

#: SQLite's messages for a lock it could not get within the busy timeout
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
#: PostgreSQL: lock_not_available (a lock_timeout ran out), deadlock_detected and
#: serialization_failure (the transaction was rolled back whole: the same request can be sent
#: again)
_PG_BUSY = {"55P03", "40P01", "40001"}


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a lock the database could not get
    in time, as opposed to any other database error."""
    for item in _chain(exc):
        if isinstance(item, OperationalError):
            if any(text in str(item).lower() for text in _SQLITE_BUSY):
                return True
            cause = item.__cause__
            if getattr(cause, "sqlstate", None) in _PG_BUSY:
                return True
    return False


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the API, a small page (no database reads) otherwise."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": BUSY_MESSAGE}, status=503)
    else:
        body = loader.render_to_string(
            "503.html", {"message": BUSY_MESSAGE, "retry_after": RETRY_AFTER_SECONDS}
        )
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    logger.warning("database busy: %s %s answered 503", request.method, request.path)
    return response


class BusyDatabaseMiddleware:
    """A view that failed on a busy database answers 503 (module docstring)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_busy(exception):
            return busy_response(request)
        return None


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware; a session save that found the database busy answers 503
    instead of Django's 400 ("session interrupted") or a 500."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError) as exc:
            if is_database_busy(exc):
                return busy_response(request)
            raise


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the busy answer when the unhandled exception was a busy database,
    Django's 500 page otherwise."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return django_server_error(request)
