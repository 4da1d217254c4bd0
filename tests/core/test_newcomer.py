"""What a newcomer meets first: `make run` on another port, a suite that leaves the tree clean,
a favicon (no 404 in the log on every first page)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_favicon_is_served(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/vnd.microsoft.icon"
    assert resp.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in page


def test_make_run_takes_a_port_and_the_demo_links_follow_it():
    out = subprocess.run(["make", "-n", "run", "PORT=5100"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PUBLIC_BASE_URL": ""}, check=True).stdout
    assert "--port 5100" in out
    assert "http://127.0.0.1:5100" in out  # PUBLIC_BASE_URL for the QR codes and receipt links


def test_browser_tests_write_their_screenshots_outside_the_tracked_docs(monkeypatch):
    import importlib

    import tests.browser.conftest as browser

    monkeypatch.delenv("DOC_SCREENSHOTS", raising=False)
    assert importlib.reload(browser).SCREENSHOTS == ROOT / "test-artifacts" / "screenshots"
    monkeypatch.setenv("DOC_SCREENSHOTS", "1")
    assert importlib.reload(browser).SCREENSHOTS == ROOT / "docs" / "screenshots"
    monkeypatch.delenv("DOC_SCREENSHOTS")
    importlib.reload(browser)
