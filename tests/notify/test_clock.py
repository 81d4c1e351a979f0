"""The clock hook of the write path (dangjian.core.clock): set, nested, reset, read by services."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django.utils import timezone

from dangjian.core import clock as core_clock
from dangjian.demo import service as demo_service
from dangjian.service.models import OrderEvent

from .conftest import at, submit


def test_outside_a_block_the_clock_is_djangos():
    before = timezone.now()
    assert not core_clock.is_set()
    assert before <= core_clock.now() <= timezone.now()


def test_frozen_holds_nests_and_resets_even_on_an_error():
    first, second = at(2026, 1, 2, 3, 4), at(2025, 5, 6, 7, 8)
    with core_clock.frozen(first):
        assert core_clock.now() == first
        with core_clock.frozen(second):
            assert core_clock.now() == second
        assert core_clock.now() == first
        with pytest.raises(RuntimeError), core_clock.frozen(second):
            raise RuntimeError
        assert core_clock.now() == first
    assert not core_clock.is_set()


def test_reading_follows_a_moving_hand():
    hand = [at(2026, 3, 1, 8, 0)]
    with core_clock.reading(lambda: hand[0]):
        assert core_clock.now() == hand[0]
        hand[0] += dt.timedelta(hours=5)
        assert core_clock.now() == at(2026, 3, 1, 13, 0)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError), core_clock.frozen(dt.datetime(2026, 1, 1)):
        pass


def test_the_services_read_the_clock(place):
    when = at(2026, 6, 1, 9, 30)
    order = submit(place.grid, when)
    assert order.submitted_at == when
    assert OrderEvent.objects.get(order=order).at == when


def test_the_demo_no_longer_patches_the_services():
    source = inspect.getsource(demo_service)
    assert "mock" not in source and "core_clock" not in source
    assert "clock.reading" in source
