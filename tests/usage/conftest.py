import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_usage_cache():
    """Closed days of the usage dashboard are cached; each test starts without them (tests
    write rows on closed days, which a real proxy does not do after the fact)."""
    cache.clear()
    yield
    cache.clear()
