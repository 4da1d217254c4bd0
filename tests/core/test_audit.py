import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from app.core import audit
from app.core.models import AuditLog
from app.extensions import db


def test_record_writes_actor_and_target(app_ctx):
    audit.set_actor(audit.Actor(7, "alice", "admin", "10.0.0.1"))
    row = audit.record("thing.do", target_type="thing", target_id=42, details={"a": 1})
    stored = db.session.get(AuditLog, row.id)
    assert (stored.username, stored.role, stored.ip, stored.action) == ("alice", "admin", "10.0.0.1", "thing.do")
    assert stored.target_id == "42" and stored.details == {"a": 1}
    assert stored.at.tzinfo is not None


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'tampered'",
    "DELETE FROM audit_log",
])
def test_the_database_refuses_update_and_delete_on_the_audit_log(app_ctx, statement):
    audit.record("before.tamper")
    db.session.commit()  # a savepoint inside the test transaction
    with pytest.raises(DatabaseError) as exc:
        with db.session.begin_nested():
            db.session.execute(sa.text(statement))
    assert "append-only" in str(exc.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "before.tamper")) == 1
