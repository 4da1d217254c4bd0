"""Property: after any mix of receive / sale / void / adjust / transfer / stocktake, on-hand equals
the sum of the ledger rows for every shop and product, equals a simple model, and never goes
below zero; refused operations change nothing."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import InvalidInput
from app.extensions import db
from app.inventory import movements, services
from app.inventory.errors import OutOfStock
from app.inventory.models import StockMove
from tests import factories as core_factories
from tests.inventory import factories

SHOPS, PRODUCTS = 2, 2
shop_i = st.integers(0, SHOPS - 1)
prod_i = st.integers(0, PRODUCTS - 1)
qty = st.integers(1, 12)

ops = st.one_of(
    st.tuples(st.just("receive"), shop_i, prod_i, qty),
    st.tuples(st.just("sale"), shop_i, prod_i, qty),
    st.tuples(st.just("void"), shop_i, prod_i, st.integers(1, 3)),
    st.tuples(st.just("adjust"), shop_i, prod_i, st.integers(-8, 8).filter(bool)),
    st.tuples(st.just("transfer"), shop_i, prod_i, qty),
    st.tuples(st.just("stocktake"), shop_i, st.lists(st.one_of(st.none(), st.integers(0, 15)),
                                                     min_size=PRODUCTS, max_size=PRODUCTS), st.booleans()),
)


@pytest.fixture
def setup(app_ctx):
    shops = [core_factories.shop(name=f"性质测试店{i}") for i in range(SHOPS)]
    cat = factories.category("性质测试")
    products = [factories.product(f"性质测试商品{i}", category=cat) for i in range(PRODUCTS)]
    return shops, products


def _ledger_sums(shops, products):
    rows = db.session.execute(sa.select(StockMove.shop_id, StockMove.product_id, sa.func.sum(StockMove.quantity))
                              .group_by(StockMove.shop_id, StockMove.product_id))
    sums = {(s, p): int(total) for s, p, total in rows}
    return {(i, j): sums.get((s.id, p.id), 0) for i, s in enumerate(shops) for j, p in enumerate(products)}


def _apply(op, shops, products, model):
    kind = op[0]
    if kind == "stocktake":
        _kind, s, counts, sell_during = op
        shop = shops[s]
        st_ = movements.start_stocktake(shop_id=shop.id, category_id=products[0].category_id)
        expected = dict(model)
        if sell_during and model[(s, 0)] > 0:  # a sale between the count's start and its posting
            services.take_stock(shop_id=shop.id, product_id=products[0].id, quantity=1, kind="sale",
                                ref_type="sale", ref_id=0, user_id=None)
            model[(s, 0)] -= 1
        movements.record_counts(st_, {p.id: c for p, c in zip(products, counts, strict=True)})
        new = {j: model[(s, j)] + (c - expected[(s, j)]) for j, c in enumerate(counts) if c is not None}
        if any(v < 0 for v in new.values()):
            with pytest.raises(InvalidInput):
                movements.post_stocktake(st_)
            movements.cancel_stocktake(st_)
            return
        movements.post_stocktake(st_)
        for j, v in new.items():
            model[(s, j)] = v
        return
    _kind, s, p, n = op
    shop, product = shops[s], products[p]
    if kind == "receive":
        factories.stock(shop, product, n)
        model[(s, p)] += n
    elif kind == "void":
        services.return_stock(shop_id=shop.id, product_id=product.id, quantity=n, kind="void",
                              ref_type="sale", ref_id=1, user_id=None)
        model[(s, p)] += n
    elif kind == "sale":
        if model[(s, p)] < n:
            with pytest.raises(OutOfStock):
                services.take_stock(shop_id=shop.id, product_id=product.id, quantity=n, kind="sale",
                                    ref_type="sale", ref_id=1, user_id=None)
        else:
            services.take_stock(shop_id=shop.id, product_id=product.id, quantity=n, kind="sale",
                                ref_type="sale", ref_id=1, user_id=None)
            model[(s, p)] -= n
    elif kind == "adjust":
        reason = "found" if n > 0 else "damaged"
        if model[(s, p)] + n < 0:
            with pytest.raises(OutOfStock):
                movements.adjust(shop_id=shop.id, product_id=product.id, quantity=n, reason=reason)
        else:
            movements.adjust(shop_id=shop.id, product_id=product.id, quantity=n, reason=reason)
            model[(s, p)] += n
    elif kind == "transfer":
        t = (s + 1) % SHOPS
        other = products[(p + 1) % PRODUCTS]
        lines = [{"product_id": product.id, "quantity": n}, {"product_id": other.id, "quantity": 1}]
        need_other = 1 + (n if other.id == product.id else 0)
        if model[(s, p)] < n or model[(s, (p + 1) % PRODUCTS)] < need_other:
            with pytest.raises(OutOfStock):  # all or nothing: no line of it may stay
                movements.transfer(from_shop_id=shop.id, to_shop_id=shops[t].id, lines=lines)
        else:
            movements.transfer(from_shop_id=shop.id, to_shop_id=shops[t].id, lines=lines)
            model[(s, p)] -= n
            model[(t, p)] += n
            model[(s, (p + 1) % PRODUCTS)] -= 1
            model[(t, (p + 1) % PRODUCTS)] += 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(ops, min_size=1, max_size=25))
def test_ledger_and_on_hand_always_agree(setup, sequence):
    shops, products = setup
    savepoint = db.session.begin_nested()
    try:
        model = {(i, j): 0 for i in range(SHOPS) for j in range(PRODUCTS)}
        for op in sequence:
            _apply(op, shops, products, model)
            assert all(v >= 0 for v in model.values())
        on_hand = {(i, j): services.stock_on_hand(s.id, p.id)
                   for i, s in enumerate(shops) for j, p in enumerate(products)}
        assert on_hand == model
        assert _ledger_sums(shops, products) == model
        assert movements.verify() == []
    finally:
        savepoint.rollback()
