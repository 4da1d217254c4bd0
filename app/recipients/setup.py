"""Wires the recipients domain into the app."""

from __future__ import annotations


def init_app(app) -> None:
    from app.recipients import models  # noqa: F401
