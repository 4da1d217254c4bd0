"""Wires the vouchers domain into the app."""

from __future__ import annotations


def init_app(app) -> None:
    from app.recipients import services as recipient_services
    from app.vouchers import models, services

    assert models.Voucher
    recipient_services.on_exit(app, services.revoke_for_recipients)
