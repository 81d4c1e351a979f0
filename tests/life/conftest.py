from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from dangjian.api.services import token_issue


@pytest.fixture
def api_for(tree):
    """``api_for("admin_a")`` → an APIClient with a token of that user; ``None`` → anonymous."""
    cache.clear()

    def make(user_key: str | None) -> APIClient:
        client = APIClient()
        if user_key is not None:
            _token, raw = token_issue(user=tree[user_key])
            client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    yield make
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The compliance tables are cached: every test starts and ends with an empty cache."""
    cache.clear()
    yield
    cache.clear()
