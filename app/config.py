"""Configuration, read from the environment once when the app is created.

`create_app()` picks `Config` (or the class/dict it is given) and calls `from_env()`,
so nothing here is read at import time.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
APP_DIR = Path(__file__).resolve().parent

# Development secret: only accepted when APP_ENV=development (make run) or in tests.
DEV_SECRET = "dev-only-secret-not-for-production"  # noqa: S105 - refused in production
DEV_PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # development only: phones cannot open it
LOCAL_ENVS = ("development", "testing")  # where a missing or loopback PUBLIC_BASE_URL is allowed


def _translation_dirs() -> str:
    """Every domain keeps its own catalogue (app/<domain>/translations); Flask-Babel merges them."""
    dirs = [str(p) for p in sorted(APP_DIR.glob("*/translations")) if p.is_dir()]
    return ";".join(dirs)


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    ENV_NAME = "production"
    TESTING = False
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'charity.db'}"
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # the address printed in voucher and receipt QR codes: required outside development
    PUBLIC_BASE_URL = ""
    # Region prefix used to resolve district names in rosters (4110 = 许昌市).
    HOME_REGION_PREFIX = "4110"
    COMPLAINT_HOTLINE = "0374-12345"
    # the scale-label layouts the shop's scales print (names from app/inventory/scale_labels.py
    # LAYOUTS, comma-separated; their prefixes may not overlap)
    SCALE_LABEL_LAYOUTS = "weight5,price5"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "cs_session"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_SSL_STRICT = False  # behind a proxy the Referer check adds nothing to SameSite=Lax

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = _translation_dirs()
    LANGUAGES = ("zh_CN", "en")

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # failed logins (app/auth/throttle.py): per address and account, per address, per account
    # from devices it does not know (tiers: a growing back-off), per known device and account
    LOGIN_LIMIT_PER_PAIR = "5 per 5 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "30 per 5 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 5 minutes;20 per hour;50 per day"
    LOGIN_LIMIT_PER_DEVICE = "10 per 5 minutes"
    LOGIN_DEVICE_DAYS = 365  # how long the known-device cookie lasts after the last login
    PIN_MAX_FAILURES = 5  # wrong manager PINs in a row before the PIN locks (app/pos/pins.py)

    API_TITLE = "慈善超市 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # a roster upload waits for its confirmation in the database, encrypted, at most this long
    # (app/recipients/uploads.py; `flask recipients purge-uploads` deletes older ones)
    ROSTER_UPLOAD_MAX_AGE_MINUTES = 120
    ROSTER_MAX_BYTES = 20 * 1024 * 1024
    ROSTER_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
    VOUCHER_PAGE_LIMIT = "30 per minute"  # the public balance page, per address
    PUBLIC_PAGE_LIMIT = "30 per minute"  # the public feedback and figures pages, per address
    FEEDBACK_POST_LIMIT = "10 per minute"  # feedback submissions, per address
    CJK_FONT_PATH: str | None = None  # a TrueType CJK font for PDFs; default: fonts-wqy-microhei
    PROXY_FIX = False  # set PROXY_FIX=1 behind one trusted reverse proxy
    # sent with every answer to an HTTPS request (browsers then refuse plain HTTP to this host)
    HSTS = "max-age=31536000"
    # one line per request and per command run (app/core/logs.py): json, or text in development
    LOG_FORMAT = "json"
    # who may read /metrics (app/core/metrics.py): addresses or networks, comma-separated
    METRICS_ALLOW = "127.0.0.1,::1"

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None) -> dict:
        """Return this class's settings overlaid with the environment."""
        env = os.environ if env is None else env
        conf = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        app_env = env.get("APP_ENV", conf["ENV_NAME"])
        conf["ENV_NAME"] = app_env
        if app_env == "development":
            conf["SESSION_COOKIE_SECURE"] = False
            conf["SECRET_KEY"] = env.get("SECRET_KEY") or DEV_SECRET
        if env.get("SECRET_KEY"):
            conf["SECRET_KEY"] = env["SECRET_KEY"]
        if app_env == "development" and not env.get("PUBLIC_BASE_URL"):
            conf["PUBLIC_BASE_URL"] = DEV_PUBLIC_BASE_URL
        if env.get("DATABASE_URL"):
            conf["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(env["DATABASE_URL"])
        for key in ("PUBLIC_BASE_URL", "COMPLAINT_HOTLINE", "HOME_REGION_PREFIX", "SCALE_LABEL_LAYOUTS",
                    "RATELIMIT_STORAGE_URI", "DATA_KEY", "CJK_FONT_PATH",
                    "LOGIN_LIMIT_PER_PAIR", "LOGIN_LIMIT_PER_ADDRESS", "LOGIN_LIMIT_PER_ACCOUNT",
                    "LOGIN_LIMIT_PER_DEVICE", "METRICS_ALLOW"):
            if env.get(key):
                conf[key] = env[key]
        if env.get("ROSTER_UPLOAD_MAX_AGE_MINUTES"):
            conf["ROSTER_UPLOAD_MAX_AGE_MINUTES"] = int(env["ROSTER_UPLOAD_MAX_AGE_MINUTES"])
        conf["LOG_FORMAT"] = env.get("LOG_FORMAT") or ("text" if app_env == "development" else "json")
        if "PROXY_FIX" in env:
            conf["PROXY_FIX"] = _bool(env["PROXY_FIX"])
        if "SESSION_COOKIE_SECURE" in env:
            conf["SESSION_COOKIE_SECURE"] = _bool(env["SESSION_COOKIE_SECURE"])
        return conf


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"
    PUBLIC_BASE_URL = "http://test.local"

    @classmethod
    def from_env(cls, env=None) -> dict:
        env = os.environ if env is None else env
        conf = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        if env.get("TEST_DATABASE_URL"):
            conf["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(env["TEST_DATABASE_URL"])
        return conf


def public_base_url_problem(url: str | None) -> str | None:
    """Why `url` cannot be printed in QR codes that recipients scan with their phones (missing,
    not http(s), or this machine: localhost, 127.0.0.0/8, ::1, 0.0.0.0), or None when it can."""
    url = (url or "").strip()
    if not url:
        return "is not set"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"({url}) is not an http(s) address"
    host = parts.hostname.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return f"({url}) points at this machine (localhost)"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if ip.is_loopback or ip.is_unspecified:
        return f"({url}) points at this machine ({host})"
    return None


def normalise_db_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
