"""The one check for every `?next=` redirect (login, language switch): only a path on this site.

Refused, so the default page is used instead: anything that is not a string, empty, longer than
2,000 characters, with whitespace or control characters anywhere (browsers drop a tab or line
break inside a URL, so "/\\t/evil.example" becomes "//evil.example"), with a backslash (read as
"/" by browsers), starting with "//", or with a scheme or host once parsed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

MAX_LENGTH = 2000


def is_safe_next(target) -> bool:
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return False
    if any(ch.isspace() or not ch.isprintable() for ch in target) or "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target, default_endpoint: str = "core.home") -> str:
    """`target` if it is a path on this site, else the URL of `default_endpoint`."""
    return target if is_safe_next(target) else url_for(default_endpoint)
