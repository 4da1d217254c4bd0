"""Browser tests: the app on a live server, driven by Debian's chromium through Playwright.

- `live_server` (session): the app (`tests.conftest.make_app`) on a fresh migrated database
  (`tests.dbutil`: a new PostgreSQL database beside TEST_DATABASE_URL's, else a SQLite file),
  loaded with `flask seed-demo` through the CLI runner, served by werkzeug's `make_server` on a
  free 127.0.0.1 port in a background thread. `live_server.url("/login")` builds addresses.
- `browser` (session): chromium from /usr/bin/chromium (never a downloaded browser; tests are
  skipped with the reason when it is missing - CI installs Debian's `chromium`).
- `page`: a fresh context (1280x800, locale zh-CN) and page; `new_page(**context_options)` makes
  more (e.g. `bypass_csp=True` to inject axe-core). A page that throws a JavaScript error or
  reports a Content-Security-Policy violation fails its test.

Every test here is marked `browser` and `real_commits`: the live server commits for real, so
the per-test rollback of tests/conftest.py must not wrap them.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app.extensions import db as _db
from tests import dbutil
from tests.conftest import make_app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# the suite writes its screenshots under test-artifacts/ (not tracked); `make screenshots` runs the
# browser tests with DOC_SCREENSHOTS=1 to regenerate the ones the docs show, on purpose
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("DOC_SCREENSHOTS") == "1"
               else ROOT / "test-artifacts" / "screenshots")
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.real_commits)


@dataclass
class LiveServer:
    base: str
    app: Flask

    def url(self, path: str = "/") -> str:
        return self.base + path


def closing_responses(wsgi_app):
    """Close every response's iterable ourselves. When the browser drops a connection (a popup
    closed while a stylesheet is sent), werkzeug's development server can raise while draining
    the socket, before it calls `close()`: the static file is then closed by the garbage
    collector with a ResourceWarning, which this suite turns into an error in a later test.
    (Production runs under gunicorn; this only concerns the test server.)"""
    def app(environ, start_response):
        body = wsgi_app(environ, start_response)

        def chunks():
            try:
                yield from body
            finally:
                if hasattr(body, "close"):
                    body.close()

        return chunks()

    return app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    database_url = dbutil.create_fresh_database(tmp_path_factory.mktemp("live"))
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        _db.session.remove()
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(base, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
        dbutil.drop_database(database_url)


@pytest.fixture(scope="session")
def playwright():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (requirements-dev.txt) is missing")
    instance = sync_api.sync_playwright().start()
    yield instance
    instance.stop()


def launch(playwright, *extra_args: str):
    """Debian's chromium with the harness's arguments (and any extra ones)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """JavaScript errors and CSP violations seen by the test's pages (the test fails on any)."""
    return []


@pytest.fixture
def new_page(browser, browser_errors):
    contexts = []

    def _new_page(**context_options):
        options = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}
        options.update(context_options)
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: browser_errors.append(f"JavaScript error: {exc}"))
        page.on("console", lambda msg: browser_errors.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text else None)
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert not browser_errors, "\n".join(browser_errors)


@pytest.fixture
def page(new_page):
    return new_page()


def run_axe(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Inject the vendored axe-core (the page's context must bypass CSP) and return the
    violations of the given impacts, WCAG 2.1 A/AA rules."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"] if v["impact"] in impacts]
