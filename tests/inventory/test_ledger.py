"""The stock ledger: take/return, the conditional update, verify, append-only."""

import pytest
import sqlalchemy as sa

from app.core.errors import InvalidInput, NotFound
from app.extensions import db
from app.inventory import movements, services
from app.inventory.errors import OutOfStock
from app.inventory.models import StockLevel, StockMove
from tests.inventory import factories


def moves(shop, product):
    return list(db.session.scalars(sa.select(StockMove).where(StockMove.shop_id == shop.id,
                                                              StockMove.product_id == product.id)
                                   .order_by(StockMove.id)))


def test_take_and_return_stock_keep_ledger_and_on_hand_in_step(shop_a, rice):
    factories.stock(shop_a, rice, 5)
    assert services.take_stock(shop_id=shop_a.id, product_id=rice.id, quantity=2, kind="sale",
                               ref_type="sale", ref_id=17, user_id=None) == 3
    assert services.return_stock(shop_id=shop_a.id, product_id=rice.id, quantity=1, kind="void",
                                 ref_type="sale", ref_id=17, user_id=None) == 4
    assert services.stock_on_hand(shop_a.id, rice.id) == 4
    rows = moves(shop_a, rice)
    assert [(m.kind, m.quantity, m.on_hand_after) for m in rows] == [
        ("receive", 5, 5), ("sale", -2, 3), ("void", 1, 4)]
    assert rows[1].ref_type == "sale" and rows[1].ref_id == "17"
    assert movements.verify() == []


def test_sale_of_more_than_on_hand_is_refused_and_changes_nothing(shop_a, rice):
    factories.stock(shop_a, rice, 1)
    with pytest.raises(OutOfStock) as exc:
        services.take_stock(shop_id=shop_a.id, product_id=rice.id, quantity=2, kind="sale",
                            ref_type="sale", ref_id=1, user_id=None)
    assert exc.value.code == "out_of_stock" and exc.value.status == 409
    assert exc.value.details == {"product_id": rice.id, "shop_id": shop_a.id, "requested": 2, "on_hand": 1}
    assert "库存不足" in str(exc.value.message) and rice.name in str(exc.value.message)
    assert services.stock_on_hand(shop_a.id, rice.id) == 1
    assert len(moves(shop_a, rice)) == 1


def test_sale_at_a_shop_that_never_had_the_product_is_out_of_stock(shop_a, rice):
    with pytest.raises(OutOfStock):
        services.take_stock(shop_id=shop_a.id, product_id=rice.id, quantity=1, kind="sale",
                            ref_type="sale", ref_id=1, user_id=None)
    assert services.stock_on_hand(shop_a.id, rice.id) == 0


@pytest.mark.parametrize("qty", [0, -1, "abc", "", True, 1.5])
def test_take_stock_refuses_bad_quantities(shop_a, rice, qty):
    factories.stock(shop_a, rice, 5)
    with pytest.raises(InvalidInput):
        services.take_stock(shop_id=shop_a.id, product_id=rice.id, quantity=qty, kind="sale",
                            ref_type="sale", ref_id=1, user_id=None)
    assert services.stock_on_hand(shop_a.id, rice.id) == 5


def test_kinds_must_point_the_right_way(shop_a, rice):
    factories.stock(shop_a, rice, 5)
    with pytest.raises(InvalidInput):
        services.take_stock(shop_id=shop_a.id, product_id=rice.id, quantity=1, kind="receive",
                            ref_type=None, ref_id=None, user_id=None)
    with pytest.raises(InvalidInput):
        services.return_stock(shop_id=shop_a.id, product_id=rice.id, quantity=1, kind="sale",
                              ref_type=None, ref_id=None, user_id=None)


def test_unknown_product(shop_a):
    with pytest.raises(NotFound) as exc:
        services.take_stock(shop_id=shop_a.id, product_id=999999, quantity=1, kind="sale",
                            ref_type=None, ref_id=None, user_id=None)
    assert exc.value.code == "not_found"
    with pytest.raises(NotFound):
        services.find_by_barcode("6920000000000")


def test_verify_reports_an_on_hand_that_drifted_from_the_ledger(shop_a, rice):
    factories.stock(shop_a, rice, 5)
    db.session.execute(sa.update(StockLevel).where(StockLevel.shop_id == shop_a.id).values(on_hand=7))
    diffs = movements.verify()
    assert [(d.shop_id, d.product_id, d.on_hand, d.ledger) for d in diffs] == [(shop_a.id, rice.id, 7, 5)]


def test_the_ledger_is_append_only(shop_a, rice):
    factories.stock(shop_a, rice, 5)
    with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
        db.session.execute(sa.update(StockMove).values(quantity=50))
    with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
        db.session.execute(sa.delete(StockMove))
    assert [m.quantity for m in moves(shop_a, rice)] == [5]


def test_on_hand_can_never_go_negative_even_by_sql(shop_a, rice):
    factories.stock(shop_a, rice, 1)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(StockLevel).values(on_hand=-1))
