from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The compliance tables are cached: every test starts and ends with an empty cache."""
    cache.clear()
    yield
    cache.clear()
