"""Login and logout pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm
from app.auth.permissions import public, require_role
from app.core.redirects import safe_next
from app.extensions import db, limiter

bp = Blueprint("auth", __name__, template_folder="templates")


def login_username_key() -> str:
    """Rate-limit key for the account being tried, from the form or the JSON body."""
    name = request.form.get("username")
    if name is None and request.is_json:
        body = request.get_json(silent=True) or {}
        name = body.get("username") if isinstance(body, dict) else None
    return "login-user:" + str(name or "").strip().lower()[:80]


def login_limits(fn):
    fn = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_USER"],
                       key_func=login_username_key, methods=["POST"])(fn)
    return limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
                         methods=["POST"])(fn)


def begin_login(user) -> None:
    """Start a server-side session for `user` and put its token in the cookie."""
    services.start_session(user, ip=request.remote_addr,
                           user_agent=request.headers.get("User-Agent"))
    session.clear()
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limits
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("用户名或密码错误，或账号已停用"), "error")
            return render_template("auth/login.html", form=form), 401
        lang = session.get("lang")
        begin_login(user)
        if lang:
            session["lang"] = lang
        db.session.commit()
        return redirect(safe_next(form.next.data))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("core.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@require_role("admin", "federation", "manager", "cashier", "donor")
def logout():
    services.end_session(current_user.session_token)
    db.session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("您已退出登录"), "info")
    return redirect(url_for("auth.login"))
