"""Wires the donations domain into the app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu


def init_app(app) -> None:
    from app.donations import api, models, views, views_pickup  # noqa: F401  (views_pickup adds routes)
    from app.extensions import api as rest_api

    assert models.Donation
    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    menu.add(app, endpoint="donations.index", label=_l("爱心捐赠"),
             roles={"admin", "federation", "manager", "donor"}, order=500,
             description=_l("登记捐赠、清点入库、下载捐赠证明、查看物品去向"))
    menu.add(app, endpoint="donations.pickup", label=_l("捐赠物品领取"), roles={"manager", "cashier"}, order=510,
             description=_l("为救助对象登记免费领取棉被、衣物"))
    menu.add(app, endpoint="donations.donor_list", label=_l("捐赠方"), roles={"admin", "federation", "manager"},
             order=520, description=_l("爱心企业和个人捐赠者，关联企业账号"))
    menu.add(app, endpoint="donations.figures", label=_l("捐赠统计"), roles={"admin", "federation", "manager"},
             order=530, description=_l("各类物品的接收和领取数量：按门店、按月、累计"))
    menu.add(app, endpoint="donations.limits", label=_l("领取限额"), roles={"admin", "federation"}, order=540,
             description=_l("每人每年、每月可领取的件数"))
