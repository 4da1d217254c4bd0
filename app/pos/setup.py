"""Wires the till into the app: models, the till page, the API, receipts, `flask pos|printer`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu, metrics


def init_app(app) -> None:
    from flask_login import user_logged_in

    from app.auth import devices
    from app.extensions import api as rest_api
    from app.pos import api, checkout, cli, models, pins, terminals, views, views_pin, voucher_refs  # noqa: F401

    app.extensions["voucher_limits_provider"] = (
        lambda recipient_id, today: checkout.remaining_limits(recipient_id, today=today))
    # where a voucher was spent or refunded, for its history (app/vouchers/history.py)
    app.extensions["voucher_ref_provider"] = voucher_refs.describe
    # a manager who logs in with their password unlocks their PIN (app/pos/pins.py)
    user_logged_in.connect(lambda _sender, user, **_kw: pins.unlock_on_login(user), app, weak=False)
    # logins at a registered till come from a known device (app/auth/throttle.py)
    devices.register_check(app, terminals.known_terminal)
    app.register_blueprint(views.bp)
    from app.pos.models import Sale

    metrics.count_commits(Sale, metrics.CHECKOUTS)  # cishan_checkouts_total on /metrics
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.cli.add_command(cli.printer_cli)
    app.cli.add_command(cli.pos_cli)
    menu.add(app, endpoint="pos.till", label=_l("收银台"), roles={"cashier", "manager"}, order=10,
             description=_l("扫码、慈善价、购物券抵扣、收款、打印小票"))
    menu.add(app, endpoint="pos.terminal", label=_l("登记收银机"), roles={"manager"}, order=12,
             description=_l("在收银机上登记一次：本店员工在这里登录不会被别人输错密码锁住"))
    menu.add(app, endpoint="pos.pin", label=_l("店长授权码"), roles={"manager"}, order=13,
             description=_l("设置或修改收银员作废交易时需要的店长授权码"))
