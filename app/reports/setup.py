"""Wires reports into the app: models, pages, public pages, the API, `flask reconcile`, menu,
and the settlement rule the till's voids follow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import menu


def init_app(app) -> None:
    from app.extensions import api as rest_api
    from app.reports import (  # noqa: F401  (the views_* modules add routes to views.bp)
        api,
        cli,
        models,
        scope,
        settlement,
        views,
        views_callbacks,
        views_public,
        views_settlement,
    )

    app.extensions["settlement_period_for_void"] = settlement.period_for_void
    app.extensions["settlement_check_sale"] = settlement.refuse_sale_in_closed_month
    app.register_blueprint(views.bp)
    app.register_blueprint(views_public.public_bp)
    rest_api.register_blueprint(api.blp, url_prefix="/api/v1")
    app.cli.add_command(cli.reconcile_cmd)
    app.cli.add_command(cli.verify_cmd)
    staff, shop_staff = set(scope.STAFF), set(scope.SHOP_STAFF)
    menu.add(app, endpoint="reports.dashboard", label=_l("数据看板"), roles=staff, order=600,
             description=_l("发放与核销、核销率、余额、让利、捐赠领取的月度图表"))
    menu.add(app, endpoint="reports.reconciliation_page", label=_l("对账"), roles=staff, order=610,
             description=_l("按月核对发放、核销、退券、过期、注销和余额，列出每一处差异"))
    menu.add(app, endpoint="reports.settlements", label=_l("门店结算"), roles=shop_staff, order=620,
             description=_l("每月应付门店的购物券金额、结算单、登记付款"))
    menu.add(app, endpoint="reports.charity_value", label=_l("公益价值"), roles=shop_staff, order=630,
             description=_l("慈善价商品的市场价值、实付和让利"))
    menu.add(app, endpoint="reports.spot_checks", label=_l("抽查回访"), roles=staff, order=640,
             description=_l("随机抽取核销和领取记录，电话回访并记录结果"))
    menu.add(app, endpoint="reports.feedback_list", label=_l("留言反馈"), roles=shop_staff, order=650,
             description=_l("小票二维码收到的评价和投诉，及时答复"))
