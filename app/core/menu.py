"""The per-role menu: each domain adds its entries when it is set up; home and nav list them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object  # lazy_gettext string
    roles: frozenset
    order: int = 100
    description: object = ""


def add(app, *, endpoint: str, label, roles, order: int = 100, description="") -> None:
    app.extensions.setdefault("menu", []).append(
        MenuItem(endpoint, label, frozenset(roles), order, description))


def for_role(role: str | None) -> list[MenuItem]:
    items = current_app.extensions.get("menu", [])
    return sorted((i for i in items if role in i.roles), key=lambda i: (i.order, i.endpoint))
