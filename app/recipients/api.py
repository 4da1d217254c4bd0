"""`GET /api/v1/recipients?q=`: look-up by name and/or last ID digits, masked."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import district_filter, require_role
from app.recipients import services
from app.recipients.schemas import RecipientOut, RecipientQuery

blp = Blueprint("api_recipients", __name__, description="救助对象 Recipients")


@blp.route("/recipients", methods=["GET"])
@require_role("admin", "federation", "manager", "cashier")
@blp.arguments(RecipientQuery, location="query")
@blp.response(200, RecipientOut(many=True))
def search(args):
    """Active recipients matching `q` ("张三", "1234", "张 123456"); names and IDs masked."""
    return services.search(args["q"], district_code=district_filter(current_user))
