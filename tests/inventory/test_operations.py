"""Receiving, adjustment, transfer (all or nothing), stocktake (zero-stock products), low stock."""

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, InvalidInput
from app.extensions import db
from app.inventory import movements, services
from app.inventory.errors import OutOfStock
from app.inventory.models import ReceivingNote, StockMove, Stocktake, Transfer, TransferLine
from tests.inventory import factories


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def snapshot(*shops_products):
    return [services.stock_on_hand(s.id, p.id) for s, p in shops_products]


def test_receiving_note_posts_one_move_per_line(shop_a, rice):
    oil = factories.product("豆油")
    note = movements.receive(shop_id=shop_a.id, supplier="粮油公司", received_by="李四", delivery_no="D-1",
                             lines=[{"barcode": rice.barcode, "quantity": "10", "unit_cost": "25.50"},
                                    {"product_id": oil.id, "quantity": 4},
                                    {"barcode": "", "quantity": ""}])
    assert [(ln.product_id, ln.quantity, ln.unit_cost_fen) for ln in note.lines] == [
        (rice.id, 10, 2550), (oil.id, 4, None)]
    assert snapshot((shop_a, rice), (shop_a, oil)) == [10, 4]
    refs = db.session.scalars(sa.select(StockMove.ref_id).where(StockMove.ref_type == "receiving")).all()
    assert refs == [str(note.id), str(note.id)]


@pytest.mark.parametrize("line,fragment", [
    ({"quantity": "-5"}, "不能为负数"),
    ({"quantity": "0"}, "不能为 0"),
    ({"quantity": "2.5"}, "整数"),
    ({"barcode": "6901234567892", "quantity": "1"}, "商品不存在"),
])
def test_bad_receiving_lines_write_nothing(shop_a, rice, line, fragment):
    before = (count(ReceivingNote), count(StockMove))
    lines = [{"barcode": rice.barcode, "quantity": "3"}, {"barcode": rice.barcode, **line}]
    with pytest.raises(InvalidInput) as exc:
        movements.receive(shop_id=shop_a.id, supplier="x", received_by="y", lines=lines)
    assert fragment in str(exc.value.message) and "第 2 行" in str(exc.value.message)
    assert (count(ReceivingNote), count(StockMove)) == before


def test_transfer_moves_out_and_in_together(shop_a, shop_b, rice):
    factories.stock(shop_a, rice, 5)
    tr = movements.transfer(from_shop_id=shop_a.id, to_shop_id=shop_b.id,
                            lines=[{"product_id": rice.id, "quantity": 3}])
    assert snapshot((shop_a, rice), (shop_b, rice)) == [2, 3]
    kinds = db.session.execute(sa.select(StockMove.shop_id, StockMove.kind, StockMove.quantity)
                               .where(StockMove.ref_type == "transfer", StockMove.ref_id == str(tr.id))
                               .order_by(StockMove.id)).all()
    assert kinds == [(shop_a.id, "transfer_out", -3), (shop_b.id, "transfer_in", 3)]
    assert movements.verify() == []


def test_a_transfer_that_fails_half_way_leaves_both_shops_unchanged(shop_a, shop_b, rice):
    """The first line moves out of A and into B, the second is short: nothing of it remains."""
    oil = factories.product("调拨豆油")
    factories.stock(shop_a, rice, 5)
    factories.stock(shop_a, oil, 1)
    factories.stock(shop_b, rice, 2)
    pairs = ((shop_a, rice), (shop_a, oil), (shop_b, rice), (shop_b, oil))
    before = (snapshot(*pairs), count(StockMove), count(Transfer), count(TransferLine))
    with pytest.raises(OutOfStock) as exc:
        movements.transfer(from_shop_id=shop_a.id, to_shop_id=shop_b.id,
                           lines=[{"product_id": rice.id, "quantity": 4}, {"product_id": oil.id, "quantity": 2}])
    assert exc.value.details["product_id"] == oil.id
    # no rollback by the caller: the service's savepoint already undid the first line
    assert (snapshot(*pairs), count(StockMove), count(Transfer), count(TransferLine)) == before
    assert movements.verify() == []


def test_transfer_to_the_same_shop_is_refused(shop_a, rice):
    factories.stock(shop_a, rice, 5)
    with pytest.raises(InvalidInput, match="不能相同"):
        movements.transfer(from_shop_id=shop_a.id, to_shop_id=shop_a.id, lines=[{"product_id": rice.id, "quantity": 1}])


def test_adjust_reasons(shop_a, rice):
    factories.stock(shop_a, rice, 5)
    move = movements.adjust(shop_id=shop_a.id, product_id=rice.id, quantity=-2, reason="expired")
    assert (move.kind, move.quantity, move.reason, move.on_hand_after) == ("adjust", -2, "expired", 3)
    movements.adjust(shop_id=shop_a.id, product_id=rice.id, quantity="1", reason="found")
    movements.adjust(shop_id=shop_a.id, product_id=rice.id, quantity=1, reason="other", note="更正录入")
    assert services.stock_on_hand(shop_a.id, rice.id) == 5
    bad = [(2, "damaged", ""), (-1, "found", ""), (1, "other", ""), (-1, "", ""), (-1, "stolen", "")]
    for qty, reason, note in bad:
        with pytest.raises(InvalidInput):
            movements.adjust(shop_id=shop_a.id, product_id=rice.id, quantity=qty, reason=reason, note=note)
    with pytest.raises(OutOfStock):
        movements.adjust(shop_id=shop_a.id, product_id=rice.id, quantity=-6, reason="lost")
    assert services.stock_on_hand(shop_a.id, rice.id) == 5


def test_a_stocktake_counts_zero_stock_products(shop_a, rice):
    """A product the shop has never had is on the sheet; counting it posts it into stock."""
    never = factories.product("从未进货的商品", category=rice.category)
    sold_out = factories.product("卖光的商品", category=rice.category)
    factories.stock(shop_a, rice, 5)
    factories.stock(shop_a, sold_out, 1)
    services.take_stock(shop_id=shop_a.id, product_id=sold_out.id, quantity=1, kind="sale",
                        ref_type="sale", ref_id=1, user_id=None)
    st = movements.start_stocktake(shop_id=shop_a.id, category_id=rice.category_id)
    expected = {ln.product_id: ln.expected for ln in st.lines}
    assert expected == {rice.id: 5, never.id: 0, sold_out.id: 0}
    movements.record_counts(st, {rice.id: "4", never.id: "3", sold_out.id: "0"})
    assert sorted((ln.product_id, ln.difference) for ln in st.lines if ln.difference) == sorted(
        [(rice.id, -1), (never.id, 3)])
    assert movements.post_stocktake(st) == 2
    assert snapshot((shop_a, rice), (shop_a, never), (shop_a, sold_out)) == [4, 3, 0]
    assert st.status == "posted" and st.open_shop_id is None
    assert movements.verify() == []
    with pytest.raises(Conflict):
        movements.record_counts(st, {rice.id: 1})


def test_one_open_stocktake_per_shop_and_bad_counts(shop_a, shop_b, rice):
    st = movements.start_stocktake(shop_id=shop_a.id)
    with pytest.raises(Conflict):
        movements.start_stocktake(shop_id=shop_a.id)
    movements.start_stocktake(shop_id=shop_b.id)  # another shop may count at the same time
    for counts in ({rice.id: "-1"}, {rice.id: "abc"}, {999999: "1"}):
        with pytest.raises(InvalidInput):
            movements.record_counts(st, counts)
    assert all(ln.counted is None for ln in st.lines)
    movements.cancel_stocktake(st)
    assert count(StockMove) == 0
    assert movements.start_stocktake(shop_id=shop_a.id).status == "open"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stocktake)
                             .where(Stocktake.status == "open")) == 2


def test_stocktake_flags_products_that_moved_and_refuses_a_negative_result(shop_a, rice):
    factories.stock(shop_a, rice, 5)
    st = movements.start_stocktake(shop_id=shop_a.id)
    services.take_stock(shop_id=shop_a.id, product_id=rice.id, quantity=4, kind="sale",
                        ref_type="sale", ref_id=9, user_id=None)
    assert movements.moved_since_start(st) == {rice.id}
    movements.record_counts(st, {rice.id: 0})  # expected 5, counted 0 -> -5, but only 1 is left
    with pytest.raises(InvalidInput, match="重新清点"):
        movements.post_stocktake(st)
    assert st.status == "open" and services.stock_on_hand(shop_a.id, rice.id) == 1
    movements.record_counts(st, {rice.id: 2})  # expected 5, counted 2: -3, but only 1 is left
    with pytest.raises(InvalidInput, match="重新清点"):
        movements.post_stocktake(st)
    movements.record_counts(st, {rice.id: 4})  # the count before the sale of 4: one unit missing
    assert movements.post_stocktake(st) == 1
    assert services.stock_on_hand(shop_a.id, rice.id) == 0
    assert movements.verify() == []


def test_low_stock_against_reorder_levels(shop_a, shop_b, rice):
    oil = factories.product("低库存豆油")
    factories.stock(shop_a, rice, 3)
    factories.stock(shop_a, oil, 10)
    services.set_reorder_level(shop_id=shop_a.id, product_id=rice.id, level=5)
    services.set_reorder_level(shop_id=shop_a.id, product_id=oil.id, level=5)
    services.set_reorder_level(shop_id=shop_b.id, product_id=rice.id, level=1)  # B has none at all
    rows = movements.low_stock([shop_a.id, shop_b.id])
    assert [(lv.shop_id, p.id, lv.on_hand, lv.reorder_level) for lv, p in rows] == [
        (shop_a.id, rice.id, 3, 5), (shop_b.id, rice.id, 0, 1)]
    assert movements.low_stock([shop_b.id])[0][0].shop_id == shop_b.id
    with pytest.raises(InvalidInput):
        services.set_reorder_level(shop_id=shop_a.id, product_id=rice.id, level=-1)
    assert movements.verify() == []
