from tests.web.conftest import store  # noqa: F401  (the hand-built store fixture)
