"""Products: barcodes, prices, eligibility, price history, search."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.core.errors import InvalidInput
from app.extensions import db
from app.inventory import barcodes, images, services
from app.inventory.models import PriceChange, Product
from tests.inventory import factories


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("code", ["6901234567892", "69012341", "４９０１２３４５６７８９４", " 690 1234 567892 ",
                                  "SZ-EGG01", "loose-01"])
def test_valid_codes(code):
    assert barcodes.validate(code) == barcodes.normalise(code)


@pytest.mark.parametrize("code,fragment", [
    ("6901234567891", "校验位"),
    ("69012348", "校验位"),
    ("690123456789", "13 位"),
    ("12", "13 位"),
    ("", "不能为空"),
    ("1ABC", "字母开头"),
    ("A=1+1", "字母开头"),
])
def test_invalid_codes(code, fragment):
    with pytest.raises(InvalidInput) as exc:
        barcodes.validate(code)
    assert fragment in str(exc.value.message)


def test_create_product_records_the_first_prices(app_ctx):
    p = factories.product("金龙鱼大豆油 5L", market=6990, charity=4990, voucher_eligible=True, monthly_limit=1)
    assert (p.market_price_fen, p.charity_price_fen, p.voucher_eligible, p.monthly_limit) == (6990, 4990, True, 1)
    [change] = services.price_history(p.id)
    assert (change.old_market_fen, change.new_market_fen, change.old_charity_fen, change.new_charity_fen,
            change.source) == (None, 6990, None, 4990, "create")


@pytest.mark.parametrize("kwargs,fragment", [
    ({"market": 2000, "charity": 2500}, "不能高于市场价"),
    ({"market": 0, "charity": 0}, "必须大于 0"),
    ({"market": -100, "charity": 100}, "必须大于 0"),
    ({"barcode": "6901234567891"}, "校验位"),
    ({"name": "  "}, "名称不能为空"),
    ({"unit": ""}, "单位"),
    ({"monthly_limit": 0}, "每月限购"),
])
def test_bad_product_input_is_refused_and_writes_nothing(app_ctx, kwargs, fragment):
    cat = factories.category()
    before = (count(Product), count(PriceChange))
    with pytest.raises(InvalidInput) as exc:
        factories.product(category=cat, **kwargs)
    assert fragment in str(exc.value.message)
    assert exc.value.code == "invalid_input"
    assert (count(Product), count(PriceChange)) == before


def test_tobacco_and_alcohol_are_never_voucher_eligible(app_ctx):
    alcohol = factories.category("酒水测试", voucher_allowed=False)
    with pytest.raises(InvalidInput, match="不能用购物券"):
        factories.product("二锅头", category=alcohol, voucher_eligible=True)
    beer = factories.product("啤酒", category=alcohol, voucher_eligible=False)
    with pytest.raises(InvalidInput, match="不能用购物券"):
        services.update_product(beer, voucher_eligible=True)


def test_duplicate_barcode_is_refused(app_ctx):
    p = factories.product()
    with pytest.raises(InvalidInput, match="已被商品"):
        factories.product(barcode=p.barcode)


def test_price_change_is_kept_with_who_and_when_and_explains_old_prices(app_ctx):
    p = factories.product(market=3000, charity=2500)
    created_at = services.price_history(p.id)[0].at
    services.update_product(p, charity_price_fen=2200)
    services.update_product(p, name="改名不改价")
    history = services.price_history(p.id)
    assert [(h.old_charity_fen, h.new_charity_fen) for h in history] == [(2500, 2200), (None, 2500)]
    assert history[0].username == "system" and history[0].source == "edit"
    assert services.price_at(p.id, created_at) == (3000, 2500)
    assert services.price_at(p.id, history[0].at + dt.timedelta(seconds=1)) == (3000, 2200)
    assert services.price_at(p.id, created_at - dt.timedelta(days=1)) is None


def test_search_by_name_words_code_category_and_stock_at_a_shop(shop_a, rice):
    oil_cat = factories.category("油测试")
    oil = factories.product("金龙鱼 大豆油 5L", category=oil_cat)
    inactive = factories.product("停售大米", category=rice.category, active=False)
    factories.stock(shop_a, rice, 7)
    assert [p.id for p in services.search_products("大米")] == [rice.id]
    assert [p.id for p in services.search_products("大米", active_only=False)] == sorted([rice.id, inactive.id])
    assert [p.id for p in services.search_products("金龙鱼 5L")] == [oil.id]
    assert [p.id for p in services.search_products(rice.barcode[:6], category=rice.category.id)] == [rice.id]
    assert [p.id for p in services.search_products(category="油测试")] == [oil.id]
    assert services.search_products(category="没有这个分类") == []
    found = services.search_products(barcode=rice.barcode, shop_id=shop_a.id)
    assert [(p.id, p.stock) for p in found] == [(rice.id, 7)]
    assert [p.stock for p in services.search_products("金龙鱼", shop_id=shop_a.id)] == [0]
    assert services.find_by_barcode(" " + rice.barcode + " ").id == rice.id
    assert services.search_products("100%_") == []


def _png(width=1200, height=600) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_product_image_is_re_encoded_small_and_replaceable(app_ctx):
    import io

    from PIL import Image

    p = factories.product()
    images.set_product_image(p, _png())
    stored = images.product_image(p.id)
    with Image.open(io.BytesIO(stored.data)) as img:
        assert max(img.size) == 800 and stored.mimetype == "image/jpeg"
    first = p.image
    images.set_product_image(p, _png(300, 300))
    assert p.image and p.image != first
    for bad in (b"not an image", b"", b"GIF89a" + b"\0" * 20):
        with pytest.raises(InvalidInput):
            images.set_product_image(p, bad)
    images.set_product_image(p, None)
    assert p.image is None
    with pytest.raises(Exception, match="没有图片"):
        images.product_image(p.id)
