"""Dashboard ownership panel in headless Chromium (issue 18): the vessel page draws its network with list status.

Needs Debian's chromium + chromium-driver (skipped without, like tests/web/test_browser.py)."""

from __future__ import annotations

import shutil

import pytest

from tests.web.test_browser import _wait, browser, server  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromedriver") is None, reason="needs Debian chromium-driver"),
]


@pytest.fixture(scope="module")
def store(store, tmp_path_factory):  # the hand-built store plus a registry manager for its ship
    from sanctionwatch.registry.store import load_registry

    f = tmp_path_factory.mktemp("reg") / "owners.csv"
    f.write_text("IMO,Ship manager,Ship manager IMO\n8705539,OCEAN MARITIME MANAGEMENT CO LTD,1790183\n",
                 encoding="utf-8")
    load_registry(f, store)
    return store


def test_vessel_page_draws_ownership_network(server, browser):  # noqa: F811
    from tests.web.conftest import MMSI

    browser.get(f"{server}/#/vessel/{MMSI}")
    svg = _wait(lambda: browser.find_elements("css selector", "svg.network circle"))
    assert len(svg) >= 3
    red = [c for c in svg if c.get_attribute("fill") == "#c53030"]
    assert red, "listed nodes are drawn red"
    text = browser.find_element("id", "network-body").text
    assert "managed by" in text and "registry owners.csv:2" in text
