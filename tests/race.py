"""The race helper: N identical requests at the same moment, from N real processes, on one database.

Each worker process builds its own app on the database (its own connection pool) and waits at a
barrier; when all N have their request, they send it through the whole WSGI stack at once (session
cookie, CSRF, permissions, the view, the service, the commit). A worker can stretch every SQL
statement by a few milliseconds (`slow_ms`) so that the transactions overlap for certain, as they
do at a busy till on a loaded server.

The workers live for the whole test session and serve one race after another:

    pool = RacePool(url, workers=6)
    who = env.login("manager", shop=shop)             # a real server-side session, cookie + CSRF
    answers = pool.race(Req("POST", f"/api/v1/sales/{sale_id}/void", json=body, who=who))
    again = pool.send(same_req)                       # the retry after a lost answer

`tests/test_exactly_once.py` runs every writing route and command of the app through it, from the
tables in `tests/<domain>/races.py`.
"""

from __future__ import annotations

import multiprocessing as mp
import time
import traceback
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Who:
    """A logged-in browser: its session cookie and CSRF token."""

    cookie: str
    csrf: str
    user_id: int
    username: str


@dataclass(frozen=True)
class Req:
    method: str = "POST"
    path: str = ""
    json: Any = None
    form: dict | None = None
    files: dict | None = None  # {field: (bytes, filename)}, sent with `form` as multipart
    who: Who | None = None
    cli: tuple[str, ...] | None = None  # a `flask` command (with its arguments) instead of a request
    cli_input: str | None = None
    stretch: bool = True  # False: no pause per statement (long work, e.g. seed-demo, stays fast)


@dataclass
class Answer:
    status: int  # the HTTP status, or a command's exit code
    body: Any = None  # JSON, or the text of a page or a command's output
    location: str | None = None
    error: str | None = None  # the worker's own exception (a bug in the test, not in the app)

    @property
    def code(self) -> str | None:
        if isinstance(self.body, dict):
            return (self.body.get("error") or {}).get("code")
        return None


def _send(app, req: Req) -> Answer:
    if req.cli is not None:
        result = app.test_cli_runner().invoke(args=list(req.cli), input=req.cli_input)
        out = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            out += "".join(traceback.format_exception(result.exception))
            return Answer(500, out)
        return Answer(result.exit_code, out)
    client = app.test_client()
    headers = {}
    if req.who is not None:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], req.who.cookie, domain="localhost")
        headers["X-CSRFToken"] = req.who.csrf
    kwargs: dict = {"method": req.method, "headers": headers}
    if req.json is not None:
        kwargs["json"] = req.json
    elif req.form is not None or req.files:
        import io

        data = dict(req.form or {})
        for name, (content, filename) in (req.files or {}).items():
            data[name] = (io.BytesIO(content), filename)
        kwargs["data"] = data
    resp = client.open(req.path, **kwargs)
    body: Any
    if resp.is_json:
        body = resp.get_json(silent=True)
    else:
        body = resp.get_data()[:4000].decode("utf-8", "replace")  # a page, or a PDF's first bytes
    return Answer(resp.status_code, body, resp.headers.get("Location"))


def _worker(url: str, slow_ms: float, init: str | None, jobs, results, barrier) -> None:
    import importlib

    from sqlalchemy import event

    from app.extensions import db
    from tests.conftest import make_app

    app = make_app(url)
    if init:  # e.g. a test that takes a lock away to show what the lock prevents
        module, name = init.split(":")
        getattr(importlib.import_module(module), name)()
    stretching = {"on": True}
    if slow_ms:
        with app.app_context():
            @event.listens_for(db.engine, "before_cursor_execute")
            def _stretch(*_args):
                if stretching["on"]:
                    time.sleep(slow_ms / 1000)
    while True:
        job = jobs.get()
        if job is None:
            break
        req, together = job
        stretching["on"] = req.stretch
        try:
            if together:
                barrier.wait(timeout=120)
            results.put(_send(app, req))
        except Exception:  # noqa: BLE001 - handed to the parent, which fails the test with it
            results.put(Answer(-1, error=traceback.format_exc()))
    with app.app_context():
        db.engine.dispose()


@dataclass
class RacePool:
    url: str
    workers: int = 6
    slow_ms: float = 3.0
    init: str | None = None  # "module:function" each worker runs once after building its app
    _procs: list = field(default_factory=list)
    _jobs: list = field(default_factory=list)

    def __post_init__(self):
        ctx = mp.get_context("spawn")
        self._results = ctx.Queue()
        self._barrier = ctx.Barrier(self.workers)
        for _ in range(self.workers):
            jobs = ctx.Queue()
            args = (self.url, self.slow_ms, self.init, jobs, self._results, self._barrier)
            proc = ctx.Process(target=_worker, args=args, daemon=True)
            proc.start()
            self._jobs.append(jobs)
            self._procs.append(proc)

    def race(self, req: Req) -> list[Answer]:
        """Every worker sends `req` at the same moment; their answers in arrival order."""
        return self.race_each([req] * self.workers)

    def race_each(self, reqs: list[Req]) -> list[Answer]:
        """Worker i sends reqs[i], all at the same moment (e.g. two tills with requests of their own)."""
        assert len(reqs) == self.workers, f"one request per worker ({self.workers})"
        for jobs, req in zip(self._jobs, reqs, strict=True):
            jobs.put((req, True))
        return self._collect(self.workers)

    def send(self, req: Req) -> Answer:
        """One worker sends `req` alone (a retry after the race)."""
        self._jobs[0].put((req, False))
        return self._collect(1)[0]

    def _collect(self, n: int) -> list[Answer]:
        answers = [self._results.get(timeout=300) for _ in range(n)]
        broken = [a.error for a in answers if a.error]
        if broken:
            raise AssertionError("a race worker failed:\n" + broken[0])
        return answers

    def close(self) -> None:
        for jobs in self._jobs:
            jobs.put(None)
        for proc in self._procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()


# --- the tables of routes and commands ------------------------------------------------------------

@dataclass
class Prepared:
    """A request ready to be raced, and how to see its effect in the database.

    `effect()` reads what the request changes (a count of rows, a balance, a tuple of both); after
    N identical requests at once, and again after one more (the retry), it must equal `expect`:
    the state one request alone would have left.
    """

    req: Req
    effect: Any  # Callable[[], Any], run in an app context of the parent
    expect: Any
    retry: bool = True  # send it once more after the race: still one effect
    expect_after_retry: Any = None  # when the retry is an effect of its own (an audited view)
    answers: Any = None  # Callable[[list[Answer]], None]: more checks of the answers, if any


@dataclass(frozen=True)
class Case:
    """How one writing route (or command) is raced. `why` says what keeps it exactly once."""

    setup: Any  # Callable[[Env], Prepared]
    why: str


class Env:
    """The parent's side of a race: the app on the racing database, and logins for the workers."""

    def __init__(self, app, pool: RacePool):
        self.app, self.pool = app, pool
        self.workers = pool.workers

    def ctx(self):
        return self.app.app_context()

    def login(self, user) -> Who:
        """A real server-side session for `user` (committed), as cookie + CSRF token."""
        from app.auth import services as auth_services
        from app.extensions import db

        user_id, username = user.id, user.username
        token = auth_services.start_session(user, ip="127.0.0.1")
        db.session.commit()
        client = self.app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
            sess.permanent = True
        resp = client.get("/api/v1/session")
        assert resp.status_code == 200, resp.get_data(as_text=True)
        cookie = client.get_cookie(self.app.config["SESSION_COOKIE_NAME"], domain="localhost").value
        return Who(cookie, resp.get_json()["csrf_token"], user_id, username)

    def anonymous(self) -> Who:
        """A browser that has only opened the login page: its session cookie and CSRF token."""
        import re

        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        cookie = client.get_cookie(self.app.config["SESSION_COOKIE_NAME"], domain="localhost").value
        return Who(cookie, csrf, 0, "")

    def form_key(self) -> str:
        import uuid

        return str(uuid.uuid4())

    def measure(self, effect):
        from app.extensions import db

        with self.ctx():
            db.session.remove()
            try:
                return effect()
            finally:
                db.session.remove()


def merged(module_name: str) -> dict:
    """`name` (CASES or COMMANDS) from every tests/<domain>/races.py."""
    import importlib
    import pkgutil

    import tests

    out: dict = {}
    for mod in pkgutil.iter_modules(tests.__path__):
        if mod.ispkg:
            try:
                domain = importlib.import_module(f"tests.{mod.name}.races")
            except ModuleNotFoundError:
                continue
            out.update(getattr(domain, module_name, {}))
    return out
