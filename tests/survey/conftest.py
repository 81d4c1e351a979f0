from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from dangjian.accounts.scope import SYSTEM
from dangjian.survey.services import open_surveys


@pytest.fixture(autouse=True)
def _clear_cache():
    """The rate limit lives in the cache; every test starts from an empty one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def surveys(tree, today):
    """An open phone survey for each branch of the tree (key ``campaign:1``)."""
    a, b = open_surveys(
        SYSTEM,
        orgs=[tree["branch_a"], tree["branch_b"]],
        key="campaign:1",
        title="2026 年度三率测评",
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=5),
    )
    return {"a": a, "b": b}
