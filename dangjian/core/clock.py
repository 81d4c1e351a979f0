"""The clock the write path reads: :func:`now`, which a caller may set for a stretch of code.

The services ask :func:`now` (not ``timezone.now()``) for the moment a transition happens, so the
demo can walk orders through past days and a job can be run "as of" a given moment without
patching anything: :func:`frozen` holds the clock at one moment, :func:`reading` makes it read a
callable (the demo moves a hand forward step by step). The setting lives in a context variable:
it covers the current thread or task only and ends with the ``with`` block, even on an error.
Outside such a block :func:`now` is Django's ``timezone.now()`` (which time-machine freezes in the
tests).
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils import timezone

_source: contextvars.ContextVar[Callable[[], dt.datetime] | None] = contextvars.ContextVar(
    "dangjian_clock", default=None
)


def now() -> dt.datetime:
    """The current moment (aware), as set by :func:`frozen` / :func:`reading` if inside one."""
    source = _source.get()
    return source() if source is not None else timezone.now()


@contextmanager
def reading(source: Callable[[], dt.datetime]) -> Iterator[None]:
    """Within the block, :func:`now` returns ``source()``."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


@contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Within the block, :func:`now` returns ``at`` (an aware datetime)."""
    if timezone.is_naive(at):
        raise ValueError("clock.frozen needs an aware datetime")
    with reading(lambda: at):
        yield


def is_set() -> bool:
    """Whether a block of :func:`frozen` / :func:`reading` is in force."""
    return _source.get() is not None
