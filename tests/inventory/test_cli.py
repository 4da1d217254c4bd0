"""`flask --app wsgi inventory verify|import|export` and the demo catalogue."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inventory import services
from app.inventory.models import Product, StockLevel, StockMove
from tests import factories as core_factories
from tests.inventory import factories

ROOT = Path(__file__).resolve().parents[2]


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def flask(url, *args):
    env = dict(os.environ, APP_ENV="development", DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.real_commits
def test_seed_demo_stocks_every_shop_and_verify_catches_a_drift(fresh_app):
    url = fresh_app.config["FRESH_DATABASE_URL"]
    first = flask(url, "seed-demo")
    assert first.returncode == 0, first.stderr
    second = flask(url, "seed-demo")
    assert second.returncode == 0 and "opening stock in 0 shop(s)" in second.stdout
    with fresh_app.app_context():
        from app.auth import services as auth_services

        shops = auth_services.list_shops()
        products = db.session.scalars(sa.select(Product)).all()
        assert len(shops) == 5 and len(products) >= 10
        names = {p.name for p in products}
        assert {"东北大米 5kg", "五得利小麦粉 5kg", "大豆油 5L", "加碘精制盐 400g", "生抽酱油 500ml"} <= names
        assert all(p.charity_price_fen <= p.market_price_fen for p in products)
        beer = next(p for p in products if p.name.startswith("啤酒"))
        assert not beer.voucher_eligible and not beer.category.voucher_allowed
        for shop in shops:
            rice = services.find_by_barcode(next(p.barcode for p in products if p.name == "东北大米 5kg"))
            assert services.stock_on_hand(shop.id, rice.id) > 0
        receives = db.session.scalar(sa.select(sa.func.count()).select_from(StockMove))
    assert flask(url, "seed-demo").returncode == 0
    with fresh_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == receives

    ok = flask(url, "inventory", "verify")
    assert ok.returncode == 0 and "一致" in ok.stdout
    with fresh_app.app_context():
        db.session.execute(sa.update(StockLevel).where(StockLevel.id == 1).values(on_hand=StockLevel.on_hand + 1))
        db.session.commit()
    bad = flask(url, "inventory", "verify")
    assert bad.returncode == 1
    assert "DIFF" in bad.stdout and "不一致" in bad.stderr


def test_cli_import_export_round_trip(app, tmp_path):
    with app.app_context():
        cat = factories.category("命令行分类")
        shop = core_factories.shop("CLI9")
        db.session.commit()
        assert cat.name and shop.code
    good = tmp_path / "good.csv"
    code = None
    with app.app_context():
        code = factories.ean13()
    good.write_text(f"条码,名称,分类,单位,市场价,慈善价\n{code},命令行面粉,命令行分类,袋,20,15\n", encoding="utf-8")
    dry = invoke(app, "inventory", "import", str(good), "--dry-run")
    assert dry.exit_code == 0 and "created=1" in dry.output
    with app.app_context():
        assert db.session.scalar(sa.select(Product).where(Product.barcode == code)) is None
    result = invoke(app, "inventory", "import", str(good))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.xlsx"
    exported = invoke(app, "inventory", "export", "--format", "xlsx", "--out", str(out), "--shop", "CLI9")
    assert exported.exit_code == 0 and out.stat().st_size > 0


def test_cli_import_with_bad_rows_exits_2_and_names_the_rows(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("条码,名称,分类,单位,市场价,慈善价\n6901234567891,坏,没有的分类,袋,1,2\n", encoding="utf-8")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Product))
    result = invoke(app, "inventory", "import", str(bad))
    assert result.exit_code == 2
    assert "第 2 行" in result.output and "校验位" in result.output and "分类不存在" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == before
    assert invoke(app, "inventory", "export", "--out", str(tmp_path / "x.csv"), "--shop", "NOPE").exit_code == 2
