"""Exactly once, for every route and command that writes.

Each writing route of the app has an entry in a `tests/<domain>/races.py` table (`CASES`); a new
route without one fails `test_every_writing_route_has_a_race_case`, as a route without a policy
fails the role x route matrix. Each entry builds its data, then N real processes send the same
request at the same moment (tests/race.py) and one sends it once more (the retry after a lost
answer): no answer may be a server error, and the database must show the effect of one request.
Commands that write have a `COMMANDS` entry and are raced the same way.

PostgreSQL is the proof (CI runs it there); on SQLite every writer is serialised by BEGIN
IMMEDIATE and the same tables check that nothing answers "database is locked".
"""

from __future__ import annotations

import click
import pytest

from tests import dbutil
from tests.race import Env, RacePool, merged

WRITING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CASES = merged("CASES")
COMMANDS = merged("COMMANDS")


def _writing_routes(app) -> set[tuple[str, str]]:
    return {(m, rule.endpoint) for rule in app.url_map.iter_rules() for m in rule.methods & WRITING}


def _commands(group: click.Group, prefix: tuple = ()) -> set[str]:
    out = set()
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out |= _commands(cmd, (*prefix, name))
        else:
            out.add(" ".join((*prefix, name)))
    return out


IGNORED_COMMANDS = {
    # Flask's, Flask-Migrate's and flask-smorest's own commands (db upgrade is a migration, run
    # once at deploy; openapi writes the spec to a file)
    "run", "shell", "routes", "openapi list-config-prefixes", "openapi print", "openapi write",
}


def test_every_writing_route_has_a_race_case(app):
    routes = _writing_routes(app)
    missing = sorted(routes - CASES.keys())
    assert not missing, f"writing routes without an entry in a tests/<domain>/races.py: {missing}"
    stale = sorted(CASES.keys() - routes)
    assert not stale, f"race entries for routes that no longer exist: {stale}"


def test_every_command_has_a_race_entry(app):
    commands = {c for c in _commands(app.cli) if c not in IGNORED_COMMANDS and not c.startswith("db ")}
    missing = sorted(commands - COMMANDS.keys())
    assert not missing, f"commands without an entry in a tests/<domain>/races.py COMMANDS: {missing}"
    stale = sorted(COMMANDS.keys() - commands)
    assert not stale, f"COMMANDS entries for commands that no longer exist: {stale}"


@pytest.fixture(scope="module")
def race_env():
    from flask_migrate import upgrade

    from app.extensions import db
    from tests.conftest import make_app

    url = dbutil.create_fresh_database()
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.session.remove()
    pool = RacePool(url, workers=6)
    try:
        yield Env(app, pool)
    finally:
        pool.close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        dbutil.drop_database(url)


def _check(env: Env, name, case) -> None:
    with env.ctx():
        prepared = case.setup(env)
    answers = env.pool.race(prepared.req)
    errors = [(a.status, str(a.body)[-800:]) for a in answers if a.status >= 500 or a.status < 0]
    assert not errors, f"{name}: server errors under {env.workers} identical requests: {errors[:2]}"
    if prepared.answers is not None:
        prepared.answers(answers)
    seen = env.measure(prepared.effect)
    if callable(prepared.expect):  # what one run leaves is checked by the case itself
        assert prepared.expect(seen), f"{name}: after {env.workers} identical requests {seen!r}"
    else:
        assert seen == prepared.expect, f"{name}: after {env.workers} identical requests {seen!r}, " \
                                        f"one request leaves {prepared.expect!r}; answers {[a.status for a in answers]}"
    if prepared.retry:
        again = env.pool.send(prepared.req)
        assert 0 <= again.status < 500, f"{name}: the retry answered {again.status}: {str(again.body)[-800:]}"
        if prepared.expect_after_retry is not None:
            expect = prepared.expect_after_retry
        else:
            expect = seen if callable(prepared.expect) else prepared.expect
        after = env.measure(prepared.effect)
        assert after == expect, f"{name}: after the retry {after!r}, expected {expect!r}"


pytestmark = pytest.mark.real_commits


@pytest.mark.parametrize("route", sorted(k for k, c in CASES.items() if c.setup), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_is_exactly_once(race_env, route):
    _check(race_env, route, CASES[route])


@pytest.mark.parametrize("command", sorted(k for k, c in COMMANDS.items() if c.setup))
def test_command_is_exactly_once(race_env, command):
    _check(race_env, command, COMMANDS[command])
