import pytest
import sqlalchemy as sa

from app.auth import services
from app.auth.models import Shop, User
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.models import AuditLog
from app.extensions import db
from tests import factories


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def invoke(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_shops_create_and_list(app):
    result = invoke(app, "shops", "create", "XC01", "许昌测试店", "--district", "411002")
    assert result.exit_code == 0, result.output
    listed = invoke(app, "shops", "list")
    assert "XC01" in listed.output and "许昌测试店" in listed.output


@pytest.mark.parametrize("args,fragment", [
    (["shops", "create", "bad code!", "x", "--district", "411002"], "门店编码"),
    (["shops", "create", "XC02", "x", "--district", "999999"], "区县代码不存在"),
])
def test_shops_create_bad_input_exits_non_zero_and_writes_nothing(app, args, fragment):
    with app.app_context():
        before = count(Shop)
    result = invoke(app, *args)
    assert result.exit_code == 2
    assert fragment in result.output
    with app.app_context():
        assert count(Shop) == before


def test_users_create_with_password_stdin(app):
    with app.app_context():
        factories.shop("CLI1")
        db.session.commit()
    result = invoke(app, "users", "create", "cli.cashier", "--role", "cashier", "--shop", "CLI1",
                    "--password-stdin", input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert services.authenticate("cli.cashier", "s3cret-pass") is not None
        assert db.session.scalar(sa.select(AuditLog.username).where(AuditLog.action == "user.create")
                                 .order_by(AuditLog.id.desc())).startswith("cli:")


@pytest.mark.parametrize("args,stdin,fragment", [
    (["users", "create", "x1", "--role", "wizard", "--password-stdin"], "longenough\n", "wizard"),
    (["users", "create", "cashier.noshop", "--role", "cashier", "--password-stdin"], "longenough\n", "门店"),
    (["users", "create", "cashier.badshop", "--role", "cashier", "--shop", "NOPE", "--password-stdin"],
     "longenough\n", "门店不存在"),
    (["users", "create", "shortpw", "--role", "admin", "--password-stdin"], "short\n", "密码至少"),
])
def test_users_create_bad_input(app, args, stdin, fragment):
    with app.app_context():
        before = count(User)
    result = invoke(app, *args, input=stdin)
    assert result.exit_code == 2
    assert fragment in result.output
    with app.app_context():
        assert count(User) == before


def test_duplicate_username_is_refused(app):
    with app.app_context():
        factories.user("admin", username="dupe")
        db.session.commit()
        before = count(User)
    result = invoke(app, "users", "create", "DUPE", "--role", "admin", "--password-stdin", input="longenough\n")
    assert result.exit_code == 2 and "已存在" in result.output
    with app.app_context():
        assert count(User) == before


def test_service_errors_have_stable_codes(app_ctx):
    with pytest.raises(InvalidInput):
        services.create_user(username="ab", role="admin", password="longenough")
    with pytest.raises(NotFound):
        services.get_shop_by_code("NOPE")
    factories.shop("DUP1")
    with pytest.raises(Conflict) as exc:
        factories.shop("DUP1")
    assert exc.value.code == "conflict"


def test_no_user_exists_after_migrations(fresh_app):
    with fresh_app.app_context():
        assert count(User) == 0


@pytest.mark.real_commits
def test_seed_demo_is_idempotent(fresh_app):
    first = invoke(fresh_app, "seed-demo")
    assert first.exit_code == 0, first.output
    with fresh_app.app_context():
        users, shops = count(User), count(Shop)
    second = invoke(fresh_app, "seed-demo")
    assert second.exit_code == 0
    assert "cishan2026" in second.output
    # the demo manager has the demo PIN, printed with the logins (issue 11, item 8)
    from app.pos.demo import DEMO_PIN

    assert f"Manager PIN (manager, for voids at the till): {DEMO_PIN}" in first.output
    assert DEMO_PIN in second.output and "the manager's PIN is set" not in second.output
    with fresh_app.app_context():
        assert (count(User), count(Shop)) == (users, shops)


def test_shop_scope_in_shop_list(app_ctx):
    a, b = factories.shop("SA01"), factories.shop("SB01", district_code="411024")
    manager = factories.user("manager", shop=a)
    fed = factories.user("federation", district_code="411024")
    assert [s.code for s in services.list_shops(manager)] == ["SA01"]
    assert b.code in [s.code for s in services.list_shops(fed)]
    assert a.code not in [s.code for s in services.list_shops(fed)]
