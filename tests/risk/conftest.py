import pytest

from tests.web.conftest import store  # noqa: F401  (the hand-built store fixture)


@pytest.fixture(scope="session")
def shipped_lists():
    """(index, merged entities) of the shipped default lists, built once per session: building the index is
    most of a risk run's time."""
    from sanctionwatch.lists.index import build_index
    from sanctionwatch.lists.sources import SOURCES, load_source

    return build_index([load_source(s) for s in SOURCES.values() if s.default])


@pytest.fixture(scope="session")
def shipped_index(shipped_lists):
    return shipped_lists[0]
