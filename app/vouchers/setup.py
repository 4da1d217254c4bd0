"""Wires the vouchers domain into the app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu, metrics


def init_app(app) -> None:
    from app.extensions import api as rest_api
    from app.recipients import services as recipient_services
    from app.vouchers import api, cli, models, services, views

    assert models.Voucher
    recipient_services.on_exit(app, services.revoke_for_recipients)
    recipient_services.add_detail_panel(app, views.recipient_panel)
    # cishan_voucher_redemptions_total on /metrics
    metrics.count_commits(models.VoucherLedger, metrics.REDEMPTIONS, where=lambda row: row.kind == "redeem")
    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.cli.add_command(cli.vouchers_cli)
    menu.add(app, endpoint="vouchers.issuance_page", label=_l("购物券发放"), roles={"admin", "federation"},
             order=200, description=_l("按月发放购物券、打印 A4 券页、查看发放记录"))
