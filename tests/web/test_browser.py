"""End to end in real headless Chromium: the dashboard loads, the map canvas draws, event markers render.

Needs Debian's chromium + chromium-driver (.ci/run installs them). Saves a screenshot to test-artifacts/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromedriver") is None, reason="needs Debian chromium-driver"),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def server(store):
    import uvicorn

    from sanctionwatch.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--window-size=1280,800"):
        opts.add_argument(a)
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    drv = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=opts)
    yield drv
    drv.quit()


def _wait(fn, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    return fn()


def test_dashboard_map_renders_events_and_track(server, browser):
    from tests.web.conftest import MMSI

    browser.get(server + "/#/map")
    status = _wait(lambda: "events on map" in browser.find_element("id", "status").text and
                   browser.find_element("id", "status").text)
    assert status == "2 events on map"
    size = browser.execute_script("const c = document.querySelector('#map canvas'); return [c.width, c.height];")
    assert size[0] > 300 and size[1] > 300
    rendered = _wait(lambda: browser.execute_script(
        "return map.loaded() && map.queryRenderedFeatures({layers: ['events']}).map(f => f.properties.type)"))
    assert sorted(set(rendered)) == ["gap", "port_call"]
    browser.execute_script(f"selectVessel({MMSI})")
    track = _wait(lambda: browser.execute_script(
        "return map.loaded() && map.queryRenderedFeatures({layers: ['track']}).length"))
    assert track > 0
    assert _wait(lambda: browser.execute_script(
        "return map.queryRenderedFeatures({layers: ['gaps']}).length")) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard-map.png"))
    # the map is not blank: the screenshot of the map area has sea, land, track and marker colours
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(ARTIFACTS / "dashboard-map.png").convert("RGB"))[60:-60, 340:-60] // 32
    colours, counts = np.unique(img.reshape(-1, 3), axis=0, return_counts=True)
    assert (counts > 200).sum() >= 4, f"map looks blank: {len(colours)} colours"


def test_vessel_page_shows_identity_and_events(server, browser):
    from tests.web.conftest import MMSI

    browser.get(f"{server}/#/vessel/{MMSI}")
    text = _wait(lambda: "Identity history" in browser.find_element("id", "view-vessel").text and
                 browser.find_element("id", "view-vessel").text)
    assert "CHONMASAN" in text and "port_call" in text and "VLADIVOSTOK" in text
