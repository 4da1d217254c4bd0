"""Catalogue import (all or nothing, per-row errors) and export (formula-injection safe)."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.inventory import catalogue_io, services
from app.inventory.errors import ImportFailed
from app.inventory.models import PriceChange, Product
from tests.inventory import factories

HEADER = "条码,名称,分类,单位,市场价,慈善价,可用购物券,每月限购\n"


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def grain(app_ctx):
    return factories.category("粮食导入")


def test_import_creates_and_updates_products(grain):
    existing = factories.product("旧名称", category=grain, market=3000, charity=2500)
    new_code = factories.ean13()
    data = (HEADER + f"{new_code},五得利面粉 5kg,粮食导入,袋,29.90,22.50,是,1\n"
            f"{existing.barcode},新名称,粮食导入,袋,30,20,否,\n").encode("utf-8-sig")
    result = catalogue_io.import_catalogue(data, "catalogue.csv")
    assert (result.rows, result.created, result.updated) == (2, 1, 1)
    flour = services.find_by_barcode(new_code)
    assert (flour.name, flour.market_price_fen, flour.charity_price_fen, flour.voucher_eligible,
            flour.monthly_limit) == ("五得利面粉 5kg", 2990, 2250, True, 1)
    assert (existing.name, existing.charity_price_fen) == ("新名称", 2000)
    assert services.price_history(existing.id)[0].source == "import"


def test_import_reads_gb18030_and_english_headers(grain):
    code = factories.ean13()
    data = ("barcode,name,category,unit,market_price,charity_price\n"
            f"{code},精制食盐 400g,粮食导入,包,2.5,1.8\n").encode("gb18030")
    assert catalogue_io.import_catalogue(data, "x.csv").created == 1
    assert services.find_by_barcode(code).name == "精制食盐 400g"


def test_import_with_bad_rows_writes_nothing_and_names_every_row(grain):
    existing = factories.product(category=grain)
    before = (count(Product), count(PriceChange))
    good = factories.ean13()
    data = (HEADER
            + f"{good},好商品,粮食导入,袋,10,8,是,\n"                        # row 2: fine
            + "6901234567891,坏校验位,粮食导入,袋,10,8,是,\n"                # row 3: EAN check digit
            + f"{factories.ean13()},慈善价高,粮食导入,袋,10,12,是,\n"          # row 4: charity > market
            + f"{factories.ean13()},没分类,不存在的分类,袋,10,8,是,\n"         # row 5: unknown category
            + f"{good},重复条码,粮食导入,袋,10,8,是,\n"                        # row 6: duplicate in file
            + f"{factories.ean13()},负价,粮食导入,袋,-1,8,是,-2\n"            # row 7: negative price, limit
            ).encode()
    with pytest.raises(ImportFailed) as exc:
        catalogue_io.import_catalogue(data, "bad.csv")
    rows = {r["row"]: " ".join(r["errors"]) for r in exc.value.details["rows"]}
    assert sorted(rows) == [3, 4, 5, 6, 7]
    assert "校验位" in rows[3]
    assert "不能高于市场价" in rows[4]
    assert "分类不存在" in rows[5]
    assert "第 2 行重复" in rows[6]
    assert "市场价格式不正确" in rows[7] and "每月限购" in rows[7]
    assert exc.value.code == "invalid_input" and "未写入" in str(exc.value.message)
    assert (count(Product), count(PriceChange)) == before
    assert existing.name.startswith("测试商品")


def test_unknown_product_in_an_import_is_refused(grain):
    p = factories.product(category=grain)
    before = count(Product)
    by_id = f"编号,{HEADER}999999,{p.barcode},x,粮食导入,袋,10,8,是,\n".encode()
    with pytest.raises(ImportFailed) as exc:
        catalogue_io.import_catalogue(by_id, "x.csv")
    assert "商品不存在：编号 999999" in exc.value.details["rows"][0]["errors"][0]
    unknown_code = factories.ean13()
    update_only = (HEADER + f"{unknown_code},新品,粮食导入,袋,10,8,是,\n").encode()
    with pytest.raises(ImportFailed) as exc:
        catalogue_io.import_catalogue(update_only, "x.csv", update_only=True)
    assert "商品不存在" in exc.value.details["rows"][0]["errors"][0]
    assert count(Product) == before


def test_missing_columns_and_empty_files(grain):
    with pytest.raises(Exception, match="缺少必需的列"):
        catalogue_io.import_catalogue("条码,名称\n1,2\n".encode(), "x.csv")
    with pytest.raises(Exception, match="空的"):
        catalogue_io.import_catalogue(b"", "x.csv")


def test_dry_run_writes_nothing(grain):
    before = count(Product)
    data = (HEADER + f"{factories.ean13()},试算,粮食导入,袋,10,8,是,\n").encode()
    result = catalogue_io.import_catalogue(data, "x.csv", dry_run=True)
    assert (result.created, result.dry_run) == (1, True)
    assert count(Product) == before


def test_xlsx_import_with_number_cells(grain):
    code = factories.ean13()
    wb = Workbook()
    ws = wb.active
    ws.append(["条码", "名称", "分类", "单位", "市场价（元）", "慈善价（元）", "可用购物券", "每月限购"])
    ws.append([int(code), "鸡蛋 30枚", "粮食导入", "盒", 19.9, 15, "否", None])
    buf = io.BytesIO()
    wb.save(buf)
    catalogue_io.import_catalogue(buf.getvalue(), "x.xlsx")
    egg = services.find_by_barcode(code)
    assert (egg.market_price_fen, egg.charity_price_fen, egg.voucher_eligible) == (1990, 1500, False)


def test_export_is_safe_against_formula_injection_and_round_trips(grain):
    evil = factories.product("=HYPERLINK(\"http://x\",\"点我\")", category=grain, market=1234, charity=1000)
    plain = factories.product("-减号开头", category=grain)
    data, mimetype, ext = catalogue_io.export_catalogue("csv")
    assert ext == "csv" and mimetype.startswith("text/csv") and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["编号", "条码", "名称", "分类", "单位", "市场价"]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert by_id[evil.id][2] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert by_id[evil.id][5:7] == ["12.34", "10.00"]
    assert by_id[plain.id][2] == "'-减号开头"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)

    xdata, _m, _e = catalogue_io.export_catalogue("xlsx")
    ws = load_workbook(io.BytesIO(xdata)).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    name_cell = next(c for c in cells if c.value and str(c.value).endswith("点我\")"))
    assert name_cell.data_type == "s" and name_cell.value.startswith("'=")

    result = catalogue_io.import_catalogue(data, "round.csv")  # the export imports back unchanged
    assert (result.created, result.updated) == (0, 0)
    assert evil.name.startswith("=HYPERLINK")


def test_export_with_stock_of_a_shop(shop_a, rice):
    factories.stock(shop_a, rice, 4)
    services.set_reorder_level(shop_id=shop_a.id, product_id=rice.id, level=2)
    data, _m, _e = catalogue_io.export_catalogue("csv", shop_id=shop_a.id)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["库存", "补货线"]
    assert [r[-2:] for r in rows[1:] if r[1] == rice.barcode] == [["4", "2"]]
