import pytest


@pytest.fixture
def store_on(settings):
    """The findings store switched on (the test settings keep it off)."""
    settings.DANGJIAN_FINDINGS_STORE = True
