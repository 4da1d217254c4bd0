"""Wires the core into the app: error handler, template helpers, home page, health, seed-demo,
backup and restore, /metrics."""

from __future__ import annotations

from flask_babel import get_locale

from app.core import handlers, idempotency, masking, menu, money


def init_app(app) -> None:
    from app.core import (
        backup,
        cli,
        metrics,
        models,  # noqa: F401  (audit_log table)
        views,
    )

    handlers.register(app)
    app.register_blueprint(views.bp)
    metrics.init_app(app)  # GET /metrics for the addresses of METRICS_ALLOW
    app.cli.add_command(cli.seed_demo)
    app.cli.add_command(backup.backup_cmd)
    app.cli.add_command(backup.restore_cmd)
    app.jinja_env.filters["fen"] = money.format_fen
    app.jinja_env.filters["mask_name"] = masking.mask_name
    app.jinja_env.filters["mask_phone"] = masking.mask_phone
    app.jinja_env.filters["mask_id"] = masking.mask_id_number
    app.jinja_env.filters["bizdatetime"] = views.format_business_datetime
    app.jinja_env.globals["idempotency_field"] = idempotency.idempotency_field

    @app.context_processor
    def _template_globals():
        from flask_login import current_user

        role = current_user.role if current_user.is_authenticated else None
        return {
            "menu_items": menu.for_role(role),
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "complaint_hotline": app.config["COMPLAINT_HOTLINE"],
        }
