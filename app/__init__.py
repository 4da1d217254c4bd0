"""The application factory."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pickle
import platform
import tempfile

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user

from app.config import BASE_DIR, DEV_SECRET, LOCAL_ENVS, Config, public_base_url_problem


def _escpos_capabilities_cache() -> None:
    """python-escpos parses its printer database (a 1 MB file, with pure-Python YAML) when it is
    first imported — 0.3 s of every start: each CLI command, worker and test process — unless a
    pickle of it lies in ESCPOS_CAPABILITIES_PICKLE_DIR, which by default is a new temporary folder
    each time (one left behind per process), and it writes that pickle in place, so a process
    starting beside another could read half of it. So the pickle lives in the instance folder, which
    the app owns, and is written here first: the file is JSON (json reads it in milliseconds), and
    the pickle is written to a temporary name and renamed, so no process ever sees half of it.
    A read-only installation keeps python-escpos's default."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ:
        return
    spec = importlib.util.find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        return
    source = os.path.join(next(iter(spec.submodule_search_locations)), "capabilities.json")
    folder = os.path.join(BASE_DIR, "instance", "escpos-cache")
    target = os.path.join(folder, f"{platform.python_version()}.capabilities.pickle")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.stat(folder).st_uid != os.getuid():
            return
        if not os.path.exists(target) or os.path.getmtime(target) < os.path.getmtime(source):
            with open(source, encoding="utf-8") as f:
                capabilities = json.load(f)
            fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                pickle.dump(capabilities, out, protocol=2)
            os.replace(temporary, target)
    except (OSError, ValueError):
        return
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = folder


_escpos_capabilities_cache()

# Every domain package may have a `setup.py` with `init_app(app)` that registers its
# models, blueprints, API, CLI and menu entries; they are set up in this order.
DOMAINS = ("core", "auth", "recipients", "vouchers", "inventory", "pos", "donations", "reports")


def create_app(config=None) -> Flask:
    """`config`: None (environment), a Config subclass, or a dict of overrides on Config."""
    app = Flask(__name__, instance_relative_config=True,
                static_folder=str(BASE_DIR / "static"), static_url_path="/static")
    if config is None:
        app.config.update(Config.from_env())
    elif isinstance(config, dict):
        app.config.update(Config.from_env())
        app.config.update(config)
    else:
        app.config.update(config.from_env())
    _check_config(app)
    from app.core import boundary

    boundary.init_app(app)  # JSON provider, request class, <int:> converter: before any route
    _init_extensions(app)
    for name in DOMAINS:
        setup = domain_module(name, "setup")
        if setup is not None:
            setup.init_app(app)
    _init_request_hooks(app)
    from app.core import logredact, logs

    logredact.install(app)  # no spendable voucher code in any log line
    logs.init_app(app)  # one line per request and per command run (after every command is registered)
    return app


def domain_module(domain: str, name: str):
    """`app.<domain>.<name>` if that domain and module exist, else None."""
    if importlib.util.find_spec(f"app.{domain}") is None:
        return None
    if importlib.util.find_spec(f"app.{domain}.{name}") is None:
        return None
    return importlib.import_module(f"app.{domain}.{name}")


def _check_config(app: Flask) -> None:
    from app.core.logs import format_of

    format_of(app.config.get("LOG_FORMAT"))
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Set SECRET_KEY (and DATA_KEY) in the environment; "
            "for local development use APP_ENV=development (make run does).")
    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] == DEV_SECRET:
        raise RuntimeError("The development SECRET_KEY must not be used in production.")
    problem = public_base_url_problem(app.config.get("PUBLIC_BASE_URL"))
    if problem and app.config["ENV_NAME"] not in LOCAL_ENVS:
        raise RuntimeError(
            f"PUBLIC_BASE_URL {problem}. Voucher sheets and receipts print it in their QR codes, "
            "which recipients open on their phones: set it to the address the public reaches, e.g. "
            "PUBLIC_BASE_URL=https://cishan.example.cn (APP_ENV=development, as make run sets, allows "
            "a local one). PUBLIC_BASE_URL 未设置或指向本机：购物券和小票上的二维码会打不开，"
            "请设置为手机能访问的地址。")


def _init_extensions(app: Flask) -> None:
    from app.core.db import configure_engine
    from app.extensions import api, babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale,
                   timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "auth.login"
    api.init_app(app)
    from flask_smorest.spec.plugins import integerconverter2paramschema

    from app.core.numbers import IntConverter

    api.register_converter(IntConverter, integerconverter2paramschema)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def _select_locale() -> str:
    from flask import current_app

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _init_request_hooks(app: Flask) -> None:
    from app.core import audit

    @app.before_request
    def _set_actor():
        if request.endpoint == "static":
            return
        ip = request.remote_addr
        if current_user.is_authenticated:
            audit.set_actor(audit.Actor(current_user.id, current_user.username,
                                        current_user.role, ip))
        else:
            audit.set_actor(audit.Actor(None, "anonymous", None, ip))
        g.locale = _select_locale()

    @app.after_request
    def _security_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy",
                     "default-src 'self'; script-src 'self'; style-src 'self'; "
                     "img-src 'self' data: blob:; media-src 'self' data: blob:; "
                     "connect-src 'self'; object-src 'none'; base-uri 'self'; "
                     "form-action 'self'; frame-ancestors 'none'")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if request.path.startswith("/api/") or current_user.is_authenticated:
            h.setdefault("Cache-Control", "no-store")
        if request.is_secure and app.config.get("HSTS"):  # behind the proxy: PROXY_FIX makes this right
            h.setdefault("Strict-Transport-Security", app.config["HSTS"])
        return response
