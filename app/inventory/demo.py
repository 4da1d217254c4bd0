"""Demo catalogue (米面油调料, eggs, daily goods, one alcohol) and opening stock in every demo shop.

Idempotent: categories and products are matched by name and barcode; a shop that already has
any stock move gets no opening delivery again.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth import services as auth_services
from app.extensions import db
from app.inventory import movements, services
from app.inventory.barcodes import make_ean13
from app.inventory.models import Category, Product, StockMove

# name, voucher allowed, sort order
CATEGORIES = [
    ("粮食", True, 10),
    ("食用油", True, 20),
    ("调味品", True, 30),
    ("副食", True, 40),
    ("日用品", True, 50),
    ("酒水", False, 90),
]

# barcode (12 digits + check, or an internal code), name, category, unit, market fen, charity fen,
# voucher eligible, monthly limit, opening stock, reorder level (weighed goods: grams, prices per 斤)
PRODUCTS = [
    ("692000100001", "东北大米 5kg", "粮食", "袋", 3990, 2990, True, 1, 40, 10),
    ("692000100002", "五得利小麦粉 5kg", "粮食", "袋", 2980, 2180, True, 1, 40, 10),
    ("692000100003", "挂面 1kg", "粮食", "包", 850, 600, True, 4, 60, 15),
    ("692000100004", "小米 1kg", "粮食", "袋", 1290, 990, True, None, 20, 5),
    ("692000100005", "大豆油 5L", "食用油", "桶", 6990, 4990, True, 1, 30, 8),
    ("692000100006", "花生油 1.8L", "食用油", "桶", 4590, 3590, True, 1, 12, 4),
    ("692000100007", "加碘精制盐 400g", "调味品", "包", 250, 180, True, None, 80, 20),
    ("692000100008", "生抽酱油 500ml", "调味品", "瓶", 890, 650, True, None, 40, 10),
    ("692000100009", "山西老陈醋 500ml", "调味品", "瓶", 790, 590, True, None, 40, 10),
    ("692000100010", "白砂糖 500g", "调味品", "袋", 690, 520, True, None, 30, 8),
    ("SZ-EGG01", "散装鸡蛋", "副食", "斤", 650, 520, False, 1000, 25000, 7500),
    ("692000100011", "洗衣粉 1.5kg", "日用品", "袋", 1990, 1490, False, None, 24, 6),
    ("692000100012", "香皂 3块装", "日用品", "盒", 1290, 990, False, None, 24, 6),
    ("692000100013", "卫生纸 10卷", "日用品", "提", 2590, 1990, False, None, 0, 5),
    ("692000100014", "啤酒 500ml", "酒水", "瓶", 450, 450, False, None, 24, 0),
]

# weighed goods: barcode -> (unit grams, scale PLU). 散装鸡蛋 is sold per 斤 (¥6.50, charity ¥5.20),
# at most 2 斤 a month at the charity price; its scale label for 0.75 斤 (375 g) is DEMO_EGG_LABEL.
WEIGHED = {"SZ-EGG01": (500, 1)}
DEMO_EGG_LABEL = "2100001003753"  # weight5: 21 + PLU 00001 + 00375 g + check digit 3 (see README)


def _code(code: str) -> str:
    return make_ean13(code) if code.isdigit() else code


def seed(echo) -> None:
    cats = {}
    for name, allowed, order in CATEGORIES:
        cat = db.session.scalar(select(Category).where(Category.name == name))
        cats[name] = cat or services.create_category(name=name, voucher_allowed=allowed, sort_order=order)
    products = []
    for code, name, cat, unit, market, charity, eligible, limit, opening, reorder in PRODUCTS:
        barcode = _code(code)
        product = db.session.scalar(select(Product).where(Product.barcode == barcode))
        if product is None:
            unit_grams, plu = WEIGHED.get(code, (None, None))
            product = services.create_product(barcode=barcode, name=name, category_id=cats[cat].id, unit=unit,
                                              market_price_fen=market, charity_price_fen=charity,
                                              voucher_eligible=eligible, monthly_limit=limit,
                                              sale_unit="weight" if unit_grams else "piece",
                                              unit_grams=unit_grams, plu=plu)
        products.append((product, opening, reorder))
    stocked = 0
    for shop in auth_services.list_shops():
        if db.session.scalar(select(StockMove.id).where(StockMove.shop_id == shop.id).limit(1)) is not None:
            continue
        lines = [{"product_id": p.id, "quantity": opening} for p, opening, _r in products if opening]
        movements.receive(shop_id=shop.id, supplier="许昌市慈善总会配送中心", received_by="演示数据",
                          delivery_no="QC-0001", note="期初库存", lines=lines)
        for p, _opening, reorder in products:
            if reorder:
                services.set_reorder_level(shop_id=shop.id, product_id=p.id, level=reorder)
        stocked += 1
    echo(f"demo: {len(cats)} categories, {len(products)} products, opening stock in {stocked} shop(s)")
