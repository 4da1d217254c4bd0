"""Wires the donations domain into the app."""

from __future__ import annotations


def init_app(app) -> None:
    from app.donations import models  # noqa: F401
